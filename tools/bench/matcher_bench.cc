// The matcher alone against its peers, on the same bytes and the same pattern sets:
//   fipsgate  MultiPatternMatcher (one pass, anchor filter)
//   hyperscan Intel Hyperscan block mode, every pattern a literal regex with "." wildcards
//   memmem    one memmem pass per pattern over its longest fixed run, then a masked compare
//   memread   no patterns: one pass that loads every 8 bytes (the memory-speed ceiling)
// Pattern sets: "signatures" (every byte and string marker of signatures/) and "generated"
// (a few hundred patterns, half cut from the input so they hit, half random so they do not).
//
// Input: $FIPSGATE_BENCH_INPUT, else kubectl from the Cloud SDK, else Go 1.19's `go`; the whole
// file is mapped and touched once so that the runs measure the matcher, not the disk.
// Before timing, every engine's hit count per set is compared; a difference is printed to stderr
// and makes the program exit 1 (a matcher that disagrees with memmem is wrong, not fast).
#include <benchmark/benchmark.h>
#include <hs/hs.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "fipsgate/io/mapped_file.h"
#include "fipsgate/match/multi_pattern.h"
#include "fipsgate/match/signature_db.h"

namespace {

using fipsgate::ByteView;
using fipsgate::PatternSpec;

constexpr size_t kGeneratedPatternCount = 400;

std::string input_path() {
  if (const char* path = std::getenv("FIPSGATE_BENCH_INPUT"); path != nullptr && *path != '\0') {
    return path;
  }
  for (const char* candidate :
       {"/usr/lib/google-cloud-sdk/bin/kubectl", "/usr/lib/go-1.19/bin/go"}) {
    if (std::filesystem::exists(candidate)) return candidate;
  }
  return "/proc/self/exe";
}

// Touches every page so that later passes find the whole file resident.
uint64_t touch_pages(ByteView bytes) {
  uint64_t sum = 0;
  for (uint64_t offset = 0; offset < bytes.size(); offset += 4096) sum += bytes.data()[offset];
  return sum;
}

// ---- pattern sets ----------------------------------------------------------------------------

std::vector<PatternSpec> signature_patterns() {
  auto db = fipsgate::load_signature_db(fipsgate::default_signatures_dir());
  if (!db) {
    std::fprintf(stderr, "matcher_bench: signatures: %s\n", db.error().message().c_str());
    std::exit(2);
  }
  std::vector<PatternSpec> patterns;
  for (const fipsgate::Marker& marker : db->markers) {
    PatternSpec spec;
    if (const auto* bytes = std::get_if<fipsgate::ByteRule>(&marker.rule)) {
      spec.bytes = bytes->pattern.bytes;
      spec.mask = bytes->pattern.mask;
      spec.alignment = bytes->alignment;
    } else if (const auto* text = std::get_if<fipsgate::StringRule>(&marker.rule)) {
      spec.bytes.assign(text->text.begin(), text->text.end());
      spec.mask.assign(spec.bytes.size(), 0xFF);
    } else {
      continue;
    }
    spec.id = static_cast<uint32_t>(patterns.size());
    patterns.push_back(std::move(spec));
  }
  return patterns;
}

bool varied_enough(const uint8_t* bytes, size_t length) {
  std::vector<bool> seen(256);
  size_t distinct = 0;
  for (size_t i = 0; i < length; ++i) {
    if (!seen[bytes[i]]) ++distinct;
    seen[bytes[i]] = true;
  }
  return distinct >= length / 2;
}

// Deterministic (fixed seed): half the patterns are cut from the input at random places (some
// with a wildcard byte), half are random bytes that almost surely occur nowhere.
std::vector<PatternSpec> generated_patterns(ByteView input) {
  std::mt19937_64 random(20261127);
  std::vector<PatternSpec> patterns;
  while (patterns.size() < kGeneratedPatternCount) {
    PatternSpec spec;
    size_t length = 8 + random() % 25;
    bool from_input = patterns.size() % 2 == 0 && input.size() > length;
    if (from_input) {
      uint64_t offset = random() % (input.size() - length);
      if (!varied_enough(input.data() + offset, length)) continue;
      spec.bytes.assign(input.data() + offset, input.data() + offset + length);
    } else {
      for (size_t i = 0; i < length; ++i) spec.bytes.push_back(static_cast<uint8_t>(random()));
    }
    spec.mask.assign(length, 0xFF);
    if (random() % 4 == 0) spec.mask[4 + random() % (length - 4)] = 0x00;
    for (size_t i = 0; i < length; ++i) spec.bytes[i] &= spec.mask[i];
    spec.id = static_cast<uint32_t>(patterns.size());
    patterns.push_back(std::move(spec));
  }
  return patterns;
}

bool aligned(uint64_t offset, unsigned alignment) {
  return alignment <= 1 || offset % alignment == 0;
}

// ---- engines ---------------------------------------------------------------------------------

class FipsgateEngine {
 public:
  explicit FipsgateEngine(const std::vector<PatternSpec>& patterns) {
    auto compiled = fipsgate::MultiPatternMatcher::compile(patterns);
    if (!compiled) {
      std::fprintf(stderr, "matcher_bench: compile: %s\n", compiled.error().message().c_str());
      std::exit(2);
    }
    matcher_ = std::make_unique<fipsgate::MultiPatternMatcher>(std::move(*compiled));
  }
  uint64_t count(ByteView bytes) const {
    uint64_t hits = 0;
    matcher_->scan(bytes, 0, [&hits](uint32_t, uint64_t) {
      ++hits;
      return true;
    });
    return hits;
  }

