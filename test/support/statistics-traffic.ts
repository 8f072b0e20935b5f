// Two months of a Russian node's traffic with Kazakhstan and Belarus (issue 15.6), made through the use cases as
// the node makes it: incoming requests received, forwarded by the central body, answered, refused on Article 13
// grounds, withdrawn, asked for more (R14) or left open past the deadline with or without a delay notice (R12.c);
// outgoing requests signed, receipted, answered, refused, forwarded and asked for more by the other Party. The plan
// is returned so that a test computes the expected figures on its own (working days from the calendars).
import { randomUUID } from 'node:crypto';
import { actOnRequest } from '../../src/app/act-on-request.js';
import { answerRequest } from '../../src/app/answer-request.js';
import { applyRemoteStep } from '../../src/app/apply-remote-step.js';
import type { Actor, Officer } from '../../src/app/context.js';
import { createProceeding } from '../../src/app/create-proceeding.js';
import { draftRequest } from '../../src/app/draft-request.js';
import { forwardRequest } from '../../src/app/forward-request.js';
import { receiveAnswer } from '../../src/app/receive-answer.js';
import { receiveRequest } from '../../src/app/receive-request.js';
import { recordDelivery } from '../../src/app/record-delivery.js';
import { refuseRequest } from '../../src/app/refuse-request.js';
import { signRequest } from '../../src/app/sign-request.js';
import { addWorkingDays, TERM_WORKING_DAYS } from '../../src/domain/calendar.js';
import type { RefusalGround } from '../../src/domain/workflow.js';
import { aRequest } from './requests.js';
import { seedBody, seedOfficer, type TestNode } from './app.js';

const SYSTEM: Actor = { kind: 'system', name: 'federation' };

export const TRAFFIC_BODIES = {
  central: { id: 'ru-fssp', name: 'Федеральная служба судебных приставов' },
  moscow: { id: 'ru-fssp-77', name: 'ГУФССП России по г. Москве' },
  spb: { id: 'ru-fssp-78', name: 'ГУФССП России по г. Санкт-Петербургу' },
} as const;
const PARTNERS = {
  KZ: { id: 'kz-central', party: 'KZ', name: 'Министерство юстиции Республики Казахстан' },
  BY: { id: 'by-central', party: 'BY', name: 'Главное управление принудительного исполнения Республики Беларусь' },
} as const;

/** What happens to a request after its receipt, and on which day (the requested Party's day, 12:00 Moscow; `deadline`: on its deadline). */
export type Outcome =
  | { kind: 'answered'; on: string }
  | { kind: 'refused'; on: string; ground: RefusalGround }
  | { kind: 'withdrawn'; on: string }
  | { kind: 'open' };

export interface PlannedRequest {
  direction: 'incoming' | 'outgoing';
  partner: 'KZ' | 'BY';
  /** Where the request is at the end (after a forward: the territorial body). */
  bodyId: string;
  receivedOn: string;
  outcome: Outcome;
  /** R12.c: a delay notice was given (day). */
  delayOn?: string;
  /** R18: forwarded (incoming: by our central body to `bodyId`; outgoing: by the other Party). */
  forwarded?: boolean;
  /** R14: the requested body asked for additional information (day). */
  moreInfoOn?: string;
  /** Incoming: fields left out of the document (found by the check on receipt, R11). */
  leaveOut?: ('operativePart' | 'grounds' | 'birthDate')[];
  /** Filled by the seeding: the R12.a deadline. */
  deadline?: string;
}

