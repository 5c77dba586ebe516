// kiln compile MODEL.onnx -o libNAME.so [--header NAME.h] [--name NAME]
//   [--target-cpu CPU] [--target-features +f,-g] [--shape NAME=DIMS]... [-O N] [--passes=...]
// Ahead-of-time compilation into a shared library (codegen/aot_library.h).
#include <fmt/format.h>

#include <filesystem>
#include <regex>

#include "codegen/aot_library.h"
#include "codegen/jit_model.h"
#include "frontends/cli/cli_common.h"
#include "frontends/cli/commands.h"
#include "frontends/onnx/importer.h"

namespace kiln::cli {

namespace {

struct CompileArgs {
  std::string model, library, header, name, targetCpu, targetFeatures;
  std::vector<std::string> shapes;
  CompileFlags flags;
};

// "libocr_rec.so" -> "ocr_rec"; other characters become '_'.
std::string nameFromLibrary(const std::string& library) {
  std::string stem = std::filesystem::path(library).stem().string();
  if (stem.rfind("lib", 0) == 0) stem = stem.substr(3);
  std::string name = std::regex_replace(stem, std::regex("[^A-Za-z0-9_]"), "_");
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) name = "model_" + name;
  return name;
}

int compile(const CompileArgs& a) {
  CompileFlags flags = a.flags;
  flags.noCache = true;
  codegen::CompileOptions options = compileOptions(flags);
  if (!a.targetCpu.empty() || !a.targetFeatures.empty())
    options.target = codegen::Target::named(a.targetCpu.empty() ? codegen::Target::host().cpu : a.targetCpu,
                                            a.targetFeatures);
  ir::Graph graph = onnx::importModel(a.model);
  std::vector<std::vector<int64_t>> shapes = inputShapes(graph, a.shapes);
  ir::Graph g;
  try {
    g = codegen::prepareGraph(graph, shapes, std::vector<ir::TensorDataPtr>(shapes.size()), options);
  } catch (const ir::ValueRequired& e) {
    fail("{} (a shape depends on an input's contents, which an AOT library cannot specialize on)", e.what());
  }
  codegen::ModelImage image = codegen::buildModelImage(g, options);
  codegen::AotOptions aot;
  aot.name = a.name.empty() ? nameFromLibrary(a.library) : a.name;
  aot.libraryPath = a.library;
  aot.headerPath = a.header;
  aot.source = std::filesystem::path(a.model).filename().string();
  codegen::writeAotLibrary(image, options.target, options.optLevel, aot);
  fmt::print("{}: {} kernels for CPU '{}', entry points {}_create/_run/_destroy{}\n", a.library,
             image.plan.parts.kernels.size(), options.target.cpu, aot.name,
             a.header.empty() ? "" : ", header " + a.header);
  return 0;
}

}  // namespace

Command addCompileCommand(CLI::App& app) {
  auto args = std::make_shared<CompileArgs>();
  CLI::App* cmd = app.add_subcommand("compile", "Compile a model ahead of time into a shared library");
  cmd->add_option("model", args->model, "ONNX model file")->required();
  cmd->add_option("-o,--output", args->library, "Shared library to write, e.g. libocr_rec.so")->required();
  cmd->add_option("--header", args->header, "Also write the C header declaring the entry points");
  cmd->add_option("--name", args->name, "C prefix of the entry points (default: from the library name)");
  cmd->add_option("--target-cpu", args->targetCpu,
                  "LLVM CPU to compile for: znver4, skylake-avx512, haswell, x86-64-v3, x86-64 (default: this CPU)");
  cmd->add_option("--target-features", args->targetFeatures, "Extra LLVM features, e.g. +avx512f,-avx512bf16");
  cmd->add_option("--shape", args->shapes, "Input shape NAME=1x3x48x320 (needed for symbolic dims)");
  cmd->add_option("-O", args->flags.optLevel, "Optimization level 0..3")->check(CLI::Range(0, 3));
  cmd->add_option_function<std::string>(
      "--passes", [args](const std::string& p) { args->flags.passes = p; },
      "Graph pass pipeline (default: the -O level's)")
      ->expected(0, 1);
  return [args] { return compile(*args); };
}

}  // namespace kiln::cli
