// BatchNormalization with training_mode = 1 (opset 15): normalizes with the
// statistics of the batch itself, per channel c over N and the spatial dims,
//   Y = (X - mean_c) / sqrt(var_c + epsilon) * scale_c + B_c      (var: population variance)
// and returns the updated running statistics as outputs 1 and 2:
//   running_mean = input_mean * momentum + mean * (1 - momentum)
//   running_var  = input_var * momentum + var * (1 - momentum)
// One channel per parallel iteration; statistics in f32 (f64 for double).
#include "codegen/ops/norm_batchnorm_training.h"

#include <llvm/IR/Intrinsics.h>

#include "codegen/ops/loop_helpers.h"
#include "codegen/ops/norm_moments.h"

namespace kiln::codegen {

void emitBatchNormalizationTraining(KernelContext& ctx) {
  DType t = ctx.inputDType(0), ct = floatComputeType(ctx, t);
  std::vector<int64_t> shape = ctx.inputShape(0);
  if (shape.size() < 2) ctx.fail("X must have rank >= 2, got {}", shape.size());
  int64_t batch = shape[0], channels = shape[1], plane = product(shape, 2, shape.size());
  if (channels == 0) return;
  double epsilon = ctx.attrs().getFloat("epsilon", 1e-5f);
  double momentum = ctx.attrs().getFloat("momentum", 0.9f);
  llvm::Value* x = ctx.input(0);
  llvm::Value* y = ctx.output(0);

  auto body = [&](llvm::Value* c) {
    // The channel's elements: plane [(n * C + c) * plane, ... + plane) for every n.
    GroupVisitor visit = [&](const std::function<void(llvm::Value*)>& f) {
      ctx.loop(0, batch, [&](llvm::Value* n) {
        llvm::Value* base = ctx.b.CreateNSWMul(addScaled(ctx, c, n, channels), ctx.i64(plane));
        ctx.loop(0, plane, [&](llvm::Value* i) { f(ctx.b.CreateNSWAdd(base, i)); });
      });
    };
    Moments m = emitMoments(ctx, t, ct, x, visit, batch * plane);
    llvm::Value* sd =
        ctx.callIntrinsic(llvm::Intrinsic::sqrt, {ctx.b.CreateFAdd(m.variance, ctx.constant(ct, epsilon))});
    // y = x * a + b with a = scale / sd, b = B - mean * a.
    llvm::Value* a = ctx.b.CreateFDiv(loadAs(ctx, t, ct, ctx.input(1), c), sd);
    llvm::Value* b = ctx.b.CreateFSub(loadAs(ctx, t, ct, ctx.input(2), c), ctx.b.CreateFMul(m.mean, a));
    visit([&](llvm::Value* at) {
      llvm::Value* v = ctx.callIntrinsic(llvm::Intrinsic::fmuladd, {loadAs(ctx, t, ct, x, at), a, b});
      storeAs(ctx, t, ct, y, at, v);
    });
    auto running = [&](size_t out, size_t in, llvm::Value* batchStat) {
      DType st = ctx.outputDType(out);
      llvm::Value* old = loadAs(ctx, st, ct, ctx.input(in), c);
      llvm::Value* v = ctx.b.CreateFAdd(ctx.b.CreateFMul(old, ctx.constant(ct, momentum)),
                                        ctx.b.CreateFMul(batchStat, ctx.constant(ct, 1.0 - momentum)));
      storeAs(ctx, st, ct, ctx.output(out), c, v);
    };
    if (ctx.numOutputs() > 1) running(1, 3, m.mean);
    if (ctx.numOutputs() > 2) running(2, 4, m.variance);
  };
  if (channels > 1 && worthParallel(batch * channels * plane * 4)) ctx.parallelFor(channels, body);
  else ctx.loop(0, channels, body);
}

}  // namespace kiln::codegen
