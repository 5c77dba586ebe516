// Conv of any kernel size, stride, dilation and group count (everything but
// the pointwise 1x1 form, see conv.cpp), 1-D/2-D/3-D, as a direct convolution.
//
// One parallel task computes a block of `rows` output rows of one (image,
// group, output depth) for a set of output channels, with register tiles:
// `count` output channels x `vectors` vectors of consecutive output columns,
// whose accumulators stay in registers over the input channels and kernel
// taps. Per tap a tile loads `vectors` input vectors, broadcasts `count`
// weights and issues count x vectors FMAs. Depthwise convs (one input and one
// output channel per group) take tiles of one channel and, on rows too short
// to fill the registers, several output rows: their taps are grouped by the
// input row they read, so each input vector loaded feeds every tile row that
// uses it (reduceDepthwise).
//
// Where a tap's input vector comes from:
//  - Direct (stride 1 along W): straight from X's row, one unaligned load.
//    Tiles at compile-time columns near the row ends mask the lanes that read
//    the padding; the interior tiles between them run in a loop without masks.
//  - Staged (stride > 1, or a kernel about as wide as the row): the task first
//    copies the input rows it needs into a stack buffer, zero-padded and split
//    into stride phases (conv_stage.h), so that every tap is one unit-stride
//    load from the buffer, deinterleaved once per row instead of once per tap.
//    Input channels are staged in chunks that stay in L1; with several chunks
//    the partial sums of the task's outputs wait in a second stack buffer
//    between chunks. Consecutive output rows of a task share staged rows.
//
// conv_direct_plan.cpp decides the tile shapes, the mode, the rows, chunks and
// channel sets of a task; this file emits the loops.
#include "codegen/ops/conv_direct.h"

#include <llvm/IR/Function.h>

#include <algorithm>
#include <map>

#include "codegen/ops/conv_direct_plan.h"
#include "codegen/ops/conv_ir.h"
#include "codegen/ops/conv_output.h"
#include "codegen/ops/conv_stage.h"

namespace kiln::codegen {

namespace {

class DirectConv {
 public:
  DirectConv(KernelContext& ctx, const DirectPlan& p)
      : ctx_(ctx), b_(ctx.b), p_(p), g_(p.g), out_(ctx, p.dt) {
    elem_ = ctx.llvmType(p.dt);
    vec_ = llvm::FixedVectorType::get(elem_, static_cast<unsigned>(p.lanes));
    align_ = llvm::Align(static_cast<uint64_t>(p.esize));
    checkD_ = !g_.alwaysInside(0);
    checkH_ = !g_.alwaysInside(1);
    checkBand_ = checkH_ || g_.out[1] % p.rows != 0;
    llvm::Function* fn = b_.GetInsertBlock()->getParent();
    llvm::IRBuilder<> entry(&fn->getEntryBlock(), fn->getEntryBlock().begin());
    auto buffer = [&](int64_t elems) {
      llvm::AllocaInst* a = entry.CreateAlloca(llvm::ArrayType::get(elem_, static_cast<uint64_t>(elems)));
      a->setAlignment(llvm::Align(64));
      return a;
    };
    if (p.stageElems() > 0) stage_ = buffer(p.stageElems());
    if (p.accElems() > 0) acc_ = buffer(p.accElems());
  }

  void emit() {
    using namespace convir;
    std::vector<int64_t> extents = {p_.batch, p_.groups, g_.out[0], p_.rowBlocks, p_.ocSets};
    ctx_.parallelFor(p_.tasks, [&](llvm::Value* t) {
      std::vector<llvm::Value*> idx = splitIndex(ctx_, t, extents);
      task_.n = idx[0];
      task_.group = idx[1];
      task_.od = idx[2];
      task_.oh0 = mul(ctx_, idx[3], p_.rows);
      task_.ocSet0 = mul(ctx_, idx[4], p_.ocSet);
      int64_t last = p_.ocPerGroup - (p_.ocSets - 1) * p_.ocSet;
      if (last == p_.ocSet) return emitTask(p_.ocSet);
      llvm::Value* isLast = b_.CreateICmpEQ(idx[4], ctx_.i64(p_.ocSets - 1));
      ctx_.ifThen(isLast, [&] { emitTask(last); });
      ctx_.ifThen(b_.CreateNot(isLast), [&] { emitTask(p_.ocSet); });
    });
  }

