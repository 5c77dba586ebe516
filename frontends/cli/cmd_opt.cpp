// kiln opt IN.(onnx|kir|-) [--passes=P1,P2,...] [-O N] [-o OUT.kir] ...
// Runs graph passes over a model and prints the resulting textual IR, the way
// LLVM's `opt` and `mlir-opt` do: the tool behind tests/lit and behind
// experiments with pass order.
//
// - Input: an ONNX model (by its .onnx extension), a .kir file, or '-' for
//   .kir text on stdin. The input is verified (ir/verifier.h) first.
// - With --shape NAME=DIMS (or --specialize, which takes the inputs' static
//   dims) the graph is first specialized to those shapes as the JIT does:
//   types inferred, constant subgraphs folded. Fusions need static shapes.
// - The pipeline is --passes, else the -O level's (passes/pipeline.h).
// - Output: -o OUT.kir writes the IR with constants over --inline-limit
//   elements in OUT.kir.bin; otherwise the IR goes to stdout with those
//   constants printed as `elided`. Dumps (--print-ir-after*) and the
//   --time-passes report go to stderr.
#include <fmt/format.h>

#include <iostream>
#include <iterator>

#include "codegen/compiler.h"
#include "frontends/cli/cli_common.h"
#include "frontends/cli/commands.h"
#include "frontends/onnx/importer.h"
#include "ir/error.h"
#include "ir/text.h"
#include "ir/verifier.h"
#include "passes/pass_manager.h"
#include "passes/pipeline.h"
#include "passes/registry.h"
#include "passes/specialize_shapes.h"

namespace kiln::cli {

namespace {

struct OptArgs {
  std::string model, out;
  std::optional<std::string> passes;
  int optLevel = 3;
  std::vector<std::string> shapes;
  bool specialize = false;
  bool listPasses = false;
  bool printIrAfterAll = false;
  std::vector<std::string> printIrAfter;
  bool timePasses = false;
  bool verifyEach = false;
  int64_t inlineLimit = 16;
};

bool hasSuffix(const std::string& s, const char* suffix) {
  std::string_view v(s), x(suffix);
  return v.size() >= x.size() && v.substr(v.size() - x.size()) == x;
}

ir::Graph readGraph(const std::string& path) {
  if (path == "-") {
    std::string text((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
    return ir::parseGraph(text);
  }
  if (hasSuffix(path, ".onnx")) {
    ir::Graph g = onnx::importModel(path);
    ir::verifyGraph(g);
    return g;
  }
  return ir::parseGraphFile(path);
}

// The concrete shape of every input: --shape NAME=DIMS, else its static dims.
std::vector<std::vector<int64_t>> inputShapes(const ir::Graph& g, const std::vector<std::string>& specs) {
  std::map<std::string, std::vector<int64_t>> given;
  for (const std::string& spec : specs) {
    auto [name, dims] = splitSpec(spec, "--shape");
    if (name.empty()) fail("--shape expects NAME=DIMS, got '{}'", spec);
    if (!g.findValue(name) || std::find(g.inputs.begin(), g.inputs.end(), *g.findValue(name)) == g.inputs.end())
      fail("--shape: the graph has no input '{}'", name);
    given[name] = parseShape(dims);
  }
  std::vector<std::vector<int64_t>> shapes;
  for (ir::ValueId in : g.inputs) {
    const ir::Value& v = g.value(in);
    if (auto it = given.find(v.name); it != given.end()) shapes.push_back(it->second);
    else if (v.isTensor() && v.type.isStatic()) shapes.push_back(v.type.staticShape());
    else fail("input '{}' has type {}; give its shape with --shape {}=DIMS", v.name, ir::printValueType(v), v.name);
  }
  return shapes;
}

int listPasses() {
  for (const passes::PassInfo& p : passes::allPasses()) fmt::print("  {:<22} {}\n", p.name, p.summary);
  return 0;
}

int optCmd(const OptArgs& a) {
  if (a.listPasses) return listPasses();
  if (a.model.empty()) fail("kiln opt: no input (a .onnx or .kir file, or - for stdin)");
  std::vector<const passes::PassInfo*> pipeline =
      passes::parsePipeline(a.passes.value_or(passes::defaultPipeline(a.optLevel)));
  for (const std::string& name : a.printIrAfter)
    if (!passes::findPass(name)) fail("--print-ir-after: unknown pass '{}'", name);

  ir::Graph g = readGraph(a.model);
  codegen::JitConstantEvaluator evaluator(codegen::Target::host());
  passes::PassInstrumentation instr;
  instr.printIrAfterAll = a.printIrAfterAll;
  instr.printIrAfter = a.printIrAfter;
  instr.timePasses = a.timePasses;
  instr.verifyEach = instr.verifyEach || a.verifyEach;

  if (a.specialize || !a.shapes.empty()) {
    passes::specializeShapes(g, inputShapes(g, a.shapes), evaluator);
    g.removeDeadCode();
    if (a.printIrAfterAll) {
      ir::PrintOptions dumpOpts;
      dumpOpts.elideLargeConstants = true;
      std::cerr << "// -----// IR Dump After specialize-shapes //----- //\n" << ir::printGraph(g, dumpOpts) << "\n";
    }
  }
  passes::PassContext context;
  context.evaluator = &evaluator;
  passes::runPipeline(g, pipeline, context, instr);

  writeGraphText(g, a.out, a.inlineLimit, /*elideOnStdout=*/true);
  return 0;
}

}  // namespace

Command addOptCommand(CLI::App& app) {
  auto args = std::make_shared<OptArgs>();
  CLI::App* cmd = app.add_subcommand("opt", "Run graph passes over a model and print the IR (like LLVM's opt)");
  cmd->add_option("model", args->model, "Input: .onnx, .kir, or - (IR text on stdin)");
  cmd->add_option_function<std::string>(
      "--passes", [args](const std::string& p) { args->passes = p; },
      "Pass pipeline, comma-separated (default: the -O level's)")
      ->expected(0, 1);
  cmd->add_option("-O", args->optLevel, "Use this -O level's default pipeline (0..3, default 3)")
      ->check(CLI::Range(0, 3));
  cmd->add_option("-o,--output", args->out, "Write the IR here (constants over --inline-limit go to OUT.bin)");
  cmd->add_option("--shape", args->shapes, "Specialize input NAME to DIMS first, e.g. x=1x3x640x640");
  cmd->add_flag("--specialize", args->specialize, "Specialize to the inputs' static shapes first");
  cmd->add_flag("--list-passes", args->listPasses, "List the passes and exit");
  cmd->add_flag("--print-ir-after-all", args->printIrAfterAll, "Print the IR to stderr after every pass");
  cmd->add_option("--print-ir-after", args->printIrAfter, "Print the IR to stderr after this pass")
      ->delimiter(',');
  cmd->add_flag("--time-passes", args->timePasses, "Print each pass's wall time to stderr");
  cmd->add_flag("--verify-each", args->verifyEach, "Verify the IR after every pass (always on in debug builds)");
  cmd->add_option("--inline-limit", args->inlineLimit, "Largest constant (elements) printed inline")
      ->check(CLI::Range(int64_t{0}, INT64_MAX));
  return [args] { return optCmd(*args); };
}

}  // namespace kiln::cli
