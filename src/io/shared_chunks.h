// Work cut into chunks that two threads take in turn.
#pragma once

#include <atomic>
#include <cstdint>
#include <future>
#include <memory>

#include "io/helper_thread.h"

namespace fipsgate {

// Calls work(chunk) once for every chunk in [0, count), on the calling thread and one helper;
// each takes the next chunk when it finishes one. Fixed halves finish far apart when other work
// shares the cores (the signature scan runs beside the call scan), and then one core idles.
// work must write each chunk's result to its own slot, so that the order stays the chunks'.
// Then consume(chunk) runs on the calling thread in chunk order, each as soon as it and every
// chunk before it are done, between the chunks the calling thread works on: in-order work on the
// results (the call scan's confirmations) overlaps the rest of the chunks instead of following
// them on one core. One chunk, or where no thread can be started, the calling thread does all.
// With more than one chunk, meanwhile() runs first on the calling thread while the helper takes
// the first chunks: setup that consume() will need (loading the disassembler) then overlaps them.
template <class Work, class Consume, class Meanwhile>
void share_chunks_in_order(uint64_t count, Work work, Consume consume, Meanwhile meanwhile) {
  if (count == 1) {
    work(0);
    consume(0);
    return;
  }
  std::unique_ptr<std::atomic<bool>[]> done(new std::atomic<bool>[count]);
  for (uint64_t chunk = 0; chunk < count; ++chunk) done[chunk].store(false);
  std::atomic<uint64_t> next{0};
  const auto take_chunk = [&] {
    const uint64_t chunk = next.fetch_add(1, std::memory_order_relaxed);
    if (chunk >= count) return false;
    work(chunk);
    done[chunk].store(true, std::memory_order_release);
    return true;
  };
  auto helper = start_helper(std::launch::async | std::launch::deferred, [&] {
    while (take_chunk()) {
    }
  });
  meanwhile();
  uint64_t consumed = 0;
  const auto consume_done = [&] {
    while (consumed < count && done[consumed].load(std::memory_order_acquire)) consume(consumed++);
  };
  while (take_chunk()) consume_done();
  helper.get();
  consume_done();
}

template <class Work, class Consume>
void share_chunks_in_order(uint64_t count, Work work, Consume consume) {
  share_chunks_in_order(count, work, consume, [] {});
}

// The same without in-order work on the results.
template <class Work>
void share_chunks(uint64_t count, Work work) {
  share_chunks_in_order(count, work, [](uint64_t) {});
}

}  // namespace fipsgate
