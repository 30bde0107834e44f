// The lazy function table. Entry and record layouts: docs/go-binary-reference.md §2.3 (go1.19.8
// debug/gosym/pclntab.go funcTab/funcData; cmd/link/internal/ld/pcln.go writePCToFunc).
#include "fipsgate/go/function_table.h"

#include "fipsgate/io/limits.h"
#include "go/funcname_check.h"
#include "io/shared_chunks.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <optional>
#include <utility>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace fipsgate {

namespace {

// Longest name accepted in the funcname table (io/limits.h). Real names are far shorter (the
// longest in the go1.19-go1.27 samples is 244 bytes); the bound keeps each name lookup cheap on
// hostile tables.
constexpr uint64_t kMaxNameBytes = limits::kMaxFunctionNameBytes;
// Tables from this size on (kubectl's has 80k functions) check their names and entries on two
// threads, the names in stretches of kNameStretchBytes and the entries in runs of
// kEntryRunFunctions.
constexpr uint64_t kConcurrentCheckFunctions = 20000;
constexpr uint64_t kNameStretchBytes = uint64_t{1} << 20;
constexpr uint64_t kEntryRunFunctions = 16384;

// Bytes of _func before nameOff: the entry field is a uintptr before 1.18, a uint32 entryOff
// from 1.18 on (gosym funcData.field).
unsigned entry_field_bytes(PclntabVersion version, unsigned pointer_size) {
  return version >= PclntabVersion::go118 ? 4 : pointer_size;
}

Error table_error(const std::string& what) {
  return Error(what).within("function table");
}

// Go 1.18+ entries are offsets from the module's text start (reference §2.4).
Result<uint64_t> text_base_for(const BinaryImage& image, const Pclntab& pclntab,
                               const ModuleData* moduledata) {
  if (pclntab.version < PclntabVersion::go118) return uint64_t{0};
  if (moduledata != nullptr) return moduledata->text_start;
  if (pclntab.text_start != 0) return pclntab.text_start;
  if (auto runtime_text = image.symbols.find("runtime.text")) return runtime_text->value;
  return table_error(
      "Go 1.18+ function entries are offsets from the text start, but pcHeader.textStart is 0 "
      "(as Go 1.26 writes it) and neither moduledata nor a runtime.text symbol supplies it");
}

// The whole table as one stretch, for tables checked on one thread.
Result<uint64_t> check_funcname_table(const ByteView& names) {
  return join_nul_runs(names, {find_nul_runs(names, 0, names.size())});
}

}  // namespace

// The NULs are found 64 bytes at a time and only each block's first NUL is measured against the
// one before (kMaxNameBytes is far above a block); one memchr call per name was a third of
// reading the 707 MB provider's table.
NulRuns find_nul_runs(const ByteView& names, uint64_t begin, uint64_t end) {
  const uint8_t* bytes = names.data();
  NulRuns runs;
  uint64_t start = 0;  // one past the last NUL, once there is one
  // Records a stretch of NULs whose first is at `first` and last at `last`; false once a name is
  // too long (the rest of the stretch no longer matters).
  const auto found = [&](uint64_t first, uint64_t last) {
    if (!runs.first_nul) {
      runs.first_nul = first;
    } else if (first - start > kMaxNameBytes) {
      runs.long_name = start;
      return false;
    }
    runs.last_nul = last;
    start = last + 1;
    return true;
  };
  uint64_t i = begin;
#if defined(__SSE2__)
  // 64 bytes a step: most steps hold no NUL or one (names average ~140 bytes), and a step
  // without one costs a few instructions.
  static_assert(kMaxNameBytes >= 64);
  const __m128i zero = _mm_setzero_si128();
  const auto nuls_in = [&](uint64_t at) {
    const auto* block = reinterpret_cast<const __m128i*>(bytes + at);
    return _mm_cmpeq_epi8(_mm_loadu_si128(block), zero);
  };
  for (; i + 64 <= end; i += 64) {
    const __m128i a = nuls_in(i), b = nuls_in(i + 16), c = nuls_in(i + 32), d = nuls_in(i + 48);
    if (_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(a, b), _mm_or_si128(c, d))) == 0) continue;
    const uint64_t nuls = static_cast<uint64_t>(static_cast<uint16_t>(_mm_movemask_epi8(a))) |
                          static_cast<uint64_t>(static_cast<uint16_t>(_mm_movemask_epi8(b))) << 16 |
                          static_cast<uint64_t>(static_cast<uint16_t>(_mm_movemask_epi8(c))) << 32 |
                          static_cast<uint64_t>(static_cast<uint16_t>(_mm_movemask_epi8(d))) << 48;
    if (!found(i + static_cast<uint64_t>(std::countr_zero(nuls)),
               i + 63 - static_cast<uint64_t>(std::countl_zero(nuls)))) {
      return runs;
    }
  }
