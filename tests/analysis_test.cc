#include <doctest/doctest.h>

#include <algorithm>
#include <string>

#include "analysis/analysis_internal.h"
#include "fipsgate/analysis/analyze.h"
#include "fipsgate/go/go_binary.h"
#include "support/scratch.h"
#include "support/synthetic_stacks.h"

using fipsgate::Backend;
using fipsgate::Facts;
using fipsgate::MappedFile;
using fipsgate::testing::build_stack;
using fipsgate::testing::BuiltStack;
using fipsgate::testing::StackSpec;

namespace {

const fipsgate::SignatureDb& signatures() {
  static const auto db = fipsgate::load_signature_db(FIPSGATE_SOURCE_DIR "/signatures");
  REQUIRE_MESSAGE(db.ok(), (db.ok() ? "" : db.error().message()));
  return *db;
}

Facts analyze_stack(const BuiltStack& stack, fipsgate::AnalyzeOptions options = {}) {
  if (options.as_of_date.empty()) options.as_of_date = "2026-11-27";
  auto image = fipsgate::read_binary_image(stack.view());
  REQUIRE_MESSAGE(image.ok(), (image.ok() ? "" : image.error().message()));
  const fipsgate::GoBinary go = fipsgate::read_go_binary(*image);
  REQUIRE_MESSAGE(go.functions.has_value(), "synthetic binary has no function table");
  return fipsgate::analyze(*image, go, signatures(), options);
}

// The same stack written to a scratch file `name` and analyzed from there, as the command line
// does. Mapped, the passes that copy regions out of a file (io/mapped_file.h) read it with pread
// in windows; read whole, as the command line reads a file this small, it is read in place.
Facts analyze_stack_file(const BuiltStack& stack, const std::string& name,
                         MappedFile::Access access = MappedFile::Access::mapped) {
  const std::string path =
      fipsgate::testing::scratch_file(name, std::string(stack.view().chars())).string();
  fipsgate::AnalyzeOptions options;
  options.as_of_date = "2026-11-27";
  options.file_access = access;
  auto facts = fipsgate::analyze_file(path, signatures(), options);
  REQUIRE_MESSAGE(facts.ok(), (facts.ok() ? "" : facts.error().message()));
  return std::move(facts).value();
}

std::vector<Backend> backends_of(const Facts& facts) {
  std::vector<Backend> out;
  for (const auto& fact : facts.backends) out.push_back(fact.backend);
  return out;
}

bool has_finding(const Facts& facts, const std::string& rule_id) {
  return std::any_of(facts.findings.begin(), facts.findings.end(),
                     [&](const auto& finding) { return finding.rule_id == rule_id; });
}

bool has_evidence(const fipsgate::BackendFact& fact, const std::string& marker_id) {
  return std::any_of(fact.evidence.begin(), fact.evidence.end(),
                     [&](const auto& evidence) { return evidence.marker_id == marker_id; });
}

const fipsgate::NonApprovedUse* use_of(const Facts& facts, const std::string& package) {
  for (const auto& use : facts.non_approved) {
    if (use.package == package) return &use;
  }
  return nullptr;
}

}  // namespace

TEST_CASE(
    "a golang-fips OpenSSL build is classified as openssl_golang_fips with its dlopen names") {
  const Facts facts = analyze_stack(build_stack(fipsgate::testing::golang_fips_openssl_stack()));
  REQUIRE(backends_of(facts) == std::vector<Backend>{Backend::openssl_golang_fips});
  CHECK(has_evidence(facts.backends[0], "golangfips.dlopen.v2"));
  CHECK(has_evidence(facts.backends[0], "openssl.backend.package"));
  REQUIRE(facts.module.has_value());
  CHECK(facts.module->family == "openssl");
  CHECK(facts.module->status == "external");
  const auto& candidates = facts.linkage.libcrypto_candidates;
  CHECK(std::find(candidates.begin(), candidates.end(), "libcrypto.so.3") != candidates.end());
  CHECK(std::find(candidates.begin(), candidates.end(), "libcrypto.so.1.1") != candidates.end());
  CHECK(facts.linkage.cgo);
  CHECK(facts.findings.empty());
}

TEST_CASE(
    "an older Red Hat build with its OpenSSL shim in crypto/internal/boring is not BoringCrypto") {
  const Facts facts = analyze_stack(build_stack(fipsgate::testing::golang_fips_legacy_stack()));
  CHECK(backends_of(facts) == std::vector<Backend>{Backend::openssl_golang_fips});
}

