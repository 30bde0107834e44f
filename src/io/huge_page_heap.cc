#include "io/huge_page_heap.h"

#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>

#include "io/helper_thread.h"

#if defined(__SANITIZE_ADDRESS__)
#define FIPSGATE_OWN_ALLOCATOR 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FIPSGATE_OWN_ALLOCATOR 0
#endif
#endif
#ifndef FIPSGATE_OWN_ALLOCATOR
#define FIPSGATE_OWN_ALLOCATOR 1
#endif

namespace fipsgate {

namespace {

constexpr uintptr_t kHugePage = uintptr_t{2} << 20;
constexpr size_t kHeapStep = size_t{32} << 20;  // the largest M_MMAP_THRESHOLD glibc takes
// Threads per shared heap: more than a few would queue for its lock on the allocations that
// their thread caches do not serve (measured only with two).
constexpr unsigned kMaxCpusSharingTheHeap = 4;

}  // namespace

void keep_heap_in_huge_pages() {
  static bool done = false;
  if (done || FIPSGATE_OWN_ALLOCATOR == 0) return;
  done = true;
  if (mallopt(M_MMAP_THRESHOLD, static_cast<int>(kHeapStep)) == 0) return;  // not glibc's malloc
  mallopt(M_TOP_PAD, static_cast<int>(kHeapStep));
  mallopt(M_TRIM_THRESHOLD, static_cast<int>(2 * kHeapStep));
  if (usable_cpus() <= kMaxCpusSharingTheHeap) mallopt(M_ARENA_MAX, 1);
  // A block that ends just below the next 2 MiB boundary: taking it grows the heap by the step,
  // and the free space after it (where the next blocks come from) starts on that boundary, still
  // untouched. A huge page can only back a 2 MiB range that has no 4 KiB page yet, so the header
  // glibc writes after the block must fall below the boundary, hence the 64 bytes of margin.
  const uintptr_t end = reinterpret_cast<uintptr_t>(sbrk(0));
  const uintptr_t top = end - mallinfo2().keepcost;  // where glibc's free top chunk starts
  const uintptr_t boundary = (end + kHugePage) & ~(kHugePage - 1);  // past `end`: the heap grows
  void* volatile below_boundary = malloc(boundary - top - 64);  // kept: it is address space only
  (void)below_boundary;
  const uintptr_t grown = reinterpret_cast<uintptr_t>(sbrk(0));
  if (grown > boundary) {
    madvise(reinterpret_cast<void*>(boundary), grown - boundary, MADV_HUGEPAGE);  // a hint
  }
}

}  // namespace fipsgate
