#include "passes/fold_batchnorm.h"

#include <cmath>
#include <optional>

#include "ir/epilogue.h"

namespace kiln::passes {

namespace {

using ir::OpKind;
using ir::ValueId;

// A float32 constant's elements, or nullopt when v is not one.
std::optional<std::vector<double>> floatConstant(const ir::Graph& g, ValueId v) {
  if (v == ir::kNoValue || !g.value(v).isConstant() || !g.value(v).isTensor()) return std::nullopt;
  const ir::TensorData& t = *g.value(v).constant;
  if (t.dtype != DType::F32) return std::nullopt;
  return t.toDoubles();
}

std::vector<float> rounded(const std::vector<double>& v) {
  std::vector<float> out(v.size());
  for (size_t i = 0; i < v.size(); ++i) out[i] = static_cast<float>(v[i]);
  return out;
}

// The per-channel affine map y = x * scale + shift of an inference BN.
struct Affine {
  std::vector<double> scale, shift;
};

std::optional<Affine> batchNormAffine(const ir::Graph& g, const ir::Node& bn) {
  if (bn.outputs.size() != 1 || bn.attrs.getInt("training_mode", 0) != 0 || g.type(bn.outputs[0]).dtype != DType::F32)
    return std::nullopt;
  auto scale = floatConstant(g, bn.inputs[1]), b = floatConstant(g, bn.inputs[2]);
  auto mean = floatConstant(g, bn.inputs[3]), var = floatConstant(g, bn.inputs[4]);
  if (!scale || !b || !mean || !var) return std::nullopt;
  size_t c = scale->size();
  if (b->size() != c || mean->size() != c || var->size() != c) return std::nullopt;
  double eps = bn.attrs.getFloat("epsilon", 1e-5f);
  Affine a{std::vector<double>(c), std::vector<double>(c)};
  for (size_t i = 0; i < c; ++i) {
    a.scale[i] = (*scale)[i] / std::sqrt((*var)[i] + eps);
    a.shift[i] = (*b)[i] - (*mean)[i] * a.scale[i];
  }
  return a;
}

class Folder {
 public:
  explicit Folder(ir::Graph& g) : g_(g), producer_(g.producers()), uses_(g.useCounts()) {}

  void run() {
    std::vector<bool> drop(g_.nodes.size(), false);
    for (size_t i = 0; i < g_.nodes.size(); ++i) {
      const ir::Node& bn = g_.nodes[i];
      if (bn.op != OpKind::BatchNormalization) continue;
      ValueId x = bn.inputs[0];
      int p = producer_[static_cast<size_t>(x)];
      if (p < 0 || uses_[static_cast<size_t>(x)] != 1) continue;
      std::optional<Affine> a = batchNormAffine(g_, bn);
      if (!a) continue;
      ir::Node& prod = g_.nodes[static_cast<size_t>(p)];
      if (prod.outputs.size() != 1 || prod.numCaptures != 0 || prod.attrs.has(ir::kEpilogueAttr)) continue;
      bool folded = prod.op == OpKind::Conv ? foldIntoConv(prod, *a, bn)
                    : prod.op == OpKind::Gemm ? foldIntoGemm(prod, *a, bn)
                                              : false;
      if (!folded) continue;
      prod.outputs[0] = bn.outputs[0];
      drop[i] = true;
    }
    std::vector<ir::Node> kept;
    for (size_t i = 0; i < g_.nodes.size(); ++i)
      if (!drop[i]) kept.push_back(std::move(g_.nodes[i]));
    g_.nodes = std::move(kept);
    g_.removeDeadCode();
  }

 private:
  ValueId constant(const std::string& name, const std::vector<double>& v, std::vector<int64_t> shape) {
    return g_.addConstant(name, ir::TensorData::fromFloats(rounded(v), std::move(shape)));
  }

  bool foldIntoConv(ir::Node& conv, const Affine& a, const ir::Node& bn) {
    auto w = floatConstant(g_, conv.inputs[1]);
    if (!w) return false;
    std::vector<int64_t> wShape = g_.type(conv.inputs[1]).staticShape();
    size_t c = a.scale.size();
    if (wShape.empty() || wShape[0] != static_cast<int64_t>(c)) return false;
    std::vector<double> bias(c, 0.0);
    if (conv.hasInput(2)) {
      auto b = floatConstant(g_, conv.inputs[2]);
      if (!b || b->size() != c) return false;
      bias = *b;
    }
    size_t per = c == 0 ? 0 : w->size() / c;
    for (size_t m = 0; m < c; ++m) {
      for (size_t k = 0; k < per; ++k) (*w)[m * per + k] *= a.scale[m];
      bias[m] = bias[m] * a.scale[m] + a.shift[m];
    }
    std::string name = g_.value(bn.outputs[0]).name;  // copied: adding values moves them
    ValueId newW = constant(name + "_W", *w, wShape);
    ValueId newB = constant(name + "_B", bias, {static_cast<int64_t>(c)});
    conv.inputs.resize(3, ir::kNoValue);
    conv.inputs[1] = newW;
    conv.inputs[2] = newB;
    return true;
  }

  bool foldIntoGemm(ir::Node& gemm, const Affine& a, const ir::Node& bn) {
    auto b = floatConstant(g_, gemm.inputs[1]);
    if (!b || g_.type(gemm.inputs[0]).dtype != DType::F32) return false;
    std::vector<int64_t> bShape = g_.type(gemm.inputs[1]).staticShape();
    size_t n = a.scale.size();
    bool transB = gemm.attrs.getInt("transB", 0) != 0;
    if (bShape.size() != 2 || bShape[transB ? 0 : 1] != static_cast<int64_t>(n)) return false;
    // C as a row over the output columns: a scalar, [N] or [1, N].
    double beta = gemm.attrs.getFloat("beta", 1.0f);
    std::vector<double> row(n, 0.0);
    if (gemm.hasInput(2)) {
      auto c = floatConstant(g_, gemm.inputs[2]);
      if (!c) return false;
      std::vector<int64_t> cShape = g_.type(gemm.inputs[2]).staticShape();
      bool isRow = c->size() == n && (cShape.size() == 1 || (cShape.size() == 2 && cShape[0] == 1));
      if (c->size() != 1 && !isRow) return false;
      for (size_t j = 0; j < n; ++j) row[j] = beta * (*c)[c->size() == 1 ? 0 : j];
    }
    auto k = static_cast<size_t>(bShape[transB ? 1 : 0]);
    for (size_t r = 0; r < k; ++r)
      for (size_t j = 0; j < n; ++j) (*b)[transB ? j * k + r : r * n + j] *= a.scale[j];
    for (size_t j = 0; j < n; ++j) row[j] = row[j] * a.scale[j] + a.shift[j];
    std::string name = g_.value(bn.outputs[0]).name;  // copied: adding values moves them
    ValueId newB = constant(name + "_B", *b, bShape);
    ValueId newC = constant(name + "_C", row, {static_cast<int64_t>(n)});
    gemm.inputs.resize(3, ir::kNoValue);
    gemm.inputs[1] = newB;
    gemm.inputs[2] = newC;
    gemm.attrs.set("beta", 1.0f);
    return true;
  }

  ir::Graph& g_;
  std::vector<int> producer_, uses_;
};

}  // namespace

void foldBatchNorm(ir::Graph& graph) { Folder(graph).run(); }

}  // namespace kiln::passes
