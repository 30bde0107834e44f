#include "io/thread_buffer.h"

#include <sys/mman.h>

#include <algorithm>
#include <cstdlib>

namespace fipsgate {

ThreadBuffer::~ThreadBuffer() {
  std::free(data);
}

std::shared_ptr<ThreadBuffer> ThreadBuffer::borrow() {
  thread_local const std::shared_ptr<ThreadBuffer> own = std::make_shared<ThreadBuffer>();
  return own->lent.exchange(true) ? nullptr : own;
}

bool ThreadBuffer::reserve(uint64_t size) {
  if (size <= capacity) return true;
  const uint64_t rounded = (std::max(size, kReservedBytes) + kStep - 1) / kStep * kStep;
  void* grown = std::aligned_alloc(kStep, rounded);
  if (grown == nullptr) return false;
  ::madvise(grown, rounded, MADV_HUGEPAGE);  // a hint: without it the buffer still works
  std::free(data);
  data = static_cast<uint8_t*>(grown);
  capacity = rounded;
  return true;
}

}  // namespace fipsgate
