// The receiving side of the protocol: a message is accepted only if the TLS
// peer is a node of the sending Party, the body certificate chains to that
// Party's CA and is not revoked, the signature verifies, the schema holds, the
// clock is within bounds and the Agreement binds the Parties (R-pair). Then the
// use case runs and a signed receipt goes back in the same exchange; its time
// is the official receipt time (R12.a). Duplicates return the first receipt.
import { randomUUID } from 'node:crypto';
import { applyRemoteStep } from '../../app/apply-remote-step.js';
import { appendAudit } from '../../app/audit.js';
import type { Actor } from '../../app/context.js';
import { receiveAnswer } from '../../app/receive-answer.js';
import { receiveRequest } from '../../app/receive-request.js';
import { recordDisclosureConsent } from '../../app/request-disclosure-consent.js';
import { getProtectionStatement } from '../../app/get-protection-statement.js';
import { recordConsentRequest } from '../../app/record-consent-request.js';
import { recordProtectionAnswer } from '../../app/record-protection-answer.js';
import { localDate } from '../../domain/dates.js';
import { EixError } from '../../domain/errors.js';
import {
  EnvelopeSchema,
  MESSAGE_TYPES,
  isMessageType,
  messageSchema,
  type Message,
  type MessageType,
} from '../../domain/messages.js';
import { checkSchema } from '../../domain/problems.js';
import { isRevoked } from '../../domain/registry.js';
import { canSend } from '../../domain/treaty.js';
import { certificateInfo, verifyCertificate } from '../crypto/pki.js';
import { toEixError } from '../http/errors.js';
import { canonicalBytes, sha256Hex } from '../crypto/jws.js';
import { readCompact, verifyCompact } from './jws.js';
import { MESSAGE_JWS_TYPE, RECEIPT_JWS_TYPE, type Federation } from './context.js';

const FEDERATION: Actor = { kind: 'system', name: 'federation' };

export interface TlsPeer {
  readonly certPem: string;
}

/** The peer node behind a TLS client certificate, checked against the registry. */
export async function identifyPeer(fed: Federation, peer: TlsPeer): Promise<{ nodeId: string; party: string }> {
  const info = certificateInfo(peer.certPem);
  const registry = fed.registry();
  const party = Object.entries(registry.parties).find(([, p]) => p.nodes.some((n) => n.id === info.nodeId))?.[0];
  if (!info.nodeId || !party)
    throw new EixError(
      'message.tls',
      { nodeId: info.nodeId ?? null },
      `Узел ${info.nodeId ?? '(без идентификатора)'} отсутствует в реестре`,
    );
  const now = fed.app.clock.now();
  const chained = await Promise.all(
    registry.parties[party]!.caCertificates.map((ca) => verifyCertificate(peer.certPem, ca, now)),
  );
  if (!chained.some((r) => r.ok) || isRevoked(registry, info.serialNumber, now)) {
    throw new EixError(
      'message.tls',
      { nodeId: info.nodeId },
      `Сертификат узла ${info.nodeId} не выдан удостоверяющим центром Стороны ${party} или отозван`,
    );
  }
  return { nodeId: info.nodeId, party };
}

/** Verifies a signed document of a body of `party` (message or receipt); returns its payload. */
export async function verifySigned(
  fed: Federation,
  jws: string,
  typ: string,
  expect: { party?: string; body?: string; at: (payload: Message) => Date },
): Promise<{ message: Message; certSerial: string }> {
  const u = readCompact(jws, typ);
  const env = checkSchema(EnvelopeSchema, (u.payload as { envelope?: unknown })?.envelope);
  if (env.length > 0)
    throw new EixError(
      'message.schema',
      { field: `envelope.${env[0]!.path}`, problems: env },
      `Конверт сообщения: ${env[0]!.message}`,
    );
  const message = u.payload as Message;
  const { from } = message.envelope;
  if ((expect.party && from.party !== expect.party) || (expect.body && from.body !== expect.body)) {
    throw new EixError(
      'message.sender',
      { from },
      `Отправитель ${from.party}/${from.body} не соответствует ожидаемому`,
    );
  }
  const registry = fed.registry();
  const party = registry.parties[from.party];
  if (!party) throw new EixError('message.sender', { from }, `Сторона ${from.party} отсутствует в реестре`);
  const info = certificateInfo(u.certPem);
  if (info.bodyId !== from.body || info.party !== from.party) {
    throw new EixError(
      'message.sender',
      { from, certificateBody: info.bodyId ?? null },
      `Сообщение подписано сертификатом органа ${info.bodyId ?? '?'}, а не ${from.body}`,
    );
  }
  const at = expect.at(message);
  const checks = await Promise.all(party.caCertificates.map((ca) => verifyCertificate(u.certPem, ca, at)));
  if (!checks.some((c) => c.ok)) {
    const reason = checks.find((c) => !c.ok && c.reason !== 'signature') ?? checks[0];
    throw new EixError('message.certificate', { reason: reason && !reason.ok ? reason.reason : 'signature' });
  }
  if (isRevoked(registry, info.serialNumber, at))
    throw new EixError(
      'message.certificate',
      { reason: 'revoked', serialNumber: info.serialNumber },
      `Сертификат органа ${from.body} отозван`,
    );
  await verifyCompact(jws, u.certPem);
  return { message, certSerial: info.serialNumber };
}

