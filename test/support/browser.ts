// Real headless Chromium for the UI tests (Debian's chromium driven by
// playwright-core), launched as the brief prescribes; screenshots go to
// test-results/ for review.
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
/// <reference lib="dom" />
import assert from 'node:assert/strict';
import { chromium, type Browser, type Page } from 'playwright-core';
import { plainRussianReport } from './plain-russian.js';

export const CHROMIUM = process.env.EIX_CHROMIUM ?? '/usr/bin/chromium';
export const SHOTS = new URL('../../test-results/', import.meta.url).pathname;

/** EIX_REQUIRE_BROWSER=1 (CI: .ci/run): a missing browser fails the browser tests instead of skipping them. */
export const BROWSER_REQUIRED = process.env.EIX_REQUIRE_BROWSER === '1';

/** The `skip` option of a browser suite: skipped only where there is no browser and none is required. */
export const browserSkip: string | false =
  !existsSync(CHROMIUM) && !BROWSER_REQUIRED ? `no browser at ${CHROMIUM} (npm test installs Debian chromium)` : false;

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `no browser at ${CHROMIUM}: install Debian chromium or set EIX_CHROMIUM (EIX_REQUIRE_BROWSER=1 fails, not skips)`,
    );
  await mkdir(SHOTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    // Native date fields in Russian order (ДД.ММ.ГГГГ), as officers see them: the browser's own locale comes from
    // the environment (with Debian's chromium-l10n installed); the context's `locale` alone does not change it.
    env: { ...process.env, LANG: 'ru_RU.UTF-8', LANGUAGE: 'ru_RU:ru' },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--lang=ru-RU',
    ],
  });
}

/**
 * The page as an officer reads it (issue 14): no raw code, ISO time or English word (test/support/plain-russian.ts),
 * and a screenshot `test-results/<shot>.png` for review. `dropCode`: console commands shown in <code> to an
 * administrator are not prose; `names`: logins and identifiers a person types, read as names.
 */
export async function readPlainRussian(
  page: Page,
  shot: string,
  opts: { dropCode?: boolean; names?: readonly string[] } = {},
): Promise<string> {
  await page.waitForLoadState('domcontentloaded');
  const text = opts.dropCode
    ? await page.evaluate(() => {
        const copy = document.body.cloneNode(true) as HTMLElement;
        copy.querySelectorAll('code, script, style').forEach((e) => e.remove());
        document.body.append(copy);
        copy.style.position = 'absolute';
        const t = copy.innerText;
        copy.remove();
        return t;
      })
    : await page.locator('body').innerText();
  const report = plainRussianReport(
    shot,
    (opts.names ?? []).reduce((t, n) => t.replaceAll(n, 'имя'), text),
  );
  assert.equal(report, null, report ?? '');
  await page.screenshot({ path: `${SHOTS}${shot}.png`, fullPage: true });
  return text;
}

/**
 * Accessibility of a page (issue 14): a label on every visible control of the main content, no horizontal overflow
 * at 390 px (screenshot `<shot>-390.png`), and with `keyboard` Tab from the top reaches the main content.
 */
export async function checkAccessible(page: Page, shot: string, opts: { keyboard?: boolean } = {}): Promise<void> {
  const unlabelled = await page.evaluate(() =>
    Array.from(document.querySelectorAll('main input:not([type=hidden]), main select, main textarea'))
      .filter((el) => (el as HTMLElement).offsetParent !== null)
      .filter(
        (el) =>
          !(el as HTMLInputElement).labels?.length &&
          !el.getAttribute('aria-label') &&
          !el.getAttribute('aria-labelledby'),
      )
      .map((el) => el.id || el.getAttribute('name')),
  );
  assert.deepEqual(unlabelled, [], `${shot}: controls without a label`);
  if (opts.keyboard) {
    // From the top of the page, Tab passes the skip link and the menu, then reaches the main content.
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    let inMain = false;
    for (let i = 0; i < 40 && !inMain; i++) {
      await page.keyboard.press('Tab');
      inMain = await page.evaluate(() => Boolean(document.activeElement?.closest('main')));
    }
    assert.ok(inMain, `${shot}: Tab never reaches the main content`);
  }
  const size = page.viewportSize()!;
  await page.setViewportSize({ width: 390, height: 844 });
  const overflow = await page.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
  );
  await page.screenshot({ path: `${SHOTS}${shot}-390.png`, fullPage: true });
  await page.setViewportSize(size);
  assert.ok(overflow <= 1, `${shot}: horizontal overflow ${overflow}px at 390 px`);
}
