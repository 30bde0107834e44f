// fipsgate: command-line entry point. Subcommands live in their own files (src/cli/*_command.cc)
// and register themselves here; the library does all the work.
#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "io/huge_page_heap.h"

int main(int argc, char** argv) {
  fipsgate::keep_heap_in_huge_pages();
  CLI::App app{"fipsgate: tells from a binary's bytes which crypto a Go program really uses"};
  app.set_version_flag("--version", std::string("fipsgate ") + FIPSGATE_VERSION);
  app.require_subcommand(1);
  fipsgate::cli::ExitCode exit_code = fipsgate::cli::kExitOk;
  fipsgate::cli::register_commands(app, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    int code = app.exit(error);
    return code == 0 ? 0 : fipsgate::cli::kExitUsage;
  }
  return fipsgate::cli::flushed(exit_code);
}
