#include "frontends/onnx/inspect.h"

#include <onnx/onnx_pb.h>

#include <set>
#include <unordered_set>

#include "frontends/onnx/legacy_opset.h"
#include "frontends/onnx/proto_io.h"
#include "frontends/onnx/types.h"
#include "ir/error.h"
#include "runtime/tensor.h"

namespace kiln::onnx {

namespace {

using ::onnx::AttributeProto;
using ::onnx::GraphProto;
using ::onnx::NodeProto;

bool isDefaultDomain(const std::string& d) { return d.empty() || d == "ai.onnx"; }

IoSummary summarizeValue(const ::onnx::ValueInfoProto& v) {
  IoSummary s;
  s.name = v.name();
  if (v.type().value_case() != ::onnx::TypeProto::kTensorType) {
    s.isTensor = false;
    s.dtype.push_back('?');  // (not `= "?"`: GCC 12 raises a false -Wrestrict on it)
    s.rankKnown = false;
    return s;
  }
  const auto& tt = v.type().tensor_type();
  s.dtype = elemTypeName(tt.elem_type());
  s.rankKnown = tt.has_shape();
  for (const auto& d : tt.shape().dim()) {
    if (d.has_dim_value()) s.dims.push_back(ir::Dim::known(d.dim_value()));
    else if (d.has_dim_param() && !d.dim_param().empty()) s.dims.push_back(ir::Dim::named(d.dim_param()));
    else s.dims.push_back(ir::Dim::unknown());
  }
  return s;
}

int64_t tensorElements(const ::onnx::TensorProto& t) {
  try {
    return runtime::checkedNumElements({t.dims().begin(), t.dims().end()});
  } catch (const Error& e) {
    fail("tensor '{}': {}", t.name(), e.what());
  }
}

// Elements held by a Constant node's value attribute (0 for a sparse value).
int64_t constantElements(const NodeProto& n) {
  int64_t count = 0;
  for (const AttributeProto& a : n.attribute()) {
    if (a.name() == "value") count += tensorElements(a.t());
    else if (a.name() == "value_floats") count += a.floats_size();
    else if (a.name() == "value_ints") count += a.ints_size();
    else if (a.name() == "value_strings") count += a.strings_size();
    else if (a.name() == "value_float" || a.name() == "value_int" || a.name() == "value_string") count += 1;
  }
  return count;
}

void summarizeGraph(const GraphProto& g, ModelSummary& s, std::set<std::string>& unsupported,
                    int depth) {
  // Nesting is bounded by protobuf's own recursion limit; this is a second guard.
  if (depth > 64) fail("subgraphs are nested too deeply");
  s.initializerCount += g.initializer_size();
  for (const auto& t : g.initializer()) s.parameterCount += tensorElements(t);
  for (const NodeProto& n : g.node()) {
    const bool onnxDomain = isDefaultDomain(n.domain());
    std::string key = onnxDomain ? n.op_type() : n.domain() + ":" + n.op_type();
    ++s.opHistogram[key];
    ++s.nodeCount;
    if (onnxDomain && n.op_type() == "Constant") s.parameterCount += constantElements(n);
    else if (!onnxDomain || !ir::opFromName(latestOpType(n.op_type()))) unsupported.insert(key);
    for (const AttributeProto& a : n.attribute()) {
      if (a.type() == AttributeProto::GRAPH) summarizeGraph(a.g(), s, unsupported, depth + 1);
      for (const GraphProto& sub : a.graphs()) summarizeGraph(sub, s, unsupported, depth + 1);
    }
  }
}

}  // namespace

ModelSummary inspectModel(const std::string& path) {
  ::onnx::ModelProto model = parseModelProto(readProtoFileBytes(path, "ONNX model"), path);
  ModelSummary s;
  s.irVersion = model.ir_version();
  s.producer = model.producer_name();
  if (!model.producer_version().empty()) s.producer += " " + model.producer_version();
  const GraphProto& g = model.graph();
  s.graphName = g.name();
  for (const auto& imp : model.opset_import()) s.opsetImports[imp.domain()] = imp.version();

  std::unordered_set<std::string> initializers;
  for (const auto& t : g.initializer()) initializers.insert(t.name());
  for (const auto& in : g.input())
    if (!initializers.count(in.name())) s.inputs.push_back(summarizeValue(in));
  for (const auto& out : g.output()) s.outputs.push_back(summarizeValue(out));

  std::set<std::string> unsupported;
  try {
    summarizeGraph(g, s, unsupported, 0);
  } catch (const Error& e) {
    fail("{}: {}", path, e.what());
  }
  s.unsupportedOps.assign(unsupported.begin(), unsupported.end());
  return s;
}

}  // namespace kiln::onnx