TEST_CASE(
    "Microsoft Go's systemcrypto is openssl_microsoft even though it vendors golang-fips/openssl") {
  const Facts facts = analyze_stack(build_stack(fipsgate::testing::microsoft_openssl_stack()));
  REQUIRE(backends_of(facts) == std::vector<Backend>{Backend::openssl_microsoft});
  CHECK(has_evidence(facts.backends[0], "msgo.setting.systemcrypto"));
  CHECK_FALSE(facts.fips_mode.enabled_at_start);
}

TEST_CASE("Microsoft Go with the requirefips tag starts in FIPS mode") {
  StackSpec spec = fipsgate::testing::microsoft_openssl_stack();
  spec.settings.insert(spec.settings.begin(), {"-tags", "requirefips"});
  const Facts facts = analyze_stack(build_stack(spec));
  CHECK(facts.fips_mode.requirefips);
  CHECK(facts.fips_mode.enabled_at_start);
}

TEST_CASE(
    "a Microsoft backend selected only by GOEXPERIMENT with the shared backend package is "
    "Microsoft") {
  StackSpec spec = fipsgate::testing::golang_fips_openssl_stack();
  spec.go_version = "go1.23.4 X:systemcrypto";
  spec.settings = {{"CGO_ENABLED", "1"}, {"GOEXPERIMENT", "systemcrypto"}};
  const Facts facts = analyze_stack(build_stack(spec));
  CHECK(backends_of(facts) == std::vector<Backend>{Backend::openssl_microsoft});
}

TEST_CASE(
    "BoringCrypto names identify the boringcrypto backend and Go 1.22 joins certificate 4407") {
  const Facts facts = analyze_stack(build_stack(fipsgate::testing::boringcrypto_stack()));
  REQUIRE(backends_of(facts) == std::vector<Backend>{Backend::boringcrypto});
  CHECK(has_evidence(facts.backends[0], "boring.sig.boringcrypto.name"));
  REQUIRE(facts.module.has_value());
  CHECK(facts.module->certificate == "4407");
  CHECK(facts.module->standard == "FIPS 140-2");
  CHECK(facts.module->status == "historical");  // 140-2 certificates moved on 2026-09-21
  CHECK(facts.fips_mode.enabled_at_start);
  CHECK(facts.go_experiments == std::vector<std::string>{"boringcrypto"});
}

TEST_CASE("the same certificate was active before the 140-2 sunset date") {
  fipsgate::AnalyzeOptions options;
  options.as_of_date = "2026-09-20";
  const Facts facts = analyze_stack(build_stack(fipsgate::testing::boringcrypto_stack()), options);
  REQUIRE(facts.module.has_value());
  CHECK(facts.module->status == "active");
  CHECK(facts.module->sunset_date == "2026-09-21");
}

TEST_CASE(
    "a boringcrypto build with cgo off is reported as standard crypto with the contradiction") {
  StackSpec spec = fipsgate::testing::standard_stack();
  spec.go_version = "go1.22.7 X:boringcrypto";
  spec.settings = {{"CGO_ENABLED", "0"}, {"GOEXPERIMENT", "boringcrypto"}};
  const Facts facts = analyze_stack(build_stack(spec));
  CHECK(backends_of(facts) == std::vector<Backend>{Backend::standard_go});
  CHECK(has_finding(facts, "FG301"));
  CHECK(has_finding(facts, "FG303"));
  CHECK_FALSE(facts.module.has_value());
  CHECK_FALSE(facts.fips_mode.enabled_at_start);
}

TEST_CASE(
    "a native module snapshot is proven by names, root package escaped, and joins CMVP 5247") {
  const Facts facts = analyze_stack(build_stack(fipsgate::testing::native_snapshot_stack()));
  REQUIRE(backends_of(facts) == std::vector<Backend>{Backend::go_native_fips140});
  REQUIRE(facts.module.has_value());
  CHECK(facts.module->version == "v1.0.0");
  CHECK(facts.module->certificate == "5247");
  CHECK(facts.module->status == "active");
  CHECK(facts.fips140_module_version == std::optional<std::string>("v1.0.0"));
  CHECK(facts.fips_mode.gofips140 == std::optional<std::string>("v1.0.0"));
  CHECK(facts.fips_mode.enabled_at_start);  // DefaultGODEBUG from the build setting
  CHECK(facts.fips_mode.fips140 == "on");
  CHECK_FALSE(facts.fips_mode.tls_restricted);
}

TEST_CASE("a snapshot without build info is still identified from function names alone") {
  StackSpec spec = fipsgate::testing::native_snapshot_stack();
  spec.build_info = false;
  const Facts facts = analyze_stack(build_stack(spec));
  REQUIRE(backends_of(facts) == std::vector<Backend>{Backend::go_native_fips140});
  CHECK(facts.fips140_module_version == std::optional<std::string>("v1.0.0"));
  CHECK(has_finding(facts, "FG901"));
}

