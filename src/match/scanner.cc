// Running the compiled signature database over one binary (see scanner.h).
#include "fipsgate/match/scanner.h"

#include <algorithm>
#include <optional>
#include <regex>

#include "fipsgate/go/symbol_name.h"
#include "fipsgate/io/mapped_file.h"

namespace fipsgate {
namespace {

constexpr uint32_t kShtNote = 7;

bool arch_allowed(const ByteRule& rule, Arch arch) {
  return rule.arches.empty() ||
         std::find(rule.arches.begin(), rule.arches.end(), arch) != rule.arches.end();
}

// The pclntab holds every function name; string markers look for program data, not names.
bool is_name_table(std::string_view section) {
  return section == ".gopclntab" || section == ".data.rel.ro.gopclntab" || section == "__gopclntab";
}

bool section_in_region(const Section& section, const Region& region) {
  if (!section.allocated || !section.has_file_bytes || section.size == 0) return false;
  switch (region.kind) {
    case Region::Kind::text:
      return section.executable;
    case Region::Kind::rodata:
      return !section.writable && !section.executable && section.type != kShtNote &&
             !is_name_table(section.name);
    case Region::Kind::data:
      return section.writable;
    case Region::Kind::section:
      return section.name == region.section_name;
    case Region::Kind::any:
      return true;
  }
  return false;
}

bool segment_in_region(const Segment& segment, const Region& region) {
  switch (region.kind) {
    case Region::Kind::text:
      return segment.executable;
    case Region::Kind::rodata:
      return !segment.writable && !segment.executable;
    case Region::Kind::data:
      return segment.writable;
    case Region::Kind::any:
      return true;
    case Region::Kind::section:
      return false;
  }
  return false;
}

bool setting_matches(const SettingRule& rule, std::optional<std::string_view> value) {
  switch (rule.test) {
    case SettingTest::present:
      return value.has_value();
    case SettingTest::absent:
      return !value.has_value();
    case SettingTest::equals:
      return value && *value == rule.value;
    case SettingTest::contains:
      return value && value->find(rule.value) != std::string_view::npos;
    case SettingTest::regex:
      return value && rule.compiled &&
             std::regex_search(value->begin(), value->end(), *rule.compiled);
  }
  return false;
}

bool version_matches(const VersionRule& rule, const GoVersion& version) {
  if (!rule.experiment.empty()) return version.has_experiment(rule.experiment);
  if (!rule.vendor_contains.empty()) {
    return version.vendor.find(rule.vendor_contains) != std::string::npos;
  }
  if (rule.boring_release) return version.boring_release.has_value();
  return false;
}

// Offsets of `rule`'s pattern in a function body, at the rule's address alignment.
template <class OnHit>
void find_in_body(const ByteRule& rule, ByteView body, uint64_t body_vaddr, OnHit on_hit) {
  const ByteView bytes(rule.pattern.bytes.data(), rule.pattern.bytes.size());
  const ByteView mask(rule.pattern.mask.data(), rule.pattern.mask.size());
  for (uint64_t offset = 0; offset + bytes.size() <= body.size(); ++offset) {
    if (MultiPatternMatcher::matches_at(bytes, mask, rule.alignment, body, offset, body_vaddr))
      on_hit(offset);
  }
}

// Bodies of scoped functions are small (the sig functions are 32 bytes); a hostile table may
// claim more.
constexpr uint64_t kMaxScopedBodyBytes = 4096;

}  // namespace

// Collects hits with the per-marker limit.
class HitRecorder {
 public:
  HitRecorder(const std::vector<Marker>& markers, ScanLimits limits, ScanResult& result)
      : markers_(markers), limits_(limits), result_(result), kept_(markers.size(), 0) {
    result_.hit_count.assign(markers.size(), 0);
  }

  void record(size_t marker_index, MarkerHit hit) {
    hit.marker = &markers_[marker_index];
    ++result_.hit_count[marker_index];
    ++result_.signal_count[static_cast<size_t>(markers_[marker_index].signal)];
    if (kept_[marker_index] >= limits_.hits_kept_per_marker) {
      result_.truncated = true;
      return;
    }
    ++kept_[marker_index];
    result_.hits.push_back(hit);
  }

