// fipsgate scan: analyze files and directories, judge each binary under a policy, render one
// report. Exit codes (README, DESIGN.md): 0 pass (warnings allowed), 1 policy failure,
// 2 usage or input error, 3 some artifact could not be analyzed (takes precedence over 1).
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <future>
#include <iostream>
#include <thread>

#include "cli/commands.h"
#include "fipsgate/analysis/analyze.h"
#include "fipsgate/match/signature_db.h"
#include "fipsgate/policy/policy.h"
#include "fipsgate/policy/scan.h"
#include "fipsgate/policy/waivers.h"
#include "fipsgate/report/report.h"
#include "fipsgate/source/paths.h"
#include "io/helper_thread.h"

namespace fipsgate::cli {
namespace {

struct ScanArguments {
  std::vector<std::string> paths;
  std::string policy = "any-validated";
  std::string waivers;
  std::string format = "text";
  std::string output;
  unsigned jobs = 0;
  std::string date;
  bool all_files = false;
  std::string digest = "auto";
};

struct ScanInputs {
  RuleCatalogue catalogue;
  Policy policy;
  std::vector<Waiver> waivers;
  Date scan_date;
  ReportFormat format = ReportFormat::text;
  std::vector<ScanTarget> targets;
};

Result<ScanInputs> read_inputs(const ScanArguments& arguments) {
  ScanInputs inputs;
  FG_TRY(inputs.format, parse_report_format(arguments.format));
  if (arguments.date.empty()) {
    inputs.scan_date = Date::today_utc();
  } else {
    FG_TRY(inputs.scan_date, Date::parse(arguments.date));
  }
  FG_TRY(inputs.catalogue, RuleCatalogue::load_file(signatures_directory() + "/rules.yaml"));
  FG_TRY(inputs.policy, load_policy(arguments.policy, inputs.catalogue));
  if (!arguments.waivers.empty()) {
    FG_TRY(inputs.waivers, load_waivers(arguments.waivers, inputs.catalogue));
  }
  FG_TRY(auto found, collect_artifacts(arguments.paths, PathWalkOptions{arguments.all_files}));
  for (FoundArtifact& artifact : found) {
    inputs.targets.push_back(
        ScanTarget{std::move(artifact.path), artifact.named_explicitly, artifact.size});
  }
  return inputs;
}

Status write_report(const std::string& text, const std::string& output) {
  if (output.empty() || output == "-") {
    std::cout << text << std::flush;
    return Ok{};
  }
  std::ofstream file(output, std::ios::binary | std::ios::trunc);
  if (!file) return Error(output + ": cannot open for writing");
  file << text;
  file.close();
  if (!file) return Error(output + ": write failed");
  return Ok{};
}

// "auto": the evidence formats (JSON, SARIF) carry the file's SHA-256, and so does a scan whose
// waivers match on it; a text or JUnit gate does not pay for hashing every byte.
bool wants_digest(const std::string& digest, ReportFormat format,
                  const std::vector<Waiver>& waivers) {
  if (digest != "auto") return digest == "sha256";
  if (format == ReportFormat::json || format == ReportFormat::sarif) return true;
  return std::any_of(waivers.begin(), waivers.end(),
                     [](const Waiver& waiver) { return !waiver.sha256.empty(); });
}

ExitCode exit_code_for(ScanOutcome outcome) {
  switch (outcome) {
    case ScanOutcome::pass:
      return kExitOk;
    case ScanOutcome::policy_failure:
      return kExitPolicyFailure;
    case ScanOutcome::unanalyzable:
      return kExitUnanalyzable;
  }
  return kExitUnanalyzable;
}

ExitCode run(const ScanArguments& arguments) {
  // --jobs 1 asks for one thread: every helper below runs on this one (see run_scan).
  const HelpersRunHere one_thread(arguments.jobs == 1);
  // Parsing the signatures' YAML is the largest fixed cost of a scan (a third of a small one):
  // it runs while the rules and policy load and the first binary is mapped and read.
  Helper<Result<SignatureDb>> loader = start_helper(std::launch::async | std::launch::deferred, [] {
    return load_signature_db(default_signatures_dir());
  });
  const std::shared_future<Result<SignatureDb>> db = loader.share();
  Result<ScanInputs> inputs = read_inputs(arguments);
  if (!inputs) {
    std::cerr << "fipsgate scan: " << inputs.error().message() << "\n";
    return kExitUsage;
  }
  AnalyzeOptions analyze_options;
  analyze_options.as_of_date = inputs->scan_date.iso();
  analyze_options.digest = wants_digest(arguments.digest, inputs->format, inputs->waivers);
  const SignatureSource signatures = [&db]() -> const SignatureDb* {
    const std::shared_future<Result<SignatureDb>> own = db;  // one copy per worker thread
    const Result<SignatureDb>& loaded = own.get();
    return loaded.ok() ? &*loaded : nullptr;
  };
  Analyzer analyzer = [&](const std::string& path) {
    return analyze_file(path, signatures, analyze_options);
  };
  unsigned jobs =
      arguments.jobs != 0 ? arguments.jobs : std::max(1u, std::thread::hardware_concurrency());
  JudgeContext context{inputs->policy, inputs->waivers, inputs->catalogue, inputs->scan_date};
  ScanReport report = run_scan(std::move(inputs->targets), analyzer, context, jobs);
  if (const Result<SignatureDb>& loaded = db.get(); !loaded) {
    std::cerr << "fipsgate scan: " << loaded.error().message() << "\n";
    return kExitUsage;
  }
  report.tool_version = FIPSGATE_VERSION;
  if (report.binaries.empty()) {
    // Not an error (an image layer may hold no Go program), but a gate pointed at the wrong
    // directory should hear about it.
    std::cerr << "fipsgate scan: no Go binaries found under the given paths\n";
  }
  TextOptions text_options;
  text_options.colour = (arguments.output.empty() || arguments.output == "-") &&
                        isatty(STDOUT_FILENO) && std::getenv("NO_COLOR") == nullptr;
  std::string text = render_report(inputs->format, report, inputs->catalogue, text_options);
  if (Status written = write_report(text, arguments.output); !written) {
    std::cerr << "fipsgate scan: " << written.error().message() << "\n";
    return kExitUsage;
  }
  return exit_now(exit_code_for(scan_outcome(report)));
}

}  // namespace

void register_scan(CLI::App& app, ExitCode& exit_code) {
  auto* command = app.add_subcommand(
      "scan",
      "Judge Go binaries under a FIPS policy.\n"
      "Exit: 0 pass (warnings allowed), 1 policy failure, 2 usage or input error,\n"
      "3 some artifact could not be analyzed (takes precedence over 1).");
  auto arguments = std::make_shared<ScanArguments>();
  command->add_option("path", arguments->paths, "Files and directories (walked recursively)")
      ->required();
  command
      ->add_option("--policy", arguments->policy,
                   "Profile name (fips140-2-boring, fips140-3, any-validated) or policy file")
      ->capture_default_str();
  command->add_option("--waivers", arguments->waivers, "Waivers file (YAML)");
  command->add_option("--format", arguments->format, "Report format")
      ->check(CLI::IsMember({"text", "json", "sarif", "junit"}))
      ->capture_default_str();
  command->add_option("--output,-o", arguments->output,
                      "Write the report to FILE (default stdout)");
  command
      ->add_option("--jobs,-j", arguments->jobs,
                   "Threads the scan uses: binaries analyzed in parallel, and helpers beside a "
                   "lone binary's analysis (default: cores)")
      ->check(CLI::Range(1u, 256u));
  command->add_option(
      "--date", arguments->date,
      "Scan date YYYY-MM-DD for certificate status and waiver expiry (default today)");
  command->add_flag("--all-files", arguments->all_files,
                    "In directories, also analyze files without an ELF/PE/Mach-O header");
  command
      ->add_option("--digest", arguments->digest,
                   "SHA-256 of each file: sha256, none, or auto (for json and sarif reports and "
                   "sha256 waivers)")
      ->check(CLI::IsMember({"auto", "sha256", "none"}))
      ->capture_default_str();
  command->callback([arguments, &exit_code] { exit_code = run(*arguments); });
}

}  // namespace fipsgate::cli
