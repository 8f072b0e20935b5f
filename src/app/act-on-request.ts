// The workflow steps that carry a short text or a date (R12.c, R13.c, R14,
// R15, R16, withdrawal): each checked against its own schema and the state
// machine, recorded in the history and, where the other Party must know,
// queued as a message in the same transaction.
import Type, { type TSchema } from 'typebox';
import { compareDates } from '../domain/dates.js';
import { EixError } from '../domain/errors.js';
import { MESSAGE_TYPES, STEP_MESSAGE_TYPES, type StepMessageType } from '../domain/messages.js';
import { senselessReason } from '../domain/request-actions.js';
import { EVENT_ACTORS, TRANSITIONS, type RequestState, type WorkflowEvent } from '../domain/workflow.js';
import { requireRole } from './authorize.js';
import type { Actor, AppContext } from './context.js';
import { parseInput } from './input.js';
import { applyEvent, bodyToday, enqueue, loadRequest } from './request-record.js';

/** Step messages an officer sends with this use case; a refusal has its own (refuse-request.ts). */
type SentStep = Exclude<StepMessageType, 'refusal'>;

/**
 * Each step: its data, and whether it travels to the other Party. The data of
 * a step that travels is exactly its message body (the catalogue's schema).
 */
const STEPS: Readonly<Record<'take_into_work' | SentStep, { data: TSchema; message: SentStep | null }>> = {
  take_into_work: { data: Type.Object({}, { additionalProperties: false }), message: null },
  ...(Object.fromEntries(
    STEP_MESSAGE_TYPES.filter((t): t is SentStep => t !== 'refusal').map((t) => [
      t,
      { data: MESSAGE_TYPES[t].body, message: t },
    ]),
  ) as unknown as Record<SentStep, { data: TSchema; message: SentStep }>),
};

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

/** Field names for error messages, from the catalogue's form labels. */
const FIELDS: Record<string, string> = Object.fromEntries(
  STEP_MESSAGE_TYPES.flatMap((t) =>
    Object.entries(MESSAGE_TYPES[t].form.fields).map(([k, f]) => [`data.${k}`, f.label.toLowerCase()]),
  ),
);

const SENSELESS_RU: Readonly<Record<string, string>> = {
  'RA.1':
    'Запрос не требует сохранения конфиденциальности или уведомление о невозможности её сохранить уже направлено (статья 16)',
  'RA.2': 'Дополнительная информация по этому запросу не запрашивалась или уже представлена (статья 14)',
  'RA.3': 'Условия исполнения не предлагались или решение по ним уже принято (статья 15)',
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
    // Issue 14, item 4: a step that makes no sense on this request is refused, as the page never offers it (RA.1–RA.3).
    const history = await tx
      .selectFrom('request_events')
      .select('event')
      .where('request_id', '=', row.id)
      .orderBy('id')
      .execute();
    // The state machine's own errors (wrong side, wrong state) come first (applyEvent below).
    const side = row.direction === 'outgoing' ? 'requesting' : 'requested';
    const allowed =
      EVENT_ACTORS[p.step as WorkflowEvent]?.includes(side) &&
      TRANSITIONS[row.state as RequestState][p.step as WorkflowEvent] !== undefined;
    const senseless =
      allowed &&
      senselessReason(p.step as WorkflowEvent, {
        state: row.state as RequestState,
        side,
        history,
        confidential: row.confidential,
        central: true, // RA.4: forwarding has its own use case, which checks the role
        receiptProblems: false,
      });
    if (senseless)
      throw new EixError(
        'workflow.transition',
        { state: row.state, event: p.step, rule: senseless },
        SENSELESS_RU[senseless] ?? 'Это действие не имеет смысла для этого запроса',
      );
    const patch: { delay_until?: string } = {};
    if (p.step === 'notify_delay') {
      // R12.c: the new expected date lies after today and after the current deadline.
      const newDate = String(data.newDate);
      // Today is the requested body's local day; the deadline is always the R12.a term.
      const floor = [await bodyToday(tx, ctx, row.body_id), row.deadline ?? ''].sort(compareDates).at(-1)!;
      if (compareDates(newDate, floor) <= 0)
        throw new EixError('input.invalid', { field: 'data.newDate' }, `Новый срок должен быть позже ${floor}`);
      patch.delay_until = newDate;
    }
    const { state, eventId } = await applyEvent(tx, ctx, o, row, p.step as WorkflowEvent, data, patch);
    const messageId =
      step.message && row.message_id ? await enqueue(tx, ctx, row, step.message, { requestId: row.id, eventId }) : null;
    return { id: row.id, state, messageId };
  });
}
