#include "cli/commands.h"

namespace fipsgate::cli {

void register_commands(CLI::App& app, ExitCode& exit_code) {
  register_inspect(app, exit_code);
}

}  // namespace fipsgate::cli
