// MaxPool and AveragePool over 1-D/2-D/3-D windows, one output row per task.
//
// Like Conv, a task walks the kernel taps (kd, kh, kw) and, for each tap,
// combines the input column into the whole output row over the ow range whose
// input is inside X; padding never contributes. AveragePool then divides by
// the window's element count, which is separable: count(od) * count(oh) *
// count(ow), each taken from a compile-time table (with count_include_pad the
// padding counts, but not the part of a ceil_mode window past the end padding,
// as in ONNX Runtime).
//
// MaxPool takes float and integer (int8, uint8, ...) X. Its optional Indices
// output holds, per output element, the flat index of the first maximum in
// scan order within X (plane * D*H*W + the position in the plane, padding not
// counted), the plane position row-major for storage_order 0 and column-major
// (the first spatial axis fastest) for 1; -1 where no element beat the initial
// value (a window of NaN / -inf only), as in ONNX Runtime.
#include <array>
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

// The lowest value of dtype t: MaxPool's initial value.
llvm::Value* lowest(const KernelContext& ctx, DType t) {
  if (isFloat(t)) return ctx.constant(t, -std::numeric_limits<double>::infinity());
  unsigned bits = ctx.llvmType(t)->getIntegerBitWidth();
  return ctx.b.getInt(isSignedInt(t) ? llvm::APInt::getSignedMinValue(bits) : llvm::APInt::getMinValue(bits));
}

// x > acc (false for NaN x, so acc stays).
llvm::Value* greater(const KernelContext& ctx, DType t, llvm::Value* x, llvm::Value* acc) {
  if (isFloat(t)) return ctx.b.CreateFCmpOGT(x, acc);
  return isSignedInt(t) ? ctx.b.CreateICmpSGT(x, acc) : ctx.b.CreateICmpUGT(x, acc);
}

void emitPool(KernelContext& ctx, bool isMax) {
  using namespace convir;
  DType dt = ctx.inputDType(0);
  if (!isMax) requireFloatKernel(ctx, dt);
  else if (dt == DType::Bool || dt == DType::String) ctx.fail("unsupported: MaxPool of {}", dtypeName(dt));
  bool withIndices = isMax && ctx.numOutputs() > 1;
  bool columnMajor = ctx.attrs().getInt("storage_order", 0) != 0;
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

  llvm::Value* init = isMax ? lowest(ctx, dt) : ctx.constant(dt, 0);
  // Index of X element (id, ih, iw) of plane 0 in the Indices output.
  int64_t inPlane = g.in[0] * g.in[1] * g.in[2];
  std::array<int64_t, kWindowAxes> indexStride = {g.in[1] * g.in[2], g.in[2], 1};
  if (columnMajor) indexStride = {1, g.in[0], g.in[0] * g.in[1]};
  bool checkD = !g.alwaysInside(0), checkH = !g.alwaysInside(1);
  ctx.parallelFor(planes * g.out[0] * g.out[1], [&](llvm::Value* t) {
    std::vector<llvm::Value*> idx = splitIndex(ctx, t, extents);
    llvm::Value *plane = idx[0], *od = idx[1], *oh = idx[2];
    llvm::Value* yRow = nest(ctx, nest(ctx, nest(ctx, plane, g.out[0], od), g.out[1], oh), g.out[2], ctx.i64(0));
    ctx.loop(0, g.out[2], [&](llvm::Value* ow) {
      ctx.store(dt, ctx.output(0), add(ctx, yRow, ow), init);
      if (withIndices) ctx.store(DType::I64, ctx.output(1), add(ctx, yRow, ow), ctx.i64(-1));
    });

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
              llvm::Value* indexBase = nullptr;
              if (withIndices)
                indexBase = add(ctx, add(ctx, mul(ctx, plane, inPlane), mul(ctx, id, indexStride[0])),
                                add(ctx, mul(ctx, ih, indexStride[1]), g.tapOffset(2, kw) * indexStride[2]));
              ctx.loop(lo, hi, [&](llvm::Value* ow) {
                llvm::Value* xv = ctx.load(dt, ctx.input(0), add(ctx, xOff, mul(ctx, ow, g.stride[2])));
                llvm::Value* at = add(ctx, yRow, ow);
                llvm::Value* acc = ctx.load(dt, ctx.output(0), at);
                if (!isMax) return ctx.store(dt, ctx.output(0), at, ctx.b.CreateFAdd(acc, xv));
                // x > acc ? x : acc keeps acc on NaN, which maps to one max instruction.
                llvm::Value* gt = greater(ctx, dt, xv, acc);
                ctx.store(dt, ctx.output(0), at, ctx.b.CreateSelect(gt, xv, acc));
                if (!withIndices) return;
                llvm::Value* index = add(ctx, indexBase, mul(ctx, ow, g.stride[2] * indexStride[2]));
                llvm::Value* old = ctx.load(DType::I64, ctx.output(1), at);
                ctx.store(DType::I64, ctx.output(1), at, ctx.b.CreateSelect(gt, index, old));
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

void emitMaxPool(KernelContext& ctx) { emitPool(ctx, true); }

void emitAveragePool(KernelContext& ctx) { emitPool(ctx, false); }

}  // namespace kiln::codegen
