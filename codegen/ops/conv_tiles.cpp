// Conv output tiles: `vectors` x lanes consecutive output columns of `count`
// output channels whose accumulators (count x vectors vector registers) stay
// in registers over the whole reduction over input channels and kernel taps.
// Per tap a tile loads `vectors` input vectors, broadcasts `count` weights
// and issues count x vectors FMAs.
//
// Interior tiles (every tap of every lane reads inside X) use plain loads and
// run in a loop. Edge tiles sit at compile-time columns, so each lane's
// validity per tap is known here: lanes reading the padding or lying past the
// row end are masked off (masked loads read zeros and touch no memory; the
// store is masked too), and a vector whose lanes are all off is skipped.
// Kernels wider than kMaxUnrolledTaps loop over kw at run time, and long
// stretches of edge tiles loop too; both compute their masks at run time.
//
// Input vectors for stride s: s == 1 is one load; s <= kMaxWideStride is one
// s x lanes wide load and a shuffle picking every s-th element; larger
// strides gather.
#include <llvm/IR/DerivedTypes.h>
#include <llvm/IR/Function.h>

#include "codegen/ops/conv_ir.h"
#include "codegen/ops/conv_output.h"
#include "codegen/ops/conv_plan.h"

namespace kiln::codegen {

namespace {

constexpr int64_t kMaxWideStride = 4;
constexpr int64_t kMaxUnrolledTaps = 16;  // wider kernels loop over kw at run time
constexpr int64_t kMaxStaticEdgeTiles = 4;  // longer edge stretches loop with run-time masks

// How a tile treats lanes that read outside X or lie at or past `end` (the
// end of the columns its task writes).
struct TileMasks {
  enum Kind { None, Static, Dynamic };
  Kind kind = None;
  int64_t start = 0;  // Static: the tile's first column
  int64_t end = 0;
};

class TileEmitter {
 public:
  TileEmitter(KernelContext& ctx, const ConvPlan& p, const ConvRows& rows, int64_t vectors)
      : ctx_(ctx), b_(ctx.b), p_(p), g_(p.g), rows_(rows), vectors_(vectors), out_(ctx, p.dt) {
    elem_ = ctx.llvmType(p.dt);
    vec_ = llvm::FixedVectorType::get(elem_, static_cast<unsigned>(p.lanes));
    align_ = llvm::Align(dtypeSize(p.dt));
    stride_ = g_.stride[2];
    unrollTaps_ = g_.kernel[2] <= kMaxUnrolledTaps;
  }

  bool unrollsTaps() const { return unrollTaps_; }

