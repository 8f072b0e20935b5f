#!/usr/bin/env bash
# Browser tests drive Debian's chromium with playwright-core. This installs it
# (and fonts with Cyrillic) from Debian's packages when missing; a no-op otherwise.
set -euo pipefail
# chromium-l10n carries the Russian locale: without it native date fields read MM/DD/YYYY, not ДД.ММ.ГГГГ.
if [ -x /usr/bin/chromium ] && [ -f /usr/lib/chromium/locales/ru.pak ] && fc-list 2>/dev/null | grep -qi dejavu; then exit 0; fi
# EIX_REQUIRE_BROWSER=1 (CI): a browser that cannot be installed fails the run instead of skipping the browser tests.
missing() { echo "$1" >&2; if [ "${EIX_REQUIRE_BROWSER:-}" = "1" ]; then echo "EIX_REQUIRE_BROWSER=1: failing" >&2; exit 1; fi; exit 0; }
if [ "${EIX_SKIP_BROWSER_INSTALL:-}" = "1" ]; then missing "chromium missing; EIX_SKIP_BROWSER_INSTALL=1, browser tests will be skipped"; fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null; then SUDO="sudo -n"; else missing "chromium missing and not root: install Debian packages chromium chromium-l10n fonts-dejavu-core"; fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends chromium chromium-l10n fonts-dejavu-core >/dev/null
echo "installed: $(/usr/bin/chromium --version 2>/dev/null || echo chromium)"
