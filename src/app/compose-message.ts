// Composing a message from an outbox row, when the transport sends it: the
// outbox holds references (never personal data), this reads the request, the
// answers and their attachments, the step the officer recorded, and builds
// the document the sending body signs. One composer per message type.
import type { Selectable } from 'kysely';
import type { OutboxTable } from '../adapters/db/schema.js';
import { EixError } from '../domain/errors.js';
import { bodyForVersion, type Message, type MessageType } from '../domain/messages.js';
import { CURRENT_VERSION, type ProtocolVersion } from '../domain/protocol.js';
import type { Request } from '../domain/request.js';
import type { AppContext } from './context.js';
import type { RequestRow } from './request-record.js';

export type OutboxRow = Selectable<OutboxTable>;

interface Composed {
  readonly body: Record<string, unknown>;
  /** The officer who signs for the body (R11.3); null for what the node sends on its own. */
  readonly officerId: string | null;
}

interface ComposeInput {
  readonly ctx: AppContext;
  readonly req: RequestRow | null;
  readonly refs: Record<string, unknown>;
  /** Who signed each request (read once for a whole group of rows by composeMessages). */
  readonly signers?: ReadonlyMap<string, string | null>;
}

type Composer = (c: ComposeInput) => Promise<Composed>;

function requestOf(c: ComposeInput): RequestRow {
  if (!c.req) throw new EixError('internal', {}, 'Сообщение о запросе без запроса в очереди отправки');
  return c.req;
}

/** The request as signed, and who signed it. */
const request: Composer = async (c) => {
  const req = requestOf(c);
  if (c.signers?.has(req.id)) return { body: { request: req.document as Request }, officerId: c.signers.get(req.id)! };
  const signed = await c.ctx.db
    .selectFrom('request_events')
    .select('officer_id')
    .where('request_id', '=', req.id)
    .where('event', '=', 'sign')
    .orderBy('id', 'desc')
    .executeTakeFirst();
  return { body: { request: req.document as Request }, officerId: signed?.officer_id ?? null };
};

/** Answers with their data and attachments, opened from storage (R9.4) for this message only. */
const answers: Composer = async ({ ctx, refs }) => {
  const ids = refs.answerIds as string[];
  const rows = await ctx.db.selectFrom('answers').selectAll().where('id', 'in', ids).orderBy('item_no').execute();
  const files = await ctx.db
    .selectFrom('answer_attachments')
    .innerJoin('attachments', 'attachments.sha256', 'answer_attachments.sha256')
    .select([
      'answer_attachments.answer_id',
      'answer_attachments.file_name',
      'attachments.media_type',
      'attachments.content_enc',
      'attachments.sha256',
    ])
    .where('answer_attachments.answer_id', 'in', ids)
    .execute();
  const items = rows.map((a) => {
    const data = ctx.sealer.decryptJson<Record<string, unknown>>(a.data_enc!, `answer:${a.id}`);
    const attachments = files
      .filter((f) => f.answer_id === a.id)
      .map((f) => ({
        fileName: f.file_name,
        mediaType: f.media_type,
        contentBase64: ctx.sealer.decrypt(f.content_enc!, `attachment:${f.sha256}`).toString('base64'),
      }));
    return {
      itemNo: a.item_no,
      outcome: a.outcome,
      ...(Object.keys(data).length ? { data } : {}),
      ...(attachments.length ? { attachments } : {}),
    };
  });
  return { body: { items }, officerId: rows[0]?.created_by ?? null };
};

/** A step or refusal: what the officer recorded in the history. */
const recordedStep: Composer = async ({ ctx, refs }) => {
  const e = await ctx.db
    .selectFrom('request_events')
    .selectAll()
    .where('id', '=', String(refs.eventId))
    .executeTakeFirstOrThrow();
  return {
    body: Object.fromEntries(Object.entries(e.data).filter(([k]) => k !== 'messageId')),
    officerId: e.officer_id,
  };
};

/** R18: the body the request now sits with, recorded by the central body that forwarded it. */
const forward: Composer = async (c) => {
  const officer = c.refs.eventId ? (await recordedStep(c)).officerId : null;
  return { body: { body: String(c.refs.body), name: String(c.refs.name) }, officerId: officer };
};

const consentRequest: Composer = async ({ ctx, refs }) => {
  const consent = await ctx.db
    .selectFrom('disclosure_consents')
    .selectAll()
    .where('id', '=', String(refs.consentId))
    .executeTakeFirstOrThrow();
  return { body: { consentId: consent.id, recipient: consent.recipient, purpose: consent.purpose }, officerId: null };
};

/** Node-level and consent answers carry their body in the outbox payload, beside the routing references. */
const payload: Composer = async ({ refs }) => {
  const body = Object.fromEntries(
    Object.entries(refs).filter(([k]) => !['inReplyTo', 'fromBody', 'requestId'].includes(k)),
  );
  return { body, officerId: null };
};

/** Receipts answer in the same exchange; they never wait in the outbox. */
const notQueued: Composer = () => {
  throw new EixError('internal', {}, 'Квитанция не ставится в очередь отправки: она возвращается в ответ на сообщение');
};

