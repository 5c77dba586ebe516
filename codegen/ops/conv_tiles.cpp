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
//
// Input vectors for stride s: s == 1 is one load; s <= kMaxWideStride is one
// s x lanes wide load and a shuffle picking every s-th element; larger
// strides gather.
#include <llvm/IR/DerivedTypes.h>
#include <llvm/IR/Function.h>

#include "codegen/ops/conv_ir.h"
#include "codegen/ops/conv_plan.h"

namespace kiln::codegen {

namespace {

constexpr int64_t kMaxWideStride = 4;

// Compile-time placement of an edge tile: absolute first column and the end
// of the columns this task may write.
struct EdgePlacement {
  int64_t start, end;
};

class TileEmitter {
 public:
  TileEmitter(KernelContext& ctx, const ConvPlan& p, const ConvRows& rows, int64_t vectors)
      : ctx_(ctx), b_(ctx.b), p_(p), g_(p.g), rows_(rows), vectors_(vectors) {
    elem_ = ctx.llvmType(p.dt);
    vec_ = llvm::FixedVectorType::get(elem_, static_cast<unsigned>(p.lanes));
    align_ = llvm::Align(dtypeSize(p.dt));
    stride_ = g_.stride[2];
  }

  // One tile whose first column is `ow`; `edge` is set for masked edge tiles.
  void emit(llvm::Value* ow, const EdgePlacement* edge) {
    using namespace convir;
    int64_t lanes = p_.lanes, count = rows_.count;
    int64_t yPlane = g_.out[0] * g_.out[1] * g_.out[2];
    int64_t wPerOc = p_.icPerGroup * g_.kernel[0] * g_.kernel[1] * g_.kernel[2];

    // Accumulator slots in the entry block; LLVM promotes them to registers.
    llvm::Function* fn = b_.GetInsertBlock()->getParent();
    llvm::IRBuilder<> entry(&fn->getEntryBlock(), fn->getEntryBlock().begin());
    std::vector<llvm::AllocaInst*> acc;
    for (int64_t i = 0; i < count * vectors_; ++i) acc.push_back(entry.CreateAlloca(vec_));

    llvm::Value* yRow0 =
        nest(ctx_, nest(ctx_, nest(ctx_, nest(ctx_, rows_.n, p_.outChannels, rows_.ocFirst), g_.out[0], rows_.od),
                        g_.out[1], rows_.oh),
             g_.out[2], ctx_.i64(0));
    for (int64_t j = 0; j < count; ++j) {
      llvm::Value* bj = p_.hasBias ? ctx_.load(p_.dt, ctx_.input(2), add(ctx_, rows_.ocFirst, j))
                                   : ctx_.constant(p_.dt, 0);
      llvm::Value* splat = b_.CreateVectorSplat(static_cast<unsigned>(lanes), bj);
      for (int64_t v = 0; v < vectors_; ++v) b_.CreateStore(splat, acc[j * vectors_ + v]);
    }

    bool checkD = !g_.alwaysInside(0), checkH = !g_.alwaysInside(1);
    ctx_.loop(0, p_.icPerGroup, [&](llvm::Value* icl) {
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
              for (int64_t kw = 0; kw < g_.kernel[2]; ++kw) {
                std::vector<llvm::Value*> xv;
                bool any = false;
                for (int64_t v = 0; v < vectors_; ++v) {
                  xv.push_back(loadInput(xRow, ow, kw, v, edge));
                  any = any || xv.back();
                }
                if (!any) continue;
                for (int64_t j = 0; j < count; ++j) {
                  llvm::Value* w = ctx_.load(p_.dt, ctx_.input(1), add(ctx_, wRow, j * wPerOc + kw));
                  llvm::Value* wb = b_.CreateVectorSplat(static_cast<unsigned>(lanes), w);
                  for (int64_t v = 0; v < vectors_; ++v) {
                    if (!xv[v]) continue;
                    llvm::AllocaInst* slot = acc[j * vectors_ + v];
                    b_.CreateStore(fmulAdd(ctx_, wb, xv[v], b_.CreateLoad(vec_, slot)), slot);
                  }
                }
              }
            });
          });
        });
      });
    });

    for (int64_t j = 0; j < count; ++j)
      for (int64_t v = 0; v < vectors_; ++v) {
        llvm::Value* at = add(ctx_, add(ctx_, add(ctx_, yRow0, j * yPlane), ow), v * lanes);
        llvm::Value* value = b_.CreateLoad(vec_, acc[j * vectors_ + v]);
        if (!edge) {
          b_.CreateAlignedStore(value, ctx_.elementPtr(p_.dt, ctx_.output(0), at), align_);
          continue;
        }
        std::vector<bool> on;
        for (int64_t i = 0; i < lanes; ++i) on.push_back(edge->start + v * lanes + i < edge->end);
        if (allOf(on, false)) continue;
        if (allOf(on, true))
          b_.CreateAlignedStore(value, ctx_.elementPtr(p_.dt, ctx_.output(0), at), align_);
        else
          b_.CreateMaskedStore(value, rawPtr(ctx_.output(0), at), align_, mask(on));
      }
  }

 private:
  static bool allOf(const std::vector<bool>& v, bool x) {
    for (bool e : v)
      if (e != x) return false;
    return true;
  }

  llvm::Value* mask(const std::vector<bool>& on) const {
    std::vector<llvm::Constant*> bits;
    for (bool e : on) bits.push_back(b_.getInt1(e));
    return llvm::ConstantVector::get(bits);
  }

  // A pointer that may lie outside the buffer (only masked-on lanes are accessed).
  llvm::Value* rawPtr(llvm::Value* base, llvm::Value* index) const { return b_.CreateGEP(elem_, base, index); }

  // Input vector v of tap kw (lanes = output columns ow + v*lanes + i), or
  // nullptr when an edge tile has no lane reading inside X.
  llvm::Value* loadInput(llvm::Value* xRow, llvm::Value* ow, int64_t kw, int64_t v, const EdgePlacement* edge) {
    using namespace convir;
    int64_t lanes = p_.lanes, off = g_.tapOffset(2, kw);
    std::vector<bool> on(static_cast<size_t>(lanes), true);
    if (edge) {
      for (int64_t i = 0; i < lanes; ++i) {
        int64_t col = edge->start + v * lanes + i, in = col * stride_ + off;
        on[static_cast<size_t>(i)] = col < edge->end && in >= 0 && in < g_.in[2];
      }
      if (allOf(on, false)) return nullptr;
    }
    bool full = allOf(on, true);
    llvm::Value* first = add(ctx_, add(ctx_, xRow, off), mul(ctx_, add(ctx_, ow, v * lanes), stride_));
    llvm::Value* zero = llvm::Constant::getNullValue(vec_);
    if (stride_ == 1) {
      if (full) return b_.CreateAlignedLoad(vec_, ctx_.elementPtr(p_.dt, ctx_.input(0), first), align_);
      return b_.CreateMaskedLoad(vec_, rawPtr(ctx_.input(0), first), align_, mask(on), zero);
    }
    if (stride_ <= kMaxWideStride) {
      auto* wide = llvm::FixedVectorType::get(elem_, static_cast<unsigned>(lanes * stride_));
      std::vector<int> pick;
      std::vector<bool> wideOn(static_cast<size_t>(lanes * stride_), false);
      for (int64_t i = 0; i < lanes; ++i) {
        pick.push_back(static_cast<int>(i * stride_));
        wideOn[static_cast<size_t>(i * stride_)] = on[static_cast<size_t>(i)];
      }
      // An edge tile masks even when all lanes are on: the wide load's last
      // s - 1 elements may lie past the end of X.
      llvm::Value* w;
      if (!edge)
        w = b_.CreateAlignedLoad(wide, ctx_.elementPtr(p_.dt, ctx_.input(0), first), align_);
      else
        w = b_.CreateMaskedLoad(wide, rawPtr(ctx_.input(0), first), align_, mask(wideOn),
                                llvm::Constant::getNullValue(wide));
      return b_.CreateShuffleVector(w, pick);
    }
    std::vector<llvm::Constant*> steps;
    for (int64_t i = 0; i < lanes; ++i) steps.push_back(b_.getInt64(static_cast<uint64_t>(i * stride_)));
    llvm::Value* index = b_.CreateAdd(b_.CreateVectorSplat(static_cast<unsigned>(lanes), first),
                                      llvm::ConstantVector::get(steps));
    llvm::Value* ptrs = b_.CreateGEP(elem_, ctx_.input(0), index);
    return b_.CreateMaskedGather(vec_, ptrs, align_, mask(on), zero);
  }

  KernelContext& ctx_;
  llvm::IRBuilder<>& b_;
  const ConvPlan& p_;
  const WindowGeometry& g_;
  const ConvRows& rows_;
  int64_t vectors_, stride_;
  llvm::Type* elem_;
  llvm::FixedVectorType* vec_;
  llvm::Align align_;
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
  if (tiles == 1) return tile.emit(begin, nullptr);
  ctx.loop(0, tiles, [&](llvm::Value* t) { tile.emit(convir::add(ctx, begin, convir::mul(ctx, t, width)), nullptr); });
}

void emitConvEdgeTile(KernelContext& ctx, const ConvPlan& p, const ConvRows& rows, int64_t start,
                      int64_t end, int64_t vectors) {
  TileEmitter tile(ctx, p, rows, vectors);
  EdgePlacement edge{start, end};
  tile.emit(ctx.i64(start), &edge);
}

}  // namespace kiln::codegen
