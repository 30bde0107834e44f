// Helper-thread placement (see helper_thread.h).
#include "io/helper_thread.h"

#include <sched.h>

namespace fipsgate {

int current_cpu() {
  return sched_getcpu();
}

void leave_cpu(int creator_cpu) {
  if (creator_cpu < 0 || creator_cpu >= CPU_SETSIZE || sched_getcpu() != creator_cpu) return;
  cpu_set_t allowed;
  if (sched_getaffinity(0, sizeof allowed, &allowed) != 0 || !CPU_ISSET(creator_cpu, &allowed))
    return;
  cpu_set_t others = allowed;
  CPU_CLR(creator_cpu, &others);
  if (CPU_COUNT(&others) == 0) return;
  // Changing the affinity moves the running thread before the call returns.
  if (sched_setaffinity(0, sizeof others, &others) != 0) return;
  sched_setaffinity(0, sizeof allowed, &allowed);
}

}  // namespace fipsgate
