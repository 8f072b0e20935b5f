// Data key management from the server console (R9.4, ASVS V1.6.3):
// `eix node rotate-data-key`, `eix node reseal`, `eix node retire-data-key <id>`.
// Each opens the node like the other console commands (withNode): on the
// embedded database a running node holds its lock and the command is refused
// (node.busy) before anything changes; on PostgreSQL every running node process
// must be restarted after a rotation to seal with the new key.
import type { Command } from 'commander';
import { dataKeyFile } from '../../adapters/crypto/data-key.js';
import type { Actor } from '../../app/context.js';
import { resealData } from '../../app/reseal-data.js';
import { retireDataKey } from '../../app/retire-data-key.js';
import { rotateDataKey } from '../../app/rotate-data-key.js';
import { EixError } from '../../domain/errors.js';
import { nodePaths } from '../../main.js';
import { asOptions, print } from '../io.js';
import { withNode } from '../node-context.js';
import type { CommandKit } from '../program.js';

const CLI: Actor = { kind: 'system', name: 'cli' };

const byKeyText = (byKey: Readonly<Record<string, number>>): string =>
  Object.entries(byKey)
    .map(([k, n]) => `${k}: ${n}`)
    .join(', ') || 'нет зашифрованных значений';

function batchOption(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 10_000) {
    throw new EixError(
      'input.invalid',
      { field: '--batch-size', value },
      `Параметр --batch-size: целое число от 1 до 10000 (получено: ${value})`,
    );
  }
  return n;
}

export function registerDataKeyCommands(node: Command, kit: CommandKit): void {
  kit
    .leaf(
      node
        .command('rotate-data-key')
        .description(
          'новый ключ шифрования персональных данных: добавляется в файл ключей и становится активным; старые ключи остаются для чтения (затем eix node reseal)',
        ),
    )
    .action(
      kit.act(async (out) => {
        const keys = dataKeyFile(nodePaths(kit.ctx.config.home).dataKey);
        const r = await withNode(kit, ({ ctx }) => rotateDataKey(ctx, CLI, { keys }));
        print(out, { ...r, restartRequired: true }, (x) =>
          [
            `Новый активный ключ данных: ${x.keyId} (предыдущий: ${x.previousKeyId})`,
            `Ключи в файле: ${x.keys.join(', ')}`,
            'Перезапустите все процессы узла: до перезапуска они шифруют новые данные прежним ключом.',
            'Затем выполните eix node reseal, чтобы перешифровать сохранённые данные новым ключом.',
          ].join('\n'),
        );
      }),
    );

  kit
    .leaf(
      node
        .command('reseal')
        .description(
          'перешифровать активным ключом все персональные данные, зашифрованные прежними ключами (пакетами; повторный запуск продолжает)',
        )
        .option('--batch-size <n>', 'строк в одной транзакции (1–10000)'),
    )
    .action(
      kit.act(async (out, opts: { batchSize?: string }) => {
        const batchSize = batchOption(opts.batchSize);
        const r = await withNode(kit, ({ ctx }) =>
          asOptions(() => resealData(ctx, CLI, batchSize === undefined ? {} : { batchSize }), {
            batchSize: '--batch-size',
          }),
        );
        print(out, r, (x) =>
          [
            `Активный ключ: ${x.activeKeyId}`,
            ...x.columns.map(
              (c) =>
                `  ${c.column}: перешифровано ${c.resealed}${c.unreadable.length ? `, не расшифровано ${c.unreadable.length}: ${c.unreadable.join(', ')}` : ''}`,
            ),
            `Всего перешифровано: ${x.resealed}; не расшифровано: ${x.unreadable}`,
            `Значения по ключам: ${byKeyText(x.byKey)}`,
          ].join('\n'),
        );
      }),
    );

  kit
    .leaf(
      node
        .command('retire-data-key')
        .description('удалить прежний ключ данных из файла ключей, если им больше ничего не зашифровано')
        .argument('<keyId>', 'идентификатор ключа (например, k1a2b3c4d)'),
    )
    .action(
      kit.act(async (out, keyId: string) => {
        const keys = dataKeyFile(nodePaths(kit.ctx.config.home).dataKey);
        const r = await withNode(kit, ({ ctx }) =>
          asOptions(() => retireDataKey(ctx, CLI, { keyId, keys }), { keyId: '<keyId>' }),
        );
        print(out, r, (x) => `Ключ ${x.keyId} выведен из обращения. Ключи в файле: ${x.keys.join(', ')}`);
      }),
    );
}
