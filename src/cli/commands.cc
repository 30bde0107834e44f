#include "cli/commands.h"

namespace fipsgate::cli {

void register_commands(CLI::App& app, ExitCode& exit_code) {
  register_inspect(app, exit_code);
  register_scan(app, exit_code);
  register_explain(app, exit_code);
}

}  // namespace fipsgate::cli
