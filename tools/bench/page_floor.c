/* page_floor FILE: the kernel's share of reading a file through a mapping, and nothing else.
 *
 * It maps FILE read-only, reads one byte of every 4 KiB page (each first touch is a page fault
 * that maps the page, or with fault-around up to 16 of them), unmaps it and exits. A process
 * that reads the file's bytes through mmap, as fipsgate does, cannot be faster than this on the
 * pages it touches; tools/bench times it beside `cat` and `go version -m` so that the targets
 * can be read against it. Exit status 0, or 2 with a message when FILE cannot be mapped. */
#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char** argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: page_floor FILE\n");
    return 2;
  }
  int fd = open(argv[1], O_RDONLY | O_CLOEXEC);
  struct stat status;
  if (fd < 0 || fstat(fd, &status) != 0 || status.st_size == 0) {
    perror(argv[1]);
    return 2;
  }
  size_t size = (size_t)status.st_size;
  const volatile unsigned char* bytes = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
  if (bytes == MAP_FAILED) {
    perror("mmap");
    return 2;
  }
  for (size_t offset = 0; offset < size; offset += 4096) (void)bytes[offset]; /* volatile loads */
  munmap((void*)bytes, size);
  close(fd);
  return 0;
}
