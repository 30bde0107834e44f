#include "cli/commands.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>

#include "io/sanitizer.h"

namespace fipsgate::cli {

void register_commands(CLI::App& app, ExitCode& exit_code) {
  register_inspect(app, exit_code);
  register_scan(app, exit_code);
  register_explain(app, exit_code);
}

ExitCode flushed(ExitCode code) {
  if (!std::cout.flush() || std::fflush(stdout) != 0) {
    std::cerr << "fipsgate: standard output could not be written: " << std::strerror(errno) << "\n";
    return kExitUsage;
  }
  return code;
}

ExitCode exit_now(ExitCode code) {
  const ExitCode final_code = flushed(code);
  if constexpr (kAddressSanitizer) return final_code;  // its leak check runs at the exit
  std::cerr.flush();
  std::_Exit(final_code);
}

}  // namespace fipsgate::cli
