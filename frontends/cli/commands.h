// The kiln subcommands. Each registers its flags on the CLI11 app and returns
// the process exit status when run (0 ok; kiln::Error propagates to main,
// which prints it and exits 2).
#pragma once

#include <CLI/CLI.hpp>

#include <functional>

namespace kiln::cli {

using Command = std::function<int()>;

Command addRunCommand(CLI::App& app);
Command addBenchCommand(CLI::App& app);
Command addInspectCommand(CLI::App& app);
Command addImportCommand(CLI::App& app);
Command addOptCommand(CLI::App& app);
Command addCompileCommand(CLI::App& app);

}  // namespace kiln::cli
