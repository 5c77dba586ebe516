// kiln bench MODEL.onnx [-i NAME=FILE | --shape NAME=DIMS]... [--threads N]
//            [--warmup N] [--iters N] [--json]
// Reports compile time (shape specialization + codegen + JIT) and run latency.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <functional>
#include <map>
#include <optional>

#include "frontends/cli/cli_common.h"
#include "frontends/cli/commands.h"
#include "runtime/run_context.h"

namespace kiln::cli {

void addCompileFlags(CLI::App* cmd, CompileFlags& f);

namespace {

struct BenchArgs {
  std::string model;
  std::vector<std::string> inputs, shapes;
  CompileFlags flags;
  int warmup = 3, iters = 20;
  bool json = false;
  int profile = 0;  // print the N slowest kernels
  std::string asmFile;  // write the kernels' assembly here
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

// Per-kernel wall time over `iters` runs: the `top` slowest kernels, then the
// total per op type.
void printProfile(runtime::RunContext& context, const std::vector<runtime::Tensor>& inputs,
                  std::vector<runtime::Tensor>& outputs, runtime::ThreadPool& pool, int iters, int top) {
  const runtime::CompiledModel& m = context.model();
  std::vector<double> ns;
  for (int i = 0; i < iters; ++i) context.runProfiled(inputs, outputs, pool, ns);
  double total = 0;
  for (double x : ns) total += x;
  std::vector<size_t> order(ns.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t x, size_t y) { return ns[x] > ns[y]; });
  fmt::print("profile    per run, {} kernels, {:.3f} ms in kernels\n", ns.size(), total / iters / 1e6);
  for (size_t i = 0; i < order.size() && i < static_cast<size_t>(top); ++i)
    fmt::print("  {:8.3f} ms {:5.1f}%  {}\n", ns[order[i]] / iters / 1e6, 100 * ns[order[i]] / total,
               m.kernel(order[i]).detail);
  std::map<std::string, std::pair<double, int>> byOp;
  for (size_t k = 0; k < ns.size(); ++k) {
    const std::string& name = m.kernel(k).name;
    auto& e = byOp[name.substr(name.rfind('_') + 1)];
    e.first += ns[k];
    e.second += 1;
  }
  std::vector<std::pair<std::string, std::pair<double, int>>> ops(byOp.begin(), byOp.end());
  std::sort(ops.begin(), ops.end(), [](auto& x, auto& y) { return x.second.first > y.second.first; });
  fmt::print("  by op:\n");
  for (auto& [op, e] : ops)
    fmt::print("  {:8.3f} ms {:5.1f}%  {} x{}\n", e.first / iters / 1e6, 100 * e.first / total, op, e.second);
}

int bench(const BenchArgs& a) {
  if (!a.inputs.empty() && !a.shapes.empty()) fail("give either -i or --shape, not both");
  auto t0 = std::chrono::steady_clock::now();
  CompileFlags flags = a.flags;
  flags.noCache |= !a.asmFile.empty();  // --asm recompiles from the specialized graph, which a cache hit lacks
  auto model = loadStagedModel(a.model, flags);
  double importMs = msSince(t0);
  std::vector<runtime::Value> inputs;
  if (a.inputs.empty())
    for (runtime::Tensor& t : randomInputs(model->graph(), a.shapes, 42)) inputs.emplace_back(std::move(t));
  else
    inputs = collectValues(model->graph(), a.inputs);

  // A fully compiled model times its one compiled variant through a RunContext
  // (the allocation-free path: arena and outputs reused); a model with host
  // ops (control flow, sequences, data-dependent shapes) times whole runs, and
  // its first run, which compiles each stage for these inputs, is the compile time.
  runtime::ThreadPool pool(a.flags.threads);
  codegen::CompileStats stats;
  std::function<void()> runOnce;
  std::optional<size_t> kernels;
  std::optional<int64_t> arenaBytes;
  std::vector<runtime::Tensor> tensors, outputs;
  std::unique_ptr<runtime::RunContext> context;
  std::shared_ptr<const ir::Graph> specialized;
  if (codegen::JitModel* jit = model->singleStage()) {
    for (const runtime::Value& x : inputs) tensors.push_back(x.tensor("input"));
    codegen::JitModel::Variant v = jit->specialize(tensors);
    stats = v.stats;
    kernels = v.model->numKernels();
    arenaBytes = v.model->arenaBytes();
    specialized = v.graph;
    context = std::make_unique<runtime::RunContext>(v.model);
    outputs = context->makeOutputs();
    runOnce = [&] { context->run(tensors, outputs, pool); };
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
  std::string cacheState = stats.cacheHit ? "hit" : compileOptions(flags).cacheDir.empty() ? "off" : "miss";
  double mn = *std::min_element(ms.begin(), ms.end()), med = percentile(ms, 0.5), p90 = percentile(ms, 0.9);
  if (a.json) {
    nlohmann::json j = {{"model", a.model},
                        {"threads", a.flags.threads},
                        {"compile_ms", stats.totalMs()},
                        {"cache", cacheState},
                        {"import_ms", importMs},
                        {"kernels", kernels ? nlohmann::json(*kernels) : nlohmann::json()},
                        {"arena_bytes", arenaBytes ? nlohmann::json(*arenaBytes) : nlohmann::json()},
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
      if (stats.cacheHit)
        fmt::print("compile    {:.1f} ms (compile cache hit)\n", stats.totalMs());
      else
        fmt::print("compile    {:.1f} ms ({:.1f} specialize + {:.1f} codegen; compile cache {})\n", stats.totalMs(),
                   stats.specializeMs, stats.codegenMs, cacheState);
      if (!stats.cacheNote.empty()) fmt::print("cache note {}\n", stats.cacheNote);
      fmt::print("kernels    {}\n", *kernels);
      fmt::print("arena      {} bytes ({:.2f} MiB)\n", *arenaBytes, static_cast<double>(*arenaBytes) / (1 << 20));
    } else {
      fmt::print("compile    {:.1f} ms (first run, which compiles for these inputs: {} host ops, {} compiled "
                 "top-level stages, subgraphs)\n",
                 stats.totalMs(), model->numHostNodes(), model->numStages());
    }
    fmt::print("latency    min {:.3f} ms  median {:.3f} ms  p90 {:.3f} ms  ({} iters)\n", mn, med, p90, a.iters);
  }
  if (!a.asmFile.empty()) {
    if (!specialized) fail("--asm needs a fully compiled model (this one has host ops)");
    std::ofstream out(a.asmFile);
    out << codegen::compileToAssembly(*specialized, model->singleStage()->options());
    if (!out) fail("cannot write '{}'", a.asmFile);
  }
  if (a.profile > 0) {
    if (!context) fail("--profile needs a fully compiled model (this one has host ops)");
    printProfile(*context, tensors, outputs, pool, a.iters, a.profile);
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
  cmd->add_option("--profile", args->profile, "Also print the N slowest kernels and time per op type")
      ->check(CLI::Range(1, 100000));
  cmd->add_option("--asm", args->asmFile, "Also write the compiled kernels' assembly to this file");
  addCompileFlags(cmd, args->flags);
  return [args] { return bench(*args); };
}

}  // namespace kiln::cli
