#!/usr/bin/env bash
# The whole test suite: typecheck, lint, and every mocha test (unit, HTTP, browser) against a
# throwaway database. Installs what the browser tests need when it is missing, and says so.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x /usr/bin/chromium ]; then
  echo "[test] Debian's chromium is missing: installing it with apt-get for the browser tests…"
  if [ "$(id -u)" = "0" ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
  echo "[test] chromium installed: $(/usr/bin/chromium --version 2>/dev/null || echo unknown)"
fi
if ! command -v java >/dev/null 2>&1; then
  echo "[test] java is missing (needed by the Nu HTML checker): installing default-jre-headless with apt-get…"
  if [ "$(id -u)" = "0" ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq default-jre-headless >/dev/null
fi

start=$(date +%s)
echo "[test] typecheck"
npx tsc -p tsconfig.json --noEmit
echo "[test] lint"
npx eslint .
echo "[test] mocha (starts its own embedded database unless MONGODB_URI is set)"
if [ "$#" -eq 0 ]; then set -- "test/**/*.test.ts"; fi
npx mocha "$@"
echo "[test] whole run took $(( $(date +%s) - start )) s"
