#include "ir/shape_rules.h"

namespace kiln::ir {

const TensorType& InferContext::inputType(size_t i) const {
  if (!hasInput(i)) fail("input {} is required", i);
  return graph.type(node.inputs[i]);
}

const TensorData* InferContext::inputConstant(size_t i) const {
  if (!hasInput(i)) return nullptr;
  return graph.value(node.inputs[i]).constant.get();
}

const TensorData& InferContext::requireConstant(size_t i, const char* what) const {
  if (!hasInput(i)) fail("{} (input {}) is required", what, i);
  const TensorData* c = inputConstant(i);
  if (!c)
    throw ValueRequired(graph.describe(node) + fmt::format(": {} (input {}) must be a constant or computable "
                                                           "from static shapes", what, i),
                        node.inputs[i]);
  return *c;
}

void InferContext::setOutput(size_t i, TensorType t) {
  if (i >= node.outputs.size()) fail("rule set output {} but node has {}", i, node.outputs.size());
  graph.value(node.outputs[i]).type = std::move(t);
}

int64_t InferContext::normalizeAxis(int64_t axis, int64_t rank) const {
  if (axis < -rank || axis >= rank) fail("axis {} out of range for rank {}", axis, rank);
  return axis < 0 ? axis + rank : axis;
}

Shape broadcastShapes(const InferContext& ctx, const Shape& a, const Shape& b) {
  size_t r = std::max(a.size(), b.size());
  Shape out(r);
  for (size_t i = 0; i < r; ++i) {
    const Dim* da = i + a.size() >= r ? &a[i + a.size() - r] : nullptr;
    const Dim* db = i + b.size() >= r ? &b[i + b.size() - r] : nullptr;
    if (!da) { out[i] = *db; continue; }
    if (!db) { out[i] = *da; continue; }
    if (da->isStatic() && da->value == 1) { out[i] = *db; continue; }
    if (db->isStatic() && db->value == 1) { out[i] = *da; continue; }
    if (da->isStatic() && db->isStatic() && da->value != db->value)
      ctx.fail("cannot broadcast dim {} with {}", da->value, db->value);
    out[i] = da->isStatic() ? *da : (db->isStatic() ? *db : (*da == *db ? *da : Dim::unknown()));
  }
  return out;
}

void inferNodeShapes(Graph& g, Node& n) {
  InferContext ctx(g, n);
  const OpInfo& info = opInfo(n.op);
  int nin = static_cast<int>(n.numFormalInputs()), nout = static_cast<int>(n.outputs.size());
  if (nin < info.minInputs || nin > info.maxInputs)
    ctx.fail("has {} inputs, expected {}..{}", nin, info.minInputs, info.maxInputs);
  if (nout < info.minOutputs || nout > info.maxOutputs)
    ctx.fail("has {} outputs, expected {}..{}", nout, info.minOutputs, info.maxOutputs);
  for (int i = 0; i < info.minInputs; ++i)
    if (!n.hasInput(static_cast<size_t>(i))) ctx.fail("required input {} is missing", i);
  switch (n.op) {
#define KILN_OP(Name, MinIn, MaxIn, MinOut, MaxOut, Family) \
  case OpKind::Name: inferShapes##Name(ctx); break;
// A host op's outputs keep their imported types: their shapes are known only
// when it has run (codegen/staged_model.h).
#define KILN_HOST_OP(Name, MinIn, MaxIn, MinOut, MaxOut, Family) \
  case OpKind::Name: break;
#include "ir/ops.def"
#undef KILN_OP
#undef KILN_HOST_OP
  }
}

}  // namespace kiln::ir
