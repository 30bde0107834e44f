// Pieces of the analysis shared between its files; not a public interface.
#pragma once

#include <array>
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
enum class Simd : uint8_t { best, avx2, sse2, scalar };

// A span of 64 KiB blocks of the address space, by bits 16-31 of an address: a 16-bit value v
// is in it when (uint16_t)(v - low) <= width.
struct BlockSpan {
  uint16_t low = 0;
  uint16_t width = 0xFFFF;  // every value
};

// What the amd64 call scan tests, a vector at a time (E8 is CALL rel32): the parts of a call's
// destination a lane can compute from the bytes at its offset.
struct E8Prefilter {
  uint64_t first_after = 0;  // the address just after a call at text[0]
  uint8_t misaligned = 0;    // low bits every target entry has clear (31: 32-byte aligned)
  // Bits 16-31 of every entry lie in one of these spans, each widened by one block below for the
  // carry out of bits 0-15 that a lane leaves out. Two, because the targets of big binaries sit
  // in two clusters (the provider's: near the runtime and 318 MB on, in the vendored modules).
  std::array<BlockSpan, 2> blocks;
  // The same spans' bits 16-23 as one byte span (span_low, plus up to span_width; 255: any),
  // which the AVX2 and SSE2 code test first, a byte per lane, before the spans themselves.
  uint8_t span_low = 0;
  uint8_t span_width = 255;
};

// The prefilter for calls into entries that lie in [lowest, highest], or in one of the two
// ranges, [lowest, first_end] and [second_start, highest].
E8Prefilter e8_prefilter(uint64_t first_after, uint8_t misaligned, uint64_t lowest,
                         uint64_t highest);
E8Prefilter e8_prefilter(uint64_t first_after, uint8_t misaligned, uint64_t lowest,
                         uint64_t first_end, uint64_t second_start, uint64_t highest);

// The call scan's first step, exposed for tests: offsets i < size - 4, in order, where text[i]
// is E8 and, with P = first_after + i, the displacement text[i+1..i+4], and its upper half
// D = text[i+3..i+4] (little-endian),
//   (uint8_t)(text[i+1] + P) & misaligned == 0  (the destination's low byte) and
//   (uint16_t)(D + (P >> 16)) is in blocks[0] or blocks[1]  (its bits 16-31, less a carry).
std::vector<uint64_t> e8_call_candidates(ByteView text, const E8Prefilter& filter, Simd simd);

}  // namespace fipsgate::analysis
