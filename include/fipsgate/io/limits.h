// Limits on every quantity that the bytes of a scanned file (or a YAML file a user hands us)
// control. Each limit keeps a hostile file from making fipsgate hang or allocate without bound;
// each is far above what any real Go binary needs (figures from the largest binaries we know,
// kubectl and friends: ~1M functions, 100 sections, module text of a few hundred KiB).
//
// docs/limits.md lists the same values with the error text a user sees when one is hit, and
// what happens then (the stage fails, the rest of the analysis goes on, the artifact may be
// reported unanalyzable — never passing).
//
// The readers use these constants; tests/limits_test.cc checks that each reader's behaviour
// agrees with the value here.
#pragma once

#include <cstddef>
#include <cstdint>

namespace fipsgate::limits {

// --- ELF (src/binary/elf.cc) -------------------------------------------------------------------

// Program headers and section headers: a table must fit in the file (count * entry size), so
// their number is bounded by the file size divided by the entry size (56/32 and 64/40 bytes).
// Extended numbering (e_phnum/e_shnum 0xffff/0 with the real count in section header 0) obeys
// the same bound. Error: "program header table at file offset 0x… (N entries of E bytes) runs
// past the end of the S-byte file"; for section headers the same text as a warning, and the
// image goes on from its segments.
// Each header also costs heap, so the counts have a bound of their own (real Go executables have
// about 10 program headers and 40 sections; extended numbering starts at 65535): "… has more than
// the 65536-entry limit" (an error for program headers, a warning for section headers).
inline constexpr uint64_t kMaxProgramHeaders = 65536;
inline constexpr uint64_t kMaxSectionHeaders = 65536;
inline constexpr uint64_t kMaxSectionNameBytes = 4096;      // "section name … is not terminated"
inline constexpr uint64_t kMaxInterpreterBytes = 4096;      // PT_INTERP path
inline constexpr uint64_t kMaxLibraryNameBytes = 4096;      // one DT_NEEDED name
inline constexpr uint64_t kMaxSymbolNameBytes = 64 * 1024;  // one .symtab/.dynsym name
inline constexpr uint64_t kMaxBuildIdBytes = 1024;          // Go or GNU build-ID note descriptor
inline constexpr size_t kMaxReaderWarnings = 64;            // then one "further warnings dropped"
// Symbols are decoded one entry at a time (no vector of all symbols): their count costs time
// proportional to the table's size in the file, never memory.

// --- Mach-O fat files (src/binary/lief_preflight.cc) -------------------------------------------

// A 0xcafebabe file claiming more slices is not taken for a fat Mach-O (Java class files share
// the magic; their major version, >= 45, sits where the slice count would be).

inline constexpr uint32_t kMaxFatSlices = 20;

// --- Build info (src/go/build_info.cc, go_version.cc, module_info.cc) --------------------------

// The version string ("go1.24.2 X:boringcrypto"): "version string of N bytes is longer than the
// 1024-byte limit".
inline constexpr size_t kMaxGoVersionBytes = 1024;
// Module text (runtime.modinfo): "module text of N bytes is longer than the 16777216-byte limit".
inline constexpr size_t kMaxModuleTextBytes = 16u << 20;
// Go's uvarint (the inline build-info lengths) is at most 10 bytes: "uvarint … longer than 10
// bytes".
inline constexpr unsigned kMaxUvarintBytes = 10;
// Fallback search when the blob is missing: "go1." strings and modinfo start sentinels examined
// per binary. More candidates are ignored (the search gives up quietly; the version stays
// unknown).
inline constexpr uint64_t kMaxVersionCandidates = 100000;
inline constexpr uint64_t kMaxModinfoCandidates = 64;

// --- pclntab, function table, moduledata (src/go/pclntab.cc, function_table.cc, moduledata.cc) --

// nfunc: "pclntab: nfunc N exceeds the … table at file offset 0x…". Also bounded by the table's
// size (each function needs a functab entry). The largest real binaries have ~1M functions.
inline constexpr uint64_t kMaxFunctions = uint64_t{1} << 26;
// One function name in the funcname table: "the funcname table holds more than 65536 bytes
// without a NUL …".
inline constexpr uint64_t kMaxFunctionNameBytes = 64 * 1024;
// pclntab candidates whose header is decoded by the magic search over stripped binaries.
inline constexpr unsigned kMaxPclntabSearchCandidates = 4096;
// moduledata.textsectmap entries: "textsectmap length N capacity C is implausible".
inline constexpr uint64_t kMaxTextSections = 4096;

// --- Analysis (src/analysis) --------------------------------------------------------------------

// Bytes of one function disassembled to confirm a call edge; longer functions are cut here.
inline constexpr uint64_t kMaxDisassembledFunctionBytes = 1u << 20;

// --- YAML given by users (policies, waivers) and signatures/ ------------------------------------

// Policy "extends:" chains: "… nests deeper than 4 policies".
inline constexpr int kMaxPolicyExtendsDepth = 4;
// Sequences and mappings nested in one YAML document (src/io/yaml.cc); the deepest file in
// signatures/ nests 5. "FILE:LINE:COLUMN: YAML nests deeper than the 64-level limit".
inline constexpr size_t kMaxYamlDepth = 64;

// --- Scanning directories (src/source/paths.cc) -------------------------------------------------

inline constexpr int kMaxDirectoryDepth = 64;          // deeper directories are not entered
inline constexpr size_t kMaxScannedFiles = 1'000'000;  // "more than 1000000 files under …"

// --- Resource bounds checked by the mutation harness and the regression test --------------------

// What analysing one hostile input may cost: far above the real cost (tens of milliseconds and
// a few MiB beyond the mapped file for a 15 MB Go binary).
inline constexpr unsigned kHostileInputSecondsLimit = 10;
inline constexpr uint64_t kHostileInputExtraMemoryBytes = uint64_t{1} << 30;

}  // namespace fipsgate::limits
