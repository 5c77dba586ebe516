// kiln run MODEL.onnx [-i NAME=FILE]... [-o OUTDIR] [--threads N] [-O0..-O3]
// kiln run --aot libNAME.so [-i NAME=FILE]... [-o OUTDIR] [--threads N]
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "frontends/cli/aot_model.h"
#include "frontends/cli/cli_common.h"
#include "frontends/cli/commands.h"
#include "frontends/onnx/value_proto.h"
#include "runtime/npy.h"

namespace kiln::cli {

namespace {

struct RunArgs {
  std::string model;
  std::string aot;  // a library from `kiln compile`, run instead of a JIT-compiled model
  std::vector<std::string> inputs;
  std::string outDir;
  CompileFlags flags;
};

// "min -0.98 max 1.0 mean 0.01" over a float or integer tensor.
std::string summarize(const runtime::Tensor& t) {
  int64_t n = t.numElements();
  if (n == 0) return "empty";
  double lo = INFINITY, hi = -INFINITY, sum = 0;
  auto visit = [&](double v) { lo = std::min(lo, v); hi = std::max(hi, v); sum += v; };
  for (int64_t i = 0; i < n; ++i) {
    switch (t.dtype()) {
      case DType::F32: visit(t.data<float>()[i]); break;
      case DType::F64: visit(t.data<double>()[i]); break;
      case DType::I64: visit(static_cast<double>(t.data<int64_t>()[i])); break;
      case DType::I32: visit(t.data<int32_t>()[i]); break;
      case DType::U8: case DType::Bool: visit(t.data<uint8_t>()[i]); break;
      case DType::I8: visit(t.data<int8_t>()[i]); break;
      default: return "";
    }
  }
  return fmt::format("min {:.6g} max {:.6g} mean {:.6g}", lo, hi, sum / static_cast<double>(n));
}

// "f32[2x3] min .. max .. mean ..", "sequence of 3 tensors", "none".
std::string describe(const runtime::Value& v) {
  if (v.isNone()) return "none (empty optional)";
  if (v.isSequence()) return fmt::format("sequence of {} tensors", v.sequence().size());
  const runtime::Tensor& t = v.tensor();
  return fmt::format("{}[{}] {}", dtypeName(t.dtype()), runtime::shapeToString(t.shape()), summarize(t));
}

// Numeric tensors as OUTDIR/NAME.npy; string tensors, sequences and optionals
// (which NumPy files cannot hold) as ONNX TensorProto/SequenceProto/OptionalProto OUTDIR/NAME.pb.
void writeOutput(const std::string& outDir, const ir::Value& decl, const runtime::Value& v) {
  std::filesystem::path base = std::filesystem::path(outDir) / sanitizeName(decl.name);
  if (decl.isTensor() && v.isTensor() && v.tensor().dtype() != DType::String) {
    // NumPy has no bfloat16: a bf16 output is written as its uint16 bit patterns.
    const runtime::Tensor& t = v.tensor();
    runtime::writeNpy(base.string() + ".npy", t.dtype() == DType::BF16 ? retype(t, DType::U16) : t);
    return;
  }
  onnx::writeValueProtoFile(base.string() + ".pb", v, decl);
}

void printOrWrite(const RunArgs& a, const ir::Graph& g, const std::vector<runtime::Value>& outputs) {
  if (!a.outDir.empty()) std::filesystem::create_directories(a.outDir);
  for (size_t i = 0; i < outputs.size(); ++i) {
    const ir::Value& decl = g.value(g.outputs[i]);
    if (!a.outDir.empty())
      writeOutput(a.outDir, decl, outputs[i]);
    else
      fmt::print("{}: {}\n", decl.name, describe(outputs[i]));
  }
}

int runAot(const RunArgs& a) {
  AotModel model(a.aot, a.flags.threads);
  std::vector<runtime::Value> outputs;
  for (runtime::Tensor& t : model.run(collectInputs(model.interface(), a.inputs))) outputs.emplace_back(std::move(t));
  printOrWrite(a, model.interface(), outputs);
  return 0;
}

int run(const RunArgs& a) {
  if (a.model.empty() == a.aot.empty()) fail("give either a MODEL.onnx or --aot libNAME.so");
  if (!a.aot.empty()) return runAot(a);
  auto model = loadStagedModel(a.model, a.flags);
  std::vector<runtime::Value> inputs = collectValues(model->graph(), a.inputs);
  runtime::ThreadPool pool(a.flags.threads);
  printOrWrite(a, model->graph(), model->run(inputs, pool));
  return 0;
}

}  // namespace

void addCompileFlags(CLI::App* cmd, CompileFlags& f) {
  cmd->add_option("--threads", f.threads, "Threads for one run")->check(CLI::Range(1, 256));
  cmd->add_option("-O", f.optLevel, "Optimization level 0..3 (-O0 .. -O3)")->check(CLI::Range(0, 3));
  cmd->add_option_function<std::string>(
      "--passes", [&f](const std::string& p) { f.passes = p; },
      "Graph pass pipeline, e.g. fuse-epilogue,dce (default: the -O level's; see kiln opt --list-passes)")
      ->expected(0, 1);
  cmd->add_flag("--time-passes", f.timePasses, "Print each graph pass's time to stderr");
  cmd->add_flag("--no-cache", f.noCache, "Do not read or write the persistent compile cache");
  cmd->add_option("--cache-dir", f.cacheDir, "Compile cache directory (default: $XDG_CACHE_HOME/kiln, else ~/.cache/kiln)");
}

Command addRunCommand(CLI::App& app) {
  auto args = std::make_shared<RunArgs>();
  CLI::App* cmd = app.add_subcommand("run", "Compile a model for this CPU and run it once");
  cmd->add_option("model", args->model, "ONNX model file");
  cmd->add_option("--aot", args->aot, "Run this library from `kiln compile` instead of a model");
  cmd->add_option("-i,--input", args->inputs, "Input tensor NAME=FILE (.npy or TensorProto .pb)");
  cmd->add_option("-o,--output-dir", args->outDir, "Write each output as OUTDIR/NAME.npy");
  addCompileFlags(cmd, args->flags);
  return [args] { return run(*args); };
}

}  // namespace kiln::cli
