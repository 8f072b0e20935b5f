// Registers one of the node's own bodies (central, territorial …): admin only.
import Type, { type Static } from 'typebox';
import { EixError } from '../domain/errors.js';
import { checkSchema } from '../domain/problems.js';
import { appendAudit } from './audit.js';
import { requireAdmin } from './authorize.js';
import type { Actor, AppContext } from './context.js';

export const BODY_ID_PATTERN = '^[a-z0-9][a-z0-9-]{1,62}$';

export const AddBodyInput = Type.Object(
  {
    id: Type.String({ pattern: BODY_ID_PATTERN }),
    name: Type.String({ minLength: 1, maxLength: 500, pattern: '\\S' }),
    kind: Type.Enum(['central', 'territorial', 'other']),
    parentId: Type.Optional(Type.String({ pattern: BODY_ID_PATTERN })),
    timeZone: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    /** Letterhead of printed forms (R10.a): postal address, telephone, e-mail. */
    address: Type.Optional(Type.String({ minLength: 1, maxLength: 500, pattern: '\\S' })),
    phone: Type.Optional(Type.String({ minLength: 1, maxLength: 100, pattern: '\\S' })),
    email: Type.Optional(Type.String({ minLength: 3, maxLength: 254, pattern: '^[^\\s@]+@[^\\s@]+$' })),
  },
  { additionalProperties: false },
);
export type AddBodyInput = Static<typeof AddBodyInput>;

const LABELS = {
  id: 'идентификатор органа',
  name: 'наименование органа',
  kind: 'вид органа',
  parentId: 'вышестоящий орган',
  timeZone: 'часовой пояс',
  address: 'адрес органа',
  phone: 'телефон органа',
  email: 'электронная почта органа',
};

export interface BodyView {
  readonly id: string;
  readonly party: string;
  readonly name: string;
  readonly kind: 'central' | 'territorial' | 'other';
  readonly parentId: string | null;
  readonly timeZone: string | null;
  /** Letterhead of printed forms (R10.a). */
  readonly address: string | null;
  readonly phone: string | null;
  readonly email: string | null;
  readonly createdAt: string;
}

export function toBodyView(r: {
  id: string;
  party: string;
  name: string;
  kind: BodyView['kind'];
  parent_id: string | null;
  time_zone: string | null;
  address: string | null;
  phone: string | null;
  email: string | null;
  created_at: Date;
}): BodyView {
  return {
    id: r.id,
    party: r.party,
    name: r.name,
    kind: r.kind,
    parentId: r.parent_id,
    timeZone: r.time_zone,
    address: r.address,
    phone: r.phone,
    email: r.email,
    createdAt: r.created_at.toISOString(),
  };
}

/** Checks the input without touching the store (also used by `eix node init` before it writes anything). */
export function parseAddBodyInput(input: unknown): AddBodyInput {
  const problems = checkSchema(AddBodyInput, input, LABELS);
  const first = problems[0];
  if (first) {
    const message =
      (first.path === 'id' || first.path === 'parentId') && first.code === 'schema.pattern'
        ? `${first.path}: идентификатор органа — от 2 до 63 символов: строчные латинские буквы, цифры, дефис (например, ru-central)`
        : `${first.path}: ${first.message}`;
    throw new EixError('input.invalid', { field: first.path, problems }, message);
  }
  const value = input as AddBodyInput;
  if (value.timeZone !== undefined) {
    try {
      new Intl.DateTimeFormat('en', { timeZone: value.timeZone });
    } catch {
      throw new EixError(
        'input.invalid',
        { field: 'timeZone', value: value.timeZone },
        `timeZone: неизвестный часовой пояс ${value.timeZone} (ожидается имя IANA, например Europe/Moscow)`,
      );
    }
  }
  return value;
}

export async function addBody(ctx: AppContext, actor: Actor, input: unknown): Promise<BodyView> {
  requireAdmin(actor);
  const v = parseAddBodyInput(input);
  try {
    return await ctx.db.transaction().execute(async (tx) => {
      if (v.parentId !== undefined) {
        const parent = await tx
          .selectFrom('bodies')
          .select(['id', 'party'])
          .where('id', '=', v.parentId)
          .executeTakeFirst();
        if (!parent || parent.party !== ctx.party) {
          throw new EixError(
            'body.not_found',
            { field: 'parentId', id: v.parentId },
            `parentId: вышестоящий орган ${v.parentId} не найден среди органов Стороны ${ctx.party}`,
          );
        }
      }
      const row = await tx
        .insertInto('bodies')
        .values({
          id: v.id,
          party: ctx.party,
          name: v.name.trim(),
          kind: v.kind,
          parent_id: v.parentId ?? null,
          time_zone: v.timeZone ?? null,
          address: v.address?.trim() ?? null,
          phone: v.phone?.trim() ?? null,
          email: v.email?.trim() ?? null,
          created_at: ctx.clock.now(),
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      await appendAudit(tx, ctx, actor, {
        action: 'body.add',
        bodyId: row.id,
        subject: row.id,
        details: { name: row.name, kind: row.kind, parentId: row.parent_id, timeZone: row.time_zone },
      });
      // Issue 15.1: the body's signing key is made here, in the node home, with the CSR for the Party CA;
      // a failure to write them leaves no body behind.
      if (ctx.seals) await ctx.seals.request({ party: row.party, id: row.id, name: row.name });
      return toBodyView(row);
    });
  } catch (e) {
    if ((e as { code?: unknown }).code === '23505')
      throw new EixError('body.exists', { field: 'id', id: v.id }, `id: орган ${v.id} уже существует`);
    throw e;
  }
}
