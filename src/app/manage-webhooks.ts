// Issue 17 item 1: webhooks an administrator registers for a body of the node
// (docs/EVENTS.md). The secret is made here, sealed with the node data key and
// returned once; a new subscription starts at the newest event (it is told of
// what happens from now on — the pull feed serves the past). Disabling keeps
// the place: enabled again, the subscription gets what happened meanwhile.
// Creating, enabling, disabling, deleting and retrying are audited.
import { randomUUID } from 'node:crypto';
import Type from 'typebox';
import { newWebhookSecret } from '../adapters/webhooks/signature.js';
import { EVENT_KINDS, type EventKind } from '../domain/events.js';
import { EixError } from '../domain/errors.js';
import { webhookUrlProblem } from '../domain/webhooks.js';
import { appendAudit } from './audit.js';
import { requireAdmin } from './authorize.js';
import type { Actor, AppContext } from './context.js';
import { parseInput } from './input.js';
import type { Tx } from '../ports/store.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const CreateWebhookInput = Type.Object(
  {
    bodyId: Type.String({ minLength: 1, maxLength: 64 }),
    url: Type.String({ minLength: 1, maxLength: 2000 }),
    /** The event kinds sent; all when absent or empty. */
    kinds: Type.Optional(Type.Array(Type.Union(EVENT_KINDS.map((k) => Type.Literal(k))), { maxItems: 20 })),
  },
  { additionalProperties: false },
);

export interface WebhookSummary {
  readonly id: string;
  readonly bodyId: string;
  readonly bodyName: string;
  readonly url: string;
  /** null: every kind. */
  readonly kinds: readonly EventKind[] | null;
  readonly enabled: boolean;
  readonly createdAt: Date;
  readonly pending: number;
  readonly failed: number;
  readonly lastDeliveredAt: Date | null;
}

export interface WebhookDelivery {
  readonly id: string;
  readonly eventId: string;
  readonly eventKind: EventKind;
  readonly occurredAt: Date;
  readonly status: 'pending' | 'sending' | 'delivered' | 'failed';
  readonly attempts: number;
  readonly nextAttemptAt: Date;
  readonly lastAttemptAt: Date | null;
  readonly lastError: string | null;
  readonly deliveredAt: Date | null;
  readonly createdAt: Date;
}

/** The AAD of a subscription's sealed secret (also read by key rotation, sealed-columns.ts). */
export const webhookSecretAad = (id: string) => `webhook:${id}`;
const aad = webhookSecretAad;

export async function createWebhook(
  ctx: AppContext,
  actor: Actor,
  input: unknown,
): Promise<{ id: string; secret: string; bodyId: string; url: string; kinds: readonly EventKind[] | null }> {
  requireAdmin(actor);
  const p = parseInput(CreateWebhookInput, input, { bodyId: 'орган', url: 'адрес', kinds: 'события' });
  const url = p.url.trim();
  const problem = webhookUrlProblem(url);
  if (problem) throw new EixError('input.invalid', { field: 'url' }, `Адрес: ${problem}`);
  const kinds = p.kinds && p.kinds.length > 0 ? [...new Set(p.kinds)] : null;
  const id = randomUUID();
  const secret = newWebhookSecret();
  await ctx.db.transaction().execute(async (tx) => {
    const body = await tx.selectFrom('bodies').select(['id', 'party']).where('id', '=', p.bodyId).executeTakeFirst();
    if (!body || body.party !== ctx.party)
      throw new EixError('input.invalid', { field: 'bodyId' }, 'Орган: такого органа на узле нет');
    // The audit lock (taken by appendAudit below, first here) orders this read after every committed event.
    await appendAudit(tx, ctx, actor, {
      action: 'webhook.create',
      bodyId: body.id,
      subject: id,
      details: { url, kinds: kinds ?? 'all' },
    });
    const newest = await tx
      .selectFrom('events')
      .select((eb) => eb.fn.max('id').as('max'))
      .executeTakeFirst();
    await tx
      .insertInto('webhook_subscriptions')
      .values({
        id,
        body_id: body.id,
        url,
        kinds,
        secret_enc: ctx.sealer.encrypt(Buffer.from(secret, 'utf8'), aad(id)),
        secret_key_id: ctx.sealer.activeKeyId,
        cursor: String(newest?.max ?? 0),
        created_at: ctx.clock.now(),
        created_by: actor.kind === 'officer' ? actor.officerId : null,
      })
      .execute();
  });
  return { id, secret, bodyId: p.bodyId, url, kinds };
}

/** The subscription's secret (the worker signs with it). */
export function webhookSecret(ctx: AppContext, row: { id: string; secret_enc: Uint8Array }): string {
  return ctx.sealer.decrypt(row.secret_enc, aad(row.id)).toString('utf8');
}

