// RECEIVING.md in one place: what a verified message is about, and whether its
// sender may say it. The signature proved who speaks; here the node decides
// whether that body may say this message about that request (or, for
// node-level messages, to this node at all). Runs inside receiveMessage's
// transaction, before any effect; a refusal stores nothing.
import type { Selectable } from 'kysely';
import type { BodiesTable } from '../adapters/db/schema.js';
import type { IsoDate } from '../domain/dates.js';
import { EixError } from '../domain/errors.js';
import {
  MESSAGE_TYPES,
  concernsRequest,
  type InboundType,
  type RequestMessageType,
  type TypedMessage,
} from '../domain/messages.js';
import { checkCounterpart, type RequestSide } from '../domain/receiving.js';
import { isDesignated } from '../domain/treaty.js';
import type { Tx } from '../ports/store.js';
import type { AppContext } from './context.js';
import { requirePair, requireReceiptRecorded, servedBody, type RequestRow } from './request-record.js';

/** What a message was bound to. */
export type Binding =
  /** A new request: checked by receiveRequest itself (sender, recipient, R-pair, Article 11). */
  | { readonly kind: 'new_request' }
  /** A message about a request this node holds, from that request's counterpart. */
  | { readonly kind: 'request'; readonly row: RequestRow; readonly side: RequestSide }
  /** A node-level query (R9.5) to one of this node's bodies. */
  | { readonly kind: 'node'; readonly body: Selectable<BodiesTable>; readonly day: IsoDate };

function refuse(field: string, message: string, data: Record<string, unknown> = {}): never {
  throw new EixError('message.context', { field, ...data }, message);
}

export async function bindMessage(
  tx: Tx,
  ctx: AppContext,
  m: TypedMessage<InboundType>,
  receivedAt: Date,
): Promise<Binding> {
  const env = m.envelope;
  const type = env.type;
  if (env.to.party !== ctx.party) {
    throw new EixError(
      'message.recipient',
      { field: 'envelope.to.party', to: env.to },
      `Сообщение адресовано Стороне ${env.to.party}`,
    );
  }
  if (type === 'request') {
    if (env.inReplyTo !== undefined)
      refuse('envelope.inReplyTo', 'Новый запрос не может быть ответом на другое сообщение');
    return { kind: 'new_request' };
  }
  if (concernsRequest(type)) return bindToRequest(tx, ctx, type, m, receivedAt);
  // Node level (R9.5): a designated body of a Party bound with this one today, to a body served here.
  const { body, localDay } = await servedBody(tx, ctx, env.to.body, receivedAt);
  if (!isDesignated(ctx.treaty(), env.from.party, env.from.body, localDay)) {
    throw new EixError(
      'message.sender',
      { field: 'envelope.from.body', from: env.from },
      `Орган ${env.from.body} не назначен Стороной ${env.from.party} для обмена по Соглашению (статья 18)`,
    );
  }
  if (type === 'protection_query') {
    if (env.inReplyTo !== undefined) refuse('envelope.inReplyTo', 'Запрос о мерах защиты не является ответом');
    requirePair(ctx, env.from.party, localDay);
    return { kind: 'node', body, day: localDay };
  }
  // protection_answer: it answers an open query this node sent to that Party, addressed to the body that asked.
  const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
  const query =
    env.inReplyTo && UUID.test(env.inReplyTo)
      ? await tx
          .selectFrom('protection_queries')
          .select(['to_party', 'from_body', 'answered_at'])
          .where('id', '=', env.inReplyTo)
          .executeTakeFirst()
      : undefined;
  if (!query || query.to_party !== env.from.party || query.answered_at !== null) {
    refuse(
      'envelope.inReplyTo',
      'Сведения о мерах защиты направлены не в ответ на открытый запрос этого узла к этой Стороне',
    );
  }
  if (query.from_body !== body.id) refuse('envelope.to.body', `Запрос о мерах защиты направлял не орган ${body.id}`);
  return { kind: 'node', body, day: localDay };
}

/** RECEIVING.md rows "requested side", "requesting side", "either side", and the extra rules of consent answers and forwards. */
async function bindToRequest(
  tx: Tx,
  ctx: AppContext,
  type: RequestMessageType,
  m: TypedMessage<InboundType>,
  receivedAt: Date,
): Promise<Binding> {
  const env = m.envelope;
  if (!env.inReplyTo) refuse('envelope.inReplyTo', `Сообщение «${MESSAGE_TYPES[type].title}» не указывает запрос`);
  const row = await tx
    .selectFrom('requests')
    .selectAll()
    .where('message_id', '=', env.inReplyTo)
    .forUpdate()
    .executeTakeFirst();
  if (!row)
    refuse('envelope.inReplyTo', 'Запроса, к которому относится сообщение, нет на этом узле', { id: env.inReplyTo });
  const counterpart = row.counterpart_body as { id: string };
  const side = checkCounterpart(type, env, {
    direction: row.direction,
    counterpartParty: row.counterpart_party,
    counterpartBody: counterpart.id,
    counterpartForwardedTo: row.counterpart_forwarded_to,
    bodyId: row.body_id,
    addressedTo: row.addressed_to,
  });
  // The requested side's messages can overtake the receipt of the request itself: "not yet", retried.
  if (side === 'requested') requireReceiptRecorded(row);
  if (type === 'consent_answer') {
    // R9.2: it answers a consent request this node sent about this request, still open; one answer per consent.
    const consentId = (m.body as { consentId: string }).consentId;
    const open = await tx
      .selectFrom('disclosure_consents')
      .select('id')
      .where('id', '=', consentId)
      .where('request_id', '=', row.id)
      .where('status', '=', 'requested')
      .executeTakeFirst();
    if (!open) refuse('body.consentId', 'Нет открытого запроса согласия с этим идентификатором по этому запросу');
  }
  if (type === 'forward') {
    // R18: forwarded to a designated body of the same Party, other than the one executing it now.
    const to = (m.body as { body: string }).body;
    const day = (await servedBody(tx, ctx, row.body_id, receivedAt)).localDay;
    if (!isDesignated(ctx.treaty(), env.from.party, to, day) || to === env.from.body) {
      refuse('body.body', `Орган ${to} не назначен Стороной ${env.from.party} для исполнения запросов (статья 18)`);
    }
  }
  return { kind: 'request', row, side };
}