TEST_CASE("GOFIPS140 naming a snapshot over unversioned module code is a contradiction") {
  StackSpec spec = fipsgate::testing::native_snapshot_stack();
  spec.functions = {"main.main", "crypto/internal/fips140/sha256.New",
                    "crypto/internal/fips140.CAST", "crypto/sha256.Sum256"};
  const Facts facts = analyze_stack(build_stack(spec));
  REQUIRE(backends_of(facts) == std::vector<Backend>{Backend::go_native_fips140});
  CHECK(has_finding(facts, "FG302"));
  REQUIRE(facts.module.has_value());
  CHECK(facts.module->version == "latest");
  CHECK(facts.module->certificate.empty());
  CHECK_FALSE(facts.fips140_module_version.has_value());
}

TEST_CASE("the default GODEBUG is read from the runtime's string, not from the build setting") {
  // A stripped binary whose -X override turned fips140 off although the setting says on: the
  // string header {data, len} in .data points at the bytes the runtime will parse.
  StackSpec spec = fipsgate::testing::native_snapshot_stack();
  spec.rodata_strings = {"x509sha1=1,fips140=off"};
  const BuiltStack probe = build_stack(spec);
  const uint64_t string_vaddr = probe.string_vaddr("x509sha1=1,fips140=off");
  std::string header;
  fipsgate::testing::put_uint(header, 0, 8, fipsgate::Endian::little);  // unrelated word
  fipsgate::testing::put_uint(header, string_vaddr, 8, fipsgate::Endian::little);
  fipsgate::testing::put_uint(header, 22, 8, fipsgate::Endian::little);
  spec.data = header;
  const Facts facts = analyze_stack(build_stack(spec));
  CHECK(facts.fips_mode.default_godebug == "x509sha1=1,fips140=off");
  CHECK(facts.fips_mode.fips140 == "off");
  CHECK(facts.fips_mode.default_godebug_found_in.find("string header at 0x710008") !=
        std::string::npos);
  CHECK_FALSE(facts.fips_mode.enabled_at_start);
  CHECK(has_finding(facts, "FG302"));
}

TEST_CASE("a Go 1.19 runtime has no default GODEBUG, whatever strings its data points at") {
  // The same string header as above: read from a Go 1.20 binary (the oldest still searched), not
  // from a Go 1.19 one, whose runtime declares no godebugDefault.
  for (const char* go_version : {"go1.19.13", "go1.20"}) {
    CAPTURE(go_version);
    StackSpec spec = fipsgate::testing::native_snapshot_stack();
    spec.go_version = go_version;
    spec.settings.erase(
        std::remove_if(spec.settings.begin(), spec.settings.end(),
                       [](const auto& setting) { return setting.first == "DefaultGODEBUG"; }),
        spec.settings.end());
    spec.rodata_strings = {"x509sha1=1,fips140=on"};
    const BuiltStack probe = build_stack(spec);
    std::string header;
    fipsgate::testing::put_uint(header, probe.string_vaddr("x509sha1=1,fips140=on"), 8,
                                fipsgate::Endian::little);
    fipsgate::testing::put_uint(header, 21, 8, fipsgate::Endian::little);
    spec.data = header;
    const Facts facts = analyze_stack(build_stack(spec));
    if (std::string(go_version) == "go1.20") {
      CHECK(facts.fips_mode.default_godebug == "x509sha1=1,fips140=on");
      CHECK(facts.fips_mode.fips140 == "on");
    } else {
      CHECK(facts.fips_mode.default_godebug.empty());
      CHECK(facts.fips_mode.default_godebug_found_in.empty());
      CHECK(facts.fips_mode.fips140.empty());
    }
  }
}

TEST_CASE("the default GODEBUG: the setting's bytes without a header do not hide the override") {
  // The build setting's text lies in .rodata (as inside the module info), but the only string
  // header points at an override; a header-less copy of the setting is not what the runtime
  // reads. A header of the right length pointing outside read-only data is not a GODEBUG string.
  StackSpec spec = fipsgate::testing::native_snapshot_stack();
  spec.rodata_strings = {"fips140=on", "fips140=off,tlsrsakex=1"};
  const BuiltStack probe = build_stack(spec);
  std::string headers;
  fipsgate::testing::put_uint(headers, 0x710000, 8, fipsgate::Endian::little);  // into .data
  fipsgate::testing::put_uint(headers, 23, 8, fipsgate::Endian::little);
  fipsgate::testing::put_uint(headers, probe.string_vaddr("fips140=off,tlsrsakex=1"), 8,
                              fipsgate::Endian::little);
  fipsgate::testing::put_uint(headers, 23, 8, fipsgate::Endian::little);
  spec.data = headers;
  const Facts facts = analyze_stack(build_stack(spec));
  CHECK(facts.fips_mode.default_godebug == "fips140=off,tlsrsakex=1");
  CHECK(facts.fips_mode.default_godebug_found_in.find("string header at 0x710010") !=
        std::string::npos);
  CHECK(facts.fips_mode.fips140 == "off");
}

