// Facts: what the analysis concluded about one binary, each conclusion with the evidence that
// produced it. This is the contract between src/analysis (which fills it) and src/policy and
// src/report (which judge and render it). Plain values: no views into the file survive here,
// so facts outlive the mapped binary.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace fipsgate {

// Where a claim can be checked with xxd or objdump.
struct Evidence {
  enum class Kind : uint8_t { function, symbol, bytes, string, build_setting, section, version };
  Kind kind = Kind::bytes;
  std::string marker_id;    // id of the signature that matched ("boring.sig.amd64", ...)
  std::string description;  // "function crypto/internal/boring/sig.BoringCrypto.abi0"
  std::optional<uint64_t> file_offset;
  std::optional<uint64_t> vaddr;
  std::string section;             // ".text", ".go.buildinfo", ...
  std::string function;            // containing or named function, when known
  std::string build_setting_line;  // "build\tCGO_ENABLED=0" for build-setting evidence
};

enum class Backend : uint8_t {
  boringcrypto,         // Go+BoringCrypto (goboring syso)
  go_native_fips140,    // Go 1.24+ crypto/internal/fips140 module
  openssl_golang_fips,  // Red Hat / golang-fips OpenSSL backend
  openssl_microsoft,    // Microsoft Go systemcrypto (OpenSSL on Linux)
  standard_go,          // plain Go crypto, no validated module
  none,                 // links no crypto at all
};
std::string_view to_string(Backend backend);

struct BackendFact {
  Backend backend = Backend::none;
  std::vector<Evidence> evidence;
};

// A validated (or not) module identified in the binary, joined with signatures/modules.yaml.
struct ModuleIdentity {
  std::string family;       // "boringcrypto", "go-fips140", "openssl"
  std::string version;      // "v1.0.0", BoringSSL build id, ...
  std::string certificate;  // CMVP certificate number, empty if none
  std::string standard;     // "FIPS 140-2" or "FIPS 140-3"
  std::string status;       // "active", "historical", "in-process", "none"
  std::string sunset_date;  // ISO date, empty if unknown
  std::string source;       // where the table row comes from
  std::string module_id;    // row id in signatures/modules.yaml, empty when no row matched
  std::string name;         // "Go Cryptographic Module v1.0.0", from the table row
  std::vector<Evidence> evidence;
};

struct FipsModeFact {
  bool enabled_at_start = false;         // the runtime's default GODEBUG turns fips140 on
  std::string default_godebug;           // as read from the binary's data
  std::optional<std::string> gofips140;  // build setting GOFIPS140
  bool requirefips = false;              // -tags requirefips (Microsoft Go)
  bool tls_restricted = false;           // crypto/tls/fipsonly or fips140=only
  std::string fips140;                   // the fips140 value of default_godebug ("on", "only", "")
  std::string default_godebug_found_in;  // "symbol runtime.godebugDefault", "string header in .data
                                         // at 0x..."
  std::vector<Evidence> evidence;
};

struct Caller {
  std::string function;  // "main.main"
  std::string package;   // "main"
  uint64_t call_site_vaddr = 0;
  std::string callee;  // "crypto/md5.Sum"
};

struct NonApprovedUse {
  std::string package;      // "crypto/md5"
  std::string reason_code;  // "NA" (non-approved algorithm) or "UV" (outside a validated module)
  std::string reason;       // human sentence from signatures/
  std::vector<std::string> functions;  // functions of the package present in the binary
  std::vector<Caller> callers;         // direct callers outside the standard crypto stack
  bool std_internal_only = false;      // only reached from std crypto (e.g. crypto/tls legacy)
  // Context: direct callers inside the standard library (crypto/tls, crypto/x509, ...), bounded.
  std::vector<Caller> std_callers;
  // False when the call sites were not searched (architecture without a call decoder, or the
  // analysis limit was hit); then std_internal_only is false and callers may be incomplete.
  bool call_sites_analyzed = true;
};

enum class Severity : uint8_t { note, warning, error };
std::string_view to_string(Severity severity);

// A stable-ID observation that the policy layer turns into pass/fail.
struct Finding {
  std::string rule_id;  // FG1xx backend, FG2xx non-approved crypto, FG3xx build, FG9xx limits
  Severity severity = Severity::warning;
  std::string message;
  std::vector<Evidence> evidence;
};

struct LinkageFact {
  bool cgo = false;
  bool statically_linked = false;
  std::vector<std::string> needed_libraries;
  std::vector<std::string> libcrypto_candidates;  // dlopen() names an OpenSSL backend will try
  std::string kind;  // "static_exe", "pie", ... (binary/binary_image.h Linkage)
  std::vector<Evidence> evidence;
};

struct Facts {
  std::string path;
  std::string sha256;
  std::string go_version;  // raw version string, empty if not a Go binary
  std::string go_build_id;
  std::string arch;
  std::vector<BackendFact> backends;  // every backend with code evidence
  std::optional<ModuleIdentity> module;
  FipsModeFact fips_mode;
  std::vector<NonApprovedUse> non_approved;
  LinkageFact linkage;
  std::vector<Finding> findings;            // contradictions and analysis limits
  std::vector<std::string> errors;          // non-empty: the binary is (partly) unanalyzable
  std::vector<std::string> go_experiments;  // from the version string ("boringcrypto")
  // Native module version proven by function names (or GOFIPS140 when names are unversioned).
  std::optional<std::string> fips140_module_version;
  bool analyzable = true;
};

}  // namespace fipsgate
