#include "io/huge_page_heap.h"

#include <malloc.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdint>

#include "io/helper_thread.h"
#include "io/sanitizer.h"

namespace fipsgate {

namespace {

constexpr uintptr_t kHugePage = uintptr_t{2} << 20;
constexpr uintptr_t kPage = 4096;
constexpr size_t kHeapStep = size_t{32} << 20;  // the largest M_MMAP_THRESHOLD glibc takes
// Threads per shared heap: more than a few would queue for its lock on the allocations that
// their thread caches do not serve (measured only with two).
constexpr unsigned kMaxCpusSharingTheHeap = 4;

// Whether the process runs under a limit on its data or address space (ulimit -d, -v): there every
// growth of a heap padded to 32 MiB could fail where glibc's 128 KiB steps fit, and its fallback
// mapping is padded as much (a scan under 30 MB of data aborted), so glibc keeps its defaults.
bool memory_limited() {
  for (const int resource : {RLIMIT_DATA, RLIMIT_AS}) {
    struct rlimit limit {};
    if (getrlimit(resource, &limit) != 0 || limit.rlim_cur != RLIM_INFINITY) return true;
  }
  return false;
}

}  // namespace

void keep_heap_in_huge_pages() {
  static bool done = false;
  if (done || kAddressSanitizer) return;  // its own allocator
  done = true;
  if (memory_limited()) return;
  malloc_trim(0);  // the free top shrinks to less than a page: the block below can be smaller
  if (mallopt(M_MMAP_THRESHOLD, static_cast<int>(kHeapStep)) == 0) return;  // not glibc's malloc
  mallopt(M_TOP_PAD, static_cast<int>(kHeapStep));
  mallopt(M_TRIM_THRESHOLD, static_cast<int>(2 * kHeapStep));
  if (usable_cpus() <= kMaxCpusSharingTheHeap) mallopt(M_ARENA_MAX, 1);
  // A huge page only backs a 2 MiB range that has no 4 KiB page yet, and glibc writes a header
  // after each block it hands out. So the heap is made to grow now, by taking a block larger than
  // all its free space, with the break first moved (by hand: glibc starts its new top where its
  // next sbrk lands, as after any other code's) to just below a 2 MiB boundary, far enough that
  // the block and the header after it stay below. Freed, the block goes back to the top, and all
  // above the boundary is untouched when it is marked.
  const size_t block = mallinfo2().fordblks + 64;
  const uintptr_t room = (block + 64 + kPage - 1) & ~(kPage - 1);
  const uintptr_t end = reinterpret_cast<uintptr_t>(sbrk(0));
  const uintptr_t boundary = (end + room + kHugePage - 1) & ~(kHugePage - 1);
  if (sbrk(static_cast<intptr_t>(boundary - room - end)) == reinterpret_cast<void*>(-1)) return;
  void* volatile grow = malloc(block);
  free(grow);
  const uintptr_t grown = reinterpret_cast<uintptr_t>(sbrk(0));
  if (grown > boundary) {
    madvise(reinterpret_cast<void*>(boundary), grown - boundary, MADV_HUGEPAGE);  // a hint
  }
}

}  // namespace fipsgate
