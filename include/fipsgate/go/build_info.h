// The build-info blob that `go version -m` reads (reference §1.1–1.3): a 32-byte header with the
// magic "\xff Go buildinf:", then the version string and module text, either by pointer
// (Go 1.13–1.17) or inline as varint-prefixed strings (Go 1.18+).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "fipsgate/binary/binary_image.h"
#include "fipsgate/go/go_version.h"
#include "fipsgate/go/module_info.h"
#include "fipsgate/io/result.h"

namespace fipsgate {

inline constexpr std::string_view kBuildInfoMagic{"\xff Go buildinf:", 14};

struct BuildInfo {
  enum class Format : uint8_t { pointer, inline_varint };  // 1.13-1.17 / 1.18+
  Format format = Format::inline_varint;
  std::string go_version_text;
  GoVersion go_version;
  std::string module_text;  // sentinels stripped
  ModuleInfo modules;
  uint64_t blob_vaddr = 0, blob_file_offset = 0;
  std::string found_in;  // "section .go.buildinfo" or "writable segment at 0x..."
  // Problems that did not stop the reader: a version string or module text that does not parse
  // (go_version then holds only `raw`, modules stays empty).
  std::vector<std::string> warnings;
};

std::string_view to_string(BuildInfo::Format format);  // "pointer" / "inline"

// nullopt = no build-info blob (normal for some binaries); Error = a blob that is malformed.
Result<std::optional<BuildInfo>> read_build_info(const BinaryImage& image);

// When the blob is absent (patched-out linkers, Go <= 1.12): the version string and module text
// recovered from read-only data (reference §1.4, §1.6).
struct FallbackBuildInfo {
  std::optional<std::string> go_version_text;
  std::optional<GoVersion> go_version;
  std::string
      version_found_in;  // "symbol runtime.buildVersion", "rodata string at file offset 0x..."
  std::optional<std::string> module_text;  // sentinels stripped
  std::optional<ModuleInfo> modules;
  std::string modules_found_in;  // "modinfo sentinels at file offset 0x..."
};

// Best effort: nullopt when nothing was recognised. Errors go to `errors` (e.g. module text that
// did not parse). The runtime.buildVersion symbol and the modinfo sentinels are always tried;
// the version guesses from "go1." strings in data only when allow_heuristics is set (the caller
// already knows the file is Go, e.g. from its pclntab), since any file may contain such text.
std::optional<FallbackBuildInfo> find_build_info_fallback(const BinaryImage& image,
                                                          std::vector<std::string>& errors,
                                                          bool allow_heuristics);

}  // namespace fipsgate
