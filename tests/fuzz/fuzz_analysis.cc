// The whole analysis from file bytes: ELF reader, Go stage, analysis with the real signature
// database, and the verdict under the fips140-3 profile. Beyond the exercise.h invariants it
// checks that a binary the analysis could not (fully) read is never judged passing.
#include <optional>

#include "fipsgate/analysis/analyze.h"
#include "fipsgate/binary/elf.h"
#include "fipsgate/policy/verdict.h"
#include "fuzz_target.h"

namespace {

struct Context {
  fipsgate::SignatureDb db;
  fipsgate::RuleCatalogue catalogue;
  fipsgate::Policy policy;
  std::vector<fipsgate::Waiver> waivers;
};

template <class T>
T must(fipsgate::Result<T> result, const char* what) {
  if (!result) {
    std::fprintf(stderr, "%s: %s\n", what, result.error().message().c_str());
    std::abort();
  }
  return std::move(result).value();
}

const Context& context() {
  static const Context loaded = [] {
    Context c{
        must(fipsgate::load_signature_db(fipsgate::default_signatures_dir()), "signatures"),
        must(fipsgate::RuleCatalogue::load_file(fipsgate::signatures_directory() + "/rules.yaml"),
             "rules"),
        {},
        {}};
    c.policy = must(fipsgate::load_policy("fips140-3", c.catalogue), "policy");
    return c;
  }();
  return loaded;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace fipsgate;
  const Context& ctx = context();
  ByteView file(data, size);
  auto image = read_elf(file);
  if (!image) return 0;
  GoBinary go = read_go_binary(*image);
  fuzzing::Violations violations;
  volatile uint8_t sink = 0;
  fuzzing::exercise_go(*image, go, violations, sink);
  Facts facts = analyze(*image, go, ctx.db);
  if (!go.functions) {
    for (const BackendFact& backend : facts.backends)
      for (const Evidence& evidence : backend.evidence)
        if (evidence.kind == Evidence::Kind::function)
          violations.add("backend evidence from a function name without a function table");
  }
  static const Date scan_date = must(Date::parse("2026-06-01"), "date");
  BinaryVerdict verdict =
      judge(facts, JudgeContext{ctx.policy, ctx.waivers, ctx.catalogue, scan_date});
  if (!facts.analyzable && verdict.verdict == Verdict::pass)
    violations.add("an unanalyzable binary was judged passing");
  fuzzing::abort_on(violations);
  return 0;
}
