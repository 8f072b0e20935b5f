// Issue 17 item 4: the court evidence pack. After a full exchange on three real nodes (RU sends two requests
// in one bundle, KZ answers one finally with a file), the pack exported on either side verifies offline with
// only the depositary certificate — with `eix evidence verify` and with the openssl recipe of docs/EVIDENCE.md,
// run as written — and one changed byte in any kind of file fails, naming the file. The export is a read of
// received personal data with its purpose (R9.1), open only to who may open the request; the summary PDF is
// plain Russian; and after the Article 9(6) destruction the pack still proves the exchange by hashes and
// receipts, holding no personal data.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import JSZip from 'jszip';
import { fixedClock } from '../../src/adapters/clock/system-clock.js';
import { canonicalBytes, compactPayload, sha256Hex, signCompact } from '../../src/adapters/crypto/jws.js';
import {
  createDepositaryCa,
  createPartyCa,
  issueBodyCertificate,
  type CertAndKey,
} from '../../src/adapters/crypto/pki.js';
import { signRegistry } from '../../src/adapters/crypto/registry-jws.js';
import { answerRequest } from '../../src/app/answer-request.js';
import { installRegistry } from '../../src/app/install-registry.js';
import type { Actor, Officer } from '../../src/app/context.js';
import { draftRequest } from '../../src/app/draft-request.js';
import { exportEvidence, type EvidenceExport } from '../../src/app/export-evidence.js';
import { listRequests } from '../../src/app/list-requests.js';
import { purgeExpiredData } from '../../src/app/purge-expired-data.js';
import { signRequest } from '../../src/app/sign-request.js';
import { verifyEvidence } from '../../src/app/verify-evidence.js';
import { runCli } from '../../src/cli/program.js';
import { readConfig } from '../../src/config/config.js';
import { demoNodeConfig } from '../../src/demo/federation.js';
import { EVIDENCE_MANIFEST_JWS_TYPE, type EvidenceManifest } from '../../src/domain/evidence.js';
import type { Registry } from '../../src/domain/registry.js';
import { rejects } from '../support/errors.js';
import { officer, ruKeys, settle, startTestFederation } from '../support/federation.js';
import { pdfText } from '../support/pdf.js';
import { plainRussianFindings } from '../support/plain-russian.js';

const run = promisify(execFile);
const SYSTEM: Actor = { kind: 'system', name: 'retention' };
const KZ_CENTRAL = { id: 'kz-central', party: 'KZ', name: 'Министерство юстиции Республики Казахстан' };
const PURPOSE = 'по запросу Арбитражного суда г. Москвы, дело № А40-1/2026';
const ANSWER_TEXT = 'Квартира в г. Алматы, ул. Абая, д. 10';
const HAVE_OPENSSL = existsSync('/usr/bin/openssl') && existsSync('/usr/bin/unzip');

/** The files of a pack. */
async function filesOf(pack: Buffer): Promise<Map<string, Buffer>> {
  const zip = await JSZip.loadAsync(pack);
  const out = new Map<string, Buffer>();
  for (const f of Object.values(zip.files)) if (!f.dir) out.set(f.name, await f.async('nodebuffer'));
  return out;
}

/** The same pack with one byte of one file changed (the middle byte, its lowest bit flipped). */
async function withByteChanged(pack: Buffer, name: string): Promise<Buffer> {
  const files = await filesOf(pack);
  const b = Buffer.from(files.get(name)!);
  b[b.length >> 1]! ^= 0x01;
  files.set(name, b);
  const zip = new JSZip();
  for (const [n, c] of files) zip.file(n, c);
  return zip.generateAsync({ type: 'nodebuffer', compression: 'STORE' });
}

const manifestOf = async (pack: Buffer) =>
  JSON.parse((await filesOf(pack)).get('manifest.json')!.toString('utf8')) as EvidenceManifest;

/** Every text in the pack: the files as UTF-8 and the decoded payload of every JWS. */
async function textsOf(pack: Buffer): Promise<string> {
  let all = '';
  for (const [name, bytes] of await filesOf(pack)) {
    const t = bytes.toString('utf8');
    all += `\n${t}`;
    if (name.endsWith('.jws')) all += `\n${Buffer.from(t.split('.')[1] ?? '', 'base64url').toString('utf8')}`;
  }
  return all;
}

/**
 * A forgery by the exporting body itself: `change` edits the files and the manifest, then every file is listed
 * again with its new hash and the manifest sealed anew with the body's real key — what a dishonest exporter could do.
 */
