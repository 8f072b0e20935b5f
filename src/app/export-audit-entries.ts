// R9.1, issue 15 item 3: the «Журнал действий» as a CSV file with the page's filters and scope (UTF-8 with
// BOM, «;» as Russian spreadsheets expect): Russian headers, actions, actors and details, times ДД.ММ.ГГГГ ЧЧ:ММ
// in the node's zone, requests and proceedings by number (no debtor's name). At most AUDIT_EXPORT_CAP rows;
// a capped file says so in its last row.
import { stringify } from 'csv-stringify/sync';
import { dateTimeRuIn } from '../domain/audit-view.js';
import { calendarDateRu } from '../domain/dates.js';
import { partyDay, partyTimeZone } from '../domain/parties.js';
import type { Actor, AppContext } from './context.js';
import {
  auditCondition,
  auditScope,
  checkAuditQuery,
  describeAuditRows,
  selectPage,
  type AuditQuery,
} from './list-audit-entries.js';

export const AUDIT_EXPORT_CAP = 10_000;
const BATCH = 500;

export async function exportAuditEntries(
  ctx: AppContext,
  actor: Actor,
  query: AuditQuery,
): Promise<{ fileName: string; mediaType: string; content: Buffer }> {
  const scope = auditScope(actor);
  const q = checkAuditQuery({ ...query, limit: BATCH });
  const zone = partyTimeZone(ctx.party);
  const rows: string[][] = [];
  let before = q.before;
  let capped = false;
  for (;;) {
    const where = await auditCondition(ctx.db, ctx, scope, { ...q, before });
    const page = await selectPage(ctx.db, where, BATCH);
    for (const v of await describeAuditRows(ctx.db, page)) {
      if (rows.length === AUDIT_EXPORT_CAP) {
        capped = true;
        break;
      }
      rows.push([
        String(v.seq),
        dateTimeRuIn(v.at, zone),
        v.actor,
        v.actorBody,
        v.action,
        [...v.objects.map((o) => o.text), ...(v.moreObjects ? [`и ещё ${v.moreObjects}`] : [])].join('; '),
        v.details.map(([k, x]) => `${k}: ${x}`).join('; '),
      ]);
    }
    if (capped || page.length < BATCH) break;
    before = String(page.at(-1)!.seq);
  }
  const header = ['№', 'Время', 'Кто', 'Орган', 'Действие', 'Запрос или производство', 'Подробности'];
  const note = capped
    ? [
        [
          `Выгружены первые ${AUDIT_EXPORT_CAP.toLocaleString('ru-RU')} записей: уточните отбор, чтобы выгрузить остальные.`,
        ],
      ]
    : [];
  const text = stringify([header, ...rows, ...note], { delimiter: ';', record_delimiter: '\r\n' });
  return {
    fileName: `Журнал действий ${calendarDateRu(partyDay(ctx.clock.now(), ctx.party))}.csv`,
    mediaType: 'text/csv; charset=utf-8',
    content: Buffer.concat([Buffer.from('\ufeff', 'utf8'), Buffer.from(text, 'utf8')]),
  };
}
