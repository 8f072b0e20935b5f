// Domain throughput: deadline computations, national id checks, request
// validation and R-pair checks per second (issue: foundation "Done when").
import type { Bench } from 'tinybench';
import { readFileSync } from 'node:fs';
import { computeDeadline } from '../src/domain/calendar.js';
import { checkNationalId } from '../src/domain/national-ids.js';
import { validateRequest } from '../src/domain/request-validation.js';
import { canSend, loadTreaty } from '../src/domain/treaty.js';
import { loadCalendar } from '../src/adapters/calendars/json-calendar-source.js';
import type { Suite } from './run.js';

export const suite: Suite = {
  name: 'domain',
  description: 'pure rules of the Agreement, one core (ops/s)',
  async add(bench: Bench) {
    const ru = await loadCalendar('RU');
    const kz = await loadCalendar('KZ');
    // Receipts spread over 2025–2027 so that every call walks a different span.
    const receipts = Array.from({ length: 1024 }, (_, i) => new Date(Date.UTC(2025, 0, 1) + i * 17 * 3_600_000 * 1.3));
    let i = 0;
    bench.add('deadline RU (R12.a)', () => {
      computeDeadline(ru, { receivedAt: receipts[i++ & 1023]! });
    });
    bench.add('deadline KZ with shorter term (R12.b)', () => {
      computeDeadline(kz, { receivedAt: receipts[i++ & 1023]!, requestedBy: '2027-06-01' });
    });
    const ids: [string, string, string][] = [
      ['RU', 'INN', '7707083893'],
      ['RU', 'INN', '500100732259'],
      ['RU', 'OGRN', '1027700132195'],
      ['RU', 'SNILS', '112-233-445 95'],
      ['KZ', 'IIN', '900101300123'],
      ['BY', 'UNP', '100582333'],
      ['UA', 'RNOKPP', '3006521234'],
      ['UA', 'EDRPOU', '32855961'],
    ];
    let k = 0;
    bench.add('national id check (mixed kinds)', () => {
      const [c, kind, v] = ids[k++ & 7]!;
      checkNationalId(c, kind, v);
    });
    const example = JSON.parse(
      readFileSync(new URL('../data/examples/request-ru-kz.json', import.meta.url), 'utf8'),
    ) as unknown;
    const treaty = loadTreaty(
      JSON.parse(readFileSync(new URL('../data/treaty/demo-events.json', import.meta.url), 'utf8')),
    );
    bench.add('validateRequest with treaty checks (R11, R-pair, R-KZ)', () => {
      validateRequest(example, { today: '2026-11-25', treaty });
    });
    bench.add('canSend (R-pair)', () => {
      canSend(treaty, { from: 'RU', to: 'KZ', date: '2026-11-25' });
    });
  },
};
