import type { Command } from 'commander';
import { namesMatch, normalizeName } from '../../domain/names.js';
import { EixError } from '../../domain/errors.js';
import { print } from '../io.js';
import type { CommandKit } from '../program.js';

export function registerNameCommands(program: Command, kit: CommandKit): void {
  const name = program.command('name').description('сопоставление имён должников в кириллице и латинице');
  kit
    .leaf(
      name
        .command('match')
        .description('совпадают ли два написания имени: eix name match "Иванов Иван" "IVANOV IVAN"')
        .argument('<a>', 'первое написание')
        .argument('<b>', 'второе написание'),
    )
    .action(
      kit.act((out, a: string, b: string) => {
        for (const [field, v] of [
          ['a', a],
          ['b', b],
        ] as const) {
          if (normalizeName(v) === '')
            throw new EixError('input.invalid', { field }, `Аргумент ${field}: имя не содержит букв`);
        }
        const r = namesMatch(a, b);
        print(
          out,
          r,
          (x) => `${x.match ? 'совпадают' : 'не совпадают'} (оценка ${x.score}; ключи: ${x.key[0]} / ${x.key[1]})`,
        );
      }),
    );
}
