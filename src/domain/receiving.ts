// Whom a node believes, for what (RECEIVING.md; R-pair, R9.2, R9.5, R18). The
// signature proves who speaks; these rules decide whether that body may say
// this message about that request. They are pure: src/app/bind-message.ts
// gathers the facts (the request as this node holds it) and calls them before
// any effect. A message that breaks one is refused and stores nothing.
import { EixError } from './errors.js';
import type { Problem } from './problems.js';
import { MESSAGE_TYPES, type Envelope, type RequestMessageType } from './messages.js';

/** A side of a request: the Party that asks, or the Party that is asked. */
export type RequestSide = 'requesting' | 'requested';

/** The request a message names, as the receiving node holds it. */
export interface HeldRequest {
  /** `outgoing`: this node asked; `incoming`: this node is asked. */
  readonly direction: 'outgoing' | 'incoming';
  readonly counterpartParty: string;
  /** Outgoing: the body asked; incoming: the body that asked. */
  readonly counterpartBody: string;
  /** Outgoing: the body of the other Party the request was forwarded to, by a `forward` this node accepted (R18). */
  readonly counterpartForwardedTo: string | null;
  /** This node's body that holds the request now (after a forward, the territorial body). */
  readonly bodyId: string;
  /** Incoming: the body the request was addressed to (before any forward). */
  readonly addressedTo: string | null;
}

/** The side that sends a message about a request, as seen from the request held here. */
export function senderSide(type: RequestMessageType, held: Pick<HeldRequest, 'direction'>): RequestSide {
  const from = MESSAGE_TYPES[type].from;
  if (from === 'either') return held.direction === 'outgoing' ? 'requested' : 'requesting';
  return from;
}

/**
 * RECEIVING.md, rows "requested side", "requesting side", "either side": the
 * sender must be the request's counterpart (its Party, and the body it was
 * sent to or by — or, on the requesting side, the body the other Party
 * forwarded it to) and address the body that holds it here.
 */
export function checkCounterpart(type: RequestMessageType, env: Envelope, held: HeldRequest): RequestSide {
  const side = senderSide(type, held);
  const refuse = (field: string, why: string): never => {
    throw new EixError(
      'message.context',
      { field, type, requestMessageId: env.inReplyTo ?? null },
      `Сообщение «${MESSAGE_TYPES[type].title}» отклонено: ${why}`,
    );
  };
  // A message of the requested side concerns a request this node sent, and the other way round.
  const expected = side === 'requested' ? 'outgoing' : 'incoming';
  if (held.direction !== expected) {
    refuse(
      'envelope.inReplyTo',
      side === 'requested'
        ? 'его направляет запрашиваемая сторона, а запрос получен этим узлом, а не направлен им'
        : 'его направляет запрашивающая сторона, а запрос направлен этим узлом, а не получен им',
    );
  }
  if (env.from.party !== held.counterpartParty) {
    refuse('envelope.from.party', `Сторона ${env.from.party} не участвует в этом запросе`);
  }
  const senders = side === 'requested' ? [held.counterpartBody, held.counterpartForwardedTo] : [held.counterpartBody];
  if (!senders.includes(env.from.body)) {
    refuse(
      'envelope.from.body',
      side === 'requested'
        ? `орган ${env.from.body} не исполняет этот запрос`
        : `орган ${env.from.body} не направлял этот запрос`,
    );
  }
  const recipients = side === 'requested' ? [held.bodyId] : [held.addressedTo ?? held.bodyId, held.bodyId];
  if (!recipients.includes(env.to.body)) {
    refuse('envelope.to.body', `запрос находится не у органа ${env.to.body}`);
  }
  return side;
}

/**
 * R11, R13.d, R-KZ on receipt: what the requested officer must see about a
 * received request. The request is received all the same and its term runs
 * (Article 12); missing elements are asked for under Article 14.
 */
export interface ReceiptCheck {
  /** Article 11 elements missing or wrong in the received document. */
  readonly problems: readonly Problem[];
  /** Declarations (Article 25) and reservations that concern the request. */
  readonly notices: readonly Problem[];
}
