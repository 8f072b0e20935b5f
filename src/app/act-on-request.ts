// The workflow steps that carry a short text or a date (R12.c, R13.c, R14,
// R15, R16, withdrawal): each checked against its own schema and the state
// machine, recorded in the history and, where the other Party must know,
// queued as a message in the same transaction.
import Type, { type TSchema } from 'typebox';
import { localDate, compareDates } from '../domain/dates.js';
import { EixError } from '../domain/errors.js';
import type { WorkflowEvent } from '../domain/workflow.js';
import { requireRole } from './authorize.js';
import type { Actor, AppContext } from './context.js';
import { parseInput } from './input.js';
import { applyEvent, enqueue, loadRequest } from './request-record.js';

const Text = Type.String({ minLength: 1, maxLength: 10_000 });
const DateStr = Type.String({ format: 'date' });

/** Each step: its data, and whether it travels to the other Party. */
const STEPS = {
  take_into_work: { data: Type.Object({}, { additionalProperties: false }), message: false },
  consult: { data: Type.Object({ text: Text }, { additionalProperties: false }), message: true }, // R13.c, R15
  request_additional_info: { data: Type.Object({ questions: Text }, { additionalProperties: false }), message: true }, // R14
  reply_additional_info: { data: Type.Object({ text: Text }, { additionalProperties: false }), message: true }, // R14
  notify_delay: {
    data: Type.Object({ newDate: DateStr, reason: Text }, { additionalProperties: false }),
    message: true,
  }, // R12.c
  postpone: {
    data: Type.Object({ reason: Text, until: Type.Optional(DateStr) }, { additionalProperties: false }),
    message: true,
  }, // R15
  propose_conditions: { data: Type.Object({ conditions: Text }, { additionalProperties: false }), message: true }, // R15
  accept_conditions: {
    data: Type.Object({ note: Type.Optional(Text) }, { additionalProperties: false }),
    message: true,
  }, // R15
  reject_conditions: {
    data: Type.Object({ note: Type.Optional(Text) }, { additionalProperties: false }),
    message: true,
  }, // R15
  resume: { data: Type.Object({ note: Type.Optional(Text) }, { additionalProperties: false }), message: true },
  notify_confidentiality_impossible: {
    data: Type.Object({ reason: Text }, { additionalProperties: false }),
    message: true,
  }, // R16
  continue_without_confidentiality: {
    data: Type.Object({ note: Type.Optional(Text) }, { additionalProperties: false }),
    message: true,
  }, // R16
  withdraw: { data: Type.Object({ reason: Text }, { additionalProperties: false }), message: true }, // R15, R24
} satisfies Partial<Record<WorkflowEvent, { data: TSchema; message: boolean }>>;

export type RequestStep = keyof typeof STEPS;
export const REQUEST_STEPS = Object.keys(STEPS) as RequestStep[];

export const ActOnRequestInput = Type.Object(
  {
    requestId: Type.String({ format: 'uuid' }),
    step: Type.Enum(REQUEST_STEPS),
    version: Type.Optional(Type.Integer({ minimum: 0 })),
    data: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  },
  { additionalProperties: false },
);

const FIELDS: Record<string, string> = {
  'data.text': 'текст',
  'data.questions': 'вопросы (какая дополнительная информация нужна)',
  'data.newDate': 'новый ожидаемый срок',
  'data.reason': 'причина',
  'data.until': 'срок отсрочки',
  'data.conditions': 'условия исполнения',
  'data.note': 'примечание',
};

export async function actOnRequest(
  ctx: AppContext,
  actor: Actor,
  input: unknown,
): Promise<{ id: string; state: string; messageId: string | null }> {
  const o = requireRole(actor, 'officer', 'supervisor');
  const p = parseInput(ActOnRequestInput, input);
  const step = STEPS[p.step as RequestStep];
  const data = parseInput(Type.Object({ data: step.data }), { data: p.data ?? {} }, FIELDS).data as Record<
    string,
    unknown
  >;
  return ctx.db.transaction().execute(async (tx) => {
    const row = await loadRequest(tx, o, p.requestId, { act: true });
    if (p.version !== undefined && p.version !== row.version)
      throw new EixError('request.conflict', { requestId: row.id, version: row.version });
    const patch: { delay_until?: string } = {};
    if (p.step === 'notify_delay') {
      // R12.c: the new expected date lies after today and after the current deadline.
      const newDate = String(data.newDate);
      const floor = [localDate(ctx.clock.now(), 'UTC'), row.deadline ?? ''].sort(compareDates).at(-1)!;
      if (compareDates(newDate, floor) <= 0)
        throw new EixError('input.invalid', { field: 'data.newDate' }, `Новый срок должен быть позже ${floor}`);
      patch.delay_until = newDate;
    }
    const { state, eventId } = await applyEvent(tx, ctx, o, row, p.step as WorkflowEvent, data, patch);
    const messageId =
      step.message && row.message_id ? await enqueue(tx, row, p.step, { requestId: row.id, eventId }) : null;
    return { id: row.id, state, messageId };
  });
}