TEST_CASE("a default GODEBUG string header across a window edge of the data is found from a file") {
  // From a file the data is copied out 64 KiB at a time: a header whose two words lie on either
  // side of the first edge (at .data + 0x10000) is read whole, as in memory.
  StackSpec spec = fipsgate::testing::native_snapshot_stack();
  spec.rodata_strings = {"fips140=off,tlsrsakex=1"};
  const BuiltStack probe = build_stack(spec);
  std::string data(0x10000 - 8, '\0');
  fipsgate::testing::put_uint(data, probe.string_vaddr("fips140=off,tlsrsakex=1"), 8,
                              fipsgate::Endian::little);
  fipsgate::testing::put_uint(data, 23, 8, fipsgate::Endian::little);
  spec.data = data;
  const BuiltStack stack = build_stack(spec);
  const Facts in_memory = analyze_stack(stack);
  const Facts from_file = analyze_stack_file(stack, "godebug-edge");
  const Facts read_whole = analyze_stack_file(stack, "godebug-edge", MappedFile::Access::automatic);
  for (const Facts* facts : {&in_memory, &from_file, &read_whole}) {
    CHECK(facts->fips_mode.default_godebug == "fips140=off,tlsrsakex=1");
    CHECK(facts->fips_mode.default_godebug_found_in.find("string header at 0x71fff8") !=
          std::string::npos);
  }
}

TEST_CASE("the default GODEBUG string is found among thousands of read-only sections") {
  // Each string header in .data is looked up among the read-only regions by address; a binary
  // with many sections must neither slow that to a crawl nor pick the wrong one.
  StackSpec spec = fipsgate::testing::native_snapshot_stack();
  constexpr uint64_t kPadVaddr = 0x800000;
  for (uint64_t k = 0; k < 3000; ++k) {
    spec.more_sections.push_back(fipsgate::testing::SectionSpec{
        ".rodata.pad", 1, 2, kPadVaddr + 0x100 * k, 16, std::string(16, 'p'), 0});
  }
  const std::string godebug = "fips140=off,tlsrsakex=1";
  spec.more_sections.push_back(fipsgate::testing::SectionSpec{
      ".rodata.last", 1, 2, kPadVaddr + 0x100 * 3000, 16, godebug, 0});
  std::string headers;
  fipsgate::testing::put_uint(headers, kPadVaddr + 0x100 * 1500 + 8, 8, fipsgate::Endian::little);
  fipsgate::testing::put_uint(headers, godebug.size(), 8,
                              fipsgate::Endian::little);  // runs past its section
  fipsgate::testing::put_uint(headers, kPadVaddr + 0x100 * 3000, 8, fipsgate::Endian::little);
  fipsgate::testing::put_uint(headers, godebug.size(), 8, fipsgate::Endian::little);
  spec.data = headers;
  const Facts facts = analyze_stack(build_stack(spec));
  CHECK(facts.fips_mode.default_godebug == godebug);
  CHECK(facts.fips_mode.default_godebug_found_in.find("string header at 0x710010") !=
        std::string::npos);
}

TEST_CASE("fips140=only in the default GODEBUG restricts TLS") {
  StackSpec spec = fipsgate::testing::native_snapshot_stack();
  spec.settings[1] = {"DefaultGODEBUG", "fips140=only"};
  const Facts facts = analyze_stack(build_stack(spec));
  CHECK(facts.fips_mode.tls_restricted);
  CHECK(facts.fips_mode.enabled_at_start);
}

TEST_CASE("crypto/tls/fipsonly restricts TLS") {
  StackSpec spec = fipsgate::testing::boringcrypto_stack();
  spec.functions.push_back("crypto/tls/fipsonly.init.0");
  spec.functions.push_back("crypto/internal/boring/sig.FIPSOnly");
  const Facts facts = analyze_stack(build_stack(spec));
  CHECK(facts.fips_mode.tls_restricted);
}

TEST_CASE("a program without crypto packages has backend none") {
  StackSpec spec;
  spec.functions = {"main.main", "fmt.Println", "runtime.main"};
  const Facts facts = analyze_stack(build_stack(spec));
  CHECK(backends_of(facts) == std::vector<Backend>{Backend::none});
  CHECK(facts.non_approved.empty());
}

