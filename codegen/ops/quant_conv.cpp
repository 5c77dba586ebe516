// Integer convolutions, ONNX ConvInteger-10 and QLinearConv-10:
//   ConvInteger: y (i32) = conv(x - x_zero_point, w - w_zero_point)
//   QLinearConv: y = saturate(round_half_even((acc + B) * x_scale * w_scale / y_scale) + y_zero_point)
//                with acc the i32 convolution above and B the optional i32 bias.
// Padding stands for x_zero_point (it contributes nothing to the sum), so taps
// outside the input are skipped. w's zero point and scale are per tensor or per
// output channel. A direct loop nest over the window, normalized to three
// spatial axes (conv_geometry.h); each (image, output channel) pair is one
// parallel iteration.
#include "codegen/kernel_context.h"
#include "codegen/ops/conv_geometry.h"
#include "codegen/ops/loop_helpers.h"
#include "codegen/ops/quant_common.h"

namespace kiln::codegen {

namespace {

struct ConvInputs {
  size_t x, xzp, w, wzp;
};

// finish(acc (i32), output index, output channel) stores one output element.
void emitIntegerConv(KernelContext& ctx, const ConvInputs& in,
                     const std::function<void(llvm::Value*, llvm::Value*, llvm::Value*)>& finish) {
  std::vector<int64_t> xs = ctx.inputShape(in.x), ws = ctx.inputShape(in.w), ys = ctx.outputShape(0);
  if (ws.size() != xs.size()) ctx.fail("w has rank {} but x has rank {}", ws.size(), xs.size());
  std::vector<int64_t> kernel(ws.begin() + 2, ws.end());
  WindowGeometry g = forwardWindow(ctx, kernel, false);
  int64_t batch = xs[0], c = xs[1], m = ws[0], group = ctx.attrs().getInt("group", 1);
  if (group <= 0 || c % group != 0 || m % group != 0 || ws[1] != c / group)
    ctx.fail("group {} does not fit {} input and {} output channels (w dim 1 = {})", group, c, m, ws[1]);
  int64_t cg = c / group, mg = m / group;
  DType xt = ctx.inputDType(in.x), wt = ctx.inputDType(in.w);
  int64_t inSize = g.in[0] * g.in[1] * g.in[2], outSize = g.out[0] * g.out[1] * g.out[2];
  int64_t taps = g.kernel[0] * g.kernel[1] * g.kernel[2];
  if (batch * m * outSize == 0) return;

  llvm::AllocaInst* accSlot = entryAlloca(ctx, ctx.b.getInt32Ty());
  auto body = [&](llvm::Value* nm) {  // nm = image * m + oc
    llvm::Value* oc = ctx.b.CreateURem(nm, ctx.i64(m));
    llvm::Value* image = ctx.b.CreateUDiv(nm, ctx.i64(m));
    llvm::Value* firstIc = ctx.b.CreateNSWMul(ctx.b.CreateUDiv(oc, ctx.i64(mg)), ctx.i64(cg));
    llvm::Value* xBase = ctx.b.CreateNSWMul(
        ctx.b.CreateNSWAdd(ctx.b.CreateNSWMul(image, ctx.i64(c)), firstIc), ctx.i64(inSize));
    llvm::Value* wBase = ctx.b.CreateNSWMul(oc, ctx.i64(cg * taps));
    llvm::Value* xzp = loadZeroPoint(ctx, in.xzp, ctx.i64(0));
    llvm::Value* wzp = loadZeroPoint(ctx, in.wzp, oc);
    llvm::Value* yBase = ctx.b.CreateNSWMul(nm, ctx.i64(outSize));
    ctx.loopNest({g.out[0], g.out[1], g.out[2]}, [&](const std::vector<llvm::Value*>& o) {
      ctx.b.CreateStore(ctx.b.getInt32(0), accSlot);
      ctx.loop(0, cg, [&](llvm::Value* icl) {
        llvm::Value* xChan = addScaled(ctx, xBase, icl, inSize);
        llvm::Value* wChan = addScaled(ctx, wBase, icl, taps);
        ctx.loopNest({g.kernel[0], g.kernel[1], g.kernel[2]}, [&](const std::vector<llvm::Value*>& k) {
          llvm::Value* inside = nullptr;
          std::vector<llvm::Value*> pos(kWindowAxes);
          for (int a = 0; a < kWindowAxes; ++a) {
            pos[a] = ctx.b.CreateAdd(
                ctx.b.CreateMul(o[a], ctx.i64(g.stride[a])),
                ctx.b.CreateSub(ctx.b.CreateMul(k[a], ctx.i64(g.dilation[a])), ctx.i64(g.padBegin[a])));
            if (g.alwaysInside(a)) continue;
            llvm::Value* ok = ctx.b.CreateICmpULT(pos[a], ctx.i64(g.in[a]));
            inside = inside ? ctx.b.CreateAnd(inside, ok) : ok;
          }
          auto accumulate = [&] {
            llvm::Value* xi = ctx.b.CreateNSWAdd(xChan, ctx.linearIndex({g.in[0], g.in[1], g.in[2]}, pos));
            llvm::Value* wi =
                ctx.b.CreateNSWAdd(wChan, ctx.linearIndex({g.kernel[0], g.kernel[1], g.kernel[2]}, k));
            llvm::Value* xv = ctx.b.CreateSub(widenToI32(ctx, ctx.load(xt, ctx.input(in.x), xi), xt), xzp);
            llvm::Value* wv = ctx.b.CreateSub(widenToI32(ctx, ctx.load(wt, ctx.input(in.w), wi), wt), wzp);
            llvm::Value* acc = ctx.b.CreateLoad(ctx.b.getInt32Ty(), accSlot);
            ctx.b.CreateStore(ctx.b.CreateAdd(acc, ctx.b.CreateMul(xv, wv)), accSlot);
          };
          if (inside) ctx.ifThen(inside, accumulate);
          else accumulate();
        });
      });
      llvm::Value* yi = ctx.b.CreateNSWAdd(yBase, ctx.linearIndex({g.out[0], g.out[1], g.out[2]}, o));
      finish(ctx.b.CreateLoad(ctx.b.getInt32Ty(), accSlot), yi, oc);
    });
  };
  int64_t rows = batch * m;
  if (rows > 1 && worthParallel(rows * outSize * cg * taps)) ctx.parallelFor(rows, body);
  else ctx.loop(0, rows, body);
}

}  // namespace

void emitConvInteger(KernelContext& ctx) {
  emitIntegerConv(ctx, {0, 2, 1, 3}, [&](llvm::Value* acc, llvm::Value* yi, llvm::Value*) {
    ctx.store(DType::I32, ctx.output(0), yi, acc);
  });
}

// The requantization scale x_scale * w_scale / y_scale is formed in f32, as
// ONNX Runtime does.
void emitQLinearConv(KernelContext& ctx) {
  DType out = ctx.outputDType(0), ct = DType::F32;
  emitIntegerConv(ctx, {0, 2, 3, 5}, [&](llvm::Value* acc, llvm::Value* yi, llvm::Value* oc) {
    if (ctx.hasInput(8)) acc = ctx.b.CreateAdd(acc, ctx.load(DType::I32, ctx.input(8), oc));
    llvm::Value* mult =
        ctx.b.CreateFDiv(ctx.b.CreateFMul(loadScale(ctx, 1, ctx.i64(0), ct), loadScale(ctx, 4, oc, ct)),
                         loadScale(ctx, 6, ctx.i64(0), ct));
    llvm::Value* v = ctx.b.CreateFMul(ctx.convert(acc, DType::I32, ct), mult);
    ctx.store(out, ctx.output(0), yi, requantize(ctx, v, ct, loadZeroPoint(ctx, 7, ctx.i64(0)), out));
  });
}

}  // namespace kiln::codegen
