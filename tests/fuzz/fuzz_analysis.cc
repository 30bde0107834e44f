// The whole analysis from file bytes: ELF reader, Go stage, analysis with the real signature
// database, and the verdict under the fips140-3 profile. Beyond the exercise.h invariants it
// checks that a binary the analysis could not (fully) read is never judged passing, and that
// the passes that copy regions out of a file (io/mapped_file.h) find what the same passes find
// in the bytes in memory.
#include <sys/mman.h>
#include <unistd.h>

#include <optional>
#include <string>

#include "fipsgate/analysis/analyze.h"
#include "fipsgate/binary/elf.h"
#include "fipsgate/io/mapped_file.h"
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

// The input as a file (an anonymous memory file, reopened through /proc), mapped so that the
// passes copy it out in windows as they do big files, or read whole as small files are; nothing
// when the system cannot make one.
std::optional<fipsgate::MappedFile> as_file(const uint8_t* data, size_t size,
                                            fipsgate::MappedFile::Access access) {
  static const int fd = memfd_create("fuzz-input", MFD_CLOEXEC);
  if (fd < 0 || ftruncate(fd, 0) != 0) return std::nullopt;
  if (size > 0 && pwrite(fd, data, size, 0) != static_cast<ssize_t>(size)) return std::nullopt;
  auto file = fipsgate::MappedFile::open("/proc/self/fd/" + std::to_string(fd), access);
  if (!file) return std::nullopt;
  return std::move(*file);
}

// What the copied-out passes decide: the call sites found, every evidence address and the
// default GODEBUG with where it was read.
std::string found_where(const fipsgate::Facts& facts) {
  std::string out =
      facts.fips_mode.default_godebug + "@" + facts.fips_mode.default_godebug_found_in;
  for (const auto& use : facts.non_approved) {
    for (const auto* callers : {&use.callers, &use.std_callers}) {
      for (const auto& caller : *callers) out += std::to_string(caller.call_site_vaddr) + " ";
    }
    out += "| ";
  }
  for (const auto& backend : facts.backends) {
    for (const auto& evidence : backend.evidence) {
      out += evidence.marker_id + "@" + std::to_string(evidence.vaddr.value_or(0)) + " ";
    }
  }
  return out;
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
  if (auto mapped = as_file(data, size, MappedFile::Access::mapped)) {
    if (auto again = read_elf(mapped->view())) {
      again->set_source(&*mapped);
      const GoBinary go_again = read_go_binary(*again);
      if (found_where(analyze(*again, go_again, ctx.db)) != found_where(facts))
        violations.add("the passes over the file copied out disagree with those over its bytes");
    }
  }
  if (auto whole = as_file(data, size, MappedFile::Access::automatic)) {
    if (whole->view().chars() != file.chars())
      violations.add("a file read whole holds other bytes than the file");
  }
  static const Date scan_date = must(Date::parse("2026-06-01"), "date");
  BinaryVerdict verdict =
      judge(facts, JudgeContext{ctx.policy, ctx.waivers, ctx.catalogue, scan_date});
  if (!facts.analyzable && verdict.verdict == Verdict::pass)
    violations.add("an unanalyzable binary was judged passing");
  fuzzing::abort_on(violations);
  return 0;
}
