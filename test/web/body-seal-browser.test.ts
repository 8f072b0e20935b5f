/// <reference lib="dom" />
// Issue 15.1, the Done-when walk in real headless Chromium (ru-RU, each node's time zone) on a three-node
// federation: RU's administrator adds the body ru-fssp-50 and its officer; the officer, signed in before the
// seal certificate is imported, is told plainly on his start page and on the new-request form that his body
// cannot sign. The administrator downloads the body's certificate signing request; the Party CA issues the
// certificate from it at the console (`eix pki body-cert --csr`, RU's CA of the demo PKI); the administrator
// uploads the file on the body's page. The body is not yet designated (R18): the body page and the officer say
// «не внесён в реестр доверия». The depositary's clerk issues registry version 2 with a new RU `bodies` event
// that lists ru-fssp-50 (`eix registry build|sign`, the demo depositary key) and it is installed on the nodes
// (`eix registry install`; running nodes apply it without a restart). The officer then drafts and signs a
// request to Kazakhstan in the UI, and KZ receives it. Screenshots: test-results/seal-*.png.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { generate } from 'otplib';
import { fixedClock } from '../../src/adapters/clock/system-clock.js';
import { createProceeding } from '../../src/app/create-proceeding.js';
import { decideRoleGrant } from '../../src/app/decide-role-grant.js';
import { runCli } from '../../src/cli/program.js';
import { readConfig } from '../../src/config/config.js';
import { PARTIES, partyDay } from '../../src/domain/parties.js';
import type { Registry } from '../../src/domain/registry.js';
import { isDesignated } from '../../src/domain/treaty.js';
import type { DemoParty } from '../../src/demo/federation.js';
import { officer, startTestFederation } from '../support/federation.js';
import { enrolSecondFactor, seedOfficer } from '../support/app.js';
import { aRequest } from '../support/requests.js';
import { browserSkip, checkAccessible, launchBrowser, readPlainRussian } from '../support/browser.js';

const BODY = 'ru-fssp-50';
const BODY_NAME = 'ГУФССП России по Московской области';
const OFFICER_LOGIN = 'ru.fssp50';
const OFFICER_PASSWORD = 'Подмосковье-печать-2026-надёжно';