 private:
  std::unique_ptr<fipsgate::MultiPatternMatcher> matcher_;
};

class HyperscanEngine {
 public:
  explicit HyperscanEngine(const std::vector<PatternSpec>& patterns) : patterns_(patterns) {
    std::vector<std::string> expressions;
    for (const PatternSpec& spec : patterns) expressions.push_back(regex_of(spec));
    std::vector<const char*> expression_texts;
    std::vector<unsigned> flags(patterns.size(), HS_FLAG_DOTALL);
    std::vector<unsigned> ids;
    for (size_t i = 0; i < patterns.size(); ++i) {
      expression_texts.push_back(expressions[i].c_str());
      ids.push_back(static_cast<unsigned>(i));
    }
    hs_compile_error_t* error = nullptr;
    if (hs_compile_multi(expression_texts.data(), flags.data(), ids.data(),
                         static_cast<unsigned>(patterns.size()), HS_MODE_BLOCK, nullptr, &database_,
                         &error) != HS_SUCCESS) {
      std::fprintf(stderr, "matcher_bench: hyperscan: %s\n", error->message);
      std::exit(2);
    }
    hs_alloc_scratch(database_, &scratch_);
  }
  ~HyperscanEngine() {
    hs_free_scratch(scratch_);
    hs_free_database(database_);
  }
  HyperscanEngine(const HyperscanEngine&) = delete;
  HyperscanEngine& operator=(const HyperscanEngine&) = delete;

  uint64_t count(ByteView bytes) const {
    struct Context {
      const std::vector<PatternSpec>* patterns;
      uint64_t hits;
    } context{&patterns_, 0};
    // Hyperscan reports end offsets; the start tells whether the alignment rule holds.
    auto on_match = [](unsigned id, unsigned long long, unsigned long long to, unsigned,
                       void* opaque) -> int {
      auto* state = static_cast<Context*>(opaque);
      const PatternSpec& spec = (*state->patterns)[id];
      if (aligned(to - spec.bytes.size(), spec.alignment)) ++state->hits;
      return 0;
    };
    // Block mode takes an unsigned length; inputs here are far below 4 GiB.
    hs_scan(database_, reinterpret_cast<const char*>(bytes.data()),
            static_cast<unsigned>(bytes.size()), 0, scratch_, on_match, &context);
    return context.hits;
  }

 private:
  static std::string regex_of(const PatternSpec& spec) {
    std::string regex;
    char escaped[8];
    for (size_t i = 0; i < spec.bytes.size(); ++i) {
      if (spec.mask[i] == 0) {
        regex += '.';
        continue;
      }
      std::snprintf(escaped, sizeof escaped, "\\x%02x", spec.bytes[i]);
      regex += escaped;
    }
    return regex;
  }

  const std::vector<PatternSpec>& patterns_;
  hs_database_t* database_ = nullptr;
  hs_scratch_t* scratch_ = nullptr;
};

class MemmemEngine {
 public:
  explicit MemmemEngine(const std::vector<PatternSpec>& patterns) {
    for (const PatternSpec& spec : patterns) searches_.push_back(search_of(spec));
  }
  uint64_t count(ByteView bytes) const {
    uint64_t hits = 0;
    for (const Search& search : searches_) hits += count_one(search, bytes);
    return hits;
  }

 private:
  struct Search {
    const PatternSpec* spec;
    size_t run_offset, run_length;  // longest run of fixed bytes: what memmem looks for
  };

  static Search search_of(const PatternSpec& spec) {
    Search search{&spec, 0, 0};
    for (size_t start = 0; start < spec.mask.size();) {
      size_t end = start;
      while (end < spec.mask.size() && spec.mask[end] == 0xFF) ++end;
      if (end - start > search.run_length) search = {&spec, start, end - start};
      start = end + 1;
    }
    return search;
  }

  static bool verify(const PatternSpec& spec, const uint8_t* at) {
    for (size_t i = 0; i < spec.bytes.size(); ++i) {
      if ((at[i] & spec.mask[i]) != spec.bytes[i]) return false;
    }
    return true;
  }

