// The CLI contract (issue: foundation §6): JSON with --json, exit 0 when the
// command ran, exit 2 with {"error":{code,message}} on stdout for bad input,
// never a stack trace.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { fixedClock } from '../../src/adapters/clock/system-clock.js';
import { readConfig } from '../../src/config/config.js';
import { runCli } from '../../src/cli/program.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DEMO_EVENTS = path.join(ROOT, 'data/treaty/demo-events.json');
const EXAMPLE = path.join(ROOT, 'data/examples/request-ru-kz.json');
const tmp = await mkdtemp(path.join(tmpdir(), 'eix-cli-'));
process.on('exit', () => void rm(tmp, { recursive: true, force: true }));

async function eix(
  ...argv: string[]
): Promise<{ code: number; out: string; err: string; json: Record<string, unknown> }> {
  let out = '';
  let err = '';
  const code = await runCli(argv, {
    io: {
      out: (t) => {
        out += t;
      },
      err: (t) => {
        err += t;
      },
    },
    clock: fixedClock(new Date('2026-11-26T09:00:00Z')),
    config: readConfig({}),
  });
  let json: Record<string, unknown> = {};
  if (argv.includes('--json') && out.trim().startsWith('{')) json = JSON.parse(out) as Record<string, unknown>;
  return { code, out, err, json };
}

/** Bad input: exit 2, a coded error on stdout, no stack trace anywhere. */
async function badInput(
  expectedCode: string,
  ...argv: string[]
): Promise<{ code: string; message: string; details: Record<string, unknown> }> {
  const r = await eix(...argv, '--json');
  assert.equal(r.code, 2, `${argv.join(' ')} → exit ${r.code}: ${r.out}${r.err}`);
  const error = r.json.error as { code: string; message: string; details: Record<string, unknown> };
  assert.ok(error, `no error object for ${argv.join(' ')}: ${r.out}`);
  assert.equal(error.code, expectedCode, `${argv.join(' ')}: ${error.message}`);
  assert.match(error.message, /[а-яё]/i, 'message is Russian');
  assert.doesNotMatch(r.out + r.err, /\n\s+at .+:\d+:\d+/, 'no stack trace');
  return error;
}

test('eix id check (R11.1.c): valid, invalid with reason, unknown kind is bad input', async () => {
  const ok = await eix('id', 'check', 'RU', 'INN', '7707083893', '--json');
  assert.equal(ok.code, 0);
  assert.deepEqual([ok.json.valid, ok.json.normalized], [true, '7707083893']);
  const wrong = await eix('id', 'check', 'RU', 'INN', '7707083894', '--json');
  assert.equal(wrong.code, 0);
  assert.deepEqual([wrong.json.valid, wrong.json.reason], [false, 'checksum']);
  assert.equal((await eix('id', 'check', 'ru', 'snils', '112-233-445 95', '--json')).json.normalized, '11223344595');
  assert.equal((await eix('id', 'check', 'RU', 'INN', '123', '--json')).json.reason, 'length');
  await badInput('id.kind', 'id', 'check', 'RU', 'IIN', '900101300123');
  await badInput('id.kind', 'id', 'check', 'XX', 'INN', '7707083893');
  await badInput('input.invalid', 'id', 'check', 'RU', 'INN');
  const human = await eix('id', 'check', 'RU', 'INN', '7707083893');
  assert.match(human.out, /верный/);
});

