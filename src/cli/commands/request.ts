import type { Command } from 'commander';
import { partyDay } from '../../domain/parties.js';
import { loadTreaty } from '../../domain/treaty.js';
import { validateRequest } from '../../domain/request-validation.js';
import { dateOption, print, readJsonFile } from '../io.js';
import type { CommandKit } from '../program.js';

export function registerRequestCommands(program: Command, kit: CommandKit): void {
  const request = program.command('request').description('запросы (статьи 3–11)');
  kit
    .leaf(
      request
        .command('validate')
        .description('проверить запрос до подписания: все ошибки и предупреждения сразу (R11)')
        .argument('<file>', 'запрос (JSON)')
        .option('--events <file>', 'файл событий депозитария: добавляет проверки R-pair, R13.d, R-KZ')
        .option('--date <YYYY-MM-DD>', 'дата проверки (по умолчанию сегодня)'),
    )
    .action(
      kit.act(async (out, file: string, opts: { events?: string; date?: string }) => {
        const treaty = opts.events !== undefined ? loadTreaty(await readJsonFile(opts.events, '--events')) : undefined;
        const doc = await readJsonFile(file, 'file');
        // Without --date: today of the requesting Party named in the document (UTC when none is named).
        const party = (doc as { requestingBody?: { party?: unknown } } | null)?.requestingBody?.party;
        const today =
          opts.date !== undefined
            ? dateOption(opts.date, '--date')
            : partyDay(kit.ctx.clock.now(), typeof party === 'string' ? party : '');
        const result = validateRequest(doc, { today, ...(treaty ? { treaty } : {}) });
        print(out, result, (r) =>
          [
            r.ok ? 'Запрос заполнен верно.' : `Ошибок: ${r.errors.length}.`,
            ...r.errors.map((p) => `  ✗ ${p.path || '—'}: ${p.message} [${p.code}]`),
            ...(r.warnings.length ? [`Предупреждений: ${r.warnings.length}.`] : []),
            ...r.warnings.map((p) => `  ! ${p.path || '—'}: ${p.message} [${p.code}]`),
          ].join('\n'),
        );
      }),
    );
}
