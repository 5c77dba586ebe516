// MeanVarianceNormalization (opset 13): Y = (X - mean) / (std + 1e-9), with
// the mean and the (population) standard deviation taken over `axes`
// (default [0, 2, 3]), as the op's function body computes them. Each group
// of elements sharing the kept indices is normalized on its own; the kept
// axes form the outer loop (parallel when large), the reduced ones a loop nest.
#include <llvm/IR/Intrinsics.h>

#include "codegen/kernel_context.h"
#include "codegen/ops/loop_helpers.h"
#include "codegen/ops/norm_moments.h"
#include "ir/shape_rules/norm_params.h"

namespace kiln::codegen {

namespace {

struct Axis {
  int64_t extent, stride;
};

// The input's axes of one kind (reduced or kept), size-1 axes dropped and
// neighbours merged (row-major neighbours of the same kind are contiguous).
std::vector<Axis> axesOfKind(const std::vector<int64_t>& shape, const std::vector<bool>& reduced, bool kind) {
  std::vector<int64_t> strides = stridesOf(shape);
  std::vector<Axis> out;
  bool lastWasKind = false;
  for (size_t d = 0; d < shape.size(); ++d) {
    if (shape[d] == 1) continue;
    if (reduced[d] != kind) {
      lastWasKind = false;
      continue;
    }
    if (lastWasKind) out.back() = Axis{out.back().extent * shape[d], strides[d]};
    else out.push_back(Axis{shape[d], strides[d]});
    lastWasKind = true;
  }
  return out;
}

// Offset of the element with loop indices `idx` along `axes`, from `base`.
llvm::Value* offsetOf(KernelContext& ctx, llvm::Value* base, const std::vector<Axis>& axes,
                      const std::vector<llvm::Value*>& idx) {
  for (size_t k = 0; k < axes.size(); ++k) base = addScaled(ctx, base, idx[k], axes[k].stride);
  return base;
}

}  // namespace

void emitMeanVarianceNormalization(KernelContext& ctx) {
  DType t = ctx.inputDType(0), ct = floatComputeType(ctx, t);
  std::vector<int64_t> shape = ctx.inputShape(0);
  std::vector<bool> reduced = ir::mvnAxes(ctx, static_cast<int64_t>(shape.size()));
  if (product(shape) == 0) return;
  std::vector<Axis> kept = axesOfKind(shape, reduced, false), red = axesOfKind(shape, reduced, true);
  int64_t groups = 1, groupLen = 1;
  for (const Axis& a : kept) groups *= a.extent;
  for (const Axis& a : red) groupLen *= a.extent;
  std::vector<int64_t> redExtents;
  for (const Axis& a : red) redExtents.push_back(a.extent);
  llvm::Value* x = ctx.input(0);
  llvm::Value* y = ctx.output(0);

  auto body = [&](llvm::Value* g) {
    // The group's first element: decode g over the kept axes (innermost last).
    llvm::Value* base = ctx.i64(0);
    llvm::Value* rest = g;
    for (size_t k = kept.size(); k-- > 0;) {
      llvm::Value* idx = k == 0 ? rest : ctx.b.CreateURem(rest, ctx.i64(kept[k].extent));
      if (k > 0) rest = ctx.b.CreateUDiv(rest, ctx.i64(kept[k].extent));
      base = addScaled(ctx, base, idx, kept[k].stride);
    }
    GroupVisitor visit = [&](const std::function<void(llvm::Value*)>& f) {
      ctx.loopNest(redExtents,
                   [&](const std::vector<llvm::Value*>& idx) { f(offsetOf(ctx, base, red, idx)); });
    };
    Moments m = emitMoments(ctx, t, ct, x, visit, groupLen);
    llvm::Value* sd = ctx.callIntrinsic(llvm::Intrinsic::sqrt, {m.variance});
    llvm::Value* inv = ctx.b.CreateFDiv(ctx.constant(ct, 1), ctx.b.CreateFAdd(sd, ctx.constant(ct, 1e-9)));
    visit([&](llvm::Value* at) {
      storeAs(ctx, t, ct, y, at, ctx.b.CreateFMul(ctx.b.CreateFSub(loadAs(ctx, t, ct, x, at), m.mean), inv));
    });
  };
  if (groups > 1 && worthParallel(groups * groupLen * 4)) ctx.parallelFor(groups, body);
  else ctx.loop(0, groups, body);
}

}  // namespace kiln::codegen