export interface Accepted {
  readonly receiptJws: string;
  readonly duplicate: boolean;
}

export async function acceptMessage(fed: Federation, jws: string, peer: TlsPeer): Promise<Accepted> {
  const ctx = fed.app;
  let claimed: Partial<Message['envelope']> = {};
  try {
    const tlsPeer = await identifyPeer(fed, peer);
    const now = ctx.clock.now();
    const { message } = await verifySigned(fed, jws, MESSAGE_JWS_TYPE, {
      party: tlsPeer.party,
      at: (m) => new Date(m.envelope.createdAt),
    });
    claimed = message.envelope;
    const type = message.envelope.type;
    if (!isMessageType(type) || type === 'receipt')
      throw new EixError('message.type', { field: 'envelope.type', type }, `Неизвестный тип сообщения: ${type}`);
    const problems = checkSchema(messageSchema(type), message);
    if (problems.length > 0)
      throw new EixError(
        'message.schema',
        { field: problems[0]!.path, problems },
        `Сообщение «${MESSAGE_TYPES[type].title}»: ${problems[0]!.path}: ${problems[0]!.message}`,
      );
    const { to, from } = message.envelope;
    const body =
      to.party === ctx.party
        ? await ctx.db.selectFrom('bodies').select('id').where('id', '=', to.body).executeTakeFirst()
        : undefined;
    if (!body) throw new EixError('message.recipient', { to });
    // Identical bytes already accepted: the original receipt, whatever the clock
    // says now (a resend after a lost receipt must not turn into a refusal).
    const digest = sha256Hex(jws);
    const seen = await ctx.db
      .selectFrom('inbox')
      .select(['receipt'])
      .where('message_id', '=', message.envelope.id)
      .executeTakeFirst();
    if (seen) {
      const r = seen.receipt as { jws: string; messageSha256: string };
      if (r.messageSha256 !== digest) throw new EixError('message.replay', { messageId: message.envelope.id });
      return { receiptJws: r.jws, duplicate: true };
    }
    const age = now.getTime() - Date.parse(message.envelope.createdAt);
    if (-age > fed.clockSkewMs || age > fed.maxMessageAgeMs) {
      throw new EixError('message.clock', { ageMs: age, toleranceMs: fed.clockSkewMs, maxAgeMs: fed.maxMessageAgeMs });
    }
    // R-pair for new requests and node-level queries; requests already received
    // are still answered after a withdrawal takes effect (R24).
    if (type === 'request' || type === 'protection_query') {
      const pair = canSend(ctx.treaty(), { from: from.party, to: ctx.party, date: localDate(now, 'UTC') });
      if (!pair.allowed) throw new EixError('registry.pair', { code: pair.code }, pair.reason);
    }
    const extra = await dispatch(fed, type, message, now);
    const receipt: Message = {
      envelope: {
        id: randomUUID(),
        type: 'receipt',
        schemaVersion: 1,
        from: to,
        to: from,
        inReplyTo: message.envelope.id,
        createdAt: now.toISOString(),
      },
      body: { messageId: message.envelope.id, receivedAt: now.toISOString(), messageSha256: digest, ...extra },
    };
    const receiptJws = await fed.signer.sign(to.body, canonicalBytes(receipt), RECEIPT_JWS_TYPE);
    await ctx.db
      .insertInto('inbox')
      .values({
        message_id: message.envelope.id,
        from_party: from.party,
        from_body: from.body,
        type,
        payload_enc: ctx.sealer.encrypt(Buffer.from(jws), `inbox:${message.envelope.id}`),
        key_id: ctx.sealer.activeKeyId,
        receipt: JSON.stringify({ jws: receiptJws, messageSha256: digest }),
        processed_at: now,
      })
      .onConflict((oc) => oc.column('message_id').doNothing())
      .execute();
    return { receiptJws, duplicate: false };
  } catch (e) {
    const err = toEixError(e);
    // Nothing of a rejected message is stored but this trace.
    await ctx.db
      .transaction()
      .execute((tx) =>
        appendAudit(tx, ctx, FEDERATION, {
          action: 'federation.rejected',
          bodyId: null,
          subject: claimed.id ?? null,
          details: { code: err.code, type: claimed.type ?? null, from: claimed.from ?? null },
        }),
      )
      .catch(() => undefined);
    throw err;
  }
}