/** The plan: September and October 2026, the node's clock ends on 26.11.2026. */
export function trafficPlan(): PlannedRequest[] {
  const { central, moscow, spb } = TRAFFIC_BODIES;
  const inc = (p: Omit<PlannedRequest, 'direction'>): PlannedRequest => ({ direction: 'incoming', ...p });
  const out = (p: Omit<PlannedRequest, 'direction'>): PlannedRequest => ({ direction: 'outgoing', ...p });
  return [
    // September: a few, all closed.
    inc({
      partner: 'KZ',
      bodyId: central.id,
      receivedOn: '2026-09-07',
      outcome: { kind: 'answered', on: '2026-09-21' },
    }),
    inc({
      partner: 'KZ',
      bodyId: central.id,
      receivedOn: '2026-09-14',
      outcome: { kind: 'answered', on: '2026-10-30' },
    }),
    inc({
      partner: 'BY',
      bodyId: moscow.id,
      forwarded: true,
      receivedOn: '2026-09-15',
      outcome: { kind: 'refused', on: '2026-09-29', ground: 'law' },
    }),
    out({
      partner: 'KZ',
      bodyId: moscow.id,
      receivedOn: '2026-09-08',
      outcome: { kind: 'answered', on: '2026-10-06' },
    }),
    // October, incoming from Kazakhstan.
    inc({
      partner: 'KZ',
      bodyId: central.id,
      receivedOn: '2026-10-01',
      outcome: { kind: 'answered', on: '2026-10-09' },
    }),
    inc({
      partner: 'KZ',
      bodyId: central.id,
      receivedOn: '2026-10-02',
      outcome: { kind: 'answered', on: '2026-10-20' },
    }),
    inc({
      partner: 'KZ',
      bodyId: central.id,
      receivedOn: '2026-10-05',
      leaveOut: ['operativePart'],
      moreInfoOn: '2026-10-06',
      outcome: { kind: 'answered', on: '2026-11-23' },
      delayOn: '2026-11-10',
    }),
    inc({
      partner: 'KZ',
      bodyId: moscow.id,
      forwarded: true,
      receivedOn: '2026-10-06',
      outcome: { kind: 'answered', on: '2026-10-27' },
    }),
    inc({
      partner: 'KZ',
      bodyId: moscow.id,
      forwarded: true,
      receivedOn: '2026-10-07',
      leaveOut: ['operativePart', 'grounds'],
      moreInfoOn: '2026-10-08',
      outcome: { kind: 'refused', on: '2026-10-22', ground: 'sovereignty' },
    }),
    inc({
      partner: 'KZ',
      bodyId: central.id,
      receivedOn: '2026-10-08',
      outcome: { kind: 'withdrawn', on: '2026-10-15' },
    }),
    inc({
      partner: 'KZ',
      bodyId: central.id,
      receivedOn: '2026-10-09',
      leaveOut: ['operativePart'],
      outcome: { kind: 'open' },
    }),
    inc({
      partner: 'KZ',
      bodyId: central.id,
      receivedOn: '2026-10-12',
      outcome: { kind: 'open' },
      delayOn: '2026-11-02',
    }),
    inc({ partner: 'KZ', bodyId: spb.id, forwarded: true, receivedOn: '2026-10-14', outcome: { kind: 'open' } }),
    inc({ partner: 'KZ', bodyId: central.id, receivedOn: '2026-10-26', outcome: { kind: 'open' } }),
    // Answered on the deadline day itself: in time (R12.a counts the 30th working day).
    inc({ partner: 'KZ', bodyId: central.id, receivedOn: '2026-10-13', outcome: { kind: 'answered', on: 'deadline' } }),
    // October, incoming from Belarus.
    inc({
      partner: 'BY',
      bodyId: central.id,
      receivedOn: '2026-10-01',
      outcome: { kind: 'answered', on: '2026-10-05' },
    }),
    inc({
      partner: 'BY',
      bodyId: central.id,
      receivedOn: '2026-10-13',
      leaveOut: ['grounds'],
      outcome: { kind: 'refused', on: '2026-10-16', ground: 'law' },
    }),
    inc({
      partner: 'BY',
      bodyId: moscow.id,
      forwarded: true,
      receivedOn: '2026-10-15',
      outcome: { kind: 'answered', on: '2026-11-05' },
    }),
    inc({
      partner: 'BY',
      bodyId: central.id,
      receivedOn: '2026-10-20',
      outcome: { kind: 'refused', on: '2026-10-21', ground: 'security' },
    }),
    // October, outgoing from Moscow.
    out({
      partner: 'KZ',
      bodyId: moscow.id,
      receivedOn: '2026-10-01',
      outcome: { kind: 'answered', on: '2026-10-14' },
    }),
    out({
      partner: 'KZ',
      bodyId: moscow.id,
      receivedOn: '2026-10-02',
      forwarded: true,
      outcome: { kind: 'answered', on: '2026-10-30' },
    }),
    out({
      partner: 'KZ',
      bodyId: moscow.id,
      receivedOn: '2026-10-05',
      moreInfoOn: '2026-10-07',
      outcome: { kind: 'refused', on: '2026-10-19', ground: 'international_obligations' },
    }),
    out({
      partner: 'KZ',
      bodyId: moscow.id,
      receivedOn: '2026-10-06',
      outcome: { kind: 'open' },
      delayOn: '2026-11-12',
    }),
    out({
      partner: 'BY',
      bodyId: moscow.id,
      receivedOn: '2026-10-07',
      outcome: { kind: 'answered', on: '2026-10-22' },
    }),
    out({
      partner: 'BY',
      bodyId: moscow.id,
      receivedOn: '2026-10-19',
      outcome: { kind: 'withdrawn', on: '2026-10-23' },
    }),
    out({ partner: 'BY', bodyId: moscow.id, receivedOn: '2026-10-20', outcome: { kind: 'open' } }),
    out({ partner: 'BY', bodyId: moscow.id, receivedOn: '2026-10-09', outcome: { kind: 'answered', on: 'deadline' } }),
  ];
}