 private:
  struct Task {
    llvm::Value *n = nullptr, *group = nullptr, *od = nullptr, *oh0 = nullptr, *ocSet0 = nullptr;
  };
  struct Chunk {
    llvm::Value *index = nullptr, *ic0 = nullptr, *count = nullptr;  // count: input channels in it (>= 1)
  };
  // Where a tile sits: its output row (r in the task, oh) and first column.
  struct TileAt {
    llvm::Value *r = nullptr, *oh = nullptr, *col = nullptr;
    int64_t staticCol = -1;  // the column when known here
    bool interior = true;    // direct: no tap reads outside the row
  };

  llvm::Value* inputDepth(llvm::Value* kd) const {
    using namespace convir;
    return add(ctx_, mul(ctx_, task_.od, g_.stride[0]), add(ctx_, mul(ctx_, kd, g_.dilation[0]), -g_.padBegin[0]));
  }
  llvm::Value* inputRow(llvm::Value* oh, llvm::Value* kh) const {
    using namespace convir;
    return add(ctx_, mul(ctx_, oh, g_.stride[1]), add(ctx_, mul(ctx_, kh, g_.dilation[1]), -g_.padBegin[1]));
  }

  // A task's output channels [ocSet0, ocSet0 + setSize) of its group.
  void emitTask(int64_t setSize) {
    using namespace convir;
    if (p_.icChunks == 1) return emitChunk(setSize, Chunk{ctx_.i64(0), ctx_.i64(0), ctx_.i64(p_.icPerGroup)});
    loopNoUnroll(ctx_, 0, p_.icChunks, [&](llvm::Value* c) {
      llvm::Value* ic0 = mul(ctx_, c, p_.icChunk);
      llvm::Value* count = ctx_.i64(p_.icChunk);
      if (p_.icPerGroup % p_.icChunk != 0) {
        llvm::Value* rest = b_.CreateSub(ctx_.i64(p_.icPerGroup), ic0);
        count = b_.CreateSelect(b_.CreateICmpSLT(rest, count), rest, count);
      }
      emitChunk(setSize, Chunk{c, ic0, count});
    });
  }

  void emitChunk(int64_t setSize, const Chunk& chunk) {
    using namespace convir;
    if (p_.staged) stageChunk(chunk);
    forEach(ctx_, p_.rows / p_.rowTile, [&](llvm::Value* rt) {
      llvm::Value* r = mul(ctx_, rt, p_.rowTile);  // the tile's first row in the task
      llvm::Value* oh = add(ctx_, task_.oh0, r);
      guard(ctx_, g_.out[1] % p_.rows != 0, [&] { return b_.CreateICmpSLT(oh, ctx_.i64(g_.out[1])); }, [&] {
        int64_t full = setSize / p_.count, tail = setSize % p_.count;
        auto blocks = [&](llvm::Value* ocInSet, int64_t count) { emitRowTiles(chunk, r, oh, ocInSet, count); };
        if (full == 1) blocks(ctx_.i64(0), p_.count);
        else if (full > 1) ctx_.loop(0, full, [&](llvm::Value* blk) { blocks(mul(ctx_, blk, p_.count), p_.count); });
        if (tail > 0) blocks(ctx_.i64(full * p_.count), tail);
      });
    });
  }

  void stageChunk(const Chunk& chunk) {
    using namespace convir;
    llvm::Value* ihFirst = add(ctx_, mul(ctx_, task_.oh0, g_.stride[1]), -g_.padBegin[1]);
    loopNoUnroll(ctx_, chunk.count, [&](llvm::Value* icl) {
      llvm::Value* ic = add(ctx_, add(ctx_, mul(ctx_, task_.group, p_.icPerGroup), chunk.ic0), icl);
      forEach(ctx_, g_.kernel[0], [&](llvm::Value* kd) {
        llvm::Value* id = inputDepth(kd);
        guard(ctx_, checkD_, [&] { return inRange(ctx_, id, 0, g_.in[0]); }, [&] {
          loopNoUnroll(ctx_, 0, p_.band, [&](llvm::Value* bandRow) {
            llvm::Value* ih = add(ctx_, ihFirst, bandRow);
            guard(ctx_, checkBand_, [&] { return inRange(ctx_, ih, 0, g_.in[1]); }, [&] {
              llvm::Value* src = xRow(ic, id, ih);
              llvm::Value* dst =
                  mul(ctx_, nest(ctx_, nest(ctx_, icl, g_.kernel[0], kd), p_.band, bandRow), p_.row.pitch);
              p_.row.emit(ctx_, p_.dt, p_.lanes, ctx_.input(0), src, stage_, dst);
            });
          });
        });
      });
    });
  }

