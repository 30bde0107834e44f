// The process's malloc heap in transparent huge pages.
//
// On the 2-vCPU guests this runs on (a PVM hypervisor with shadow page tables), the first touch
// of a fresh 4 KiB page of anonymous memory costs about 10 us, where a 2 MiB huge page costs
// about 0.1 ms: 32 MiB took 78-104 ms in 4 KiB pages and 1.7-1.9 ms in huge pages. A scan of the
// 84-binary directory took 640 page faults, 440 of them in its heap; with the heap in huge pages,
// 196, and 7 ms less on one thread (docs/BENCHMARKS.md, fourteenth round). glibc puts its heap in
// huge pages only when asked through GLIBC_TUNABLES before the process starts, so this does it from
// inside, once, at the start of main().
#pragma once

namespace fipsgate {

// Sets glibc's heap to grow in 32 MiB steps from here on and not to shrink while less than 64 MiB
// of it is free, grows it by one step that starts on a 2 MiB boundary and is marked for
// transparent huge pages, and keeps blocks up to 32 MiB in the heap (not in mappings of their
// own, fresh memory each time). Up to 4 CPUs, every thread allocates from this heap
// instead of from an arena of its own in 4 KiB pages. Changes speed only, never behaviour: a
// no-op under AddressSanitizer (its own allocator) and under a limit on the data or address
// space, and a hint the kernel may not follow where huge pages are not available.
void keep_heap_in_huge_pages();

}  // namespace fipsgate
