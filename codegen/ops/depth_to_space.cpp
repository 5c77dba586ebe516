// DepthToSpace and SpaceToDepth (ONNX 13): pure rearrangements of a 4-D
// tensor, emitted as one strided copy in the output's order.
//
// DepthToSpace with blocksize b, C' = C / b^2:
//   DCR: y[n, c', h*b + i, w*b + j] = x[n, (i*b + j)*C' + c', h, w]
//   CRD: y[n, c', h*b + i, w*b + j] = x[n, c'*b*b + i*b + j, h, w]
// SpaceToDepth (the inverse of DCR):
//   y[n, (i*b + j)*C + c, h, w] = x[n, c, h*b + i, w*b + j]
#include "codegen/kernel_context.h"
#include "codegen/ops/loop_helpers.h"

namespace kiln::codegen {

namespace {

int64_t blocksize(const KernelContext& ctx) {
  int64_t b = ctx.attrs().getInt("blocksize", 0);
  if (b <= 0) ctx.fail("blocksize = {} must be positive", b);
  return b;
}

std::vector<int64_t> shape4(const KernelContext& ctx) {
  std::vector<int64_t> x = ctx.inputShape(0);
  if (x.size() != 4) ctx.fail("input must be 4-D, got rank {}", x.size());
  return x;
}

}  // namespace

void emitDepthToSpace(KernelContext& ctx) {
  std::vector<int64_t> x = shape4(ctx);
  int64_t b = blocksize(ctx);
  int64_t n = x[0], c = x[1], h = x[2], w = x[3];
  if (c % (b * b) != 0) ctx.fail("channels ({}) are not divisible by blocksize^2", c);
  int64_t oc = c / (b * b), plane = h * w;
  bool crd = ctx.attrs().getString("mode", "DCR") == "CRD";
  // Output order (n, c', h, i, w, j); the strides are those of x.
  int64_t cStride = crd ? b * b * plane : plane;
  int64_t iStride = crd ? b * plane : b * oc * plane;
  int64_t jStride = crd ? plane : oc * plane;
  std::vector<CopyDim> dims = {{n, c * plane, 0}, {oc, cStride, 0}, {h, w, 0},
                               {b, iStride, 0},   {w, 1, 0},        {b, jStride, 0}};
  int64_t dst = 1;
  for (size_t d = dims.size(); d-- > 0;) {
    dims[d].dstStride = dst;
    dst *= dims[d].extent;
  }
  emitStridedCopy(ctx, ctx.inputDType(0), ctx.input(0), ctx.i64(0), ctx.output(0), ctx.i64(0), dims,
                  /*allowParallel=*/true);
}

void emitSpaceToDepth(KernelContext& ctx) {
  std::vector<int64_t> x = shape4(ctx);
  int64_t b = blocksize(ctx);
  int64_t n = x[0], c = x[1], h = x[2], w = x[3];
  if (h % b != 0 || w % b != 0) ctx.fail("spatial dims ({}, {}) are not divisible by blocksize {}", h, w, b);
  // Output order (n, i, j, c, h', w'); the strides are those of x.
  std::vector<CopyDim> dims = {{n, c * h * w, 0}, {b, w, 0},     {b, 1, 0},
                               {c, h * w, 0},     {h / b, b * w, 0}, {w / b, b, 0}};
  int64_t dst = 1;
  for (size_t d = dims.size(); d-- > 0;) {
    dims[d].dstStride = dst;
    dst *= dims[d].extent;
  }
  emitStridedCopy(ctx, ctx.inputDType(0), ctx.input(0), ctx.i64(0), ctx.output(0), ctx.i64(0), dims,
                  /*allowParallel=*/true);
}

}  // namespace kiln::codegen
