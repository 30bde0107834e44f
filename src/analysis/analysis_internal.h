// Pieces of the analysis shared between its files; not a public interface.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fipsgate/analysis/analyze.h"
#include "fipsgate/match/scanner.h"

namespace fipsgate::analysis {

// --- evidence.cc -------------------------------------------------------------------------------
Evidence evidence_from_hit(const MarkerHit& hit);
// Up to per_signal hits of each signal, at most `limit` in all, in the order of `signals`.
std::vector<Evidence> evidence_for(const ScanResult& scan, std::initializer_list<Signal> signals,
                                   size_t limit, size_t per_signal = 3);

// --- fips_mode.cc ------------------------------------------------------------------------------
struct GodebugDefault {
  std::string value;
  std::string found_in;
  Evidence evidence;
};
// runtime.godebugDefault as the runtime will read it (Go 1.21+): through the symbol, else a
// string header in the data sections pointing at a plausible GODEBUG string in read-only data.
std::optional<GodebugDefault> find_default_godebug(const BinaryImage& image, const GoBinary& go);
// The value of key in a comma-separated k=v list (the last one wins, as in the runtime).
std::string godebug_value(std::string_view godebug, std::string_view key);

// --- classify.cc -------------------------------------------------------------------------------
// The module version in a snapshot function name: "crypto/internal/fips140/v1.0.0/sha256.New"
// and "crypto/internal/fips140/v1%2e0%2e0.CAST" both give "v1.0.0".
std::optional<std::string> snapshot_version(std::string_view function_name);
std::vector<BackendFact> classify_backends(const ScanResult& scan, bool godebug_fips_on,
                                           const AnalyzeOptions& options);
std::optional<ModuleIdentity> identify_module(const BinaryImage& image, const GoBinary& go,
                                              const SignatureDb& db, const ScanResult& scan,
                                              const std::vector<BackendFact>& backends,
                                              const std::string& as_of_date);
void add_contradictions(const GoBinary& go, const ScanResult& scan, const Facts& facts,
                        std::vector<Finding>& findings);

// --- non_approved.cc ---------------------------------------------------------------------------
// The rows of db.non_approved that apply to a binary of this Go version.
struct PackageIndex {
  NameMatcher prefixes;       // the rows' import-path prefixes, for match_row
  NameMatcher name_prefixes;  // how those prefixes are spelled at the start of a function name
  std::vector<const NonApprovedPackage*> rows;
};
PackageIndex index_packages(const SignatureDb& db, const GoVersion* version);
// Uses of non-approved packages, with their callers when options.call_sites. maybe_listed holds
// the functions whose names index.name_prefixes matches, in order, from a walk over the function
// table that other lookups share (function_names.cc); with none it walks the table itself.
std::vector<NonApprovedUse> find_non_approved(const BinaryImage& image, const GoBinary& go,
                                              const SignatureDb& db, const PackageIndex& index,
                                              const std::vector<uint64_t>* maybe_listed,
                                              const AnalyzeOptions& options,
                                              std::vector<Finding>& findings);

// --- function_names.cc -------------------------------------------------------------------------
// What one walk over the function names finds for the signature scan and for the non-approved
// search, so that a big binary's names (70 MB in the 707 MB provider) are read once, not twice.
struct FunctionNameWalk {
  std::vector<FunctionNameHit> markers;  // SignatureMatcher::function_names() hits
  std::vector<uint64_t> maybe_listed;    // functions whose names a non-approved prefix starts
  // False when a hostile table matched more names than the walk keeps: the signature scan and
  // the non-approved search then walk the table on their own, as without this walk.
  bool complete = true;
};
FunctionNameWalk walk_function_names(const FunctionTable& functions, const NameMatcher& markers,
                                     const NameMatcher& non_approved_prefixes);
// True for packages of the standard library (the crypto stack and everything else std).
bool is_std_package(std::string_view package, const SignatureDb& db, const GoBinary& go);

// Which vector code a scan uses: the widest the CPU has (chosen at run time), or a narrower one,
// so that tests run every path on any machine.
enum class Simd : uint8_t { best, sse2, scalar };

// What the amd64 call scan tests 16 or 64 bytes at a time (E8 is CALL rel32): the bytes of the
// destination a vector lane can compute without carries from its neighbours.
struct E8Prefilter {
  uint64_t first_after = 0;  // the address just after a call at text[0]
  uint8_t misaligned = 0;    // low bits every target entry has clear (31: 32-byte aligned)
  uint8_t span_low = 0;      // bits 16-23 of the lowest entry, minus one
  uint8_t span_width = 255;  // how many more values bits 16-23 may take; 255: any
};

// The prefilter for calls into entries that lie in [lowest, highest].
E8Prefilter e8_prefilter(uint64_t first_after, uint8_t misaligned, uint64_t lowest,
                         uint64_t highest);

// The call scan's first step, exposed for tests: offsets i < size - 4, in order, where text[i]
// is E8 and, with P = first_after + i and the displacement text[i+1..i+4],
//   (uint8_t)(text[i+1] + P) & misaligned == 0  (the destination's low byte) and
//   (uint8_t)(text[i+3] + (P >> 16) - span_low) <= span_width  (its bits 16-23, less a carry).
std::vector<uint64_t> e8_call_candidates(ByteView text, const E8Prefilter& filter, Simd simd);

}  // namespace fipsgate::analysis
