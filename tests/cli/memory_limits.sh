#!/usr/bin/env bash
# Under a limit on its data or address space (ulimit -d, -v) a scan still runs: the heap keeps
# glibc's defaults there (src/io/huge_page_heap.h), whose small steps fit where 32 MiB ones did not.
# Arguments: the fipsgate binary, the build directory.
set -uo pipefail
fipsgate=$1
sample=$2/samples/go1.24-amd64-std
if [[ ! -f $sample ]]; then
  echo "skipped: samples not built"
  exit 77
fi
# Not `ldd | grep -q`: under pipefail, grep leaving early fails ldd with SIGPIPE now and then.
if [[ $(ldd "$fipsgate") == *libasan* ]]; then
  echo "skipped: AddressSanitizer reserves more address space than the limits leave"
  exit 77
fi
# 30 MB of data: the padded heap aborted there (std::bad_alloc) before it stepped aside.
for limit in "-d 30000" "-v 300000"; do
  out=$( (ulimit $limit && "$fipsgate" scan --format json --digest sha256 "$sample") 2>&1)
  code=$?
  if [[ $code -gt 1 || $out != *'"sha256"'* ]]; then
    echo "scan under ulimit $limit: exit $code: ${out:0:300}"
    exit 1
  fi
done
