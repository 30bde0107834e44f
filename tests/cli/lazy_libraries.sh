#!/usr/bin/env bash
# Libraries only some runs need are opened when first needed, not at start-up: libcrypto (the
# SHA-256 digest), Capstone (confirming callers) and LIEF (PE and Mach-O). Linked, they cost
# every process ~4 ms before main. This fails when one of them becomes a NEEDED entry again, and
# checks that the digest still works through the lazily opened libcrypto.
# Arguments: the fipsgate binary, the build directory.
set -uo pipefail
fipsgate=$1
# Fails when a listing (NEEDED entries, then the files `--version` loads) names a lazy library.
refuse() {
  local what=$1 listing=$2
  for library in libcrypto libcapstone libLIEF; do
    if [[ $listing == *"$library"* ]]; then
      echo "$what $library:"
      echo "$listing"
      exit 1
    fi
  done
}
refuse "$fipsgate links at start-up" "$(readelf -d "$fipsgate" | grep NEEDED)"
refuse "fipsgate --version loads" "$(LD_DEBUG=files "$fipsgate" --version 2>&1 | grep -o 'file=[^ ]*' | sort -u)"
expected=$(sha256sum "$fipsgate" | cut -d' ' -f1)
json=$("$fipsgate" inspect --json --digest sha256 "$fipsgate" 2>/dev/null)
if [[ $json != *"\"sha256\": \"$expected\""* && $json != *"\"sha256\":\"$expected\""* ]]; then
  echo "inspect --digest sha256 did not report $expected:"
  echo "$json" | grep -i sha256
  exit 1
fi
echo "ok: libcrypto, Capstone and LIEF are opened on demand; the digest matches sha256sum"