  // Element 0 of X's row (n, ic, id, ih).
  llvm::Value* xRow(llvm::Value* ic, llvm::Value* id, llvm::Value* ih) const {
    using namespace convir;
    return nest(ctx_, nest(ctx_, nest(ctx_, nest(ctx_, task_.n, p_.channels, ic), g_.in[0], id), g_.in[1], ih),
                g_.in[2], ctx_.i64(0));
  }

  // Every column tile of output row r (oh) for `count` channels from ocInSet:
  // full tiles (direct mode: masked ones at the ends, a loop of interior ones
  // between), then the narrower tail tile.
  void emitRowTiles(const Chunk& chunk, llvm::Value* r, llvm::Value* oh, llvm::Value* ocInSet, int64_t count) {
    using namespace convir;
    int64_t width = p_.width();
    auto fixed = [&](int64_t k, int64_t vectors, bool interior) {
      emitTile(chunk, TileAt{r, oh, ctx_.i64(k * width), k * width, interior}, ocInSet, count, vectors);
    };
    auto run = [&](int64_t from, int64_t to) {
      if (to - from == 1) return fixed(from, p_.vectors, true);
      if (to > from)
        ctx_.loop(from, to, [&](llvm::Value* k) {
          emitTile(chunk, TileAt{r, oh, mul(ctx_, k, width), -1, true}, ocInSet, count, p_.vectors);
        });
    };
    if (p_.staged) {
      run(0, p_.fullTiles);
    } else {
      for (int64_t k = 0; k < p_.interiorBegin; ++k) fixed(k, p_.vectors, false);
      run(p_.interiorBegin, p_.interiorEnd);
      for (int64_t k = p_.interiorEnd; k < p_.fullTiles; ++k) fixed(k, p_.vectors, false);
    }
    if (p_.tailVectors > 0) fixed(p_.fullTiles, p_.tailVectors, false);
  }

  llvm::Value* constMask(const std::vector<bool>& on) const {
    std::vector<llvm::Constant*> bits;
    for (bool e : on) bits.push_back(b_.getInt1(e));
    return llvm::ConstantVector::get(bits);
  }

  // Input vector v of tap (kw, kwConst when known here) for a tile reading
  // either the staged row at `srow` or X's row at `xrow`; nullptr when a
  // direct edge tile has no lane inside the row.
  llvm::Value* tapInput(const TileAt& at, llvm::Value* srow, llvm::Value* xrow, llvm::Value* kw, int64_t kwConst,
                        int64_t v) {
    using namespace convir;
    int64_t lanes = p_.lanes;
    if (p_.staged) {
      llvm::Value* off;
      if (kwConst >= 0) {
        off = ctx_.i64(p_.row.tapOffset(kwConst));
      } else {
        llvm::Value* o = mul(ctx_, kw, g_.dilation[2]);
        off = add(ctx_, mul(ctx_, b_.CreateURem(o, ctx_.i64(g_.stride[2])), p_.row.phaseLen),
                  b_.CreateUDiv(o, ctx_.i64(g_.stride[2])));
      }
      return b_.CreateAlignedLoad(vec_, ctx_.elementPtr(p_.dt, stage_, add(ctx_, add(ctx_, srow, off), v * lanes)),
                                  align_);
    }
    // Direct: column col + v * lanes + i + kw * d - pad of X's row.
    llvm::Value* first = add(ctx_, add(ctx_, add(ctx_, xrow, at.col), mul(ctx_, kw, g_.dilation[2])),
                             v * lanes - g_.padBegin[2]);
    if (at.interior) return b_.CreateAlignedLoad(vec_, ctx_.elementPtr(p_.dt, ctx_.input(0), first), align_);
    std::vector<bool> on;
    int64_t count = 0;
    for (int64_t i = 0; i < lanes; ++i) {
      int64_t in = at.staticCol + v * lanes + i + kwConst * g_.dilation[2] - g_.padBegin[2];
      on.push_back(in >= 0 && in < g_.in[2]);
      count += on.back();
    }
    if (count == 0) return nullptr;
    if (count == lanes) return b_.CreateAlignedLoad(vec_, ctx_.elementPtr(p_.dt, ctx_.input(0), first), align_);
    // Masked-off lanes may point outside X: a plain GEP.
    return b_.CreateMaskedLoad(vec_, b_.CreateGEP(elem_, ctx_.input(0), first), align_, constMask(on),
                               llvm::Constant::getNullValue(vec_));
  }

