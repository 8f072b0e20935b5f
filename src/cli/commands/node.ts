// Node administration from the server console: `eix node init`, `eix db
// migrate`, `eix body add`, `eix user add`, `eix audit verify|checkpoint`. The console is
// trusted (whoever runs it owns EIX_HOME), so these act as the system actor.
import { access, chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { firstCertificate, loadCheckpointSigner, verifyCheckpoint } from '../../adapters/crypto/audit-checkpoint.js';
import { createAuditKeyFile } from '../../adapters/crypto/audit-key.js';
import { createKeyFile } from '../../adapters/crypto/data-key.js';
import { migrate, openDatabase } from '../../adapters/db/database.js';
import { addBody, parseAddBodyInput } from '../../app/add-body.js';
import { getBodySeal } from '../../app/get-body-seal.js';
import { importBodyCertificate } from '../../app/import-body-certificate.js';
import { requestBodySeal } from '../../app/request-body-seal.js';
import { addOfficer, parseAddOfficerInput } from '../../app/add-officer.js';
import { verifyAuditLog } from '../../app/audit.js';
import { createAuditCheckpoint } from '../../app/create-audit-checkpoint.js';
import type { Actor } from '../../app/context.js';
import { EixError } from '../../domain/errors.js';
import { isSignatory, PARTIES, partyTimeZone } from '../../domain/parties.js';
import { webDates } from '../../web/dates.js';
import { nodePaths, startNode, type NodeInfo } from '../../main.js';
import { createApiToken, MAX_TOKEN_DAYS, TOKEN_DAYS } from '../../app/create-api-token.js';
import { listApiTokens } from '../../app/list-api-tokens.js';
import type { AppContext } from '../../app/context.js';
import { resetSecondFactor } from '../../app/reset-second-factor.js';
import { updateOfficer } from '../../app/update-officer.js';
import { partyOption, print, asOptions, readInputFile } from '../io.js';
import type { CommandKit } from '../program.js';
import { withNode } from '../node-context.js';
import { registerDataKeyCommands } from './data-key.js';
import { BODY_KIND_LABELS, partyName, rolesRu } from '../../domain/vocabulary.js';

const CLI: Actor = { kind: 'system', name: 'cli' };
/** ДД.ММ.ГГГГ in the time zone of the node's Party, as the web pages show it. */
const datesOf = (party: string) => webDates(partyTimeZone(party)).dateRu;

const BODY_OPTIONS = {
  id: '--id',
  name: '--name',
  kind: '--kind',
  parentId: '--parent',
  timeZone: '--time-zone',
  address: '--address',
  phone: '--phone',
  email: '--email',
};
const USER_OPTIONS = {
  bodyId: '--body',
  login: '--login',
  fullName: '--full-name',
  position: '--position',
  roles: '--roles',
  phone: '--phone',
  email: '--email',
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
          await createAuditKeyFile(paths.auditKey, now);
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
            await rm(paths.auditKey, { force: true });
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

  registerDataKeyCommands(node, kit);

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
        .option('--time-zone <IANA>', 'часовой пояс органа, если он отличается от часового пояса Стороны')
        .option('--address <text>', 'почтовый адрес органа (для бланка печатных форм)')
        .option('--phone <text>', 'телефон органа (для бланка)')
        .option('--email <address>', 'электронная почта органа (для бланка)'),
    )
    .action(
      kit.act(
        async (
          out,
          opts: {
            id: string;
            name: string;
            kind: string;
            parent?: string;
            timeZone?: string;
            address?: string;
            phone?: string;
            email?: string;
          },
        ) => {
          const input = {
            id: opts.id,
            name: opts.name,
            kind: opts.kind,
            ...(opts.parent !== undefined ? { parentId: opts.parent } : {}),
            ...(opts.timeZone !== undefined ? { timeZone: opts.timeZone } : {}),
            ...(opts.address !== undefined ? { address: opts.address } : {}),
            ...(opts.phone !== undefined ? { phone: opts.phone } : {}),
            ...(opts.email !== undefined ? { email: opts.email } : {}),
          };
          const b = await withNode(kit, ({ ctx }) => asOptions(() => addBody(ctx, CLI, input), BODY_OPTIONS));
          // Issue 15.1: the key stays in the node home; the CSR goes to the Party CA.
          const csr = path.join(nodePaths(kit.ctx.config.home).bodyKeys, `${b.id}.csr`);
          print(
            out,
            { ...b, csr },
            (x) =>
              `Добавлен орган «${x.name}» (${BODY_KIND_LABELS[x.kind]}, ${partyName(x.party)}), идентификатор ${x.id}\n` +
              `Ключ подписи органа создан на узле. Орган не может подписывать, пока не установлен сертификат печати:\n` +
              `  1. передайте запрос на сертификат ${x.csr} в удостоверяющий центр Стороны (eix pki body-cert --csr);\n` +
              `  2. установите выпущенный сертификат: eix body import-cert ${x.id} --cert <файл>`,
          );
        },
      ),
    );

  kit
    .leaf(
      body
        .command('csr')
        .description('показать запрос на сертификат печати органа (PKCS#10) или создать новый ключ и запрос (--new)')
        .argument('<body-id>', 'идентификатор органа')
        .option('--new', 'создать новый ключ и запрос (смена сертификата; текущий подписывает до установки нового)')
        .option('--out <file>', 'записать запрос в файл'),
    )
    .action(
      kit.act(async (out, bodyId: string, opts: { new?: boolean; out?: string }) => {
        const csrPem = await withNode(kit, async ({ ctx }) => {
          if (opts.new) return (await requestBodySeal(ctx, CLI, bodyId)).csrPem;
          const seal = await getBodySeal(ctx, CLI, bodyId);
          if (!seal?.csrPem)
            throw new EixError(
              'seal.no_request',
              { field: '<body-id>', bodyId },
              `Для органа ${bodyId} нет запроса на сертификат: создайте его командой eix body csr ${bodyId} --new`,
            );
          return seal.csrPem;
        });
        if (opts.out) await writeFile(opts.out, csrPem, { mode: 0o644 });
        print(out, { bodyId, csr: csrPem, ...(opts.out ? { file: opts.out } : {}) }, (r) =>
          r.file ? `Запрос на сертификат органа ${r.bodyId} записан: ${r.file}` : r.csr.trimEnd(),
        );
      }),
    );

  kit
    .leaf(
      body
        .command('import-cert')
        .description('установить сертификат печати органа, выпущенный удостоверяющим центром Стороны по запросу узла')
        .argument('<body-id>', 'идентификатор органа')
        .requiredOption('--cert <file>', 'сертификат PEM'),
    )
    .action(
      kit.act(async (out, bodyId: string, opts: { cert: string }) => {
        let certPem: string;
        try {
          certPem = await readFile(opts.cert, 'utf8');
        } catch {
          throw new EixError(
            'input.file',
            { field: '--cert', file: opts.cert },
            `Не удалось прочитать файл ${opts.cert} (--cert)`,
          );
        }
        let dateRu = datesOf('RU');
        const seal = await withNode(kit, ({ ctx }) => {
          dateRu = datesOf(ctx.party);
          return asOptions(() => importBodyCertificate(ctx, CLI, { bodyId, certPem }), { certificate: '--cert' });
        });
        print(out, seal, (x) =>
          x.certificate
            ? `Сертификат печати органа ${x.bodyId} установлен (серийный номер ${x.certificate.serialNumber}), действует до ${dateRu(x.certificate.notAfter)}. Сотрудники органа могут подписывать.`
            : `Сертификат печати органа ${x.bodyId} установлен`,
        );
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
        .requiredOption('--roles <list>', 'роли через запятую: officer, supervisor, central, admin')
        .option('--phone <text>', 'служебный телефон (печатается под подписью)')
        .option('--email <address>', 'служебная электронная почта (печатается под подписью)'),
    )
    .action(
      kit.act(
        async (
          out,
          opts: {
            body: string;
            login: string;
            fullName: string;
            position: string;
            roles: string;
            phone?: string;
            email?: string;
          },
        ) => {
          const input = {
            bodyId: opts.body,
            login: opts.login,
            fullName: opts.fullName,
            position: opts.position,
            roles: rolesOption(opts.roles),
            ...(opts.phone !== undefined ? { phone: opts.phone } : {}),
            ...(opts.email !== undefined ? { email: opts.email } : {}),
          };
          const r = await withNode(kit, ({ ctx }) => asOptions(() => addOfficer(ctx, CLI, input), USER_OPTIONS));
          print(out, r, (x) =>
            [
              `Добавлен пользователь ${x.officer.login} (${rolesRu(x.officer.roles)}) в орган ${x.officer.bodyId}`,
              `Пароль (показывается один раз, передайте его пользователю): ${x.password}`,
            ].join('\n'),
          );
        },
      ),
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
        print(out, r, (x) => `Пользователю ${x.officer.login} назначены роли: ${rolesRu(x.officer.roles)}`);
      }),
    );
  // Issue 17 item 3: the official address for e-mail notices (also printed under the signature).
  kit
    .leaf(
      user
        .command('email')
        .description('указать или удалить служебный адрес электронной почты (уведомления и бланки)')
        .requiredOption('--login <login>', 'имя входа')
        .option('--email <address>', 'адрес электронной почты')
        .option('--none', 'удалить адрес: письма не отправляются'),
    )
    .action(
      kit.act(async (out, opts: { login: string; email?: string; none?: boolean }) => {
        if ((opts.email === undefined) === !opts.none)
          throw new EixError('input.invalid', { field: '--email' }, 'Укажите --email <адрес> или --none');
        const r = await withNode(kit, async ({ ctx }) => {
          const id = await officerIdByLogin(ctx, opts.login);
          return asOptions(() => updateOfficer(ctx, CLI, { id, email: opts.none ? null : opts.email! }), {
            email: '--email',
          });
        });
        print(out, r, (x) =>
          opts.none
            ? `Адрес электронной почты пользователя ${x.officer.login} удалён: письма ему не отправляются`
            : `Адрес электронной почты пользователя ${x.officer.login}: ${opts.email}`,
        );
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
        .requiredOption('--name <text>', 'назначение токена, например «сценарий выгрузки»')
        .option('--expires-days <n>', `срок действия в днях, от 1 до ${MAX_TOKEN_DAYS} (по умолчанию ${TOKEN_DAYS})`),
    )
    .action(
      kit.act(async (out, opts: { login: string; name: string; expiresDays?: string }) => {
        let dateRu: (iso: string) => string = (iso) => iso;
        const r = await withNode(kit, async ({ ctx }) => {
          dateRu = datesOf(ctx.party);
          const officerId = await officerIdByLogin(ctx, opts.login);
          const days = opts.expiresDays;
          return asOptions(
            () =>
              createApiToken(ctx, CLI, {
                name: opts.name,
                officerId,
                // A non-number is passed on as text, so the schema names the option.
                ...(days !== undefined ? { expiresDays: /^\d+$/.test(days) ? Number(days) : days } : {}),
              }),
            { name: '--name', expiresDays: '--expires-days' },
          );
        });
        print(
          out,
          r,
          (x) =>
            `API-токен ${x.id} («${x.name}»), действует до ${dateRu(x.expiresAt)}, показывается один раз:\n${x.token}`,
        );
      }),
    );
  kit
    .leaf(
      token
        .command('list')
        .description('API-токены пользователей узла: срок действия, последнее использование, отзыв')
        .option('--login <login>', 'только токены этого пользователя'),
    )
    .action(
      kit.act(async (out, opts: { login?: string }) => {
        let dateRu: (iso: string) => string = (iso) => iso;
        const list = await withNode(kit, async ({ ctx }) => {
          dateRu = datesOf(ctx.party);
          let officerId: string | undefined;
          if (opts.login !== undefined) {
            const officer = await ctx.db
              .selectFrom('officers')
              .select('id')
              .where('login', '=', opts.login.toLowerCase())
              .executeTakeFirst();
            if (!officer)
              throw new EixError(
                'officer.not_found',
                { field: '--login', login: opts.login },
                `Нет пользователя ${opts.login}`,
              );
            officerId = officer.id;
          }
          return listApiTokens(ctx, CLI, officerId !== undefined ? { officerId } : {});
        });
        const state = { active: 'действует', expired: 'срок истёк', revoked: 'отозван' } as const;
        print(out, { tokens: list }, (x) =>
          x.tokens.length === 0
            ? 'API-токенов нет'
            : x.tokens
                .map(
                  (t) =>
                    `${t.id}  ${t.login}  «${t.name}»  выпущен ${dateRu(t.createdAt)}, действует до ${dateRu(t.expiresAt)}` +
                    `  ${state[t.status]}${t.lastUsedAt ? `, использован ${dateRu(t.lastUsedAt)}` : ''}`,
                )
                .join('\n'),
        );
      }),
    );

  const audit = program.command('audit').description('журнал аудита (R9.1)');
  kit
    .leaf(
      audit
        .command('verify')
        .description(
          'проверить журнал аудита целиком: цепочку хешей, ключевую цепочку HMAC и, с --checkpoint, что журнал по-прежнему содержит запись контрольной точки и не стал короче',
        )
        .option('--checkpoint <file>', 'подписанная контрольная точка (eix audit checkpoint), хранящаяся вне узла')
        .option('--cert <file>', 'сертификат узла для проверки подписи (по умолчанию keys/tls/node-chain.crt узла)'),
    )
    .action(
      kit.act(async (out, opts: { checkpoint?: string; cert?: string }) => {
        // The checkpoint is checked before the node is opened: bad input writes nothing, not even a new key.
        const checkpoint =
          opts.checkpoint !== undefined ? await readCheckpointFile(opts.checkpoint, opts.cert, kit) : undefined;
        const verdict = await withNode(kit, ({ ctx }) =>
          verifyAuditLog(ctx.db, { key: ctx.auditKey?.key, checkpoint }),
        );
        const result = checkpoint ? { ...verdict, checkpoint } : verdict;
        print(out, result, (v) =>
          v.ok
            ? [
                `Журнал аудита цел: записей ${v.count}` +
                  (v.legacy > 0
                    ? ` (первые ${v.legacy} сделаны до появления ключа журнала и защищены цепочкой хешей)`
                    : ''),
                ...(checkpoint
                  ? [
                      `Контрольная точка от ${checkpoint.at} (запись № ${checkpoint.seq}) подтверждена: запись не изменена, журнал не укорочен`,
                    ]
                  : []),
              ].join('\n')
            : `Журнал аудита нарушен: первая повреждённая запись № ${v.brokenAt} — ${AUDIT_REASONS[v.reason]} (проверено записей: ${v.count})`,
        );
      }),
    );

  kit
    .leaf(
      audit
        .command('checkpoint')
        .description(
          'проверить журнал и создать подписанную ключом узла контрольную точку (номер и хеш последней записи); хранится в базе и выводится или записывается в файл',
        )
        .option('--out <file>', 'записать контрольную точку (JWS) в файл; существующий файл не перезаписывается'),
    )
    .action(
      kit.act(async (out, opts: { out?: string }) => {
        const p = nodePaths(kit.ctx.config.home);
        const signer = await loadCheckpointSigner(p.tlsKey, p.tlsChain);
        const cp = await withNode(kit, ({ ctx, node }) =>
          createAuditCheckpoint(ctx, { signer, nodeId: node.nodeId ?? null }),
        );
        if (opts.out !== undefined) {
          try {
            await writeFile(opts.out, `${cp.jws}\n`, { flag: 'wx', mode: 0o644 });
          } catch (e) {
            const exists = (e as NodeJS.ErrnoException).code === 'EEXIST';
            throw new EixError(
              'input.file',
              { field: '--out', file: opts.out },
              exists
                ? `Файл ${opts.out} (--out) уже существует; контрольные точки не перезаписываются (она сохранена в базе)`
                : `Не удалось записать файл ${opts.out} (--out) (контрольная точка сохранена в базе)`,
            );
          }
        }
        print(out, { ...cp.payload, jws: cp.jws, file: opts.out ?? null }, (r) =>
          r.file
            ? `Контрольная точка журнала аудита: запись № ${r.seq}, записей ${r.count}, ${r.at}; записана в ${r.file}`
            : r.jws,
        );
      }),
    );
}

const AUDIT_REASONS = {
  hash: 'запись изменена (хеш не совпадает)',
  link: 'нарушена связь с предыдущей записью',
  sequence: 'нарушена нумерация (запись удалена или переставлена)',
  mac: 'запись изменена или добавлена без ключа журнала (HMAC не совпадает)',
  checkpoint: 'запись отличается от записи в контрольной точке (журнал переписан)',
  truncated: 'журнал короче, чем в контрольной точке (записи удалены с конца)',
} as const;

/** Reads a checkpoint file and verifies its signature with the node certificate (`--cert`, or the node's own). */
async function readCheckpointFile(file: string, certFile: string | undefined, kit: CommandKit) {
  const read = (f: string, field: string): Promise<string> => readInputFile(f, field, 'utf8');
  const jws = await read(file, '--checkpoint');
  let certPem: string | null;
  if (certFile !== undefined) certPem = firstCertificate(await read(certFile, '--cert'));
  else {
    const chain = nodePaths(kit.ctx.config.home).tlsChain;
    if (!(await exists(chain)))
      throw new EixError(
        'audit.no_signing_key',
        { field: '--cert', file: chain },
        `Нет сертификата узла ${chain}: укажите сертификат, которым подписана контрольная точка (--cert)`,
      );
    certPem = firstCertificate(await read(chain, '--cert'));
  }
  if (!certPem)
    throw new EixError('pki.certificate', { field: '--cert' }, 'Файл сертификата (--cert) не содержит сертификата PEM');
  try {
    return await verifyCheckpoint(jws, certPem);
  } catch (e) {
    if (e instanceof EixError)
      throw new EixError(
        e.code,
        { ...e.data, field: '--checkpoint', part: e.data.field ?? '', file },
        `${e.message} (--checkpoint ${file})`,
      );
    throw e;
  }
}
