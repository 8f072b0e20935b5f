// Issue 13 item 5: the pure rules of login throttling and of the cross-site check.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_LOGIN_DELAY_MS, crossSiteReason, loginDelayMs } from '../../src/domain/login-throttle.js';

test('V2.2.1: 3 free failures, then 1 s doubling up to 15 minutes', () => {
  assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 7, 13, 14, 100, 10_000].map(loginDelayMs), [
    0,
    0,
    0,
    0,
    1000,
    2000,
    4000,
    8000,
    512_000,
    MAX_LOGIN_DELAY_MS,
    MAX_LOGIN_DELAY_MS,
    MAX_LOGIN_DELAY_MS,
  ]);
});

test('V4.2.2 / V13.2.3: Sec-Fetch-Site and Origin of another site are refused; same origin, none and absent pass', () => {
  const host = 'eix.example:8080';
  const cases: [Parameters<typeof crossSiteReason>[0], ReturnType<typeof crossSiteReason>][] = [
    [{}, null],
    [{ secFetchSite: 'same-origin' }, null],
    [{ secFetchSite: 'none' }, null],
    [{ secFetchSite: 'same-site' }, 'sec-fetch-site'],
    [{ secFetchSite: 'cross-site' }, 'sec-fetch-site'],
    [{ origin: 'https://eix.example' }, null],
    [{ origin: 'http://EIX.example:8080' }, null],
    [{ origin: 'https://evil.example' }, 'origin'],
    [{ origin: 'https://eix.example.evil.example' }, 'origin'],
    [{ origin: 'null' }, 'origin'],
    // Chromium's own form post under Referrer-Policy: no-referrer (the node's pages).
    [{ secFetchSite: 'same-origin', origin: 'null' }, null],
    [{ secFetchSite: 'cross-site', origin: 'null' }, 'sec-fetch-site'],
    [{ origin: 'garbage' }, 'origin'],
    [{ secFetchSite: 'same-origin', origin: 'https://evil.example' }, 'origin'],
  ];
  for (const [headers, want] of cases) assert.equal(crossSiteReason(headers, host), want, JSON.stringify(headers));
  assert.equal(crossSiteReason({ origin: 'http://[::1]:8080' }, '[::1]:8080'), null);
});
