// Issue 14.7: the notices page and the menu badge render in Russian with local
// dates, the csrf field on every form and no raw code or ISO time (the route
// that serves them is wired with the routes split; this renders the templates).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Eta } from 'eta';
import type { NoticeList } from '../../src/app/list-notices.js';
import { webDates } from '../../src/web/dates.js';

const views = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../src/web/templates');
const eta = new Eta({ views, cache: false, autoEscape: true });
const base = {
  ...webDates('Asia/Almaty'),
  protectionRoles: [],
  me: null,
  csrf: 'csrf-token-1',
  title: 'Уведомления',
};

const list: NoticeList = {
  notices: [
    {
      id: '12',
      kind: 'deadline_soon',
      title: 'Срок истекает',
      text: 'До окончания срока исполнения запроса № 77001/26/001001 (Россия) осталось 3 рабочих дня: срок до 13.01.2027',
      requestId: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
      href: '/requests/7c9e6679-7425-40de-944b-e07fc1f90ae7',
      occurredAt: new Date('2027-01-08T04:15:00Z'),
      read: false,
    },
    {
      id: '3',
      kind: 'request_received',
      title: 'Новый запрос',
      text: 'Поступил запрос № 77001/26/001001 (Россия)',
      requestId: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
      href: '/requests/7c9e6679-7425-40de-944b-e07fc1f90ae7',
      occurredAt: new Date('2026-11-26T05:00:00Z'),
      read: true,
    },
  ],
  badge: { unread: 1, more: false },
  upTo: '12',
};

test('issue 14.7: the notices page lists unread first with local times, a csrf field on each form, nothing raw', () => {
  const html = eta.render('notices', { ...base, list });
  assert.match(html, /Отметить все как прочитанные/);
  assert.match(html, /name="upTo" value="12"/);
  assert.match(html, /name="eventId" value="12"/);
  assert.doesNotMatch(html, /name="eventId" value="3"/, 'a read notice has no "read" button');
  assert.equal(html.match(/<form method="post"/g)?.length, html.match(/name="_csrf" value="csrf-token-1"/g)?.length);
  assert.match(html, /08\.01\.2027 09:15/, 'the time in the node’s zone (Almaty, UTC+5)');
  assert.ok(html.indexOf('notice-12') < html.indexOf('notice-3'));
  const text = html.replace(/<[^>]+>/g, ' ');
  assert.doesNotMatch(text, /\d{4}-\d{2}-\d{2}|T\d{2}:\d{2}/, 'no ISO date or time');
  assert.doesNotMatch(text, /deadline_soon|request_received/, 'no raw kind');
});

test('issue 14.7: an empty list says what will appear; the badge shows the count or nothing', () => {
  const empty = eta.render('notices', {
    ...base,
    list: { notices: [], badge: { unread: 0, more: false }, upTo: null },
  });
  assert.match(empty, /Непрочитанных уведомлений нет/);
  assert.doesNotMatch(empty, /Отметить все/);
  const badge = (n: unknown) => eta.render('notices-badge', { notices: n });
  assert.match(
    badge({ unread: 3, more: false }),
    /Уведомления <span class="badge unread-count" aria-hidden="true">3<\/span>/,
  );
  assert.match(badge({ unread: 99, more: true }), />99\+</);
  assert.match(badge({ unread: 99, more: true }), /aria-label="Уведомления: непрочитанных более 99"/);
  assert.doesNotMatch(badge({ unread: 0, more: false }), /badge/);
  assert.doesNotMatch(badge(undefined), /badge/);
});
