import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { EixError } from '../../domain/errors.js';
import { computeDeadline, dayInfo, requireShorterTerm } from '../../domain/calendar.js';
import { loadCalendar } from '../../adapters/calendars/json-calendar-source.js';
import { importProductionCalendarXml } from '../../adapters/calendars/production-calendar-xml.js';
import { dateOption, instantOption, partyOption, print } from '../io.js';
import type { CommandKit } from '../program.js';

export function registerCalendarCommands(program: Command, kit: CommandKit): void {
  const calendar = program
    .command('calendar')
    .description('производственные календари Сторон и сроки исполнения (статья 12)');
  const calendarsDir = path.join(kit.ctx.config.dataDir, 'calendars');

  kit
    .leaf(
      calendar
        .command('day')
        .description('рабочий ли день у Стороны')
        .requiredOption('--party <CC>', 'Сторона')
        .requiredOption('--date <YYYY-MM-DD>', 'дата'),
    )
    .action(
      kit.act(async (out, opts: { party: string; date: string }) => {
        const party = partyOption(opts.party, '--party');
        const date = dateOption(opts.date, '--date');
        const info = dayInfo(await loadCalendar(party, calendarsDir), date);
        print(out, info, (d) => `${d.date} (${party}): ${d.working ? 'рабочий день' : 'нерабочий день'} — ${d.reason}`);
      }),
    );

  kit
    .leaf(
      calendar
        .command('deadline')
        .description(
          'срок исполнения запроса: 30 рабочих дней запрашиваемой Стороны (R12.a); более короткий срок (R12.b) — отдельная дата «просят исполнить до»',
        )
        .requiredOption('--party <CC>', 'запрашиваемая Сторона')
        .requiredOption('--received <instant>', 'момент получения запроса, ISO 8601 с часовым поясом')
        .option(
          '--shorter <YYYY-MM-DD>',
          'более короткий срок, о котором просит запрашивающий орган (не раньше дня получения; срок по R12.a не меняет)',
        )
        .option(
          '--time-zone <IANA>',
          'часовой пояс запрашиваемого органа, если он отличается от часового пояса Стороны',
        ),
    )
    .action(
      kit.act(async (out, opts: { party: string; received: string; shorter?: string; timeZone?: string }) => {
        const party = partyOption(opts.party, '--party');
        const receivedAt = instantOption(opts.received, '--received');
        const shorter = opts.shorter !== undefined ? dateOption(opts.shorter, '--shorter') : undefined;
        const timeZone = opts.timeZone !== undefined ? timeZoneOption(opts.timeZone) : undefined;
        const cal = await loadCalendar(party, calendarsDir);
        const d = computeDeadline(cal, {
          receivedAt,
          ...(shorter ? { requestedBy: shorter } : {}),
          ...(timeZone ? { timeZone } : {}),
        });
        if (shorter) requireShorterTerm(shorter, d.receivedOn, '--shorter');
        print(out, d, (x) =>
          [
            `Получен: ${x.receivedOn}; срок исполнения: ${x.deadline} (${x.workingDays} рабочих дней, статья 12)`,
            ...(x.requestedBy
              ? [
                  `Запрашивающий орган просит исполнить до ${x.requestedBy}${x.requestedEarlier ? ' (раньше срока по статье 12)' : ''}; это просьба, срок исполнения не меняется.`,
                ]
              : []),
            ...(x.estimated
              ? ['Внимание: в расчёте использованы предварительные (не утверждённые) даты календаря.']
              : []),
          ].join('\n'),
        );
      }),
    );

  kit
    .leaf(
      calendar
        .command('import')
        .description('импорт производственного календаря из XML (<day d="MM.DD" t="1|2|3">)')
        .argument('<file>', 'XML-файл')
        .requiredOption('--party <CC>', 'Сторона')
        .option('--out <dir>', 'каталог календарей, куда записать <CC>/<год>.json (без него — вывести JSON)'),
    )
    .action(
      kit.act(async (out, file: string, opts: { party: string; out?: string }) => {
        const party = partyOption(opts.party, '--party');
        let xml: string;
        try {
          xml = await readFile(file, 'utf8');
        } catch {
          throw new EixError('input.file', { field: 'file', file }, `Не удалось прочитать файл ${file}`);
        }
        const year = importProductionCalendarXml(xml, { party, sourceTitle: path.basename(file) });
        if (!opts.out) {
          print(out, year, (y) => JSON.stringify(y, null, 2));
          return;
        }
        const target = path.join(opts.out, party, `${year.year}.json`);
        await mkdir(path.dirname(target), { recursive: true });
        await writeFile(target, `${JSON.stringify(year, null, 2)}\n`);
        print(
          out,
          { written: target, party, year: year.year, days: year.days.length },
          (r) => `Записан календарь ${r.party} на ${r.year} год: ${r.written} (особых дней: ${r.days})`,
        );
      }),
    );
}

function timeZoneOption(value: string): string {
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return value;
  } catch {
    throw new EixError(
      'input.invalid',
      { field: '--time-zone', value },
      `Параметр --time-zone: неизвестный часовой пояс ${value}`,
    );
  }
}
