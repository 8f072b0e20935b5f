// Real headless Chromium for the UI tests (Debian's chromium driven by
// playwright-core), launched as the brief prescribes; screenshots go to
// test-results/ for review.
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = process.env.EIX_CHROMIUM ?? '/usr/bin/chromium';
export const SHOTS = new URL('../../test-results/', import.meta.url).pathname;

/** The `skip` option of a browser suite: skipped only where there is no browser and none is required. */
export const browserSkip: string | false =
  !existsSync(CHROMIUM) && process.env.EIX_REQUIRE_BROWSER !== '1'
    ? `no browser at ${CHROMIUM} (npm test installs Debian chromium)`
    : false;

export async function launchBrowser(): Promise<Browser> {
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
