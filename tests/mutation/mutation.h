// Mutation harness over real Go binaries: plans hostile variants of a binary (truncations at
// and around every section and segment boundary, bit flips and hostile values in the ELF
// headers, pclntab header and tables, build-info blob and moduledata, offsets and counts past
// the end, overlapping and looping ranges), runs the whole in-process pipeline on each in a
// forked child under a time and memory bound, and judges the outcome. docs/hardening.md says
// what counts as a failure and records the figures of a long run.
//
// Used by tests/mutation_test.cc (a short run under CTest; a long run through tools/mutate).
#pragma once

#include <signal.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <functional>
#include <map>
#include <new>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "fipsgate/analysis/analyze.h"
#include "fipsgate/binary/binary_image.h"
#include "fipsgate/go/go_binary.h"
#include "fipsgate/io/limits.h"
#include "fipsgate/policy/verdict.h"
#include "fuzz/exercise.h"
#include "io/sanitizer.h"

namespace fipsgate::mutation {

// One change to the file: write bytes at offsets, then cut the file to `truncate_to`.
struct Patch {
  uint64_t offset = 0;
  std::string bytes;
};
struct Mutation {
  std::string category;     // "truncate", "elf-header", "pclntab-header", ...
  std::string description;  // "e_shoff = 0xffffffffffffffff"
  std::vector<Patch> patches;
  std::optional<uint64_t> truncate_to;
};

// The bytes of the variant, for saving a reproducer.
inline std::string apply(ByteView original, const Mutation& mutation) {
  std::string bytes(original.chars());
  for (const Patch& patch : mutation.patches)
    if (patch.offset < bytes.size())
      bytes.replace(patch.offset,
                    std::min<uint64_t>(patch.bytes.size(), bytes.size() - patch.offset),
                    patch.bytes.substr(0, bytes.size() - patch.offset));
  if (mutation.truncate_to && *mutation.truncate_to < bytes.size())
    bytes.resize(*mutation.truncate_to);
  return bytes;
}

// ---------------------------------------------------------------------------------------------
// Planning

class Planner {
 public:
  Planner(ByteView file, const BinaryImage& image, const GoBinary& go, uint64_t seed)
      : file_(file), image_(image), go_(go), rng_(seed) {}

  // Every candidate, grouped by category.
  std::map<std::string, std::vector<Mutation>> plan() {
    plan_truncations();
    plan_elf_header();
    plan_program_headers();
    plan_section_headers();
    plan_symbols();
    plan_pclntab();
    plan_build_info();
    plan_moduledata();
    plan_overlaps();
    return std::move(by_category_);
  }

  // n random bit flips in the interesting regions (headers and Go tables).
  Mutation random_flips() {
    std::vector<std::pair<uint64_t, uint64_t>> regions = interesting_regions();
    Mutation mutation{"bitflip", "", {}, std::nullopt};
    std::uniform_int_distribution<int> count_of(1, 8);
    int flips = count_of(rng_);
    std::string description;
    for (int i = 0; i < flips; ++i) {
      auto [begin, size] = regions[rng_() % regions.size()];
      uint64_t offset = begin + rng_() % std::max<uint64_t>(size, 1);
      if (offset >= file_.size()) continue;
      auto mask = static_cast<uint8_t>(1u << (rng_() % 8));
      mutation.patches.push_back(
          {offset, std::string(1, static_cast<char>(file_.data()[offset] ^ mask))});
      description += (description.empty() ? "" : ",") + hex(offset) + "^" + hex(mask);
    }
    mutation.description = "flip " + description;
    return mutation;
  }

