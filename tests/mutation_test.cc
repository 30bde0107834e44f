// Hostile variants of real Go binaries through the whole pipeline (tests/mutation/mutation.h).
// Under CTest: 300 variants spread over the sample binaries (go1.19 amd64 BoringCrypto, go1.24
// arm64 BoringCrypto, go1.24 s390x big-endian) or, without samples, the installed Go 1.19 gofmt.
// The long run is tools/mutate (tests/mutation/mutate_main.cc); these variables change this one:
//   FIPSGATE_MUTATION_VARIANTS   variants per binary (default: 300 in total)
//   FIPSGATE_MUTATION_BINARIES   colon-separated binaries instead of the defaults
#include <doctest/doctest.h>

#include <cstdlib>

#include "mutation/driver.h"

namespace fs = std::filesystem;
using namespace fipsgate;
using namespace fipsgate::mutation;

namespace {

std::string env(const char* name, std::string fallback = "") {
  const char* value = std::getenv(name);
  return value && *value ? value : fallback;
}

std::vector<std::string> default_binaries() {
  std::vector<std::string> found;
  for (const char* name :
       {"go1.19-amd64-boring-cgo", "go1.24-arm64-boring-cgo", "go1.24-s390x-std"}) {
    fs::path path = fs::path(FIPSGATE_SAMPLES_DIR) / name;
    if (fs::exists(path)) found.push_back(path.string());
  }
  return found;
}

}  // namespace

TEST_CASE(
    "hostile variants of real Go binaries never crash, hang, exhaust memory or pass on unreadable "
    "evidence") {
  RunConfig config;
  if (std::string list = env("FIPSGATE_MUTATION_BINARIES"); !list.empty()) {
    std::stringstream stream(list);
    for (std::string item; std::getline(stream, item, ':');)
      if (!item.empty()) config.binaries.push_back(item);
  } else {
    config.binaries = default_binaries();
    if (config.binaries.size() < 3 && env("FIPSGATE_REQUIRE_SAMPLES") == "1")
      FAIL(
          "FIPSGATE_REQUIRE_SAMPLES=1 but the mutation samples are missing "
          "from " FIPSGATE_SAMPLES_DIR);
    if (config.binaries.empty() && fs::exists("/usr/lib/go-1.19/bin/gofmt"))
      config.binaries.push_back("/usr/lib/go-1.19/bin/gofmt");
  }
  if (config.binaries.empty()) {
    MESSAGE("no Go binary to mutate (no samples, no /usr/lib/go-1.19/bin/gofmt); skipped");
    return;
  }
  config.variants_per_binary = env("FIPSGATE_MUTATION_VARIANTS").empty()
                                   ? std::max<size_t>(1, 300 / config.binaries.size())
                                   : std::stoul(env("FIPSGATE_MUTATION_VARIANTS"));
  config.limits.jobs = 2;

  auto db = load_signature_db(default_signatures_dir());
  REQUIRE_MESSAGE(db.ok(), (db.ok() ? "" : db.error().message()));
  auto catalogue = RuleCatalogue::load_file(signatures_directory() + "/rules.yaml");
  REQUIRE(catalogue.ok());
  auto policy = load_policy("any-validated", *catalogue);
  REQUIRE_MESSAGE(policy.ok(), (policy.ok() ? "" : policy.error().message()));
  auto date = Date::parse("2026-06-01");
  REQUIRE(date.ok());
  const Context context{*db, *policy, *catalogue, *date};
  AnalyzeOptions options;
  options.as_of_date = "2026-06-01";

  auto tally = run_mutations(config, context, options);
  REQUIRE_MESSAGE(tally.ok(), (tally.ok() ? "" : tally.error().message()));
  const std::string text = summary(*tally, config.binaries);
  MESSAGE(text);
  CHECK(tally->total == config.variants_per_binary * config.binaries.size());
  CHECK_MESSAGE(tally->failures.empty(), text);
}
