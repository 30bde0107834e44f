// Helper threads that start beside the thread that needs them, not behind it.
#pragma once

#include <future>
#include <thread>
#include <utility>

namespace fipsgate {

// The CPU the calling thread runs on, or -1 when the system does not say.
int current_cpu();

// Called first on a new helper thread that its creator started while running on creator_cpu:
// when the helper runs on that CPU too, it moves itself once to the other CPUs it may use, then
// allows all of them again. Some kernels (seen on 2-vCPU KVM guests, Linux 6.18) start a thread
// on its creator's CPU and leave it there, queued behind the creator or pushing it aside, for a
// scheduler tick or more while another CPU idles: a phase of one or two milliseconds then runs on
// one core. Afterwards the scheduler is free to move the helper as it likes. A no-op with one
// usable CPU or when the affinity cannot be read or set.
void leave_cpu(int creator_cpu);

// std::async for a helper that runs beside its creator: the same policies and result, with
// leave_cpu() first when the task runs on a thread of its own (not when deferred).
template <class Function>
auto start_helper(std::launch policy, Function function) {
  const int creator_cpu = current_cpu();
  const std::thread::id creator = std::this_thread::get_id();
  return std::async(policy, [creator_cpu, creator, function = std::move(function)]() mutable {
    if (std::this_thread::get_id() != creator) leave_cpu(creator_cpu);
    return function();
  });
}

}  // namespace fipsgate
