#!/usr/bin/env bash
# A report that cannot be written is a failed run: with standard output on /dev/full (every
# write fails with ENOSPC), scan, inspect and explain exit 2 and say why on standard error,
# instead of exiting 0 with the verdict lost. A CI gate reading the exit code must not pass then.
# Arguments: the fipsgate binary, the build directory.
set -uo pipefail
fipsgate=$1
if [[ ! -w /dev/full ]]; then
  echo "skipped: no /dev/full"
  exit 77
fi
check() {
  local what=$1
  shift
  local err
  err=$("$fipsgate" "$@" 2>&1 >/dev/full)
  local code=$?
  if [[ $code -ne 2 || $err != *"standard output could not be written: No space left on device"* ]]; then
    echo "$what to /dev/full: exit $code, stderr: $err"
    exit 1
  fi
}
check "scan" scan "$fipsgate"
check "scan --format json" scan --format json --digest none "$fipsgate"
check "inspect" inspect "$fipsgate"
check "explain" explain FG101
# The same runs to a working output still succeed.
if ! "$fipsgate" inspect "$fipsgate" >/dev/null; then
  echo "inspect to /dev/null failed"
  exit 1
fi
echo "ok: a lost report exits 2 with the reason"