#endif
  for (; i < end; ++i) {
    if (bytes[i] == 0 && !found(i, i)) return runs;
  }
  return runs;
}

Result<uint64_t> join_nul_runs(const ByteView& names, const std::vector<NulRuns>& stretches) {
  uint64_t start = 0;  // where the current name starts: one past the last NUL
  auto too_long = [&] {
    return table_error("the funcname table holds more than " + std::to_string(kMaxNameBytes) +
                       " bytes without a NUL " + names.where(start));
  };
  for (const NulRuns& runs : stretches) {
    if (!runs.first_nul) continue;
    if (*runs.first_nul - start > kMaxNameBytes) return too_long();
    if (runs.long_name) {
      start = *runs.long_name;
      return too_long();
    }
    start = *runs.last_nul + 1;
  }
  // An unterminated tail is allowed (no name may start there) unless it is itself too long.
  if (names.size() - start > kMaxNameBytes) return too_long();
  return start;
}

uint64_t FunctionTable::entry_address(uint64_t index) const {
  uint64_t raw = load_uint(functab_.data() + 2 * index * field_bytes_, field_bytes_, endian_);
  if (version_ < PclntabVersion::go118) return raw;
  return text_address(text_base_, text_sections_, raw);
}

uint64_t FunctionTable::record_offset(uint64_t index) const {
  return load_uint(functab_.data() + (2 * index + 1) * field_bytes_, field_bytes_, endian_);
}

TerminatedName FunctionTable::terminated_name_of_record(uint64_t record) const {
  uint64_t name_offset = load_uint(
      func_table_.data() + record + entry_field_bytes(version_, pointer_size_), 4, endian_);
  const char* start = reinterpret_cast<const char*>(funcname_table_.data() + name_offset);
  // Validated at construction: a NUL follows within kMaxNameBytes.
  return TerminatedName{start, std::min(funcname_table_.size() - name_offset, kMaxNameBytes + 1)};
}

Function FunctionTable::at(uint64_t index) const {
  return Function{entry_address(index), entry_address(index + 1),
                  name_of_record(record_offset(index))};
}

std::optional<uint64_t> FunctionTable::index_containing(uint64_t vaddr) const {
  if (count_ == 0 || vaddr < entry_address(0) || vaddr >= entry_address(count_)) {
    return std::nullopt;
  }
  // Last index whose entry is <= vaddr.
  uint64_t low = 0, high = count_;
  while (high - low > 1) {
    uint64_t middle = low + (high - low) / 2;
    if (entry_address(middle) <= vaddr) {
      low = middle;
    } else {
      high = middle;
    }
  }
  if (vaddr >= entry_address(low + 1)) return std::nullopt;
  return low;
}

std::optional<Function> FunctionTable::containing(uint64_t vaddr) const {
  const std::optional<uint64_t> index = index_containing(vaddr);
  if (!index) return std::nullopt;
  return at(*index);
}

// The line table (pcln) is a run of (value delta, pc delta) varint pairs (runtime/symtab.go
// step): each pc it reaches is where a line's instructions begin, so it is an instruction start.
uint64_t FunctionTable::line_start_before(uint64_t vaddr) const {
  const std::optional<uint64_t> index = index_containing(vaddr);
  if (!index) return vaddr;
  const uint64_t entry = entry_address(*index);
  if (version_ < PclntabVersion::go116 || pc_table_.empty()) return entry;
  const uint64_t pcln_field = entry_field_bytes(version_, pointer_size_) + 20;
  const uint64_t record = record_offset(*index);
  if (!func_table_.contains(record, pcln_field + 4)) return entry;
  const uint64_t pcln = load_uint(func_table_.data() + record + pcln_field, 4, endian_);
  if (pcln == 0) return entry;
  uint64_t at = pcln, pc = entry, start = entry;
  for (bool first = true;; first = false) {
    const Result<Varint> value_delta = pc_table_.uvarint(at);
    if (!value_delta.ok() || (value_delta->value == 0 && !first)) break;
    const Result<Varint> pc_delta = pc_table_.uvarint(at + value_delta->length_bytes);
    if (!pc_delta.ok() || pc_delta->value == 0 || pc_delta->value > (vaddr - pc) / quantum_) {
      break;  // past vaddr (or malformed): the last start found stands
    }
    at += value_delta->length_bytes + pc_delta->length_bytes;
    pc += pc_delta->value * quantum_;
    start = pc;
  }
  return start;
}

