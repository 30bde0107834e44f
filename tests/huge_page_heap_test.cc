// keep_heap_in_huge_pages: blocks come from the heap, and the heap's new space is marked for
// transparent huge pages.
#include <doctest/doctest.h>

#include <malloc.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "io/huge_page_heap.h"
#include "io/sanitizer.h"

using namespace fipsgate;

namespace {

bool huge_pages_possible() {
  std::ifstream setting("/sys/kernel/mm/transparent_hugepage/enabled");
  std::string line;
  return std::getline(setting, line) && line.find("[never]") == std::string::npos;
}

// The THPeligible field of the mapping that holds `address`, from /proc/self/smaps; -1 when no
// mapping holds it.
int thp_eligible_at(const void* address) {
  const auto at = reinterpret_cast<uintptr_t>(address);
  std::ifstream smaps("/proc/self/smaps");
  std::string line;
  bool inside = false;
  while (std::getline(smaps, line)) {
    uintptr_t begin = 0, end = 0;
    char dash = 0;
    std::istringstream range(line);
    if (range >> std::hex >> begin >> dash >> end && dash == '-') {
      inside = begin <= at && at < end;
    } else if (inside && line.rfind("THPeligible:", 0) == 0) {
      return std::atoi(line.c_str() + std::strlen("THPeligible:"));
    }
  }
  return -1;
}

}  // namespace

TEST_CASE("the heap keeps blocks up to 32 MiB and its new space is marked for huge pages") {
  if (kAddressSanitizer) return;  // AddressSanitizer's allocator: the call does nothing
  keep_heap_in_huge_pages();
  // The free space the next blocks come from starts a few pages below a 2 MiB boundary, and
  // reaches past the next one.
  constexpr uintptr_t kHugePage = uintptr_t{2} << 20;
  const auto top = reinterpret_cast<uintptr_t>(sbrk(0)) - mallinfo2().keepcost;
  const uintptr_t boundary = (top + kHugePage - 1) & ~(kHugePage - 1);
  CHECK(boundary - top < (64 << 10));
  CHECK(mallinfo2().keepcost > kHugePage);
  keep_heap_in_huge_pages();  // once is enough; a second call changes nothing
  // 4 MiB is past glibc's default threshold (128 KiB) for a mapping of its own.
  const std::unique_ptr<char[]> block(new char[4 << 20]);
  std::memset(block.get(), 1, 4 << 20);
  CHECK(static_cast<const void*>(block.get()) < sbrk(0));  // below the program break: the heap
  if (!huge_pages_possible()) return;
  CHECK(thp_eligible_at(block.get() + (2 << 20)) == 1);
}
