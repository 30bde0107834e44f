// Memory that a thread keeps and lends out again and again: on the 2-vCPU guests this runs on,
// the first touch of fresh anonymous memory costs about 10 us a page (16 MiB took 40 ms in
// 4 KiB pages, 1-4 ms in huge pages), so a buffer that every file of a directory scan needs is
// allocated once per thread and reused.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>

namespace fipsgate {

struct ThreadBuffer {
  // Grown in 2 MiB steps, aligned and marked for huge pages.
  static constexpr uint64_t kStep = uint64_t{2} << 20;

  ThreadBuffer() = default;
  ThreadBuffer(const ThreadBuffer&) = delete;
  ThreadBuffer& operator=(const ThreadBuffer&) = delete;
  ~ThreadBuffer();

  // At least `size` bytes; false when they could not be allocated (the old bytes are kept).
  bool reserve(uint64_t size);

  // `own` (a thread's buffer) for one holder, or nullptr while another holds it.
  static std::shared_ptr<ThreadBuffer> borrow(const std::shared_ptr<ThreadBuffer>& own) {
    return own->lent.exchange(true) ? nullptr : own;
  }
  // Ends a borrow; whichever thread drops the holder calls it.
  void give_back() { lent.store(false); }

  uint8_t* data = nullptr;
  uint64_t capacity = 0;
  std::atomic<bool> lent{false};
};

}  // namespace fipsgate