 private:
  void add(const std::string& category, std::string description, std::vector<Patch> patches,
           std::optional<uint64_t> truncate_to = std::nullopt) {
    by_category_[category].push_back(
        {category, std::move(description), std::move(patches), truncate_to});
  }
  std::string encode(uint64_t value, unsigned width) const {
    std::string out;
    for (unsigned i = 0; i < width; ++i) {
      unsigned shift = image_.endian == Endian::little ? 8 * i : 8 * (width - 1 - i);
      out.push_back(static_cast<char>(width > 8 || shift >= 64 ? 0 : (value >> shift) & 0xff));
    }
    return out;
  }
  uint64_t read(uint64_t offset, unsigned width) const {
    if (!file_.contains(offset, width)) return 0;
    return load_uint(file_.data() + offset, width, image_.endian);
  }
  // Hostile values for a field that holds `original`: zero, all ones, the file size and one
  // past it, off by one, the top bit, and a value that is big but not all ones.
  std::vector<uint64_t> hostile_values(uint64_t original, unsigned width) const {
    uint64_t ones = width >= 8 ? ~uint64_t{0} : (uint64_t{1} << (8 * width)) - 1;
    std::vector<uint64_t> values{0,
                                 ones,
                                 file_.size() & ones,
                                 (file_.size() + 1) & ones,
                                 (original + 1) & ones,
                                 (original - 1) & ones,
                                 (uint64_t{1} << (8 * width - 1)),
                                 ones / 3,
                                 (original * 2) & ones};
    std::sort(values.begin(), values.end());
    values.erase(std::unique(values.begin(), values.end()), values.end());
    values.erase(std::remove(values.begin(), values.end(), original), values.end());
    return values;
  }
  void hostile_field(const std::string& category, const std::string& name, uint64_t offset,
                     unsigned width) {
    if (!file_.contains(offset, width)) return;
    uint64_t original = read(offset, width);
    for (uint64_t value : hostile_values(original, width))
      add(category, name + " = " + hex(value), {{offset, encode(value, width)}});
  }

  void plan_truncations() {
    std::set<uint64_t> cuts{0, 1, 4, 5, 6, 16, 18, 52, 63, 64, 65, file_.size() - 1};
    auto around = [&](uint64_t at) {
      for (int64_t delta : {-8, -1, 0, 1, 8})
        if (at + delta > 0 && at + delta < file_.size()) cuts.insert(at + delta);
    };
    for (const Section& section : image_.sections) {
      around(section.file_offset);
      if (section.has_file_bytes) {
        around(section.file_offset + section.size);
        around(section.file_offset + section.size / 2);
      }
    }
    for (const Segment& segment : image_.segments) {
      around(segment.file_offset);
      around(segment.file_offset + segment.file_size);
    }
    if (go_.pclntab) {
      const Pclntab& table = *go_.pclntab;
      for (ByteView view : {table.bytes, table.funcname_table, table.cu_table, table.file_table,
                            table.pc_table, table.func_table, table.functab}) {
        around(view.file_offset());
        around(view.file_offset() + view.size() / 2);
      }
      around(table.bytes.file_offset() + 8);
      around(table.bytes.file_offset() + 8 + 8 * table.pointer_size);
    }
    if (go_.build_info) {
      for (uint64_t at : {0, 14, 16, 32, 33, 40, 64}) around(go_.build_info->blob_file_offset + at);
    }
    if (go_.moduledata) around(go_.moduledata->file_offset + 100);
    for (uint64_t cut : cuts) add("truncate", "truncate to " + std::to_string(cut), {}, cut);
  }

  bool is64() const { return image_.is_64bit; }

  void plan_elf_header() {
    const std::string category = "elf-header";
    for (uint64_t at : {4, 5, 6}) {  // EI_CLASS, EI_DATA, EI_VERSION
      for (uint8_t value : {0, 1, 2, 3, 0xff})
        if (file_.contains(at, 1) && file_.data()[at] != value)
          add(category, "e_ident[" + std::to_string(at) + "] = " + std::to_string(value),
              {{at, std::string(1, static_cast<char>(value))}});
    }
    struct Field {
      const char* name;
      uint64_t offset64, offset32;
      unsigned width64, width32;
    };
    const Field fields[] = {{"e_type", 16, 16, 2, 2},  {"e_machine", 18, 18, 2, 2},
                            {"e_entry", 24, 24, 8, 4}, {"e_phoff", 32, 28, 8, 4},
                            {"e_shoff", 40, 32, 8, 4}, {"e_phentsize", 54, 42, 2, 2},
                            {"e_phnum", 56, 44, 2, 2}, {"e_shentsize", 58, 46, 2, 2},
                            {"e_shnum", 60, 48, 2, 2}, {"e_shstrndx", 62, 50, 2, 2}};
    for (const Field& field : fields)
      hostile_field(category, field.name, is64() ? field.offset64 : field.offset32,
                    is64() ? field.width64 : field.width32);
  }

  uint64_t phoff() const { return read(is64() ? 32 : 28, is64() ? 8 : 4); }
  uint64_t phentsize() const { return read(is64() ? 54 : 42, 2); }
  uint64_t phnum() const { return read(is64() ? 56 : 44, 2); }
  uint64_t shoff() const { return read(is64() ? 40 : 32, is64() ? 8 : 4); }
  uint64_t shentsize() const { return read(is64() ? 58 : 46, 2); }
  uint64_t shnum() const { return read(is64() ? 60 : 48, 2); }

