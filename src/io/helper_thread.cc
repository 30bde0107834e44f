// Helper-thread placement (see helper_thread.h).
#include "io/helper_thread.h"

#include <sched.h>

#include <algorithm>

namespace fipsgate {
namespace {

struct Start {
  void (*body)(void*);
  void* context;
  cpu_set_t allowed;  // the creator's CPUs, given back to the thread once it runs
  bool restore;
};

void* run_started(void* argument) {
  const std::unique_ptr<Start> start(static_cast<Start*>(argument));
  if (start->restore) sched_setaffinity(0, sizeof start->allowed, &start->allowed);
  start->body(start->context);
  return nullptr;
}

thread_local bool t_helpers_run_here = false;

}  // namespace

unsigned usable_cpus() {
  cpu_set_t allowed;
  if (sched_getaffinity(0, sizeof allowed, &allowed) != 0) return 1;
  return std::max(1, CPU_COUNT(&allowed));
}

HelpersRunHere::HelpersRunHere(bool active) : previous_(t_helpers_run_here) {
  t_helpers_run_here = previous_ || active;
}

HelpersRunHere::~HelpersRunHere() {
  t_helpers_run_here = previous_;
}

bool HelpersRunHere::on_this_thread() {
  return t_helpers_run_here;
}

bool start_thread_beside(void (*body)(void*), void* context, pthread_t& thread) {
  auto start = std::make_unique<Start>(Start{body, context, {}, false});
  pthread_attr_t attributes;
  if (pthread_attr_init(&attributes) != 0) return false;
  const int here = sched_getcpu();
  if (here >= 0 && here < CPU_SETSIZE &&
      sched_getaffinity(0, sizeof start->allowed, &start->allowed) == 0 &&
      CPU_ISSET(here, &start->allowed)) {
    cpu_set_t others = start->allowed;
    CPU_CLR(here, &others);
    start->restore = CPU_COUNT(&others) > 0 &&
                     pthread_attr_setaffinity_np(&attributes, sizeof others, &others) == 0;
  }
  int created = pthread_create(&thread, &attributes, run_started, start.get());
  if (created != 0 && start->restore) {
    // An affinity the system refuses: start it anywhere.
    start->restore = false;
    pthread_attr_destroy(&attributes);
    pthread_attr_init(&attributes);
    created = pthread_create(&thread, &attributes, run_started, start.get());
  }
  pthread_attr_destroy(&attributes);
  if (created != 0) return false;
  start.release();  // run_started owns it now
  return true;
}

}  // namespace fipsgate