std::optional<Function> FunctionTable::find(std::string_view name) const {
  for (uint64_t i = 0; i < count_; ++i) {
    if (name_of_record(record_offset(i)) == name) return at(i);
  }
  return std::nullopt;
}

void FunctionTable::for_each_funcname_table_name(
    const std::function<bool(std::string_view)>& visit) const {
  if (version_ == PclntabVersion::go12) {
    // No separate name table before 1.16: names sit among the records.
    for (uint64_t i = 0; i < count_; ++i) {
      if (!visit(name_of_record(record_offset(i)))) return;
    }
    return;
  }
  std::string_view names = funcname_table_.chars();
  size_t start = 0;
  while (start < names.size()) {
    size_t nul = names.find('\0', start);
    if (nul == std::string_view::npos) return;  // unterminated tail is not a name
    if (nul > start && !visit(names.substr(start, nul - start))) return;
    start = nul + 1;
  }
}

Result<FunctionTable> read_function_table(const BinaryImage& image, const Pclntab& pclntab,
                                          const ModuleData* moduledata) {
  FunctionTable table;
  table.version_ = pclntab.version;
  table.endian_ = pclntab.endian;
  table.pointer_size_ = pclntab.pointer_size;
  table.count_ = pclntab.function_count;
  table.functab_ = pclntab.functab;
  table.func_table_ = pclntab.func_table;
  table.pc_table_ = pclntab.pc_table;
  table.quantum_ = pclntab.quantum;
  table.funcname_table_ = pclntab.funcname_table;
  FG_TRY(table.text_base_, text_base_for(image, pclntab, moduledata));
  if (moduledata != nullptr && moduledata->text_sections.size() > 1 &&
      pclntab.version >= PclntabVersion::go118) {
    table.text_sections_ = moduledata->text_sections;
  }
  uint64_t field = pclntab.functab_entry_size / 2;
  if ((field != 4 && field != 8) || pclntab.functab.size() != (2 * table.count_ + 1) * field) {
    return table_error("the functab of " + std::to_string(pclntab.functab.size()) +
                       " bytes does not hold nfunc " + std::to_string(table.count_) +
                       " entries of " + std::to_string(2 * field) + " bytes and an end word");
  }
  table.field_bytes_ = static_cast<unsigned>(field);
  // Before 1.16 names sit among the records in the whole table, so they are checked one by one;
  // from 1.16 on the funcname table is its own region and is checked in one pass.
  if (pclntab.version == PclntabVersion::go12) {
    Status valid = table.validate(0, table.count_, table.funcname_table_.size());
    if (!valid) return valid.error();
    return table;
  }
  if (table.count_ >= kConcurrentCheckFunctions) {
    if (Status checked = table.validate_beside_names(); !checked) return checked.error();
    return table;
  }
  FG_TRY(const uint64_t names_end, check_funcname_table(table.funcname_table_));
  Status valid = table.validate(0, table.count_, names_end);
  if (!valid) return valid.error();
  return table;
}

// Big tables (the 707 MB provider: 500k functions, 70 MB of names) check the funcname table and
// the entries at once, in stretches and runs that two threads take in turn. The entries are first
// checked against the whole name table and their largest nameOff kept: that equals checking them
// against the NUL-terminated part exactly when the largest is inside it. Anything else is checked
// again in the sequential order, so that the error names the same entry as it would have.
Status FunctionTable::validate_beside_names() const {
  const uint64_t names_size = funcname_table_.size();
  const uint64_t stretches = std::max<uint64_t>(1, names_size / kNameStretchBytes);
  const uint64_t stretch_bytes = names_size / stretches;
  const uint64_t runs = (count_ + kEntryRunFunctions - 1) / kEntryRunFunctions;
  std::vector<NulRuns> nuls(stretches);
  std::vector<uint64_t> largest_name_offset(runs, 0);
  std::vector<char> entries_valid(runs, 0);
  share_chunks(stretches + runs, [&](uint64_t task) {
    if (task < stretches) {
      const uint64_t begin = task * stretch_bytes;
      const uint64_t end = task + 1 == stretches ? names_size : begin + stretch_bytes;
      nuls[task] = find_nul_runs(funcname_table_, begin, end);
      return;
    }
    const uint64_t run = task - stretches;
    const uint64_t begin = run * kEntryRunFunctions;
    const uint64_t end = std::min(begin + kEntryRunFunctions, count_);
    entries_valid[run] = validate(begin, end, names_size, &largest_name_offset[run]).ok();
  });
  FG_TRY(const uint64_t names_end, join_nul_runs(funcname_table_, nuls));
  const bool valid = std::all_of(entries_valid.begin(), entries_valid.end(),
                                 [](char run_valid) { return run_valid != 0; });
  const uint64_t largest =
      runs == 0 ? 0 : *std::max_element(largest_name_offset.begin(), largest_name_offset.end());
  if (valid && (count_ == 0 || largest < names_end)) return Ok{};
  return validate(0, count_, names_end);
}

