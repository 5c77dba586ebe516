#include "ir/epilogue.h"

#include "ir/error.h"

namespace kiln::ir {

bool isContraction(OpKind op) {
  switch (op) {
    case OpKind::Conv:
    case OpKind::ConvTranspose:
    case OpKind::MatMul:
    case OpKind::Gemm: return true;
    default: return false;
  }
}

bool acceptsEpilogue(OpKind op) {
  if (isContraction(op)) return true;
  switch (op) {  // the elementwise ops that emitBroadcastLoop emits, with a fixed input count
    case OpKind::Relu:
    case OpKind::LeakyRelu:
    case OpKind::Sigmoid:
    case OpKind::HardSigmoid:
    case OpKind::HardSwish:
    case OpKind::Gelu:
    case OpKind::Swish:
    case OpKind::Clip:
    case OpKind::Tanh:
    case OpKind::Erf:
    case OpKind::Exp:
    case OpKind::Sqrt:
    case OpKind::Reciprocal:
    case OpKind::Neg:
    case OpKind::Abs:
    case OpKind::Add:
    case OpKind::Sub:
    case OpKind::Mul:
    case OpKind::Div:
    case OpKind::PRelu: return true;
    default: return false;
  }
}

bool isEpilogueOp(const Node& n) {
  if (n.op == OpKind::BatchNormalization)
    return n.attrs.getInt("training_mode", 0) == 0 && n.outputs.size() == 1;
  switch (n.op) {
    case OpKind::Relu:
    case OpKind::LeakyRelu:
    case OpKind::Sigmoid:
    case OpKind::HardSigmoid:
    case OpKind::HardSwish:
    case OpKind::Gelu:
    case OpKind::Swish:
    case OpKind::Clip:
    case OpKind::Tanh:
    case OpKind::Erf:
    case OpKind::Exp:
    case OpKind::Sqrt:
    case OpKind::Reciprocal:
    case OpKind::Neg:
    case OpKind::Abs:
    case OpKind::Add:
    case OpKind::Sub:
    case OpKind::Mul:
    case OpKind::Div:
    case OpKind::Max:
    case OpKind::Min:
    case OpKind::PRelu: return true;
    default: return false;
  }
}

bool isChannelOperand(OpKind op, size_t i) { return op == OpKind::BatchNormalization && i >= 1 && i <= 4; }

void verifyEpilogue(const Graph& g, const Node& node) {
  GraphPtr sub = node.attrs.getGraph(kEpilogueAttr);
  if (!sub) {
    if (node.attrs.has(kEpilogueAttr)) fail("{}: attribute '{}' is not a graph", g.describe(node), kEpilogueAttr);
    return;
  }
  std::string where = g.describe(node);
  if (!acceptsEpilogue(node.op)) fail("{}: {} takes no epilogue", where, opName(node.op));
  if (node.outputs.size() != 1) fail("{}: a node with an epilogue must have one output", where);
  if (sub->inputs.size() != static_cast<size_t>(node.numCaptures) + 1)
    fail("{}: epilogue has {} inputs, expected 1 + {} captures", where, sub->inputs.size(), node.numCaptures);
  if (node.numFormalInputs() != static_cast<size_t>(opInfo(node.op).maxInputs))
    fail("{}: a node with an epilogue lists all {} formal inputs before its captures", where,
         opInfo(node.op).maxInputs);
  if (sub->outputs.size() != 1) fail("{}: epilogue has {} outputs, expected 1", where, sub->outputs.size());
  for (const Node& n : sub->nodes)
    if (!isEpilogueOp(n)) fail("{}: epilogue holds {}, which is not an epilogue op", where, sub->describe(n));
  for (const Value& v : sub->values)
    if (v.isConstant() && v.constant->numElements() != 1)
      fail("{}: epilogue constant '{}' has {} elements (larger operands are captures)", where, v.name,
           v.constant->numElements());
  const TensorType& out = g.type(node.outputs[0]);
  if (sub->type(sub->inputs[0]).dtype != out.dtype || sub->type(sub->outputs[0]).dtype != out.dtype)
    fail("{}: epilogue input and output must have the node's output dtype {}", where, dtypeName(out.dtype));
}

}  // namespace kiln::ir
