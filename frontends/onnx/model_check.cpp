#include "frontends/onnx/model_check.h"

#include <onnx/checker.h>
#include <onnx/shape_inference/implementation.h>

#include <optional>
#include <unordered_map>

#include "frontends/onnx/hardened_schemas.h"
#include "frontends/onnx/proto_io.h"
#include "ir/error.h"

namespace kiln::onnx {

namespace {
bool isDefaultDomain(const std::string& d) { return d.empty() || d == "ai.onnx"; }
}  // namespace

int64_t defaultOpset(const ::onnx::ModelProto& model, const std::string& label) {
  std::optional<int64_t> opset;
  for (const auto& imp : model.opset_import()) {
    if (!isDefaultDomain(imp.domain())) continue;
    if (opset && *opset != imp.version())
      fail("{}: imports the ai.onnx domain twice (opsets {} and {})", label, *opset, imp.version());
    opset = imp.version();
  }
  if (!opset && model.ir_version() < 3) opset = 1;
  if (!opset) fail("{}: not a valid ONNX model (no ai.onnx opset import)", label);
  if (*opset < 1) fail("{}: invalid ai.onnx opset version {}", label, *opset);
  return *opset;
}

void checkModel(const ::onnx::ModelProto& model, const std::string& modelDir,
                const std::string& label) {
  namespace checker = ::onnx::checker;
  // The model-level rules of onnx::checker::check_model, which has no way to
  // pass the model directory for a ModelProto. Models with a newer IR version
  // than this ONNX library knows are let through: the graph checks below
  // still validate everything Kiln relies on.
  checker::CheckerContext ctx;
  ctx.set_ir_version(static_cast<int>(model.ir_version()));
  std::unordered_map<std::string, int> imports;
  for (const auto& imp : model.opset_import()) imports[imp.domain()] = static_cast<int>(imp.version());
  if (model.ir_version() < 3) {
    if (!imports.empty()) fail("{}: invalid ONNX model: IR version < 3 cannot import opsets", label);
    imports[""] = 1;
  } else if (imports.empty()) {
    fail("{}: invalid ONNX model: no opset_import", label);
  }
  ctx.set_opset_imports(imports);
  ctx.set_model_dir(modelDir);
  ctx.set_schema_registry(hardenedSchemaRegistry());
  try {
    checker::LexicalScopeContext lex;
    checker::check_graph(model.graph(), ctx, lex);
    if (model.ir_version() >= 8) checker::check_model_local_functions(model, ctx, lex);
  } catch (const std::exception& e) {
    fail("{}: invalid ONNX model: {}", label, oneLine(e.what()));
  }
}

void inferShapes(::onnx::ModelProto& model, const std::string& label) {
  try {
    ::onnx::ShapeInferenceOptions options(/*check_type=*/true, /*strict_mode=*/1,
                                          /*data_prop=*/false);
    ::onnx::shape_inference::InferShapes(model, hardenedSchemaRegistry(), options);
  } catch (const std::exception& e) {
    fail("{}: ONNX shape inference failed: {}", label, oneLine(e.what()));
  }
}

}  // namespace kiln::onnx