TEST_CASE("a direct call from main into crypto/md5 names main.main as the caller") {
  StackSpec spec = fipsgate::testing::standard_stack();
  spec.functions.push_back("crypto/md5.Sum");
  spec.functions.push_back("crypto/md5.(*digest).Write");
  BuiltStack stack = build_stack(spec);
  const uint64_t site = stack.entry("main.main") + 4;
  stack.place_call(site, "crypto/md5.Sum");
  const Facts facts = analyze_stack(stack);
  const auto* use = use_of(facts, "crypto/md5");
  REQUIRE(use != nullptr);
  CHECK(use->reason_code == "NA");
  CHECK(use->functions.size() == 2);
  REQUIRE(use->callers.size() == 1);
  CHECK(use->callers[0].function == "main.main");
  CHECK(use->callers[0].package == "main");
  CHECK(use->callers[0].callee == "crypto/md5.Sum");
  CHECK(use->callers[0].call_site_vaddr == site);
  CHECK_FALSE(use->std_internal_only);
}

namespace {

// A standard stack whose text spans several 64 KiB windows: 5,000 net/http functions of 0x40
// bytes, then crypto/md5.Sum.
StackSpec wide_text_stack() {
  StackSpec spec = fipsgate::testing::standard_stack();
  for (int i = 0; i < 5000; ++i) spec.functions.push_back("net/http.f" + std::to_string(i));
  spec.functions.push_back("crypto/md5.Sum");
  return spec;
}

// The calls into crypto/md5 found at exactly `sites`, analyzed in memory, from a mapped file
// (where the text is copied out in windows) and from a file read whole.
void check_md5_call_sites(const BuiltStack& stack, const std::string& name,
                          const std::vector<uint64_t>& sites) {
  const Facts in_memory = analyze_stack(stack);
  const Facts from_file = analyze_stack_file(stack, name);
  const Facts read_whole = analyze_stack_file(stack, name, MappedFile::Access::automatic);
  for (const Facts* facts : {&in_memory, &from_file, &read_whole}) {
    const auto* use = use_of(*facts, "crypto/md5");
    REQUIRE(use != nullptr);
    std::vector<uint64_t> found;
    for (const auto& caller : use->std_callers) found.push_back(caller.call_site_vaddr);
    CHECK(found == sites);
  }
}

}  // namespace

TEST_CASE("the call scan finds the same calls copying a file out in windows as in memory") {
  // A file-backed analysis copies the text out 64 KiB at a time (io/mapped_file.h); a call whose
  // displacement runs past a window's end must still be found, once, as in memory. The windows
  // start at function entries here, so the callers are of the standard library, whose calls are
  // not confirmed by disassembly (a call cannot run past its function's end).
  BuiltStack stack = build_stack(wide_text_stack());
  std::vector<uint64_t> sites;
  // At 64 KiB edges of the text: a call 6, 4 and 2 bytes before one (the displacement ends
  // before, on, and after it) and one at it, each in a function of its own.
  const uint64_t window = 0x10000;
  const uint64_t text = fipsgate::testing::kStackTextStart;
  int edge = 1;
  for (const uint64_t before : {6, 4, 2, 0}) sites.push_back(text + window * edge++ - before);
  for (const uint64_t site : sites) stack.place_call(site, "crypto/md5.Sum");
  check_md5_call_sites(stack, "window-edges", sites);
}

TEST_CASE("arm64 and ppc64le calls are found the same copying a file out in windows as in memory") {
  // The fixed-width call scans copy the text out 64 KiB at a time too: the last word of a
  // window and the first of the next are each found once, as in memory. The synthetic binary's
  // ELF header is retargeted; its functions are 0x40 bytes, so every word is 4-byte aligned.
  struct Machine {
    uint16_t elf_machine;
    uint32_t (*encode)(int64_t displacement);
  };
  const Machine machines[] = {
      {183, [](int64_t d) { return 0x94000000u | (static_cast<uint32_t>(d / 4) & 0x03FFFFFFu); }},
      {21, [](int64_t d) { return 0x48000001u | (static_cast<uint32_t>(d) & 0x03FFFFFCu); }},
  };
  for (const Machine& machine : machines) {
    CAPTURE(machine.elf_machine);
    BuiltStack stack = build_stack(wide_text_stack());
    std::string& elf = stack.go.elf.bytes;
    elf[18] = static_cast<char>(machine.elf_machine & 0xFF);  // e_machine, little-endian
    elf[19] = static_cast<char>(machine.elf_machine >> 8);
    const uint64_t window = 0x10000;
    const uint64_t text = fipsgate::testing::kStackTextStart;
    std::vector<uint64_t> sites;
    for (uint64_t edge = 1; edge <= 3; ++edge) {
      sites.push_back(text + window * edge - 4);
      sites.push_back(text + window * edge);
    }
    for (const uint64_t site : sites) {
      const int64_t displacement = static_cast<int64_t>(stack.entry("crypto/md5.Sum") - site);
      std::string word;
      fipsgate::testing::put_uint(word, machine.encode(displacement), 4, fipsgate::Endian::little);
      stack.patch_text(site, word);
    }
    check_md5_call_sites(stack, "fixed-width-edges-" + std::to_string(machine.elf_machine), sites);
  }
}