  // One tile whose first column is `ow`.
  void emit(llvm::Value* ow, const TileMasks& masks) {
    using namespace convir;
    int64_t lanes = p_.lanes, count = rows_.count;
    int64_t yPlane = g_.out[0] * g_.out[1] * g_.out[2];
    masks_ = masks;
    if (masks_.kind == TileMasks::Static && !unrollTaps_) masks_.kind = TileMasks::Dynamic;

    // Accumulator slots in the entry block; LLVM promotes them to registers.
    llvm::Function* fn = b_.GetInsertBlock()->getParent();
    llvm::IRBuilder<> entry(&fn->getEntryBlock(), fn->getEntryBlock().begin());
    acc_.clear();
    for (int64_t i = 0; i < count * vectors_; ++i) acc_.push_back(entry.CreateAlloca(vec_));

    llvm::Value* yRow0 =
        nest(ctx_, nest(ctx_, nest(ctx_, nest(ctx_, rows_.n, p_.outChannels, rows_.ocFirst), g_.out[0], rows_.od),
                        g_.out[1], rows_.oh),
             g_.out[2], ctx_.i64(0));
    for (int64_t j = 0; j < count; ++j) {
      llvm::Value* bj = p_.hasBias ? ctx_.load(p_.dt, ctx_.input(2), add(ctx_, rows_.ocFirst, j))
                                   : ctx_.constant(p_.dt, 0);
      llvm::Value* splat = b_.CreateVectorSplat(static_cast<unsigned>(lanes), bj);
      for (int64_t v = 0; v < vectors_; ++v) b_.CreateStore(splat, acc_[j * vectors_ + v]);
    }

    bool checkD = !g_.alwaysInside(0), checkH = !g_.alwaysInside(1);
    loopNoUnroll(ctx_, 0, p_.icPerGroup, [&](llvm::Value* icl) {
      llvm::Value* ic = add(ctx_, mul(ctx_, rows_.group, p_.icPerGroup), icl);
      llvm::Value* xPlane = nest(ctx_, rows_.n, p_.channels, ic);
      llvm::Value* wOc = add(ctx_, mul(ctx_, rows_.ocFirst, p_.icPerGroup), icl);  // W is (OC, C/group, k...)
      forEach(ctx_, g_.kernel[0], [&](llvm::Value* kd) {
        llvm::Value* id = add(ctx_, mul(ctx_, rows_.od, g_.stride[0]),
                              add(ctx_, mul(ctx_, kd, g_.dilation[0]), -g_.padBegin[0]));
        guard(ctx_, checkD, [&] { return inRange(ctx_, id, 0, g_.in[0]); }, [&] {
          forEach(ctx_, g_.kernel[1], [&](llvm::Value* kh) {
            llvm::Value* ih = add(ctx_, mul(ctx_, rows_.oh, g_.stride[1]),
                                  add(ctx_, mul(ctx_, kh, g_.dilation[1]), -g_.padBegin[1]));
            guard(ctx_, checkH, [&] { return inRange(ctx_, ih, 0, g_.in[1]); }, [&] {
              llvm::Value* xRow = nest(ctx_, nest(ctx_, nest(ctx_, xPlane, g_.in[0], id), g_.in[1], ih),
                                       g_.in[2], ctx_.i64(0));
              llvm::Value* wRow = nest(ctx_, nest(ctx_, nest(ctx_, wOc, g_.kernel[0], kd), g_.kernel[1], kh),
                                       g_.kernel[2], ctx_.i64(0));
              if (unrollTaps_) {
                for (int64_t kw = 0; kw < g_.kernel[2]; ++kw) emitTap(xRow, wRow, ow, ctx_.i64(kw), kw);
              } else {
                ctx_.loop(0, g_.kernel[2], [&](llvm::Value* kw) { emitTap(xRow, wRow, ow, kw, -1); });
              }
            });
          });
        });
      });
    });

    for (int64_t j = 0; j < count; ++j)
      for (int64_t v = 0; v < vectors_; ++v) {
        llvm::Value* at = add(ctx_, add(ctx_, add(ctx_, yRow0, j * yPlane), ow), v * lanes);
        llvm::Value* value = b_.CreateLoad(vec_, acc_[j * vectors_ + v]);
        llvm::Value* on = nullptr;
        if (masks_.kind == TileMasks::Static) {
          std::vector<bool> bits;
          for (int64_t i = 0; i < lanes; ++i) bits.push_back(masks_.start + v * lanes + i < masks_.end);
          if (allOf(bits, false)) continue;
          if (!allOf(bits, true)) on = constMask(bits);
        } else if (masks_.kind == TileMasks::Dynamic) {
          on = b_.CreateICmpSLT(laneColumns(ow, v), splat(ctx_.i64(masks_.end)));
        }
        out_.store(value, at, on);
      }
  }

 private:
  // Kernel tap kw (kwConst >= 0 when known here): count x vectors FMAs.
  void emitTap(llvm::Value* xRow, llvm::Value* wRow, llvm::Value* ow, llvm::Value* kw, int64_t kwConst) {
    using namespace convir;
    int64_t lanes = p_.lanes, count = rows_.count;
    int64_t wPerOc = p_.icPerGroup * g_.kernel[0] * g_.kernel[1] * g_.kernel[2];
    llvm::Value* off = add(ctx_, mul(ctx_, kw, g_.dilation[2]), -g_.padBegin[2]);
    std::vector<llvm::Value*> xv;
    bool any = false;
    for (int64_t v = 0; v < vectors_; ++v) {
      xv.push_back(loadInput(xRow, ow, off, kwConst, v));
      any = any || xv.back();
    }
    if (!any) return;
    for (int64_t j = 0; j < count; ++j) {
      llvm::Value* w = ctx_.load(p_.dt, ctx_.input(1), add(ctx_, add(ctx_, wRow, j * wPerOc), kw));
      llvm::Value* wb = b_.CreateVectorSplat(static_cast<unsigned>(lanes), w);
      for (int64_t v = 0; v < vectors_; ++v) {
        if (!xv[v]) continue;
        llvm::AllocaInst* slot = acc_[j * vectors_ + v];
        b_.CreateStore(fmulAdd(ctx_, wb, xv[v], b_.CreateLoad(vec_, slot)), slot);
      }
    }
  }

