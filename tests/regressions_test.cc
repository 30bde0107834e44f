// Every kept crash, hang or invariant-breaking input (tests/regressions/<target>/<file>) replayed
// through the whole in-process pipeline: ELF reader, Go stage, analysis with the real signature
// database, verdict. Inputs of the table-level fuzz targets are wrapped into an ELF exactly as the
// fuzz target does (tests/fuzz/wrap.h); text and YAML inputs go to their parser. Each must finish
// without a crash (ASan/UBSan in the asan preset), within the time limit, with no broken
// invariant, and as an error or a non-passing result.
#include <doctest/doctest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "fipsgate/go/go_version.h"
#include "fipsgate/go/module_info.h"
#include "fipsgate/match/signature_db.h"
#include "fipsgate/policy/policy.h"
#include "fipsgate/policy/waivers.h"
#include "fuzz/wrap.h"
#include "mutation/mutation.h"
// The fuzz support code is compiled into the test binary here (the test build globs only
// tests/support/*.cc).
#include "fuzz/synthetic_go.cc"  // NOLINT(bugprone-suspicious-include)

namespace fs = std::filesystem;
using namespace fipsgate;

namespace {

std::string read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

struct Loaded {
  SignatureDb db;
  RuleCatalogue catalogue;
  Policy policy;
};

const Loaded& loaded() {
  static const Loaded value = [] {
    Loaded l{load_signature_db(default_signatures_dir()).value(),
             RuleCatalogue::load_file(signatures_directory() + "/rules.yaml").value(),
             {}};
    l.policy = load_policy("any-validated", l.catalogue).value();
    return l;
  }();
  return value;
}

// The ELF bytes the pipeline sees for an input of `target`, or nullopt for text/YAML targets.
std::optional<std::string> as_elf(const std::string& target, const std::string& input) {
  using namespace fipsgate::fuzzing;
  if (target == "elf" || target == "go_binary" || target == "analysis" || target == "mutation")
    return input;
  if (input.empty()) return std::nullopt;
  Shape shape = Shape::from(static_cast<uint8_t>(input[0]));
  std::string rest = input.substr(1);
  if (target == "pclntab") return wrap_pclntab_input(shape, rest).bytes;
  if (target == "build_info") return wrap_build_info_input(shape, rest).bytes;
  if (target == "moduledata") return wrap_moduledata_input(shape, rest).bytes;
  return std::nullopt;
}

void replay_text(const std::string& target, const std::string& input) {
  std::string_view text(input);
  if (target == "go_version") (void)parse_go_version(text);
  if (target == "module_info") {
    (void)parse_module_info(text);
    (void)parse_module_info(strip_modinfo_sentinels(text));
    (void)unquote_go_string(text);
  }
  if (target == "symbol_name") {
    volatile uint8_t sink = 0;
    fuzzing::exercise_name(text, sink);
  }
  if ((target == "signatures" || target == "policy") && !text.empty()) {
    SignatureDb db;
    std::string_view yaml = text.substr(1);
    switch (static_cast<uint8_t>(text[0]) % 3) {
      case 0:
        if (target == "signatures")
          (void)parse_markers_yaml(yaml, "regression.yaml", db);
        else
          (void)parse_policy(yaml, "regression.yaml", loaded().catalogue);
        break;
      case 1:
        if (target == "signatures")
          (void)parse_modules_yaml(yaml, "regression.yaml", db);
        else
          (void)parse_waivers(yaml, "regression.yaml", loaded().catalogue);
        break;
      default:
        if (target == "signatures")
          (void)parse_non_approved_yaml(yaml, "regression.yaml", db);
        else
          (void)RuleCatalogue::parse(yaml, "regression.yaml");
        break;
    }
  }
}

}  // namespace

TEST_CASE("every kept crash input ends as an error or a non-passing result, in bounded time") {
  const fs::path root = fs::path(FIPSGATE_SOURCE_DIR) / "tests" / "regressions";
  const mutation::Context context{loaded().db, loaded().policy, loaded().catalogue,
                                  Date::parse("2026-06-01").value()};
  int replayed = 0;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (!entry.is_regular_file() || entry.path().extension() == ".md") continue;
    const std::string target = entry.path().parent_path().filename().string();
    const std::string input = read_bytes(entry.path());
    const std::string name = target + "/" + entry.path().filename().string();
    const auto started = std::chrono::steady_clock::now();
    if (auto elf = as_elf(target, input)) {
      mutation::PipelineResult result = mutation::run_pipeline(ByteView(*elf), context);
      CHECK_MESSAGE(result.outcome != mutation::Outcome::invariant_broken,
                    name << ": " << result.reason);
      CHECK_MESSAGE((result.outcome != mutation::Outcome::analyzed || result.verdict != "pass"),
                    name << " passed");
    } else {
      replay_text(target, input);
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    CHECK_MESSAGE(seconds < limits::kHostileInputSecondsLimit, name << " took " << seconds << " s");
    ++replayed;
  }
  MESSAGE(replayed << " kept inputs replayed");
  CHECK(replayed > 0);
}