TEST_CASE("a marker across a window edge of a region copied out of a file is found once") {
  // The signature scan copies a region out of the file 64 KiB at a time (io/mapped_file.h): the
  // BoringCrypto panic string, 9 bytes before the first edge of the read-only strings, starts in
  // one window and ends in the next.
  StackSpec spec = fipsgate::testing::boringcrypto_stack();
  const std::string marker = "boringcrypto: not in FIPS mode";
  spec.rodata_strings.insert(spec.rodata_strings.begin(),
                             {std::string(0x10000 - 10, 'x'), marker, std::string(0x10000, 'y')});
  const BuiltStack stack = build_stack(spec);
  const uint64_t expected = stack.string_vaddr(marker);
  REQUIRE(expected % 0x10000 == 0x10000 - 9);
  const Facts in_memory = analyze_stack(stack);
  const Facts from_file = analyze_stack_file(stack, "marker-edge");
  const Facts read_whole = analyze_stack_file(stack, "marker-edge", MappedFile::Access::automatic);
  for (const Facts* facts : {&in_memory, &from_file, &read_whole}) {
    std::vector<uint64_t> found;
    for (const auto& backend : facts->backends) {
      for (const auto& evidence : backend.evidence) {
        if (evidence.marker_id == "boring.string.not_fips_mode") found.push_back(*evidence.vaddr);
      }
    }
    CHECK(found == std::vector<uint64_t>{expected});
  }
}

TEST_CASE("an E8 byte inside another instruction is not taken for a call") {
  StackSpec spec = fipsgate::testing::standard_stack();
  spec.functions.push_back("crypto/md5.Sum");
  BuiltStack stack = build_stack(spec);
  // mov rax, imm64 whose immediate holds E8 + rel32 pointing at crypto/md5.Sum; the linear
  // sweep from main.main's entry decodes the mov, so no call starts at the E8.
  const uint64_t mov = stack.entry("main.main");
  stack.patch_text(mov, "\x48\xB8");
  stack.place_call(mov + 2, "crypto/md5.Sum");
  stack.patch_text(mov + 7, std::string("\x00\x00\x00", 3));
  const Facts facts = analyze_stack(stack);
  const auto* use = use_of(facts, "crypto/md5");
  REQUIRE(use != nullptr);
  CHECK(use->callers.empty());
  CHECK(use->std_internal_only);
}

TEST_CASE("calls from the standard TLS stack are context, not a finding") {
  StackSpec spec = fipsgate::testing::standard_stack();
  spec.functions.push_back("crypto/tls.prf10");
  spec.functions.push_back("crypto/md5.New");
  BuiltStack stack = build_stack(spec);
  stack.place_call(stack.entry("crypto/tls.prf10") + 8, "crypto/md5.New");
  const Facts facts = analyze_stack(stack);
  const auto* use = use_of(facts, "crypto/md5");
  REQUIRE(use != nullptr);
  CHECK(use->callers.empty());
  CHECK(use->std_internal_only);
  REQUIRE(use->std_callers.size() == 1);
  CHECK(use->std_callers[0].function == "crypto/tls.prf10");
}

TEST_CASE(
    "a third-party caller of golang.org/x/crypto is a caller from outside the standard library") {
  StackSpec spec = fipsgate::testing::standard_stack();
  spec.functions.push_back("github.com/acme/vault.Seal");
  spec.functions.push_back("golang.org/x/crypto/blake2b.Sum256");
  BuiltStack stack = build_stack(spec);
  stack.place_call(stack.entry("github.com/acme/vault.Seal"), "golang.org/x/crypto/blake2b.Sum256");
  const Facts facts = analyze_stack(stack);
  const auto* use = use_of(facts, "golang.org/x/crypto/blake2b");
  REQUIRE(use != nullptr);
  REQUIRE(use->callers.size() == 1);
  CHECK(use->callers[0].package == "github.com/acme/vault");
}

TEST_CASE("a main module path without a dot is not mistaken for the standard library") {
  StackSpec spec = fipsgate::testing::standard_stack();
  spec.main_module = "example/app";
  spec.functions.push_back("example/app/internal/hash.Weak");
  spec.functions.push_back("crypto/md5.Sum");
  BuiltStack stack = build_stack(spec);
  stack.place_call(stack.entry("example/app/internal/hash.Weak"), "crypto/md5.Sum");
  const Facts facts = analyze_stack(stack);
  const auto* use = use_of(facts, "crypto/md5");
  REQUIRE(use != nullptr);
  REQUIRE(use->callers.size() == 1);
  CHECK(use->callers[0].package == "example/app/internal/hash");
}