describe(
  'issue 15.1: a new body, its seal from the Party CA, its designation, its first request',
  { skip: browserSkip },
  () => {
    let fed: Awaited<ReturnType<typeof startTestFederation>>;
    let browser: Browser;
    let work: string;

    before(async () => {
      // Running nodes look at their registry.jws often, so that an installed registry takes effect quickly.
      fed = await startTestFederation({ env: { EIX_REGISTRY_CHECK_SECONDS: '0.2' } });
      browser = await launchBrowser();
      work = path.join(fed.dir, 'operator');
      await mkdir(work, { recursive: true });
    });
    after(async () => {
      await browser?.close();
      await fed?.close();
    });

    /** The console, as an operator runs it: `eix …` in-process, with --json. */
    async function eix(home: string | null, ...argv: string[]): Promise<Record<string, unknown>> {
      let out = '';
      let err = '';
      const code = await runCli([...argv, '--json'], {
        io: { out: (t) => void (out += t), err: (t) => void (err += t) },
        clock: fixedClock(new Date()),
        config: readConfig(home ? { EIX_HOME: home } : {}),
      });
      assert.equal(code, 0, `eix ${argv.join(' ')}: ${out}${err}`);
      return JSON.parse(out) as Record<string, unknown>;
    }

    async function open(party: 'RU' | 'KZ'): Promise<Page> {
      const context = await browser.newContext({
        viewport: { width: 1280, height: 900 },
        locale: 'ru-RU',
        timezoneId: PARTIES[party].timeZone,
        acceptDownloads: true,
      });
      return context.newPage();
    }
    async function signIn(party: 'RU' | 'KZ', login: string, password: string): Promise<Page> {
      const page = await open(party);
      await page.goto(`${fed.nodes[party].apiUrl}/login`);
      await page.getByLabel('Имя пользователя').fill(login);
      await page.getByLabel('Пароль').fill(password);
      await page.getByRole('button', { name: 'Войти' }).click();
      return page;
    }
    const read = (page: Page, name: string) =>
      readPlainRussian(page, `seal-${name}`, {
        dropCode: true,
        names: [...fed.logins.map((l) => l.login), OFFICER_LOGIN, BODY, 'ru-fssp', 'ru-node'],
      });
    const waitFor = async (what: string, cond: () => boolean, ms = 15_000) => {
      const until = Date.now() + ms;
      while (!cond()) {
        if (Date.now() > until) assert.fail(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };

    test('R11.3, R18: added, told it cannot sign, sealed by the Party CA, designated by the depositary, heard by KZ', async () => {
      const ru = fed.nodes.RU.wired.ctx;
      const base = fed.nodes.RU.apiUrl;

      // The administrator signs in with his second factor and adds the body and its officer.
      const adminOfficer = await officer(fed.nodes.RU, 'ru.admin');
      const secret = await enrolSecondFactor(ru, adminOfficer.officerId);
      const admin = await signIn('RU', 'ru.admin', fed.logins.find((l) => l.login === 'ru.admin')!.password);
      await admin.waitForURL(/\/login\/code$/);
      await admin
        .getByLabel('Код')
        .fill(await generate({ secret, epoch: Math.floor(ru.clock.now().getTime() / 1000) }));
      await admin.getByRole('button', { name: 'Подтвердить' }).click();
      await admin.waitForURL(/\/admin$/);
      await admin.fill('#body-id', BODY);
      await admin.fill('#body-name', BODY_NAME);
      await admin.fill('#body-address', '143400, г. Красногорск, ул. Речная, д. 8');
      await admin.getByRole('button', { name: 'Добавить орган' }).click();
      await admin.waitForURL(/\/admin$/);
      await admin.selectOption('#o-body', { label: BODY_NAME });
      await admin.fill('#o-login', OFFICER_LOGIN);
      await admin.fill('#o-name', 'Громов Илья Петрович');
      await admin.fill('#o-position', 'судебный пристав-исполнитель');
      await admin.check('#role-officer');
      await admin.getByRole('button', { name: 'Добавить пользователя' }).click();
      await admin.waitForSelector('#one-time-password');
      const oneTime = (await admin.locator('#one-time-password code').innerText()).trim();
      // Separation of duties: a casework role given by one administrator waits for a second one's approval.
      const grant = await ru.db
        .selectFrom('role_grants')
        .innerJoin('officers', 'officers.id', 'role_grants.officer_id')
        .select('role_grants.id')
        .where('officers.login', '=', OFFICER_LOGIN)
        .executeTakeFirstOrThrow();
      const secondAdmin = await seedOfficer(ru, 'ru-fssp', ['admin']);
      await decideRoleGrant(ru, secondAdmin, { id: grant.id, decision: 'approve' });

      // The officer's first sign-in: a new password, then his start page says plainly that his body cannot sign.
      const me = await signIn('RU', OFFICER_LOGIN, oneTime);
      await me.waitForURL(/\/password$/);
      await me.locator('#current').fill(oneTime);
      await me.locator('#next').fill(OFFICER_PASSWORD);
      await me.getByRole('button', { name: 'Сменить пароль' }).click();
      await me.waitForSelector('text=Пароль изменён');
      await me.goto(`${base}/`);
      const dashboard = await read(me, 'officer-before');
      assert.match(dashboard, /Ваш орган не может подписывать: нет сертификата печати/);
      assert.match(dashboard, /Ваш орган не внесён в реестр доверия/);
      // … and so does the new-request form, before he fills anything in.
      const officerActor = await officer(fed.nodes.RU, OFFICER_LOGIN);
      const example = aRequest();
      const proceedingId = (
        await createProceeding(ru, officerActor, {
          number: '5050/26/50001-ИП',
          openedOn: '2026-03-02',
          debtor: example.debtor,
          creditor: example.creditor,
          executiveDocuments: [example.executiveDocument],
        })
      ).id;
      await me.goto(`${base}/requests/new?proceeding=${proceedingId}`);
      assert.match(
        await me.locator('#seal-banner').innerText(),
        /Ваш орган не может подписывать: нет сертификата печати/,
      );

      // The body's page: it cannot sign, is not designated; the administrator downloads the request.
      await admin.goto(`${base}/admin/bodies/${BODY}`);
      const bodyBefore = await read(admin, 'body-before');
      assert.match(bodyBefore, /Орган не может подписывать: нет сертификата печати/);
      assert.match(bodyBefore, /Орган не внесён в реестр доверия/);
      const [download] = await Promise.all([
        admin.waitForEvent('download'),
        admin.getByRole('link', { name: 'Скачать запрос на сертификат' }).click(),
      ]);
      assert.equal(download.suggestedFilename(), `${BODY}.csr`);
      const csrFile = path.join(work, `${BODY}.csr`);
      await download.saveAs(csrFile);
      assert.match(await readFile(csrFile, 'utf8'), /BEGIN CERTIFICATE REQUEST/);

      // The Party CA issues the seal certificate from the request at its console (the key never left the node).
      const issued = await eix(
        null,
        'pki',
        'body-cert',
        '--party',
        'RU',
        '--ca',
        path.join(fed.dir, 'pki', 'ru'),
        '--csr',
        csrFile,
        '--out',
        path.join(work, 'issued'),
      );
      const certFile = String(issued.certificate);
      assert.equal(path.basename(certFile), `${BODY}.crt`);

      // The administrator uploads the file on the body's page.
      await admin.setInputFiles('#certificate-file', certFile);
      await admin.getByRole('button', { name: 'Установить сертификат' }).click();
      await admin.waitForURL(new RegExp(`/admin/bodies/${BODY}$`));
      const bodySealed = await read(admin, 'body-sealed');
      assert.match(bodySealed, /Сертификат печати установлен/);
      assert.match(bodySealed, /Сертификат печати действует/);
      assert.match(bodySealed, /Орган не внесён в реестр доверия/);
      await checkAccessible(admin, 'seal-body-sealed');
      await me.goto(`${base}/`);
      const dashboardSealed = await read(me, 'officer-sealed');
      assert.doesNotMatch(dashboardSealed, /нет сертификата печати/);
      assert.match(dashboardSealed, /Ваш орган не внесён в реестр доверия/);

      // The depositary's clerk: registry version 2 with RU's new list of bodies (dated today), signed, installed.
      const registryNow = fed.nodes.RU.wired.federation!.registry();
      const previous = (await eix(null, 'registry', 'show', path.join(fed.dir, 'registry.jws'))) as {
        registry: Registry;
      };
      await writeFile(path.join(work, 'registry-v1.json'), JSON.stringify(previous.registry, null, 2));
      const today = partyDay(new Date(), 'RU');
      const ruBodies = registryNow.treaty.events
        .filter((e) => e.type === 'bodies' && e.party === 'RU')
        .at(-1) as Extract<Registry['treaty']['events'][number], { type: 'bodies' }>;
      const events = {
        events: [
          ...previous.registry.treaty.events,
          {
            ...ruBodies,
            date: today,
            territorial: [...(ruBodies.territorial ?? []), { id: BODY, name: BODY_NAME, region: 'Московская область' }],
          },
        ],
        ...(previous.registry.treaty.rules !== undefined ? { rules: previous.registry.treaty.rules } : {}),
      };
      await writeFile(path.join(work, 'events.json'), JSON.stringify(events, null, 2));
      const parties = Object.fromEntries(
        Object.entries(previous.registry.parties).map(([cc, p]) => [
          cc,
          { name: p.name, caCertificateFiles: [`../pki/${cc.toLowerCase()}/party-ca.crt`], nodes: p.nodes },
        ]),
      );
      await writeFile(path.join(work, 'parties.json'), JSON.stringify(parties, null, 2));
      const built = await eix(
        null,
        'registry',
        'build',
        '--events',
        path.join(work, 'events.json'),
        '--parties',
        path.join(work, 'parties.json'),
        '--previous',
        path.join(work, 'registry-v1.json'),
        '--depositary-name',
        previous.registry.depositary.name,
        '--out',
        path.join(work, 'registry-v2.json'),
      );
      assert.equal(built.version, previous.registry.version + 1);
      await eix(
        null,
        'registry',
        'sign',
        path.join(work, 'registry-v2.json'),
        '--depositary',
        path.join(fed.dir, 'pki'),
        '--out',
        path.join(work, 'registry-v2.jws'),
      );
      for (const party of ['RU', 'KZ', 'BY'] as DemoParty[])
        await eix(path.join(fed.dir, party.toLowerCase()), 'registry', 'install', path.join(work, 'registry-v2.jws'));
      for (const party of ['RU', 'KZ'] as const)
        await waitFor(`${party} to apply registry version 2`, () =>
          isDesignated(fed.nodes[party].wired.ctx.treaty(), 'RU', BODY, partyDay(new Date(), party)),
        );

      // Designated and sealed: the banners are gone, the body page says it can sign.
      await admin.goto(`${base}/admin/bodies/${BODY}`);
      const bodyReady = await read(admin, 'body-ready');
      assert.match(bodyReady, /Орган может подписывать/);
      assert.doesNotMatch(bodyReady, /не внесён в реестр доверия/);
      await me.goto(`${base}/`);
      assert.equal(await me.locator('#seal-banner, #registry-banner').count(), 0);

      // The officer's request to Kazakhstan, drafted, reviewed and signed in the UI.
      await me.goto(`${base}/requests/new?proceeding=${proceedingId}`);
      await me.selectOption('#requestedBody', {
        label: 'Казахстан — Министерство юстиции Республики Казахстан (орган принудительного исполнения)',
      });
      await me.check('#item_property');
      await me.check('#property_subItems-a');
      await me.fill('#grounds', 'Должник имеет счета в банках Республики Казахстан.');
      await me.locator('#grounds').dispatchEvent('change');
      await me.waitForSelector('text=Ошибок нет');
      await me.getByRole('button', { name: 'Проверить запрос' }).click();
      await me.waitForSelector('h1:has-text("Проверьте запрос перед подписанием")');
      await me.check('#confirmed');
      await me.getByRole('button', { name: 'Подписать и отправить' }).click();
      await me.waitForURL(/\/requests\/[0-9a-f-]{36}$/);
      const requestId = /\/requests\/([0-9a-f-]{36})$/.exec(me.url())![1]!;
      for (let i = 0; i < 3; i++) for (const p of ['RU', 'KZ'] as const) await fed.nodes[p].worker!.drain();

      // KZ received it from ru-fssp-50; RU's request page says it was delivered.
      const sent = await ru.db
        .selectFrom('requests')
        .select(['message_id', 'state'])
        .where('id', '=', requestId)
        .executeTakeFirstOrThrow();
      const received = await fed.nodes.KZ.wired.ctx.db
        .selectFrom('requests')
        .select(['counterpart_body', 'state'])
        .where('message_id', '=', sent.message_id!)
        .where('direction', '=', 'incoming')
        .executeTakeFirst();
      assert.ok(received, 'KZ received the request');
      assert.equal((received.counterpart_body as { id: string }).id, BODY);
      await me.reload();
      assert.match(await read(me, 'request-delivered'), /доставлено \d{2}\.\d{2}\.\d{4} \d{2}:\d{2}/);
    });
  },
);
