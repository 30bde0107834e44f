// The mutation run over several binaries: plans the variants of each, runs them, applies oracle
// O4 (no validated backend the unmodified binary lacks) and tallies the outcomes. Shared by the
// CTest short run (tests/mutation_test.cc) and the long run (tests/mutation/mutate_main.cc,
// tools/mutate).
#pragma once

#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "fipsgate/io/mapped_file.h"
#include "mutation/mutation.h"

namespace fipsgate::mutation {

struct Tally {
  std::map<std::string, uint64_t> by_outcome;
  std::map<std::string, std::map<std::string, uint64_t>> by_category;
  std::map<std::string, uint64_t> by_reason;  // first 80 characters of the reason
  std::vector<std::string> failures;
  uint64_t total = 0, max_rss_kib = 0;
  double max_seconds = 0, total_seconds = 0;
  std::string slowest;
};

inline std::string summary(const Tally& tally, const std::vector<std::string>& binaries) {
  std::ostringstream out;
  out << "variants: " << tally.total << "\nbinaries:\n";
  for (const std::string& binary : binaries) out << "  " << binary << "\n";
  out << "outcomes:\n";
  for (const auto& [outcome, count] : tally.by_outcome)
    out << "  " << outcome << ": " << count << "\n";
  out << "slowest variant: " << tally.max_seconds << " s CPU (" << tally.slowest << ")\n";
  out << "mean CPU time per variant: " << (tally.total ? tally.total_seconds / tally.total : 0)
      << " s\n";
  out << "largest child RSS: " << tally.max_rss_kib / 1024 << " MiB\n";
  out << "by category:\n";
  for (const auto& [category, outcomes] : tally.by_category) {
    out << "  " << category << ":";
    for (const auto& [outcome, count] : outcomes) out << " " << outcome << "=" << count;
    out << "\n";
  }
  out << "most common reasons:\n";
  std::vector<std::pair<uint64_t, std::string>> reasons;
  for (const auto& [reason, count] : tally.by_reason) reasons.push_back({count, reason});
  std::sort(reasons.rbegin(), reasons.rend());
  for (size_t i = 0; i < reasons.size() && i < 25; ++i)
    out << "  " << reasons[i].first << "  " << reasons[i].second << "\n";
  out << "failures: " << tally.failures.size() << "\n";
  for (const std::string& failure : tally.failures) out << "  " << failure << "\n";
  return out.str();
}

// Reasons without the numbers, so that one kind of error counts once.
inline std::string reason_kind(const std::string& reason) {
  std::string kind;
  for (char c : reason.substr(0, 90)) {
    if (std::isdigit(static_cast<unsigned char>(c))) {
      if (kind.empty() || kind.back() != '#') kind.push_back('#');
    } else {
      kind.push_back(c);
    }
  }
  return kind;
}

struct RunConfig {
  std::vector<std::string> binaries;
  size_t variants_per_binary = 100;
  uint64_t seed = 20261127;
  RunLimits limits;
  std::string save_dir;  // failing variants are written here when set
};

// Runs every binary's variants. Returns an Error when a binary cannot be used as a source (not
// readable, not Go, or its unmodified analysis already fails).
inline Result<Tally> run_mutations(const RunConfig& config, const Context& context,
                                   const AnalyzeOptions& options) {
  namespace fs = std::filesystem;
  Tally tally;
  for (const std::string& path : config.binaries) {
    auto file = MappedFile::open(path);
    if (!file) return file.error();
    auto image = read_binary_image(file->view());
    if (!image) return image.error().within(path);
    GoBinary go = read_go_binary(*image);
    if (!go.is_go()) return Error(path + ": not a Go binary");
    // O4's reference: what the unmodified binary claims.
    PipelineResult baseline = run_pipeline(file->view(), context, options);
    // A source whose own analysis already fails teaches nothing; one with stage errors (e.g. a
    // moduledata layout not yet known) is still a useful source.
    if (is_failure(baseline.outcome) || baseline.outcome == Outcome::unanalyzable)
      return Error(path + ": the unmodified binary is " + to_string(baseline.outcome) + ": " +
                   baseline.reason);
    std::vector<Mutation> mutations =
        choose_variants(file->view(), *image, go, config.variants_per_binary, config.seed);
    const std::string name = fs::path(path).filename().string();
    run_variants(
        file->view(), mutations, context, options, config.limits, [&](VariantReport&& report) {
          for (Backend backend : report.result.validated) {
            if (!baseline.validated.count(backend)) {
              report.result.outcome = Outcome::invariant_broken;
              report.result.reason = "O4: claims " + std::string(to_string(backend)) +
                                     " which the unmodified binary does not";
            }
          }
          const std::string outcome = to_string(report.result.outcome);
          ++tally.total;
          ++tally.by_outcome[outcome];
          ++tally.by_category[report.mutation.category][outcome];
          ++tally.by_reason[reason_kind(report.result.reason)];
          tally.total_seconds += report.seconds;
          tally.max_rss_kib = std::max(tally.max_rss_kib, report.max_rss_kib);
          if (report.seconds > tally.max_seconds) {
            tally.max_seconds = report.seconds;
            tally.slowest = name + ": " + report.mutation.description;
          }
          if (is_failure(report.result.outcome)) {
            tally.failures.push_back(name + ": " + report.mutation.category + ": " +
                                     report.mutation.description + " -> " + outcome + ": " +
                                     report.result.reason);
            if (!config.save_dir.empty()) {
              fs::create_directories(config.save_dir);
              std::ofstream(
                  fs::path(config.save_dir) / (name + "-" + std::to_string(tally.failures.size())),
                  std::ios::binary)
                  << apply(file->view(), report.mutation);
            }
          }
        });
  }
  return tally;
}

}  // namespace fipsgate::mutation
