// BatchNormalization (inference form): y = (x - mean) / sqrt(var + epsilon) * scale + B,
// folded per channel into y = x * a + b with a = scale / sqrt(var + epsilon),
// b = B - mean * a. One (n, c) plane per task; the inner loop is one FMA per element.
#include "codegen/kernel_context.h"
#include "codegen/ops/conv_geometry.h"
#include "codegen/ops/conv_ir.h"
#include "codegen/ops/elementwise_values.h"
#include "codegen/ops/norm_batchnorm_training.h"

namespace kiln::codegen {

void emitBatchNormalization(KernelContext& ctx) {
  using namespace convir;
  if (ctx.attrs().getInt("training_mode", 0) != 0) return emitBatchNormalizationTraining(ctx);
  DType dt = requireFloatKernel(ctx, ctx.inputDType(0));
  std::vector<int64_t> x = ctx.inputShape(0);
  if (x.size() < 2) ctx.fail("X must have rank >= 2, got {}", x.size());
  for (size_t i = 1; i < 5; ++i) {
    std::vector<int64_t> s = ctx.inputShape(i);
    if (ctx.inputDType(i) != dt || s.size() != 1 || s[0] != x[1])
      ctx.fail("input {} must be a {} vector of {} channels", i, dtypeName(dt), x[1]);
  }
  int64_t channels = x[1], plane = 1;
  for (size_t i = 2; i < x.size(); ++i) plane *= x[i];
  if (x[0] * channels * plane == 0) return;

  ctx.parallelFor(x[0] * channels, [&](llvm::Value* p) {
    llvm::Value* c = channels == 1 ? ctx.i64(0) : ctx.b.CreateURem(p, ctx.i64(channels));
    auto param = [&](size_t i) { return ctx.load(dt, ctx.input(i), c); };
    elementwise::ScaleShift s =
        elementwise::batchNormScaleShift(ctx, param(1), param(2), param(3), param(4), ctx.attrs());
    llvm::Value* base = mul(ctx, p, plane);
    ctx.loop(0, plane, [&](llvm::Value* i) {
      llvm::Value* at = add(ctx, base, i);
      ctx.store(dt, ctx.output(0), at, elementwise::scaleShift(ctx, ctx.load(dt, ctx.input(0), at), s));
    });
  });
}

}  // namespace kiln::codegen
