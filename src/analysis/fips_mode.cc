// The default GODEBUG the runtime starts with (Go 1.21+): cmd/go passes
// -X=runtime.godebugDefault=<DefaultGODEBUG> to the linker, which writes a string header
// {data, len} for the variable and the bytes as a read-only string. A user's own
// -ldflags=-X=runtime.godebugDefault=... replaces it without changing the DefaultGODEBUG build
// setting, so the bytes the runtime will read are the answer, not the build info
// (checked on go1.24.4: symbols runtime.godebugDefault in .data, runtime.godebugDefault.str in
// .rodata).
#include <algorithm>

#include "analysis/analysis_internal.h"

namespace fipsgate::analysis {
namespace {

constexpr uint64_t kMaxGodebugBytes = 4096;
constexpr uint64_t kMaxBacktrack = 512;  // how far before a "fips140=" a GODEBUG string may start
constexpr size_t kMaxCandidates = 64;

bool is_godebug_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '=' ||
         c == ',' || c == '.' || c == '_' || c == '-';
}

bool looks_like_godebug(std::string_view text) {
  return !text.empty() && text.find('=') != std::string_view::npos &&
         std::all_of(text.begin(), text.end(), is_godebug_char);
}

Evidence godebug_evidence(const BinaryImage& image, uint64_t vaddr, std::string_view value,
                          std::string_view found_in) {
  Evidence evidence;
  evidence.kind = Evidence::Kind::string;
  evidence.marker_id = "analysis.godebug_default";
  evidence.description =
      "default GODEBUG \"" + std::string(value) + "\" (" + std::string(found_in) + ")";
  if (vaddr != 0) {
    evidence.vaddr = vaddr;
    if (auto offset = image.file_offset_of(vaddr); offset.ok()) evidence.file_offset = *offset;
    evidence.section = std::string(section_name_at(image, vaddr));
  }
  evidence.function = "runtime.godebugDefault";
  return evidence;
}

// Reads a Go string header {data, len} at vaddr.
std::optional<std::pair<uint64_t, std::string_view>> read_go_string(const BinaryImage& image,
                                                                    uint64_t vaddr) {
  auto header = image.at_address(vaddr, 2 * image.pointer_size);
  if (!header.ok()) return std::nullopt;
  auto data = header->word(0, image.pointer_size, image.endian);
  auto length = header->word(image.pointer_size, image.pointer_size, image.endian);
  if (!data.ok() || !length.ok() || *length > kMaxGodebugBytes) return std::nullopt;
  if (*length == 0) return std::pair{*data, std::string_view()};
  auto bytes = image.at_address(*data, *length);
  if (!bytes.ok()) return std::nullopt;
  return std::pair{*data, bytes->chars()};
}

std::optional<GodebugDefault> from_symbol(const BinaryImage& image) {
  std::optional<GodebugDefault> found;
  auto visit = [&](const Symbol& symbol) {
    if (symbol.name != "runtime.godebugDefault") return true;
    const std::string found_in = "symbol runtime.godebugDefault at " + hex(symbol.value);
    if (auto text = read_go_string(image, symbol.value)) {
      found = GodebugDefault{std::string(text->second), found_in,
                             godebug_evidence(image, text->first, text->second, found_in)};
    } else if (image.segment_containing(symbol.value)) {
      // Zero-filled (no -X given): the runtime starts with an empty default.
      found = GodebugDefault{"", found_in + " (zero-filled)",
                             godebug_evidence(image, 0, "", found_in + " (zero-filled)")};
    }
    return false;
  };
  image.symbols.for_each(visit);
  return found;
}

// Addresses in read-only data where `needle` occurs.
std::vector<uint64_t> occurrences(const BinaryImage& image, std::string_view needle) {
  std::vector<uint64_t> out;
  if (needle.empty()) return out;
  for (const RegionView& view : region_views(image, Region{Region::Kind::rodata, {}})) {
    uint64_t from = 0;
    while (out.size() < kMaxCandidates) {
      auto at = view.bytes.find(needle, from);
      if (!at) break;
      out.push_back(view.vaddr + *at);
      from = *at + 1;
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Stripped binaries: a pointer-aligned {data, len} pair in writable data whose string covers
// one of the candidate addresses and reads as a GODEBUG list.
std::optional<GodebugDefault> from_string_header(const BinaryImage& image,
                                                 std::string_view setting_value) {
  std::vector<uint64_t> candidates = occurrences(image, setting_value);
  if (candidates.empty()) candidates = occurrences(image, "fips140=");
  if (candidates.empty()) return std::nullopt;
  const unsigned word = image.pointer_size;
  for (const RegionView& view : region_views(image, Region{Region::Kind::data, {}})) {
    const ByteView& bytes = view.bytes;
    for (uint64_t offset = (word - view.vaddr % word) % word; offset + 2 * word <= bytes.size();
         offset += word) {
      const uint64_t data = load_uint(bytes.data() + offset, word, image.endian);
      auto next = std::lower_bound(candidates.begin(), candidates.end(), data);
      if (next == candidates.end() || *next - data > kMaxBacktrack) continue;
      const uint64_t length = load_uint(bytes.data() + offset + word, word, image.endian);
      if (length == 0 || length > kMaxGodebugBytes || data + length < *next + 8) continue;
      auto text = image.at_address(data, length);
      if (!text.ok() || !looks_like_godebug(text->chars())) continue;
      const std::string found_in = "string header at " + hex(view.vaddr + offset) +
                                   (view.section.empty() ? "" : " in " + std::string(view.section));
      return GodebugDefault{std::string(text->chars()), found_in,
                            godebug_evidence(image, data, text->chars(), found_in)};
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<GodebugDefault> find_default_godebug(const BinaryImage& image, const GoBinary& go) {
  if (auto found = from_symbol(image)) return found;
  std::string_view setting;
  if (const ModuleInfo* modules = go.modules()) {
    setting = modules->setting("DefaultGODEBUG").value_or(std::string_view());
  }
  return from_string_header(image, setting);
}

std::string godebug_value(std::string_view godebug, std::string_view key) {
  std::string value;
  while (!godebug.empty()) {
    const size_t comma = godebug.find(',');
    const std::string_view item = godebug.substr(0, comma);
    const size_t equals = item.find('=');
    if (equals != std::string_view::npos && item.substr(0, equals) == key) {
      value = std::string(item.substr(equals + 1));
    }
    if (comma == std::string_view::npos) break;
    godebug.remove_prefix(comma + 1);
  }
  return value;
}

}  // namespace fipsgate::analysis
