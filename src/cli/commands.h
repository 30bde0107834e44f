// Subcommand registration. Each command adds itself to the app and writes its exit code into
// the shared slot when it runs.
#pragma once

#include <CLI/CLI.hpp>

namespace fipsgate::cli {

using ExitCode = int;
inline constexpr ExitCode kExitOk = 0;
inline constexpr ExitCode kExitPolicyFailure = 1;
inline constexpr ExitCode kExitUsage = 2;
inline constexpr ExitCode kExitUnanalyzable = 3;

void register_commands(CLI::App& app, ExitCode& exit_code);

// One function per command file.
void register_inspect(CLI::App& app, ExitCode& exit_code);
void register_scan(CLI::App& app, ExitCode& exit_code);
void register_explain(CLI::App& app, ExitCode& exit_code);

}  // namespace fipsgate::cli
