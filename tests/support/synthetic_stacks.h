// Synthetic Go binaries for the crypto stacks no Debian toolchain builds (golang-fips / Red Hat
// OpenSSL, Microsoft Go systemcrypto) and for precise analysis tests: the function names, build
// settings and strings the reference documents for each stack (docs/go-binary-reference.md §5–7),
// written into a Go-like ELF by support/go_layouts (pclntab + moduledata) with a build-info blob.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "support/elf_builder.h"
#include "support/go_layouts.h"

namespace fipsgate::testing {

struct StackSpec {
  std::string go_version = "go1.22.7";
  std::string main_module = "example.com/app";
  std::vector<std::pair<std::string, std::string>> settings;  // build key=value, in order
  std::vector<std::string> functions;                         // in text order, 0x40 bytes each
  std::vector<std::string> rodata_strings;  // placed in .rodata.str, NUL-separated
  bool build_info = true;
  // Extra writable data (after .go.buildinfo), e.g. a string header for runtime.godebugDefault.
  std::string data;
  std::vector<SectionSpec> more_sections;  // appended after all of the above, as given
};

inline constexpr uint64_t kStackTextStart = 0x401000;
inline constexpr uint64_t kStackStringsVaddr = 0x580000;
inline constexpr uint64_t kStackBuildInfoVaddr = 0x700000;
inline constexpr uint64_t kStackDataVaddr = 0x710000;
inline constexpr uint64_t kStackFunctionBytes = 0x40;

struct BuiltStack {
  BuiltGoElf go;
  std::vector<std::string> functions;
  uint64_t entry(const std::string& function) const;  // vaddr of a function's first byte
  // Writes bytes into the text at vaddr (tests place call instructions).
  void patch_text(uint64_t vaddr, const std::string& bytes);
  // An amd64 "call rel32" at `site` to the entry of `callee`.
  void place_call(uint64_t site, const std::string& callee);
  // Where a string of rodata_strings landed.
  uint64_t string_vaddr(const std::string& text) const;
  ByteView view() const { return go.elf.view(); }
};

BuiltStack build_stack(const StackSpec& spec);

// The inline (Go 1.18+) build-info blob for a version and module text (sentinels added here).
std::string inline_build_info_blob(const std::string& version, const std::string& module_text);

// Stacks from the reference, each a complete StackSpec the tests can adjust.
StackSpec golang_fips_openssl_stack();  // Red Hat go-toolset 1.22 (§7.1)
StackSpec golang_fips_legacy_stack();   // older Red Hat: OpenSSL shim inside crypto/internal/boring
StackSpec microsoft_openssl_stack();    // Microsoft Go 1.25 systemcrypto on Linux (§7.2)
StackSpec boringcrypto_stack();         // upstream Go+BoringCrypto, go1.22 (§5.3)
StackSpec native_snapshot_stack();      // GOFIPS140=v1.0.0 on go1.24 (§6.2, §6.7)
StackSpec standard_stack();             // plain Go crypto, go1.22

}  // namespace fipsgate::testing
