// The Go toolchain version string as the linker writes it into runtime.buildVersion and the
// build-info blob (reference §1.6): "go1.21.9 (Red Hat 1.21.9-1.el8) X:strictfipsruntime",
// "go1.18.7b7", "go1.26.10-X:boringcrypto", "devel go1.27-abcdef Tue ...".
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fipsgate/io/result.h"

namespace fipsgate {

struct GoVersion {
  std::string raw;                      // the whole string as found
  int major = 0, minor = 0, patch = 0;  // patch 0 when absent ("go1.21")
  std::string prerelease;               // "rc1", "beta2", ""
  std::optional<int> boring_release;    // 7 for "go1.18.7b7" (dev.boringcrypto releases)
  std::string vendor;                   // text inside "( )", e.g. "Red Hat 1.21.9-1.el8"
  // A distributor's build text glued to the release with '-', e.g. Google's internal toolchain
  // "go1.25-20250209-RC00 cl/724970549 +ff27d270c9 X:fieldtrack,boringcrypto".
  std::string build_suffix;
  std::vector<std::string> experiments;  // from " X:a,b" (<=1.25) or "-X:a,b" (1.26+)
  bool devel = false;                    // "devel ..." toolchains (numbers from "go1.N" if any)

  // True when this version is major.minor or newer (devel builds count as their base version).
  bool at_least(int want_major, int want_minor) const;
  bool has_experiment(std::string_view name) const;
};

// Longest accepted version string; the linker's strings are short, anything longer is not one.
inline constexpr size_t kMaxGoVersionBytes = 1024;

// Parses a version string; the Error says which part did not fit ("go1.x: minor version 'x' is
// not a number").
Result<GoVersion> parse_go_version(std::string_view text);

}  // namespace fipsgate
