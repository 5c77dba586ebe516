#include "frontends/onnx/legacy_opset.h"

#include <onnx/onnx_pb.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <optional>

#include "ir/error.h"

namespace kiln::onnx {

namespace {

using ir::kNoValue;
using ir::OpKind;
using ir::TensorData;

// The pieces every rewrite needs: the node, its graph (for input types) and
// how to add constants and name errors.
struct Rewrite {
  const ir::Graph& graph;
  ir::Node& node;
  int64_t opset;
  const std::string& owner;
  const MakeConstant& makeConstant;

  const ir::TensorType* inputType(size_t i) const {
    return node.hasInput(i) ? &graph.type(node.inputs[i]) : nullptr;
  }

  // Removes attribute `name` and returns it, converting getter type errors
  // into errors that name the node.
  template <typename Get>
  auto take(const std::string& name, Get get) -> std::optional<decltype(get())> {
    if (!node.attrs.has(name)) return std::nullopt;
    try {
      auto v = get();
      node.attrs.erase(name);
      return v;
    } catch (const Error& e) {
      fail("{}: {}", owner, e.what());
    }
  }
  std::optional<std::vector<int64_t>> takeInts(const std::string& name) {
    return take(name, [&] { return node.attrs.getInts(name); });
  }
  std::optional<float> takeFloat(const std::string& name) {
    return take(name, [&] { return node.attrs.getFloat(name, 0.0f); });
  }
  std::optional<int64_t> takeInt(const std::string& name) {
    return take(name, [&] { return node.attrs.getInt(name, 0); });
  }

