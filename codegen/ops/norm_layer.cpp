// LayerNormalization (opset 17), RMSNormalization (opset 23) and
// InstanceNormalization (opset 6): all normalize contiguous rows of X,
//   Y = (X - mean) * InvStdDev * scale + B,   InvStdDev = 1 / sqrt(var + epsilon),
// LayerNormalization over the dims from `axis` on (scale and B broadcast over
// those dims; Mean and InvStdDev are optional outputs, in stash_type),
// RMSNormalization the same way without centering or B (mean 0, var the mean
// square: Y = X / sqrt(mean(X^2) + epsilon) * scale),
// InstanceNormalization over the spatial dims of each (n, c), with per-channel
// scale and B. Statistics are computed in f32 (f64 for double data or a double
// stash_type). One row per parallel iteration.
#include <llvm/IR/Intrinsics.h>

#include "codegen/kernel_context.h"
#include "codegen/ops/loop_helpers.h"
#include "codegen/ops/norm_moments.h"
#include "ir/shape_rules/norm_params.h"

namespace kiln::codegen {

namespace {

llvm::Value* invStdDev(KernelContext& ctx, DType ct, llvm::Value* variance, double epsilon) {
  llvm::Value* sd =
      ctx.callIntrinsic(llvm::Intrinsic::sqrt, {ctx.b.CreateFAdd(variance, ctx.constant(ct, epsilon))});
  return ctx.b.CreateFDiv(ctx.constant(ct, 1), sd);
}

// Runs body(row) for rows [0, rows), in parallel when the work pays for it.
void forEachRow(KernelContext& ctx, int64_t rows, int64_t rowLen, const KernelContext::Body& body) {
  if (rows > 1 && worthParallel(rows * rowLen * 4)) ctx.parallelFor(rows, body);
  else ctx.loop(0, rows, body);
}

// Element offsets of a LayerNormalization operand (Scale or B) broadcast over
// the normalized dims `norm` (right-aligned, numpy rules): for each normalized
// dim, the operand's stride there, 0 where it broadcasts.
std::vector<int64_t> operandStrides(const std::vector<int64_t>& opShape, const std::vector<int64_t>& norm) {
  std::vector<int64_t> opStrides = stridesOf(opShape), out(norm.size(), 0);
  for (size_t k = 0; k < opShape.size() && k < norm.size(); ++k) {
    size_t od = opShape.size() - 1 - k, nd = norm.size() - 1 - k;
    if (opShape[od] != 1) out[nd] = opStrides[od];
  }
  return out;
}

// The operand's element for the normalized element i (row-major in `norm`).
llvm::Value* operandIndex(KernelContext& ctx, llvm::Value* i, const std::vector<int64_t>& strides,
                          const std::vector<int64_t>& norm) {
  if (strides == stridesOf(norm)) return i;  // the operand has the normalized shape
  std::vector<int64_t> normStrides = stridesOf(norm);
  llvm::Value* acc = ctx.i64(0);
  for (size_t k = 0; k < norm.size(); ++k) {
    if (strides[k] == 0) continue;
    llvm::Value* idx = ctx.b.CreateUDiv(i, ctx.i64(normStrides[k]));
    if (k > 0) idx = ctx.b.CreateURem(idx, ctx.i64(norm[k]));
    acc = addScaled(ctx, acc, idx, strides[k]);
  }
  return acc;
}

// LayerNormalization (`centered`) and RMSNormalization: rows over the dims from `axis` on.
void normalizeTrailingDims(KernelContext& ctx, bool centered) {
  DType t = ctx.inputDType(0), stash = ir::layerNormStashType(ctx);
  DType ct = floatComputeType(ctx, t);
  if (stash == DType::F64) ct = DType::F64;
  std::vector<int64_t> shape = ctx.inputShape(0);
  size_t axis = ctx.normalizeAxis(ctx.attrs().getInt("axis", -1), static_cast<int64_t>(shape.size()));
  std::vector<int64_t> norm(shape.begin() + static_cast<std::ptrdiff_t>(axis), shape.end());
  int64_t rows = product(shape, 0, axis), n = product(norm);
  if (rows == 0) return;
  double epsilon = ctx.attrs().getFloat("epsilon", 1e-5f);
  std::vector<int64_t> scaleStrides = operandStrides(ctx.inputShape(1), norm);
  std::vector<int64_t> biasStrides =
      ctx.hasInput(2) ? operandStrides(ctx.inputShape(2), norm) : std::vector<int64_t>{};
  llvm::Value* x = ctx.input(0);
  llvm::Value* y = ctx.output(0);

  forEachRow(ctx, rows, n, [&](llvm::Value* row) {
    llvm::Value* base = ctx.b.CreateNSWMul(row, ctx.i64(n));
    Moments m{nullptr, nullptr};
    if (centered) m = emitMoments(ctx, t, ct, x, contiguousGroup(ctx, base, n), n);
    else m.variance = emitMeanSquare(ctx, t, ct, x, contiguousGroup(ctx, base, n), n);
    llvm::Value* inv = invStdDev(ctx, ct, m.variance, epsilon);
    if (ctx.numOutputs() > 1) storeAs(ctx, stash, ct, ctx.output(1), row, m.mean);
    if (ctx.numOutputs() > 2) storeAs(ctx, stash, ct, ctx.output(2), row, inv);
    ctx.loop(0, n, [&](llvm::Value* i) {
      llvm::Value* at = ctx.b.CreateNSWAdd(base, i);
      llvm::Value* v = loadAs(ctx, t, ct, x, at);
      if (m.mean) v = ctx.b.CreateFSub(v, m.mean);
      v = ctx.b.CreateFMul(v, inv);
      v = ctx.b.CreateFMul(v, loadAs(ctx, t, ct, ctx.input(1), operandIndex(ctx, i, scaleStrides, norm)));
      if (ctx.hasInput(2))
        v = ctx.b.CreateFAdd(v, loadAs(ctx, t, ct, ctx.input(2), operandIndex(ctx, i, biasStrides, norm)));
      storeAs(ctx, t, ct, y, at, v);
    });
  });
}

}  // namespace

void emitLayerNormalization(KernelContext& ctx) { normalizeTrailingDims(ctx, true); }
void emitRMSNormalization(KernelContext& ctx) { normalizeTrailingDims(ctx, false); }

void emitInstanceNormalization(KernelContext& ctx) {
  DType t = ctx.inputDType(0), ct = floatComputeType(ctx, t);
  std::vector<int64_t> shape = ctx.inputShape(0);
  if (shape.size() < 3) ctx.fail("X must have rank >= 3, got {}", shape.size());
  int64_t channels = shape[1], rows = shape[0] * channels, n = product(shape, 2, shape.size());
  if (rows == 0) return;
  double epsilon = ctx.attrs().getFloat("epsilon", 1e-5f);
  llvm::Value* x = ctx.input(0);
  llvm::Value* y = ctx.output(0);

  forEachRow(ctx, rows, n, [&](llvm::Value* row) {
    llvm::Value* base = ctx.b.CreateNSWMul(row, ctx.i64(n));
    Moments m = emitMoments(ctx, t, ct, x, contiguousGroup(ctx, base, n), n);
    llvm::Value* c = ctx.b.CreateURem(row, ctx.i64(channels));
    // y = x * a + b with a = scale * InvStdDev, b = B - mean * a.
    llvm::Value* inv = invStdDev(ctx, ct, m.variance, epsilon);
    llvm::Value* a = ctx.b.CreateFMul(loadAs(ctx, t, ct, ctx.input(1), c), inv);
    llvm::Value* b = ctx.b.CreateFSub(loadAs(ctx, t, ct, ctx.input(2), c), ctx.b.CreateFMul(m.mean, a));
    ctx.loop(0, n, [&](llvm::Value* i) {
      llvm::Value* at = ctx.b.CreateNSWAdd(base, i);
      llvm::Value* v = ctx.callIntrinsic(llvm::Intrinsic::fmuladd, {loadAs(ctx, t, ct, x, at), a, b});
      storeAs(ctx, t, ct, y, at, v);
    });
  });
}

}  // namespace kiln::codegen
