// The court evidence pack from the console (issue 17 item 4, docs/EVIDENCE.md):
// `eix evidence export <request>` makes it for a named officer (--login: his
// visibility rules and the audit entry apply, as on the request page), and
// `eix evidence verify <file> --depositary <cert.pem>` checks a pack offline,
// with nothing but the pack and the depositary certificate (no node needed).
// As every check command, verify exits 0 with the verdict in `ok`; a file it
// cannot read is bad input (exit 2).
import { localDateTimeRu } from '../../domain/dates.js';
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { exportEvidence } from '../../app/export-evidence.js';
import { getOfficerByLogin } from '../../app/get-officer-by-login.js';
import { verifyEvidence, type EvidenceVerdict } from '../../app/verify-evidence.js';
import { EixError } from '../../domain/errors.js';
import { asOptions, print, readInputFile } from '../io.js';
import { withNode } from '../node-context.js';
import type { CommandKit } from '../program.js';

function dateTime(iso: string | null | undefined, timeZone: string): string {
  return localDateTimeRu(iso, timeZone)?.text ?? '—';
}

/** The verdict for people, in Russian. */
export function verdictRu(v: EvidenceVerdict): string {
  const m = v.manifest;
  const zone = m?.timeZone ?? 'UTC';
  const lines: string[] = [];
  lines.push(
    v.ok
      ? 'Доказательный пакет прошёл проверку: все подписи, квитанции, реестр доверия и опись подтверждены, ни один файл не изменён.'
      : `Доказательный пакет НЕ прошёл проверку: нарушений — ${v.problems.length}.`,
  );
  if (m) {
    lines.push(
      `Запрос № ${m.request.number}; пакет выгружен ${dateTime(m.createdAt, zone)} органом «${m.exportedBy.bodyName}» (${m.exportedBy.party}), сотрудник ${m.exportedBy.officer.name}; цель: ${m.purpose}`,
    );
    lines.push(`Печать органа на описи: ${v.seal?.ok ? 'подтверждена' : 'НЕ подтверждена'}`);
  }
  lines.push(`Сертификат депозитария, с которым проверен пакет: SHA-256 ${v.depositarySha256}`);
  for (const r of v.registries)
    lines.push(`Реестр доверия, версия ${r.version}: ${r.ok ? 'подпись депозитария верна' : 'НЕ подтверждён'}`);
  for (const x of v.messages) {
    const parts = [
      x.content === 'present'
        ? x.signature
          ? 'подпись верна'
          : 'подпись НЕ подтверждена'
        : x.content === 'destroyed'
          ? 'содержание уничтожено по истечении срока хранения (статья 9), сохранены хеш и квитанция'
          : 'не подписано и не отправлено',
      x.receipt === true
        ? `получение подтверждено квитанцией (${dateTime(x.receivedAt, zone)})`
        : x.receipt === false
          ? 'квитанция НЕ подтверждает получение'
          : 'квитанции нет',
    ];
    lines.push(`  ${x.no}. ${x.label}: ${parts.join('; ')}${x.sha256 ? `; SHA-256 ${x.sha256}` : ''}`);
  }
  for (const p of v.problems) lines.push(`  ✗ ${p.message}`);
  return lines.join('\n');
}

export function registerEvidenceCommands(program: Command, kit: CommandKit): void {
  const evidence = program
    .command('evidence')
    .description('доказательный пакет обмена по запросу для суда: выгрузка и проверка');

  kit
    .leaf(
      evidence
        .command('export')
        .description(
          'выгрузить доказательный пакет запроса (ZIP): подписанные сообщения и квитанции, реестр доверия, сертификаты, отчёт о проверке и сводку в PDF; опись заверяется печатью органа пользователя',
        )
        .argument('<request>', 'идентификатор или номер запроса')
        .requiredOption('--login <login>', 'пользователь, от имени которого выгружается пакет')
        .requiredOption(
          '--purpose <text>',
          'цель выгрузки (например: по запросу суда, дело № …) — записывается в журнал',
        )
        .option(
          '--out <file.zip>',
          'файл пакета (по умолчанию evidence-<номер запроса>.zip); существующий не перезаписывается',
        ),
    )
    .action(
      kit.act(async (out, request: string, opts: { login: string; purpose: string; out?: string }) => {
        const result = await withNode(kit, async ({ ctx }) => {
          const officer = await getOfficerByLogin(ctx, opts.login);
          const x = await asOptions(() => exportEvidence(ctx, officer, { request, purpose: opts.purpose }), {
            request: '<request>',
            requestId: '<request>',
            purpose: '--purpose',
          });
          const file = opts.out ?? x.fileName;
          try {
            await writeFile(file, x.pack, { flag: 'wx', mode: 0o600 });
          } catch (e) {
            const code = (e as NodeJS.ErrnoException).code;
            throw new EixError(
              'input.file',
              { field: '--out', file },
              code === 'EEXIST'
                ? `Файл ${file} уже существует: укажите другой (--out)`
                : `Не удалось записать файл ${file} (--out): ${code ?? (e as Error).message}`,
            );
          }
          return {
            file,
            bytes: x.pack.length,
            sha256: x.sha256,
            requestId: x.requestId,
            number: x.number,
            messages: x.messages,
            destroyed: x.destroyed,
            ok: x.problems.length === 0,
            problems: x.problems,
          };
        });
        print(out, result, (r) =>
          [
            `Доказательный пакет запроса № ${r.number} сохранён в ${r.file} (${r.bytes} байт), SHA-256 ${r.sha256}`,
            `Сообщений: ${r.messages}` +
              (r.destroyed
                ? `, из них с уничтоженным содержанием (статья 9): ${r.destroyed} — сохранены хеши и квитанции`
                : ''),
            r.ok
              ? 'Проверка при выгрузке: все подписи и квитанции подтверждены.'
              : `Проверка при выгрузке: нарушений — ${r.problems.length} (см. отчёт в пакете):\n${r.problems.map((p) => `  ✗ ${p.message}`).join('\n')}`,
          ].join('\n'),
        );
      }),
    );

  kit
    .leaf(
      evidence
        .command('verify')
        .description(
          'проверить доказательный пакет без узла и без сети: только по пакету и сертификату депозитария (подписи, квитанции, реестр доверия, опись и хеши всех файлов)',
        )
        .argument('<file>', 'файл доказательного пакета (ZIP)')
        .requiredOption('--depositary <cert.pem>', 'сертификат депозитария, полученный из надёжного источника'),
    )
    .action(
      kit.act(async (out, file: string, opts: { depositary: string }) => {
        const pack = await readInputFile(file, '<file>');
        const depositaryPem = await readInputFile(opts.depositary, '--depositary', 'utf8');
        const verdict = await asOptions(() => verifyEvidence({ pack, depositaryPem }), {
          pack: '<file>',
          depositary: '--depositary',
        });
        print(out, verdict, verdictRu);
      }),
    );
}
