// kiln bench MODEL.onnx [-i NAME=FILE | --shape NAME=DIMS]... [--threads N]
//            [--warmup N] [--iters N] [--json]
// Reports compile time (shape specialization + codegen + JIT) and run latency.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <functional>
#include <optional>

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

double msSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

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
  auto model = loadStagedModel(a.model, a.flags);
  double importMs = msSince(t0);
  std::vector<runtime::Value> inputs;
  if (a.inputs.empty())
    for (runtime::Tensor& t : randomInputs(model->graph(), a.shapes, 42)) inputs.emplace_back(std::move(t));
  else
    inputs = collectValues(model->graph(), a.inputs);

  // A fully compiled model times its one compiled variant; a model with host
  // ops (control flow, sequences, data-dependent shapes) times whole runs, and
  // its first run, which compiles each stage for these inputs, is the compile time.
  runtime::ThreadPool pool(a.flags.threads);
  codegen::CompileStats stats;
  std::function<void()> runOnce;
  std::optional<size_t> kernels;
  std::vector<runtime::Tensor> tensors;
  codegen::JitModel::Variant v;
  if (codegen::JitModel* jit = model->singleStage()) {
    for (const runtime::Value& x : inputs) tensors.push_back(x.tensor("input"));
    v = jit->specialize(tensors);
    stats = v.stats;
    kernels = v.model->numKernels();
    runOnce = [&] { v.model->run(tensors, pool); };
  } else {
    auto s = std::chrono::steady_clock::now();
    model->run(inputs, pool);
    stats.codegenMs = msSince(s);
    runOnce = [&] { model->run(inputs, pool); };
  }
  for (int i = 0; i < a.warmup; ++i) runOnce();
  std::vector<double> ms;
  for (int i = 0; i < a.iters; ++i) {
    auto s = std::chrono::steady_clock::now();
    runOnce();
    ms.push_back(msSince(s));
  }
  double mn = *std::min_element(ms.begin(), ms.end()), med = percentile(ms, 0.5), p90 = percentile(ms, 0.9);
  if (a.json) {
    nlohmann::json j = {{"model", a.model},
                        {"threads", a.flags.threads},
                        {"compile_ms", stats.totalMs()},
                        {"import_ms", importMs},
                        {"kernels", kernels ? nlohmann::json(*kernels) : nlohmann::json()},
                        {"host_ops", model->numHostNodes()},
                        {"opt_level", a.flags.optLevel},
                        {"iters", a.iters},
                        {"latency_ms", {{"min", mn}, {"median", med}, {"p90", p90}}}};
    fmt::print("{}\n", j.dump());
  } else {
    fmt::print("model      {}\n", a.model);
    fmt::print("threads    {}\n", a.flags.threads);
    fmt::print("import     {:.1f} ms\n", importMs);
    if (kernels) {
      fmt::print("compile    {:.1f} ms ({:.1f} specialize + {:.1f} codegen)\n", stats.totalMs(),
                 stats.specializeMs, stats.codegenMs);
      fmt::print("kernels    {}\n", *kernels);
    } else {
      fmt::print("compile    {:.1f} ms (first run, which compiles for these inputs: {} host ops, {} compiled "
                 "top-level stages, subgraphs)\n",
                 stats.totalMs(), model->numHostNodes(), model->numStages());
    }
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
