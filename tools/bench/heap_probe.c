/* heap_probe: an LD_PRELOAD library that measures a process's peak heap.
 *
 * It wraps malloc, calloc, realloc, free and the aligned allocators, adds up the usable size of
 * every live block and keeps the maximum. At exit it appends one line to the file named by
 * $FIPSGATE_HEAP_PROBE_OUT:
 *   peak_heap_bytes=N allocations=N vm_hwm_kb=N rss_anon_kb=N
 * (vm_hwm_kb is the peak resident set, rss_anon_kb the anonymous memory still mapped at exit).
 * The counting costs two atomic adds per call; tools/bench uses it for one extra run per
 * command, never for the timed runs. */
#define _GNU_SOURCE
#include <malloc.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern void* __libc_malloc(size_t size);
extern void* __libc_calloc(size_t count, size_t size);
extern void* __libc_realloc(void* block, size_t size);
extern void __libc_free(void* block);
extern void* __libc_memalign(size_t alignment, size_t size);

static _Atomic long long live_bytes;
static _Atomic long long peak_bytes;
static _Atomic long long allocation_count;

static void account(long long delta) {
  long long now = atomic_fetch_add(&live_bytes, delta) + delta;
  long long peak = atomic_load(&peak_bytes);
  while (now > peak && !atomic_compare_exchange_weak(&peak_bytes, &peak, now)) {
  }
}

static void* counted(void* block) {
  if (block != NULL) {
    atomic_fetch_add(&allocation_count, 1);
    account((long long)malloc_usable_size(block));
  }
  return block;
}

void* malloc(size_t size) {
  return counted(__libc_malloc(size));
}
void* calloc(size_t count, size_t size) {
  return counted(__libc_calloc(count, size));
}

void free(void* block) {
  if (block != NULL) account(-(long long)malloc_usable_size(block));
  __libc_free(block);
}

void* realloc(void* block, size_t size) {
  long long before = block != NULL ? (long long)malloc_usable_size(block) : 0;
  void* moved = __libc_realloc(block, size);
  if (moved != NULL) {
    account((long long)malloc_usable_size(moved) - before);
  } else if (size == 0 && block != NULL) {
    account(-before);
  }
  return moved;
}

void* memalign(size_t alignment, size_t size) {
  return counted(__libc_memalign(alignment, size));
}
void* aligned_alloc(size_t alignment, size_t size) {
  return memalign(alignment, size);
}
void* valloc(size_t size) {
  return memalign(4096, size);
}

int posix_memalign(void** result, size_t alignment, size_t size) {
  void* block = memalign(alignment, size);
  if (block == NULL) return 12; /* ENOMEM */
  *result = block;
  return 0;
}

static long status_kb(const char* field) {
  FILE* status = fopen("/proc/self/status", "r");
  if (status == NULL) return -1;
  char line[256];
  long value = -1;
  size_t field_length = strlen(field);
  while (fgets(line, sizeof line, status) != NULL) {
    if (strncmp(line, field, field_length) == 0 && line[field_length] == ':') {
      value = strtol(line + field_length + 1, NULL, 10);
      break;
    }
  }
  fclose(status);
  return value;
}

__attribute__((destructor)) static void report(void) {
  const char* path = getenv("FIPSGATE_HEAP_PROBE_OUT");
  if (path == NULL || *path == '\0') return;
  FILE* out = fopen(path, "a");
  if (out == NULL) return;
  fprintf(out, "peak_heap_bytes=%lld allocations=%lld vm_hwm_kb=%ld rss_anon_kb=%ld\n",
          (long long)atomic_load(&peak_bytes), (long long)atomic_load(&allocation_count),
          status_kb("VmHWM"), status_kb("RssAnon"));
  fclose(out);
}
