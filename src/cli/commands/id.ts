import type { Command } from 'commander';
import { checkNationalId, idLabelRu } from '../../domain/national-ids.js';
import { print } from '../io.js';
import type { CommandKit } from '../program.js';

export function registerIdCommands(program: Command, kit: CommandKit): void {
  const id = program.command('id').description('национальные идентификаторы (R11.1.c)');
  kit
    .leaf(
      id
        .command('check')
        .description('проверить идентификатор: eix id check RU INN 7707083893')
        .argument('<country>', 'код государства (RU, KZ, BY …)')
        .argument(
          '<kind>',
          'вид: INN, OGRN, OGRNIP, SNILS, IIN, BIN, UNP, PN, PINFL, PIN, SSN, TIN, VOEN, FIN, IDNO, IDNP, RNOKPP, EDRPOU',
        )
        .argument('<value>', 'значение'),
    )
    .action(
      kit.act((out, country: string, kind: string, value: string) => {
        const c = country.toUpperCase();
        const k = kind.toUpperCase();
        const r = checkNationalId(c, k, value);
        const result = r.valid
          ? {
              valid: true as const,
              normalized: r.normalized,
              country: c,
              kind: k,
              subject: r.subject,
              ...(r.details ? { details: r.details } : {}),
            }
          : { valid: false as const, reason: r.reason, message: r.message, country: c, kind: k };
        print(out, result, (x) =>
          x.valid ? `${idLabelRu(c, k)} ${x.normalized}: верный` : `${idLabelRu(c, k)}: неверный — ${x.message}`,
        );
      }),
    );
}
