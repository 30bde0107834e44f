// Which crypto backend a binary carries, in the decision order of reference §7.3, the module
// identity joined from signatures/modules.yaml, and the contradictions between what the build
// settings ask for and what the code contains (reference §5.4).
#include <algorithm>
#include <ctime>
#include <set>

#include "analysis/analysis_internal.h"
#include "fipsgate/go/symbol_name.h"
#include "go/version_scanner.h"

namespace fipsgate::analysis {
namespace {

constexpr std::string_view kModulePrefix = "crypto/internal/fips140/";

// "v1.0.0" or "v1.26.0-rc.1": v, three dot-separated numbers, an optional "-" suffix of
// [0-9A-Za-z.] (the module snapshot versions the FIPS 140-3 module directory is named after).
bool is_module_version(std::string_view text) {
  VersionScanner scanner(text);
  if (!scanner.consume("v") || scanner.digits().empty() || !scanner.consume(".") ||
      scanner.digits().empty() || !scanner.consume(".") || scanner.digits().empty()) {
    return false;
  }
  if (scanner.done()) return true;
  if (!scanner.consume("-") || scanner.done()) return false;
  const std::string_view suffix = scanner.rest();
  return std::all_of(suffix.begin(), suffix.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '.';
  });
}

struct Signals {
  explicit Signals(const ScanResult& scan) : scan_(scan) {}
  bool operator()(Signal signal) const { return scan_.has(signal); }
  const ScanResult& scan_;
};

BackendFact backend_fact(Backend backend, std::vector<Evidence> evidence) {
  return BackendFact{backend, std::move(evidence)};
}

// Microsoft Go (§7.3 step 2): Microsoft settings or libraries, or the shared backend package
// with a Microsoft experiment. Code evidence is required: settings alone can lie.
bool is_microsoft(const Signals& has) {
  const bool backend_code = has(Signal::backend_package) || has(Signal::golangfips_library) ||
                            has(Signal::golangfips_dlopen) || has(Signal::ms_library);
  const bool microsoft_marker = has(Signal::ms_setting) || has(Signal::ms_library) ||
                                has(Signal::ms_experiment) || has(Signal::ms_string);
  return backend_code && microsoft_marker;
}

// golang-fips / Red Hat (§7.3 step 3): the backend package or the golang-fips bindings.
bool is_golang_fips(const Signals& has) {
  return !is_microsoft(has) && (has(Signal::backend_package) || has(Signal::golangfips_library) ||
                                has(Signal::golangfips_dlopen));
}

// Upstream BoringCrypto (§7.3 step 4): the shim or the syso, and nothing of an OpenSSL backend
// (older Red Hat builds kept their OpenSSL shim inside crypto/internal/boring). sig.BoringCrypto
// alone (§7.3 step 5) is ambiguous; it counts only when no OpenSSL evidence exists at all.
bool is_boringcrypto(const Signals& has) {
  const bool openssl = has(Signal::backend_package) || has(Signal::golangfips_library) ||
                       has(Signal::golangfips_dlopen) || has(Signal::ms_library) ||
                       has(Signal::libcrypto_name);
  if (openssl) return false;
  return has(Signal::boring_shim) || has(Signal::boring_syso) || has(Signal::sig_boringcrypto);
}

// Go native module (§7.3 step 1, §6.7): a snapshot is proven by names; GOFIPS140 or a default
// GODEBUG with fips140 on selects the (possibly in-tree) module when its code is present.
bool is_native(const Signals& has, bool godebug_fips_on) {
  if (has(Signal::fips140_snapshot)) return true;
  if (!has(Signal::fips140_module)) return false;
  return has(Signal::fips140_requested) || godebug_fips_on;
}

bool uses_crypto(const Signals& has) {
  return has(Signal::std_crypto) || has(Signal::sig_standardcrypto) ||
         has(Signal::sig_boringcrypto);
}

std::string today_utc() {
  std::time_t now = std::time(nullptr);
  std::tm parts{};
  gmtime_r(&now, &parts);
  char text[16];
  std::strftime(text, sizeof text, "%Y-%m-%d", &parts);
  return text;
}

// "1.20" against a GoVersion.
bool release_at_least(const GoVersion& version, const std::string& release) {
  const size_t dot = release.find('.');
  return version.at_least(std::stoi(release.substr(0, dot)), std::stoi(release.substr(dot + 1)));
}

bool release_at_most(const GoVersion& version, const std::string& release) {
  const size_t dot = release.find('.');
  const int major = std::stoi(release.substr(0, dot)), minor = std::stoi(release.substr(dot + 1));
  return version.major < major || (version.major == major && version.minor <= minor);
}

ModuleIdentity identity_from_row(const ModuleRow& row, const std::string& version,
                                 const std::string& as_of_date) {
  ModuleIdentity identity;
  identity.module_id = row.id;
  identity.name = row.name;
  identity.family = row.family;
  identity.version = version.empty() ? row.version : version;
  identity.certificate = row.certificate;
  identity.standard = row.standard;
  identity.status = row.status;
  identity.sunset_date = row.historical_from;
  identity.source = row.source;
  if (!row.historical_from.empty() && as_of_date >= row.historical_from && row.status == "active") {
    identity.status = "historical";
  }
  return identity;
}

const ModuleRow* row_for_version(const SignatureDb& db, std::string_view family,
                                 std::string_view version) {
  for (const auto& row : db.modules) {
    if (row.family != family) continue;
    if (std::find(row.match_versions.begin(), row.match_versions.end(), version) !=
        row.match_versions.end()) {
      return &row;
    }
  }
  return nullptr;
}

// The stored BORINGSSL_bcm_text_hash, as lowercase hex (64 bytes: HMAC-SHA-512 builds; the
// table rows say which length they use), when the symbol is known (§5.6).
std::optional<std::string> bcm_text_hash(const BinaryImage& image, const ScanResult& scan) {
  for (const MarkerHit* hit : scan.hits_for(Signal::boring_syso)) {
    if (hit->text != "BORINGSSL_bcm_text_hash" || !hit->vaddr) continue;
    auto bytes = image.at_address(*hit->vaddr, 64);
    if (!bytes.ok()) bytes = image.at_address(*hit->vaddr, 32);
    if (!bytes.ok()) continue;
    static const char digits[] = "0123456789abcdef";
    std::string text;
    for (uint64_t i = 0; i < bytes->size(); ++i) {
      text += digits[bytes->data()[i] >> 4];
      text += digits[bytes->data()[i] & 15];
    }
    return text;
  }
  return std::nullopt;
}

std::optional<ModuleIdentity> boring_identity(const BinaryImage& image, const GoBinary& go,
                                              const SignatureDb& db, const ScanResult& scan,
                                              const std::string& as_of_date) {
  if (auto stored = bcm_text_hash(image, scan)) {
    for (const auto& row : db.modules) {
      if (row.family == "boringcrypto" && !row.bcm_text_hash.empty() &&
          stored->starts_with(row.bcm_text_hash)) {
        ModuleIdentity identity = identity_from_row(row, "", as_of_date);
        identity.evidence.push_back(
            Evidence{Evidence::Kind::symbol,
                     "analysis.bcm_text_hash",
                     "BORINGSSL_bcm_text_hash matches the " + row.version + " fingerprint",
                     {},
                     {},
                     {},
                     "BORINGSSL_bcm_text_hash",
                     {}});
        return identity;
      }
    }
  }
  const GoVersion* version = go.go_version();
  if (!version || version->major == 0) return std::nullopt;
  for (const auto& row : db.modules) {
    if (row.family != "boringcrypto" || (row.go_min.empty() && row.go_max.empty())) continue;
    if (!row.go_min.empty() && !release_at_least(*version, row.go_min)) continue;
    if (!row.go_max.empty() && !release_at_most(*version, row.go_max)) continue;
    ModuleIdentity identity = identity_from_row(row, "", as_of_date);
    identity.evidence.push_back(
        Evidence{Evidence::Kind::version,
                 "analysis.go_release",
                 "the " + version->raw + " toolchain ships the " + row.version + " syso",
                 {},
                 {},
                 {},
                 {},
                 {}});
    return identity;
  }
  return std::nullopt;
}

std::set<std::string> snapshot_versions(const ScanResult& scan) {
  std::set<std::string> versions;
  for (const MarkerHit* hit : scan.hits_for(Signal::fips140_snapshot)) {
    if (auto version = snapshot_version(hit->text)) versions.insert(*version);
  }
  return versions;
}

std::string setting_or_empty(const GoBinary& go, std::string_view key) {
  const ModuleInfo* modules = go.modules();
  if (!modules) return {};
  return std::string(modules->setting(key).value_or(std::string_view()));
}

std::optional<ModuleIdentity> native_identity(const SignatureDb& db, const ScanResult& scan,
                                              const std::string& as_of_date) {
  const std::set<std::string> versions = snapshot_versions(scan);
  // In-tree code (GOFIPS140=latest, or fips140=on by a go:debug directive) is "latest" (§6.2):
  // the version comes from the names, never from the setting alone (§6.7).
  const std::string version = versions.empty() ? "latest" : *versions.begin();
  std::vector<Evidence> evidence = evidence_for(
      scan, {Signal::fips140_snapshot, Signal::fips140_requested, Signal::fips140_info}, 6, 2);
  if (const ModuleRow* row = row_for_version(db, "go-fips140", version)) {
    ModuleIdentity identity = identity_from_row(*row, version, as_of_date);
    identity.evidence = std::move(evidence);
    return identity;
  }
  ModuleIdentity unknown;
  unknown.family = "go-fips140";
  unknown.version = version;
  unknown.status = "none";
  unknown.source = "version not listed in signatures/modules.yaml";
  unknown.evidence = std::move(evidence);
  return unknown;
}

}  // namespace

