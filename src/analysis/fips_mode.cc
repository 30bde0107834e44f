// The default GODEBUG the runtime starts with (Go 1.21+): cmd/go passes
// -X=runtime.godebugDefault=<DefaultGODEBUG> to the linker, which writes a string header
// {data, len} for the variable and the bytes as a read-only string. A user's own
// -ldflags=-X=runtime.godebugDefault=... replaces it without changing the DefaultGODEBUG build
// setting, so the bytes the runtime will read are the answer, not the build info
// (checked on go1.24.4: symbols runtime.godebugDefault in .data, runtime.godebugDefault.str in
// .rodata).
#include <algorithm>

#include "analysis/analysis_internal.h"
#include "fipsgate/io/mapped_file.h"

namespace fipsgate::analysis {
namespace {

constexpr uint64_t kMaxGodebugBytes = 4096;
constexpr uint64_t kMaxBacktrack = 512;  // how far into a GODEBUG string its needle may start

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
  const std::optional<Symbol> symbol = image.symbols.find("runtime.godebugDefault");
  if (!symbol) return std::nullopt;
  const std::string found_in = "symbol runtime.godebugDefault at " + hex(symbol->value);
  if (auto text = read_go_string(image, symbol->value)) {
    return GodebugDefault{std::string(text->second), found_in,
                          godebug_evidence(image, text->first, text->second, found_in)};
  }
  if (image.segment_containing(symbol->value)) {
    // Zero-filled (no -X given): the runtime starts with an empty default.
    return GodebugDefault{"", found_in + " (zero-filled)",
                          godebug_evidence(image, 0, "", found_in + " (zero-filled)")};
  }
  return std::nullopt;
}

// Where a GODEBUG string may point: the read-only data, sorted by address so that each of the
// million words of a big .data costs one binary search, whatever the number of sections.
class StringRegions {
 public:
  explicit StringRegions(std::vector<RegionView> views) : views_(std::move(views)) {
    std::sort(views_.begin(), views_.end(),
              [](const RegionView& a, const RegionView& b) { return a.vaddr < b.vaddr; });
    for (const RegionView& view : views_) {
      lowest_ = std::min(lowest_, view.vaddr);
      highest_end_ = std::max(highest_end_, view.vaddr + view.bytes.size());
    }
  }

  // The `length` bytes at `vaddr` when one region holds all of them.
  std::optional<std::string_view> at(uint64_t vaddr, uint64_t length) const {
    // Most words of the data are not pointers into the read-only data: two compares, not a
    // binary search, turn them away.
    if (vaddr < lowest_ || vaddr >= highest_end_) return std::nullopt;
    auto after =
        std::upper_bound(views_.begin(), views_.end(), vaddr,
                         [](uint64_t v, const RegionView& view) { return v < view.vaddr; });
    if (after == views_.begin()) return std::nullopt;
    const RegionView& view = *(after - 1);
    const uint64_t offset = vaddr - view.vaddr;
    if (offset >= view.bytes.size() || view.bytes.size() - offset < length) return std::nullopt;
    return view.bytes.clamp(offset, length).chars();
  }

 private:
  std::vector<RegionView> views_;
  uint64_t lowest_ = UINT64_MAX;
  uint64_t highest_end_ = 0;
};

// Stripped binaries: a pointer-aligned {data, len} pair in writable data whose string lies in
// read-only data, holds a needle within its first kMaxBacktrack bytes and reads as a GODEBUG
// list. The first string that holds the DefaultGODEBUG build setting wins, else the first that
// sets fips140 (a -X override replaces the setting's bytes). Only the string headers are read
// (12 MB of .data in a 707 MB binary), in one pass, instead of searching the read-only data for
// the needles first (100 MB).
std::optional<GodebugDefault> from_string_header(const BinaryImage& image,
                                                 std::string_view setting_value) {
  const StringRegions strings(region_views(image, Region{Region::Kind::rodata, {}}));
  constexpr std::string_view kFips140 = "fips140=";
  auto holds = [](std::string_view text, std::string_view needle) {
    return !needle.empty() &&
           text.substr(0, kMaxBacktrack + needle.size()).find(needle) != std::string_view::npos;
  };
  // A string shorter than every needle cannot hold one: it is turned away before its bytes in
  // the read-only data are touched.
  const uint64_t shortest =
      setting_value.empty() ? kFips140.size() : std::min(setting_value.size(), kFips140.size());
  const unsigned word = image.pointer_size;
  std::optional<GodebugDefault> first_fips140;  // kept until a string holds the setting
  std::optional<GodebugDefault> with_setting;
  // Reads the headers of one piece of a data view; false once the search is over.
  auto search = [&](const RegionView& view, const uint8_t* bytes, uint64_t size, uint64_t vaddr) {
    for (uint64_t offset = (word - vaddr % word) % word; offset + 2 * word <= size;
         offset += word) {
      const uint64_t length = load_uint(bytes + offset + word, word, image.endian);
      if (length < shortest || length > kMaxGodebugBytes) continue;
      const uint64_t data = load_uint(bytes + offset, word, image.endian);
      const std::optional<std::string_view> string = strings.at(data, length);
      if (!string) continue;
      const std::string_view text = *string;
      // Only a GODEBUG list is kept, and one starts and ends with its characters: most strings
      // fail here, before the needle searches.
      if (!is_godebug_char(text.front()) || !is_godebug_char(text.back())) continue;
      const bool has_setting = holds(text, setting_value);
      if (!has_setting && (first_fips140 || !holds(text, kFips140))) continue;
      if (!looks_like_godebug(text)) continue;
      const std::string found_in = "string header at " + hex(vaddr + offset) +
                                   (view.section.empty() ? "" : " in " + std::string(view.section));
      GodebugDefault found{std::string(text), found_in,
                           godebug_evidence(image, data, text, found_in)};
      if (has_setting) {
        with_setting = std::move(found);
        return false;
      }
      first_fips140 = std::move(found);
      if (setting_value.empty()) return false;  // nothing later can replace it
    }
    return true;
  };
  for (const RegionView& view : region_views(image, Region{Region::Kind::data, {}})) {
    // The headers are read once, in order: copied out of a file in windows, each with the bytes
    // of a header that starts in its last word.
    for_each_piece(image.source(), view.bytes, 0, view.bytes.size(), 2 * word - 1,
                   [&](const uint8_t* bytes, uint64_t at, uint64_t, uint64_t length) {
                     return search(view, bytes, length, view.vaddr + at);
                   });
    if (with_setting) return with_setting;
    if (first_fips140 && setting_value.empty()) break;
  }
  return first_fips140;
}

}  // namespace

std::optional<GodebugDefault> find_default_godebug(const BinaryImage& image, const GoBinary& go) {
  // A runtime older than Go 1.20 has no godebugDefault to read (go1.19's src/runtime declares
  // none), so there is nothing to find: in a stripped binary the search would read every string
  // header of the data and touch every string they point at, and could only mistake some other
  // string for a default.
  if (const GoVersion* version = go.go_version();
      version != nullptr && version->major > 0 && !version->at_least(1, 20)) {
    return std::nullopt;
  }
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
