// Throttling of password guesses (ASVS V2.2.1): instead of a hard lock that
// anyone could trigger for any officer, each (login, client address) pair
// waits longer after every failure. A guesser from one address slows down to a
// few attempts an hour; the officer at another address is not affected.

/** Failures of one login from one address answered without any wait. */
export const FREE_LOGIN_FAILURES = 3;
/** The longest wait between two attempts of one login from one address. */
export const MAX_LOGIN_DELAY_MS = 15 * 60_000;
/** A (login, address) pair quiet for this long starts afresh. */
export const LOGIN_FAILURES_FORGOTTEN_MS = 24 * 3_600_000;

/** How long the next attempt waits after `failures` consecutive failures: 0, …, 1 s, 2 s, 4 s … up to 15 min. */
export function loginDelayMs(failures: number): number {
  if (failures <= FREE_LOGIN_FAILURES) return 0;
  return Math.min(MAX_LOGIN_DELAY_MS, 1000 * 2 ** Math.min(30, failures - FREE_LOGIN_FAILURES - 1));
}

/**
 * Refusal of a cross-site state-changing request from a browser (login CSRF,
 * defence in depth for the CSRF token): `Sec-Fetch-Site` other than
 * same-origin/none, or — without Fetch Metadata — an `Origin` whose host is not the host the request was
 * sent to (host names are compared; a port is no boundary for cookies
 * either). A request with neither header is not from a current browser's
 * cross-site form, so it passes (scripts, curl). Returns the reason or null.
 */
export function crossSiteReason(
  headers: { readonly origin?: string | undefined; readonly secFetchSite?: string | undefined },
  host: string,
): 'sec-fetch-site' | 'origin' | null {
  const site = headers.secFetchSite?.trim().toLowerCase();
  const sameSite = site === 'same-origin' || site === 'none';
  if (site !== undefined && site !== '' && !sameSite) return 'sec-fetch-site';
  const origin = headers.origin?.trim();
  if (origin === undefined || origin === '') return null;
  // The node's pages send `Referrer-Policy: no-referrer`, under which Chromium
  // posts its own forms with `Origin: null`; the browser's Fetch Metadata then
  // vouches for the request.
  if (origin === 'null' && sameSite) return null;
  const hostname = (h: string): string | null => {
    try {
      return new URL(h).hostname.toLowerCase() || null;
    } catch {
      return null; // "null" (sandboxed frames, some redirects) or garbage
    }
  };
  const from = hostname(origin);
  return from !== null && from === hostname(`http://${host.trim()}`) ? null : 'origin';
}