  void plan_program_headers() {
    const unsigned word = is64() ? 8 : 4;
    // p_type, p_offset, p_vaddr, p_filesz, p_memsz (64-bit: 0, 8, 16, 32, 40; 32-bit: 0, 4, 8,
    // 16, 20) and p_flags (4 / 24).
    const uint64_t offsets64[] = {0, 8, 16, 32, 40, 4}, offsets32[] = {0, 4, 8, 16, 20, 24};
    const char* names[] = {"p_type", "p_offset", "p_vaddr", "p_filesz", "p_memsz", "p_flags"};
    for (uint64_t index = 0; index < std::min<uint64_t>(phnum(), 16); ++index) {
      uint64_t base = phoff() + index * phentsize();
      for (int field = 0; field < 6; ++field) {
        unsigned width = (field == 0 || field == 5) ? 4 : word;
        hostile_field("program-header", "phdr[" + std::to_string(index) + "]." + names[field],
                      base + (is64() ? offsets64[field] : offsets32[field]), width);
      }
    }
  }

  uint64_t section_header_offset(uint64_t index) const { return shoff() + index * shentsize(); }

  void plan_section_headers() {
    const unsigned word = is64() ? 8 : 4;
    // sh_name 0, sh_type 4, sh_addr 16/12, sh_offset 24/16, sh_size 32/20, sh_link 40/24.
    const uint64_t offsets64[] = {0, 4, 16, 24, 32, 40}, offsets32[] = {0, 4, 12, 16, 20, 24};
    const char* names[] = {"sh_name", "sh_type", "sh_addr", "sh_offset", "sh_size", "sh_link"};
    const unsigned widths[] = {4, 4, word, word, word, 4};
    for (uint64_t index = 0; index < std::min<uint64_t>(shnum(), 64); ++index) {
      std::string label = "shdr[" + std::to_string(index) + "]";
      if (index < image_.sections.size())
        label += "(" + std::string(image_.sections[index].name) + ")";
      for (int field = 0; field < 6; ++field)
        hostile_field("section-header", label + "." + names[field],
                      section_header_offset(index) + (is64() ? offsets64[field] : offsets32[field]),
                      widths[field]);
    }
  }

  // The runtime symbols the Go layer looks up: name, value and size fields.
  void plan_symbols() {
    const Section* symtab = image_.section(".symtab");
    if (!symtab) return;
    const uint64_t entry_bytes = is64() ? 24 : 16;
    const std::set<std::string_view> wanted{
        "runtime.text",     "runtime.etext",           "runtime.pclntab",
        "runtime.epclntab", "runtime.firstmoduledata", "runtime.buildVersion",
        "runtime.modinfo",  "runtime.pcheader"};
    for (uint64_t index = 0; index < image_.symbols.size(); ++index) {
      auto symbol = image_.symbols.at(index);
      if (!symbol || !wanted.count(symbol->name)) continue;
      uint64_t base = symtab->file_offset + index * entry_bytes;
      std::string label(symbol->name);
      hostile_field("symbol", label + ".st_name", base, 4);
      hostile_field("symbol", label + ".st_value", base + (is64() ? 8 : 4), is64() ? 8 : 4);
      hostile_field("symbol", label + ".st_size", base + (is64() ? 16 : 8), is64() ? 8 : 4);
    }
  }

  void plan_pclntab() {
    if (!go_.pclntab) return;
    const Pclntab& table = *go_.pclntab;
    const uint64_t start = table.bytes.file_offset();
    const unsigned ptr = table.pointer_size;
    for (uint64_t at = 0; at < 8; ++at)
      for (uint8_t mask : {0x01, 0x10, 0x80})
        add("pclntab-header", "header byte " + std::to_string(at) + " ^ " + hex(mask),
            {{start + at, std::string(1, static_cast<char>(file_.data()[start + at] ^ mask))}});
    for (uint8_t value : {0, 3, 8, 255}) {
      add("pclntab-header", "quantum = " + std::to_string(value),
          {{start + 6, std::string(1, char(value))}});
      add("pclntab-header", "ptrsize = " + std::to_string(value),
          {{start + 7, std::string(1, char(value))}});
    }
    const unsigned words = table.version == PclntabVersion::go12    ? 1
                           : table.version == PclntabVersion::go116 ? 7
                                                                    : 8;
    std::vector<uint64_t> word_values;
    for (unsigned w = 0; w < words; ++w) word_values.push_back(read(start + 8 + w * ptr, ptr));
    for (unsigned w = 0; w < words; ++w) {
      uint64_t at = start + 8 + w * ptr;
      hostile_field("pclntab-header", "header word " + std::to_string(w), at, ptr);
      // Overlapping and looping tables: this offset made equal to every other header word.
      for (unsigned other = 0; other < words; ++other)
        if (other != w && word_values[other] != word_values[w])
          add("overlap", "header word " + std::to_string(w) + " = word " + std::to_string(other),
              {{at, encode(word_values[other], ptr)}});
    }
    plan_functab(table);
  }

