// Small, valid Go structures written from scratch for fuzz seeds and for wrapping fuzz input in
// an ELF: a pclntab of any layout (reference §2), a moduledata that points at it (§3), a
// build-info blob (§1.2) and the ELF files that hold them. Real tables are megabytes; these are a
// few hundred bytes, so a fuzzer runs thousands of times a second and still reaches every stage.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "fipsgate/go/pclntab.h"
#include "support/elf_builder.h"

namespace fipsgate::fuzzing {

struct SyntheticFunction {
  std::string name;
  uint64_t size_bytes = 0x40;  // distance to the next entry
};

struct PclntabSpec {
  PclntabVersion version = PclntabVersion::go120;
  unsigned pointer_size = 8;
  Endian endian = Endian::little;
  unsigned quantum = 1;
  uint64_t text_start = 0x401000;  // pcHeader.textStart for 1.18+ (0 as in Go 1.26 is allowed)
  std::vector<SyntheticFunction> functions;
  std::vector<std::string> files{"main.go"};
};

// The table bytes, from the header to the end of the last _func record.
std::string make_pclntab(const PclntabSpec& spec);

// A moduledata (layout of the pclntab's version) at moduledata_vaddr that points at `pclntab`
// loaded at pclntab_vaddr, with text at text_vaddr.
std::string make_moduledata(const PclntabSpec& spec, uint64_t pclntab_vaddr,
                            const std::string& pclntab, uint64_t text_vaddr,
                            uint64_t moduledata_vaddr);

// Default function names: a small program that links crypto/sha256 and BoringCrypto markers.
std::vector<SyntheticFunction> sample_functions();

struct GoElfSpec {
  PclntabSpec pclntab;
  bool with_moduledata = true;          // runtime.firstmoduledata in .noptrdata
  bool with_symbols = true;             // runtime.text, runtime.pclntab, runtime.firstmoduledata
  bool with_section_headers = true;     // false: segments only (magic searches)
  std::string go_version = "go1.22.1";  // "" for no build-info blob
  std::string module_text =
      "path\texample.com/hello\nmod\texample.com/hello\t(devel)\t\nbuild\tCGO_ENABLED=1\n"
      "build\tGOARCH=amd64\nbuild\tGOEXPERIMENT=boringcrypto\n";
  bool pointer_format_build_info = false;  // Go 1.13–1.17 blob
};

// An ELF executable with .text, .gopclntab, .go.buildinfo and .noptrdata (moduledata).
testing::BuiltElf make_go_elf(const GoElfSpec& spec);

// The 32-byte build-info header plus inline varint strings (Go 1.18+ format).
std::string make_inline_build_info(const std::string& version, const std::string& framed_modinfo,
                                   unsigned pointer_size, Endian endian);

// Module text framed by the runtime.modinfo sentinels (reference §1.4).
std::string frame_module_text(const std::string& text);

}  // namespace fipsgate::fuzzing
