// Running the signature database over one binary: byte and string markers through one
// MultiPatternMatcher per region they name, name markers through one NameMatcher over the
// pclntab function names and the ELF symbols, settings and version markers over the build
// info. Every hit says where it is (file offset, address, section, containing function).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "fipsgate/binary/binary_image.h"
#include "fipsgate/go/go_binary.h"
#include "fipsgate/match/multi_pattern.h"
#include "fipsgate/match/name_matcher.h"
#include "fipsgate/match/signature_db.h"

namespace fipsgate {

class HitRecorder;  // scanner.cc: collects hits with the per-marker limit

struct MarkerHit {
  const Marker* marker = nullptr;
  // What matched: the function or symbol name, the string's bytes, the setting's value, the
  // version string; a view into the file or into the GoBinary (lives as long as both).
  std::string_view text;
  std::optional<uint64_t> file_offset;
  std::optional<uint64_t> vaddr;
  std::string_view section;   // section holding the hit, when known
  std::string_view function;  // containing (bytes/strings) or named (names) function
  bool from_symbol_table = false;
};

struct ScanLimits {
  size_t hits_kept_per_marker = 64;  // hits beyond this are counted, not kept
};

struct ScanResult {
  std::vector<MarkerHit> hits;      // kept hits, grouped by marker in scan order
  std::vector<uint64_t> hit_count;  // per marker index in the db: all hits, kept or not
  std::array<uint64_t, kSignalCount> signal_count{};
  bool truncated = false;          // some marker had more hits than were kept
  std::vector<std::string> notes;  // regions that could not be read, ...

  bool has(Signal signal) const { return signal_count[static_cast<size_t>(signal)] > 0; }
  std::vector<const MarkerHit*> hits_for(Signal signal) const;
};

// A function whose name SignatureMatcher::function_names() matches; `id` is that matcher's id.
struct FunctionNameHit {
  uint64_t function = 0;  // index in the function table
  uint32_t id = 0;
};

class SignatureMatcher {
 public:
  // Compiles every byte/string pattern and name pattern of db once.
  static Result<SignatureMatcher> compile(const SignatureDb& db);
  ScanResult scan(const BinaryImage& image, const GoBinary& go, ScanLimits limits = {}) const;
  // The same with the function names' hits already found, in function order, by a walk over the
  // function table that other lookups share; the scan above walks the table itself.
  ScanResult scan(const BinaryImage& image, const GoBinary& go,
                  const std::vector<FunctionNameHit>& function_name_hits,
                  ScanLimits limits = {}) const;
  // The function-name patterns, for such a walk.
  const NameMatcher& function_names() const { return function_names_; }

 private:
  struct RegionPatterns {
    Region region;
    MultiPatternMatcher matcher;
    std::vector<uint32_t> marker_of_pattern;  // pattern id -> marker index
  };
  // Each region is compiled twice: with every pattern (no function table) and without the
  // patterns scoped to a function body (ByteRule::function), which are then checked in that
  // body alone. A region left with no patterns is not read.
  std::vector<RegionPatterns> regions_;
  std::vector<RegionPatterns> unscoped_regions_;
  static void add_pattern(std::vector<RegionPatterns>& regions,
                          std::vector<std::vector<PatternSpec>>& specs, const Region& region,
                          size_t marker_index, PatternSpec spec);
  static Status compile_regions(std::vector<RegionPatterns>& regions,
                                std::vector<std::vector<PatternSpec>>& specs);
  void scan_scoped_body(size_t marker_index, const Function& function, const BinaryImage& image,
                        HitRecorder& recorder) const;
  void record_function_name(uint32_t id, const Function& function, const BinaryImage& image,
                            HitRecorder& recorder) const;
  void record_function_names(const BinaryImage& image, const FunctionTable& functions,
                             const std::vector<FunctionNameHit>* function_name_hits,
                             HitRecorder& recorder) const;
  void record_symbols(const BinaryImage& image, HitRecorder& recorder,
                      const ScanResult& found) const;
  bool searched(size_t marker_index, bool names_read, const ScanResult& found) const;
  void scan_regions(const BinaryImage& image, const FunctionTable* functions, HitRecorder& recorder,
                    const ScanResult& found) const;
  // scan() with the function names' hits given, or walking the table when there are none.
  ScanResult scan_with(const BinaryImage& image, const GoBinary& go,
                       const std::vector<FunctionNameHit>* function_name_hits,
                       ScanLimits limits) const;

  std::vector<Marker> markers_;  // own copy, so the matcher outlives reloads of the db object
  // Function-name ids below markers_.size() are name markers; from markers_.size() on, the
  // function of a scoped byte marker (id - markers_.size() indexes scoped_markers_).
  NameMatcher function_names_, symbol_names_;
  std::vector<uint32_t> scoped_markers_;
};

// The byte ranges of `image` that a region names: sections by flags (text = executable,
// rodata = allocated read-only data, data = writable with file bytes), or the loadable segments
// by flags when the section headers are gone; `any` = every loadable segment's file bytes.
struct RegionView {
  ByteView bytes;
  uint64_t vaddr = 0;
  std::string_view section;  // empty when cut from a segment
};
std::vector<RegionView> region_views(const BinaryImage& image, const Region& region);

// The section holding vaddr ("" when none).
std::string_view section_name_at(const BinaryImage& image, uint64_t vaddr);

}  // namespace fipsgate
