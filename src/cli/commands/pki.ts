// Federation PKI and the trust registry from the console: `eix pki …` issues
// the depositary root, Party CAs, node TLS and body signing certificates;
// `eix registry sign|verify|show` handles the depositary's signed registry,
// `eix registry install` puts a newer one in force on this node.
import { access, mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import {
  certificateInfo,
  createDepositaryCa,
  createPartyCa,
  issueBodyCertificate,
  issueBodyCertificateFromRequest,
  readBodyRequest,
  issueNodeCertificate,
  writePublicFile,
  writeSecretFile,
  type CertAndKey,
} from '../../adapters/crypto/pki.js';
import {
  decodeRegistryUnverified,
  registrySha256,
  signRegistry,
  verifyRegistry,
} from '../../adapters/crypto/registry-jws.js';
import { installRegistry } from '../../app/install-registry.js';
import { EixError } from '../../domain/errors.js';
import { nodePaths, openDatabaseFor, readNodeInfo } from '../../main.js';
import { partyFullName as partyName } from '../../domain/vocabulary.js';
import { parseRegistry } from '../../domain/registry.js';
import { partyOption, print, readInputFile, readJsonFile, asOptions } from '../io.js';
import type { CommandKit } from '../program.js';

const readText = (file: string, field: string): Promise<string> => readInputFile(file, field, 'utf8');

/** Reads `<dir>/<name>.crt` and `<dir>/<name>.key`. */
async function readPair(dir: string, name: string, field: string): Promise<CertAndKey> {
  return {
    certPem: await readText(path.join(dir, `${name}.crt`), field),
    keyPem: await readText(path.join(dir, `${name}.key`), field),
  };
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}

/** Writes `<dir>/<name>.crt` (0644) and `<dir>/<name>.key` (0600), refusing to overwrite either. */
async function writePair(dir: string, name: string, pair: CertAndKey): Promise<{ certificate: string; key: string }> {
  const certificate = path.join(dir, `${name}.crt`);
  const key = path.join(dir, `${name}.key`);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await writeSecretFile(key, pair.keyPem);
  await writePublicFile(certificate, pair.certPem);
  return { certificate, key };
}

/** Checks before issuing that nothing would be overwritten (keys are never replaced). */
async function refuseExisting(dir: string, name: string): Promise<void> {
  for (const file of [path.join(dir, `${name}.key`), path.join(dir, `${name}.crt`)]) {
    if (await exists(file))
      throw new EixError(
        'pki.exists',
        { field: '--out', file },
        `Файл ${file} уже существует; ключи и сертификаты не перезаписываются`,
      );
  }
}

function issued(r: { certificate: string; key: string; info: ReturnType<typeof certificateInfo> }): string {
  return [
    `Сертификат: ${r.certificate}`,
    `Закрытый ключ (храните в тайне, права 0600): ${r.key}`,
    `Субъект: ${r.info.subject}`,
    `Издатель: ${r.info.issuer}`,
    `Серийный номер: ${r.info.serialNumber}`,
    `Действует: ${r.info.notBefore} — ${r.info.notAfter}`,
    `SHA-256: ${r.info.sha256}`,
  ].join('\n');
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export function registerPkiCommands(program: Command, kit: CommandKit): void {
  const pki = program.command('pki').description('сертификаты федерации: депозитарий, УЦ Сторон, узлы, органы');

  kit
    .leaf(
      pki
        .command('depositary')
        .description('создать корневой УЦ депозитария (depositary.crt, depositary.key)')
        .requiredOption('--out <dir>', 'каталог для сертификата и ключа')
        .option('--name <text>', 'наименование депозитария', 'Депозитарий Соглашения (Исполнительный комитет СНГ)'),
    )
    .action(
      kit.act(async (out, opts: { out: string; name: string }) => {
        await refuseExisting(opts.out, 'depositary');
        const pair = await asOptions(() => createDepositaryCa({ name: opts.name, notBefore: kit.ctx.clock.now() }), {
          name: '--name',
        });
        const files = await writePair(opts.out, 'depositary', pair);
        print(out, { ...files, info: certificateInfo(pair.certPem) }, issued);
      }),
    );

  kit
    .leaf(
      pki
        .command('party-ca')
        .description('выпустить сертификат УЦ Стороны, подписанный депозитарием (party-ca.crt, party-ca.key)')
        .requiredOption('--party <CC>', 'код Стороны')
        .requiredOption('--issuer <dir>', 'каталог с depositary.crt и depositary.key')
        .requiredOption('--out <dir>', 'каталог для сертификата и ключа')
        .option('--name <text>', 'наименование Стороны'),
    )
    .action(
      kit.act(async (out, opts: { party: string; issuer: string; out: string; name?: string }) => {
        const party = partyOption(opts.party, '--party');
        const issuer = await readPair(opts.issuer, 'depositary', '--issuer');
        await refuseExisting(opts.out, 'party-ca');
        const pair = await asOptions(
          () => createPartyCa({ party, name: opts.name ?? partyName(party), issuer, notBefore: kit.ctx.clock.now() }),
          { name: '--name', issuer: '--issuer', party: '--party' },
        );
        const files = await writePair(opts.out, 'party-ca', pair);
        print(out, { ...files, info: certificateInfo(pair.certPem) }, issued);
      }),
    );

  kit
    .leaf(
      pki
        .command('node-cert')
        .description('выпустить TLS-сертификат узла (сервер и клиент; node.crt, node.key)')
        .requiredOption('--party <CC>', 'код Стороны')
        .requiredOption('--ca <dir>', 'каталог с party-ca.crt и party-ca.key')
        .requiredOption('--node-id <id>', 'идентификатор узла: строчные латинские буквы, цифры, дефис')
        .requiredOption('--host <name>', 'DNS-имя или IP-адрес узла (можно несколько раз)', collect, [])
        .requiredOption('--out <dir>', 'каталог для сертификата и ключа'),
    )
    .action(
      kit.act(async (out, opts: { party: string; ca: string; nodeId: string; host: string[]; out: string }) => {
        const party = partyOption(opts.party, '--party');
        const issuer = await readPair(opts.ca, 'party-ca', '--ca');
        await refuseExisting(opts.out, 'node');
        const pair = await asOptions(
          () =>
            issueNodeCertificate({
              party,
              nodeId: opts.nodeId,
              hosts: opts.host,
              issuer,
              notBefore: kit.ctx.clock.now(),
            }),
          { nodeId: '--node-id', hosts: '--host', issuer: '--ca', party: '--party' },
        );
        const files = await writePair(opts.out, 'node', pair);
        print(out, { ...files, info: certificateInfo(pair.certPem) }, issued);
      }),
    );

  kit
    .leaf(
      pki
        .command('body-cert')
        .description(
          'выпустить сертификат подписи органа: по запросу узла (--csr: только <body-id>.crt, ключ остаётся на узле) или вместе с ключом (<body-id>.crt, <body-id>.key)',
        )
        .requiredOption('--party <CC>', 'код Стороны')
        .requiredOption('--ca <dir>', 'каталог с party-ca.crt и party-ca.key')
        .option(
          '--csr <file>',
          'запрос на сертификат (PKCS#10), созданный узлом органа (eix body add, страница органа)',
        )
        .option('--body-id <id>', 'идентификатор органа (без --csr; с --csr — сверяется с запросом)')
        .option('--body-name <text>', 'наименование органа (без --csr)')
        .option('--valid-days <n>', 'срок действия в днях (по умолчанию 825)')
        .requiredOption('--out <dir>', 'каталог для сертификата (и ключа)'),
    )
    .action(
      kit.act(
        async (
          out,
          opts: {
            party: string;
            ca: string;
            csr?: string;
            bodyId?: string;
            bodyName?: string;
            validDays?: string;
            out: string;
          },
        ) => {
          const party = partyOption(opts.party, '--party');
          if (opts.bodyId !== undefined && !/^[a-z0-9][a-z0-9-]{1,62}$/.test(opts.bodyId)) {
            throw new EixError(
              'pki.input',
              { field: '--body-id', value: opts.bodyId },
              `Идентификатор органа: строчные латинские буквы, цифры и дефис, от 2 до 63 символов (получено: ${opts.bodyId})`,
            );
          }
          const validDays = opts.validDays === undefined ? undefined : Number(opts.validDays);
          const issuer = await readPair(opts.ca, 'party-ca', '--ca');
          if (opts.csr !== undefined) {
            // Issue 15.1: the body's key stays on its node; the CA signs the key of the request.
            const csrPem = await readText(opts.csr, '--csr');
            const request = await asOptions(() => readBodyRequest(csrPem, '--csr'), { csr: '--csr' });
            if (request.party !== party)
              throw new EixError(
                'pki.input',
                { field: '--csr', party: request.party },
                `Запрос на сертификат составлен для Стороны ${request.party}, а удостоверяющий центр — Стороны ${party}`,
              );
            if (opts.bodyId !== undefined && opts.bodyId !== request.bodyId)
              throw new EixError(
                'pki.input',
                { field: '--body-id', value: opts.bodyId },
                `Запрос на сертификат составлен для органа ${request.bodyId}, а не ${opts.bodyId}`,
              );
            const certificate = path.join(opts.out, `${request.bodyId}.crt`);
            if (await exists(certificate))
              throw new EixError(
                'pki.exists',
                { field: '--out', file: certificate },
                `Файл ${certificate} уже существует; сертификаты не перезаписываются`,
              );
            const r = await asOptions(
              () =>
                issueBodyCertificateFromRequest({
                  csrPem,
                  issuer,
                  notBefore: kit.ctx.clock.now(),
                  ...(validDays !== undefined ? { validDays } : {}),
                }),
              { csr: '--csr', issuer: '--ca', validDays: '--valid-days' },
            );
            await mkdir(opts.out, { recursive: true, mode: 0o700 });
            await writePublicFile(certificate, r.certPem);
            print(
              out,
              { certificate, bodyId: r.request.bodyId, info: certificateInfo(r.certPem) },
              (x) =>
                `Выпущен сертификат печати органа ${x.bodyId}: ${x.certificate}\nСубъект: ${x.info.subject}\nДействует до: ${x.info.notAfter}\nУстановите его на узле органа: eix body import-cert ${x.bodyId} --cert ${x.certificate} (или на странице органа)`,
            );
            return;
          }
          if (opts.bodyId === undefined || opts.bodyName === undefined)
            throw new EixError(
              'pki.input',
              { field: opts.bodyId === undefined ? '--body-id' : '--body-name' },
              'Укажите --csr (запрос узла органа) или --body-id и --body-name (ключ создаётся здесь)',
            );
          const bodyId = opts.bodyId;
          const bodyName = opts.bodyName;
          await refuseExisting(opts.out, bodyId);
          const pair = await asOptions(
            () =>
              issueBodyCertificate({
                party,
                bodyId,
                bodyName,
                issuer,
                notBefore: kit.ctx.clock.now(),
                ...(validDays !== undefined ? { validDays } : {}),
              }),
            {
              bodyId: '--body-id',
              bodyName: '--body-name',
              issuer: '--ca',
              party: '--party',
              validDays: '--valid-days',
            },
          );
          const files = await writePair(opts.out, bodyId, pair);
          print(out, { ...files, info: certificateInfo(pair.certPem) }, issued);
        },
      ),
    );

  kit
    .leaf(pki.command('show').description('показать сведения о сертификате').argument('<cert>', 'файл сертификата PEM'))
    .action(
      kit.act(async (out, file: string) => {
        const pem = await readText(file, '<cert>');
        const info = await asOptions(async () => certificateInfo(pem), { certificate: '<cert>' });
        print(out, info, (i) =>
          [
            `Субъект: ${i.subject}`,
            `Издатель: ${i.issuer}`,
            `Серийный номер: ${i.serialNumber}`,
            `Действует: ${i.notBefore} — ${i.notAfter}`,
            `SHA-256: ${i.sha256}`,
            `УЦ: ${i.isCa ? 'да' : 'нет'}`,
            ...(i.party ? [`Сторона: ${i.party}`] : []),
            ...(i.nodeId ? [`Узел: ${i.nodeId}`] : []),
            ...(i.bodyId ? [`Орган: ${i.bodyId}`] : []),
          ].join('\n'),
        );
      }),
    );

  const registry = program.command('registry').description('реестр доверия, подписанный депозитарием');

  kit
    .leaf(
      registry
        .command('build')
        .description(
          'собрать реестр доверия: события депозитария, Стороны (сертификаты УЦ, узлы), отзывы; версия выше предыдущей',
        )
        .requiredOption('--events <file>', 'события депозитария (JSON, как для eix treaty status)')
        .requiredOption(
          '--parties <file>',
          'Стороны: {"RU":{"name":"…","caCertificateFiles":["ru-ca.crt"],"nodes":[{"id":"ru-node","url":"https://…"}]}} (пути относительно файла)',
        )
        .option('--previous <registry>', 'предыдущий реестр JSON: версия +1, его отзывы сохраняются')
        .option(
          '--depositary-name <text>',
          'наименование депозитария',
          'Исполнительный комитет Содружества Независимых Государств',
        )
        .requiredOption('--out <file>', 'файл реестра JSON'),
    )
    .action(
      kit.act(
        async (
          out,
          opts: { events: string; parties: string; previous?: string; depositaryName: string; out: string },
        ) => {
          const events = (await readJsonFile(opts.events, '--events')) as { events?: unknown; rules?: unknown };
          const source = (await readJsonFile(opts.parties, '--parties')) as Record<
            string,
            { name?: string; caCertificateFiles?: string[]; nodes?: unknown[] }
          >;
          const previous = opts.previous ? parseRegistry(await readJsonFile(opts.previous, '--previous')) : null;
          const parties: Record<string, unknown> = {};
          for (const [cc, p] of Object.entries(source ?? {})) {
            if (!Array.isArray(p?.caCertificateFiles))
              throw new EixError(
                'registry.format',
                { field: `--parties: ${cc}.caCertificateFiles` },
                `Сторона ${cc}: укажите caCertificateFiles`,
              );
            const caCertificates = await Promise.all(
              p.caCertificateFiles.map((f) =>
                readText(path.resolve(path.dirname(opts.parties), f), `--parties: ${cc}.caCertificateFiles`),
              ),
            );
            parties[cc] = { name: p.name, caCertificates, nodes: p.nodes ?? [] };
          }
          const doc = parseRegistry({
            format: 'eix-registry/1',
            version: (previous?.version ?? 0) + 1,
            issuedAt: kit.ctx.clock.now().toISOString(),
            depositary: { name: opts.depositaryName },
            treaty: { events: events?.events, ...(events?.rules !== undefined ? { rules: events.rules } : {}) },
            parties,
            revocations: previous?.revocations ?? [],
          });
          await writePublicFile(opts.out, `${JSON.stringify(doc, null, 2)}\n`);
          print(
            out,
            {
              file: opts.out,
              version: doc.version,
              parties: Object.keys(doc.parties).sort(),
              events: doc.treaty.events.length,
            },
            (r) =>
              `Реестр доверия версии ${r.version} собран: ${r.file} (Стороны: ${r.parties.join(', ')}; событий: ${r.events}). Подпишите его: eix registry sign`,
          );
        },
      ),
    );

  kit
    .leaf(
      registry
        .command('revoke')
        .description(
          'отозвать сертификат (узла или органа): запись в список отзыва реестра, версия +1; затем eix registry sign',
        )
        .argument('<registry>', 'файл реестра JSON')
        .requiredOption('--cert <pem>', 'отзываемый сертификат')
        .option('--reason <text>', 'причина отзыва')
        .requiredOption('--out <file>', 'файл нового реестра JSON'),
    )
    .action(
      kit.act(async (out, file: string, opts: { cert: string; reason?: string; out: string }) => {
        const doc = parseRegistry(await readJsonFile(file, '<registry>'));
        const info = await asOptions(async () => certificateInfo(await readText(opts.cert, '--cert')), {
          certificate: '--cert',
        });
        const party = info.party && doc.parties[info.party] ? info.party : 'depositary';
        const next = parseRegistry({
          ...doc,
          version: doc.version + 1,
          issuedAt: kit.ctx.clock.now().toISOString(),
          revocations: [
            ...doc.revocations,
            {
              serialNumber: info.serialNumber,
              party,
              revokedAt: kit.ctx.clock.now().toISOString(),
              ...(opts.reason ? { reason: opts.reason } : {}),
            },
          ],
        });
        await writePublicFile(opts.out, `${JSON.stringify(next, null, 2)}\n`);
        print(
          out,
          { file: opts.out, version: next.version, revoked: info.serialNumber, subject: info.subject },
          (r) =>
            `Сертификат ${r.subject} (серийный номер ${r.revoked}) отозван в реестре версии ${r.version}: ${r.file}. Подпишите его: eix registry sign`,
        );
      }),
    );

  kit
    .leaf(
      registry
        .command('sign')
        .description('подписать реестр доверия ключом депозитария (компактная JWS)')
        .argument('<registry>', 'файл реестра JSON')
        .requiredOption('--depositary <dir>', 'каталог с depositary.crt и depositary.key')
        .requiredOption('--out <file>', 'файл подписанного реестра (.jws)'),
    )
    .action(
      kit.act(async (out, file: string, opts: { depositary: string; out: string }) => {
        const registryDoc = parseRegistry(await readJsonFile(file, '<registry>'));
        const depositary = await readPair(opts.depositary, 'depositary', '--depositary');
        const jws = await asOptions(() => signRegistry(registryDoc, depositary), { depositary: '--depositary' });
        await writePublicFile(opts.out, `${jws}\n`);
        const result = {
          file: opts.out,
          version: registryDoc.version,
          issuedAt: registryDoc.issuedAt,
          sha256: registrySha256(registryDoc),
        };
        print(out, result, (r) => `Реестр доверия версии ${r.version} подписан: ${r.file}\nSHA-256: ${r.sha256}`);
      }),
    );

  kit
    .leaf(
      registry
        .command('install')
        .description(
          'установить новый реестр доверия на узел (EIX_HOME): подпись проверяется закреплённым сертификатом депозитария, более старая версия не принимается; работающий узел применяет его без перезапуска',
        )
        .argument('<file>', 'файл подписанного реестра (.jws)'),
    )
    .action(
      kit.act(async (out, file: string) => {
        const { config } = kit.ctx;
        await readNodeInfo(config.home);
        const paths = nodePaths(config.home);
        const jws = await readText(file, '<file>');
        const depositaryPem = await readText(paths.depositary, 'trust/depositary.crt');
        // The embedded database is held by a running node: then the file is the hand-over and the node records it.
        const database = await openDatabaseFor(config).catch((e: unknown) => {
          if (e instanceof EixError && e.code === 'node.busy') return null;
          throw e;
        });
        try {
          const r = await installRegistry(
            { db: database?.db ?? null },
            { jws, depositaryPem, file: paths.registry, origin: 'operator' },
          ).catch((e: unknown) => {
            if (!(e instanceof EixError)) throw e;
            throw new EixError(
              e.code,
              { ...e.data, field: '<file>', file },
              `Реестр доверия из файла ${file} не установлен: ${e.message}`,
            );
          });
          const result = {
            file: paths.registry,
            version: r.registry.version,
            issuedAt: r.registry.issuedAt,
            sha256: r.sha256,
            previousVersion: r.previousVersion,
            recorded: r.recorded,
          };
          print(out, result, (x) =>
            [
              x.previousVersion === x.version
                ? `Реестр доверия версии ${x.version} уже установлен: ${x.file}`
                : `Реестр доверия версии ${x.version} от ${x.issuedAt} установлен: ${x.file}` +
                  (x.previousVersion !== null ? ` (была версия ${x.previousVersion})` : ''),
              x.recorded
                ? 'Работающий узел применит его без перезапуска (проверка файла и базы данных каждые EIX_REGISTRY_CHECK_SECONDS секунд)'
                : 'База данных узла открыта работающим узлом: он проверит, применит и запишет реестр из файла без перезапуска',
            ].join('\n'),
          );
        } finally {
          await database?.close();
        }
      }),
    );

  kit
    .leaf(
      registry
        .command('verify')
        .description('проверить подпись реестра доверия закреплённым сертификатом депозитария')
        .argument('<jws>', 'файл подписанного реестра')
        .requiredOption('--depositary-cert <pem>', 'закреплённый сертификат депозитария'),
    )
    .action(
      kit.act(async (out, file: string, opts: { depositaryCert: string }) => {
        const jws = await readText(file, '<jws>');
        const cert = await readText(opts.depositaryCert, '--depositary-cert');
        const reg = await asOptions(() => verifyRegistry(jws, cert), {
          depositaryCert: '--depositary-cert',
          jws: '<jws>',
          payload: '<jws>',
        });
        const result = {
          ok: true,
          version: reg.version,
          issuedAt: reg.issuedAt,
          depositary: reg.depositary.name,
          parties: Object.keys(reg.parties).sort(),
          sha256: registrySha256(reg),
        };
        print(
          out,
          result,
          (r) =>
            `Подпись реестра доверия верна: версия ${r.version} от ${r.issuedAt}, депозитарий «${r.depositary}»\nСтороны: ${r.parties.join(', ')}`,
        );
      }),
    );

  kit
    .leaf(
      registry
        .command('show')
        .description('показать содержимое реестра доверия (без проверки подписи)')
        .argument('<file>', 'файл .jws или .json'),
    )
    .action(
      kit.act(async (out, file: string) => {
        const text = (await readText(file, '<file>')).trim();
        const content = text.startsWith('{') ? await readJsonFile(file, '<file>') : decodeRegistryUnverified(text);
        const note =
          'Подпись не проверялась: для проверки выполните eix registry verify с закреплённым сертификатом депозитария';
        print(
          out,
          { verified: false, note, registry: content },
          (r) => `${r.note}\n${JSON.stringify(r.registry, null, 2)}`,
        );
      }),
    );
}
