// Work cut into chunks that two threads take in turn.
#pragma once

#include <atomic>
#include <cstdint>
#include <future>

namespace fipsgate {

// Calls work(chunk) once for every chunk in [0, count), on the calling thread and one helper;
// each takes the next chunk when it finishes one. Fixed halves finish far apart when other work
// shares the cores (the signature scan runs beside the call scan), and then one core idles.
// work must write each chunk's result to its own slot, so that the order stays the chunks'.
// One chunk, or where no thread can be started, the calling thread does every chunk.
template <class Work>
void share_chunks(uint64_t count, Work work) {
  if (count == 1) {
    work(0);
    return;
  }
  std::atomic<uint64_t> next{0};
  auto take_chunks = [&] {
    for (uint64_t chunk; (chunk = next.fetch_add(1, std::memory_order_relaxed)) < count;) {
      work(chunk);
    }
  };
  auto helper = std::async(std::launch::async | std::launch::deferred, take_chunks);
  take_chunks();
  helper.get();
}

}  // namespace fipsgate
