// Printable forms from the server console (R10.a): `eix pdf request`, `eix pdf
// answer` and `eix pdf verify`. The console acts for a named officer (--login)
// so the officer's visibility rules and the audit trail apply as in the API.
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { renderAnswerPdf, renderRequestPdf, qrPayload } from '../../adapters/pdf/request-pdf.js';
import { getOfficerByLogin } from '../../app/get-officer-by-login.js';
import { getRequest } from '../../app/get-request.js';
import { sealFor, verifyPaperOriginal } from '../../app/verify-paper-original.js';
import { EixError } from '../../domain/errors.js';
import { print, asOptions } from '../io.js';
import type { CommandKit } from '../program.js';
import { withNode } from '../node-context.js';

function outOption(value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '')
    throw new EixError('input.invalid', { field: '--out' }, 'Не указан файл для сохранения PDF (--out)');
  return value;
}

async function save(file: string, pdf: Buffer): Promise<void> {
  try {
    await writeFile(file, pdf, { mode: 0o600 });
  } catch (e) {
    throw new EixError(
      'input.file',
      { field: '--out', file },
      `Не удалось записать файл ${file} (--out): ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
}

export function registerPdfCommands(program: Command, kit: CommandKit): void {
  const pdf = program.command('pdf').description('печатные формы запроса и ответа с QR-кодом (статья 10)');

  for (const kind of ['request', 'answer'] as const) {
    kit
      .leaf(
        pdf
          .command(kind)
          .description(
            kind === 'request'
              ? 'запрос в PDF (подписанный — с QR-кодом, проект — с отметкой «ПРОЕКТ»)'
              : 'ответ на запрос в PDF (с QR-кодом подписанного ответа)',
          )
          .argument('<requestId>', 'идентификатор запроса')
          .requiredOption('--login <login>', 'пользователь, от имени которого формируется документ')
          .requiredOption('--out <file.pdf>', 'файл PDF'),
      )
      .action(
        kit.act(async (out, requestId: string, opts: { login: string; out: string }) => {
          const file = outOption(opts.out);
          const result = await withNode(kit, async ({ ctx }) => {
            const officer = await getOfficerByLogin(ctx, opts.login);
            const view = await asOptions(() => getRequest(ctx, officer, requestId), { requestId: '<requestId>' });
            const seal = await sealFor(ctx, view, kind);
            const bytes = kind === 'request' ? await renderRequestPdf(view, seal) : await renderAnswerPdf(view, seal);
            await save(file, bytes);
            return {
              file,
              bytes: bytes.length,
              requestId: view.id,
              number: view.number,
              signed: seal !== null,
              qr: seal ? qrPayload(seal) : null,
              shortCode: seal?.shortCode ?? null,
            };
          });
          print(out, result, (r) =>
            [
              `${kind === 'request' ? 'Запрос' : 'Ответ на запрос'} № ${r.number} сохранён в ${r.file} (${r.bytes} байт)`,
              r.qr ? `QR-код: ${r.qr}` : 'ПРОЕКТ — не подписан: QR-кода нет',
              ...(r.shortCode ? [`Код проверки: ${r.shortCode}`] : []),
            ].join('\n'),
          );
        }),
      );
  }

  kit
    .leaf(
      pdf
        .command('verify')
        .description(
          'проверить, что бумажный подлинник соответствует подписанному электронному документу (содержимое QR-кода или код проверки)',
        )
        .argument(
          '<payload>',
          'содержимое QR-кода (EIX1|<идентификатор сообщения>|<SHA-256>) или код проверки из 12 знаков',
        )
        .requiredOption('--login <login>', 'пользователь, от имени которого выполняется проверка'),
    )
    .action(
      kit.act(async (out, payload: string, opts: { login: string }) => {
        const result = await withNode(kit, async ({ ctx }) => {
          const officer = await getOfficerByLogin(ctx, opts.login);
          return asOptions(() => verifyPaperOriginal(ctx, officer, { payload }), { payload: '<payload>' });
        });
        const destroyed = (r: { contentDestroyed?: true }) =>
          r.contentDestroyed
            ? '; содержание уничтожено по истечении срока хранения (статья 9), проверено по сохранённому хешу SHA-256'
            : '';
        print(out, result, (r) =>
          r.valid
            ? `Подлинник действителен: соответствует подписанному электронному документу (запрос № ${r.number}, сообщение ${r.messageId})${destroyed(r)}`
            : r.reason === 'hash_mismatch'
              ? `Подлинник НЕ действителен: документ не совпадает с подписанным электронным документом (запрос № ${r.number}, сообщение ${r.messageId})`
              : r.messageId
                ? `Подлинник НЕ подтверждён: сообщение ${r.messageId} не найдено среди доступных вам запросов`
                : 'Подлинник НЕ подтверждён: документ с таким кодом проверки не найден среди доступных вам запросов',
        );
      }),
    );
}