  void plan_functab(const Pclntab& table) {
    if (table.functab.empty() || table.function_count == 0) return;
    const uint64_t entry_bytes = table.functab_entry_size;
    const unsigned field = static_cast<unsigned>(entry_bytes / 2);
    const uint64_t count = table.function_count;
    for (uint64_t index : {uint64_t{0}, uint64_t{1}, count / 2, count - 1, count}) {
      uint64_t at = table.functab.file_offset() + index * entry_bytes;
      std::string label = "functab[" + std::to_string(index) + "]";
      hostile_field("functab", label + ".entry", at, field);
      hostile_field("functab", label + ".funcoff", at + field, field);
      // funcoff pointing back into the functab itself (a loop) and at another record.
      add("overlap", label + ".funcoff -> functab", {{at + field, encode(0, field)}});
      if (index + 1 < count)
        add("functab", label + " swapped with next",
            {{at, std::string(table.functab.chars().substr(index * entry_bytes + entry_bytes,
                                                           entry_bytes))},
             {at + entry_bytes,
              std::string(table.functab.chars().substr(index * entry_bytes, entry_bytes))}});
      if (index < count) plan_func_record(table, index, label);
    }
    // Names without a NUL: the funcname table's last bytes (and a 64 KiB+ run) overwritten.
    const ByteView names = table.funcname_table;
    if (!names.empty() && table.version != PclntabVersion::go12) {
      uint64_t tail = std::min<uint64_t>(names.size(), 64);
      add("funcname-table", "last " + std::to_string(tail) + " name bytes without NUL",
          {{names.file_offset() + names.size() - tail, std::string(tail, 'A')}});
      uint64_t run = std::min<uint64_t>(names.size(), limits::kMaxFunctionNameBytes + 2);
      add("funcname-table", "first " + std::to_string(run) + " name bytes without NUL",
          {{names.file_offset(), std::string(run, 'B')}});
    }
  }

  void plan_func_record(const Pclntab& table, uint64_t index, const std::string& label) {
    const uint64_t entry_bytes = table.functab_entry_size;
    const unsigned field = static_cast<unsigned>(entry_bytes / 2);
    uint64_t funcoff = read(table.functab.file_offset() + index * entry_bytes + field, field);
    // _func: entry (4 bytes from 1.18, pointer-sized before), then nameoff i32 (reference §2.3).
    uint64_t base = table.version == PclntabVersion::go12
                        ? table.bytes.file_offset() + funcoff
                        : table.func_table.file_offset() + funcoff;
    unsigned entry_width =
        (table.version == PclntabVersion::go118 || table.version == PclntabVersion::go120)
            ? 4
            : table.pointer_size;
    hostile_field("func-record", label + " _func.entry", base, entry_width);
    hostile_field("func-record", label + " _func.nameoff", base + entry_width, 4);
  }

  void plan_build_info() {
    if (!go_.build_info) return;
    const uint64_t blob = go_.build_info->blob_file_offset;
    for (uint64_t at = 0; at < 14; at += 3)
      add("build-info", "magic byte " + std::to_string(at) + " ^ 0x20",
          {{blob + at, std::string(1, static_cast<char>(file_.data()[blob + at] ^ 0x20))}});
    for (uint8_t value : {0, 3, 16, 255})
      add("build-info", "pointer size byte = " + std::to_string(value),
          {{blob + 14, std::string(1, char(value))}});
    for (uint8_t value : {0, 1, 2, 3, 0xfd, 0xff})
      add("build-info", "flags byte = " + hex(value), {{blob + 15, std::string(1, char(value))}});
    if (go_.build_info->format == BuildInfo::Format::inline_varint) {
      // Varint version length: unterminated, 11 bytes, huge, zero; then the module-text varint.
      add("build-info", "version varint unterminated", {{blob + 32, std::string(10, '\xff')}});
      add("build-info", "version varint 11 bytes", {{blob + 32, std::string(10, '\x80') + "\x01"}});
      add("build-info", "version length 2^35",
          {{blob + 32, std::string("\xff\xff\xff\xff\x7f", 5)}});
      add("build-info", "version length 0", {{blob + 32, std::string(1, '\0')}});
      uint64_t version_bytes = go_.build_info->go_version_text.size();
      uint64_t modinfo_at = blob + 33 + version_bytes;
      add("build-info", "module text length huge",
          {{modinfo_at, std::string("\xff\xff\xff\xff\x0f", 5)}});
      add("build-info", "module text length +1",
          {{modinfo_at, std::string("\xff\xff\xff\x7f", 4)}});
      add("build-info", "start sentinel damaged", {{modinfo_at + 3, std::string(4, '\0')}});
    } else {
      for (unsigned w = 0; w < 2; ++w)
        hostile_field("build-info", "pointer " + std::to_string(w),
                      blob + 16 + w * image_.pointer_size, image_.pointer_size);
    }
  }

