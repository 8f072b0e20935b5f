// One request as its officer sees it: the document, the history, the answers,
// the deadline and the actions the state machine allows. Reading received
// personal data (an incoming request, answers from the other Party) writes an
// audit entry tied to the request (R9.1).
import { classifyOverdue, requestedEarlier } from '../domain/calendar.js';
import type { ReceiptCheck } from '../domain/receiving.js';
import type { Request } from '../domain/request.js';
import {
  PAPER_DOCUMENTS,
  paperDocuments,
  paperMovementFor,
  type PaperDocument,
  type PaperMovement,
} from '../domain/paper-original.js';
import { requestActions } from '../domain/request-actions.js';
import { confidentialityPending, isOpen, type RequestState, type WorkflowEvent } from '../domain/workflow.js';
import { appendAudit } from './audit.js';
import { failureText, readAnswerDraft, type DraftStatus, type StoredDraft } from './answer-draft-record.js';
import { canActForBody } from './authorize.js';
import type { Actor, AppContext } from './context.js';
import { consentDetailsAad, type ConsentDetails } from './record-consent-request.js';
import { bodyToday, declarationPartiesFor, loadRequest, sideOf, type Side } from './request-record.js';

export interface AnswerView {
  id: string;
  itemNo: number;
  outcome: string;
  final: boolean;
  data: unknown;
  purged: boolean;
  attachments: { sha256: string; fileName: string; mediaType: string; size: number }[];
  createdAt: string;
}

export interface RequestView {
  id: string;
  number: string;
  direction: 'incoming' | 'outgoing';
  side: Side;
  state: RequestState;
  version: number;
  bodyId: string;
  proceedingId: string | null;
  counterpartBody: { id: string; party: string; name: string };
  confidential: boolean;
  messageId: string | null;
  receivedAt: string | null;
  receivedOn: string | null;
  deadline: string | null;
  deadlineBasis: string | null;
  /** R12.b: «просят исполнить до», the requesting body's wish; never the deadline. */
  requestedBy: string | null;
  /** The wish is earlier than the deadline («просили раньше»). */
  requestedEarlier: boolean;
  delayUntil: string | null;
  overdue: ReturnType<typeof classifyOverdue> | null;
  document: Request;
  items: { itemNo: number; kind: string; provisions: string[] }[];
  events: {
    id: string;
    event: string;
    side: string;
    officerId: string | null;
    /** The full name of this node's officer who caused the event (null: the other Party or the node itself). */
    officerName: string | null;
    data: Record<string, unknown>;
    at: string;
  }[];
  answers: AnswerView[];
  /** R10.a: paper originals of the request, the answer and the refusal: dispatched by their maker, arrived at the other side. */
  paperOriginals: {
    document: PaperDocument;
    movement: PaperMovement;
    datedOn: string;
    means: string;
    tracking: string | null;
  }[];
  /** R10.a: what this side may record now — the dispatch of its own documents, the arrival of the other side's. */
  paperToRecord: { document: PaperDocument; movement: PaperMovement }[];
  /** R16: the requesting body has been told confidentiality cannot be kept and has not decided yet. */
  confidentialityPending: boolean;
  /** R13.d: Parties whose Article 25 declaration covers this request (a refusal on a declaration names one of them). */
  declarationParties: string[];
  /** R9.2: consents asked of the providing Party for disclosure to third parties. */
  consents: {
    id: string;
    recipient: string;
    purpose: string;
    status: string;
    requestedAt: string;
    /** When the providing Party's answer was recorded here. */
    decidedAt: string | null;
  }[];
  /** R9.2, providing side: the requesting Party's consent requests about this incoming request. */
  consentRequests: {
    consentId: string;
    recipient: string;
    purpose: string;
    receivedAt: string;
    status: 'requested' | 'granted' | 'refused';
    decidedAt: string | null;
    /** R9.6: the third party and purpose were destroyed after the retention period. */
    purged: boolean;
  }[];
  /** Messages of this request to the other Party: delivered, pending (delayed, with the last error) or failed. */
  delivery: {
    messageId: string;
    type: string;
    status: string;
    attempts: number;
    lastError: string | null;
    nextAttemptAt: string;
    deliveredAt: string | null;
  }[];
  /** What makes sense now (issue 14, item 4; src/domain/request-actions.ts): `primary` then `other`. */
  actions: WorkflowEvent[];
  /** The actor may act for the body holding the request (steps, a retry of a delivery). */
  mayAct: boolean;
  /** The two or three actions that fit the state and the officer's role (RA.6). */
  primaryActions: WorkflowEvent[];
  /** The rest, under «Другие действия». */
  otherActions: WorkflowEvent[];
  /** Incoming: what the check on receipt found — Article 11 elements missing, R13.d and R-KZ notices (null before it existed). */
  receiptCheck: ReceiptCheck | null;
  /** Outgoing: the other Party's body that executes the request after its forward (R18). */
  counterpartForwardedTo: string | null;
  /** R18: the latest forward — to which body (its name as the forwarding body gave it) and when; null: never. */
  forwardedTo: { name: string; at: string } | null;
  /** R9.2: the actor may grant or refuse this incoming request's consent requests (its body's officer). */
  mayDecideConsents: boolean;
  /**
   * R9.6: when data of this request was destroyed after its retention period
   * (the latest purge); null while nothing was. An incoming request's document
   * is then reduced to its number and the requesting body (`documentPurged`).
   */
  purgedAt: string | null;
  documentPurged: boolean;
  /** Issue 17.2: the draft answer from the domestic registries (incoming requests of a node with connectors), or null. */
  answerDraft: AnswerDraftView | null;
}