  // Places `v` at input `index`, padding skipped optional inputs with kNoValue.
  void setInput(size_t index, ir::ValueId v) {
    if (node.hasInput(index))
      fail("{}: has both input #{} and the opset-{} attribute it replaces", owner, index, opset);
    if (node.inputs.size() <= index) node.inputs.resize(index + 1, kNoValue);
    node.inputs[index] = v;
  }
  void intsToInput(const std::string& attr, size_t index, bool required) {
    auto v = takeInts(attr);
    if (!v) {
      if (required) fail("{}: opset {} requires attribute '{}'", owner, opset, attr);
      return;
    }
    auto n = static_cast<int64_t>(v->size());
    setInput(index, makeConstant(attr, TensorData::fromInts(*v, {n})));
  }
};

void upgradeClip(Rewrite& r) {
  // Opset 6-10 Clip only accepts float types; the bounds take the input's type.
  const ir::TensorType* t = r.inputType(0);
  DType dtype = t && isFloat(t->dtype) ? t->dtype : DType::F32;
  if (auto lo = r.takeFloat("min")) r.setInput(1, r.makeConstant("min", TensorData::filled(dtype, {}, *lo)));
  if (auto hi = r.takeFloat("max")) r.setInput(2, r.makeConstant("max", TensorData::filled(dtype, {}, *hi)));
}

void upgradeSlice(Rewrite& r) {
  auto starts = r.takeInts("starts"), ends = r.takeInts("ends"), axes = r.takeInts("axes");
  if (!starts || !ends) fail("{}: opset {} Slice requires 'starts' and 'ends'", r.owner, r.opset);
  if (starts->size() != ends->size() || (axes && axes->size() != starts->size()))
    fail("{}: 'starts', 'ends' and 'axes' differ in length", r.owner);
  auto n = static_cast<int64_t>(starts->size());
  r.setInput(1, r.makeConstant("starts", TensorData::fromInts(*starts, {n})));
  r.setInput(2, r.makeConstant("ends", TensorData::fromInts(*ends, {n})));
  if (axes) r.setInput(3, r.makeConstant("axes", TensorData::fromInts(*axes, {n})));
}

// Softmax (and LogSoftmax, Hardmax) before opset 13 coerced its input to 2-D, [prod(d[0:axis]),
// prod(d[axis:])], and normalized over the second dimension. That equals the
// new per-axis Softmax exactly when axis is the last dimension. Otherwise the
// node keeps the old meaning through the attribute `legacy_coerce_2d = 1`:
// normalize jointly over all dimensions from `axis` to the end. When the rank
// is not known at import time the flag is set conservatively; later shape
// inference can drop it once the rank shows axis == rank - 1.
void upgradeSoftmax(Rewrite& r) {
  int64_t axis = r.takeInt("axis").value_or(1);
  r.node.attrs.set("axis", axis);
  const ir::TensorType* t = r.inputType(0);
  bool sameAsLatest = false;
  if (t && t->rankKnown) {
    auto rank = static_cast<int64_t>(t->shape.size());
    if (axis < -rank || axis >= rank)
      fail("{}: axis {} is out of range for rank {}", r.owner, axis, rank);
    sameAsLatest = (axis < 0 ? axis + rank : axis) == rank - 1;
  }
  if (!sameAsLatest) r.node.attrs.set("legacy_coerce_2d", int64_t{1});
}

// Resize 10 took (X, scales) and behaved like Upsample: asymmetric
// coordinates, nearest pixel by truncation. Opset 11 changed the defaults
// (half_pixel, round_prefer_floor), so the old behaviour is made explicit.
// ONNX Runtime's opset-10 nearest mode rounds up along dimensions that shrink
// and down along those that grow; with constant scales that is "ceil" or
// "floor" (checked against ONNX Runtime). Scales that both shrink and grow have
// no single nearest_mode; scales known only at run time are taken to upsample,
// Resize 10's common use.
void upgradeResize(Rewrite& r) {
  ir::Node& n = r.node;
  if (n.inputs.size() == 2) n.inputs = {n.inputs[0], kNoValue, n.inputs[1]};
  if (!n.attrs.has("coordinate_transformation_mode"))
    n.attrs.set("coordinate_transformation_mode", std::string("asymmetric"));
  std::string mode;
  try {
    mode = n.attrs.getString("mode", "nearest");
  } catch (const Error& e) {
    fail("{}: {}", r.owner, e.what());
  }
  if (mode != "nearest" || n.attrs.has("nearest_mode")) return;
  bool shrinks = false, grows = false;
  if (n.hasInput(2)) {
    const ir::Value& scales = r.graph.value(n.inputs[2]);
    if (scales.isConstant())
      for (double v : scales.constant->toDoubles()) {
        shrinks = shrinks || v < 1.0;
        grows = grows || v > 1.0;
      }
  }
  if (shrinks && grows)
    fail("{}: opset-10 nearest Resize that both shrinks and grows is unsupported", r.owner);
  n.attrs.set("nearest_mode", std::string(shrinks ? "ceil" : "floor"));
}

// Before opset 7, binary ops broadcast only when `broadcast=1`, aligning B
// with A at `axis`. Aligning at the trailing dimensions is what numpy-style
// broadcasting does; any other axis has no latest-opset equivalent.
void upgradeLegacyBroadcast(Rewrite& r) {
  int64_t broadcast = r.takeInt("broadcast").value_or(0);
  auto axis = r.takeInt("axis");
  if (!broadcast || !axis) return;
  const ir::TensorType *a = r.inputType(0), *b = r.inputType(1);
  if (a && b && a->rankKnown && b->rankKnown) {
    auto ra = static_cast<int64_t>(a->shape.size()), rb = static_cast<int64_t>(b->shape.size());
    if ((*axis < 0 ? *axis + ra : *axis) == ra - rb) return;
  }
  fail("{}: opset-{} broadcast along axis {} is unsupported (only trailing alignment is)", r.owner,
       r.opset, *axis);
}

// Cast before opset 6 named the target type with a string ("FLOAT").
void upgradeCast(Rewrite& r) {
  std::string to;
  try {
    if (!r.node.attrs.has("to") || r.node.attrs.getString("to", "").empty()) return;
    to = r.node.attrs.getString("to", "");
  } catch (const Error&) {
    return;  // already an int
  }
  std::transform(to.begin(), to.end(), to.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  ::onnx::TensorProto_DataType t;
  if (!::onnx::TensorProto_DataType_Parse(to, &t)) fail("{}: unknown Cast target '{}'", r.owner, to);
  r.node.attrs.set("to", static_cast<int64_t>(t));
}

// PRelu before opset 7 applied a 1-D slope of X's channel count per channel
// (dim 1); opset 7 broadcasts the slope from the trailing dims instead. A
// constant slope is reshaped to [C, 1, ..., 1] to keep the old meaning.
void upgradePRelu(Rewrite& r) {
  const ir::TensorType *x = r.inputType(0), *slope = r.inputType(1);
  if (!x || !slope || !x->rankKnown || !slope->rankKnown || x->shape.size() <= 2 || slope->shape.size() != 1)
    return;
  const ir::Dim &c = x->shape[1], &s = slope->shape[0];
  if (!s.isStatic() || s.value == 1 || !(c == s)) return;
  const ir::Value& v = r.graph.value(r.node.inputs[1]);
  if (!v.isConstant())
    fail("{}: unsupported: opset-{} per-channel PRelu slope that is not a constant", r.owner, r.opset);
  auto reshaped = std::make_shared<TensorData>(*v.constant);
  reshaped->shape.assign(x->shape.size() - 1, 1);
  reshaped->shape[0] = s.value;
  r.node.inputs[1] = r.makeConstant("slope", reshaped);
}

// Pad before opset 11 took `pads`, `mode` and `value` as attributes (opset 1
// named the pads `paddings`). The fill value becomes a scalar of the data's type.
void upgradePad(Rewrite& r) {
  auto pads = r.takeInts("pads");
  if (!pads) pads = r.takeInts("paddings");
  if (!pads) fail("{}: opset {} Pad requires attribute 'pads'", r.owner, r.opset);
  r.setInput(1, r.makeConstant("pads", TensorData::fromInts(*pads, {static_cast<int64_t>(pads->size())})));
  if (auto value = r.takeFloat("value")) {
    const ir::TensorType* t = r.inputType(0);
    DType dtype = t && t->dtype != DType::Undefined ? t->dtype : DType::F32;
    r.setInput(2, r.makeConstant("value", TensorData::filled(dtype, {}, *value)));
  }
}

// TopK before opset 10 took K as an attribute.
void upgradeTopK(Rewrite& r) {
  auto k = r.takeInt("k");
  if (!k) fail("{}: opset {} TopK requires attribute 'k'", r.owner, r.opset);
  r.setInput(1, r.makeConstant("k", TensorData::fromInts({*k}, {1})));
}

// Scan-8 had an optional sequence_lens first input and a batch axis in front
// of every input and output; runtime/host/control_scan.cpp runs that form when
// `opset8_batch` is set. Its `directions` became scan_input_directions.
void upgradeScan8(Rewrite& r) {
  if (r.node.hasInput(0)) fail("{}: unsupported: opset-8 Scan with a sequence_lens input", r.owner);
  if (!r.node.inputs.empty()) r.node.inputs.erase(r.node.inputs.begin());
  if (auto d = r.takeInts("directions")) r.node.attrs.set("scan_input_directions", *d);
  r.node.attrs.set("opset8_batch", int64_t{1});
}

}  // namespace

std::string_view latestOpType(std::string_view opType) {
  if (opType == "Scatter") return "ScatterElements";
  if (opType == "Upsample") return "Resize";  // opsets 7-9; upgradeDeprecatedOp rewrites its form
  return opType;
}

void upgradeToLatestOpset(const ir::Graph& graph, ir::Node& node, int64_t opset,
                          const std::string& owner, const MakeConstant& makeConstant) {
  Rewrite r{graph, node, opset, owner, makeConstant};
  // `consumed_inputs` (opset < 6) was an in-place-update hint with no effect on results.
  if (opset < 6) node.attrs.erase("consumed_inputs");
  switch (node.op) {
    case OpKind::Clip: if (opset < 11) upgradeClip(r); break;
    case OpKind::Slice: if (opset < 10) upgradeSlice(r); break;
    case OpKind::Squeeze: if (opset < 13) r.intsToInput("axes", 1, false); break;
    case OpKind::Unsqueeze: if (opset < 13) r.intsToInput("axes", 1, true); break;
    case OpKind::ReduceSum: if (opset < 13) r.intsToInput("axes", 1, false); break;
    case OpKind::ReduceMean:
    case OpKind::ReduceMax: if (opset < 18) r.intsToInput("axes", 1, false); break;
    case OpKind::ReduceMin: case OpKind::ReduceProd: case OpKind::ReduceL1: case OpKind::ReduceL2:
    case OpKind::ReduceLogSum: case OpKind::ReduceLogSumExp: case OpKind::ReduceSumSquare:
      if (opset < 18) r.intsToInput("axes", 1, false);
      break;
    case OpKind::TopK: if (opset < 10) upgradeTopK(r); break;
    case OpKind::Scan: if (opset < 9) upgradeScan8(r); break;
    case OpKind::Reshape: if (opset < 5) r.intsToInput("shape", 1, true); break;
    case OpKind::Split: if (opset < 13) r.intsToInput("split", 1, false); break;
    case OpKind::Pad: if (opset < 11) upgradePad(r); break;
    case OpKind::Resize: if (opset < 11) upgradeResize(r); break;
    case OpKind::Softmax: if (opset < 13) upgradeSoftmax(r); break;
    case OpKind::LogSoftmax: case OpKind::Hardmax: if (opset < 13) upgradeSoftmax(r); break;
    case OpKind::Cast: if (opset < 6) upgradeCast(r); break;
    case OpKind::Gemm: if (opset < 7) node.attrs.erase("broadcast"); break;
    case OpKind::PRelu: if (opset < 7) upgradePRelu(r); break;
    case OpKind::Add: case OpKind::Sub: case OpKind::Mul: case OpKind::Div: case OpKind::Pow:
    case OpKind::Equal: case OpKind::Less: case OpKind::Greater: case OpKind::And: case OpKind::Or:
      if (opset < 7) upgradeLegacyBroadcast(r);
      break;
    default: break;
  }
}

void upgradeDeprecatedOp(const std::string& opType, const ir::Graph& graph, ir::Node& node, int64_t opset,
                         const std::string& owner, const MakeConstant& makeConstant) {
  Rewrite r{graph, node, opset, owner, makeConstant};
  if (opType != "Upsample") return;
  if (opset >= 10) fail("{}: Upsample is deprecated since opset 10 (use Resize)", owner);
  std::optional<std::vector<float>> scales =
      r.take("scales", [&] { return node.attrs.getFloats("scales"); });
  if (scales) {
    auto n = static_cast<int64_t>(scales->size());
    r.setInput(1, makeConstant("scales", TensorData::fromFloats(*scales, {n})));
  }
  if (node.inputs.size() != 2) fail("{}: Upsample needs X and scales", owner);
}

}  // namespace kiln::onnx
