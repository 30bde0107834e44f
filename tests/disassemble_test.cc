// Capstone confirmation of call sites: a linear sweep from the function entry, and the same
// sweep resumed where the last one of the function stopped, must agree on every site.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/disassemble.h"
#include "fipsgate/go/go_binary.h"
#include "fipsgate/io/mapped_file.h"

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

// The line table's starts are instruction starts of the sweep from the entry (the premise of
// starting a confirmation there): on Go binaries of every pclntab layout the samples cover, a
// sweep begun at line_start_before(site) gives the answer of one begun at the entry, for every
// E8 byte of the first 100 functions of up to 2 KiB in each.
TEST_CASE("a sweep from the line start before a site answers as one from the entry") {
  auto disassembler = amd64();
  if (!disassembler) return;
  std::vector<std::filesystem::path> binaries = {"/usr/lib/go-1.19/bin/gofmt", FIPSGATE_SOURCE_DIR
                                                 "/build/toolchains/usr/lib/go-1.27/bin/gofmt"};
  if (std::filesystem::is_directory(FIPSGATE_SAMPLES_DIR)) {
    for (const auto& entry : std::filesystem::directory_iterator(FIPSGATE_SAMPLES_DIR)) {
      const std::string name = entry.path().filename().string();
      if (name.starts_with("go1.") && name.find("amd64") != std::string::npos) {
        binaries.push_back(entry.path());
      }
    }
  }
  uint64_t sites = 0, moved = 0;
  for (const std::filesystem::path& path : binaries) {
    if (!std::filesystem::exists(path)) continue;
    CAPTURE(path.string());
    auto file = fipsgate::MappedFile::open(path.string());
    REQUIRE(file.ok());
    auto image = fipsgate::read_binary_image(file->view());
    REQUIRE(image.ok());
    if (image->arch != Arch::amd64) continue;
    const fipsgate::GoBinary go = fipsgate::read_go_binary(*image);
    REQUIRE(go.functions.has_value());
    uint64_t checked = 0;
    for (uint64_t i = 0; i < go.functions->size() && checked < 100; ++i) {
      const fipsgate::Function function = go.functions->at(i);
      if (function.end <= function.entry || function.end - function.entry > 2048) continue;
      auto code = image->at_address(function.entry, function.end - function.entry);
      if (!code.ok()) continue;
      ++checked;
      for (uint64_t offset = 0; offset < code->size(); ++offset) {
        if (code->data()[offset] != 0xE8) continue;
        const uint64_t site = function.entry + offset;
        const uint64_t line_start = go.functions->line_start_before(site);
        CHECK(line_start >= function.entry);
        CHECK(line_start <= site);
        Disassembler::Sweep from_line{function.entry, line_start};
        INFO(function.name, " site ", site, " line start ", line_start);
        CHECK(disassembler->is_call_at(*code, function.entry, site, from_line) ==
              disassembler->is_call_at(*code, function.entry, site));
        ++sites;
        moved += line_start > function.entry;
      }
    }
  }
  MESSAGE(sites << " sites, " << moved << " swept from a line start past the entry");
  if (sites > 0) CHECK(moved * 2 > sites);  // the line table is read, not ignored
}
