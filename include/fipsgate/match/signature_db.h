// The signature database: the knowledge in signatures/ (markers, modules.yaml, non_approved.yaml)
// loaded from commented YAML and checked against a schema at load time. A marker says what to
// look for (bytes, a function/symbol name, a string, a build setting, the version string, a
// section) and which stack it is evidence for; the classifier reads markers through their
// signal, so a new toolchain release is a data change. See docs/signatures.md.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "fipsgate/binary/binary_image.h"
#include "fipsgate/io/result.h"

namespace fipsgate {

// What the classifier reads from the markers. Every marker feeds exactly one signal.
enum class Signal : uint8_t {
  sig_boringcrypto,     // crypto/internal/boring/sig.BoringCrypto: some FIPS backend init linked
  sig_standardcrypto,   // sig.StandardCrypto: pure-Go crypto paths linked
  tls_fipsonly,         // crypto/tls/fipsonly (sig.FIPSOnly)
  tls_linked,           // crypto/tls present
  boring_shim,          // crypto/internal/boring._Cfunc__goboringcrypto_*
  boring_syso,          // BoringSSL syso symbols (_goboringcrypto_FIPS_mode, BORINGSSL_bcm_*)
  boring_c_prefix,      // any _goboringcrypto_* C symbol (also old Red Hat shims)
  boring_string,        // "boringcrypto: not in FIPS mode"
  boring_requested,     // GOEXPERIMENT/X:boringcrypto, goX.Y.ZbN
  fips140_requested,    // GOFIPS140 setting, fips140vX.Y tag
  fips140_snapshot,     // crypto/internal/fips140/vX.Y.Z/... names
  fips140_module,       // crypto/internal/fips140/... names (in-tree or snapshot)
  fips140_info,         // .go.fipsinfo / go:fipsinfo
  fips140_godebug,      // DefaultGODEBUG turns fips140 on
  fips140_hostfips,     // golang-fips host FIPS detection for the native module
  backend_package,      // crypto/internal/backend
  golangfips_library,   // vendored golang-fips/openssl bindings
  golangfips_dlopen,    // the dlopen entry points Red Hat's checker requires
  libcrypto_name,       // "libcrypto.so." strings
  redhat_toolchain,     // "(Red Hat ...)" in the version
  strict_fips_runtime,  // strictfipsruntime experiment/tag
  openssl_disabled,     // -tags no_openssl
  ms_setting,           // microsoft_systemcrypto / microsoft_toolset_version
  ms_library,           // microsoft/go-crypto-* bindings
  ms_experiment,        // GOEXPERIMENT systemcrypto/opensslcrypto/...
  ms_string,            // Microsoft backend panic strings
  ms_opt_out,           // nosystemcrypto
  requirefips,          // -tags requirefips
  std_crypto,           // crypto/* packages
  cgo_runtime,          // runtime/cgo, x_cgo_init, _cgo_init
  cgo_disabled,         // CGO_ENABLED=0
  cgo_enabled,          // CGO_ENABLED=1
};
inline constexpr size_t kSignalCount = static_cast<size_t>(Signal::cgo_enabled) + 1;
std::string_view to_string(Signal signal);
std::optional<Signal> parse_signal(std::string_view text);

// Where byte and string patterns are searched.
struct Region {
  enum class Kind : uint8_t { text, rodata, data, any, section };
  Kind kind = Kind::any;
  std::string section_name;  // for Kind::section
  bool operator==(const Region&) const = default;
};
std::string to_string(const Region& region);

// Hex bytes with "??" wildcards; mask byte 0xFF = fixed, 0x00 = any byte.
struct BytePattern {
  std::vector<uint8_t> bytes;
  std::vector<uint8_t> mask;
};
Result<BytePattern> parse_hex_pattern(std::string_view hex);

struct ByteRule {
  BytePattern pattern;
  std::vector<Arch> arches;  // empty: every architecture
  Region region;
  unsigned alignment = 1;  // virtual-address alignment of the first byte
  // The function whose body holds the bytes ("crypto/internal/boring/sig.BoringCrypto"): with a
  // readable function table only that body is searched, so the scan need not read all of .text;
  // the region is the fallback for binaries without one. Empty: the whole region.
  std::string function;
};

enum class NameMatch : uint8_t { exact, prefix, glob };
enum class NameSource : uint8_t { functions, symbols, any };
struct NameRule {
  NameMatch how = NameMatch::exact;
  std::string pattern;
  NameSource in = NameSource::any;  // pclntab function names, ELF symbols, or both
};

struct StringRule {
  std::string text;
  Region region;
  // With a readable function table, the region is searched for the text only when a name marker
  // found one of these signals: the string is evidence only beside them, and most binaries then
  // need no pass over their read-only data. Without a function table it is always searched.
  // Empty: always searched.
  std::vector<Signal> only_with;
};

enum class SettingTest : uint8_t { equals, contains, regex, present, absent };
struct SettingRule {
  std::string key;
  SettingTest test = SettingTest::present;
  std::string value;  // for equals/contains/regex
  // For regex: compiled once, when the rule is read (SignatureMatcher::compile builds it for a
  // rule made in code); shared by the copies of the rule.
  std::shared_ptr<const std::regex> compiled;
};

struct VersionRule {
  std::string experiment;       // the version string carries this experiment
  std::string vendor_contains;  // the "( ... )" vendor text contains this
  bool boring_release = false;  // goX.Y.ZbN
};

struct SectionRule {
  std::string name;
};

using MarkerRule =
    std::variant<ByteRule, NameRule, StringRule, SettingRule, VersionRule, SectionRule>;

struct Marker {
  std::string id;
  std::string stack;  // boringcrypto, go_native_fips140, openssl_golang_fips, ... (see schema)
  Signal signal = Signal::std_crypto;
  std::string description;
  std::string source;
  MarkerRule rule;
  std::string file;  // where it was defined, for messages
  int line = 0;
};

// A row of modules.yaml.
struct ModuleRow {
  std::string id, family, name, version, certificate, standard, status, source;
  std::string historical_from;  // ISO date; empty when not scheduled
  std::vector<std::string> match_versions;
  std::string go_min, go_max;  // "1.20"; empty = unbounded
  std::string bcm_text_hash;   // lowercase hex
};

// A row of non_approved.yaml.
struct NonApprovedPackage {
  std::string prefix;       // import path prefix, matched at a path boundary
  std::string reason_code;  // "NA" or "UV"
  std::string reason;
  std::string before_go;  // "1.24": applies only to older toolchains; empty = always
};

class SignatureMatcher;  // compiled form of the byte/string/name markers (match/scanner.h)

struct SignatureDb {
  std::vector<Marker> markers;
  std::vector<ModuleRow> modules;
  std::vector<NonApprovedPackage> non_approved;
  std::vector<std::string> std_callers;  // package prefixes of the standard crypto stack
  std::vector<std::string> files;        // files loaded, in order
  // Compiled once by finish() (load_signature_db calls it); shared by every analysis.
  std::shared_ptr<const SignatureMatcher> matcher;

  const Marker* marker(std::string_view id) const;
  // Checks cross-file rules (unique ids, string gates on name signals) and compiles the matcher.
  Status finish();

 private:
  Status check_string_gates() const;
};

// Parsers of one file's text; `file_name` is used in error messages ("markers/boring.yaml:12:
// marker 'x': field 'signal': unknown value 'foo'"). They append to db.
Status parse_markers_yaml(std::string_view text, std::string_view file_name, SignatureDb& db);
Status parse_modules_yaml(std::string_view text, std::string_view file_name, SignatureDb& db);
Status parse_non_approved_yaml(std::string_view text, std::string_view file_name, SignatureDb& db);

// Loads dir/markers/*.yaml (sorted), dir/modules.yaml, dir/non_approved.yaml and compiles them.
Result<SignatureDb> load_signature_db(const std::filesystem::path& dir);
// $FIPSGATE_SIGNATURES if set, else the source tree's signatures/ (FIPSGATE_SIGNATURES_DIR).
std::filesystem::path default_signatures_dir();

}  // namespace fipsgate