  // Depthwise reduction of a tile of rowTile output rows from at.oh of channel
  // oc (its own input channel): taps grouped by the input row they read, so
  // that each input vector loaded feeds every tile row that uses it.
  void reduceDepthwise(const TileAt& at, llvm::Value* oc, const std::vector<llvm::AllocaInst*>& acc, int64_t vectors,
                       bool unrollTaps) {
    using namespace convir;
    int64_t sh = g_.stride[1], dh = g_.dilation[1], kwCount = g_.kernel[2];
    std::map<int64_t, std::vector<std::pair<int64_t, int64_t>>> byRow;  // row offset -> (tile row, kh)
    for (int64_t rr = 0; rr < p_.rowTile; ++rr)
      for (int64_t kh = 0; kh < g_.kernel[1]; ++kh) byRow[rr * sh + kh * dh].push_back({rr, kh});
    bool checkRows = checkH_ || g_.out[1] % p_.rowTile != 0;
    llvm::Value* id = inputDepth(ctx_.i64(0));
    guard(ctx_, checkD_, [&] { return inRange(ctx_, id, 0, g_.in[0]); }, [&] {
      for (const auto& [delta, uses] : byRow) {
        llvm::Value* ih = add(ctx_, inputRow(at.oh, ctx_.i64(0)), delta);
        guard(ctx_, checkRows, [&] { return inRange(ctx_, ih, 0, g_.in[1]); }, [&] {
          llvm::Value *srow = nullptr, *xrow = nullptr;
          if (p_.staged) srow = add(ctx_, mul(ctx_, add(ctx_, mul(ctx_, at.r, sh), delta), p_.row.pitch), at.col);
          else xrow = xRow(oc, id, ih);
          auto tap = [&](llvm::Value* kw, int64_t kwConst) {
            std::vector<llvm::Value*> xv;
            bool any = false;
            for (int64_t v = 0; v < vectors; ++v) {
              xv.push_back(tapInput(at, srow, xrow, kw, kwConst, v));
              any = any || xv.back();
            }
            if (!any) return;
            for (auto [rr, kh] : uses) {
              // W is (C, 1, kh, kw).
              llvm::Value* w = ctx_.load(p_.dt, ctx_.input(1), add(ctx_, mul(ctx_, oc, g_.kernel[1] * kwCount), add(ctx_, kw, kh * kwCount)));
              llvm::Value* wb = b_.CreateVectorSplat(static_cast<unsigned>(p_.lanes), w);
              for (int64_t v = 0; v < vectors; ++v) {
                if (!xv[v]) continue;
                llvm::AllocaInst* slot = acc[rr * vectors + v];
                b_.CreateStore(fmulAdd(ctx_, wb, xv[v], b_.CreateLoad(vec_, slot)), slot);
              }
            }
          };
          if (unrollTaps) {
            for (int64_t kw = 0; kw < kwCount; ++kw) tap(ctx_.i64(kw), kw);
          } else {
            ctx_.loop(0, kwCount, [&](llvm::Value* kw) { tap(kw, -1); });
          }
        });
      }
    });
  }

