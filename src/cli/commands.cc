#include "cli/commands.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>

#if defined(__SANITIZE_ADDRESS__)
#define FIPSGATE_CHECKS_LEAKS 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FIPSGATE_CHECKS_LEAKS 1
#endif
#endif

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
#ifdef FIPSGATE_CHECKS_LEAKS
  return flushed(code);
#else
  const ExitCode final_code = flushed(code);
  std::cerr.flush();
  std::_Exit(final_code);
#endif
}

}  // namespace fipsgate::cli
