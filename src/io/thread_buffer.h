// Memory that a thread keeps and lends out again and again: on the 2-vCPU guests this runs on,
// the first touch of fresh anonymous memory costs about 10 us a page (16 MiB took 40 ms in
// 4 KiB pages, 1-21 ms in huge pages), so the buffer that every file of a directory scan needs
// (read whole, io/mapped_file.h, or its tables copied out, io/copied_region.h) is one per
// thread, reused. It is an anonymous mapping that grows with mremap, which keeps the pages
// already touched instead of copying them into fresh ones.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>

namespace fipsgate {

struct ThreadBuffer {
  // Grown in 2 MiB steps and marked for huge pages.
  static constexpr uint64_t kStep = uint64_t{2} << 20;

  ThreadBuffer() = default;
  ThreadBuffer(const ThreadBuffer&) = delete;
  ThreadBuffer& operator=(const ThreadBuffer&) = delete;
  ~ThreadBuffer();

  // At least `size` bytes; false when they could not be allocated (the old bytes are kept).
  bool reserve(uint64_t size);

  // The calling thread's buffer for one holder, or nullptr while another holds it.
  static std::shared_ptr<ThreadBuffer> borrow();
  // Ends a borrow; whichever thread drops the holder calls it.
  void give_back() { lent.store(false); }

  uint8_t* data = nullptr;
  uint64_t capacity = 0;
  std::atomic<bool> lent{false};
};

}  // namespace fipsgate
