// A use-case context on a real database (PGlite or PostgreSQL), a real key
// ring, the demo treaty events and the shipped calendars; a clock the test
// moves. Seeds bodies and officers of two Parties' nodes on one database when
// a test needs both sides.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { loadRegionTable } from '../../src/adapters/regions/json-region-source.js';
import { loadCalendar } from '../../src/adapters/calendars/json-calendar-source.js';
import { auditKeyFromBytes } from '../../src/adapters/crypto/audit-key.js';
import { keyRingFromFile } from '../../src/adapters/crypto/data-key.js';
import type { Database } from '../../src/adapters/db/database.js';
import type { AppContext, Officer, Role } from '../../src/app/context.js';
import { hashPassword } from '../../src/adapters/crypto/passwords.js';
import { sessionHash } from '../../src/app/sessions.js';
import { totpAad } from '../../src/app/start-totp-enrolment.js';
import { loadTreaty } from '../../src/domain/treaty.js';
import type { TestEngine } from './db.js';

export const DEMO_TREATY = loadTreaty(
  JSON.parse(readFileSync(new URL('../../data/treaty/demo-events.json', import.meta.url), 'utf8')),
);

export class TestClock {
  constructor(private t: number) {}
  now = (): Date => new Date(this.t);
  set(iso: string): void {
    this.t = Date.parse(iso);
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

export function testSealer() {
  return keyRingFromFile({
    version: 1,
    active: 'ktest0001',
    keys: [{ id: 'ktest0001', created: '2026-01-01T00:00:00Z', key: randomBytes(32).toString('base64') }],
  });
}

/** One audit key per test process: nodes sharing a database key one log, as the processes of one node do. */
export const TEST_AUDIT_KEY = auditKeyFromBytes(randomBytes(32), 'atest0001');

export interface TestNode {
  readonly ctx: AppContext;
  readonly clock: TestClock;
  readonly database: Database;
}

/** A node context of `party` on the given database. */
export function nodeOn(
  database: Database,
  party: string,
  clock = new TestClock(Date.parse('2026-11-26T09:00:00+03:00')),
): TestNode {
  const ctx: AppContext = {
    db: database.db,
    sealer: testSealer(),
    clock,
    party,
    treaty: () => DEMO_TREATY,
    calendar: (p) => loadCalendar(p),
    regions: (p) => loadRegionTable(p),
    limits: { attachmentBytes: 1024 * 1024 },
    auditKey: TEST_AUDIT_KEY,
  };
  return { ctx, clock, database };
}

export async function openNode(engine: TestEngine, party = 'RU'): Promise<TestNode> {
  return nodeOn(await engine.open(), party);
}

let counter = 0;
/** A unique suffix so tests on one database do not collide. */
export function uniq(prefix: string): string {
  counter += 1;
  return `${prefix}-${process.pid.toString(36)}${counter.toString(36)}${randomBytes(2).toString('hex')}`;
}

/** Inserts a body directly (admin use cases are tested on their own). */
export async function seedBody(
  ctx: AppContext,
  f: {
    id?: string;
    party?: string;
    name?: string;
    kind?: 'central' | 'territorial' | 'other';
    parentId?: string | null;
  } = {},
): Promise<string> {
  const id = f.id ?? uniq(`${(f.party ?? ctx.party).toLowerCase()}-body`);
  await ctx.db
    .insertInto('bodies')
    .values({
      id,
      party: f.party ?? ctx.party,
      name: f.name ?? `Орган ${id}`,
      kind: f.kind ?? 'territorial',
      parent_id: f.parentId ?? null,
      time_zone: null,
    })
    .execute();
  return id;
}

/** Inserts an officer directly and returns the Actor the use cases take. */
export async function seedOfficer(
  ctx: AppContext,
  bodyId: string,
  roles: readonly Role[] = ['officer'],
  party = ctx.party,
): Promise<Officer> {
  const login = uniq('officer');
  const row = await ctx.db
    .insertInto('officers')
    .values({
      body_id: bodyId,
      login,
      full_name: 'Петрова Анна Сергеевна',
      position: 'судебный пристав-исполнитель',
      roles: [...roles],
      password_hash: 'scrypt$unusable',
      locked_until: null,
      disabled_at: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return {
    kind: 'officer',
    officerId: row.id,
    login,
    fullName: 'Петрова Анна Сергеевна',
    position: 'судебный пристав-исполнитель',
    bodyId,
    party,
    roles,
  };
}

/** A second factor enrolled for the officer with a known secret (for tests that log in through the code page). */
export const TEST_TOTP_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
export async function enrolSecondFactor(ctx: AppContext, officerId: string): Promise<string> {
  await ctx.db
    .updateTable('officers')
    .set({
      totp_enabled_at: ctx.clock.now(),
      totp_secret_enc: ctx.sealer.encrypt(Buffer.from(TEST_TOTP_SECRET), totpAad(officerId)),
    })
    .where('id', '=', officerId)
    .execute();
  return TEST_TOTP_SECRET;
}

/**
 * For tests about other things: the administrator has enrolled a second factor
 * and passed it in this web session, so the session is not held at the
 * enrolment or code page (issue 13.3; the TOTP flow itself is tested in
 * test/app/separation-of-duties.test.ts and test/web/second-factor-browser.test.ts).
 */
export async function passSecondFactor(ctx: AppContext, officerId: string, sessionToken: string): Promise<void> {
  await enrolSecondFactor(ctx, officerId);
  await ctx.db
    .updateTable('sessions')
    .set({ second_factor_at: ctx.clock.now() })
    .where('id', '=', sessionHash(sessionToken))
    .execute();
}

/**
 * Signs an officer in through the web login form with a password set here (tests of pages that are not about the
 * login itself); an administrator also passes the second factor. Returns the session token and its cookie header.
 */
export async function webSignIn(
  ctx: AppContext,
  base: string,
  officer: Officer,
  password = 'officer-correct-horse-battery',
): Promise<{ token: string; cookie: { cookie: string } }> {
  await ctx.db
    .updateTable('officers')
    .set({ password_hash: await hashPassword(password) })
    .where('id', '=', officer.officerId)
    .execute();
  const res = await fetch(`${base}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ login: officer.login, password }).toString(),
  });
  if (res.status !== 302) throw new Error(`login of ${officer.login}: ${res.status}`);
  const token = /eix_session=([^;]+)/.exec(res.headers.getSetCookie().join('\n'))![1]!;
  if (officer.roles.includes('admin')) await passSecondFactor(ctx, officer.officerId, token);
  return { token, cookie: { cookie: `__Host-eix_session=${token}` } };
}