async function resealed(
  pack: Buffer,
  seal: CertAndKey,
  change: (files: Map<string, Buffer>, m: EvidenceManifest) => void | Promise<void>,
): Promise<Buffer> {
  const files = await filesOf(pack);
  const m = JSON.parse(files.get('manifest.json')!.toString('utf8')) as EvidenceManifest;
  await change(files, m);
  files.delete('manifest.json');
  files.delete('manifest.jws');
  m.files = [...files.entries()]
    .map(([p, b]) => ({ path: p, sha256: sha256Hex(b), size: b.length }))
    .sort((a, b) => (a.path < b.path ? -1 : 1));
  const bytes = canonicalBytes(m);
  const zip = new JSZip();
  zip.file('manifest.json', bytes);
  zip.file('manifest.jws', await signCompact(bytes, seal.keyPem, seal.certPem, EVIDENCE_MANIFEST_JWS_TYPE));
  for (const [n, c] of files) zip.file(n, c);
  return zip.generateAsync({ type: 'nodebuffer', compression: 'STORE' });
}

const m0ReceiptFile = (m: EvidenceManifest): string => m.messages[0]!.receipt!.file;
const jwsText = (files: Map<string, Buffer>, name: string) => files.get(name)!.toString('utf8');

describe('issue 17.4: the court evidence pack', () => {
  let fed: Awaited<ReturnType<typeof startTestFederation>>;
  let ruOfficer: Officer;
  let kzOfficer: Officer;
  let depositaryPem: string;
  let depositaryFile: string;
  let tmp: string;
  let outgoing: string;
  let incoming: string;
  let ruPack: EvidenceExport;
  let kzPack: EvidenceExport;
  const ru = () => fed.nodes.RU.wired.ctx;
  const kz = () => fed.nodes.KZ.wired.ctx;

  before(async () => {
    fed = await startTestFederation();
    tmp = await mkdtemp(path.join(tmpdir(), 'eix-evidence-'));
    ruOfficer = await officer(fed.nodes.RU, 'ru.officer');
    kzOfficer = await officer(fed.nodes.KZ, 'kz.officer');
    depositaryFile = path.join(fed.dir, 'pki', 'depositary.crt');
    depositaryPem = await readFile(depositaryFile, 'utf8');
    const proceedingId = (
      await ru()
        .db.selectFrom('proceedings')
        .select('id')
        .where('number', '=', '123456/26/77001-ИП')
        .executeTakeFirstOrThrow()
    ).id;
    // Two requests leave together: one bundle, one bundle receipt (protocol version 3).
    await fed.nodes.RU.worker!.stop();
    const ids: string[] = [];
    for (const kind of ['property', 'location'] as const) {
      const d = await draftRequest(ru(), ruOfficer, {
        proceedingId,
        requestedBody: KZ_CENTRAL,
        items: [kind === 'property' ? { kind, subItems: ['a'] } : { kind, target: 'debtor' }],
        grounds: 'Должник проживает на территории Республики Казахстан.',
      });
      await signRequest(ru(), ruOfficer, { requestId: d.id });
      ids.push(d.id);
    }
    await settle(fed);
    outgoing = ids[0]!;
    const number = (
      await ru().db.selectFrom('requests').select('number').where('id', '=', outgoing).executeTakeFirstOrThrow()
    ).number;
    incoming = (await listRequests(kz(), kzOfficer, { direction: 'incoming' })).items.find(
      (i) => i.number === number,
    )!.id;
    await answerRequest(kz(), kzOfficer, {
      requestId: incoming,
      final: true,
      items: [
        {
          itemNo: 1,
          outcome: 'found',
          data: { text: ANSWER_TEXT },
          attachments: [
            {
              fileName: 'выписка.txt',
              mediaType: 'text/plain',
              contentBase64: Buffer.from('Выписка из реестра недвижимости').toString('base64'),
            },
          ],
        },
      ],
    });
    await settle(fed);
    ruPack = await exportEvidence(ru(), ruOfficer, { request: outgoing, purpose: PURPOSE });
    kzPack = await exportEvidence(kz(), kzOfficer, { request: incoming, purpose: PURPOSE });
  });
  after(async () => {
    await fed?.close();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  test('R12.a, R11.3: a pack exported after a full exchange verifies offline with only the depositary certificate, on either side', async () => {
    for (const [side, x] of [
      ['RU', ruPack],
      ['KZ', kzPack],
    ] as const) {
      assert.deepEqual(x.problems, [], `${side}: the node's own check at export`);
      const v = await verifyEvidence({ pack: x.pack, depositaryPem });
      assert.equal(v.ok, true, `${side}: ${JSON.stringify(v.problems)}`);
      assert.deepEqual(
        v.messages.map((m) => [m.type, m.content, m.signature, m.receipt]),
        [
          ['request', 'present', true, true],
          ['answer_final', 'present', true, true],
        ],
        side,
      );
      assert.equal(v.seal?.ok, true);
      assert.deepEqual(
        v.registries.map((r) => [r.version, r.ok]),
        [[1, true]],
      );
    }
    const m = await manifestOf(ruPack.pack);
    const [request, answer] = m.messages;
    assert.equal(
      typeof request!.receipt!.item,
      'number',
      'the request went in a bundle: its item in the bundle receipt',
    );
    assert.match(request!.receipt!.file, /^receipts\/bundle-/);
    assert.equal(answer!.receipt!.item, null, 'the answer came alone: a receipt of its own');
    assert.deepEqual(request!.signer, { name: 'Петрова Анна Сергеевна', position: 'судебный пристав-исполнитель' });
    assert.deepEqual(
      [request!.from, request!.to],
      [
        { party: 'RU', body: 'ru-fssp-77' },
        { party: 'KZ', body: 'kz-central' },
      ],
    );
    // The same exchange seen from both sides: the same bytes, the same hashes.
    const km = await manifestOf(kzPack.pack);
    assert.deepEqual(
      km.messages.map((x) => [x.messageId, x.sha256, x.direction]),
      m.messages.map((x) => [x.messageId, x.sha256, x.direction === 'sent' ? 'received' : 'sent']),
    );
    // Only the depositary certificate given is trusted: another depositary's refuses the registry.
    const other = await createDepositaryCa({ name: 'Чужой депозитарий' });
    const forged = await verifyEvidence({ pack: ruPack.pack, depositaryPem: other.certPem });
    assert.equal(forged.ok, false);
    assert.ok(forged.problems.some((p) => p.file === 'registry/registry-v1.jws' && p.code === 'registry'));
  });

  test('one changed byte in a message, a receipt, the registry, the PDF, the report, a certificate, the manifest or its seal fails, naming the file', async () => {
    const files = [...(await filesOf(ruPack.pack)).keys()];
    const pick = (re: RegExp) => files.find((f) => re.test(f))!;
    const targets = [
      pick(/^messages\/01-request-/),
      pick(/^messages\/02-answer_final-/),
      pick(/^receipts\/bundle-/),
      pick(/^receipts\/02-/),
      'registry/registry-v1.jws',
      'summary.pdf',
      'verification.json',
      pick(/^certificates\/party-ca-KZ-/),
      'manifest.json',
      'manifest.jws',
    ];
    for (const name of targets) {
      const v = await verifyEvidence({ pack: await withByteChanged(ruPack.pack, name), depositaryPem });
      assert.equal(v.ok, false, name);
      const about = name === 'manifest.jws' ? ['manifest.jws', 'manifest.json'] : [name];
      assert.ok(
        v.problems.some((p) => about.includes(p.file) && p.message.includes(`«${p.file}»`)),
        `${name}: ${JSON.stringify(v.problems)}`,
      );
    }
    // A byte changed in the archive itself (inside the stored PDF), a file taken out, a file slipped in.
    const raw = Buffer.from(ruPack.pack);
    const pdf = (await filesOf(ruPack.pack)).get('summary.pdf')!;
    raw[raw.indexOf(pdf) + (pdf.length >> 1)]! ^= 0x01;
    const r = await verifyEvidence({ pack: raw, depositaryPem });
    assert.ok(
      !r.ok && r.problems.some((p) => p.file === 'summary.pdf' && p.code === 'hash'),
      JSON.stringify(r.problems),
    );
    const zip = await JSZip.loadAsync(ruPack.pack);
    zip.remove('verification.json');
    zip.file('note.txt', 'добавлено');
    const changed = await verifyEvidence({ pack: await zip.generateAsync({ type: 'nodebuffer' }), depositaryPem });
    assert.deepEqual(
      changed.problems.map((p) => [p.file, p.code]),
      [
        ['verification.json', 'missing'],
        ['note.txt', 'unlisted'],
      ],
    );
  });

  /**
   * Packs the exporting body itself forged from RU's pack and sealed again with its real key: the answer's text
   * changed (KZ's signature no longer holds); a made-up answer signed for kz-central under a CA the registry does not
   * list, with RU's own receipt for it; the answer claimed to be acknowledged by the request's bundle item. Each test
   * that needs them makes its own.
   */
  async function forgedPacks(): Promise<{
    changed: Buffer;
    forged: Buffer;
    misbound: Buffer;
    answerFile: string;
    answerReceipt: string;
  }> {
    const { body: ruSeal } = await ruKeys(fed.dir);
    const files = [...(await filesOf(ruPack.pack)).keys()];
    const answerFile = files.find((f) => f.startsWith('messages/02-answer_final-'))!;
    const answerReceipt = files.find((f) => f.startsWith('receipts/02-'))!;
    type Answer = { body: { items: { data: { text: string } }[] } };
    const changed = await resealed(ruPack.pack, ruSeal, (f, m) => {
      const [h, p, sig] = jwsText(f, answerFile).split('.');
      const payload = JSON.parse(Buffer.from(p!, 'base64url').toString('utf8')) as Answer;
      payload.body.items[0]!.data.text = 'Сведений нет';
      const jws = [h, Buffer.from(canonicalBytes(payload)).toString('base64url'), sig].join('.');
      f.set(answerFile, Buffer.from(jws));
      m.messages[1]!.sha256 = sha256Hex(jws);
    });
    const rogueRoot = await createDepositaryCa({ name: 'Поддельный корневой центр' });
    const notBefore = new Date(Date.now() - 86_400_000 * 30);
    const rogueCa = await createPartyCa({ party: 'KZ', name: 'Казахстан', issuer: rogueRoot, notBefore });
    const rogue = await issueBodyCertificate({
      party: 'KZ',
      bodyId: 'kz-central',
      bodyName: 'Министерство юстиции',
      issuer: rogueCa,
      notBefore,
    });
    const forged = await resealed(ruPack.pack, ruSeal, async (f, m) => {
      const payload = compactPayload<Answer>(jwsText(f, answerFile));
      payload.body.items[0]!.data.text = 'Сведений нет';
      const jws = await signCompact(canonicalBytes(payload), rogue.keyPem, rogue.certPem, 'eix-message+jws');
      f.set(answerFile, Buffer.from(jws));
      const receipt = compactPayload<{ body: { messageSha256: string } }>(jwsText(f, answerReceipt));
      receipt.body.messageSha256 = sha256Hex(jws);
      const signed = await signCompact(canonicalBytes(receipt), ruSeal.keyPem, ruSeal.certPem, 'eix-receipt+jws');
      f.set(answerReceipt, Buffer.from(signed));
      m.messages[1]!.sha256 = sha256Hex(jws);
    });
    const misbound = await resealed(ruPack.pack, ruSeal, (_f, m) => {
      m.messages[1]!.receipt = m.messages[0]!.receipt;
    });
    return { changed, forged, misbound, answerFile, answerReceipt };
  }

  test('even the exporting body cannot forge the exchange: a changed answer, one signed outside the registry, a receipt of another message — resealed — are refused', async () => {
    const { changed, forged, misbound, answerFile, answerReceipt } = await forgedPacks();
    // The answer's text changed, listed and sealed again: KZ's signature no longer holds.
    const v1 = await verifyEvidence({ pack: changed, depositaryPem });
    assert.equal(v1.seal?.ok, true, 'the seal itself holds');
    assert.deepEqual(
      v1.problems.map((p) => [p.file, p.code]),
      [
        [answerFile, 'signature'],
        [answerReceipt, 'receipt'],
      ],
    );
    // A made-up answer signed for kz-central under a CA the registry does not list, with RU's own receipt for it.
    const v2 = await verifyEvidence({ pack: forged, depositaryPem });
    assert.deepEqual(
      v2.problems.map((p) => [p.file, p.code]),
      [[answerFile, 'certificate']],
    );
    // The answer claimed to be acknowledged by the request's bundle item (signed by KZ, naming the request).
    const v3 = await verifyEvidence({ pack: misbound, depositaryPem });
    assert.deepEqual(
      v3.problems.map((p) => [p.file, p.code]),
      [[m0ReceiptFile(await manifestOf(ruPack.pack)), 'receipt']],
    );
  });

  test(
    'docs/EVIDENCE.md: the openssl recipe confirms the good packs and refuses each changed one',
    { skip: !HAVE_OPENSSL },
    async () => {
      const doc = await readFile(path.join(import.meta.dirname, '..', '..', 'docs', 'EVIDENCE.md'), 'utf8');
      const script = /<!-- verify-pack\.sh: begin -->\n```sh\n([\s\S]*?)```\n<!-- verify-pack\.sh: end -->/.exec(
        doc,
      )![1]!;
      const scriptFile = path.join(tmp, 'verify-pack.sh');
      await writeFile(scriptFile, script);
      const recipe = async (pack: Buffer, name: string) => {
        const file = path.join(tmp, name);
        await writeFile(file, pack);
        return run('sh', [scriptFile, file, depositaryFile]).then(
          (r) => ({ code: 0, out: r.stdout + r.stderr }),
          (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout + e.stderr }),
        );
      };
      for (const [name, x] of [
        ['ru.zip', ruPack],
        ['kz.zip', kzPack],
      ] as const) {
        const good = await recipe(x.pack, name);
        assert.equal(good.code, 0, good.out);
        assert.match(good.out, /ПАКЕТ ПОДТВЕРЖДЁН/);
      }
      const files = [...(await filesOf(ruPack.pack)).keys()];
      for (const name of [
        files.find((f) => f.startsWith('messages/01-'))!,
        files.find((f) => f.startsWith('receipts/bundle-'))!,
        'registry/registry-v1.jws',
        'summary.pdf',
        'manifest.json',
        'manifest.jws',
      ]) {
        const bad = await recipe(await withByteChanged(ruPack.pack, name), 'changed.zip');
        assert.notEqual(bad.code, 0, `${name}: ${bad.out}`);
        assert.match(bad.out, /НЕ ПОДТВЕРЖДЕНО/, name);
        // The recipe names the file (sha256sum -c names a file whose content differs from the manifest).
        const shown = name === 'manifest.jws' ? /manifest\.js(on|ws)/ : new RegExp(name.replace(/[.]/g, '\\.'));
        assert.match(bad.out, shown, name);
      }
      const { changed, forged } = await forgedPacks();
      for (const [name, pack] of [
        ['changed.zip', changed],
        ['forged.zip', forged],
      ] as const) {
        const bad = await recipe(pack, name);
        assert.notEqual(bad.code, 0, `${name}: ${bad.out}`);
        assert.match(
          bad.out,
          /НЕ ПОДТВЕРЖДЕНО: messages\/02-answer_final-[^:]+: (подпись неверна|сертификат не подтверждён)/,
          bad.out,
        );
      }
    },
  );

  test('R9.1: the export is audited with its purpose; a purpose is required; who may not open the request may not export it', async () => {
    const entries = await ru()
      .db.selectFrom('audit_log')
      .select(['action', 'details', 'actor'])
      .where('request_id', '=', outgoing)
      .where('action', '=', 'personal_data.export.evidence')
      .execute();
    assert.equal(entries.length, 1);
    const d = entries[0]!.details as Record<string, unknown>;
    assert.equal(d.purpose, PURPOSE);
    assert.equal(d.packSha256, ruPack.sha256);
    assert.equal(entries[0]!.actor, 'officer:ru.officer');
    const count = async () =>
      (
        await ru()
          .db.selectFrom('audit_log')
          .select('seq')
          .where('action', '=', 'personal_data.export.evidence')
          .execute()
      ).length;
    const before = await count();
    await rejects(exportEvidence(ru(), ruOfficer, { request: outgoing, purpose: '   ' }), 'input.invalid', 'purpose');
    await rejects(exportEvidence(ru(), ruOfficer, { request: outgoing }), 'input.invalid', 'purpose');
    await rejects(
      exportEvidence(kz(), await officer(fed.nodes.KZ, 'kz.almaty'), { request: incoming, purpose: PURPOSE }),
      'request.not_found',
    );
    await rejects(
      exportEvidence(ru(), await officer(fed.nodes.RU, 'ru.admin'), { request: outgoing, purpose: PURPOSE }),
      'access.denied',
    );
    assert.equal(await count(), before, 'nothing exported, nothing logged');
    // By the registration number, as officers know it; the supervisor of the body may too.
    const number = (await manifestOf(ruPack.pack)).request.number;
    const bySupervisor = await exportEvidence(ru(), await officer(fed.nodes.RU, 'ru.supervisor'), {
      request: number,
      purpose: PURPOSE,
    });
    assert.equal(bySupervisor.requestId, outgoing);
    assert.equal((await verifyEvidence({ pack: bySupervisor.pack, depositaryPem })).ok, true);
  });

  test('the summary PDF: number, Parties, bodies, each message with its type, signer, local times and hash; plain Russian', async () => {
    const m = await manifestOf(ruPack.pack);
    const { text } = await pdfText((await filesOf(ruPack.pack)).get('summary.pdf')!);
    const flat = text.replace(/\s+/g, ' ');
    for (const s of [
      `№ ${m.request.number}`,
      'Российская Федерация',
      'Республика Казахстан',
      'Министерство юстиции Республики Казахстан',
      '1. Запрос',
      '2. Окончательный ответ',
      'Петрова Анна Сергеевна, судебный пристав-исполнитель',
      'Ахметова Айгерим Нурлановна, главный эксперт',
      'подпись органа верна; получение подтверждено квитанцией получателя',
      PURPOSE,
    ])
      assert.ok(flat.includes(s), `«${s}» in the summary`);
    // Times in Moscow time (the body's zone), ДД.ММ.ГГГГ ЧЧ:ММ.
    const moscow = new Intl.DateTimeFormat('ru-RU', {
      timeZone: 'Europe/Moscow',
      day: '2-digit',
      month: '2-digit',
      year: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    const receivedAt = moscow.format(new Date(m.messages[0]!.receipt!.receivedAt)).replace(',', '');
    assert.ok(flat.includes(receivedAt), `receipt time ${receivedAt}`);
    for (const x of m.messages)
      assert.ok(flat.includes(x.sha256!.replace(/(.{8})(?=.)/g, '$1 ')), `the hash of message ${x.no}`);
    // The hashes, in groups of eight, as the PDF's lines wrap them (a group may be cut at the end of a line): a
    // group of letters a–f alone ("ffbccacd") would read as an English word.
    const withoutHashes = text.replace(/\b[0-9a-f]{1,8}(?:\s+[0-9a-f]{1,8}){3,}\b/g, '');
    assert.deepEqual(plainRussianFindings(withoutHashes), []);
  });

  test('eix evidence verify: the verdict in Russian or JSON, exit 0 either way; a file it cannot read is bad input', async () => {
    const cli = async (...argv: string[]) => {
      let out = '';
      const code = await runCli(argv, {
        io: { out: (t) => void (out += t), err: (t) => void (out += t) },
        clock: fixedClock(new Date()),
        config: readConfig({ EIX_HOME: tmp }),
      });
      return { code, out };
    };
    const good = path.join(tmp, 'good.zip');
    const bad = path.join(tmp, 'bad.zip');
    await writeFile(good, ruPack.pack);
    await writeFile(bad, await withByteChanged(ruPack.pack, 'summary.pdf'));
    const ok = await cli('evidence', 'verify', good, '--depositary', depositaryFile);
    assert.equal(ok.code, 0, ok.out);
    assert.match(ok.out, /Доказательный пакет прошёл проверку/);
    assert.match(ok.out, /1\. Запрос: подпись верна; получение подтверждено квитанцией/);
    const json = await cli('evidence', 'verify', bad, '--depositary', depositaryFile, '--json');
    assert.equal(json.code, 0);
    const verdict = JSON.parse(json.out) as { ok: boolean; problems: { file: string }[] };
    assert.equal(verdict.ok, false);
    assert.deepEqual(
      verdict.problems.map((p) => p.file),
      ['summary.pdf'],
    );
    const human = await cli('evidence', 'verify', bad, '--depositary', depositaryFile);
    assert.match(human.out, /НЕ прошёл проверку[\s\S]*Файл «summary\.pdf»: содержимое изменено/);
    const missing = await cli(
      'evidence',
      'verify',
      path.join(tmp, 'nope.zip'),
      '--depositary',
      depositaryFile,
      '--json',
    );
    assert.equal(missing.code, 2);
    assert.equal((JSON.parse(missing.out) as { error: { code: string } }).error.code, 'input.file');
    const notZip = await cli('evidence', 'verify', depositaryFile, '--depositary', depositaryFile, '--json');
    assert.equal(notZip.code, 2);
    assert.match(notZip.out, /не является доказательным пакетом/);
  });

  test('the request page offers «Доказательный пакет»; the download verifies; an empty purpose shows the form again', async () => {
    const base = fed.nodes.RU.apiUrl;
    const password = fed.logins.find((l) => l.login === 'ru.officer')!.password;
    const login = await fetch(`${base}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ login: 'ru.officer', password }).toString(),
    });
    assert.equal(login.status, 302);
    const cookie = `__Host-eix_session=${/eix_session=([^;]+)/.exec(login.headers.getSetCookie().join('\n'))![1]!}`;
    const page = await (await fetch(`${base}/requests/${outgoing}`, { headers: { cookie } })).text();
    assert.match(page, /<summary><strong>Доказательный пакет<\/strong><\/summary>/);
    assert.match(page, new RegExp(`action="/requests/${outgoing}/evidence"`));
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page)![1]!;
    const post = (purpose: string) =>
      fetch(`${base}/requests/${outgoing}/evidence`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
        body: new URLSearchParams({ _csrf: csrf, purpose }).toString(),
      });
    const res = await post(PURPOSE);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/zip');
    assert.match(res.headers.get('content-disposition') ?? '', /^attachment; filename\*=UTF-8''/);
    const pack = Buffer.from(await res.arrayBuffer());
    assert.equal((await verifyEvidence({ pack, depositaryPem })).ok, true);
    const empty = await post('');
    assert.equal(empty.status, 400);
    const html = await empty.text();
    assert.match(html, /id="evidence" open/);
    assert.match(html, /role="alert"/);
  });

  test('R9.6: after the destruction the pack still verifies and proves the exchange by hashes and receipts, without personal data', async () => {
    const before = await manifestOf(ruPack.pack);
    assert.ok((await textsOf(ruPack.pack)).includes('Иванов'), 'before: the request (debtor) is in the pack');
    assert.ok((await textsOf(ruPack.pack)).includes(ANSWER_TEXT), 'before: the answer is in the pack');
    const later = new Date(Date.now() + 62 * 31 * 86_400_000);
    const purge = await purgeExpiredData({ ...ru(), clock: fixedClock(later) }, SYSTEM);
    assert.ok(purge.destroyed.some((d) => d.requestId === outgoing && d.kind === 'messages'));
    await settle(fed); // the deletion notice (R9.6) goes to KZ and is receipted
    const after = await exportEvidence(ru(), ruOfficer, { request: outgoing, purpose: PURPOSE });
    assert.deepEqual(after.problems, []);
    const v = await verifyEvidence({ pack: after.pack, depositaryPem });
    assert.equal(v.ok, true, JSON.stringify(v.problems));
    const m = await manifestOf(after.pack);
    const exchanged = m.messages.filter((x) => x.type !== 'deletion_notice');
    assert.deepEqual(
      exchanged.map((x) => [x.messageId, x.sha256, x.file, x.destroyedAt !== null]),
      before.messages.map((x) => [x.messageId, x.sha256, null, true]),
      'the same messages, by id and SHA-256, their bytes gone',
    );
    assert.deepEqual(
      v.messages.filter((x) => x.type !== 'deletion_notice').map((x) => [x.content, x.signature, x.receipt]),
      [
        ['destroyed', null, true],
        ['destroyed', null, true],
      ],
      'each still acknowledged by a verified receipt naming its SHA-256',
    );
    assert.equal(after.destroyed, 2);
    // Nor can the exporter claim another content for a destroyed message: its receipt names the real hash.
    const { body: ruSeal } = await ruKeys(fed.dir);
    const falseHash = await resealed(after.pack, ruSeal, (_f, x) => {
      x.messages[1]!.sha256 = sha256Hex('другой ответ');
    });
    assert.deepEqual(
      (await verifyEvidence({ pack: falseHash, depositaryPem })).problems.map((p) => [p.file, p.code]),
      [[m.messages[1]!.receipt!.file, 'receipt']],
    );
    const notice = m.messages.find((x) => x.type === 'deletion_notice');
    assert.ok(notice?.file && notice.receipt, 'the deletion notice itself is in the pack, receipted');
    const texts = await textsOf(after.pack);
    for (const personal of ['Иванов', ANSWER_TEXT, 'Выписка из реестра недвижимости'])
      assert.ok(!texts.includes(personal), `no «${personal}» after the destruction`);
    const { text } = await pdfText((await filesOf(after.pack)).get('summary.pdf')!);
    assert.match(text.replace(/\s+/g, ' '), /уничтожено \d\d\.\d\d\.\d{4} \d\d:\d\d по истечении срока хранения/);
    if (HAVE_OPENSSL) {
      const doc = await readFile(path.join(import.meta.dirname, '..', '..', 'docs', 'EVIDENCE.md'), 'utf8');
      const script = /<!-- verify-pack\.sh: begin -->\n```sh\n([\s\S]*?)```\n/.exec(doc)![1]!;
      await writeFile(path.join(tmp, 'recipe.sh'), script);
      await writeFile(path.join(tmp, 'after.zip'), after.pack);
      const out = await run('sh', [path.join(tmp, 'recipe.sh'), path.join(tmp, 'after.zip'), depositaryFile]);
      assert.match(out.stdout, /ПАКЕТ ПОДТВЕРЖДЁН/);
      for (const x of before.messages) assert.ok(out.stdout.includes(`${x.sha256} ${x.messageId}`), x.messageId);
    }
  });

  test('a Party CA rolled over: each message is checked against the registry version it was verified against, kept with the newest', async () => {
    const depositary = {
      certPem: depositaryPem,
      keyPem: await readFile(path.join(fed.dir, 'pki', 'depositary.key'), 'utf8'),
    };
    const v1 = ru().registry!.current()!;
    const newKzCa = await createPartyCa({ party: 'KZ', name: 'Республика Казахстан', issuer: depositary });
    // Version 2 lists only KZ's new CA: KZ's earlier signatures chain to a CA that version 1 listed.
    const v2: Registry = {
      ...v1,
      version: v1.version + 1,
      issuedAt: new Date().toISOString(),
      parties: { ...v1.parties, KZ: { ...v1.parties.KZ!, caCertificates: [newKzCa.certPem] } },
    };
    await installRegistry(
      { db: ru().db, registry: fed.nodes.RU.wired.trust },
      { jws: await signRegistry(v2, depositary), depositaryPem, origin: 'operator' },
    );
    const x = await exportEvidence(ru(), ruOfficer, { request: outgoing, purpose: PURPOSE });
    const m = await manifestOf(x.pack);
    assert.deepEqual(
      m.registries.map((r) => r.version),
      [v1.version, v2.version],
    );
    assert.ok(m.messages.every((msg) => msg.registryVersion === v1.version));
    const v = await verifyEvidence({ pack: x.pack, depositaryPem });
    assert.equal(v.ok, true, JSON.stringify(v.problems));
    // Checked against the newest alone, KZ's signatures would not chain.
    const newestOnly = await resealed(x.pack, (await ruKeys(fed.dir)).body, (_f, mm) => {
      for (const msg of mm.messages) msg.registryVersion = v2.version;
    });
    const refused = await verifyEvidence({ pack: newestOnly, depositaryPem });
    assert.ok(
      refused.problems.some((p) => p.code === 'certificate' && p.file.startsWith('receipts/bundle-')),
      JSON.stringify(refused.problems),
    );
  });

  test('eix evidence export (the node stopped, as every command that opens its database): writes the pack, never over a file', async () => {
    await fed.nodes.RU.stop();
    const config = demoNodeConfig({ dir: fed.dir }, 'RU', { api: 0, federation: 0 }, 'silent');
    const cli = async (...argv: string[]) => {
      let out = '';
      const code = await runCli([...argv, '--json'], {
        io: { out: (t) => void (out += t), err: (t) => void (out += t) },
        clock: fixedClock(new Date()),
        config,
      });
      return { code, json: JSON.parse(out) as Record<string, unknown> };
    };
    const number = (await manifestOf(ruPack.pack)).request.number;
    const file = path.join(tmp, 'cli.zip');
    const r = await cli('evidence', 'export', number, '--login', 'ru.officer', '--purpose', PURPOSE, '--out', file);
    assert.equal(r.code, 0, JSON.stringify(r.json));
    assert.equal(r.json.requestId, outgoing);
    assert.equal((await verifyEvidence({ pack: await readFile(file), depositaryPem })).ok, true);
    const again = await cli('evidence', 'export', number, '--login', 'ru.officer', '--purpose', PURPOSE, '--out', file);
    assert.equal(again.code, 2);
    assert.equal((again.json.error as { details: { field: string } }).details.field, '--out');
    const noPurpose = await cli(
      'evidence',
      'export',
      number,
      '--login',
      'ru.officer',
      '--purpose',
      ' ',
      '--out',
      `${file}2`,
    );
    assert.equal(noPurpose.code, 2);
    assert.equal((noPurpose.json.error as { details: { field: string } }).details.field, '--purpose');
  });
});
