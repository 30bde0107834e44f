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

// `code` once standard output is flushed: a report that did not reach its reader is a failed
// run (kExitUsage, with a message), whatever it said.
ExitCode flushed(ExitCode code);

// Ends the process with flushed(code) without freeing what the command still holds (the
// signature database, the report, each thread's buffers and mapped ranges): the kernel drops
// it all at once, where freeing it piece by piece took 1 ms after a directory scan's report
// was written. Under AddressSanitizer it returns flushed(code) instead, so that leaks are still
// checked at exit.
ExitCode exit_now(ExitCode code);

// One function per command file.
void register_inspect(CLI::App& app, ExitCode& exit_code);
void register_scan(CLI::App& app, ExitCode& exit_code);
void register_explain(CLI::App& app, ExitCode& exit_code);

}  // namespace fipsgate::cli
