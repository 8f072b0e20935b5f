import type { Command } from 'commander';
import { canSend, loadTreaty, treatyStatus } from '../../domain/treaty.js';
import { dateOption, partyOption, print, readJsonFile } from '../io.js';
import type { CommandKit } from '../program.js';

export function registerTreatyCommands(program: Command, kit: CommandKit): void {
  const treaty = program.command('treaty').description('действие Соглашения для Сторон (статьи 22–25)');

  kit
    .leaf(
      treaty
        .command('status')
        .description('какие Стороны связаны Соглашением на дату')
        .requiredOption('--events <file>', 'файл событий депозитария (JSON)')
        .requiredOption('--date <YYYY-MM-DD>', 'дата'),
    )
    .action(
      kit.act(async (out, opts: { events: string; date: string }) => {
        const date = dateOption(opts.date, '--date');
        const t = loadTreaty(await readJsonFile(opts.events, '--events'));
        const status = treatyStatus(t, date);
        print(out, status, (s) =>
          [
            `Соглашение ${s.inForce ? 'действует' : 'не действует'} на ${date}` +
              (s.entryIntoForce ? ` (вступило в силу ${s.entryIntoForce})` : ''),
            ...Object.entries(s.parties).map(
              ([code, p]) =>
                `  ${code}: ${p.bound ? 'связана' : 'не связана'}` +
                (p.since ? `, с ${p.since}` : '') +
                (p.until ? `, до ${p.until}` : '') +
                (p.declarations.length ? `, заявлений: ${p.declarations.length}` : '') +
                (p.reservations.length ? `, оговорок: ${p.reservations.length}` : '') +
                // R25.c: statements made at signature and not confirmed are reported as lapsed.
                (p.lapsedDeclarations?.length ? `, утратили силу заявлений: ${p.lapsedDeclarations.length}` : '') +
                (p.lapsedReservations?.length ? `, утратили силу оговорок: ${p.lapsedReservations.length}` : ''),
            ),
          ].join('\n'),
        );
      }),
    );

  kit
    .leaf(
      treaty
        .command('can-send')
        .description('может ли орган Стороны A направить запрос Стороне B на дату (R-pair)')
        .requiredOption('--events <file>', 'файл событий депозитария (JSON)')
        .requiredOption('--from <CC>', 'запрашивающая Сторона')
        .requiredOption('--to <CC>', 'запрашиваемая Сторона')
        .requiredOption('--date <YYYY-MM-DD>', 'дата'),
    )
    .action(
      kit.act(async (out, opts: { events: string; from: string; to: string; date: string }) => {
        const date = dateOption(opts.date, '--date');
        const from = partyOption(opts.from, '--from');
        const to = partyOption(opts.to, '--to');
        const t = loadTreaty(await readJsonFile(opts.events, '--events'));
        const r = canSend(t, { from, to, date });
        print(out, r, (x) => (x.allowed ? `Да: ${x.reason}` : `Нет: ${x.reason}`));
      }),
    );
}