const COMPOSERS: Readonly<Record<MessageType, Composer>> = {
  request,
  receipt: notQueued,
  bundle_receipt: notQueued,
  answer_partial: answers,
  answer_final: answers,
  refusal: recordedStep,
  consult: recordedStep,
  request_additional_info: recordedStep,
  reply_additional_info: recordedStep,
  notify_delay: recordedStep,
  postpone: recordedStep,
  propose_conditions: recordedStep,
  accept_conditions: recordedStep,
  reject_conditions: recordedStep,
  resume: recordedStep,
  notify_confidentiality_impossible: recordedStep,
  continue_without_confidentiality: recordedStep,
  withdraw: recordedStep,
  forward,
  consent_request: consentRequest,
  consent_answer: payload,
  protection_query: payload,
  protection_answer: payload,
  deletion_notice: payload,
};

/**
 * The document to sign for one outbox row: envelope (R11.3 officer inside) and
 * body, built in protocol `version` (the highest the recipient speaks).
 */
export async function composeMessage(
  ctx: AppContext,
  row: OutboxRow,
  version: ProtocolVersion = CURRENT_VERSION,
): Promise<Message> {
  const [m] = await composeMessages(ctx, [{ row, version }]);
  if (m instanceof Error) throw m;
  return m!;
}

/**
 * composeMessage for many rows (a bundle, issue 16): the requests, who signed them and the officers are read once
 * for all of them instead of three statements per row. Each row gets its message or the error that stops it.
 */
export async function composeMessages(
  ctx: AppContext,
  rows: readonly { readonly row: OutboxRow; readonly version: ProtocolVersion }[],
): Promise<(Message | Error)[]> {
  const requestIds = [...new Set(rows.flatMap(({ row }) => (row.request_id ? [row.request_id] : [])))];
  const requests = new Map(
    requestIds.length
      ? (await ctx.db.selectFrom('requests').selectAll().where('id', 'in', requestIds).execute()).map((r) => [r.id, r])
      : [],
  );
  const signing = rows.flatMap(({ row }) => (row.type === 'request' && row.request_id ? [row.request_id] : []));
  const signers = new Map<string, string | null>(signing.map((id) => [id, null]));
  if (signing.length)
    for (const e of await ctx.db
      .selectFrom('request_events')
      .select(['request_id', 'officer_id'])
      .where('request_id', 'in', signing)
      .where('event', '=', 'sign')
      .orderBy('id')
      .execute())
      signers.set(e.request_id, e.officer_id); // the last signing wins, as in `request` above
  const composed = await Promise.all(
    rows.map(async ({ row }) => {
      const refs = row.payload as Record<string, unknown>;
      const req = row.request_id ? (requests.get(row.request_id) ?? null) : null;
      if (row.request_id && !req) return new EixError('internal', {}, 'Запрос сообщения из очереди отправки не найден');
      try {
        return { refs, req, ...(await COMPOSERS[row.type]({ ctx, req, refs, signers })) };
      } catch (e) {
        return e as Error;
      }
    }),
  );
  const officerIds = [...new Set(composed.flatMap((c) => (c instanceof Error || !c.officerId ? [] : [c.officerId])))];
  const officers = new Map(
    officerIds.length
      ? (
          await ctx.db
            .selectFrom('officers')
            .select(['id', 'full_name', 'position'])
            .where('id', 'in', officerIds)
            .execute()
        ).map((o) => [o.id, o])
      : [],
  );
  let central: Promise<string> | null = null;
  return Promise.all(
    rows.map(async ({ row, version }, i): Promise<Message | Error> => {
      const c = composed[i]!;
      if (c instanceof Error) return c;
      const { refs, req, body, officerId } = c;
      try {
        // The body that speaks: the one that recorded the step (a central body forwarding, a body asking
        // about protection measures), else the body holding the request, else this Party's central body.
        const fromBody =
          (typeof refs.fromBody === 'string' ? refs.fromBody : undefined) ??
          req?.body_id ??
          (await (central ??= centralBody(ctx)));
        const officer = officerId ? officers.get(officerId) : undefined;
        const inReplyTo =
          typeof refs.inReplyTo === 'string'
            ? refs.inReplyTo
            : req?.message_id && row.type !== 'request'
              ? req.message_id
              : undefined;
        return {
          envelope: {
            id: row.message_id,
            type: row.type,
            schemaVersion: version,
            from: { party: ctx.party, body: fromBody },
            to: { party: row.to_party, body: row.to_body },
            ...(inReplyTo ? { inReplyTo } : {}),
            createdAt: ctx.clock.now().toISOString(),
            ...(officer ? { officer: { id: officer.id, name: officer.full_name, position: officer.position } } : {}),
          },
          body: bodyForVersion(row.type, version, body),
        };
      } catch (e) {
        return e as Error;
      }
    }),
  );
}

async function centralBody(ctx: AppContext): Promise<string> {
  const b = await ctx.db
    .selectFrom('bodies')
    .select('id')
    .where('party', '=', ctx.party)
    .where('kind', '=', 'central')
    .orderBy('id')
    .executeTakeFirst();
  if (!b)
    throw new EixError(
      'body.not_found',
      {},
      'У этого узла нет центрального органа, от имени которого отправить сообщение',
    );
  return b.id;
}