  static bool allOf(const std::vector<bool>& v, bool x) {
    for (bool e : v)
      if (e != x) return false;
    return true;
  }

  llvm::Value* constMask(const std::vector<bool>& on) const {
    std::vector<llvm::Constant*> bits;
    for (bool e : on) bits.push_back(b_.getInt1(e));
    return llvm::ConstantVector::get(bits);
  }

  llvm::Value* splat(llvm::Value* v) const { return b_.CreateVectorSplat(static_cast<unsigned>(p_.lanes), v); }

  // The output columns of vector v's lanes: ow + v*lanes + i.
  llvm::Value* laneColumns(llvm::Value* ow, int64_t v) const {
    std::vector<llvm::Constant*> steps;
    for (int64_t i = 0; i < p_.lanes; ++i) steps.push_back(b_.getInt64(static_cast<uint64_t>(v * p_.lanes + i)));
    return b_.CreateAdd(splat(ow), llvm::ConstantVector::get(steps));
  }

  // A pointer that may lie outside the buffer (only masked-on lanes are accessed).
  llvm::Value* rawPtr(llvm::Value* base, llvm::Value* index) const { return b_.CreateGEP(elem_, base, index); }

  // Which lanes of vector v read inside X through tap offset `off`: a
  // constant mask (nullptr = all on) or, when every lane is off, `none`.
  llvm::Value* laneMask(llvm::Value* ow, llvm::Value* off, int64_t kwConst, int64_t v, bool& none) const {
    none = false;
    if (masks_.kind == TileMasks::None) return nullptr;
    if (masks_.kind == TileMasks::Static) {
      std::vector<bool> on;
      int64_t o = g_.tapOffset(2, kwConst);
      for (int64_t i = 0; i < p_.lanes; ++i) {
        int64_t col = masks_.start + v * p_.lanes + i, in = col * stride_ + o;
        on.push_back(col < masks_.end && in >= 0 && in < g_.in[2]);
      }
      none = allOf(on, false);
      return allOf(on, true) ? nullptr : constMask(on);
    }
    llvm::Value* col = laneColumns(ow, v);
    llvm::Value* in = b_.CreateAdd(b_.CreateMul(col, splat(ctx_.i64(stride_))), splat(off));
    llvm::Value* on = b_.CreateICmpSLT(col, splat(ctx_.i64(masks_.end)));
    on = b_.CreateAnd(on, b_.CreateICmpSGE(in, splat(ctx_.i64(0))));
    return b_.CreateAnd(on, b_.CreateICmpSLT(in, splat(ctx_.i64(g_.in[2]))));
  }

  // Input vector v of a tap (lanes = output columns ow + v*lanes + i), or
  // nullptr when no lane of a statically masked tile reads inside X.
  llvm::Value* loadInput(llvm::Value* xRow, llvm::Value* ow, llvm::Value* off, int64_t kwConst, int64_t v) {
    using namespace convir;
    int64_t lanes = p_.lanes;
    bool none = false;
    llvm::Value* on = laneMask(ow, off, kwConst, v, none);
    if (none) return nullptr;
    bool masked = masks_.kind != TileMasks::None;
    llvm::Value* first = add(ctx_, add(ctx_, xRow, off), mul(ctx_, add(ctx_, ow, v * lanes), stride_));
    llvm::Value* zero = llvm::Constant::getNullValue(vec_);
    llvm::Value* allOn = constMask(std::vector<bool>(static_cast<size_t>(lanes), true));
    if (stride_ == 1) {
      if (!on) return b_.CreateAlignedLoad(vec_, ctx_.elementPtr(p_.dt, ctx_.input(0), first), align_);
      return b_.CreateMaskedLoad(vec_, rawPtr(ctx_.input(0), first), align_, on, zero);
    }
    if (stride_ <= kMaxWideStride) {
      auto* wide = llvm::FixedVectorType::get(elem_, static_cast<unsigned>(lanes * stride_));
      std::vector<int> pick, spread;
      for (int64_t i = 0; i < lanes; ++i) pick.push_back(static_cast<int>(i * stride_));
      // Lane i of the mask goes to wide lane i*s; the others (index `lanes`,
      // a false lane of the second operand) stay off.
      for (int64_t i = 0; i < lanes * stride_; ++i)
        spread.push_back(i % stride_ == 0 ? static_cast<int>(i / stride_) : static_cast<int>(lanes));
      llvm::Value* w;
      if (!masked) {
        w = b_.CreateAlignedLoad(wide, ctx_.elementPtr(p_.dt, ctx_.input(0), first), align_);
      } else {
        // Masked even with all lanes on: the wide load's last s - 1 elements
        // may lie past the end of X.
        llvm::Value* lanesOn = on ? on : allOn;
        llvm::Value* wideOn = b_.CreateShuffleVector(lanesOn, llvm::Constant::getNullValue(lanesOn->getType()), spread);
        w = b_.CreateMaskedLoad(wide, rawPtr(ctx_.input(0), first), align_, wideOn,
                                llvm::Constant::getNullValue(wide));
      }
      return b_.CreateShuffleVector(w, pick);
    }
    std::vector<llvm::Constant*> steps;
    for (int64_t i = 0; i < lanes; ++i) steps.push_back(b_.getInt64(static_cast<uint64_t>(i * stride_)));
    llvm::Value* index = b_.CreateAdd(splat(first), llvm::ConstantVector::get(steps));
    llvm::Value* ptrs = b_.CreateGEP(elem_, ctx_.input(0), index);
    return b_.CreateMaskedGather(vec_, ptrs, align_, on ? on : allOn, zero);
  }

