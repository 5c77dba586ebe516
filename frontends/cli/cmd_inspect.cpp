// kiln inspect MODEL.onnx [--json]
// Inputs/outputs, op histogram, parameter count and the ops Kiln cannot
// compile. Works on models Kiln cannot run (that is its point); exits 0 even
// when unsupported ops are listed.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "frontends/cli/commands.h"
#include "frontends/onnx/inspect.h"

namespace kiln::cli {

namespace {

struct InspectArgs {
  std::string model;
  bool json = false;
};

std::string dimsText(const onnx::IoSummary& io) {
  if (!io.isTensor) return "(not a tensor)";
  if (!io.rankKnown) return "[*]";
  std::string s = "[";
  for (size_t i = 0; i < io.dims.size(); ++i) {
    const ir::Dim& d = io.dims[i];
    s += (i ? "," : "") + (d.isStatic() ? std::to_string(d.value) : (d.symbol.empty() ? "?" : d.symbol));
  }
  return s + "]";
}

int inspect(const InspectArgs& a) {
  onnx::ModelSummary s = onnx::inspectModel(a.model);
  if (a.json) {
    nlohmann::json j;
    j["model"] = a.model;
    j["ir_version"] = s.irVersion;
    j["producer"] = s.producer;
    j["opset_imports"] = s.opsetImports;
    for (const auto* list : {&s.inputs, &s.outputs}) {
      nlohmann::json arr = nlohmann::json::array();
      for (const auto& io : *list) arr.push_back({{"name", io.name}, {"dtype", io.dtype}, {"shape", dimsText(io)}});
      j[list == &s.inputs ? "inputs" : "outputs"] = arr;
    }
    j["nodes"] = s.nodeCount;
    j["op_histogram"] = s.opHistogram;
    j["parameters"] = s.parameterCount;
    j["unsupported_ops"] = s.unsupportedOps;
    fmt::print("{}\n", j.dump(2));
    return 0;
  }
  fmt::print("model       {}\n", a.model);
  fmt::print("ir_version  {}   producer {}\n", s.irVersion, s.producer.empty() ? "-" : s.producer);
  std::string opsets;
  for (const auto& [domain, v] : s.opsetImports) opsets += fmt::format(" {}={}", domain.empty() ? "ai.onnx" : domain, v);
  fmt::print("opsets     {}\n", opsets);
  for (const auto& io : s.inputs) fmt::print("input       {} : {}{}\n", io.name, io.dtype, dimsText(io));
  for (const auto& io : s.outputs) fmt::print("output      {} : {}{}\n", io.name, io.dtype, dimsText(io));
  fmt::print("nodes       {}\n", s.nodeCount);
  fmt::print("parameters  {}\n", s.parameterCount);
  fmt::print("ops:\n");
  for (const auto& [op, n] : s.opHistogram) fmt::print("  {:<24} {}\n", op, n);
  if (s.unsupportedOps.empty()) {
    fmt::print("unsupported none: every op is supported (compiled, or run on the host between "
               "compiled stages)\n");
  } else {
    std::string list;
    for (const auto& op : s.unsupportedOps) list += (list.empty() ? "" : ", ") + op;
    fmt::print("unsupported {}\n", list);
  }
  return 0;
}

}  // namespace

Command addInspectCommand(CLI::App& app) {
  auto args = std::make_shared<InspectArgs>();
  CLI::App* cmd = app.add_subcommand("inspect", "Summarize a model: I/O, ops, parameters, support");
  cmd->add_option("model", args->model, "ONNX model file")->required();
  cmd->add_flag("--json", args->json, "Print JSON");
  return [args] { return inspect(*args); };
}

}  // namespace kiln::cli
