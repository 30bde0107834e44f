// Parsing of the toolchain version string (reference §1.6). The linker writes
// runtime.buildVersion as the toolchain version, optionally followed by the experiments that
// differ from the baseline: " X:a,b" up to Go 1.25, "-X:a,b" from Go 1.26 on. Distributors add
// "bN" (dev.boringcrypto releases) or " (vendor text)".
#include "fipsgate/go/go_version.h"

#include <algorithm>
#include <charconv>

#include "go/version_scanner.h"

namespace fipsgate {

namespace {

Error version_error(std::string_view text, const std::string& problem) {
  return Error("go version '" + std::string(text) + "': " + problem);
}

Result<int> to_number(std::string_view text, std::string_view version, std::string_view what) {
  int value = 0;
  if (text.empty()) return version_error(version, std::string(what) + " is missing");
  if (text.size() > 6)
    return version_error(version, std::string(what) + " '" + std::string(text) + "' is too large");
  std::from_chars(text.data(), text.data() + text.size(), value);
  return value;
}

// "go1.21.9", "go1.21rc2", "go1.18.7b7": the release part, before any vendor text or experiments.
Status parse_release(VersionScanner& scanner, std::string_view text, GoVersion& version) {
  if (!scanner.consume("go")) return version_error(text, "does not start with 'go'");
  FG_TRY(version.major, to_number(scanner.digits(), text, "major version"));
  if (!scanner.consume(".")) {
    // "go1" was a release of its own; anything else after the major number is not a version.
    if (scanner.done() || scanner.rest().front() == ' ' || scanner.rest().front() == '-') {
      return Ok{};
    }
    return version_error(text, "expected '.' after the major version, found '" +
                                   std::string(scanner.rest().substr(0, 1)) + "'");
  }
  FG_TRY(version.minor, to_number(scanner.digits(), text, "minor version"));
  if (scanner.consume(".")) {
    FG_TRY(version.patch, to_number(scanner.digits(), text, "patch version"));
  }
  for (std::string_view tag : {"rc", "beta", "alpha"}) {
    if (scanner.consume(tag)) {
      std::string_view number = scanner.digits();
      if (number.empty()) return version_error(text, "'" + std::string(tag) + "' without a number");
      version.prerelease = std::string(tag) + std::string(number);
      break;
    }
  }
  if (scanner.consume("b")) {
    FG_TRY(int boring, to_number(scanner.digits(), text, "boring release after 'b'"));
    version.boring_release = boring;
  }
  return Ok{};
}

// " (Red Hat 1.21.9-1.el8)": nested parentheses are allowed, the closing one is required.
Status parse_vendor(VersionScanner& scanner, std::string_view text, GoVersion& version) {
  if (!scanner.consume(" (")) return Ok{};
  std::string_view rest = scanner.rest();
  int depth = 1;
  size_t index = 0;
  for (; index < rest.size() && depth > 0; ++index) {
    if (rest[index] == '(') ++depth;
    if (rest[index] == ')') --depth;
  }
  if (depth != 0) return version_error(text, "vendor text '(' is not closed");
  version.vendor = std::string(rest.substr(0, index - 1));
  scanner.consume(rest.substr(0, index));
  return Ok{};
}

// "-20250209-RC00 cl/724970549 +ff27d270c9": build text some distributors append to the release
// (seen in Google Cloud SDK binaries). It runs up to the experiment list, if there is one.
void parse_build_suffix(VersionScanner& scanner, GoVersion& version) {
  std::string_view rest = scanner.rest();
  if (!rest.starts_with("-") || rest.starts_with("-X:")) return;
  size_t experiments = rest.rfind(" X:");
  std::string_view suffix = rest.substr(0, experiments);
  version.build_suffix = std::string(suffix.substr(1));
  scanner.consume(suffix);
}

// " X:a,b" (Go <= 1.25) or "-X:a,b" (Go 1.26+).
Status parse_experiments(VersionScanner& scanner, std::string_view text, GoVersion& version) {
  if (scanner.done()) return Ok{};
  if (!scanner.consume(" X:") && !scanner.consume("-X:")) {
    return version_error(text, "unexpected text '" + std::string(scanner.rest()) +
                                   "' after the release (expected ' X:' or '-X:' experiments)");
  }
  std::string_view list = scanner.until([](char c) { return c == ' '; });
  if (!scanner.done()) {
    return version_error(
        text, "unexpected text '" + std::string(scanner.rest()) + "' after the experiment list");
  }
  while (true) {
    size_t comma = list.find(',');
    std::string_view name = list.substr(0, comma);
    if (name.empty()) return version_error(text, "empty name in the experiment list");
    version.experiments.emplace_back(name);
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return Ok{};
}

// "devel go1.27-abcdef Tue Jan 1 ..." or the older "devel +abcdef ...": the base version, when
// the text names one, gives the numbers.
Result<GoVersion> parse_devel(std::string_view text) {
  GoVersion version;
  version.raw = std::string(text);
  version.devel = true;
  size_t go = text.find(" go");
  if (go != std::string_view::npos) {
    VersionScanner scanner(text.substr(go + 1));
    GoVersion base;
    if (parse_release(scanner, text, base).ok()) {
      version.major = base.major;
      version.minor = base.minor;
      version.patch = base.patch;
      version.prerelease = base.prerelease;
    }
  }
  // The experiment suffix goes after the whole devel text: " X:" up to Go 1.25, "-X:" after.
  size_t experiments = text.rfind(" X:");
  if (experiments == std::string_view::npos) experiments = text.rfind("-X:");
  if (experiments != std::string_view::npos) {
    VersionScanner scanner(text.substr(experiments));
    if (Status parsed = parse_experiments(scanner, text, version); !parsed.ok()) {
      return parsed.error();
    }
  }
  return version;
}

}  // namespace

bool GoVersion::at_least(int want_major, int want_minor) const {
  if (devel && major == 0) return true;  // an unnamed development toolchain is newer than any
  if (major != want_major) return major > want_major;
  return minor >= want_minor;
}

bool GoVersion::has_experiment(std::string_view name) const {
  return std::find(experiments.begin(), experiments.end(), name) != experiments.end();
}

Result<GoVersion> parse_go_version(std::string_view text) {
  if (text.size() > kMaxGoVersionBytes) {
    return Error("go version string of " + std::to_string(text.size()) +
                 " bytes is longer than the " + std::to_string(kMaxGoVersionBytes) + "-byte limit");
  }
  if (text.empty()) return Error("go version string is empty");
  if (text.starts_with("devel ")) return parse_devel(text);
  GoVersion version;
  version.raw = std::string(text);
  VersionScanner scanner(text);
  if (Status release = parse_release(scanner, text, version); !release.ok()) {
    return release.error();
  }
  if (Status vendor = parse_vendor(scanner, text, version); !vendor.ok()) return vendor.error();
  parse_build_suffix(scanner, version);
  if (Status experiments = parse_experiments(scanner, text, version); !experiments.ok()) {
    return experiments.error();
  }
  return version;
}

}  // namespace fipsgate