std::optional<std::string> snapshot_version(std::string_view function_name) {
  if (!function_name.starts_with(kModulePrefix)) return std::nullopt;
  std::string_view rest = function_name.substr(kModulePrefix.size());
  // Sub-packages keep the dots ("v1.0.0/sha256.New"); the root package escapes the dots of its
  // last path element ("v1%2e0%2e0.CAST", reference §4.2).
  const size_t slash = rest.find('/');
  const std::string_view segment =
      slash != std::string_view::npos ? rest.substr(0, slash) : rest.substr(0, rest.find('.'));
  std::string version = unescape_path(segment);
  if (!is_module_version(version)) return std::nullopt;
  return version;
}

std::vector<BackendFact> classify_backends(const ScanResult& scan, bool godebug_fips_on,
                                           const AnalyzeOptions& options) {
  const Signals has(scan);
  const size_t limit = options.max_evidence_per_backend;
  std::vector<BackendFact> backends;
  if (is_native(has, godebug_fips_on)) {
    backends.push_back(backend_fact(
        Backend::go_native_fips140,
        evidence_for(scan,
                     {Signal::fips140_snapshot, Signal::fips140_requested, Signal::fips140_info,
                      Signal::fips140_godebug, Signal::fips140_hostfips, Signal::fips140_module},
                     limit)));
  }
  if (is_microsoft(has)) {
    backends.push_back(backend_fact(
        Backend::openssl_microsoft,
        evidence_for(scan,
                     {Signal::ms_setting, Signal::ms_library, Signal::ms_experiment,
                      Signal::ms_string, Signal::backend_package, Signal::golangfips_library,
                      Signal::golangfips_dlopen, Signal::libcrypto_name},
                     limit)));
  }
  if (is_golang_fips(has)) {
    backends.push_back(backend_fact(
        Backend::openssl_golang_fips,
        evidence_for(scan,
                     {Signal::golangfips_dlopen, Signal::golangfips_library,
                      Signal::backend_package, Signal::libcrypto_name, Signal::redhat_toolchain,
                      Signal::strict_fips_runtime, Signal::sig_boringcrypto},
                     limit)));
  }
  if (is_boringcrypto(has)) {
    backends.push_back(backend_fact(
        Backend::boringcrypto,
        evidence_for(scan,
                     {Signal::sig_boringcrypto, Signal::boring_shim, Signal::boring_syso,
                      Signal::boring_string, Signal::boring_requested},
                     limit)));
  }
  if (!backends.empty()) return backends;
  if (uses_crypto(has)) {
    backends.push_back(backend_fact(
        Backend::standard_go,
        evidence_for(scan, {Signal::sig_standardcrypto, Signal::std_crypto}, limit, 2)));
  } else {
    backends.push_back(backend_fact(Backend::none, {}));
  }
  return backends;
}

