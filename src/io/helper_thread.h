// Helper threads that start beside the thread that needs them, not behind it.
#pragma once

#include <pthread.h>

#include <future>
#include <memory>
#include <type_traits>
#include <utility>

namespace fipsgate {

// Starts body(context) on a new thread. Where the caller may run on other CPUs too, the thread is
// created on those (and then allowed on all of them again): some kernels (seen on 2-vCPU KVM
// guests, Linux 6.18) otherwise start a thread on its creator's CPU and leave it queued there,
// behind the creator, for up to a scheduler tick while another CPU idles, so that a phase of a
// millisecond or two runs on one core (a test program: a new thread began 0.84 ms after its
// creation, 0.13–0.18 ms when created on the other CPU). False when no thread could be started.
bool start_thread_beside(void (*body)(void*), void* context, pthread_t& thread);

// The CPUs this thread may run on (its affinity), at least 1.
unsigned usable_cpus();

// While one is alive on a thread (and `active`), the Helpers that thread creates do not start
// threads: their tasks run on it, at get(). For a scan held to one thread (--jobs 1), and for
// the workers of a directory scan that already keep every CPU busy: there a helper queues behind
// the other worker, and its creator's CPU idles while the creator waits for it (perf sched: gaps
// of 1-8 ms on one CPU in a --jobs 2 scan on 2 CPUs).
class HelpersRunHere {
 public:
  explicit HelpersRunHere(bool active);
  HelpersRunHere(const HelpersRunHere&) = delete;
  HelpersRunHere& operator=(const HelpersRunHere&) = delete;
  ~HelpersRunHere();

  // Whether a HelpersRunHere is active on the calling thread.
  static bool on_this_thread();

 private:
  bool previous_;
};

// A task run by start_thread_beside(), with std::async's policies: std::launch::async starts it
// at once (or, when no thread can be started, on the caller at get()); std::launch::deferred
// runs it on the caller at get(). The destructor waits for a started task, as std::async's
// future does, since tasks hold references into their caller's frame.
template <class R>
class Helper {
 public:
  Helper() = default;
  template <class Function>
  Helper(std::launch policy, Function function) {
    if ((policy & std::launch::async) != std::launch::async || HelpersRunHere::on_this_thread()) {
      // Run on the caller at get(): a plain call, not a packaged_task, whose result is set under
      // std::call_once, and glibc's pthread_once makes a futex system call each time (4-5 us on
      // the PVM guest; two per binary in a directory scan whose workers run their own helpers).
      deferred_ = std::make_unique<DeferredCall<Function>>(std::move(function));
      return;
    }
    task_ = std::make_unique<std::packaged_task<R()>>(std::move(function));
    result_ = task_->get_future();
    started_ = start_thread_beside(
        [](void* task) { (*static_cast<std::packaged_task<R()>*>(task))(); }, task_.get(), thread_);
  }
  Helper(Helper&& other) noexcept { take(other); }
  Helper& operator=(Helper&& other) noexcept {
    if (this != &other) {
      join();
      take(other);
    }
    return *this;
  }
  Helper(const Helper&) = delete;
  Helper& operator=(const Helper&) = delete;
  ~Helper() { join(); }

  bool valid() const { return deferred_ != nullptr || result_.valid(); }

  // The task's result (or its exception), running it here if it was not started.
  R get() {
    if (deferred_) return std::exchange(deferred_, nullptr)->run();
    run_here_if_not_started();
    std::future<R> result = std::move(result_);
    join();
    return result.get();
  }

  // The result for several readers; a task that was not started runs here first.
  std::shared_future<R> share() {
    if (deferred_) {
      task_ = std::make_unique<std::packaged_task<R()>>(
          [call = std::exchange(deferred_, nullptr)] { return call->run(); });
      result_ = task_->get_future();
    }
    run_here_if_not_started();
    return result_.share();
  }

 private:
  void run_here_if_not_started() {
    if (!started_ && task_) {
      (*task_)();
      task_.reset();
    }
  }
  void join() {
    if (started_) {
      pthread_join(thread_, nullptr);
      started_ = false;
    }
  }
  void take(Helper& other) {
    deferred_ = std::move(other.deferred_);
    task_ = std::move(other.task_);
    result_ = std::move(other.result_);
    thread_ = other.thread_;
    started_ = std::exchange(other.started_, false);
  }

  struct Deferred {
    virtual ~Deferred() = default;
    virtual R run() = 0;
  };
  template <class Function>
  struct DeferredCall final : Deferred {
    explicit DeferredCall(Function body) : function(std::move(body)) {}
    R run() override { return function(); }
    Function function;
  };

  std::unique_ptr<Deferred> deferred_;             // a task that runs on the caller, at get()
  std::unique_ptr<std::packaged_task<R()>> task_;  // on the heap: the thread holds its address
  std::future<R> result_;
  pthread_t thread_{};
  bool started_ = false;
};

// std::async for a helper that runs beside its creator: a Helper of the function's result.
template <class Function>
auto start_helper(std::launch policy, Function function) {
  return Helper<std::invoke_result_t<Function&>>(policy, std::move(function));
}

}  // namespace fipsgate
