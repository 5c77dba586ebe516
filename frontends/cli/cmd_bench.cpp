// kiln bench MODEL.onnx [-i NAME=FILE | --shape NAME=DIMS]... [--threads N]
//            [--warmup N] [--iters N] [--json]
// Reports compile time (shape specialization + codegen + JIT) and run latency.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>

#include "frontends/cli/cli_common.h"
#include "frontends/cli/commands.h"

namespace kiln::cli {

void addCompileFlags(CLI::App* cmd, CompileFlags& f);

namespace {

struct BenchArgs {
  std::string model;
  std::vector<std::string> inputs, shapes;
  CompileFlags flags;
  int warmup = 3, iters = 20;
  bool json = false;
};

double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  double pos = p * static_cast<double>(v.size() - 1);
  size_t lo = static_cast<size_t>(pos);
  size_t hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (v[hi] - v[lo]) * (pos - static_cast<double>(lo));
}

int bench(const BenchArgs& a) {
  if (!a.inputs.empty() && !a.shapes.empty()) fail("give either -i or --shape, not both");
  auto t0 = std::chrono::steady_clock::now();
  auto model = loadModel(a.model, a.flags);
  double importMs = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  std::vector<runtime::Tensor> inputs =
      a.inputs.empty() ? randomInputs(model->graph(), a.shapes, 42) : collectInputs(model->graph(), a.inputs);
  codegen::JitModel::Variant v = model->specialize(inputs);

  runtime::ThreadPool pool(a.flags.threads);
  for (int i = 0; i < a.warmup; ++i) v.model->run(inputs, pool);
  std::vector<double> ms;
  for (int i = 0; i < a.iters; ++i) {
    auto s = std::chrono::steady_clock::now();
    v.model->run(inputs, pool);
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - s).count());
  }
  double mn = *std::min_element(ms.begin(), ms.end()), med = percentile(ms, 0.5), p90 = percentile(ms, 0.9);
  if (a.json) {
    nlohmann::json j = {{"model", a.model},
                        {"threads", a.flags.threads},
                        {"compile_ms", v.stats.totalMs()},
                        {"import_ms", importMs},
                        {"kernels", v.model->numKernels()},
                        {"opt_level", a.flags.optLevel},
                        {"iters", a.iters},
                        {"latency_ms", {{"min", mn}, {"median", med}, {"p90", p90}}}};
    fmt::print("{}\n", j.dump());
  } else {
    fmt::print("model      {}\n", a.model);
    fmt::print("threads    {}\n", a.flags.threads);
    fmt::print("import     {:.1f} ms\n", importMs);
    fmt::print("compile    {:.1f} ms ({:.1f} specialize + {:.1f} codegen)\n", v.stats.totalMs(),
               v.stats.specializeMs, v.stats.codegenMs);
    fmt::print("kernels    {}\n", v.model->numKernels());
    fmt::print("latency    min {:.3f} ms  median {:.3f} ms  p90 {:.3f} ms  ({} iters)\n", mn, med, p90, a.iters);
  }
  return 0;
}

}  // namespace

Command addBenchCommand(CLI::App& app) {
  auto args = std::make_shared<BenchArgs>();
  CLI::App* cmd = app.add_subcommand("bench", "Measure compile time and run latency");
  cmd->add_option("model", args->model, "ONNX model file")->required();
  cmd->add_option("-i,--input", args->inputs, "Input tensor NAME=FILE (.npy or .pb)");
  cmd->add_option("--shape", args->shapes, "Random input of shape NAME=1x3x640x640");
  cmd->add_option("--warmup", args->warmup, "Untimed runs first")->check(CLI::Range(0, 100000));
  cmd->add_option("--iters", args->iters, "Timed runs")->check(CLI::Range(1, 1000000));
  cmd->add_flag("--json", args->json, "Print one JSON object");
  addCompileFlags(cmd, args->flags);
  return [args] { return bench(*args); };
}

}  // namespace kiln::cli
