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
# A JDK and Maven: the default embedded database (mongo-java-server) is built with them once, and
# the Nu HTML checker runs on Java. Not needed with MONGODB_URI and EMBEDDED_ENGINE=ferretdb alone.
if ! command -v javac >/dev/null 2>&1 || ! command -v mvn >/dev/null 2>&1; then
  echo "[test] a JDK or Maven is missing (the embedded database is built with them, the HTML checker runs on Java): installing default-jdk-headless and maven with apt-get…"
  if [ "$(id -u)" = "0" ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq default-jdk-headless maven >/dev/null
fi

start=$(date +%s)
echo "[test] typecheck"
npx tsc -p tsconfig.json --noEmit
echo "[test] lint"
npx eslint .
echo "[test] mocha (starts its own embedded database, EMBEDDED_ENGINE=${EMBEDDED_ENGINE:-h2}, unless MONGODB_URI is set)"
if [ "$#" -eq 0 ]; then set -- "test/**/*.test.ts"; fi
npx mocha "$@"
echo "[test] whole run took $(( $(date +%s) - start )) s"
