// Pointwise Conv (1x1 kernel, stride 1, no padding, one group) as a GEMM:
// for each image n, Y[n] (oc x HW) = W (oc x ic) * X[n] (ic x HW) + bias.
// Epilogue ops (passes/fuse_epilogue) run on each output vector before its
// store. The weights are the constant A operand, packed at compile time into the
// microkernel's panel layout; the image is B, packed per K block at run time.
#include "codegen/ops/conv_gemm.h"

#include "codegen/ops/conv_ir.h"
#include "codegen/ops/epilogue.h"
#include "codegen/ops/gemm.h"

namespace kiln::codegen {

bool emitPointwiseConvAsGemm(KernelContext& ctx) {
  if (ctx.inputDType(0) != DType::F32 || ctx.outputDType(0) != DType::F32) return false;
  if (ctx.attrs().getInt("group", 1) != 1 || !ctx.inputConstant(1)) return false;
  std::vector<int64_t> x = ctx.inputShape(0), w = ctx.inputShape(1), y = ctx.outputShape(0);
  if (x.size() < 3 || w.size() != x.size() || y.size() != x.size() || w[1] != x[1] || w[0] != y[1]) return false;
  for (size_t a = 2; a < x.size(); ++a)
    if (w[a] != 1 || x[a] != y[a]) return false;  // a 1-wide kernel with equal sizes: stride 1, no pads
  int64_t plane = 1;
  for (size_t a = 2; a < x.size(); ++a) plane *= x[a];
  int64_t batch = x[0], ic = x[1], oc = y[1];
  if (batch == 0 || plane == 0 || oc == 0 || ic == 0) return false;

  GemmProblem p;
  p.batches = batch;
  p.M = oc;
  p.N = plane;
  p.K = ic;
  p.a = {ctx.input(1), ctx.inputConstant(1), ic, 1, nullptr, oc * ic};
  p.b = {ctx.input(0), nullptr, plane, 1,
         [&ctx, ic, plane](llvm::Value* n) { return convir::mul(ctx, n, ic * plane); }, ic * plane};
  p.c = ctx.output(0);
  if (ctx.hasInput(2)) {
    p.bias = ctx.input(2);
    p.biasStrideM = 1;
  }
  // A GEMM row is one (n, oc) plane: its vectors stay within the spatial dims.
  Epilogue epilogue(ctx, static_cast<int>(y.size()) - 2);
  if (!epilogue.empty())
    p.epilogue = [&](llvm::Value* v, llvm::Value* i, llvm::Value* m) { return epilogue.apply(v, i, m); };
  emitBlockedGemm(ctx, p);
  return true;
}

}  // namespace kiln::codegen
