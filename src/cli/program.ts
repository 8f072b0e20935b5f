// The `eix` program: commander wiring only. Each command parses its input,
// calls one domain function or use case and prints the answer (rule 3).
import { Command, CommanderError } from 'commander';
import type { Clock } from '../ports/clock.js';
import type { Config } from '../config/config.js';
import { EixError } from '../domain/errors.js';
import { EXIT_OK, printError, type Io, type Output } from './io.js';
import { registerIdCommands } from './commands/id.js';
import { registerCalendarCommands } from './commands/calendar.js';
import { registerTreatyCommands } from './commands/treaty.js';
import { registerRequestCommands } from './commands/request.js';
import { registerNameCommands } from './commands/name.js';
import { registerNodeCommands } from './commands/node.js';
import { registerPkiCommands } from './commands/pki.js';
import { registerPdfCommands } from './commands/pdf.js';
import { registerEvidenceCommands } from './commands/evidence.js';

export interface CliContext {
  readonly io: Io;
  readonly clock: Clock;
  readonly config: Config;
}

/** What a command module gets: the context and `act`, which wraps an action with the output contract. */
export interface CommandKit {
  readonly ctx: CliContext;
  act<A extends unknown[]>(
    fn: (out: Output, ...args: A) => Promise<void> | void,
  ): (...args: unknown[]) => Promise<void>;
  /** Declares a leaf command's `--json` flag. */
  leaf(cmd: Command): Command;
}

export async function runCli(argv: readonly string[], ctx: CliContext): Promise<number> {
  let exitCode = EXIT_OK;
  const wantsJson = argv.includes('--json');
  const program = new Command('eix')
    .description('EIX — обмен информацией при принудительном исполнении (Соглашение СНГ)')
    .version('0.1.0', '-V, --version')
    .showHelpAfterError(false)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => ctx.io.out(s),
      // Commander's own parse errors are reported by the catch below, in the contract's shape.
      writeErr: () => undefined,
    });

  const kit: CommandKit = {
    ctx,
    act:
      (fn) =>
      async (...args) => {
        const cmd = args[args.length - 1] as Command;
        const out: Output = { json: Boolean(cmd.opts().json), io: ctx.io };
        try {
          await fn(out, ...(args.slice(0, -1) as never));
        } catch (e) {
          exitCode = printError(out, e);
        }
      },
    leaf: (cmd) => cmd.option('--json', 'ответ в формате JSON (для сценариев)'),
  };
  registerIdCommands(program, kit);
  registerCalendarCommands(program, kit);
  registerTreatyCommands(program, kit);
  registerRequestCommands(program, kit);
  registerNameCommands(program, kit);
  registerNodeCommands(program, kit);
  registerPkiCommands(program, kit);
  registerPdfCommands(program, kit);
  registerEvidenceCommands(program, kit);

  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help')
        return EXIT_OK;
      return printError({ json: wantsJson, io: ctx.io }, commanderToEix(e));
    }
    return printError({ json: wantsJson, io: ctx.io }, e);
  }
  return exitCode;
}

/** Commander's parse errors become coded, Russian input errors (exit 2). */
function commanderToEix(e: CommanderError): EixError {
  const arg = /'([^']+)'/.exec(e.message)?.[1] ?? '';
  const messages: Record<string, string> = {
    'commander.missingMandatoryOptionValue': `Не указан обязательный параметр ${arg}`,
    'commander.optionMissingArgument': `Не указано значение параметра ${arg}`,
    'commander.missingArgument': `Не указан обязательный аргумент ${arg}`,
    'commander.unknownOption': `Неизвестный параметр ${arg}`,
    'commander.unknownCommand': `Неизвестная команда ${arg}`,
    'commander.excessArguments': 'Лишние аргументы команды',
    'commander.invalidArgument': `Неверное значение аргумента ${arg}`,
  };
  const field = arg || undefined;
  return new EixError(
    'input.invalid',
    { reason: e.code.replace('commander.', ''), field },
    messages[e.code] ?? `Неверный вызов команды: ${e.message.replace(/^error: /, '')}`,
  );
}