test('R12.a, R12.b: eix calendar deadline and day — JSON contract, the shorter date as requestedBy, bad input', async () => {
  const d = await eix('calendar', 'deadline', '--party', 'RU', '--received', '2025-12-25T10:00:00+03:00', '--json');
  assert.equal(d.code, 0);
  assert.deepEqual([d.json.deadline, d.json.workingDays, d.json.basis], ['2026-02-17', 30, 'R12.a']);
  const s = await eix(
    'calendar',
    'deadline',
    '--party',
    'RU',
    '--received',
    '2025-12-25T10:00:00+03:00',
    '--shorter',
    '2026-01-20',
    '--json',
  );
  assert.deepEqual(
    [s.json.deadline, s.json.basis, s.json.workingDays, s.json.requestedBy, s.json.requestedEarlier],
    ['2026-02-17', 'R12.a', 30, '2026-01-20', true],
  );
  const human = await eix(
    'calendar',
    'deadline',
    '--party',
    'RU',
    '--received',
    '2025-12-25T10:00:00+03:00',
    '--shorter',
    '2026-01-20',
  );
  assert.match(human.out, /срок исполнения: 2026-02-17/);
  assert.match(human.out, /просит исполнить до 2026-01-20/);
  // The case: a shorter date before the day of receipt is bad input, not a deadline.
  const early = await badInput(
    'calendar.shorter_term',
    'calendar',
    'deadline',
    '--party',
    'KZ',
    '--received',
    '2026-03-10T10:00:00+05:00',
    '--shorter',
    '2026-03-05',
  );
  assert.equal(early.details.field, '--shorter');
  // The day of receipt is the requested Party's local day: 00:30 Almaty on 10 March is still 9 March in UTC.
  const sameDay = await eix(
    'calendar',
    'deadline',
    '--party',
    'KZ',
    '--received',
    '2026-03-09T19:30:00Z',
    '--shorter',
    '2026-03-10',
    '--json',
  );
  assert.deepEqual([sameDay.code, sameDay.json.receivedOn, sameDay.json.requestedBy], [0, '2026-03-10', '2026-03-10']);
  const day = await eix('calendar', 'day', '--party', 'RU', '--date', '2026-01-09', '--json');
  assert.deepEqual([day.json.working, typeof day.json.reason], [false, 'string']);
  assert.match(String(day.json.reason), /перенесённый выходной/);

  const e = await badInput('input.instant', 'calendar', 'deadline', '--party', 'RU', '--received', '2025-12-25 10:00');
  assert.equal(e.details.field, '--received');
  await badInput(
    'input.date',
    'calendar',
    'deadline',
    '--party',
    'RU',
    '--received',
    '2025-12-25T10:00:00Z',
    '--shorter',
    '20.01.2026',
  );
  await badInput(
    'input.invalid',
    'calendar',
    'deadline',
    '--party',
    'RU',
    '--received',
    '2025-12-25T10:00:00Z',
    '--time-zone',
    'Mars/Base',
  );
  await badInput('input.party', 'calendar', 'day', '--party', 'RUS', '--date', '2026-01-01');
  await badInput('calendar.missing', 'calendar', 'day', '--party', 'MN', '--date', '2026-01-01');
  await badInput('calendar.missing', 'calendar', 'day', '--party', 'RU', '--date', '2040-01-01');
  await badInput('input.date', 'calendar', 'day', '--party', 'RU', '--date', '2026-02-30');
  const missing = await badInput('input.invalid', 'calendar', 'day', '--date', '2026-01-01');
  assert.equal(missing.details.field, '--party <CC>');
});

test('eix calendar import: a production-calendar XML year becomes <CC>/<year>.json; bad files are coded errors', async () => {
  const xml = path.join(tmp, 'ru-2028.xml');
  await writeFile(
    xml,
    '<calendar year="2028"><holidays><holiday id="1" title="Новый год"/></holidays><days><day d="01.03" t="1" h="1"/><day d="02.22" t="2"/></days></calendar>',
  );
  const r = await eix('calendar', 'import', xml, '--party', 'RU', '--out', tmp, '--json');
  assert.equal(r.code, 0, r.out);
  const written = JSON.parse(await readFile(path.join(tmp, 'RU', '2028.json'), 'utf8')) as { days: unknown[] };
  assert.equal(written.days.length, 2);
  await badInput('input.file', 'calendar', 'import', path.join(tmp, 'none.xml'), '--party', 'RU');
  await writeFile(path.join(tmp, 'bad.xml'), '<calendar year="2028"><days><day d="13-01" t="1"/></days></calendar>');
  await badInput('calendar.format', 'calendar', 'import', path.join(tmp, 'bad.xml'), '--party', 'RU');
});