  void plan_moduledata() {
    if (!go_.moduledata || go_.moduledata->file_offset == 0) return;
    const unsigned ptr = image_.pointer_size;
    const uint64_t base = go_.moduledata->file_offset;
    const uint64_t words = (ptr == 8 ? 408 : 204) / ptr;
    for (uint64_t w = 0; w < words; ++w) {
      uint64_t at = base + w * ptr;
      uint64_t original = read(at, ptr);
      for (uint64_t value : {uint64_t{0}, ~uint64_t{0} >> (64 - 8 * ptr), original + 1,
                             uint64_t{1} << (8 * ptr - 1)})
        if (value != original)
          add("moduledata", "word " + std::to_string(w) + " = " + hex(value),
              {{at, encode(value, ptr)}});
    }
  }

  // Ranges that overlap or alias: a Go section's header points at another section's bytes, a
  // PT_LOAD's offset copies another's.
  void plan_overlaps() {
    const unsigned word = is64() ? 8 : 4;
    const uint64_t offset_field = is64() ? 24 : 16, size_field = is64() ? 32 : 20;
    std::vector<uint64_t> go_sections;
    for (uint64_t i = 0; i < image_.sections.size(); ++i) {
      std::string_view name = image_.sections[i].name;
      if (name == ".gopclntab" || name == ".go.buildinfo" || name == ".noptrdata" ||
          name == ".data.rel.ro" || name == ".go.module" || name == ".symtab" || name == ".strtab")
        go_sections.push_back(i);
    }
    for (uint64_t a : go_sections)
      for (uint64_t b : go_sections)
        if (a != b) {
          const Section& other = image_.sections[b];
          add("overlap",
              std::string(image_.sections[a].name) + " placed on " + std::string(other.name),
              {{section_header_offset(a) + offset_field, encode(other.file_offset, word)},
               {section_header_offset(a) + size_field, encode(other.size, word)}});
        }
    const uint64_t p_offset = is64() ? 8 : 4;
    for (uint64_t a = 0; a < std::min<uint64_t>(phnum(), 16); ++a)
      for (uint64_t b = 0; b < std::min<uint64_t>(phnum(), 16); ++b)
        if (a != b)
          add("overlap",
              "phdr[" + std::to_string(a) + "].p_offset = phdr[" + std::to_string(b) + "]'s",
              {{phoff() + a * phentsize() + p_offset,
                encode(read(phoff() + b * phentsize() + p_offset, word), word)}});
  }

  std::vector<std::pair<uint64_t, uint64_t>> interesting_regions() const {
    std::vector<std::pair<uint64_t, uint64_t>> regions{{0, is64() ? 64 : 52}};
    regions.push_back({phoff(), phnum() * phentsize()});
    regions.push_back({shoff(), shnum() * shentsize()});
    if (go_.pclntab) {
      const Pclntab& table = *go_.pclntab;
      regions.push_back({table.bytes.file_offset(), 8 + 8 * table.pointer_size});
      regions.push_back(
          {table.functab.file_offset(), std::min<uint64_t>(table.functab.size(), 4096)});
      regions.push_back(
          {table.func_table.file_offset(), std::min<uint64_t>(table.func_table.size(), 1 << 16)});
      regions.push_back({table.funcname_table.file_offset(),
                         std::min<uint64_t>(table.funcname_table.size(), 4096)});
    }
    if (go_.build_info) regions.push_back({go_.build_info->blob_file_offset, 64});
    if (go_.moduledata && go_.moduledata->file_offset)
      regions.push_back({go_.moduledata->file_offset, 400});
    if (const Section* dynamic = image_.section(".dynamic"))
      regions.push_back({dynamic->file_offset, dynamic->size});
    std::erase_if(regions,
                  [&](auto& region) { return region.second == 0 || region.first >= file_.size(); });
    return regions;
  }

