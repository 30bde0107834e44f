// The module text of runtime.modinfo, as printed by `go version -m` (reference §1.4–1.5):
// TAB-separated "path", "mod", "dep", "=>" and "build" lines.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fipsgate/io/result.h"

namespace fipsgate {

struct ModuleVersion {
  std::string path, version, sum;
};

struct Module {
  ModuleVersion module;
  std::optional<ModuleVersion> replacement;  // "=>" line following the mod/dep line
};

struct BuildSetting {
  std::string key, value;  // unquoted
};

struct ModuleInfo {
  std::string main_package_path;  // "path" line
  std::string go_version;      // "go" line: only in text printed by `go version -m`, never embedded
  std::optional<Module> main;  // "mod" line
  std::vector<Module> deps;    // "dep" lines, in file order
  std::vector<BuildSetting> settings;  // "build" lines, in file order, unquoted

  // The value of the first build setting named key.
  std::optional<std::string_view> setting(std::string_view key) const;
};

// The 16-byte sentinels that frame runtime.modinfo (reference §1.4, cmd/go modload infoStart /
// infoEnd).
inline constexpr std::string_view kModInfoStart{
    "\x30\x77\xaf\x0c\x92\x74\x08\x02\x41\xe1\xc1\x07\xe6\xd6\x18\xe6", 16};
inline constexpr std::string_view kModInfoEnd{
    "\xf9\x32\x43\x31\x86\x18\x20\x72\x00\x82\x42\x10\x41\x16\xd8\xf2", 16};

// Longest module text accepted; real ones are a few KiB to a few hundred KiB.
inline constexpr size_t kMaxModuleTextBytes = 16u << 20;

// Strips the sentinels the way Go's readers do: only when the text is at least 33 bytes long and
// the byte 17 positions from the end is '\n'; otherwise the module text counts as empty.
std::string_view strip_modinfo_sentinels(std::string_view framed);

// Parses text whose sentinels are already stripped. Errors name the line number ("line 3:
// '=>' must follow a mod or dep line").
Result<ModuleInfo> parse_module_info(std::string_view text);

// Undoes Go's strconv.Quote (and accepts `backquoted` text); for build-setting keys and values.
Result<std::string> unquote_go_string(std::string_view quoted);

}  // namespace fipsgate
