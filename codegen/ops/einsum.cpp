// Einsum (ONNX opset 12, numpy einsum conventions; the equation is parsed by
// ir/einsum_equation.h): every output element is the sum, over all values of
// the labels absent from the output, of the product of the operands' elements
// at those label values. A label repeated in one operand walks its diagonal
// (its dims' strides add up); an ellipsis dim of size 1 broadcasts (stride 0).
//
// The kernel is the general loop nest: loops over the output labels (the
// outermost one parallel when large), then a scalar accumulation over the
// contracted labels with each operand's offset advanced by its per-label
// stride. f16/bf16 accumulate in f32.
#include <map>

#include "codegen/kernel_context.h"
#include "codegen/ops/linalg_arith.h"
#include "codegen/ops/loop_helpers.h"
#include "ir/einsum_equation.h"

namespace kiln::codegen {

using llvm::Value;

void emitEinsum(KernelContext& ctx) {
  DType t = ctx.outputDType(0);
  if (!isFloat(t) && !isInteger(t)) ctx.fail("unsupported dtype {}", dtypeName(t));
  DType ct = (t == DType::F16 || t == DType::BF16) ? DType::F32 : t;
  size_t numInputs = ctx.numInputs();
  std::vector<std::vector<int64_t>> shapes;
  std::vector<int64_t> ranks;
  for (size_t k = 0; k < numInputs; ++k) {
    if (ctx.inputDType(k) != t) ctx.fail("all inputs must have the output's dtype");
    shapes.push_back(ctx.inputShape(k));
    ranks.push_back(static_cast<int64_t>(shapes.back().size()));
  }
  ir::EinsumEquation eq;
  try {
    eq = ir::parseEinsumEquation(ctx.attrs().getString("equation", ""), ranks);
  } catch (const Error& e) {
    ctx.fail("{}", e.what());
  }

  // Each label's extent, and each operand's stride per label.
  std::map<int, int64_t> extent;
  for (size_t k = 0; k < numInputs; ++k)
    for (size_t d = 0; d < shapes[k].size(); ++d) {
      int64_t& e = extent.try_emplace(eq.inputs[k][d], 1).first->second;
      if (shapes[k][d] != 1) {
        if (e != 1 && e != shapes[k][d]) ctx.fail("einsum label sizes disagree");
        e = shapes[k][d];
      }
    }
  std::vector<std::map<int, int64_t>> strides(numInputs);
  for (size_t k = 0; k < numInputs; ++k) {
    std::vector<int64_t> s = stridesOf(shapes[k]);
    for (size_t d = 0; d < shapes[k].size(); ++d)
      if (shapes[k][d] != 1) strides[k][eq.inputs[k][d]] += s[d];
  }
  std::vector<int> outLabels = eq.output, sumLabels = eq.contractedLabels();
  std::vector<int64_t> outShape;
  for (int label : outLabels) outShape.push_back(extent.count(label) ? extent[label] : 1);
  if (outShape != ctx.outputShape(0)) ctx.fail("output shape disagrees with the equation");
  std::vector<int64_t> outStrides = stridesOf(outShape);
  int64_t outCount = product(outShape), sumCount = 1;
  for (int label : sumLabels) sumCount *= extent[label];
  if (outCount == 0) return;

  llvm::IRBuilder<>& b = ctx.b;
  Value* out = ctx.output(0);
  llvm::Type* cty = ctx.llvmType(ct);
  llvm::AllocaInst* acc = entryAlloca(ctx, cty);
  ReassocScope reassoc(ctx);

  // Loops over labels[l, end), each operand's offset advanced by its stride.
  using Offsets = std::vector<Value*>;
  auto advance = [&](const Offsets& offs, int label, Value* i) {
    Offsets next = offs;
    for (size_t k = 0; k < numInputs; ++k) {
      auto it = strides[k].find(label);
      if (it != strides[k].end()) next[k] = addScaled(ctx, offs[k], i, it->second);
    }
    return next;
  };
  std::function<void(size_t, const Offsets&)> sumLoop = [&](size_t l, const Offsets& offs) {
    if (l == sumLabels.size()) {
      Value* prod = nullptr;
      for (size_t k = 0; k < numInputs; ++k) {
        Value* v = ctx.convert(ctx.load(t, ctx.input(k), offs[k]), t, ct);
        prod = prod ? emitMul(ctx, ct, prod, v) : v;
      }
      b.CreateStore(emitAdd(ctx, ct, b.CreateLoad(cty, acc), prod), acc);
      return;
    }
    int label = sumLabels[l];
    ctx.loop(0, extent[label], [&](Value* i) { sumLoop(l + 1, advance(offs, label, i)); });
  };
  auto element = [&](const Offsets& offs, Value* outOff) {
    b.CreateStore(ctx.constant(ct, 0), acc);
    sumLoop(0, offs);
    ctx.store(t, out, outOff, ctx.convert(b.CreateLoad(cty, acc), ct, t));
  };
  std::function<void(size_t, const Offsets&, Value*)> outLoop = [&](size_t l, const Offsets& offs,
                                                                    Value* outOff) {
    if (l == outLabels.size()) return element(offs, outOff);
    ctx.loop(0, outShape[l], [&](Value* i) {
      outLoop(l + 1, advance(offs, outLabels[l], i), addScaled(ctx, outOff, i, outStrides[l]));
    });
  };

  Offsets zeros(numInputs, ctx.i64(0));
  int64_t work = outCount * std::max<int64_t>(sumCount, 1) * static_cast<int64_t>(numInputs);
  if (!outShape.empty() && outShape[0] > 1 && worthParallel(work)) {
    ctx.parallelFor(outShape[0], [&](Value* i) {
      outLoop(1, advance(zeros, outLabels[0], i), addScaled(ctx, ctx.i64(0), i, outStrides[0]));
    });
  } else {
    outLoop(0, zeros, ctx.i64(0));
  }
}

}  // namespace kiln::codegen