  KernelContext& ctx_;
  llvm::IRBuilder<>& b_;
  const ConvPlan& p_;
  const WindowGeometry& g_;
  const ConvRows& rows_;
  int64_t vectors_, stride_;
  ConvOutput out_;
  bool unrollTaps_;
  llvm::Type* elem_;
  llvm::FixedVectorType* vec_;
  llvm::Align align_;
  TileMasks masks_;
  std::vector<llvm::AllocaInst*> acc_;
};

}  // namespace

std::pair<int64_t, int64_t> convTileColumns(const ConvPlan& p) {
  const WindowGeometry& g = p.g;
  int64_t lo = 0, hi = g.out[2];
  for (int64_t kw = 0; kw < g.kernel[2]; ++kw) {
    auto [l, h] = g.validOutRange(2, kw);
    lo = std::max(lo, l);
    hi = std::min(hi, h);
  }
  int64_t s = g.stride[2];
  if (s > 1 && s <= kMaxWideStride) {
    // The wide load of column c's lane reads up to c*s + offset + s - 1.
    int64_t lastOffset = g.tapOffset(2, g.kernel[2] - 1);
    hi = std::min(hi, floorDiv(g.in[2] - s - lastOffset, s) + 1);
  }
  return {lo, std::max(lo, hi)};
}

void emitConvTileRun(KernelContext& ctx, const ConvPlan& p, const ConvRows& rows, llvm::Value* begin,
                     int64_t tiles, int64_t vectors) {
  if (tiles <= 0) return;
  TileEmitter tile(ctx, p, rows, vectors);
  int64_t width = vectors * p.lanes;
  if (tiles == 1) return tile.emit(begin, TileMasks{});
  ctx.loop(0, tiles, [&](llvm::Value* t) {
    tile.emit(convir::add(ctx, begin, convir::mul(ctx, t, width)), TileMasks{});
  });
}

void emitConvEdgeTiles(KernelContext& ctx, const ConvPlan& p, const ConvRows& rows, int64_t start,
                       int64_t tiles, int64_t vectors, int64_t end) {
  if (tiles <= 0) return;
  TileEmitter tile(ctx, p, rows, vectors);
  int64_t width = vectors * p.lanes;
  if (tiles > kMaxStaticEdgeTiles) {
    // A long stretch of edge tiles (a kernel about as wide as the row) loops
    // with run-time masks instead of emitting one tile per position.
    ctx.loop(0, tiles, [&](llvm::Value* t) {
      llvm::Value* ow = convir::add(ctx, convir::mul(ctx, t, width), start);
      tile.emit(ow, TileMasks{TileMasks::Dynamic, 0, end});
    });
    return;
  }
  for (int64_t t = 0; t < tiles; ++t)
    tile.emit(ctx.i64(start + t * width), TileMasks{TileMasks::Static, start + t * width, end});
}

}  // namespace kiln::codegen
