#!/usr/bin/env bash
# tools/show-samples, the last step of tools/demo, finishes with exit 0 over the built samples and
# shows both the inspection and the scan. (tools/demo once piped the inspector into `head` under
# pipefail and died of SIGPIPE, exit 141.) Arguments: the fipsgate binary, the build directory.
set -uo pipefail
build=$2
if [[ ! -f $build/samples/go1.24-amd64-fips140-v1.0.0 ]]; then
  echo "no samples in $build/samples (tools/build-samples)"
  [[ ${FIPSGATE_REQUIRE_SAMPLES:-0} == 1 ]] && exit 1
  exit 77
fi
out=$("$(dirname "$0")/../../tools/show-samples" "$build" 2>&1)
status=$?
if ((status != 0)); then
  echo "tools/show-samples exited $status"
  echo "$out" | tail -20
  exit 1
fi
for expected in "go version      go1.24" "fipsgate scan exit code: "; do
  if [[ $out != *"$expected"* ]]; then
    echo "missing from the output: $expected"
    exit 1
  fi
done
