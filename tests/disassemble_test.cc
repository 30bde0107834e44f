// Capstone confirmation of call sites: a linear sweep from the function entry, and the same
// sweep resumed where the last one of the function stopped, must agree on every site.
#include <doctest/doctest.h>

#include <algorithm>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/disassemble.h"

using fipsgate::Arch;
using fipsgate::ByteView;
using fipsgate::Disassembler;
using fipsgate::Endian;

namespace {

constexpr uint64_t kEntry = 0x401000;

// movabs rax, imm64 whose first immediate byte is E8 (not a call), a call, a nop, a call, ret.
const std::string kCode(
    "\x48\xB8\xE8\x11\x22\x33\x44\x55\x66\x77"  // 0x401000 movabs: E8 at +2 inside the immediate
    "\xE8\x00\x00\x00\x00"                      // 0x40100A call
    "\x90"                                      // 0x40100F nop
    "\xE8\x10\x00\x00\x00"                      // 0x401010 call
    "\xC3",                                     // 0x401015 ret
    22);

std::unique_ptr<Disassembler> amd64() {
  auto disassembler = Disassembler::for_arch(Arch::amd64, Endian::little);
  if (!disassembler) MESSAGE("skipped: Capstone is not loadable: " << Disassembler::load_error());
  return disassembler;
}

}  // namespace

TEST_CASE("a call is confirmed only where the sweep from the entry has an instruction start") {
  auto disassembler = amd64();
  if (!disassembler) return;
  const ByteView code(kCode);
  CHECK(disassembler->is_call_at(code, kEntry, kEntry + 0x0A));
  CHECK(disassembler->is_call_at(code, kEntry, kEntry + 0x10));
  CHECK_FALSE(disassembler->is_call_at(code, kEntry, kEntry + 0x02));  // inside the immediate
  CHECK_FALSE(disassembler->is_call_at(code, kEntry, kEntry + 0x0B));  // inside the call
  CHECK_FALSE(disassembler->is_call_at(code, kEntry, kEntry + 0x0F));  // a nop
  CHECK_FALSE(disassembler->is_call_at(code, kEntry, kEntry + 0x40));  // past the function
}

TEST_CASE("a sweep resumed where the last one of the function stopped gives the same answers") {
  auto disassembler = amd64();
  if (!disassembler) return;
  std::mt19937 random(20261127);
  for (int round = 0; round < 300; ++round) {
    // Random code with many E8 bytes, swept as two functions over the same bytes: one from the
    // first byte, one from the third (other instruction starts), sharing one sweep state.
    std::string bytes(8 + random() % 300, '\0');
    for (char& c : bytes) c = static_cast<char>(random() % 4 == 0 ? 0xE8 : random() % 256);
    struct Function {
      uint64_t entry;
      std::string_view code;
    };
    const Function functions[] = {{kEntry, bytes}, {kEntry + 3, std::string_view(bytes).substr(3)}};
    std::vector<std::pair<Function, uint64_t>> sites;
    for (const Function& function : functions) {
      for (uint64_t offset = 0; offset < function.code.size(); ++offset) {
        if (static_cast<uint8_t>(function.code[offset]) == 0xE8) {
          sites.emplace_back(function, function.entry + offset);
        }
      }
    }
    if (round % 2 == 1) std::shuffle(sites.begin(), sites.end(), random);  // out of order too
    Disassembler::Sweep sweep;
    for (const auto& [function, site] : sites) {
      INFO("round ", round, " entry ", function.entry, " site ", site);
      const ByteView code(function.code);
      CHECK(disassembler->is_call_at(code, function.entry, site, sweep) ==
            disassembler->is_call_at(code, function.entry, site));
    }
  }
}
