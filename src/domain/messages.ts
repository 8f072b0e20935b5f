// The federation protocol: every message is an envelope and a body, canonical
// JSON (RFC 8785) signed as a JWS by the sending body's key (R11.3: the
// officer's identity and authority are inside the signed document). One schema
// per message type; data/schemas/ publishes them (npm run schemas).
import Type, { type TSchema } from 'typebox';
import { AnswerItemsSchema } from './answer.js';
import { RequestSchema } from './request.js';
import type { ProtocolVersion } from './protocol.js';
import { MESSAGE_TYPE_LABELS, REFUSAL_GROUND_LABELS } from './vocabulary.js';
import { REFUSAL_GROUNDS, type WorkflowEvent } from './workflow.js';

const Text = Type.String({ minLength: 1, maxLength: 10_000 });
const DateStr = Type.String({ format: 'date' });
const Party = Type.String({ pattern: '^[A-Z]{2}$' });
const BodyId = Type.String({ pattern: '^[a-z0-9][a-z0-9-]{1,62}$' });

export const EnvelopeSchema = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    type: Type.String({ minLength: 1, maxLength: 64 }),
    /** The protocol version the message is built in (docs/MESSAGES.md §3.1); each version's schema fixes it. */
    schemaVersion: Type.Integer({ minimum: 1, maximum: 999 }),
    from: Type.Object({ party: Party, body: BodyId }, { additionalProperties: false }),
    to: Type.Object({ party: Party, body: BodyId }, { additionalProperties: false }),
    /** The request this message belongs to (its message id); absent on a new request and on node-level queries. */
    inReplyTo: Type.Optional(Type.String({ format: 'uuid' })),
    createdAt: Type.String({ format: 'date-time' }),
    /** R11.3: who signed for the body, and in what capacity (absent on automatic receipts). */
    officer: Type.Optional(
      Type.Object(
        {
          id: Type.String({ maxLength: 100 }),
          name: Type.String({ minLength: 1, maxLength: 300 }),
          position: Type.String({ minLength: 1, maxLength: 300 }),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

export type Envelope = Type.Static<typeof EnvelopeSchema>;

const AnswerBody = Type.Object({ items: AnswerItemsSchema }, { additionalProperties: false });

const textBody = (key: string, optional = false) =>
  Type.Object({ [key]: optional ? Type.Optional(Text) : Text }, { additionalProperties: false });

/** Who may send a message type (docs/MESSAGES.md, RECEIVING.md): a side of the request it names, either side, any designated body (node level) or the transport (receipts). */
export type SenderRole = 'requesting' | 'requested' | 'either' | 'node' | 'transport';

/** One field an officer fills for a message (the wire body's property of the same name). */
export interface FormField {
  readonly label: string;
  readonly input: 'textarea' | 'date' | 'select';
  readonly options?: readonly (readonly [string, string])[];
}

/** How the officer's step form for a message looks (the web UI derives its forms from this). */
export interface StepForm {
  readonly label: string;
  readonly button: string;
  readonly fields: Readonly<Record<string, FormField>>;
}

/**
 * One entry of the catalogue: the wire schema of the body, who may send it,
 * the workflow event it drives on the request it names (null: it changes no
 * state), its Russian title and the rule it serves, and (for steps an officer
 * takes) the form. The receiving and composing handlers are tables keyed by
 * the same type in src/app (receive-message.ts, compose-message.ts).
 */
export interface CatalogueEntry {
  readonly title: string;
  readonly rule: string;
  readonly from: SenderRole;
  readonly event: WorkflowEvent | null;
  readonly body: TSchema;
  readonly form?: StepForm;
  /** The protocol version that introduced the type (1 when absent). */
  readonly since?: ProtocolVersion;
  /** The body's schema in older versions, where it differed (the current one applies otherwise). */
  readonly olderBodies?: Partial<Record<ProtocolVersion, TSchema>>;
}

const textarea = (label: string): FormField => ({ label, input: 'textarea' });
const REASON = { reason: textarea('Причина') };
const NOTE = { note: textarea('Примечание (необязательно)') };

const RECEIPT_V1 = Type.Object(
  {
    messageId: Type.String({ format: 'uuid' }),
    receivedAt: Type.String({ format: 'date-time' }),
    messageSha256: Type.String({ pattern: '^[0-9a-f]{64}$' }),
    deadline: Type.Optional(DateStr),
    deadlineBasis: Type.Optional(Type.String({ maxLength: 10 })),
  },
  { additionalProperties: false },
);

/** One message of a bundle as the bundle receipt states it: received (with its receipt facts) or refused. */
const BundleItemAccepted = Type.Object(
  {
    messageId: Type.String({ format: 'uuid' }),
    messageSha256: Type.String({ pattern: '^[0-9a-f]{64}$' }),
    receivedAt: Type.String({ format: 'date-time' }),
    deadline: Type.Optional(DateStr),
    deadlineBasis: Type.Optional(Type.String({ maxLength: 10 })),
    requestedBy: Type.Optional(DateStr),
  },
  { additionalProperties: false },
);
const BundleItemRefused = Type.Object(
  {
    messageId: Type.Optional(Type.String({ format: 'uuid' })),
    messageSha256: Type.String({ pattern: '^[0-9a-f]{64}$' }),
    error: Type.Object(
      {
        code: Type.String({ pattern: '^[a-z][a-z_]*(\\.[a-z_]+)*$', maxLength: 100 }),
        message: Type.String({ maxLength: 2000 }),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

/** At most this many messages travel in one bundle (docs/MESSAGES.md §2.1). */
export const BUNDLE_MAX_MESSAGES = 500;

/** What a deletion notice names as destroyed (R9.6). */
export const DESTROYED_KINDS = ['request', 'answers', 'attachments', 'messages'] as const;

/** The protocol's message types: the one place a message type is defined. */
export const MESSAGE_TYPES = {
  request: {
    title: MESSAGE_TYPE_LABELS.request,
    rule: 'R3–R11',
    from: 'requesting',
    event: 'receipt',
    body: Type.Object({ request: RequestSchema }, { additionalProperties: false }),
  },
  receipt: {
    title: MESSAGE_TYPE_LABELS.receipt,
    rule: 'R12.a',
    from: 'transport',
    event: null,
    // Version 2: a request's receipt also carries the shorter term asked for (R12.b), beside the legal deadline.
    body: Type.Object(
      { ...RECEIPT_V1.properties, requestedBy: Type.Optional(DateStr) },
      { additionalProperties: false },
    ),
    olderBodies: { 1: RECEIPT_V1 },
  },
  bundle_receipt: {
    title: MESSAGE_TYPE_LABELS.bundle_receipt,
    rule: 'R12.a',
    from: 'transport',
    event: null,
    since: 3,
    // One receipt for a bundle: an item per message, in the bundle's order (the receipt facts, or the refusal).
    body: Type.Object(
      {
        bundleSha256: Type.String({ pattern: '^[0-9a-f]{64}$' }),
        items: Type.Array(Type.Union([BundleItemAccepted, BundleItemRefused]), {
          minItems: 1,
          maxItems: BUNDLE_MAX_MESSAGES,
        }),
      },
      { additionalProperties: false },
    ),
  },
  answer_partial: {
    title: MESSAGE_TYPE_LABELS.answer_partial,
    rule: 'R4–R8',
    from: 'requested',
    event: 'answer_partial',
    body: AnswerBody,
  },
  answer_final: {
    title: MESSAGE_TYPE_LABELS.answer_final,
    rule: 'R4–R8',
    from: 'requested',
    event: 'answer_final',
    body: AnswerBody,
  },
  refusal: {
    title: MESSAGE_TYPE_LABELS.refusal,
    rule: 'R13.a',
    from: 'requested',
    event: 'refuse',
    body: Type.Object(
      { ground: Type.Enum(REFUSAL_GROUNDS), circumstances: Text, declarationParty: Type.Optional(Party) },
      { additionalProperties: false },
    ),
    form: {
      label: 'Отказать в исполнении (статья 13)',
      button: 'Отказать',
      fields: {
        ground: {
          label: 'Основание',
          input: 'select',
          options: REFUSAL_GROUNDS.map((g) => [g, REFUSAL_GROUND_LABELS[g]] as const),
        },
        circumstances: textarea('Обстоятельства'),
      },
    },
  },
  consult: {
    title: MESSAGE_TYPE_LABELS.consult,
    rule: 'R13.c, R15',
    from: 'either',
    event: 'consult',
    body: textBody('text'),
    form: { label: 'Консультация (статьи 13, 15)', button: 'Направить', fields: { text: textarea('Текст') } },
  },
  request_additional_info: {
    title: MESSAGE_TYPE_LABELS.request_additional_info,
    rule: 'R14',
    from: 'requested',
    event: 'request_additional_info',
    body: textBody('questions'),
    form: {
      label: 'Запросить дополнительную информацию (статья 14)',
      button: 'Запросить',
      fields: { questions: textarea('Что нужно сообщить') },
    },
  },
  reply_additional_info: {
    title: MESSAGE_TYPE_LABELS.reply_additional_info,
    rule: 'R14',
    from: 'requesting',
    event: 'reply_additional_info',
    body: textBody('text'),
    form: {
      label: 'Ответить на запрос дополнительной информации',
      button: 'Направить',
      fields: { text: textarea('Дополнительная информация') },
    },
  },
  notify_delay: {
    title: MESSAGE_TYPE_LABELS.notify_delay,
    rule: 'R12.c',
    from: 'requested',
    event: 'notify_delay',
    body: Type.Object({ newDate: DateStr, reason: Text }, { additionalProperties: false }),
    form: {
      label: 'Уведомить о невозможности исполнить в срок (статья 12)',
      button: 'Уведомить',
      fields: { newDate: { label: 'Новый ожидаемый срок', input: 'date' }, ...REASON },
    },
  },
  postpone: {
    title: MESSAGE_TYPE_LABELS.postpone,
    rule: 'R15',
    from: 'requested',
    event: 'postpone',
    body: Type.Object({ reason: Text, until: Type.Optional(DateStr) }, { additionalProperties: false }),
    form: {
      label: 'Отсрочить исполнение (статья 15)',
      button: 'Отсрочить',
      fields: { ...REASON, until: { label: 'До (необязательно)', input: 'date' } },
    },
  },
  propose_conditions: {
    title: MESSAGE_TYPE_LABELS.propose_conditions,
    rule: 'R15',
    from: 'requested',
    event: 'propose_conditions',
    body: textBody('conditions'),
    form: {
      label: 'Предложить условия исполнения (статья 15)',
      button: 'Предложить',
      fields: { conditions: textarea('Условия') },
    },
  },
  accept_conditions: {
    title: MESSAGE_TYPE_LABELS.accept_conditions,
    rule: 'R15',
    from: 'requesting',
    event: 'accept_conditions',
    body: textBody('note', true),
    form: { label: 'Согласиться с условиями', button: 'Согласиться', fields: NOTE },
  },
  reject_conditions: {
    title: MESSAGE_TYPE_LABELS.reject_conditions,
    rule: 'R15',
    from: 'requesting',
    event: 'reject_conditions',
    body: textBody('note', true),
    form: { label: 'Не согласиться с условиями', button: 'Не согласиться', fields: NOTE },
  },
  resume: {
    title: MESSAGE_TYPE_LABELS.resume,
    rule: 'R15',
    from: 'requested',
    event: 'resume',
    body: textBody('note', true),
    form: { label: 'Возобновить исполнение', button: 'Возобновить', fields: NOTE },
  },
  notify_confidentiality_impossible: {
    title: MESSAGE_TYPE_LABELS.notify_confidentiality_impossible,
    rule: 'R16',
    from: 'requested',
    event: 'notify_confidentiality_impossible',
    body: textBody('reason'),
    form: { label: 'Конфиденциальное исполнение невозможно (статья 16)', button: 'Уведомить', fields: REASON },
  },
  continue_without_confidentiality: {
    title: MESSAGE_TYPE_LABELS.continue_without_confidentiality,
    rule: 'R16',
    from: 'requesting',
    event: 'continue_without_confidentiality',
    body: textBody('note', true),
    form: { label: 'Исполнять без соблюдения конфиденциальности', button: 'Подтвердить', fields: NOTE },
  },
  withdraw: {
    title: MESSAGE_TYPE_LABELS.withdraw,
    rule: 'R15, R24',
    from: 'requesting',
    event: 'withdraw',
    body: textBody('reason'),
    form: { label: 'Отозвать запрос', button: 'Отозвать', fields: REASON },
  },
  forward: {
    title: MESSAGE_TYPE_LABELS.forward,
    rule: 'R18',
    from: 'requested',
    event: 'forward',
    body: Type.Object(
      { body: BodyId, name: Type.String({ minLength: 1, maxLength: 1000 }) },
      { additionalProperties: false },
    ),
  },
  consent_request: {
    title: MESSAGE_TYPE_LABELS.consent_request,
    rule: 'R9.2',
    from: 'requesting',
    event: null,
    body: Type.Object(
      { consentId: Type.String({ format: 'uuid' }), recipient: Text, purpose: Text },
      { additionalProperties: false },
    ),
  },
  consent_answer: {
    title: MESSAGE_TYPE_LABELS.consent_answer,
    rule: 'R9.2',
    from: 'requested',
    event: null,
    body: Type.Object(
      { consentId: Type.String({ format: 'uuid' }), granted: Type.Boolean() },
      { additionalProperties: false },
    ),
  },
  protection_query: {
    title: MESSAGE_TYPE_LABELS.protection_query,
    rule: 'R9.5',
    from: 'node',
    event: null,
    body: Type.Object({}, { additionalProperties: false }),
  },
  protection_answer: {
    title: MESSAGE_TYPE_LABELS.protection_answer,
    rule: 'R9.5',
    from: 'node',
    event: null,
    body: Type.Object(
      { measures: Text, retention: Text, contact: Type.Optional(Type.String({ maxLength: 1000 })) },
      { additionalProperties: false },
    ),
  },
  deletion_notice: {
    title: MESSAGE_TYPE_LABELS.deletion_notice,
    rule: 'R9.6',
    from: 'either',
    event: null,
    since: 2,
    // The receiving Party destroyed what the other provided about this request, under the rule named.
    body: Type.Object(
      {
        destroyed: Type.Array(Type.Enum(DESTROYED_KINDS), {
          minItems: 1,
          maxItems: DESTROYED_KINDS.length,
          uniqueItems: true,
        }),
        rule: Type.String({ minLength: 1, maxLength: 2000 }),
        destroyedAt: Type.String({ format: 'date-time' }),
      },
      { additionalProperties: false },
    ),
  },
} as const satisfies Record<string, CatalogueEntry>;

export type MessageType = keyof typeof MESSAGE_TYPES;
export const MESSAGE_TYPE_NAMES = Object.keys(MESSAGE_TYPES) as MessageType[];

export function isMessageType(t: string): t is MessageType {
  return Object.hasOwn(MESSAGE_TYPES, t);
}

/** The body schema of a type in a protocol version (null: the type does not exist in it). */
export function bodySchema(type: MessageType, version: ProtocolVersion): TSchema | null {
  const entry = MESSAGE_TYPES[type] as CatalogueEntry;
  if ((entry.since ?? 1) > version) return null;
  return entry.olderBodies?.[version] ?? entry.body;
}

/** The whole signed document of one type in one protocol version: `{ envelope, body }` (null: no such type in it). */
export function messageSchema(type: MessageType, version: ProtocolVersion): TSchema | null {
  const key = `${version}/${type}`;
  let schema = schemas.get(key);
  if (schema === undefined) {
    schema = buildMessageSchema(type, version);
    schemas.set(key, schema);
  }
  return schema;
}

const schemas = new Map<string, TSchema | null>();

function buildMessageSchema(type: MessageType, version: ProtocolVersion): TSchema | null {
  const body = bodySchema(type, version);
  if (!body) return null;
  return Type.Object(
    {
      envelope: Type.Object(
        { ...EnvelopeSchema.properties, type: Type.Literal(type), schemaVersion: Type.Literal(version) },
        { additionalProperties: false },
      ),
      body,
    },
    {
      additionalProperties: false,
      $id: `https://eix.example/schemas/v${version}/${type}.json`,
      title: MESSAGE_TYPES[type].title,
    },
  );
}

/**
 * A body built by the current code, shaped for an older version: the fields
 * that version does not know are left out (e.g. a version 1 receipt has no
 * `requestedBy`). Only optional fields are ever added in a later version.
 */
export function bodyForVersion(
  type: MessageType,
  version: ProtocolVersion,
  body: Record<string, unknown>,
): Record<string, unknown> {
  const schema = bodySchema(type, version) as { properties?: Record<string, unknown> } | null;
  if (!schema?.properties) return body;
  const known = schema.properties;
  return Object.fromEntries(Object.entries(body).filter(([k]) => Object.hasOwn(known, k)));
}

export interface Message<B = Record<string, unknown>> {
  envelope: Envelope;
  body: B;
}

/** The body of a message type, as its schema types it. */
export type BodyOf<T extends MessageType> = Type.Static<(typeof MESSAGE_TYPES)[T]['body']>;

/** A message of a known type (verified and schema-checked). */
export interface TypedMessage<T extends MessageType = MessageType> {
  readonly envelope: Envelope & { readonly type: T };
  readonly body: BodyOf<T>;
}

/** Receipts: only ever the answer of the receiving node in the same exchange, never sent on their own. */
export const RECEIPT_TYPES = ['receipt', 'bundle_receipt'] as const satisfies readonly MessageType[];
export type ReceiptType = (typeof RECEIPT_TYPES)[number];
export const isReceiptType = (t: string): t is ReceiptType => (RECEIPT_TYPES as readonly string[]).includes(t);

/** Types a node may receive over the federation endpoint (a receipt only comes back as a response). */
export type InboundType = Exclude<MessageType, ReceiptType>;

/** Types that concern a request the receiver holds (`inReplyTo` names it). */
export type RequestMessageType = {
  [T in MessageType]: (typeof MESSAGE_TYPES)[T]['from'] extends 'requesting' | 'requested' | 'either' ? T : never;
}[Exclude<MessageType, 'request'>];

export function concernsRequest(type: MessageType): type is RequestMessageType {
  const from = MESSAGE_TYPES[type].from;
  return type !== 'request' && (from === 'requesting' || from === 'requested' || from === 'either');
}

/** Message types an officer sends with a step form (a state-machine event of the same request). */
export type StepMessageType = {
  [T in MessageType]: (typeof MESSAGE_TYPES)[T] extends { form: StepForm } ? T : never;
}[MessageType];

export const STEP_MESSAGE_TYPES = MESSAGE_TYPE_NAMES.filter(
  (t): t is StepMessageType => (MESSAGE_TYPES[t] as CatalogueEntry).form !== undefined,
);