export interface AnswerDraftView {
  readonly status: DraftStatus;
  /** null while the registries are being asked. */
  readonly draft: StoredDraft | null;
  /** Nothing usable came back: which registry and why, in Russian (the officer answers by hand). */
  readonly failure: string | null;
}

export async function getRequest(ctx: AppContext, actor: Actor, id: string): Promise<RequestView> {
  return ctx.db.transaction().execute(async (tx) => {
    const row = await loadRequest(tx, actor, id, { act: false });
    const side = sideOf(row);
    // R9.6: a destroyed incoming document leaves its header only.
    const document: Request =
      row.direction === 'outgoing'
        ? (row.document as Request)
        : row.document_enc
          ? ctx.sealer.decryptJson<Request>(row.document_enc, `request:${row.id}`)
          : { number: row.number, requestingBody: row.counterpart_body };
    const items = await tx
      .selectFrom('request_items')
      .select(['item_no', 'kind', 'provisions'])
      .where('request_id', '=', row.id)
      .orderBy('item_no')
      .execute();
    const events = await tx
      .selectFrom('request_events')
      .selectAll()
      .where('request_id', '=', row.id)
      .orderBy('id')
      .execute();
    const officerIds = [...new Set(events.flatMap((e) => (e.officer_id ? [e.officer_id] : [])))];
    const officerNames = new Map(
      officerIds.length
        ? (await tx.selectFrom('officers').select(['id', 'full_name']).where('id', 'in', officerIds).execute()).map(
            (o) => [o.id, o.full_name],
          )
        : [],
    );
    const answerRows = await tx
      .selectFrom('answers')
      .selectAll()
      .where('request_id', '=', row.id)
      .orderBy('created_at')
      .orderBy('item_no')
      .execute();
    const links =
      answerRows.length === 0
        ? []
        : await tx
            .selectFrom('answer_attachments')
            .innerJoin('attachments', 'attachments.sha256', 'answer_attachments.sha256')
            .select([
              'answer_attachments.answer_id',
              'answer_attachments.file_name',
              'attachments.sha256',
              'attachments.media_type',
              'attachments.size',
            ])
            .where(
              'answer_attachments.answer_id',
              'in',
              answerRows.map((a) => a.id),
            )
            .execute();
    const answers: AnswerView[] = answerRows.map((a) => ({
      id: a.id,
      itemNo: a.item_no,
      outcome: a.outcome,
      final: a.final,
      purged: a.purged_at !== null,
      data: a.data_enc ? ctx.sealer.decryptJson(a.data_enc, `answer:${a.id}`) : null,
      attachments: links
        .filter((l) => l.answer_id === a.id)
        .map((l) => ({ sha256: l.sha256, fileName: l.file_name, mediaType: l.media_type, size: l.size })),
      createdAt: a.created_at.toISOString(),
    }));
    const openEvent = (e: (typeof events)[number]): Record<string, unknown> => {
      const d = e.data as Record<string, unknown>;
      if (typeof d.sealed !== 'string') return d;
      return {
        ...ctx.sealer.decryptJson<Record<string, unknown>>(
          Buffer.from(d.sealed, 'base64'),
          `event:${row.id}:${String(d.messageId)}`,
        ),
        messageId: d.messageId,
      };
    };
    const received = await tx
      .selectFrom('received_consents')
      .selectAll()
      .where('request_id', '=', row.id)
      .orderBy('received_at')
      .execute();
    // Issue 17.2: what the domestic registries drafted (data about the debtor, read with the request).
    const draftRecord =
      row.direction === 'incoming' &&
      isOpen(row.state as RequestState) &&
      actor.kind === 'officer' &&
      canActForBody(actor, row.body_id)
        ? await readAnswerDraft(tx, ctx, row.id)
        : null;
    const answerDraft: AnswerDraftView | null = draftRecord
      ? {
          ...draftRecord,
          failure: draftRecord.status === 'failed' && draftRecord.draft ? failureText(draftRecord.draft.items) : null,
        }
      : null;
    // R9.1: received personal data is read only with a trace.
    const receivedData =
      (row.direction === 'incoming' && row.document_enc !== null) ||
      answers.some((a) => a.data !== null) ||
      events.some((e) => typeof (e.data as Record<string, unknown>).sealed === 'string');
    if (receivedData) {
      await appendAudit(tx, ctx, actor, {
        action: 'personal_data.read',
        bodyId: row.body_id,
        requestId: row.id,
        subject: row.number,
        details: {
          parts: [
            ...(row.direction === 'incoming' && row.document_enc !== null ? ['request'] : []),
            ...(row.direction === 'outgoing' && answers.length ? ['answers'] : []),
            ...(events.some((e) => typeof (e.data as Record<string, unknown>).sealed === 'string') ? ['messages'] : []),
            ...(received.length ? ['consent_requests'] : []),
            ...(answerDraft?.draft ? ['answer_draft'] : []),
          ],
        },
      });
    }
    const consents = await tx
      .selectFrom('disclosure_consents')
      .selectAll()
      .where('request_id', '=', row.id)
      .orderBy('requested_at')
      .execute();
    const outbox = await tx
      .selectFrom('outbox')
      .select(['message_id', 'type', 'status', 'attempts', 'last_error', 'next_attempt_at', 'delivered_at'])
      .where('request_id', '=', row.id)
      .orderBy('id')
      .execute();
    const paper = await tx
      .selectFrom('paper_originals')
      .selectAll()
      .where('request_id', '=', row.id)
      .orderBy('recorded_at')
      .execute();
    const state = row.state as RequestState;
    const mayAct = actor.kind === 'system' || canActForBody(actor, row.body_id);
    const today = await bodyToday(tx, ctx, row.body_id);
    // RA.4 (R18): forwarding is offered to a central officer of the central body the incoming request sits with.
    const central =
      actor.kind === 'officer' &&
      actor.roles.includes('central') &&
      row.direction === 'incoming' &&
      actor.bodyId === row.body_id &&
      (await tx.selectFrom('bodies').select('kind').where('id', '=', row.body_id).executeTakeFirst())?.kind ===
        'central';
    // R15, R16 and the rules of sense (RA.*): the same rules decide the buttons as decide the step.
    const acts = mayAct
      ? requestActions({
          state,
          side,
          history: events,
          confidential: row.confidential,
          central,
          receiptProblems: row.direction === 'incoming' && (row.receipt_check?.problems.length ?? 0) > 0,
        })
      : { primary: [], other: [] };
    return {
      id: row.id,
      number: row.number,
      direction: row.direction,
      side,
      state,
      version: row.version,
      bodyId: row.body_id,
      proceedingId: row.proceeding_id,
      counterpartBody: row.counterpart_body,
      counterpartForwardedTo: row.counterpart_forwarded_to,
      forwardedTo: forwardedTo(events.map((e) => ({ event: e.event, at: e.at, data: openEvent(e) }))),
      receiptCheck: row.receipt_check,
      confidential: row.confidential,
      messageId: row.message_id,
      receivedAt: row.received_at?.toISOString() ?? null,
      receivedOn: row.received_on,
      deadline: row.deadline,
      deadlineBasis: row.deadline_basis,
      requestedBy: row.shorter_term,
      requestedEarlier: requestedEarlier(row.shorter_term, row.deadline),
      delayUntil: row.delay_until,
      overdue:
        row.direction === 'incoming' && row.deadline && isOpen(state)
          ? classifyOverdue(await ctx.calendar(ctx.party), {
              deadline: row.deadline,
              today,
              delayNotified: row.delay_until !== null,
            })
          : null,
      document,
      items: items.map((i) => ({ itemNo: i.item_no, kind: i.kind, provisions: i.provisions })),
      events: events.map((e) => ({
        id: String(e.id),
        event: e.event,
        side: e.side,
        officerId: e.officer_id,
        officerName: e.officer_id ? (officerNames.get(e.officer_id) ?? null) : null,
        data: openEvent(e),
        at: e.at.toISOString(),
      })),
      answers,
      consents: consents.map((c) => ({
        id: c.id,
        recipient: c.recipient,
        purpose: c.purpose,
        status: c.status,
        requestedAt: c.requested_at.toISOString(),
        decidedAt: c.decided_at?.toISOString() ?? null,
      })),
      consentRequests: received.map((c) => ({
        consentId: c.consent_id,
        ...(c.details_enc
          ? ctx.sealer.decryptJson<ConsentDetails>(c.details_enc, consentDetailsAad(c.id))
          : { recipient: '—', purpose: '—' }),
        purged: c.purged_at !== null,
        receivedAt: c.received_at.toISOString(),
        status: c.status,
        decidedAt: c.decided_at?.toISOString() ?? null,
      })),
      delivery: outbox.map((m) => ({
        messageId: m.message_id,
        type: m.type,
        status: m.status,
        attempts: m.attempts,
        lastError: m.last_error,
        nextAttemptAt: m.next_attempt_at.toISOString(),
        deliveredAt: m.delivered_at?.toISOString() ?? null,
      })),
      paperOriginals: [...paper]
        .sort((a, b) => PAPER_DOCUMENTS.indexOf(a.document) - PAPER_DOCUMENTS.indexOf(b.document))
        .map((x) => ({
          document: x.document,
          movement: x.movement,
          datedOn: x.dated_on,
          means: x.means,
          tracking: x.tracking,
        })),
      paperToRecord: mayAct
        ? paperDocuments(events).map((d) => ({ document: d, movement: paperMovementFor(d, side) }))
        : [],
      confidentialityPending: confidentialityPending(events),
      declarationParties: row.direction === 'incoming' ? declarationPartiesFor(ctx, row, document, items) : [],
      mayDecideConsents: row.direction === 'incoming' && actor.kind === 'officer' && mayAct,
      documentPurged: row.direction === 'incoming' && row.purged_at !== null,
      purgedAt: latest([
        row.purged_at,
        ...answerRows.map((a) => a.purged_at),
        ...received.map((c) => c.purged_at),
        ...events.map((e) => {
          const at = (e.data as Record<string, unknown>).purgedAt;
          return typeof at === 'string' ? new Date(at) : null;
        }),
      ]),
      mayAct: mayAct && actor.kind === 'officer',
      answerDraft,
      actions: [...acts.primary, ...acts.other],
      primaryActions: acts.primary,
      otherActions: acts.other,
    };
  });
}

/** R18: the latest forward's body name (ours: `toName`; the other Party's message: `name`) and time. */
function forwardedTo(
  events: readonly { event: string; at: Date; data: Record<string, unknown> }[],
): { name: string; at: string } | null {
  const f = events.filter((e) => e.event === 'forward').at(-1);
  if (!f) return null;
  const name = f.data.toName ?? f.data.name;
  return typeof name === 'string' ? { name, at: f.at.toISOString() } : null;
}

/** The latest of some instants, as ISO; null when there is none. */
function latest(dates: readonly (Date | null)[]): string | null {
  const t = dates.filter((d): d is Date => d !== null).map((d) => d.getTime());
  return t.length ? new Date(Math.max(...t)).toISOString() : null;
}