export async function listWebhooks(ctx: AppContext, actor: Actor): Promise<WebhookSummary[]> {
  requireAdmin(actor);
  const rows = await ctx.db
    .selectFrom('webhook_subscriptions as s')
    .innerJoin('bodies as b', 'b.id', 's.body_id')
    .select([
      's.id',
      's.body_id',
      'b.name as body_name',
      's.url',
      's.kinds',
      's.enabled',
      's.created_at',
      (eb) =>
        eb
          .selectFrom('webhook_deliveries as d')
          .select((e) => e.fn.countAll<string>().as('n'))
          .whereRef('d.subscription_id', '=', 's.id')
          .where('d.status', 'in', ['pending', 'sending'])
          .as('pending'),
      (eb) =>
        eb
          .selectFrom('webhook_deliveries as d')
          .select((e) => e.fn.countAll<string>().as('n'))
          .whereRef('d.subscription_id', '=', 's.id')
          .where('d.status', '=', 'failed')
          .as('failed'),
      (eb) =>
        eb
          .selectFrom('webhook_deliveries as d')
          .select((e) => e.fn.max('d.delivered_at').as('m'))
          .whereRef('d.subscription_id', '=', 's.id')
          .as('last_delivered_at'),
    ])
    .orderBy('s.created_at')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    bodyId: r.body_id,
    bodyName: r.body_name,
    url: r.url,
    kinds: r.kinds,
    enabled: r.enabled,
    createdAt: new Date(r.created_at),
    pending: Number(r.pending ?? 0),
    failed: Number(r.failed ?? 0),
    lastDeliveredAt: r.last_delivered_at ? new Date(r.last_delivered_at) : null,
  }));
}

export async function getWebhook(
  ctx: AppContext,
  actor: Actor,
  id: string,
  limit = 50,
): Promise<{ webhook: WebhookSummary; deliveries: WebhookDelivery[] }> {
  requireAdmin(actor);
  const webhook = (await listWebhooks(ctx, actor)).find((w) => w.id === id);
  if (!webhook) throw new EixError('webhook.not_found', { id });
  const rows = await ctx.db
    .selectFrom('webhook_deliveries as d')
    .innerJoin('events as e', 'e.id', 'd.event_id')
    .select([
      'd.id',
      'd.event_id',
      'e.kind',
      'e.occurred_at',
      'd.status',
      'd.attempts',
      'd.next_attempt_at',
      'd.last_attempt_at',
      'd.last_error',
      'd.delivered_at',
      'd.created_at',
    ])
    .where('d.subscription_id', '=', id)
    // Failures first (what the administrator acts on), then the newest.
    .orderBy((eb) => eb.case().when('d.status', '=', 'failed').then(0).else(1).end())
    .orderBy('d.id', 'desc')
    .limit(limit)
    .execute();
  return {
    webhook,
    deliveries: rows.map((r) => ({
      id: String(r.id),
      eventId: String(r.event_id),
      eventKind: r.kind,
      occurredAt: new Date(r.occurred_at),
      status: r.status,
      attempts: r.attempts,
      nextAttemptAt: new Date(r.next_attempt_at),
      lastAttemptAt: r.last_attempt_at ? new Date(r.last_attempt_at) : null,
      lastError: r.last_error,
      deliveredAt: r.delivered_at ? new Date(r.delivered_at) : null,
      createdAt: new Date(r.created_at),
    })),
  };
}

async function lockSubscription(tx: Tx, id: string) {
  const row = UUID.test(id)
    ? await tx
        .selectFrom('webhook_subscriptions')
        .select(['id', 'body_id', 'url', 'enabled'])
        .where('id', '=', id)
        .forUpdate()
        .executeTakeFirst()
    : undefined;
  if (!row) throw new EixError('webhook.not_found', { id });
  return row;
}

export async function setWebhookEnabled(
  ctx: AppContext,
  actor: Actor,
  id: string,
  enabled: unknown,
): Promise<{ id: string; enabled: boolean }> {
  requireAdmin(actor);
  // Who may, before what: an officer learns nothing about the input of a route he may not use.
  if (typeof enabled !== 'boolean')
    throw new EixError('input.invalid', { field: 'enabled' }, 'enabled: укажите true или false');
  return ctx.db.transaction().execute(async (tx) => {
    const row = await lockSubscription(tx, id);
    if (row.enabled === enabled) return { id, enabled };
    await tx.updateTable('webhook_subscriptions').set({ enabled }).where('id', '=', id).execute();
    await appendAudit(tx, ctx, actor, {
      action: enabled ? 'webhook.enable' : 'webhook.disable',
      bodyId: row.body_id,
      subject: id,
      details: { url: row.url },
    });
    return { id, enabled };
  });
}

export async function deleteWebhook(ctx: AppContext, actor: Actor, id: string): Promise<{ id: string }> {
  requireAdmin(actor);
  return ctx.db.transaction().execute(async (tx) => {
    const row = await lockSubscription(tx, id);
    await tx.deleteFrom('webhook_subscriptions').where('id', '=', id).execute();
    await appendAudit(tx, ctx, actor, {
      action: 'webhook.delete',
      bodyId: row.body_id,
      subject: id,
      details: { url: row.url },
    });
    return { id };
  });
}

/** A failed (or waiting) delivery is due now, with a fresh retry period. */
export async function retryWebhookDelivery(
  ctx: AppContext,
  actor: Actor,
  subscriptionId: string,
  deliveryId: string,
): Promise<{ id: string }> {
  requireAdmin(actor);
  return ctx.db.transaction().execute(async (tx) => {
    const sub = await lockSubscription(tx, subscriptionId);
    const now = ctx.clock.now();
    const r = /^\d{1,18}$/.test(deliveryId)
      ? await tx
          .updateTable('webhook_deliveries')
          .set({ status: 'pending', next_attempt_at: now, created_at: now, attempts: 0 })
          .where('id', '=', deliveryId)
          .where('subscription_id', '=', subscriptionId)
          .where('status', 'in', ['failed', 'pending'])
          .returning('event_id')
          .executeTakeFirst()
      : undefined;
    if (!r) throw new EixError('webhook.not_found', { id: deliveryId });
    await appendAudit(tx, ctx, actor, {
      action: 'webhook.retry',
      bodyId: sub.body_id,
      subject: subscriptionId,
      details: { eventId: String(r.event_id) },
    });
    return { id: deliveryId };
  });
}
