// The long mutation run (tools/mutate): the same harness as the CTest short run, over the
// binaries and variant count given on the command line, with a report file.
//
//   fipsgate_mutate [--variants N] [--jobs J] [--report FILE] [--save-dir DIR] BINARY...
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "mutation/driver.h"

using namespace fipsgate;
using namespace fipsgate::mutation;

template <class T>
T must(Result<T> result, const char* what) {
  if (!result) {
    std::fprintf(stderr, "fipsgate_mutate: %s: %s\n", what, result.error().message().c_str());
    std::exit(2);
  }
  return std::move(result).value();
}

int main(int argc, char** argv) {
  RunConfig config;
  std::string report_path;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto next = [&] {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "fipsgate_mutate: %s needs a value\n", arg.c_str());
        std::exit(2);
      }
      return std::string(argv[++i]);
    };
    if (arg == "--variants")
      config.variants_per_binary = std::stoul(next());
    else if (arg == "--jobs")
      config.limits.jobs = static_cast<unsigned>(std::stoul(next()));
    else if (arg == "--report")
      report_path = next();
    else if (arg == "--save-dir")
      config.save_dir = next();
    else if (arg == "--seed")
      config.seed = std::stoull(next());
    else
      config.binaries.push_back(arg);
  }
  if (config.binaries.empty()) {
    std::fprintf(stderr,
                 "usage: fipsgate_mutate [--variants N] [--jobs J] [--report FILE] "
                 "[--save-dir DIR] [--seed S] BINARY...\n");
    return 2;
  }
  SignatureDb db = must(load_signature_db(default_signatures_dir()), "signatures");
  RuleCatalogue catalogue =
      must(RuleCatalogue::load_file(signatures_directory() + "/rules.yaml"), "rules");
  Policy policy = must(load_policy("any-validated", catalogue), "policy");
  const Context context{db, policy, catalogue, must(Date::parse("2026-06-01"), "date")};
  AnalyzeOptions options;
  options.as_of_date = "2026-06-01";
  Tally tally = must(run_mutations(config, context, options), "run");
  const std::string text = summary(tally, config.binaries);
  std::fputs(text.c_str(), stdout);
  if (!report_path.empty()) std::ofstream(report_path) << text;
  return tally.failures.empty() ? 0 : 1;
}
