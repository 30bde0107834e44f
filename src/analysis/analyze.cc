// The analysis stage (analyze.h): scan the signatures, classify, identify the module, read the
// FIPS mode the runtime starts in, find non-approved crypto and who calls it.
#include "fipsgate/analysis/analyze.h"

#include <future>
#include <set>

#include "analysis/analysis_internal.h"
#include "fipsgate/io/digest.h"
#include "fipsgate/io/mapped_file.h"
#include "io/helper_thread.h"

namespace fipsgate {
namespace {

using analysis::evidence_for;

bool fips140_on(std::string_view value) {
  return value == "on" || value == "only" || value == "debug";
}

void fill_identity(const BinaryImage& image, const GoBinary& go, Facts& facts) {
  facts.arch = std::string(to_string(image.arch));
  if (image.build_ids.go_build_id) facts.go_build_id = std::string(*image.build_ids.go_build_id);
  if (const GoVersion* version = go.go_version()) {
    facts.go_version = version->raw;
    facts.go_experiments = version->experiments;
  }
}

// Read before classification: whether the native module runs in FIPS mode decides whether it
// is the backend (reference §6.5, samples/manifest.yaml "go_native_fips140").
void fill_fips_mode(const GoBinary& go, const ScanResult& scan,
                    std::optional<analysis::GodebugDefault> found, FipsModeFact& mode) {
  if (found) {
    mode.default_godebug = found->value;
    mode.default_godebug_found_in = found->found_in;
    mode.evidence.push_back(found->evidence);
  } else if (const ModuleInfo* modules = go.modules()) {
    if (auto setting = modules->setting("DefaultGODEBUG")) {
      mode.default_godebug = std::string(*setting);
      mode.default_godebug_found_in = "build setting DefaultGODEBUG";
    }
  }
  mode.fips140 = analysis::godebug_value(mode.default_godebug, "fips140");
  if (const ModuleInfo* modules = go.modules()) {
    if (auto value = modules->setting("GOFIPS140")) mode.gofips140 = std::string(*value);
  }
  mode.requirefips = scan.has(Signal::requirefips);
  mode.tls_restricted = scan.has(Signal::tls_fipsonly) || mode.fips140 == "only";
  for (auto& evidence : evidence_for(
           scan, {Signal::fips140_godebug, Signal::requirefips, Signal::tls_fipsonly}, 6, 2)) {
    mode.evidence.push_back(std::move(evidence));
  }
}

// The backend decides what "on at start" means: BoringCrypto's init refuses to run unless
// FIPS_mode() is 1 (reference §5.2); the native module follows fips140; OpenSSL backends follow
// the host unless requirefips forces it.
bool enabled_at_start(const Facts& facts) {
  for (const BackendFact& fact : facts.backends) {
    switch (fact.backend) {
      case Backend::boringcrypto:
        return true;
      case Backend::go_native_fips140:
        return fips140_on(facts.fips_mode.fips140);
      case Backend::openssl_golang_fips:
      case Backend::openssl_microsoft:
        return facts.fips_mode.requirefips || fips140_on(facts.fips_mode.fips140);
      default:
        break;
    }
  }
  return false;
}

// "libcrypto.so." followed by the version a C string or a Go constant continues it with.
std::string libcrypto_name(const BinaryImage& image, const MarkerHit& hit) {
  std::string name(hit.text);
  if (!hit.file_offset) return name;
  ByteView tail = image.file().clamp(*hit.file_offset + hit.text.size(), 8);
  for (uint64_t i = 0; i < tail.size(); ++i) {
    const char c = static_cast<char>(tail.data()[i]);
    if (!(c >= '0' && c <= '9') && c != '.') break;
    name += c;
  }
  while (name.size() > 13 && name.back() == '.') name.pop_back();
  return name;
}

void fill_linkage(const BinaryImage& image, const ScanResult& scan, LinkageFact& linkage) {
  linkage.cgo = scan.has(Signal::cgo_runtime);
  linkage.kind = std::string(to_string(image.linkage));
  linkage.statically_linked =
      image.linkage == Linkage::static_exe || image.linkage == Linkage::static_pie;
  for (auto library : image.needed_libraries) linkage.needed_libraries.emplace_back(library);
  std::set<std::string> names;
  for (const MarkerHit* hit : scan.hits_for(Signal::libcrypto_name)) {
    names.insert(libcrypto_name(image, *hit));
  }
  linkage.libcrypto_candidates.assign(names.begin(), names.end());
  linkage.evidence = evidence_for(
      scan,
      {Signal::cgo_runtime, Signal::cgo_disabled, Signal::cgo_enabled, Signal::libcrypto_name}, 8,
      2);
}

void add_limit_findings(const GoBinary& go, const ScanResult& scan, Facts& facts) {
  if (!go.build_info && !go.fallback) {
    facts.findings.push_back({"FG901",
                              Severity::warning,
                              "no build info: the version, module list and build settings are "
                              "unknown; conclusions rest on code evidence only",
                              {}});
  } else if (!go.build_info) {
    facts.findings.push_back({"FG901",
                              Severity::note,
                              "no build-info blob; version and module text recovered from "
                              "read-only data",
                              {}});
  }
  if (!go.functions) {
    facts.findings.push_back({"FG902",
                              Severity::warning,
                              "no usable function table (pclntab): names, module versions and "
                              "call sites were not analyzed",
                              {}});
  }
  for (const auto& note : scan.notes) facts.findings.push_back({"FG903", Severity::note, note, {}});
}

// Function tables from this size on (kubectl has ~80k) get the non-approved and default-GODEBUG
// searches on threads of their own.
constexpr uint64_t kConcurrentFunctions = 20000;

}  // namespace

Facts analyze(const BinaryImage& image, const GoBinary& go, const SignatureDb& db,
              const AnalyzeOptions& options) {
  Facts facts;
  facts.errors = go.errors;
  fill_identity(image, go, facts);
  if (!db.matcher) {
    facts.errors.push_back("signature database was not compiled (SignatureDb::finish)");
    facts.analyzable = false;
    return facts;
  }
  // The function names are walked once for the signature scan and the non-approved search.
  // Then three independent reads run side by side on big binaries: the search for non-approved
  // crypto (the text), the runtime's default GODEBUG (in stripped binaries a search of all the
  // read-only data) and, on this thread, the rest of the signature scan (symbols, data). None
  // needs another's result.
  analysis::PackageIndex packages;
  analysis::FunctionNameWalk names;
  if (go.functions) {
    packages = analysis::index_packages(db, go.go_version());
    names = analysis::walk_function_names(*go.functions, db.matcher->function_names(),
                                          packages.name_prefixes);
  }
  std::vector<Finding> non_approved_findings;
  Helper<std::vector<NonApprovedUse>> non_approved;
  Helper<std::optional<analysis::GodebugDefault>> godebug;
  if (go.is_go()) {
    // A thread costs more than the whole search on small binaries.
    const bool big = go.functions && go.functions->size() >= kConcurrentFunctions;
    const auto policy = big ? std::launch::async : std::launch::deferred;
    non_approved = start_helper(policy, [&] {
      return analysis::find_non_approved(image, go, db, packages,
                                         names.complete ? &names.maybe_listed : nullptr, options,
                                         non_approved_findings);
    });
    godebug = start_helper(policy, [&] { return analysis::find_default_godebug(image, go); });
  }
  const ScanResult scan = go.functions && names.complete
                              ? db.matcher->scan(image, go, names.markers)
                              : db.matcher->scan(image, go);
  fill_linkage(image, scan, facts.linkage);
  if (!go.is_go()) return facts;  // not a Go program: nothing Go-specific to conclude

  fill_fips_mode(go, scan, godebug.get(), facts.fips_mode);
  facts.backends = analysis::classify_backends(scan, fips140_on(facts.fips_mode.fips140), options);
  facts.fips_mode.enabled_at_start = enabled_at_start(facts);
  facts.module = analysis::identify_module(image, go, db, scan, facts.backends, options.as_of_date);
  if (facts.module && facts.module->family == "go-fips140" && facts.module->version != "latest") {
    facts.fips140_module_version = facts.module->version;
  }
  facts.non_approved = non_approved.get();
  facts.findings.insert(facts.findings.end(), non_approved_findings.begin(),
                        non_approved_findings.end());
  analysis::add_contradictions(go, scan, facts, facts.findings);
  add_limit_findings(go, scan, facts);
  return facts;
}

Result<Facts> analyze_file(const std::string& path, const SignatureDb& db,
                           const AnalyzeOptions& options) {
  return analyze_file(path, SignatureSource([&db] { return &db; }), options);
}

Result<Facts> analyze_file(const std::string& path, const SignatureSource& signatures,
                           const AnalyzeOptions& options) {
  FG_TRY(MappedFile file, MappedFile::open(path, options.file_access));
  auto image = read_binary_image(file.view());
  if (!image.ok()) return image.error().within(path);
  image->set_source(&file);
  // Started only once the file is known to be a binary: an unreadable one reports at once.
  // With both launch policies the Helper hashes on this thread, at get(), when no thread can be
  // started.
  Helper<Result<std::string>> digest;
  if (options.digest) {
    digest = start_helper(std::launch::async | std::launch::deferred,
                          [&file] { return sha256_hex(file.view(), &file); });
  }
  const GoBinary go = read_go_binary(*image);
  const SignatureDb* db = signatures();
  if (db == nullptr) return Error(path + ": no signature database to analyze it with");
  Facts facts = analyze(*image, go, *db, options);
  facts.path = path;
  if (digest.valid()) {
    if (Result<std::string> hex = digest.get(); hex.ok()) {
      facts.sha256 = *hex;
    } else {
      facts.findings.push_back({"FG903",
                                Severity::warning,
                                "the SHA-256 digest was not computed: " + hex.error().message(),
                                {}});
    }
  }
  return facts;
}

}  // namespace fipsgate
