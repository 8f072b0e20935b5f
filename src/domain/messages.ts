// The federation protocol: every message is an envelope and a body, canonical
// JSON (RFC 8785) signed as a JWS by the sending body's key (R11.3: the
// officer's identity and authority are inside the signed document). One schema
// per message type; data/schemas/ publishes them (npm run schemas).
import Type, { type TSchema } from 'typebox';
import { AnswerItemsSchema } from './answer.js';
import { RequestSchema } from './request.js';
import { REFUSAL_GROUNDS } from './workflow.js';

export const SCHEMA_VERSION = 1;

const Text = Type.String({ minLength: 1, maxLength: 10_000 });
const DateStr = Type.String({ format: 'date' });
const Party = Type.String({ pattern: '^[A-Z]{2}$' });
const BodyId = Type.String({ pattern: '^[a-z0-9][a-z0-9-]{1,62}$' });

export const EnvelopeSchema = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    type: Type.String({ minLength: 1, maxLength: 64 }),
    schemaVersion: Type.Literal(SCHEMA_VERSION),
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

/** Body schema of every message type, with its Russian title and the rule it serves. */
export const MESSAGE_TYPES = {
  request: {
    title: 'Запрос',
    rule: 'R3–R11',
    from: 'requesting',
    body: Type.Object({ request: RequestSchema }, { additionalProperties: false }),
  },
  receipt: {
    title: 'Квитанция о получении',
    rule: 'R12.a',
    from: 'either',
    body: Type.Object(
      {
        messageId: Type.String({ format: 'uuid' }),
        receivedAt: Type.String({ format: 'date-time' }),
        messageSha256: Type.String({ pattern: '^[0-9a-f]{64}$' }),
        deadline: Type.Optional(DateStr),
        deadlineBasis: Type.Optional(Type.String({ maxLength: 10 })),
      },
      { additionalProperties: false },
    ),
  },
  answer_partial: { title: 'Частичный ответ', rule: 'R4–R8', from: 'requested', body: AnswerBody },
  answer_final: { title: 'Окончательный ответ', rule: 'R4–R8', from: 'requested', body: AnswerBody },
  refusal: {
    title: 'Отказ в исполнении',
    rule: 'R13.a',
    from: 'requested',
    body: Type.Object(
      { ground: Type.Enum(REFUSAL_GROUNDS), circumstances: Text, declarationParty: Type.Optional(Party) },
      { additionalProperties: false },
    ),
  },
  consult: { title: 'Консультация', rule: 'R13.c, R15', from: 'either', body: textBody('text') },
  request_additional_info: {
    title: 'Запрос дополнительной информации',
    rule: 'R14',
    from: 'requested',
    body: textBody('questions'),
  },
  reply_additional_info: {
    title: 'Дополнительная информация',
    rule: 'R14',
    from: 'requesting',
    body: textBody('text'),
  },
  notify_delay: {
    title: 'Уведомление о невозможности исполнить в срок',
    rule: 'R12.c',
    from: 'requested',
    body: Type.Object({ newDate: DateStr, reason: Text }, { additionalProperties: false }),
  },
  postpone: {
    title: 'Отсрочка исполнения',
    rule: 'R15',
    from: 'requested',
    body: Type.Object({ reason: Text, until: Type.Optional(DateStr) }, { additionalProperties: false }),
  },
  propose_conditions: {
    title: 'Предложение условий исполнения',
    rule: 'R15',
    from: 'requested',
    body: textBody('conditions'),
  },
  accept_conditions: { title: 'Согласие с условиями', rule: 'R15', from: 'requesting', body: textBody('note', true) },
  reject_conditions: { title: 'Несогласие с условиями', rule: 'R15', from: 'requesting', body: textBody('note', true) },
  resume: { title: 'Возобновление исполнения', rule: 'R15', from: 'requested', body: textBody('note', true) },
  notify_confidentiality_impossible: {
    title: 'Исполнение без огласки невозможно',
    rule: 'R16',
    from: 'requested',
    body: textBody('reason'),
  },
  continue_without_confidentiality: {
    title: 'Исполнять без соблюдения конфиденциальности',
    rule: 'R16',
    from: 'requesting',
    body: textBody('note', true),
  },
  withdraw: { title: 'Отзыв запроса', rule: 'R15, R24', from: 'requesting', body: textBody('reason') },
  forward: {
    title: 'Запрос передан территориальному органу',
    rule: 'R18',
    from: 'requested',
    body: Type.Object(
      { body: BodyId, name: Type.String({ minLength: 1, maxLength: 1000 }) },
      { additionalProperties: false },
    ),
  },
  consent_request: {
    title: 'Запрос согласия на передачу третьему лицу',
    rule: 'R9.2',
    from: 'requesting',
    body: Type.Object(
      { consentId: Type.String({ format: 'uuid' }), recipient: Text, purpose: Text },
      { additionalProperties: false },
    ),
  },
  consent_answer: {
    title: 'Согласие (отказ) на передачу третьему лицу',
    rule: 'R9.2',
    from: 'requested',
    body: Type.Object(
      { consentId: Type.String({ format: 'uuid' }), granted: Type.Boolean() },
      { additionalProperties: false },
    ),
  },
  protection_query: {
    title: 'Запрос о мерах защиты и сроках хранения',
    rule: 'R9.5',
    from: 'either',
    body: Type.Object({}, { additionalProperties: false }),
  },
  protection_answer: {
    title: 'Сведения о мерах защиты и сроках хранения',
    rule: 'R9.5',
    from: 'either',
    body: Type.Object(
      { measures: Text, retention: Text, contact: Type.Optional(Type.String({ maxLength: 1000 })) },
      { additionalProperties: false },
    ),
  },
} as const satisfies Record<
  string,
  { title: string; rule: string; from: 'requesting' | 'requested' | 'either'; body: TSchema }
>;

export type MessageType = keyof typeof MESSAGE_TYPES;
export const MESSAGE_TYPE_NAMES = Object.keys(MESSAGE_TYPES) as MessageType[];

export function isMessageType(t: string): t is MessageType {
  return Object.hasOwn(MESSAGE_TYPES, t);
}

/** The whole signed document of one type: `{ envelope, body }`. */
export function messageSchema(type: MessageType): TSchema {
  let schema = schemas.get(type);
  if (!schema) {
    schema = buildMessageSchema(type);
    schemas.set(type, schema);
  }
  return schema;
}

const schemas = new Map<MessageType, TSchema>();

function buildMessageSchema(type: MessageType): TSchema {
  return Type.Object(
    {
      envelope: Type.Object(
        { ...EnvelopeSchema.properties, type: Type.Literal(type) },
        { additionalProperties: false },
      ),
      body: MESSAGE_TYPES[type].body,
    },
    { additionalProperties: false, $id: `https://eix.example/schemas/${type}.json`, title: MESSAGE_TYPES[type].title },
  );
}

export interface Message<B = Record<string, unknown>> {
  envelope: Envelope;
  body: B;
}
