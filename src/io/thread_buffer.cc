#include "io/thread_buffer.h"

#include <sys/mman.h>

namespace fipsgate {

ThreadBuffer::~ThreadBuffer() {
  if (data != nullptr) ::munmap(data, capacity);
}

std::shared_ptr<ThreadBuffer> ThreadBuffer::borrow() {
  thread_local const std::shared_ptr<ThreadBuffer> own = std::make_shared<ThreadBuffer>();
  return own->lent.exchange(true) ? nullptr : own;
}

bool ThreadBuffer::reserve(uint64_t size) {
  if (size <= capacity) return true;
  const uint64_t rounded = (size + kStep - 1) / kStep * kStep;
  void* grown = data == nullptr ? ::mmap(nullptr, rounded, PROT_READ | PROT_WRITE,
                                         MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
                                : ::mremap(data, capacity, rounded, MREMAP_MAYMOVE);
  if (grown == MAP_FAILED) return false;
  ::madvise(grown, rounded, MADV_HUGEPAGE);  // a hint: without it the buffer still works
  data = static_cast<uint8_t*>(grown);
  capacity = rounded;
  return true;
}

}  // namespace fipsgate
