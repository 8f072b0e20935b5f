import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { readBatchFile, templateCsv, templateXlsx } from '../../adapters/batch/batch-file.js';
import { getBatch, runBatch, submitBatch, type BatchProgress } from '../../app/batch-requests.js';
import { getOfficerByLogin } from '../../app/get-officer-by-login.js';
import { EixError } from '../../domain/errors.js';
import { withNode } from '../node-context.js';
import { partyDay } from '../../domain/parties.js';
import { loadTreaty } from '../../domain/treaty.js';
import { validateRequest } from '../../domain/request-validation.js';
import { asOptions, dateOption, print, readInputFile, readJsonFile } from '../io.js';
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

  kit
    .leaf(
      request
        .command('batch')
        .description(
          'пакет запросов из файла CSV или XLSX (шаблон: --template): каждая строка проверяется по статье 11, верные создаются, подписываются от имени пользователя и ставятся в очередь отправки; отчёт — строки с ошибками',
        )
        .argument('[file]', 'файл CSV или XLSX, заполненный по шаблону')
        .option('--to <party>', 'запрашиваемая Сторона (например, KZ)')
        .option('--body <id>', 'запрашиваемый орган (по умолчанию — центральный орган Стороны)')
        .option('--login <login>', 'пользователь, от имени которого подписываются запросы')
        .option('--template <file>', 'записать шаблон (.xlsx — с листом пояснений, иначе CSV) и выйти'),
    )
    .action(
      kit.act(
        async (
          out,
          file: string | undefined,
          opts: { to?: string; body?: string; login?: string; template?: string },
        ) => {
          if (opts.template !== undefined) {
            const xlsx = /\.xlsx$/i.test(opts.template);
            await writeOut(opts.template, xlsx ? await templateXlsx() : templateCsv());
            return print(
              out,
              { template: opts.template, format: xlsx ? 'xlsx' : 'csv' },
              (r) => `Шаблон записан в ${r.template}`,
            );
          }
          if (file === undefined)
            throw new EixError(
              'input.invalid',
              { field: '<file>' },
              'Не указан файл пакета (или --template, чтобы получить шаблон)',
            );
          if (!opts.to)
            throw new EixError(
              'input.invalid',
              { field: '--to' },
              'Не указана запрашиваемая Сторона (--to), например --to KZ',
            );
          if (!opts.login)
            throw new EixError(
              'input.invalid',
              { field: '--login' },
              'Не указан пользователь, от имени которого подписываются запросы (--login)',
            );
          const content = await readInputFile(file, '<file>');
          const { format, rows } = await asOptions(() => readBatchFile(path.basename(file), content), {
            file: '<file>',
          });
          const result = await withNode(kit, async ({ ctx }) => {
            const officer = await getOfficerByLogin(ctx, opts.login);
            const { id } = await asOptions(
              () =>
                submitBatch(ctx, officer, {
                  source: format,
                  fileName: path.basename(file),
                  requestedBody: { party: opts.to, ...(opts.body !== undefined ? { id: opts.body } : {}) },
                  rows,
                }),
              { 'requestedBody.party': '--to', 'requestedBody.id': '--body', requestedBody: '--to' },
            );
            // Progress on stderr, one line at most every second (and at each stage), the answer on stdout.
            let last = 0;
            let lastState = '';
            const progress = (p: BatchProgress) => {
              const now = Date.now();
              if (now - last < 1000 && p.state === lastState) return;
              last = now;
              lastState = p.state;
              kit.ctx.io.err(progressLine(p));
            };
            const runner = `cli#${process.pid}`;
            let p = await runBatch(ctx, id, { runner, onProgress: progress });
            // Another process of the node (PostgreSQL) may hold it: wait for it to finish.
            while (p.state !== 'done' && p.state !== 'failed') {
              await new Promise((r) => setTimeout(r, 1000));
              p = await runBatch(ctx, id, { runner, onProgress: progress });
            }
            kit.ctx.io.err(progressLine(p));
            const v = await getBatch(ctx, officer, id, { limit: 5000 });
            return {
              id,
              state: v.state,
              total: v.total,
              created: v.created,
              failed: v.failed,
              error: v.error,
              problemsTotal: v.problemsTotal,
              problems: v.problems,
            };
          });
          print(out, result, (r) =>
            [
              r.state === 'done'
                ? `Пакет обработан: создано, подписано и поставлено в очередь отправки запросов — ${r.created} из ${r.total}; строк с ошибками — ${r.failed}.`
                : `Пакет остановлен: ${r.error ?? ''}`,
              ...r.problems.slice(0, 100).map((p) => `  строка ${p.row}, «${p.field}»: ${p.message}`),
              ...(r.problemsTotal > 100 ? [`  … и ещё ${r.problemsTotal - 100}; полный отчёт: --json`] : []),
            ].join('\n'),
          );
        },
      ),
    );
}

function progressLine(p: BatchProgress): string {
  const pct = (n: number) => (p.total ? Math.floor((n * 100) / p.total) : 100);
  switch (p.state) {
    case 'queued':
    case 'validating':
      return `Проверка строк: ${p.validated} из ${p.total} (${pct(p.validated)}%)`;
    case 'creating':
      return `Создание и подписание: ${p.created + p.failed} из ${p.total} (${pct(p.created + p.failed)}%), создано ${p.created}, с ошибками ${p.failed}`;
    case 'done':
      return `Готово: создано ${p.created}, с ошибками ${p.failed}, всего строк ${p.total}`;
    case 'failed':
      return `Остановлено: создано ${p.created} из ${p.total}`;
  }
}

async function writeOut(file: string, content: Buffer): Promise<void> {
  try {
    await writeFile(file, content);
  } catch (e) {
    throw new EixError(
      'input.file',
      { field: '--template', file },
      `Не удалось записать файл ${file} (--template): ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
}
