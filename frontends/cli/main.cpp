// kiln — compile and run ONNX models with LLVM-generated kernels.
// Exit status: 0 success, 1 usage error, 2 bad or unsupported model or input.
#include <fmt/format.h>

#include <exception>
#include <map>

#include "frontends/cli/commands.h"
#include "ir/error.h"

int main(int argc, char** argv) {
  CLI::App app{"Kiln: a compiled-graph inference runtime for CPUs", "kiln"};
  app.require_subcommand(1);
  std::map<CLI::App*, kiln::cli::Command> commands;
  auto add = [&](kiln::cli::Command (*fn)(CLI::App&), const char* name) {
    size_t before = app.get_subcommands({}).size();
    kiln::cli::Command c = fn(app);
    auto subs = app.get_subcommands({});
    if (subs.size() != before + 1) throw std::logic_error(std::string("subcommand not added: ") + name);
    commands[subs.back()] = std::move(c);
  };
  add(kiln::cli::addRunCommand, "run");
  add(kiln::cli::addBenchCommand, "bench");
  add(kiln::cli::addInspectCommand, "inspect");
  add(kiln::cli::addImportCommand, "import");
  add(kiln::cli::addOptCommand, "opt");
  add(kiln::cli::addCompileCommand, "compile");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return 1;
  }
  try {
    for (auto& [sub, run] : commands)
      if (sub->parsed()) return run();
  } catch (const kiln::Error& e) {
    fmt::print(stderr, "kiln: error: {}\n", e.what());
    return 2;
  } catch (const std::bad_alloc&) {
    fmt::print(stderr, "kiln: error: out of memory\n");
    return 2;
  } catch (const std::exception& e) {
    fmt::print(stderr, "kiln: error: {}\n", e.what());
    return 2;
  }
  return 1;
}
