#include "codegen/in_place.h"

namespace kiln::codegen {

bool kernelMayWriteInPlace(const ir::Graph& g, const ir::Node& n, size_t input) {
  // Dropout has its own copy loop (and an optional mask output).
  if (ir::opInfo(n.op).family != "elementwise" || n.op == ir::OpKind::Dropout) return false;
  if (n.outputs.size() != 1 || !n.hasInput(input)) return false;
  const ir::TensorType& in = g.type(n.inputs[input]);
  const ir::TensorType& out = g.type(n.outputs[0]);
  return in.staticShape() == out.staticShape() && dtypeSize(in.dtype) == dtypeSize(out.dtype);
}

}  // namespace kiln::codegen