TEST_CASE("packages that moved into the module in Go 1.24 are not listed for Go 1.24 binaries") {
  StackSpec spec = fipsgate::testing::standard_stack();
  spec.functions.push_back("crypto/ed25519.Sign");
  spec.go_version = "go1.23.4";
  CHECK(use_of(analyze_stack(build_stack(spec)), "crypto/ed25519") != nullptr);
  spec.go_version = "go1.24.4";
  CHECK(use_of(analyze_stack(build_stack(spec)), "crypto/ed25519") == nullptr);
}

TEST_CASE("evidence names the function, its address and its section") {
  const BuiltStack stack = build_stack(fipsgate::testing::boringcrypto_stack());
  const Facts facts = analyze_stack(stack);
  REQUIRE_FALSE(facts.backends.empty());
  const auto& evidence = facts.backends[0].evidence;
  auto sig = std::find_if(evidence.begin(), evidence.end(), [](const auto& item) {
    return item.marker_id == "boring.sig.boringcrypto.name";
  });
  REQUIRE(sig != evidence.end());
  CHECK(sig->vaddr ==
        std::optional<uint64_t>(stack.entry("crypto/internal/boring/sig.BoringCrypto")));
  CHECK(sig->section == ".text");
  CHECK(sig->function == "crypto/internal/boring/sig.BoringCrypto");
  REQUIRE(sig->file_offset.has_value());
}

TEST_CASE("the FIPS 140-3 module's snapshot version is read from its package path") {
  using fipsgate::analysis::snapshot_version;
  CHECK(snapshot_version("crypto/internal/fips140/v1.0.0/sha256.New") == "v1.0.0");
  CHECK(snapshot_version("crypto/internal/fips140/v1%2e0%2e0.CAST") == "v1.0.0");
  CHECK(snapshot_version("crypto/internal/fips140/v1.26.0-rc.1/aes.New") == "v1.26.0-rc.1");
  CHECK(snapshot_version("crypto/internal/fips140/v10.20.30-X9/aes.New") == "v10.20.30-X9");
  for (const char* not_versioned :
       {"crypto/internal/fips140/sha256.New", "crypto/internal/fips140.CAST",
        "crypto/internal/fips140/v1.0/aes.New", "crypto/internal/fips140/v1.0.0-/aes.New",
        "crypto/internal/fips140/v1.0.0-rc_1/aes.New", "crypto/internal/fips140/1.0.0/aes.New",
        "crypto/internal/fips140/v1.0.x/aes.New", "crypto/sha256.New"}) {
    CHECK_FALSE_MESSAGE(snapshot_version(not_versioned).has_value(), not_versioned);
  }
}

TEST_CASE("a listed package whose last element has a dot is found under its escaped spelling") {
  // The linker writes "gopkg.in/weak.v1" as "gopkg.in/weak%2ev1" in the names of its own
  // functions, but keeps the dot in those of the packages below it.
  auto db = fipsgate::load_signature_db(FIPSGATE_SOURCE_DIR "/signatures");
  REQUIRE(db.ok());
  db->non_approved.push_back({"gopkg.in/weak.v1", "NA", "a test row", ""});
  StackSpec spec;
  spec.functions = {"main.main", "gopkg.in/weak%2ev1.Hash", "gopkg.in/weak.v1/inner.F",
                    "gopkg.in/weakling.F", "runtime.main"};
  const BuiltStack stack = build_stack(spec);
  auto image = fipsgate::read_binary_image(stack.view());
  REQUIRE(image.ok());
  const fipsgate::GoBinary go = fipsgate::read_go_binary(*image);
  fipsgate::AnalyzeOptions options;
  options.as_of_date = "2026-11-27";
  const Facts facts = fipsgate::analyze(*image, go, *db, options);
  const auto* own = use_of(facts, "gopkg.in/weak.v1");
  REQUIRE(own != nullptr);
  CHECK(own->functions == std::vector<std::string>{"gopkg.in/weak%2ev1.Hash"});
  const auto* inner = use_of(facts, "gopkg.in/weak.v1/inner");
  REQUIRE(inner != nullptr);
  CHECK(inner->functions == std::vector<std::string>{"gopkg.in/weak.v1/inner.F"});
  CHECK(use_of(facts, "gopkg.in/weakling") == nullptr);
}