test('eix treaty status / can-send (R22–R25, R-pair): contract shape and every kind of bad events file', async () => {
  const s = await eix('treaty', 'status', '--events', DEMO_EVENTS, '--date', '2026-11-26', '--json');
  assert.equal(s.code, 0);
  assert.equal(s.json.inForce, true);
  assert.equal(s.json.entryIntoForce, '2026-03-04');
  const parties = s.json.parties as Record<
    string,
    { bound: boolean; since: string | null; until: string | null; declarations: unknown[]; reservations: unknown[] }
  >;
  assert.deepEqual(Object.keys(parties.RU!).slice(0, 5), ['bound', 'since', 'until', 'declarations', 'reservations']);
  assert.equal(parties.KZ!.reservations.length, 1);
  const yes = await eix(
    'treaty',
    'can-send',
    '--events',
    DEMO_EVENTS,
    '--from',
    'RU',
    '--to',
    'KZ',
    '--date',
    '2026-11-26',
    '--json',
  );
  assert.deepEqual([yes.code, yes.json.allowed], [0, true]);
  const no = await eix(
    'treaty',
    'can-send',
    '--events',
    DEMO_EVENTS,
    '--from',
    'RU',
    '--to',
    'AM',
    '--date',
    '2026-11-26',
    '--json',
  );
  assert.deepEqual([no.code, no.json.allowed], [0, false]);
  assert.match(String(no.json.reason), /2026-12-31/);

  await badInput('input.file', 'treaty', 'status', '--events', path.join(tmp, 'missing.json'), '--date', '2026-11-26');
  await writeFile(path.join(tmp, 'broken.json'), '{"events": [');
  await badInput('input.json', 'treaty', 'status', '--events', path.join(tmp, 'broken.json'), '--date', '2026-11-26');
  await writeFile(path.join(tmp, 'schema.json'), JSON.stringify({ events: [{ type: 'notification', party: 'RU' }] }));
  const schema = await badInput(
    'treaty.events',
    'treaty',
    'status',
    '--events',
    path.join(tmp, 'schema.json'),
    '--date',
    '2026-11-26',
  );
  assert.equal(schema.details.field, 'events[0].received');
  await writeFile(
    path.join(tmp, 'withdrawal.json'),
    JSON.stringify({
      events: [
        { type: 'signature', party: 'BY', date: null },
        { type: 'notification', party: 'BY', received: '2026-01-10' },
        { type: 'withdrawal', party: 'BY', received: '2027-01-10', effective: '2027-02-01' },
      ],
    }),
  );
  const w = await badInput(
    'treaty.withdrawal_notice',
    'treaty',
    'can-send',
    '--events',
    path.join(tmp, 'withdrawal.json'),
    '--from',
    'RU',
    '--to',
    'BY',
    '--date',
    '2026-11-26',
  );
  assert.equal(w.details.field, 'events[2]');
  await badInput(
    'input.party',
    'treaty',
    'can-send',
    '--events',
    DEMO_EVENTS,
    '--from',
    'R1',
    '--to',
    'BY',
    '--date',
    '2026-11-26',
  );
  await badInput('input.date', 'treaty', 'status', '--events', DEMO_EVENTS, '--date', 'today');
});

test('eix request validate (R11): the example is valid with the R-KZ warning; problems are listed at once; bad files are coded', async () => {
  const ok = await eix('request', 'validate', EXAMPLE, '--events', DEMO_EVENTS, '--date', '2026-11-26', '--json');
  assert.equal(ok.code, 0);
  assert.equal(ok.json.ok, true, ok.out);
  assert.ok((ok.json.warnings as { code: string }[]).some((w) => w.code === 'R-KZ'));
  await writeFile(path.join(tmp, 'empty-request.json'), '{}');
  const bad = await eix('request', 'validate', path.join(tmp, 'empty-request.json'), '--json');
  assert.equal(bad.code, 0, 'the command ran; the answer is in the JSON');
  assert.equal(bad.json.ok, false);
  const errors = bad.json.errors as { code: string; path: string; message: string }[];
  assert.ok(errors.length > 3);
  for (const e of errors)
    assert.ok(e.code && typeof e.path === 'string' && /[а-яё]/i.test(e.message), JSON.stringify(e));
  await badInput('input.json', 'request', 'validate', path.join(tmp, 'broken.json'));
  await badInput('input.file', 'request', 'validate', path.join(tmp, 'nope.json'));
  await badInput('input.date', 'request', 'validate', EXAMPLE, '--date', '2026/11/26');
});

test('eix name match: Cyrillic and Latin spellings of one debtor', async () => {
  const r = await eix('name', 'match', 'Щербаков Юрий', 'SHCHERBAKOV IURII', '--json');
  assert.deepEqual([r.code, r.json.match], [0, true]);
  assert.equal((await eix('name', 'match', 'Иванов', 'Петров', '--json')).json.match, false);
  await badInput('input.invalid', 'name', 'match', 'Иванов', '---');
});

test('eix: unknown commands and options are coded input errors', async () => {
  await badInput('input.invalid', 'frobnicate');
  await badInput('input.invalid', 'calendar', 'day', '--party', 'RU', '--date', '2026-01-01', '--bogus');
  const help = await eix('--help');
  assert.equal(help.code, 0);
  assert.match(help.out, /calendar/);
});

test('eix as a process: bad input exits 2 with JSON on stdout and nothing but JSON', async () => {
  const run = promisify(execFile);
  const bin = path.join(ROOT, 'bin/eix.js');
  const good = await run(process.execPath, [bin, 'id', 'check', 'KZ', 'BIN', '000740001307', '--json'], { cwd: ROOT });
  assert.equal(typeof (JSON.parse(good.stdout) as { valid: unknown }).valid, 'boolean');
  await assert.rejects(
    run(process.execPath, [bin, 'calendar', 'deadline', '--party', 'RU', '--received', 'yesterday', '--json'], {
      cwd: ROOT,
    }),
    (e: { code: number; stdout: string; stderr: string }) => {
      assert.equal(e.code, 2);
      const body = JSON.parse(e.stdout) as { error: { code: string } };
      assert.equal(body.error.code, 'input.instant');
      assert.doesNotMatch(e.stderr, /\bat .+:\d+:\d+/);
      return true;
    },
  );
});
