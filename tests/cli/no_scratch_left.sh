#!/usr/bin/env bash
# Test runs leave nothing behind in $TMPDIR: the test cases that write files (scan and inspect
# command lines, SARIF and JUnit reports) run here with TMPDIR pointing at an empty directory,
# which must be empty again afterwards. Each CTest test is its own process, so a leak here would
# add a directory to /tmp for every test of every CI run.
# Arguments: the fipsgate binary, the build directory.
set -uo pipefail
tests=$2/tests/fipsgate_tests
if [[ ! -x $tests ]]; then
  echo "skipped: $tests is not built"
  exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cases='a broken signature file*,a directory walk*,inspect of a corrupt file*,*SARIF*,*JUnit*'
if ! TMPDIR=$tmp "$tests" --test-case="$cases" >"$tmp.log" 2>&1; then
  cat "$tmp.log"; rm -f "$tmp.log"
  exit 1
fi
ran=$(grep -o 'test cases: *[0-9]*' "$tmp.log" | grep -o '[0-9]*$')
rm -f "$tmp.log"
if [[ -z $ran || $ran -lt 3 ]]; then
  echo "expected at least 3 test cases to run, ran '${ran}'"
  exit 1
fi
left=$(find "$tmp" -mindepth 1)
if [[ -n $left ]]; then
  echo "test cases left files in TMPDIR:"
  echo "$left"
  exit 1
fi
echo "ok: $ran test cases that write files left TMPDIR empty"
