#include <iostream>

#include "cli/commands.h"

namespace fipsgate::cli {

void register_inspect(CLI::App& app, ExitCode& exit_code) {
  auto* command = app.add_subcommand("inspect", "Print what Go itself knows about each binary");
  auto files = std::make_shared<std::vector<std::string>>();
  command->add_option("binary", *files, "Go binaries to inspect")->required();
  command->callback([files, &exit_code] {
    std::cerr << "inspect: not built yet\n";
    exit_code = kExitUsage;
  });
}

}  // namespace fipsgate::cli