  static uint64_t count_one(const Search& search, ByteView bytes) {
    const PatternSpec& spec = *search.spec;
    const uint8_t* begin = bytes.data();
    const uint8_t* end = begin + bytes.size();
    const uint8_t* run = spec.bytes.data() + search.run_offset;
    uint64_t hits = 0;
    for (const uint8_t* cursor = begin + search.run_offset; cursor < end;) {
      auto* found = static_cast<const uint8_t*>(
          memmem(cursor, static_cast<size_t>(end - cursor), run, search.run_length));
      if (found == nullptr) break;
      const uint8_t* start = found - search.run_offset;
      if (static_cast<size_t>(end - start) >= spec.bytes.size() && verify(spec, start) &&
          aligned(static_cast<uint64_t>(start - begin), spec.alignment)) {
        ++hits;
      }
      cursor = found + 1;
    }
    return hits;
  }

  std::vector<Search> searches_;
};

// ---- fixture ---------------------------------------------------------------------------------

struct Fixture {
  fipsgate::MappedFile file;
  std::map<std::string, std::vector<PatternSpec>> sets;
};

Fixture& fixture() {
  static Fixture* instance = [] {
    auto* made = new Fixture;
    auto file = fipsgate::MappedFile::open(input_path());
    if (!file) {
      std::fprintf(stderr, "matcher_bench: %s\n", file.error().message().c_str());
      std::exit(2);
    }
    made->file = std::move(*file);
    benchmark::DoNotOptimize(touch_pages(made->file.view()));
    made->sets["signatures"] = signature_patterns();
    made->sets["generated"] = generated_patterns(made->file.view());
    return made;
  }();
  return *instance;
}

template <class Engine>
void run_engine(benchmark::State& state, const std::string& set_name) {
  const std::vector<PatternSpec>& patterns = fixture().sets.at(set_name);
  ByteView bytes = fixture().file.view();
  Engine engine(patterns);
  uint64_t hits = 0;
  for (auto _ : state) {
    hits = engine.count(bytes);
    benchmark::DoNotOptimize(hits);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes.size()));
  state.counters["hits"] = static_cast<double>(hits);
  state.counters["patterns"] = static_cast<double>(patterns.size());
}

void memory_read(benchmark::State& state) {
  ByteView bytes = fixture().file.view();
  for (auto _ : state) {
    uint64_t sum = 0;
    const uint8_t* data = bytes.data();
    uint64_t words = bytes.size() / 8;
    for (uint64_t i = 0; i < words; ++i) {
      uint64_t word;
      std::memcpy(&word, data + 8 * i, 8);
      sum += word;
    }
    benchmark::DoNotOptimize(sum);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes.size()));
}

// Every engine must report the same number of hits on every set before anything is timed.
bool engines_agree() {
  ByteView bytes = fixture().file.view();
  bool agree = true;
  for (const auto& [name, patterns] : fixture().sets) {
    uint64_t ours = FipsgateEngine(patterns).count(bytes);
    uint64_t hyperscan = HyperscanEngine(patterns).count(bytes);
    uint64_t memmem_hits = MemmemEngine(patterns).count(bytes);
    std::fprintf(
        stderr,
        "matcher_bench: set %s: %zu patterns, hits fipsgate %llu hyperscan %llu memmem %llu\n",
        name.c_str(), patterns.size(), static_cast<unsigned long long>(ours),
        static_cast<unsigned long long>(hyperscan), static_cast<unsigned long long>(memmem_hits));
    if (ours != memmem_hits || hyperscan != memmem_hits) agree = false;
  }
  return agree;
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  std::fprintf(stderr, "matcher_bench: input %s (%llu bytes)\n", fixture().file.path().c_str(),
               static_cast<unsigned long long>(fixture().file.size()));
  if (!engines_agree()) {
    std::fprintf(stderr, "matcher_bench: engines disagree on hit counts\n");
    return 1;
  }
  benchmark::RegisterBenchmark("memread", memory_read);
  for (const char* set : {"signatures", "generated"}) {
    std::string name(set);
    benchmark::RegisterBenchmark(("fipsgate/" + name).c_str(), [name](benchmark::State& s) {
      run_engine<FipsgateEngine>(s, name);
    });
    benchmark::RegisterBenchmark(("hyperscan/" + name).c_str(), [name](benchmark::State& s) {
      run_engine<HyperscanEngine>(s, name);
    });
    auto* memmem_run = benchmark::RegisterBenchmark(
        ("memmem/" + name).c_str(),
        [name](benchmark::State& s) { run_engine<MemmemEngine>(s, name); });
    // One memmem pass per pattern takes seconds on the generated set: one iteration per
    // repetition is enough to show the gap.
    if (name == "generated") memmem_run->Iterations(1);
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
