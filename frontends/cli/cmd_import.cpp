// kiln import MODEL.onnx [-o OUT.kir]
// Writes the model as Kiln's textual IR. With -o, constants larger than
// --inline-limit elements go to the side file OUT.kir.bin; without -o the text
// goes to stdout with every constant inline.
#include <fmt/format.h>

#include <filesystem>
#include <fstream>

#include "frontends/cli/commands.h"
#include "frontends/onnx/importer.h"
#include "ir/error.h"
#include "ir/text.h"

namespace kiln::cli {

namespace {

struct ImportArgs {
  std::string model, out;
  int64_t inlineLimit = 16;
};

int importCmd(const ImportArgs& a) {
  ir::Graph g = onnx::importModel(a.model);
  ir::PrintOptions opts;
  opts.inlineElementLimit = a.inlineLimit;
  if (a.out.empty()) {
    opts.inlineElementLimit = INT64_MAX;
    fmt::print("{}", ir::printGraph(g, opts));
    return 0;
  }
  opts.sidePath = a.out + ".bin";
  opts.sideNameInText = std::filesystem::path(opts.sidePath).filename().string();
  std::string text = ir::printGraph(g, opts);
  std::ofstream f(a.out, std::ios::binary);
  if (!f || !(f << text) || !f.flush()) fail("cannot write '{}'", a.out);
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
