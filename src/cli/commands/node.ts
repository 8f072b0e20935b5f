// Node administration from the server console: `eix node init`, `eix db
// migrate`, `eix body add`, `eix user add`, `eix audit verify`. The console is
// trusted (whoever runs it owns EIX_HOME), so these act as the system actor.
import { access, chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { createKeyFile } from '../../adapters/crypto/data-key.js';
import { migrate, openDatabase } from '../../adapters/db/database.js';
import { addBody, parseAddBodyInput } from '../../app/add-body.js';
import { addOfficer, parseAddOfficerInput } from '../../app/add-officer.js';
import { verifyAuditLog } from '../../app/audit.js';
import type { Actor } from '../../app/context.js';
import { EixError } from '../../domain/errors.js';
import { isSignatory, PARTIES } from '../../domain/parties.js';
import { nodePaths, startNode, type NodeInfo } from '../../main.js';
import { createApiToken } from '../../app/create-api-token.js';
import type { AppContext } from '../../app/context.js';
import { resetSecondFactor } from '../../app/reset-second-factor.js';
import { updateOfficer } from '../../app/update-officer.js';
import { partyOption, print, asOptions } from '../io.js';
import type { CommandKit } from '../program.js';
import { withNode } from '../node-context.js';

const CLI: Actor = { kind: 'system', name: 'cli' };

const BODY_OPTIONS = { id: '--id', name: '--name', kind: '--kind', parentId: '--parent', timeZone: '--time-zone' };
const USER_OPTIONS = {
  bodyId: '--body',
  login: '--login',
  fullName: '--full-name',
  position: '--position',
  roles: '--roles',
};

const exists = (file: string): Promise<boolean> =>
  access(file).then(
    () => true,
    () => false,
  );

async function officerIdByLogin(ctx: AppContext, login: string): Promise<string> {
  const officer = await ctx.db
    .selectFrom('officers')
    .select('id')
    .where('login', '=', login.toLowerCase())
    .executeTakeFirst();
  if (!officer) throw new EixError('officer.not_found', { field: '--login', login }, `Нет пользователя ${login}`);
  return officer.id;
}

const rolesOption = (value: string): string[] =>
  value
    .split(',')
    .map((r) => r.trim())
    .filter((r) => r !== '');

export function registerNodeCommands(program: Command, kit: CommandKit): void {
  const node = program.command('node').description('узел EIX: создание и запуск');
  kit
    .leaf(
      node
        .command('init')
        .description('создать узел в EIX_HOME: каталоги, ключ данных, база, центральный орган и первый администратор')
        .option('--party <CC>', 'Сторона, органы которой обслуживает узел', 'RU')
        .option('--name <text>', 'название узла')
        .option('--body-id <id>', 'идентификатор центрального органа (по умолчанию <cc>-central)')
        .option('--body-name <text>', 'наименование центрального органа')
        .option('--admin <login>', 'имя входа первого администратора', 'admin'),
    )
    .action(
      kit.act(
        async (out, opts: { party: string; name?: string; bodyId?: string; bodyName?: string; admin: string }) => {
          const party = partyOption(opts.party, '--party');
          const { config, clock } = kit.ctx;
          const home = config.home;
          const paths = nodePaths(home);
          if (await exists(paths.info)) {
            throw new EixError(
              'node.exists',
              { field: 'EIX_HOME', home },
              `Узел уже создан в ${home} (${paths.info}); повторная инициализация не выполняется`,
            );
          }
          // Everything is checked before anything is written.
          const body = await asOptions(
            () =>
              parseAddBodyInput({
                id: opts.bodyId ?? `${party.toLowerCase()}-central`,
                name: opts.bodyName ?? `Центральный орган ${party}`,
                kind: 'central',
              }),
            { id: '--body-id', name: '--body-name' },
          );
          const adminInput = {
            bodyId: body.id,
            login: opts.admin,
            fullName: 'Администратор узла',
            position: 'администратор',
            roles: ['admin'],
          };
          await asOptions(() => parseAddOfficerInput(adminInput), { login: '--admin' });

          const now = clock.now();
          await mkdir(home, { recursive: true, mode: 0o700 });
          await chmod(home, 0o700);
          await mkdir(paths.keys, { recursive: true, mode: 0o700 });
          if (!config.databaseUrl) await mkdir(paths.db, { recursive: true, mode: 0o700 });
          await createKeyFile(paths.dataKey, now);
          const info: NodeInfo = {
            party,
            name: opts.name ?? `Узел EIX: ${isSignatory(party) ? PARTIES[party].nameRu : party}`,
            createdAt: now.toISOString(),
          };
          let admin;
          try {
            await writeFile(paths.info, `${JSON.stringify(info, null, 2)}\n`, { flag: 'wx', mode: 0o600 });
            admin = await withNode(kit, async ({ ctx }) => {
              await addBody(ctx, CLI, body);
              return addOfficer(ctx, CLI, adminInput);
            });
          } catch (e) {
            // A half-made node is undone (the new key sealed nothing yet), so init can be rerun.
            await rm(paths.info, { force: true });
            await rm(paths.dataKey, { force: true });
            throw e;
          }
          const result = {
            home,
            party,
            name: info.name,
            bodyId: body.id,
            admin: { login: admin.officer.login, password: admin.password },
          };
          print(out, result, (r) =>
            [
              `Узел ${r.party} создан в ${r.home}`,
              `Центральный орган: ${r.bodyId}`,
              `Администратор: ${r.admin.login}`,
              `Пароль администратора (показывается один раз, сохраните его): ${r.admin.password}`,
            ].join('\n'),
          );
        },
      ),
    );

  kit
    .leaf(
      node
        .command('start')
        .description(
          'запустить узел: REST API (/api/v1, документация /api/docs), обмен с узлами других Сторон (взаимный TLS) и плановые задания (R9.6)',
        ),
    )
    .action(
      kit.act(async (out) => {
        const running = await startNode(kit.ctx.config, { clock: kit.ctx.clock });
        const n = running.wired;
        print(
          out,
          {
            party: n.node.party,
            address: running.apiUrl,
            api: `${running.apiUrl}/api/v1`,
            docs: `${running.apiUrl}/api/docs`,
            federation: running.federationUrl,
            database: n.database.location,
          },
          (r) =>
            [
              `Узел ${r.party} запущен: ${r.address}`,
              `API: ${r.api}`,
              `Документация API: ${r.docs}`,
              r.federation
                ? `Обмен с другими Сторонами (взаимный TLS): ${r.federation}`
                : 'Обмен с другими Сторонами не настроен: нет реестра доверия или ключей TLS',
              `База данных: ${r.database}`,
            ].join('\n'),
        );
        await new Promise<void>((resolve) => {
          process.once('SIGINT', () => resolve());
          process.once('SIGTERM', () => resolve());
        });
        await running.stop();
      }),
    );

  const db = program.command('db').description('база данных узла');
  kit
    .leaf(db.command('migrate').description('применить новые миграции (они также применяются при каждом запуске)'))
    .action(
      kit.act(async (out) => {
        const { config } = kit.ctx;
        const database = await openDatabase({
          ...(config.databaseUrl ? { url: config.databaseUrl } : { dir: nodePaths(config.home).db }),
          migrate: false,
        });
        let applied: string[];
        try {
          applied = await migrate(database.db);
        } finally {
          await database.close();
        }
        print(out, { applied, engine: database.engine, location: database.location }, (r) =>
          r.applied.length
            ? `Применены миграции (${r.engine}, ${r.location}): ${r.applied.join(', ')}`
            : `Новых миграций нет (${r.engine}, ${r.location})`,
        );
      }),
    );

  const body = program.command('body').description('органы узла');
  kit
    .leaf(
      body
        .command('add')
        .description('добавить орган Стороны узла')
        .requiredOption('--id <id>', 'идентификатор: строчные латинские буквы, цифры, дефис')
        .requiredOption('--name <text>', 'наименование органа')
        .requiredOption('--kind <kind>', 'central, territorial или other')
        .option('--parent <id>', 'вышестоящий орган')
        .option('--time-zone <IANA>', 'часовой пояс органа, если он отличается от часового пояса Стороны'),
    )
    .action(
      kit.act(async (out, opts: { id: string; name: string; kind: string; parent?: string; timeZone?: string }) => {
        const input = {
          id: opts.id,
          name: opts.name,
          kind: opts.kind,
          ...(opts.parent !== undefined ? { parentId: opts.parent } : {}),
          ...(opts.timeZone !== undefined ? { timeZone: opts.timeZone } : {}),
        };
        const b = await withNode(kit, ({ ctx }) => asOptions(() => addBody(ctx, CLI, input), BODY_OPTIONS));
        print(out, b, (x) => `Добавлен орган ${x.id} (${x.party}): ${x.name}`);
      }),
    );

  const user = program.command('user').description('пользователи узла');
  kit
    .leaf(
      user
        .command('add')
        .description('добавить пользователя; пароль создаётся и показывается один раз')
        .requiredOption('--body <id>', 'орган')
        .requiredOption('--login <login>', 'имя входа')
        .requiredOption('--full-name <text>', 'фамилия, имя, отчество')
        .requiredOption('--position <text>', 'должность')
        .requiredOption('--roles <list>', 'роли через запятую: officer, supervisor, central, admin'),
    )
    .action(
      kit.act(async (out, opts: { body: string; login: string; fullName: string; position: string; roles: string }) => {
        const input = {
          bodyId: opts.body,
          login: opts.login,
          fullName: opts.fullName,
          position: opts.position,
          roles: rolesOption(opts.roles),
        };
        const r = await withNode(kit, ({ ctx }) => asOptions(() => addOfficer(ctx, CLI, input), USER_OPTIONS));
        print(out, r, (x) =>
          [
            `Добавлен пользователь ${x.officer.login} (${x.officer.roles.join(', ')}) в орган ${x.officer.bodyId}`,
            `Пароль (показывается один раз, передайте его пользователю): ${x.password}`,
          ].join('\n'),
        );
      }),
    );

  // Break-glass (issue 13, item 3): the operator on the server applies roles at once, audited as system:cli —
  // the path when the node has a single administrator and a casework grant waits for a second one.
  kit
    .leaf(
      user
        .command('roles')
        .description('назначить роли пользователю сразу (оператор сервера; запись в журнале аудита)')
        .requiredOption('--login <login>', 'имя входа')
        .requiredOption('--roles <list>', 'роли через запятую: officer, supervisor, central, admin'),
    )
    .action(
      kit.act(async (out, opts: { login: string; roles: string }) => {
        const r = await withNode(kit, async ({ ctx }) => {
          const id = await officerIdByLogin(ctx, opts.login);
          return asOptions(() => updateOfficer(ctx, CLI, { id, roles: rolesOption(opts.roles) }), { roles: '--roles' });
        });
        print(out, r, (x) => `Пользователю ${x.officer.login} назначены роли: ${x.officer.roles.join(', ')}`);
      }),
    );
  kit
    .leaf(
      user
        .command('reset-second-factor')
        .description('сбросить второй фактор (потерян телефон и коды восстановления); сеансы пользователя завершаются')
        .requiredOption('--login <login>', 'имя входа'),
    )
    .action(
      kit.act(async (out, opts: { login: string }) => {
        const r = await withNode(kit, async ({ ctx }) =>
          resetSecondFactor(ctx, CLI, { officerId: await officerIdByLogin(ctx, opts.login) }),
        );
        print(out, r, () => `Второй фактор пользователя ${opts.login} сброшен; при входе он подключит его заново`);
      }),
    );

  const token = program.command('token').description('API-токены пользователей');
  kit
    .leaf(
      token
        .command('create')
        .description(
          'выпустить API-токен технической учётной записи без ролей officer, supervisor, central (показывается один раз; хранится только его хэш)',
        )
        .requiredOption('--login <login>', 'имя входа пользователя')
        .requiredOption('--name <text>', 'назначение токена, например «сценарий выгрузки»'),
    )
    .action(
      kit.act(async (out, opts: { login: string; name: string }) => {
        const r = await withNode(kit, async ({ ctx }) => {
          const officerId = await officerIdByLogin(ctx, opts.login);
          return asOptions(() => createApiToken(ctx, CLI, { name: opts.name, officerId }), { name: '--name' });
        });
        print(out, r, (x) => `API-токен ${x.id} («${x.name}»), показывается один раз:\n${x.token}`);
      }),
    );

  const audit = program.command('audit').description('журнал аудита (R9.1)');
  kit.leaf(audit.command('verify').description('проверить цепочку журнала аудита целиком')).action(
    kit.act(async (out) => {
      const verdict = await withNode(kit, ({ ctx }) => verifyAuditLog(ctx.db));
      const reasons = {
        hash: 'запись изменена (хеш не совпадает)',
        link: 'нарушена связь с предыдущей записью',
        sequence: 'нарушена нумерация (запись удалена или переставлена)',
      };
      print(out, verdict, (v) =>
        v.ok
          ? `Журнал аудита цел: записей ${v.count}`
          : `Журнал аудита нарушен: первая повреждённая запись № ${v.brokenAt} — ${reasons[v.reason]} (проверено записей: ${v.count})`,
      );
    }),
  );
}
