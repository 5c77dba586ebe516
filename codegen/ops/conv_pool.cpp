// MaxPool and AveragePool over 1-D/2-D/3-D windows, one output row per task.
//
// Like Conv, a task walks the kernel taps (kd, kh, kw) and, for each tap,
// combines the input column into the whole output row over the ow range whose
// input is inside X; padding never contributes. AveragePool then divides by
// the window's element count, which is separable: count(od) * count(oh) *
// count(ow), each taken from a compile-time table (with count_include_pad the
// padding counts, but not the part of a ceil_mode window past the end padding,
// as in ONNX Runtime).
#include <limits>

#include "codegen/kernel_context.h"
#include "codegen/ops/conv_geometry.h"
#include "codegen/ops/conv_ir.h"

namespace kiln::codegen {

namespace {

// Number of elements each output position's window averages along axis a.
std::vector<double> windowCounts(const WindowGeometry& g, int a, bool includePad) {
  std::vector<double> counts;
  for (int64_t o = 0; o < g.out[a]; ++o) {
    int64_t n = 0;
    for (int64_t k = 0; k < g.kernel[a]; ++k) {
      int64_t i = o * g.stride[a] + g.tapOffset(a, k);
      n += includePad ? (i < g.in[a] + g.padEnd[a]) : (i >= 0 && i < g.in[a]);
    }
    counts.push_back(static_cast<double>(n));
  }
  return counts;
}

// A per-position count along axis a: a constant when all positions agree,
// else a load from a table.
class CountAxis {
 public:
  CountAxis(const KernelContext& ctx, DType dt, std::vector<double> counts, const char* name)
      : dt_(dt), counts_(std::move(counts)) {
    for (double c : counts_) uniform_ = uniform_ && c == counts_.front();
    if (!uniform_) table_ = convir::floatTable(ctx, dt, counts_, name);
  }
  llvm::Value* at(const KernelContext& ctx, llvm::Value* o) const {
    if (uniform_) return ctx.constant(dt_, counts_.front());
    return ctx.load(dt_, table_, o);
  }

 private:
  DType dt_;
  std::vector<double> counts_;
  bool uniform_ = true;
  llvm::Value* table_ = nullptr;
};

void emitPool(KernelContext& ctx, bool isMax) {
  using namespace convir;
  DType dt = requireFloatKernel(ctx, ctx.inputDType(0));
  std::vector<int64_t> kernel = ctx.attrs().getInts("kernel_shape");
  bool ceilMode = ctx.attrs().getInt("ceil_mode", 0) != 0;
  WindowGeometry g = forwardWindow(ctx, kernel, ceilMode);
  std::vector<int64_t> x = ctx.inputShape(0);
  int64_t planes = x[0] * x[1];
  std::vector<int64_t> extents = {planes, g.out[0], g.out[1]};
  if (planes * g.out[0] * g.out[1] * g.out[2] == 0) return;

  bool includePad = ctx.attrs().getInt("count_include_pad", 0) != 0;
  std::vector<CountAxis> counts;
  if (!isMax)
    for (int a = 0; a < kWindowAxes; ++a)
      counts.emplace_back(ctx, dt, windowCounts(g, a, includePad), "pool_count");

  llvm::Value* init = isMax ? ctx.constant(dt, -std::numeric_limits<double>::infinity())
                            : ctx.constant(dt, 0);
  bool checkD = !g.alwaysInside(0), checkH = !g.alwaysInside(1);
  ctx.parallelFor(planes * g.out[0] * g.out[1], [&](llvm::Value* t) {
    std::vector<llvm::Value*> idx = splitIndex(ctx, t, extents);
    llvm::Value *plane = idx[0], *od = idx[1], *oh = idx[2];
    llvm::Value* yRow = nest(ctx, nest(ctx, nest(ctx, plane, g.out[0], od), g.out[1], oh), g.out[2], ctx.i64(0));
    ctx.loop(0, g.out[2], [&](llvm::Value* ow) { ctx.store(dt, ctx.output(0), add(ctx, yRow, ow), init); });

    forEach(ctx, g.kernel[0], [&](llvm::Value* kd) {
      llvm::Value* id = add(ctx, mul(ctx, od, g.stride[0]), add(ctx, mul(ctx, kd, g.dilation[0]), -g.padBegin[0]));
      guard(ctx, checkD, [&] { return inRange(ctx, id, 0, g.in[0]); }, [&] {
        forEach(ctx, g.kernel[1], [&](llvm::Value* kh) {
          llvm::Value* ih =
              add(ctx, mul(ctx, oh, g.stride[1]), add(ctx, mul(ctx, kh, g.dilation[1]), -g.padBegin[1]));
          guard(ctx, checkH, [&] { return inRange(ctx, ih, 0, g.in[1]); }, [&] {
            llvm::Value* xRow =
                nest(ctx, nest(ctx, nest(ctx, plane, g.in[0], id), g.in[1], ih), g.in[2], ctx.i64(0));
            for (int64_t kw = 0; kw < g.kernel[2]; ++kw) {
              auto [lo, hi] = g.validOutRange(2, kw);
              if (lo >= hi) continue;
              llvm::Value* xOff = add(ctx, xRow, g.tapOffset(2, kw));
              ctx.loop(lo, hi, [&](llvm::Value* ow) {
                llvm::Value* xv = ctx.load(dt, ctx.input(0), add(ctx, xOff, mul(ctx, ow, g.stride[2])));
                llvm::Value* at = add(ctx, yRow, ow);
                llvm::Value* acc = ctx.load(dt, ctx.output(0), at);
                // x > acc ? x : acc keeps acc on NaN, which maps to one max instruction.
                llvm::Value* v = isMax ? ctx.b.CreateSelect(ctx.b.CreateFCmpOGT(xv, acc), xv, acc)
                                       : ctx.b.CreateFAdd(acc, xv);
                ctx.store(dt, ctx.output(0), at, v);
              });
            }
          });
        });
      });
    });

    if (isMax) return;
    llvm::Value* rowCount = ctx.b.CreateFMul(counts[0].at(ctx, od), counts[1].at(ctx, oh));
    ctx.loop(0, g.out[2], [&](llvm::Value* ow) {
      llvm::Value* at = add(ctx, yRow, ow);
      llvm::Value* n = ctx.b.CreateFMul(rowCount, counts[2].at(ctx, ow));
      ctx.store(dt, ctx.output(0), at, ctx.b.CreateFDiv(ctx.load(dt, ctx.output(0), at), n));
    });
  });
}

}  // namespace

void emitMaxPool(KernelContext& ctx) {
  if (ctx.numOutputs() > 1) ctx.fail("the Indices output is not supported");
  emitPool(ctx, true);
}

void emitAveragePool(KernelContext& ctx) { emitPool(ctx, false); }

}  // namespace kiln::codegen