export interface Traffic {
  plan: PlannedRequest[];
  officers: { central: Officer; moscow: Officer; spb: Officer };
}

/** Seeds the bodies, officers and the planned traffic on `ru` (a node of Russia); the clock ends on 26.11.2026. */
export async function seedTraffic(ru: TestNode): Promise<Traffic> {
  const { central, moscow, spb } = TRAFFIC_BODIES;
  await seedBody(ru.ctx, { ...central, kind: 'central' });
  await seedBody(ru.ctx, { ...moscow, parentId: central.id });
  await seedBody(ru.ctx, { ...spb, parentId: central.id });
  const officers = {
    central: await seedOfficer(ru.ctx, central.id, ['officer', 'central']),
    moscow: await seedOfficer(ru.ctx, moscow.id, ['officer']),
    spb: await seedOfficer(ru.ctx, spb.id, ['officer']),
  };
  const of = (bodyId: string) =>
    bodyId === central.id ? officers.central : bodyId === moscow.id ? officers.moscow : officers.spb;
  const at = (day: string, hour = 12) => {
    ru.clock.set(`${day}T${String(hour).padStart(2, '0')}:00:00+03:00`);
  };
  const example = aRequest();
  at('2026-09-01', 9);
  const proceedingId = (
    await createProceeding(ru.ctx, officers.moscow, {
      number: '777/26/77001-ИП',
      openedOn: '2026-03-02',
      debtor: example.debtor,
      creditor: example.creditor,
      executiveDocuments: [example.executiveDocument],
    })
  ).id;
  const plan = trafficPlan();
  let n = 0;
  for (const r of plan) {
    n += 1;
    const partner = PARTNERS[r.partner];
    let requestId: string;
    let requestMessageId: string;
    if (r.direction === 'incoming') {
      requestMessageId = `stat-${n}-${randomUUID()}`;
      const addressedTo = r.forwarded ? central.id : r.bodyId;
      at(r.receivedOn, 10);
      const received = await receiveRequest(ru.ctx, SYSTEM, {
        messageId: requestMessageId,
        fromBody: partner,
        toBodyId: addressedTo,
        receivedAt: ru.clock.now().toISOString(),
        document: aRequest((d) => {
          d.number = `${r.partner}/26/${String(n).padStart(5, '0')}`;
          d.date = r.receivedOn;
          d.requestingBody = partner;
          d.proceeding = { ...d.proceeding!, bodyId: partner.id };
          d.requestedBody = { id: addressedTo, party: 'RU', name: 'Федеральная служба судебных приставов' };
          for (const f of r.leaveOut ?? []) {
            if (f === 'operativePart') delete d.executiveDocument!.operativePart;
            if (f === 'grounds') delete d.grounds;
            if (f === 'birthDate' && d.debtor?.type === 'individual') delete d.debtor.birthDate;
          }
        }),
      });
      requestId = received.id;
      r.deadline = received.deadline;
      if (r.forwarded) {
        at(r.receivedOn, 11);
        await forwardRequest(ru.ctx, officers.central, { requestId, toBodyId: r.bodyId });
      }
    } else {
      at(r.receivedOn, 9);
      const d = await draftRequest(ru.ctx, of(r.bodyId), {
        proceedingId,
        requestedBody: partner,
        items: example.items,
        grounds: example.grounds,
      });
      const s = await signRequest(ru.ctx, of(r.bodyId), { requestId: d.id });
      requestId = d.id;
      requestMessageId = s.messageId;
      // The requested Party's deadline as its receipt states it: 30 of its working days (R12.a).
      r.deadline = addWorkingDays(await ru.ctx.calendar(r.partner), r.receivedOn, TERM_WORKING_DAYS).date;
      at(r.receivedOn, 10);
      await recordDelivery(ru.ctx, SYSTEM, {
        messageId: s.messageId,
        receiptAt: ru.clock.now().toISOString(),
        receipt: { deadline: r.deadline },
      });
      if (r.forwarded) {
        at(r.receivedOn, 11);
        await remote(requestMessageId, 'requested', 'forward', {
          body: `${r.partner.toLowerCase()}-territorial`,
          name: 'Территориальный орган',
        });
      }
    }
    const mine = of(r.bodyId);
    if (r.moreInfoOn) {
      at(r.moreInfoOn);
      if (r.direction === 'incoming')
        await actOnRequest(ru.ctx, mine, {
          requestId,
          step: 'request_additional_info',
          data: { questions: 'Сообщите недостающие сведения.' },
        });
      else await remote(requestMessageId, 'requested', 'request_additional_info', { questions: 'Сообщите адрес.' });
    }
    if (r.delayOn) {
      at(r.delayOn);
      const data = { newDate: '2026-12-25', reason: 'Ожидается ответ регистрирующего органа.' };
      if (r.direction === 'incoming') await actOnRequest(ru.ctx, mine, { requestId, step: 'notify_delay', data });
      else await remote(requestMessageId, 'requested', 'notify_delay', data);
    }
    const o = r.outcome;
    if (o.kind === 'open') continue;
    if (o.on === 'deadline') o.on = r.deadline!;
    at(o.on);
    if (o.kind === 'answered') {
      if (r.direction === 'incoming')
        await answerRequest(ru.ctx, mine, {
          requestId,
          final: true,
          items: example.items!.map((_, i) => ({ itemNo: i + 1, outcome: 'not_found' as const })),
        });
      else
        await receiveAnswer(ru.ctx, SYSTEM, {
          messageId: `stat-answer-${n}-${randomUUID()}`,
          requestMessageId,
          final: true,
          items: example.items!.map((_, i) => ({ itemNo: i + 1, outcome: 'not_found' as const })),
        });
    } else if (o.kind === 'refused') {
      if (r.direction === 'incoming')
        await refuseRequest(ru.ctx, mine, { requestId, ground: o.ground, circumstances: 'Обстоятельства отказа.' });
      else await remote(requestMessageId, 'requested', 'refuse', { ground: o.ground, circumstances: 'Отказ.' });
    } else if (r.direction === 'incoming')
      await remote(requestMessageId, 'requesting', 'withdraw', { reason: 'Отзыв.' });
    else await actOnRequest(ru.ctx, mine, { requestId, step: 'withdraw', data: { reason: 'Долг погашен.' } });
  }
  ru.clock.set('2026-11-26T09:00:00+03:00');
  return { plan, officers };

  async function remote(
    requestMessageId: string,
    by: 'requesting' | 'requested',
    event: string,
    data: Record<string, unknown>,
  ): Promise<void> {
    await applyRemoteStep(ru.ctx, SYSTEM, {
      messageId: `stat-step-${randomUUID()}`,
      requestMessageId,
      by,
      event,
      data,
    });
  }
}

/** PostgreSQL's percentile_cont: linear interpolation between the closest ranks. */
export function percentile(values: readonly number[], q: number): number | null {
  if (values.length === 0) return null;
  const v = [...values].sort((a, b) => a - b);
  const pos = q * (v.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return Math.round((v[lo]! + (v[hi]! - v[lo]!) * (pos - lo)) * 10) / 10;
}