  ByteView file_;
  const BinaryImage& image_;
  const GoBinary& go_;
  std::mt19937_64 rng_;
  std::map<std::string, std::vector<Mutation>> by_category_;
};

// `count` variants: the planned ones taken round-robin across categories (in a seeded order),
// topped up with random bit flips.
inline std::vector<Mutation> choose_variants(ByteView file, const BinaryImage& image,
                                             const GoBinary& go, size_t count, uint64_t seed) {
  Planner planner(file, image, go, seed);
  auto by_category = planner.plan();
  std::mt19937_64 rng(seed);
  for (auto& [category, list] : by_category) std::shuffle(list.begin(), list.end(), rng);
  std::vector<Mutation> chosen;
  for (size_t round = 0; chosen.size() < count; ++round) {
    bool any = false;
    for (auto& [category, list] : by_category) {
      if (round < list.size() && chosen.size() < count) {
        chosen.push_back(list[round]);
        any = true;
      }
    }
    if (!any) break;
  }
  while (chosen.size() < count) chosen.push_back(planner.random_flips());
  return chosen;
}

// ---------------------------------------------------------------------------------------------
// Running

enum class Outcome : uint8_t {
  analyzed,          // the pipeline ran; no stage reported an error
  partly_analyzed,   // Go stages reported errors (kept in the facts); the verdict is not pass
  unanalyzable,      // the image could not be read, or nothing Go was found
  invariant_broken,  // an exercise.h invariant or an oracle below failed
  crashed,           // the child died on a signal (or exited non-zero)
  hung,              // the child exceeded the time limit
  memory_exceeded,   // the child exceeded the memory bound
};
inline const char* to_string(Outcome outcome) {
  switch (outcome) {
    case Outcome::analyzed:
      return "analyzed";
    case Outcome::partly_analyzed:
      return "partly-analyzed";
    case Outcome::unanalyzable:
      return "unanalyzable";
    case Outcome::invariant_broken:
      return "invariant-broken";
    case Outcome::crashed:
      return "crashed";
    case Outcome::hung:
      return "hung";
    case Outcome::memory_exceeded:
      return "memory-exceeded";
  }
  return "?";
}
inline bool is_failure(Outcome outcome) {
  return outcome == Outcome::invariant_broken || outcome == Outcome::crashed ||
         outcome == Outcome::hung || outcome == Outcome::memory_exceeded;
}

struct Context {
  const SignatureDb& db;
  const Policy& policy;
  const RuleCatalogue& catalogue;
  Date scan_date;
};

struct PipelineResult {
  Outcome outcome = Outcome::analyzed;
  std::string reason;           // the first error, or the broken invariant
  std::string verdict;          // "pass", "warn", "fail", "unanalyzable"
  std::set<Backend> validated;  // validated-module backends the facts claim
};

inline bool is_validated(Backend backend) {
  return backend == Backend::boringcrypto || backend == Backend::go_native_fips140 ||
         backend == Backend::openssl_golang_fips || backend == Backend::openssl_microsoft;
}

// The whole in-process pipeline on one file, with the oracles that define "a variant is never
// reported as passing/analyzable-with-a-validated-module when the evidence that would support
// it was unreadable" (docs/hardening.md):
//  O1 a Go stage that failed leaves an error in the facts, and such facts are never judged pass;
//  O2 without a readable function table, no backend rests on function-name evidence;
//  O3 without readable build info (blob or fallback), no evidence is a build setting;
//  O4 (checked by the caller) a variant never claims a validated backend that the unmodified
//     binary did not: damage removes evidence, it never creates it.
inline PipelineResult run_pipeline(ByteView file, const Context& context,
                                   AnalyzeOptions options = {}) {
  PipelineResult result;
  auto image = read_binary_image(file);
  if (!image) {
    result.outcome = Outcome::unanalyzable;
    result.reason = image.error().message();
    result.verdict = "unanalyzable";
    return result;
  }
  GoBinary go = read_go_binary(*image);
  fuzzing::Violations violations;
  volatile uint8_t sink = 0;
  fuzzing::exercise_image(*image, violations, sink);
  fuzzing::exercise_go(*image, go, violations, sink);
  Facts facts = analyze(*image, go, context.db, options);
  BinaryVerdict verdict =
      judge(facts, JudgeContext{context.policy, {}, context.catalogue, context.scan_date});
  result.verdict = std::string(verdict_name(verdict.verdict));
  for (const BackendFact& backend : facts.backends) {
    if (is_validated(backend.backend)) result.validated.insert(backend.backend);
    for (const Evidence& evidence : backend.evidence) {
      if (!go.functions && evidence.kind == Evidence::Kind::function)
        violations.add("O2: backend " + std::string(to_string(backend.backend)) +
                       " rests on function " + evidence.description + " without a function table");
      if (!go.build_info && !go.fallback && evidence.kind == Evidence::Kind::build_setting)
        violations.add("O3: build-setting evidence without readable build info");
    }
  }
  if (!go.errors.empty() && facts.errors.empty())
    violations.add("O1: Go stage errors were dropped from the facts");
  if (!facts.errors.empty() && verdict.verdict == Verdict::pass)
    violations.add("O1: facts with errors were judged pass");
  if (!violations.empty()) {
    result.outcome = Outcome::invariant_broken;
    result.reason = violations.messages.front();
  } else if (!go.is_go()) {
    result.outcome = Outcome::unanalyzable;
    result.reason = go.errors.empty() ? "no Go structures found" : go.errors.front();
  } else if (!go.errors.empty()) {
    result.outcome = Outcome::partly_analyzed;
    result.reason = go.errors.front();
  } else {
    result.reason = "ok";
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// Isolation: one forked child per variant, its bytes copied so that they end right before an
// inaccessible page (any read past the end of the file faults even without ASan).

struct VariantReport {
  Mutation mutation;
  PipelineResult result;
  double seconds = 0;       // CPU time of the child (user + system)
  double wall_seconds = 0;  // elapsed; depends on the machine's load
  uint64_t max_rss_kib = 0;
};

// Copies `bytes` so that they end at a PROT_NONE page; returns the view (munmap on drop is not
// needed: the child exits).
inline ByteView guarded_copy(const std::string& bytes) {
  const uint64_t page = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  const uint64_t data_pages = (bytes.size() + page - 1) / page;
  const uint64_t total = (data_pages + 1) * page;
  void* region = mmap(nullptr, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (region == MAP_FAILED) _exit(90);
  auto* base = static_cast<uint8_t*>(region);
  mprotect(base + data_pages * page, page, PROT_NONE);
  uint8_t* start = base + data_pages * page - bytes.size();
  std::memcpy(start, bytes.data(), bytes.size());
  mprotect(base, data_pages * page, PROT_READ);
  return ByteView(start, bytes.size());
}

inline std::string serialize(const PipelineResult& result) {
  std::string out = std::to_string(static_cast<int>(result.outcome)) + "\n" + result.verdict + "\n";
  for (Backend backend : result.validated) out += std::to_string(static_cast<int>(backend)) + ",";
  out += "\n" + result.reason.substr(0, 1500);
  return out;
}
inline PipelineResult deserialize(const std::string& text) {
  PipelineResult result;
  size_t first = text.find('\n'), second = text.find('\n', first + 1),
         third = text.find('\n', second + 1);
  if (first == std::string::npos || second == std::string::npos || third == std::string::npos) {
    result.outcome = Outcome::crashed;
    result.reason = "child wrote no result";
    return result;
  }
  result.outcome = static_cast<Outcome>(std::stoi(text.substr(0, first)));
  result.verdict = text.substr(first + 1, second - first - 1);
  std::string backends = text.substr(second + 1, third - second - 1);
  for (size_t at = 0; at < backends.size();) {
    size_t comma = backends.find(',', at);
    result.validated.insert(static_cast<Backend>(std::stoi(backends.substr(at, comma - at))));
    at = comma + 1;
  }
  result.reason = text.substr(third + 1);
  return result;
}

struct RunLimits {
  unsigned seconds = limits::kHostileInputSecondsLimit;
  uint64_t extra_memory_bytes = limits::kHostileInputExtraMemoryBytes;
  unsigned jobs = 1;
};

inline uint64_t current_vm_bytes() {
  FILE* statm = std::fopen("/proc/self/statm", "r");
  unsigned long pages = 0;
  if (statm) {
    if (std::fscanf(statm, "%lu", &pages) != 1) pages = 0;
    std::fclose(statm);
  }
  return pages * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
}

inline uint64_t current_rss_kib() {
  struct rusage usage {};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<uint64_t>(usage.ru_maxrss);
}

// Runs every mutation of `original` in its own child (up to limits.jobs at once) and calls
// `done` with each report, in completion order.
inline void run_variants(ByteView original, const std::vector<Mutation>& mutations,
                         const Context& context, const AnalyzeOptions& options,
                         const RunLimits& run_limits,
                         const std::function<void(VariantReport&&)>& done) {
  struct Running {
    size_t index;
    int pipe_fd;
    std::chrono::steady_clock::time_point started;
  };
  std::map<pid_t, Running> running;
  const uint64_t baseline_rss_kib = current_rss_kib();
  size_t next = 0;
  auto start_one = [&](size_t index) {
    int fds[2];
    if (pipe(fds) != 0) return false;
    pid_t pid = fork();
    if (pid < 0) {
      close(fds[0]);
      close(fds[1]);
      return false;
    }
    if (pid == 0) {
      close(fds[0]);
      if (!kAddressSanitizer) {  // ASan reserves terabytes of address space; RSS is checked instead
        struct rlimit memory {};
        memory.rlim_cur = memory.rlim_max = current_vm_bytes() + run_limits.extra_memory_bytes;
        setrlimit(RLIMIT_AS, &memory);
      }
      struct rlimit cpu {};
      cpu.rlim_cur = cpu.rlim_max = run_limits.seconds * 2;
      setrlimit(RLIMIT_CPU, &cpu);
      // "Hang" is measured in CPU time, so a loaded machine does not turn slow into hung: a
      // profiling timer for the limit, and a wall-clock alarm ten times longer for inputs that
      // block instead of spinning.
      struct itimerval cpu_timer {};
      cpu_timer.it_value.tv_sec = run_limits.seconds;
      setitimer(ITIMER_PROF, &cpu_timer, nullptr);
      alarm(run_limits.seconds * 10);
      // Allocation failure under the bound: report it as such rather than as an abort.
      static int memory_fd = fds[1];
      memory_fd = fds[1];
      std::set_new_handler([] {
        ssize_t ignored = write(memory_fd, "memory", 6);
        (void)ignored;
        _exit(91);
      });
      std::string bytes = apply(original, mutations[index]);
      ByteView view = guarded_copy(bytes);
      std::string().swap(bytes);
      PipelineResult result = run_pipeline(view, context, options);
      std::string text = serialize(result);
      ssize_t ignored = write(fds[1], text.data(), text.size());
      (void)ignored;
      _exit(0);
    }
    close(fds[1]);
    running[pid] = {index, fds[0], std::chrono::steady_clock::now()};
    return true;
  };
  while (next < mutations.size() || !running.empty()) {
    while (next < mutations.size() && running.size() < std::max(1u, run_limits.jobs)) {
      if (!start_one(next)) break;
      ++next;
    }
    int status = 0;
    struct rusage usage {};
    pid_t pid = wait4(-1, &status, 0, &usage);
    if (pid <= 0) break;
    auto found = running.find(pid);
    if (found == running.end()) continue;
    Running child = found->second;
    running.erase(found);
    std::string text;
    char buffer[4096];
    for (ssize_t got; (got = read(child.pipe_fd, buffer, sizeof buffer)) > 0;)
      text.append(buffer, got);
    close(child.pipe_fd);
    VariantReport report;
    report.mutation = mutations[child.index];
    report.wall_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - child.started).count();
    report.seconds = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
                     static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
    report.max_rss_kib = static_cast<uint64_t>(usage.ru_maxrss);
    if (WIFSIGNALED(status)) {
      int signal_number = WTERMSIG(status);
      report.result.outcome =
          (signal_number == SIGPROF || signal_number == SIGALRM || signal_number == SIGXCPU)
              ? Outcome::hung
              : Outcome::crashed;
      report.result.reason = std::string("signal ") + strsignal(signal_number);
    } else if (WEXITSTATUS(status) == 91) {
      report.result.outcome = Outcome::memory_exceeded;
      report.result.reason = "allocation failed under the memory bound";
    } else if (WEXITSTATUS(status) != 0) {
      report.result.outcome = Outcome::crashed;
      report.result.reason = "exit status " + std::to_string(WEXITSTATUS(status)) +
                             " (bad_alloc under the memory bound, or a sanitizer report)";
    } else {
      report.result = deserialize(text);
    }
    if (report.max_rss_kib > baseline_rss_kib + run_limits.extra_memory_bytes / 1024)
      report.result.outcome = Outcome::memory_exceeded;
    done(std::move(report));
  }
}

}  // namespace fipsgate::mutation