/** Runs the use case for an accepted message; returns what the receipt adds (the deadline of a request). */
async function dispatch(fed: Federation, type: MessageType, m: Message, now: Date): Promise<Record<string, unknown>> {
  const ctx = fed.app;
  const env = m.envelope;
  const body = m.body as Record<string, unknown>;
  const inReplyTo = env.inReplyTo ?? '';
  switch (type) {
    case 'request': {
      const r = await receiveRequest(ctx, FEDERATION, {
        messageId: env.id,
        fromBody: {
          id: env.from.body,
          party: env.from.party,
          name: String((body.request as { requestingBody?: { name?: string } }).requestingBody?.name ?? env.from.body),
        },
        toBodyId: env.to.body,
        receivedAt: now.toISOString(),
        document: body.request,
      });
      return { deadline: r.deadline, deadlineBasis: r.basis };
    }
    case 'answer_partial':
    case 'answer_final':
      await receiveAnswer(ctx, FEDERATION, {
        messageId: env.id,
        requestMessageId: inReplyTo,
        final: type === 'answer_final',
        items: body.items,
      });
      return {};
    case 'consent_answer':
      await recordDisclosureConsent(ctx, FEDERATION, { consentId: body.consentId, granted: body.granted });
      return {};
    case 'protection_query': {
      // R9.5: answered from the node's configuration.
      const s = await getProtectionStatement(ctx);
      await ctx.db
        .insertInto('outbox')
        .values({
          message_id: randomUUID(),
          request_id: null,
          type: 'protection_answer',
          to_party: env.from.party,
          to_body: env.from.body,
          payload: JSON.stringify({
            measures: s?.measures ?? 'Сведения о мерах защиты не указаны',
            retention: s?.retention ?? 'Сроки хранения не указаны',
            ...(s?.contact ? { contact: s.contact } : {}),
            // R9.5: the answer names the query (the asker binds it) and comes from the body asked.
            inReplyTo: env.id,
            fromBody: env.to.body,
          }),
          last_error: null,
          delivered_at: null,
        })
        .execute();
      return {};
    }
    case 'protection_answer':
      // R9.5: fills in the query this node sent (refused when there is none open to that Party).
      await ctx.db.transaction().execute((tx) =>
        recordProtectionAnswer(tx, ctx, {
          queryId: inReplyTo,
          fromParty: env.from.party,
          measures: String(body.measures),
          retention: String(body.retention),
          ...(typeof body.contact === 'string' ? { contact: body.contact } : {}),
          receivedAt: now,
          messageId: env.id,
        }),
      );
      return {};
    case 'consent_request':
      // R9.2, providing side: an open consent request for the officer of the request's body.
      await ctx.db.transaction().execute(async (tx) => {
        const request = await tx
          .selectFrom('requests')
          .selectAll()
          .where('message_id', '=', inReplyTo)
          .where('direction', '=', 'incoming')
          .forUpdate()
          .executeTakeFirst();
        if (!request) throw new EixError('message.context', { field: 'inReplyTo', id: inReplyTo });
        await recordConsentRequest(tx, ctx, {
          request,
          messageId: env.id,
          consentId: String(body.consentId),
          recipient: String(body.recipient),
          purpose: String(body.purpose),
          receivedAt: now,
        });
      });
      return {};
    default: {
      const by =
        MESSAGE_TYPES[type].from === 'requesting'
          ? 'requesting'
          : MESSAGE_TYPES[type].from === 'requested'
            ? 'requested'
            : await sideOfConsult(fed, inReplyTo);
      await applyRemoteStep(ctx, FEDERATION, {
        messageId: env.id,
        requestMessageId: inReplyTo,
        by,
        event: type === 'refusal' ? 'refuse' : type,
        data: body,
      });
      return {};
    }
  }
}

/** A consultation may come from either side: the side is the one of the row we hold. */
async function sideOfConsult(fed: Federation, requestMessageId: string): Promise<'requesting' | 'requested'> {
  const row = await fed.app.db
    .selectFrom('requests')
    .select('direction')
    .where('message_id', '=', requestMessageId)
    .executeTakeFirst();
  if (!row) throw new EixError('message.context', { field: 'inReplyTo', id: requestMessageId });
  return row.direction === 'outgoing' ? 'requested' : 'requesting';
}