std::optional<ModuleIdentity> identify_module(const BinaryImage& image, const GoBinary& go,
                                              const SignatureDb& db, const ScanResult& scan,
                                              const std::vector<BackendFact>& backends,
                                              const std::string& as_of_date) {
  const std::string date = as_of_date.empty() ? today_utc() : as_of_date;
  for (const BackendFact& fact : backends) {
    switch (fact.backend) {
      case Backend::go_native_fips140:
        return native_identity(db, scan, date);
      case Backend::boringcrypto:
        if (auto identity = boring_identity(image, go, db, scan, date)) return identity;
        break;
      case Backend::openssl_golang_fips:
      case Backend::openssl_microsoft:
        if (const ModuleRow* row = row_for_version(db, "openssl", "system")) {
          ModuleIdentity identity = identity_from_row(*row, "", date);
          identity.evidence = evidence_for(scan, {Signal::libcrypto_name}, 8, 8);
          return identity;
        }
        break;
      default:
        break;
    }
  }
  return std::nullopt;
}

namespace {

Finding finding(std::string rule_id, Severity severity, std::string message,
                std::vector<Evidence> evidence) {
  return Finding{std::move(rule_id), severity, std::move(message), std::move(evidence)};
}

bool has_backend(const Facts& facts, Backend backend) {
  return std::any_of(facts.backends.begin(), facts.backends.end(),
                     [&](const BackendFact& fact) { return fact.backend == backend; });
}

void boring_contradictions(const ScanResult& scan, const Facts& facts,
                           std::vector<Finding>& findings) {
  const Signals has(scan);
  if (!has(Signal::boring_requested) || has_backend(facts, Backend::boringcrypto)) return;
  if (!uses_crypto(has)) return;  // nothing to route through a module
  std::string why;
  if (has(Signal::cgo_disabled)) {
    why = "; CGO_ENABLED=0 silently selected the pure-Go crypto (notboring.go, reference §5.4)";
  } else if (facts.arch != "amd64" && facts.arch != "arm64") {
    why = "; BoringCrypto exists only for linux/amd64 and (Go 1.20+) linux/arm64";
  }
  findings.push_back(finding(
      "FG301", Severity::error,
      "the boringcrypto experiment is requested but no BoringCrypto code is linked" + why,
      evidence_for(
          scan, {Signal::boring_requested, Signal::cgo_disabled, Signal::sig_standardcrypto}, 8)));
  if (has(Signal::cgo_disabled)) {
    findings.push_back(
        finding("FG303", Severity::error,
                "CGO_ENABLED=0 while GOEXPERIMENT=boringcrypto needs cgo for the BoringSSL syso",
                evidence_for(scan, {Signal::cgo_disabled, Signal::boring_requested}, 4)));
  }
}

void native_contradictions(const GoBinary& go, const ScanResult& scan, const Facts& facts,
                           std::vector<Finding>& findings) {
  const Signals has(scan);
  const std::string gofips140 = setting_or_empty(go, "GOFIPS140");
  if (has(Signal::fips140_requested) && !has_backend(facts, Backend::go_native_fips140) &&
      uses_crypto(has)) {
    findings.push_back(finding("FG301", Severity::error,
                               "GOFIPS140 is set but no Go Cryptographic Module code is linked",
                               evidence_for(scan, {Signal::fips140_requested}, 4)));
  }
  // GOFIPS140=vX.Y.Z promises a frozen snapshot; unversioned names mean in-tree code (§6.7).
  if (!gofips140.empty() && gofips140 != "latest" && gofips140 != "off" &&
      !has(Signal::fips140_snapshot) && has(Signal::fips140_module)) {
    findings.push_back(finding(
        "FG302", Severity::error,
        "GOFIPS140=" + gofips140 +
            " names a module snapshot, but the module's functions are unversioned in-tree code",
        evidence_for(scan, {Signal::fips140_requested, Signal::fips140_module}, 4, 2)));
  }
  // The build setting says fips140=on but the string the runtime reads says otherwise.
  const std::string claimed = godebug_value(setting_or_empty(go, "DefaultGODEBUG"), "fips140");
  const bool claims_on = claimed == "on" || claimed == "only";
  if (claims_on && !facts.fips_mode.default_godebug_found_in.empty() &&
      facts.fips_mode.fips140 != claimed) {
    findings.push_back(finding("FG302", Severity::error,
                               "build setting DefaultGODEBUG has fips140=" + claimed +
                                   " but the runtime's default GODEBUG string is \"" +
                                   facts.fips_mode.default_godebug + "\"",
                               facts.fips_mode.evidence));
  }
}

void openssl_contradictions(const ScanResult& scan, const Facts& facts,
                            std::vector<Finding>& findings) {
  const Signals has(scan);
  const bool openssl_linked = has_backend(facts, Backend::openssl_golang_fips) ||
                              has_backend(facts, Backend::openssl_microsoft);
  if (has(Signal::ms_experiment) && !has(Signal::ms_opt_out) && !openssl_linked &&
      uses_crypto(has)) {
    findings.push_back(finding(
        "FG301", Severity::error,
        "a Microsoft Go crypto backend experiment is requested but no backend code is linked",
        evidence_for(scan, {Signal::ms_experiment, Signal::cgo_disabled}, 4)));
    if (has(Signal::cgo_disabled)) {
      findings.push_back(finding("FG303", Severity::error,
                                 "CGO_ENABLED=0 while the OpenSSL backend needs cgo",
                                 evidence_for(scan, {Signal::cgo_disabled}, 2)));
    }
  }
  if ((has(Signal::requirefips) || has(Signal::strict_fips_runtime)) && !openssl_linked &&
      facts.backends.size() == 1 && facts.backends[0].backend == Backend::standard_go) {
    findings.push_back(finding(
        "FG302", Severity::error,
        "the build asks to require FIPS (requirefips / strictfipsruntime) but only standard Go "
        "crypto is linked",
        evidence_for(scan, {Signal::requirefips, Signal::strict_fips_runtime}, 4)));
  }
  if (openssl_linked && has(Signal::cgo_disabled)) {
    findings.push_back(finding("FG303", Severity::error,
                               "CGO_ENABLED=0 recorded while an OpenSSL backend (needs cgo) is "
                               "linked",
                               evidence_for(scan, {Signal::cgo_disabled}, 2)));
  }
}

}  // namespace

void add_contradictions(const GoBinary& go, const ScanResult& scan, const Facts& facts,
                        std::vector<Finding>& findings) {
  boring_contradictions(scan, facts, findings);
  native_contradictions(go, scan, facts, findings);
  openssl_contradictions(scan, facts, findings);
}

}  // namespace fipsgate::analysis