  // One register tile: channels [ocInSet, +count) of the set, `vectors`
  // vectors of columns from at.col, rowTile rows from at.oh.
  void emitTile(const Chunk& chunk, const TileAt& at, llvm::Value* ocInSet, int64_t count, int64_t vectors) {
    using namespace convir;
    int64_t lanes = p_.lanes;
    llvm::Value* ocLocal = add(ctx_, task_.ocSet0, ocInSet);                        // in the group
    llvm::Value* oc = add(ctx_, mul(ctx_, task_.group, p_.ocPerGroup), ocLocal);  // global
    llvm::Function* fn = b_.GetInsertBlock()->getParent();
    llvm::IRBuilder<> entry(&fn->getEntryBlock(), fn->getEntryBlock().begin());
    // Accumulators (tile row rr, channel j, vector v) at (rr * count + j) * vectors + v.
    std::vector<llvm::AllocaInst*> acc;
    for (int64_t i = 0; i < p_.rowTile * count * vectors; ++i) acc.push_back(entry.CreateAlloca(vec_));

    // Partial sums of (row r, channel j of the tile, vector v) between chunks.
    auto accAt = [&](int64_t j, int64_t v) {
      llvm::Value* line = nest(ctx_, nest(ctx_, at.r, p_.ocSet, add(ctx_, ocInSet, j)), p_.outCols, at.col);
      return ctx_.elementPtr(p_.dt, acc_, add(ctx_, line, v * lanes));
    };
    auto initFromBias = [&] {
      for (int64_t j = 0; j < count; ++j) {
        llvm::Value* bj = p_.hasBias ? ctx_.load(p_.dt, ctx_.input(2), add(ctx_, oc, j)) : ctx_.constant(p_.dt, 0);
        llvm::Value* splat = b_.CreateVectorSplat(static_cast<unsigned>(lanes), bj);
        for (int64_t rr = 0; rr < p_.rowTile; ++rr)
          for (int64_t v = 0; v < vectors; ++v) b_.CreateStore(splat, acc[(rr * count + j) * vectors + v]);
      }
    };
    if (p_.icChunks == 1) {
      initFromBias();
    } else {
      llvm::Value* first = b_.CreateICmpEQ(chunk.index, ctx_.i64(0));
      ctx_.ifThen(first, initFromBias);
      ctx_.ifThen(b_.CreateNot(first), [&] {
        for (int64_t j = 0; j < count; ++j)
          for (int64_t v = 0; v < vectors; ++v)
            b_.CreateStore(b_.CreateAlignedLoad(vec_, accAt(j, v), align_), acc[j * vectors + v]);
      });
    }

    int64_t taps = g_.kernel[0] * g_.kernel[1] * g_.kernel[2];
    bool unrollTaps = g_.kernel[2] <= kConvMaxUnrolledTaps || !at.interior;
    if (p_.depthwise()) reduceDepthwise(at, oc, acc, vectors, unrollTaps);
    else loopNoUnroll(ctx_, chunk.count, [&](llvm::Value* icl) {
      llvm::Value* icInGroup = add(ctx_, chunk.ic0, icl);
      llvm::Value* ic = add(ctx_, mul(ctx_, task_.group, p_.icPerGroup), icInGroup);
      // W is (OC, C / group, kd, kh, kw).
      llvm::Value* wIc = mul(ctx_, nest(ctx_, oc, p_.icPerGroup, icInGroup), taps);
      forEach(ctx_, g_.kernel[0], [&](llvm::Value* kd) {
        llvm::Value* id = inputDepth(kd);
        guard(ctx_, checkD_, [&] { return inRange(ctx_, id, 0, g_.in[0]); }, [&] {
          forEach(ctx_, g_.kernel[1], [&](llvm::Value* kh) {
            llvm::Value* ih = inputRow(at.oh, kh);
            guard(ctx_, checkH_, [&] { return inRange(ctx_, ih, 0, g_.in[1]); }, [&] {
              llvm::Value *srow = nullptr, *xrow = nullptr;
              if (p_.staged) {
                llvm::Value* bandRow = add(ctx_, mul(ctx_, at.r, g_.stride[1]), mul(ctx_, kh, g_.dilation[1]));
                srow = add(ctx_, mul(ctx_, nest(ctx_, nest(ctx_, icl, g_.kernel[0], kd), p_.band, bandRow),
                                     p_.row.pitch),
                           at.col);
              } else {
                xrow = xRow(ic, id, ih);
              }
              llvm::Value* wTap = mul(ctx_, nest(ctx_, kd, g_.kernel[1], kh), g_.kernel[2]);
              auto tap = [&](llvm::Value* kw, int64_t kwConst) {
                std::vector<llvm::Value*> xv;
                bool any = false;
                for (int64_t v = 0; v < vectors; ++v) {
                  xv.push_back(tapInput(at, srow, xrow, kw, kwConst, v));
                  any = any || xv.back();
                }
                if (!any) return;
                llvm::Value* wk = add(ctx_, add(ctx_, wIc, wTap), kw);
                for (int64_t j = 0; j < count; ++j) {
                  llvm::Value* w = ctx_.load(p_.dt, ctx_.input(1), add(ctx_, wk, j * p_.icPerGroup * taps));
                  llvm::Value* wb = b_.CreateVectorSplat(static_cast<unsigned>(lanes), w);
                  for (int64_t v = 0; v < vectors; ++v) {
                    if (!xv[v]) continue;
                    llvm::AllocaInst* slot = acc[j * vectors + v];
                    b_.CreateStore(fmulAdd(ctx_, wb, xv[v], b_.CreateLoad(vec_, slot)), slot);
                  }
                }
              };
              if (unrollTaps) {
                for (int64_t kw = 0; kw < g_.kernel[2]; ++kw) tap(ctx_.i64(kw), kw);
              } else {
                ctx_.loop(0, g_.kernel[2], [&](llvm::Value* kw) { tap(kw, -1); });
              }
            });
          });
        });
      });
    });

    auto storeOutput = [&] {
      int64_t yPlane = g_.out[0] * g_.out[1] * g_.out[2];
      for (int64_t rr = 0; rr < p_.rowTile; ++rr) {
        llvm::Value* oh = add(ctx_, at.oh, rr);
        // Rows of the last tile past OH are computed, not stored.
        guard(ctx_, rr > 0 && g_.out[1] % p_.rowTile != 0, [&] { return b_.CreateICmpSLT(oh, ctx_.i64(g_.out[1])); }, [&] {
          llvm::Value* yRow = nest(ctx_, nest(ctx_, nest(ctx_, nest(ctx_, task_.n, p_.outChannels, oc), g_.out[0], task_.od),
                                              g_.out[1], oh),
                                   g_.out[2], at.col);
          for (int64_t j = 0; j < count; ++j)
            for (int64_t v = 0; v < vectors; ++v) {
              llvm::Value* mask = nullptr;
              if (at.staticCol >= 0 && at.staticCol + (v + 1) * lanes > g_.out[2]) {
                std::vector<bool> on;
                for (int64_t i = 0; i < lanes; ++i) on.push_back(at.staticCol + v * lanes + i < g_.out[2]);
                if (!on[0]) continue;
                mask = constMask(on);
              }
              out_.store(b_.CreateLoad(vec_, acc[(rr * count + j) * vectors + v]), add(ctx_, yRow, j * yPlane + v * lanes),
                         mask);
            }
        });
      }
    };
    if (p_.icChunks == 1) return storeOutput();
    llvm::Value* last = b_.CreateICmpEQ(chunk.index, ctx_.i64(p_.icChunks - 1));
    ctx_.ifThen(last, storeOutput);
    ctx_.ifThen(b_.CreateNot(last), [&] {
      for (int64_t j = 0; j < count; ++j)
        for (int64_t v = 0; v < vectors; ++v)
          b_.CreateAlignedStore(b_.CreateLoad(vec_, acc[j * vectors + v]), accAt(j, v), align_);
    });
  }

  KernelContext& ctx_;
  llvm::IRBuilder<>& b_;
  const DirectPlan& p_;
  const WindowGeometry& g_;
  ConvOutput out_;
  llvm::Type* elem_;
  llvm::FixedVectorType* vec_;
  llvm::Align align_;
  bool checkD_, checkH_, checkBand_;
  llvm::Value* stage_ = nullptr;
  llvm::Value* acc_ = nullptr;
  Task task_;
};

}  // namespace

void emitDirectConv(KernelContext& ctx) {
  DirectPlan p = planDirect(ctx);
  if (p.tasks == 0 || p.g.out[2] == 0) return;
  if (p.icPerGroup == 0) ctx.fail("X has no input channels");
  DirectConv(ctx, p).emit();
}

}  // namespace kiln::codegen