// Every entry: PCs non-decreasing (the runtime binary-searches them), the _func record inside
// the func table, its nameOff inside the NUL-terminated part of the funcname table.
// validate() for the common layout (Go 1.18+, little-endian, one text section), whose entries
// are 32-bit offsets from one text base: sorted offsets are sorted addresses when the base plus
// the largest offset cannot wrap. False when the layout is another or an entry fails; then
// validate() checks again the general way, and its error names the entry.
bool FunctionTable::validate_common_layout(uint64_t begin, uint64_t end, uint64_t names_end,
                                           uint64_t* largest_name_offset) const {
  if (version_ < PclntabVersion::go118 || endian_ != Endian::little || field_bytes_ != 4 ||
      !text_sections_.empty() || text_base_ > UINT64_MAX - UINT32_MAX) {
    return false;
  }
  const uint8_t* functab = functab_.data();
  const uint8_t* records = func_table_.data();
  const uint64_t records_size = func_table_.size();
  const auto word = [](const uint8_t* at) { return load_uint(at, 4, Endian::little); };
  uint64_t previous = word(functab + 8 * begin);
  uint64_t largest = 0;
  for (uint64_t i = begin; i < end; ++i) {
    const uint64_t next = word(functab + 8 * (i + 1));
    const uint64_t record = word(functab + 8 * i + 4);
    if (next < previous || record > records_size || records_size - record < 8) return false;
    const uint64_t name_offset = word(records + record + 4);
    if (name_offset >= names_end) return false;
    largest = std::max(largest, name_offset);
    previous = next;
  }
  if (largest_name_offset != nullptr) *largest_name_offset = largest;
  return true;
}

Status FunctionTable::validate(uint64_t begin, uint64_t end, uint64_t names_end,
                               uint64_t* largest_name_offset) const {
  if (validate_common_layout(begin, end, names_end, largest_name_offset)) return Ok{};
  const unsigned field = field_bytes_;
  unsigned name_field_at = entry_field_bytes(version_, pointer_size_);
  // The addresses are checked, not the raw words: from Go 1.18 on an entry is mapped through
  // the text start and moduledata's text sections, and a hostile text start or section map can
  // wrap or reorder sorted offsets (containing() binary-searches the mapped addresses).
  uint64_t previous = begin >= end ? 0 : entry_address(begin);
  for (uint64_t i = begin; i < end; ++i) {
    uint64_t next = entry_address(i + 1);
    if (next < previous) {
      return table_error("functab entry " + std::to_string(i + 1) + " (pc " + hex(next) +
                         ") is before entry " + std::to_string(i) + " (pc " + hex(previous) +
                         "): the table is not sorted " + functab_.where(2 * (i + 1) * field));
    }
    previous = next;
    uint64_t record = record_offset(i);
    if (!func_table_.contains(record, uint64_t{name_field_at} + 4)) {
      return table_error("functab entry " + std::to_string(i) + " points to a _func record at " +
                         hex(record) + ", past the end of the " +
                         std::to_string(func_table_.size()) + "-byte func table " +
                         func_table_.where(0));
    }
    uint64_t name_offset = load_uint(func_table_.data() + record + name_field_at, 4, endian_);
    if (largest_name_offset != nullptr && name_offset > *largest_name_offset) {
      *largest_name_offset = name_offset;
    }
    if (name_offset >= names_end) {
      return table_error("function " + std::to_string(i) + " has nameOff " + hex(name_offset) +
                         ", outside the NUL-terminated names (first " + hex(names_end) +
                         " bytes) of the funcname table " + funcname_table_.where(0));
    }
    if (version_ == PclntabVersion::go12) {
      uint64_t limit = std::min(funcname_table_.size() - name_offset, kMaxNameBytes + 1);
      if (std::memchr(funcname_table_.data() + name_offset, 0, limit) == nullptr) {
        return table_error("the name of function " + std::to_string(i) + " has no NUL within " +
                           std::to_string(limit) + " bytes " + funcname_table_.where(name_offset));
      }
    }
  }
  return Ok{};
}

}  // namespace fipsgate
