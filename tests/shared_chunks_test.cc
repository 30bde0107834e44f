// Chunks taken in turn by two threads: every chunk once, and the in-order form hands each chunk
// on, in order, on the calling thread, only once its work is done.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <thread>
#include <vector>

#include "io/shared_chunks.h"

TEST_CASE("share_chunks does every chunk once") {
  for (uint64_t count : {uint64_t{1}, uint64_t{2}, uint64_t{5}, uint64_t{300}}) {
    CAPTURE(count);
    std::vector<std::atomic<int>> done(count);
    fipsgate::share_chunks(count, [&](uint64_t chunk) { done[chunk].fetch_add(1); });
    for (const std::atomic<int>& times : done) CHECK(times.load() == 1);
  }
}

TEST_CASE("share_chunks_in_order hands on every chunk in order, on the calling thread") {
  const std::thread::id caller = std::this_thread::get_id();
  for (uint64_t count : {uint64_t{1}, uint64_t{2}, uint64_t{7}, uint64_t{200}}) {
    CAPTURE(count);
    std::vector<uint64_t> result(count, 0);  // each chunk's own slot
    std::vector<uint64_t> order;
    bool all_on_caller = true, all_done_first = true;
    fipsgate::share_chunks_in_order(
        count,
        [&](uint64_t chunk) {
          // The helper is slow, so that the calling thread finishes later chunks first and must
          // wait for the helper's before handing them on.
          if (std::this_thread::get_id() != caller) {
            std::this_thread::sleep_for(std::chrono::microseconds(300));
          }
          result[chunk] = chunk + 1;
        },
        [&](uint64_t chunk) {
          all_on_caller = all_on_caller && std::this_thread::get_id() == caller;
          all_done_first = all_done_first && result[chunk] == chunk + 1;
          order.push_back(chunk);
        });
    CHECK(all_on_caller);
    CHECK(all_done_first);
    REQUIRE(order.size() == count);
    for (uint64_t i = 0; i < count; ++i) CHECK(order[i] == i);
  }
}

TEST_CASE("share_chunks_in_order runs meanwhile() once on the calling thread, before any hand-on") {
  const std::thread::id caller = std::this_thread::get_id();
  for (uint64_t count : {uint64_t{1}, uint64_t{2}, uint64_t{50}}) {
    CAPTURE(count);
    std::atomic<uint64_t> worked{0};
    int meanwhile_calls = 0;
    bool on_caller = false, before_consume = true;
    uint64_t consumed = 0;
    fipsgate::share_chunks_in_order(
        count, [&](uint64_t) { worked.fetch_add(1); },
        [&](uint64_t) {
          before_consume = before_consume && (count == 1 || meanwhile_calls == 1);
          ++consumed;
        },
        [&] {
          ++meanwhile_calls;
          on_caller = std::this_thread::get_id() == caller;
          // Long enough for the helper to take chunks meanwhile; none is handed on yet.
          std::this_thread::sleep_for(std::chrono::milliseconds(2));
        });
    // One chunk has no helper to overlap: nothing to do meanwhile.
    CHECK(meanwhile_calls == (count == 1 ? 0 : 1));
    if (count > 1) CHECK(on_caller);
    CHECK(before_consume);
    CHECK(worked.load() == count);
    CHECK(consumed == count);
  }
}