namespace {

// The marker ids and non-approved candidates of every function, found one name at a time
// without rejection memos: what walk_function_names must find however it cuts the table.
fipsgate::analysis::FunctionNameWalk separate_walks(const fipsgate::FunctionTable& functions,
                                                    const fipsgate::NameMatcher& markers,
                                                    const fipsgate::NameMatcher& prefixes) {
  fipsgate::analysis::FunctionNameWalk walk;
  for (uint64_t index = 0; index < functions.size(); ++index) {
    const std::string_view name = functions.name_at(index);
    markers.match(name, [&](uint32_t id) { walk.markers.push_back({index, id}); });
    if (prefixes.matches_any(name)) walk.maybe_listed.push_back(index);
  }
  return walk;
}

// A program whose function names cycle through other, listed and marker packages (one run in
// eight of each kind), in runs of seven as the linker groups them.
StackSpec many_functions_stack(size_t count) {
  StackSpec spec = fipsgate::testing::standard_stack();
  const std::vector<std::string> packages = {"crypto/md5.",
                                             "example.com/app/p",
                                             "crypto/internal/fips140/v1.0.0/sha256.",
                                             "github.com/acme/x",
                                             "golang.org/x/crypto/m",
                                             "main.",
                                             "crypto/internal/boring/sig.",
                                             "k8s.io/client-go/p",
                                             "vendor/golang.org/x/crypto/chacha20."};
  const std::vector<std::string> others = {"example.com/app/q", "github.com/acme/y",
                                           "k8s.io/apimachinery/r"};
  for (size_t i = spec.functions.size(); i < count; ++i) {
    const size_t run = i / 7;
    const std::string& package =
        run % 8 == 0 ? packages[(run / 8) % packages.size()] : others[run % others.size()];
    spec.functions.push_back(package + (package.back() == '.' ? "" : std::to_string(i % 5) + ".") +
                             "F" + std::to_string(i));
  }
  return spec;
}

}  // namespace

TEST_CASE("one walk over the function names finds what the two separate walks find") {
  // 2,000 functions are walked on one thread; 120,000 in runs on two.
  for (size_t count : {size_t{2000}, size_t{120000}}) {
    CAPTURE(count);
    BuiltStack stack = build_stack(many_functions_stack(count));
    auto image = fipsgate::read_binary_image(stack.view());
    REQUIRE(image.ok());
    const fipsgate::GoBinary go = fipsgate::read_go_binary(*image);
    REQUIRE(go.functions.has_value());
    const auto packages = fipsgate::analysis::index_packages(signatures(), go.go_version());
    const fipsgate::NameMatcher& markers = signatures().matcher->function_names();
    const auto walked =
        fipsgate::analysis::walk_function_names(*go.functions, markers, packages.name_prefixes);
    const auto expected = separate_walks(*go.functions, markers, packages.name_prefixes);
    CHECK(walked.complete);
    CHECK(walked.maybe_listed == expected.maybe_listed);
    REQUIRE(walked.markers.size() == expected.markers.size());
    for (size_t i = 0; i < expected.markers.size(); ++i) {
      CHECK(walked.markers[i].function == expected.markers[i].function);
      CHECK(walked.markers[i].id == expected.markers[i].id);
    }
    CHECK(expected.maybe_listed.size() > count / 50);  // the names exercise both matchers
    CHECK(expected.markers.size() > count / 50);
  }
}

TEST_CASE("past the walk's cap the signature scan and the non-approved search walk on their own") {
  // 140,000 functions of crypto/md5 are more names than the shared walk keeps (131,072).
  StackSpec spec = fipsgate::testing::standard_stack();
  for (int i = 0; i < 140000; ++i) spec.functions.push_back("crypto/md5.F" + std::to_string(i));
  BuiltStack stack = build_stack(spec);
  const uint64_t site = stack.entry("main.main") + 4;
  stack.place_call(site, "crypto/md5.F139999");
  auto image = fipsgate::read_binary_image(stack.view());
  REQUIRE(image.ok());
  const fipsgate::GoBinary go = fipsgate::read_go_binary(*image);
  REQUIRE(go.functions.has_value());
  const auto packages = fipsgate::analysis::index_packages(signatures(), go.go_version());
  CHECK_FALSE(fipsgate::analysis::walk_function_names(
                  *go.functions, signatures().matcher->function_names(), packages.name_prefixes)
                  .complete);
  const Facts facts = analyze_stack(stack);
  const auto* use = use_of(facts, "crypto/md5");
  REQUIRE(use != nullptr);
  REQUIRE(use->callers.size() == 1);
  CHECK(use->callers[0].function == "main.main");
  CHECK(use->callers[0].callee == "crypto/md5.F139999");
  CHECK(use->callers[0].call_site_vaddr == site);
  // The signature scan found the name markers on its own walk: the backends are the standard
  // stack's.
  const Facts standard = analyze_stack(build_stack(fipsgate::testing::standard_stack()));
  CHECK(backends_of(facts) == backends_of(standard));
  CHECK(facts.backends.front().evidence.size() == standard.backends.front().evidence.size());
}
