#include "codegen/work_estimate.h"

#include <algorithm>
#include <map>

#include "ir/einsum_equation.h"

namespace kiln::codegen {

namespace {
int64_t elements(const ir::Graph& g, ir::ValueId v) {
  return v == ir::kNoValue ? 0 : g.type(v).numElements();
}
// Iterations of an Einsum's inner (summed-over) loops per output element.
int64_t einsumContractedCount(const ir::Graph& g, const ir::Node& n) {
  std::vector<std::vector<int64_t>> shapes;
  std::vector<int64_t> ranks;
  for (ir::ValueId v : n.inputs) {
    shapes.push_back(g.type(v).staticShape());
    ranks.push_back(static_cast<int64_t>(shapes.back().size()));
  }
  ir::EinsumEquation eq = ir::parseEinsumEquation(n.attrs.getString("equation", ""), ranks);
  std::map<int, int64_t> extent;
  for (size_t k = 0; k < shapes.size(); ++k)
    for (size_t d = 0; d < shapes[k].size(); ++d) {
      int64_t& e = extent.try_emplace(eq.inputs[k][d], 1).first->second;
      e = std::max(e, shapes[k][d]);
    }
  int64_t count = static_cast<int64_t>(n.inputs.size());
  for (int label : eq.contractedLabels()) count *= extent[label];
  return count;
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
    case ir::OpKind::Einsum: return out * einsumContractedCount(g, n);
    case ir::OpKind::Attention: {  // each query row dots Skv keys of D and sums Skv value rows of Dv
      const auto k = g.type(n.inputs[1]).staticShape();
      const auto v = g.type(n.inputs[2]).staticShape();
      if (k.size() != 4 || v.size() != 4 || v[3] == 0) return out;
      return out / v[3] * k[2] * (k[3] + v[3]);
    }
    case ir::OpKind::Det: {  // LU of each M x M matrix
      const auto x = g.type(n.inputs[0]).staticShape();
      int64_t m = x.empty() ? 1 : x.back();
      return out * m * m * m / 3 + elements(g, n.inputs[0]);
    }
    default: {
      int64_t in = 0;
      for (ir::ValueId v : n.inputs) in += elements(g, v);
      return in + out;
    }
  }
}

}  // namespace kiln::codegen
