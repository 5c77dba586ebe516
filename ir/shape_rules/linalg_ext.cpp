// Shape rules of Trilu (opset 14), Einsum (opset 12) and Det (opset 11).
#include <map>

#include "ir/einsum_equation.h"
#include "ir/shape_rules.h"

namespace kiln::ir {

// Trilu keeps the input's type; k (optional input 1) is a scalar int64 that
// may be known only at run time.
void inferShapesTrilu(InferContext& ctx) {
  const TensorType& x = ctx.inputType(0);
  if (x.rankKnown && x.shape.size() < 2) ctx.fail("input must have rank >= 2, got {}", x.shape.size());
  if (ctx.hasInput(1)) {
    const TensorType& k = ctx.inputType(1);
    if (k.dtype != DType::I64) ctx.fail("k must be int64, got {}", dtypeName(k.dtype));
    if (const TensorData* c = ctx.inputConstant(1); c && c->numElements() != 1)
      ctx.fail("k must hold one value, got {}", c->numElements());
  }
  ctx.setOutput(0, x);
}

// Einsum: the output dims are those of the output labels; a label's size is
// the one its operand dims agree on (ellipsis dims broadcast like numpy).
void inferShapesEinsum(InferContext& ctx) {
  DType dtype = ctx.inputType(0).dtype;
  std::vector<int64_t> ranks;
  for (size_t k = 0; k < ctx.numInputs(); ++k) {
    const TensorType& t = ctx.inputType(k);
    if (t.dtype != dtype)
      ctx.fail("input {} is {} but input 0 is {}", k, dtypeName(t.dtype), dtypeName(dtype));
    if (!t.rankKnown) return ctx.setOutput(0, unknownRank(dtype));
    ranks.push_back(static_cast<int64_t>(t.shape.size()));
  }
  std::string equation;
  try {
    equation = ctx.attrs().getString("equation", "");
  } catch (const Error& e) {
    ctx.fail("{}", e.what());
  }
  EinsumEquation eq;
  try {
    eq = parseEinsumEquation(equation, ranks);
  } catch (const Error& e) {
    ctx.fail("{}", e.what());
  }
  std::map<int, Dim> sizes;
  for (size_t k = 0; k < eq.inputs.size(); ++k) {
    const Shape& shape = ctx.inputType(k).shape;
    for (size_t d = 0; d < shape.size(); ++d) {
      int label = eq.inputs[k][d];
      const Dim& dim = shape[d];
      auto it = sizes.find(label);
      if (it == sizes.end()) {
        sizes[label] = dim;
        continue;
      }
      Dim& have = it->second;
      bool broadcasts = label >= EinsumEquation::kEllipsisLabel;
      if (dim.isStatic() && have.isStatic()) {
        if (dim.value == have.value) continue;
        if (!broadcasts || (dim.value != 1 && have.value != 1))
          ctx.fail("einsum label '{}' has sizes {} and {}", einsumLabelName(label), have.value, dim.value);
        if (have.value == 1) have = dim;
      } else if (!have.isStatic()) {
        if (dim.isStatic() && !(broadcasts && dim.value == 1)) have = dim;
      } else if (broadcasts && have.value == 1) {
        have = dim;
      }
    }
  }
  TensorType out;
  out.dtype = dtype;
  for (int label : eq.output) out.shape.push_back(sizes.count(label) ? sizes[label] : Dim::known(1));
  ctx.setOutput(0, out);
}

// Det: [*, M, M] -> [*].
void inferShapesDet(InferContext& ctx) {
  const TensorType& x = ctx.inputType(0);
  if (!isFloat(x.dtype)) ctx.fail("input must be a float tensor, got {}", dtypeName(x.dtype));
  if (!x.rankKnown) return ctx.setOutput(0, unknownRank(x.dtype));
  if (x.shape.size() < 2) ctx.fail("input must have rank >= 2, got {}", x.shape.size());
  const Dim& m = x.shape[x.shape.size() - 2];
  const Dim& n = x.shape.back();
  if (m.isStatic() && n.isStatic() && m.value != n.value)
    ctx.fail("input matrices must be square, got {}x{}", m.value, n.value);
  TensorType out;
  out.dtype = x.dtype;
  out.shape.assign(x.shape.begin(), x.shape.end() - 2);
  ctx.setOutput(0, out);
}

}  // namespace kiln::ir
