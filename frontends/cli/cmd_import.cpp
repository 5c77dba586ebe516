// kiln import MODEL.onnx [-o OUT.kir]
// Writes the model as Kiln's textual IR. With -o, constants larger than
// --inline-limit elements go to the side file OUT.kir.bin; without -o the text
// goes to stdout with every constant inline.
#include <fmt/format.h>


#include "frontends/cli/cli_common.h"
#include "frontends/cli/commands.h"
#include "frontends/onnx/importer.h"
#include "ir/error.h"

namespace kiln::cli {

namespace {

struct ImportArgs {
  std::string model, out;
  int64_t inlineLimit = 16;
};

int importCmd(const ImportArgs& a) {
  writeGraphText(onnx::importModel(a.model), a.out, a.inlineLimit, /*elideOnStdout=*/false);
  return 0;
}

}  // namespace

Command addImportCommand(CLI::App& app) {
  auto args = std::make_shared<ImportArgs>();
  CLI::App* cmd = app.add_subcommand("import", "Convert an ONNX model to Kiln's textual IR");
  cmd->add_option("model", args->model, "ONNX model file")->required();
  cmd->add_option("-o,--output", args->out, "Output .kir file (large constants go to OUT.bin)");
  cmd->add_option("--inline-limit", args->inlineLimit, "Largest constant (elements) kept inline")
      ->check(CLI::Range(int64_t{0}, INT64_MAX));
  return [args] { return importCmd(*args); };
}

}  // namespace kiln::cli
