/* scaling_probe MODE THREADS FILE...: how much faster this machine does one kind of work on two
 * cores than on one, with no fipsgate code in the way.
 *
 * The directory target (`scan --jobs 2` >= 1.8x `--jobs 1`) assumes that two cores do twice the
 * work. Each MODE below does, to every FILE, one thing a scan does to it, on THREADS threads that
 * take the files largest first from one shared index, as fipsgate's workers do:
 *   map      open, mmap, read one byte of every 4 KiB page, munmap, close: the first touch of
 *            mapped file pages (headers, pclntab, name tables);
 *   read     open, pread every byte into a 64 KiB buffer that each thread allocated and touched
 *            once, then read one word per cache line of it, close: the copied-out windows;
 *   compute  a dependent-ALU loop, one step per 16 bytes of the file, touching no memory: the
 *            cores alone.
 * Each thread is started on a CPU of its own and then allowed on all of them, as fipsgate's
 * helper threads are (src/io/helper_thread.h: a new thread can otherwise wait behind its creator
 * for a scheduler tick). Prints one line: mode, threads, wall ms, CPU ms (getrusage, user +
 * system). tools/bench runs
 * each mode on 1 and 2 threads and reports wall(1) / wall(2). Exit status 0, or 2 with a
 * message on bad usage or a file that cannot be read. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum { kMaxThreads = 64, kWindow = 64 << 10 };

struct file {
  const char* path;
  size_t size;
};

static struct file* files;
static size_t file_count;
static atomic_size_t next_file;
static int mode; /* 0 map, 1 read, 2 compute */
static atomic_int failed;

static uint64_t touch_mapped(int fd, size_t size) {
  const volatile uint8_t* bytes = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
  if (bytes == MAP_FAILED) return atomic_store(&failed, 1), 0;
  uint64_t sum = 0;
  for (size_t at = 0; at < size; at += 4096) sum += bytes[at];
  munmap((void*)bytes, size);
  return sum;
}

static uint64_t read_through(int fd, size_t size, uint8_t* window) {
  uint64_t sum = 0;
  for (size_t at = 0; at < size; at += kWindow) {
    const ssize_t got = pread(fd, window, kWindow, (off_t)at);
    if (got <= 0) return atomic_store(&failed, 1), sum;
    for (ssize_t line = 0; line + 8 <= got; line += 64) {
      uint64_t word;
      memcpy(&word, window + line, sizeof word);
      sum += word;
    }
  }
  return sum;
}

static uint64_t compute(size_t size) {
  uint64_t a = size, b = 1;
  for (size_t step = 0; step < size / 16; ++step) {
    a += b ^ step;
    b += a >> 3;
    __asm__ volatile("" : "+r"(a), "+r"(b));
  }
  return a + b;
}

static cpu_set_t allowed; /* the process's CPUs, which every worker may use once started */

static void* worker(void* sum_out) {
  pthread_setaffinity_np(pthread_self(), sizeof allowed, &allowed);
  uint8_t* window = malloc(kWindow);
  if (window == NULL) return atomic_store(&failed, 1), NULL;
  memset(window, 0, kWindow); /* its pages are mapped before the clock matters */
  uint64_t sum = 0;
  for (size_t i; (i = atomic_fetch_add(&next_file, 1)) < file_count;) {
    if (mode == 2) {
      sum += compute(files[i].size);
      continue;
    }
    const int fd = open(files[i].path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      atomic_store(&failed, 1);
      continue;
    }
    sum += mode == 0 ? touch_mapped(fd, files[i].size) : read_through(fd, files[i].size, window);
    close(fd);
  }
  free(window);
  *(uint64_t*)sum_out = sum;
  return NULL;
}

static int larger_first(const void* a, const void* b) {
  const size_t x = ((const struct file*)a)->size, y = ((const struct file*)b)->size;
  return x < y ? 1 : x > y ? -1 : 0;
}

static double ms(struct timeval t) {
  return t.tv_sec * 1e3 + t.tv_usec / 1e3;
}

int main(int argc, char** argv) {
  const char* modes[] = {"map", "read", "compute"};
  mode = -1;
  for (int m = 0; argc > 1 && m < 3; ++m) {
    if (strcmp(argv[1], modes[m]) == 0) mode = m;
  }
  const int threads = argc > 2 ? atoi(argv[2]) : 0;
  if (argc < 4 || mode < 0 || threads < 1 || threads > kMaxThreads) {
    fprintf(stderr, "usage: scaling_probe map|read|compute THREADS FILE...\n");
    return 2;
  }
  file_count = (size_t)(argc - 3);
  files = calloc(file_count, sizeof *files);
  if (files == NULL) return 2;
  for (size_t i = 0; i < file_count; ++i) {
    struct stat status;
    if (stat(argv[3 + i], &status) != 0 || !S_ISREG(status.st_mode) || status.st_size == 0) {
      fprintf(stderr, "scaling_probe: %s: not a readable, non-empty file\n", argv[3 + i]);
      return 2;
    }
    files[i] = (struct file){argv[3 + i], (size_t)status.st_size};
  }
  qsort(files, file_count, sizeof *files, larger_first);

  struct timespec start, end;
  clock_gettime(CLOCK_MONOTONIC, &start);
  pthread_t ids[kMaxThreads];
  uint64_t sums[kMaxThreads] = {0};
  sched_getaffinity(0, sizeof allowed, &allowed);
  int cpus[CPU_SETSIZE], cpu_count = 0;
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
    if (CPU_ISSET(cpu, &allowed)) cpus[cpu_count++] = cpu;
  }
  for (int t = 0; t < threads; ++t) {
    pthread_attr_t attributes;
    pthread_attr_init(&attributes);
    if (cpu_count > 0) {
      cpu_set_t start_on;
      CPU_ZERO(&start_on);
      CPU_SET(cpus[t % cpu_count], &start_on);
      pthread_attr_setaffinity_np(&attributes, sizeof start_on, &start_on);
    }
    pthread_create(&ids[t], &attributes, worker, &sums[t]);
    pthread_attr_destroy(&attributes);
  }
  uint64_t sum = 0;
  for (int t = 0; t < threads; ++t) pthread_join(ids[t], NULL), sum += sums[t];
  clock_gettime(CLOCK_MONOTONIC, &end);

  struct rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  if (atomic_load(&failed)) {
    fprintf(stderr, "scaling_probe: a file could not be read or mapped\n");
    return 2;
  }
  printf("%s %d wall_ms %.3f cpu_ms %.3f sum %llu\n", modes[mode], threads,
         (end.tv_sec - start.tv_sec) * 1e3 + (end.tv_nsec - start.tv_nsec) / 1e6,
         ms(usage.ru_utime) + ms(usage.ru_stime), (unsigned long long)(sum & 1));
  return 0;
}
