#include "codegen/work_estimate.h"

namespace kiln::codegen {

namespace {
int64_t elements(const ir::Graph& g, ir::ValueId v) {
  return v == ir::kNoValue ? 0 : g.type(v).numElements();
}
}  // namespace

int64_t estimateWork(const ir::Graph& g, const ir::Node& n) {
  int64_t out = 0;
  for (ir::ValueId v : n.outputs) out += elements(g, v);
  switch (n.op) {
    case ir::OpKind::Conv: {  // each output sums Cin/group * kernel taps
      const auto w = g.type(n.inputs[1]).staticShape();
      return w.empty() || w[0] == 0 ? out : out * (elements(g, n.inputs[1]) / w[0]);
    }
    case ir::OpKind::ConvTranspose: {  // each input scatters into Cout/group * taps
      const auto w = g.type(n.inputs[1]).staticShape();
      return w.empty() || w[0] == 0 ? out : elements(g, n.inputs[0]) * (elements(g, n.inputs[1]) / w[0]);
    }
    case ir::OpKind::MatMul: {
      const auto a = g.type(n.inputs[0]).staticShape();
      return out * (a.empty() ? 1 : a.back());
    }
    case ir::OpKind::Gemm: {
      const auto a = g.type(n.inputs[0]).staticShape();
      bool transA = n.attrs.getInt("transA", 0) != 0;
      return out * (a.size() == 2 ? a[transA ? 0 : 1] : 1);
    }
    default: {
      int64_t in = 0;
      for (ir::ValueId v : n.inputs) in += elements(g, v);
      return in + out;
    }
  }
}

}  // namespace kiln::codegen