  // False once a marker's kept hits are full: the caller only counts (no address lookups).
  bool keeps(size_t marker_index) const {
    return kept_[marker_index] < limits_.hits_kept_per_marker;
  }
  void count_only(size_t marker_index) {
    ++result_.hit_count[marker_index];
    ++result_.signal_count[static_cast<size_t>(markers_[marker_index].signal)];
    result_.truncated = true;
  }

 private:
  const std::vector<Marker>& markers_;
  ScanLimits limits_;
  ScanResult& result_;
  std::vector<size_t> kept_;
};

std::vector<const MarkerHit*> ScanResult::hits_for(Signal signal) const {
  std::vector<const MarkerHit*> out;
  for (const auto& hit : hits) {
    if (hit.marker->signal == signal) out.push_back(&hit);
  }
  return out;
}

std::vector<RegionView> region_views(const BinaryImage& image, const Region& region) {
  std::vector<RegionView> views;
  if (!image.sections.empty()) {
    for (const auto& section : image.sections) {
      if (region.kind == Region::Kind::any) break;
      if (!section_in_region(section, region)) continue;
      auto bytes = image.section_bytes(section);
      if (bytes.ok()) views.push_back({*bytes, section.vaddr, section.name});
    }
    if (region.kind != Region::Kind::any) return views;
  }
  if (region.kind == Region::Kind::section) return views;
  for (const auto& segment : image.segments) {
    if (!segment_in_region(segment, region) || segment.file_size == 0) continue;
    views.push_back(
        {image.file().clamp(segment.file_offset, segment.file_size), segment.vaddr, {}});
  }
  return views;
}

std::string_view section_name_at(const BinaryImage& image, uint64_t vaddr) {
  for (const auto& section : image.sections) {
    if (section.allocated && vaddr >= section.vaddr && vaddr - section.vaddr < section.size) {
      return section.name;
    }
  }
  return {};
}

void SignatureMatcher::add_pattern(std::vector<RegionPatterns>& regions,
                                   std::vector<std::vector<PatternSpec>>& specs,
                                   const Region& region, size_t marker_index, PatternSpec spec) {
  auto group = std::find_if(regions.begin(), regions.end(),
                            [&](const RegionPatterns& g) { return g.region == region; });
  if (group == regions.end()) {
    regions.push_back({region, {}, {}});
    specs.emplace_back();
    group = regions.end() - 1;
  }
  spec.id = static_cast<uint32_t>(group->marker_of_pattern.size());
  group->marker_of_pattern.push_back(static_cast<uint32_t>(marker_index));
  specs[group - regions.begin()].push_back(std::move(spec));
}

Status SignatureMatcher::compile_regions(std::vector<RegionPatterns>& regions,
                                         std::vector<std::vector<PatternSpec>>& specs) {
  for (size_t g = 0; g < regions.size(); ++g) {
    auto matcher = MultiPatternMatcher::compile(std::move(specs[g]));
    if (!matcher.ok())
      return matcher.error().within("signatures: region " + to_string(regions[g].region));
    regions[g].matcher = std::move(matcher).value();
  }
  return Ok{};
}

Result<SignatureMatcher> SignatureMatcher::compile(const SignatureDb& db) {
  SignatureMatcher compiled;
  compiled.markers_ = db.markers;
  std::vector<std::vector<PatternSpec>> specs, unscoped_specs;
  for (size_t index = 0; index < compiled.markers_.size(); ++index) {
    const Marker& marker = compiled.markers_[index];
    const Region* region = nullptr;
    PatternSpec spec;
    bool scoped = false;
    if (const auto* bytes = std::get_if<ByteRule>(&marker.rule)) {
      region = &bytes->region;
      spec = {bytes->pattern.bytes, bytes->pattern.mask, bytes->alignment, 0};
      if (!bytes->function.empty()) {
        scoped = true;
        const auto id =
            static_cast<uint32_t>(compiled.markers_.size() + compiled.scoped_markers_.size());
        compiled.scoped_markers_.push_back(static_cast<uint32_t>(index));
        compiled.function_names_.add(id, NameMatch::exact, bytes->function);
      }
    } else if (const auto* text = std::get_if<StringRule>(&marker.rule)) {
      region = &text->region;
      spec.bytes.assign(text->text.begin(), text->text.end());
      spec.mask.assign(text->text.size(), 0xFF);
    } else if (const auto* name = std::get_if<NameRule>(&marker.rule)) {
      const auto id = static_cast<uint32_t>(index);
      if (name->in != NameSource::symbols)
        compiled.function_names_.add(id, name->how, name->pattern);
      if (name->in != NameSource::functions)
        compiled.symbol_names_.add(id, name->how, name->pattern);
      continue;
    } else {
      continue;
    }
    add_pattern(compiled.regions_, specs, *region, index, spec);
    if (!scoped) add_pattern(compiled.unscoped_regions_, unscoped_specs, *region, index, spec);
  }
  // Regexes are compiled when the signatures are read, not per scanned binary (a std::regex
  // costs tens of microseconds to build); a rule made in code gets its regex here.
  for (Marker& marker : compiled.markers_) {
    auto* setting = std::get_if<SettingRule>(&marker.rule);
    if (setting == nullptr || setting->test != SettingTest::regex || setting->compiled) continue;
    try {
      setting->compiled = std::make_shared<const std::regex>(setting->value);
    } catch (const std::regex_error&) {
      return Error("marker " + marker.id + ": not a valid regular expression: " + setting->value);
    }
  }
  compiled.function_names_.finish();
  compiled.symbol_names_.finish();
  if (Status all = compile_regions(compiled.regions_, specs); !all) return all.error();
  if (Status unscoped = compile_regions(compiled.unscoped_regions_, unscoped_specs); !unscoped)
    return unscoped.error();
  return compiled;
}

void SignatureMatcher::scan_scoped_body(size_t marker_index, const Function& function,
                                        const BinaryImage& image, HitRecorder& recorder) const {
  const auto& rule = std::get<ByteRule>(markers_[marker_index].rule);
  if (!arch_allowed(rule, image.arch) || function.end <= function.entry) return;
  const uint64_t size = std::min(function.end - function.entry, kMaxScopedBodyBytes);
  auto body = image.at_address(function.entry, size);
  if (!body.ok()) return;
  find_in_body(rule, *body, function.entry, [&](uint64_t offset) {
    MarkerHit hit;
    hit.text = body->chars().substr(offset, rule.pattern.bytes.size());
    hit.file_offset = body->file_offset() + offset;
    hit.vaddr = function.entry + offset;
    hit.section = section_name_at(image, *hit.vaddr);
    hit.function = function.name;
    recorder.record(marker_index, hit);
  });
}

ScanResult SignatureMatcher::scan(const BinaryImage& image, const GoBinary& go,
                                  ScanLimits limits) const {
  return scan_with(image, go, nullptr, limits);
}

ScanResult SignatureMatcher::scan(const BinaryImage& image, const GoBinary& go,
                                  const std::vector<FunctionNameHit>& function_name_hits,
                                  ScanLimits limits) const {
  return scan_with(image, go, &function_name_hits, limits);
}

// A function name that function id matches: a name marker's hit, or the function whose body a
// scoped marker is looked for in.
void SignatureMatcher::record_function_name(uint32_t id, const Function& function,
                                            const BinaryImage& image, HitRecorder& recorder) const {
  if (id >= markers_.size()) {
    scan_scoped_body(scoped_markers_[id - markers_.size()], function, image, recorder);
    return;
  }
  if (!recorder.keeps(id)) return recorder.count_only(id);
  MarkerHit hit;
  hit.text = function.name;
  hit.function = function.name;
  hit.vaddr = function.entry;
  if (auto offset = image.file_offset_of(function.entry); offset.ok()) hit.file_offset = *offset;
  hit.section = section_name_at(image, function.entry);
  recorder.record(id, hit);
}

// Whether the region pass looks for the marker's pattern: a string gated on name signals
// (StringRule::only_with) needs one of them found, when the names came from a function table.
bool SignatureMatcher::searched(size_t marker_index, bool names_read,
                                const ScanResult& found) const {
  const auto* text = std::get_if<StringRule>(&markers_[marker_index].rule);
  if (text == nullptr || text->only_with.empty() || !names_read) return true;
  return std::any_of(text->only_with.begin(), text->only_with.end(),
                     [&](Signal signal) { return found.has(signal); });
}

namespace {

// One region view through a matcher, with hits at offsets into the view. A view in a file that is
// better copied out (io/mapped_file.h) is copied out a window at a time, each window carrying the
// longest pattern's length less one more bytes, so that a hit lies wholly in the window it
// starts in and is passed on from that window only; otherwise, or where a copy fails, the rest
// is scanned where it lies.
void scan_view(const MultiPatternMatcher& matcher, const RegionView& view, const MappedFile* file,
               const std::function<bool(uint32_t id, uint64_t offset)>& on_hit) {
  if (matcher.pattern_count() == 0) file = nullptr;  // no carry to give: read in place
  const uint64_t carry = matcher.pattern_count() == 0 ? 0 : matcher.longest_pattern() - 1;
  bool stopped = false;
  for_each_piece(file, view.bytes, 0, view.bytes.size(), carry,
                 [&](const uint8_t* data, uint64_t from, uint64_t own, uint64_t length) {
                   matcher.scan(ByteView(data, length, view.bytes.file_offset() + from),
                                view.vaddr + from, [&](uint32_t id, uint64_t offset) {
                                  if (offset >= own) return true;  // the next window's
                                  stopped = !on_hit(id, from + offset);
                                  return !stopped;
                                });
                   return !stopped;
                 });
}

}  // namespace

// Bytes and strings, one pass per region; with a function table, patterns scoped to a function
// are looked for in its body instead (record_function_name), and a region none of whose
// patterns is searched is not read.
void SignatureMatcher::scan_regions(const BinaryImage& image, const FunctionTable* functions,
                                    HitRecorder& recorder, const ScanResult& found) const {
  const bool names_read = functions != nullptr;
  for (const auto& group : functions ? unscoped_regions_ : regions_) {
    std::vector<char> wanted(group.marker_of_pattern.size());
    for (size_t pattern = 0; pattern < wanted.size(); ++pattern)
      wanted[pattern] = searched(group.marker_of_pattern[pattern], names_read, found);
    if (std::find(wanted.begin(), wanted.end(), 1) == wanted.end()) continue;
    for (const RegionView& view : region_views(image, group.region)) {
      scan_view(group.matcher, view, image.source(), [&](uint32_t pattern, uint64_t offset) {
        if (wanted[pattern] == 0) return true;
        const size_t marker_index = group.marker_of_pattern[pattern];
        const Marker& marker = markers_[marker_index];
        size_t length = 0;
        if (const auto* bytes = std::get_if<ByteRule>(&marker.rule)) {
          if (!arch_allowed(*bytes, image.arch)) return true;
          length = bytes->pattern.bytes.size();
        } else {
          length = std::get<StringRule>(marker.rule).text.size();
        }
        MarkerHit hit;
        hit.text = view.bytes.chars().substr(offset, length);
        hit.file_offset = view.bytes.file_offset() + offset;
        hit.vaddr = view.vaddr + offset;
        hit.section = view.section.empty() ? section_name_at(image, *hit.vaddr) : view.section;
        if (functions) {
          if (auto function = functions->containing(*hit.vaddr)) hit.function = function->name;
        }
        recorder.record(marker_index, hit);
        return true;
      });
    }
  }
}

// Function names from the pclntab: the hits given, or a walk of the table. Only a name that
// matches needs its addresses decoded.
void SignatureMatcher::record_function_names(const BinaryImage& image,
                                             const FunctionTable& functions,
                                             const std::vector<FunctionNameHit>* function_name_hits,
                                             HitRecorder& recorder) const {
  if (function_name_hits) {
    std::optional<Function> decoded;  // of function decoded_index: a name may match several ids
    uint64_t decoded_index = 0;
    for (const FunctionNameHit& name_hit : *function_name_hits) {
      if (!decoded || decoded_index != name_hit.function) {
        decoded = functions.at(name_hit.function);
        decoded_index = name_hit.function;
      }
      record_function_name(name_hit.id, *decoded, image, recorder);
    }
    return;
  }
  RejectionMemo last;
  for (uint64_t index = 0; index < functions.size(); ++index) {
    std::optional<Function> decoded;
    function_names_.match(functions.terminated_name_at(index), last, [&](uint32_t id) {
      if (!decoded) decoded = functions.at(index);
      record_function_name(id, *decoded, image, recorder);
    });
  }
}

// ELF symbols: the fallback for names the pclntab lacks (C symbols of externally linked cgo)
// and for symbol-only markers. A marker the pclntab already proved is not counted again.
void SignatureMatcher::record_symbols(const BinaryImage& image, HitRecorder& recorder,
                                      const ScanResult& found) const {
  const std::vector<uint64_t> counted_from_functions = found.hit_count;
  auto visit_symbol = [&](const Symbol& symbol) {
    const std::string_view name = strip_abi_suffix(symbol.name);
    if (name.empty()) return true;
    symbol_names_.match(name, [&](uint32_t marker_index) {
      const auto& rule = std::get<NameRule>(markers_[marker_index].rule);
      if (rule.in == NameSource::any && counted_from_functions[marker_index] > 0) return;
      if (!recorder.keeps(marker_index)) return recorder.count_only(marker_index);
      MarkerHit hit;
      hit.text = name;
      hit.function = name;
      hit.from_symbol_table = true;
      if (symbol.value != 0) {
        hit.vaddr = symbol.value;
        if (auto offset = image.file_offset_of(symbol.value); offset.ok())
          hit.file_offset = *offset;
        hit.section = section_name_at(image, symbol.value);
      }
      recorder.record(marker_index, hit);
    });
    return true;
  };
  image.symbols.for_each(visit_symbol);
  image.dynamic_symbols.for_each(visit_symbol);
}

ScanResult SignatureMatcher::scan_with(const BinaryImage& image, const GoBinary& go,
                                       const std::vector<FunctionNameHit>* function_name_hits,
                                       ScanLimits limits) const {
  ScanResult result;
  HitRecorder recorder(markers_, limits, result);
  const FunctionTable* functions = go.functions ? &*go.functions : nullptr;
  if (functions) record_function_names(image, *functions, function_name_hits, recorder);
  record_symbols(image, recorder, result);
  // The regions come after the names, whose signals open gated strings; their hits are kept
  // first all the same (a signal found both ways, such as go:fipsinfo, lists its bytes first).
  const auto names_found = static_cast<std::ptrdiff_t>(result.hits.size());
  scan_regions(image, functions, recorder, result);
  std::rotate(result.hits.begin(), result.hits.begin() + names_found, result.hits.end());

  // Build settings, the version string, sections.
  const ModuleInfo* modules = go.modules();
  const GoVersion* version = go.go_version();
  for (size_t index = 0; index < markers_.size(); ++index) {
    const Marker& marker = markers_[index];
    if (const auto* setting = std::get_if<SettingRule>(&marker.rule)) {
      if (!modules) continue;
      const auto value = modules->setting(setting->key);
      if (!setting_matches(*setting, value)) continue;
      MarkerHit hit;
      if (value) hit.text = *value;
      recorder.record(index, hit);
    } else if (const auto* rule = std::get_if<VersionRule>(&marker.rule)) {
      if (!version || !version_matches(*rule, *version)) continue;
      MarkerHit hit;
      hit.text = version->raw;
      recorder.record(index, hit);
    } else if (const auto* wanted = std::get_if<SectionRule>(&marker.rule)) {
      const Section* section = image.section(wanted->name);
      if (!section) continue;
      MarkerHit hit;
      hit.text = section->name;
      hit.section = section->name;
      hit.vaddr = section->vaddr;
      if (section->has_file_bytes) hit.file_offset = section->file_offset;
      recorder.record(index, hit);
    }
  }
  return result;
}

}  // namespace fipsgate
