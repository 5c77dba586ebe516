// ConvTranspose: the adjoint of Conv, 1-D/2-D/3-D, any group count, computed
// per output row in stride phases.
//
// Output column ow = q * s + phase (s the stride along W) receives input
// column iw through tap kw exactly when ow + pad - kw * d = iw * s, that is
// iw = q + c with c = (phase + pad - kw * d) / s for the taps whose numerator
// is a multiple of s. So each phase of an output row is a unit-stride
// correlation over q with a few taps, and the phases interleave into the row.
// A register tile holds `count` output channels x s phases x `vectors`
// vectors of q; per input channel and distinct offset c it loads `vectors`
// input vectors once and feeds every (phase, tap) with that offset from them,
// then the store interleaves the phases into consecutive output columns.
// Output rows (and depths) receive input row ih through tap kh when
// oh + pad - kh * d is a multiple of the stride: a run-time test per tap.
//
// Tiles whose taps all read inside the input row run in a loop with plain
// loads; tiles near the row ends mask the lanes reading outside (static masks
// at compile-time columns, or run-time masks when there are many).
#include <llvm/IR/Function.h>

#include <algorithm>
#include <map>

#include "codegen/kernel_context.h"
#include "codegen/ops/conv_geometry.h"
#include "codegen/ops/conv_ir.h"
#include "codegen/ops/conv_output.h"

namespace kiln::codegen {

namespace {

constexpr int64_t kMinTasks = 32;      // split the output channels below this many tasks
constexpr int64_t kMaxEdgeTiles = 4;   // more masked tiles per row use run-time masks

// The taps of one input offset c: (phase, kw) pairs.
struct OffsetTaps {
  int64_t c = 0;
  std::vector<std::pair<int64_t, int64_t>> taps;
};

struct TransposePlan : ConvChannels {
  int64_t phases = 1;
  std::vector<OffsetTaps> offsets;  // by input offset along W
  int64_t count = 1, vectors = 1;   // register tile: channels x phases x vectors of q
  int64_t qFull = 0;                // q below this: every phase's column is inside the row
  int64_t qEnd = 0;                 // q up to this: some phase's column is
  int64_t fullTiles = 0, tailVectors = 0;
  int64_t interiorBegin = 0, interiorEnd = 0;  // full tiles whose taps read inside the row
  bool dynamicEdges = false;
  int64_t ocSet = 1, ocSets = 1, tasks = 0;

  int64_t width() const { return vectors * lanes; }
};

// Register tile (channels, vectors): count x phases x vectors accumulators,
// `vectors` input vectors and one broadcast weight fit the vector registers;
// the best FMA rate of the same core model as conv_direct.cpp's tiles.
void chooseTile(TransposePlan& p, int64_t regs, int64_t rowVectors) {
  constexpr double kFmaPipes = 2, kLoadPorts = 2, kFmaLatency = 4;
  std::vector<int64_t> perPhase(static_cast<size_t>(p.phases), 0);
  int64_t pairs = 0;
  for (const OffsetTaps& o : p.offsets)
    for (auto [phase, kw] : o.taps) {
      ++perPhase[static_cast<size_t>(phase)];
      ++pairs;
    }
  int64_t chain = std::max<int64_t>(1, *std::max_element(perPhase.begin(), perPhase.end()));
  double bestScore = -1;
  for (int64_t c = 1; c <= std::min(p.ocPerGroup, regs); ++c) {
    int64_t v = std::min(rowVectors, (regs - 1) / (c * p.phases + 1));
    if (v < 1) break;
    double fmas = static_cast<double>(c * pairs * v);
    double loads = static_cast<double>(static_cast<int64_t>(p.offsets.size()) * v + c * pairs);
    double rate = fmas / std::max({fmas / kFmaPipes, loads / kLoadPorts, kFmaLatency * static_cast<double>(chain)});
    double score = rate * (p.ocPerGroup % c == 0 ? 1.0 : 0.95) - 0.001 * loads / std::max<double>(1, fmas);
    if (score > bestScore) {
      bestScore = score;
      p.count = c;
      p.vectors = v;
    }
  }
}

TransposePlan planTranspose(KernelContext& ctx) {
  TransposePlan p;
  static_cast<ConvChannels&>(p) = readConvChannels(ctx, /*transposed=*/true);
  const WindowGeometry& g = p.g;
  int64_t s = g.stride[2];
  p.phases = s;

  std::map<int64_t, OffsetTaps> byOffset;
  for (int64_t phase = 0; phase < s; ++phase)
    for (int64_t kw = 0; kw < g.kernel[2]; ++kw) {
      int64_t num = phase + g.padBegin[2] - kw * g.dilation[2];
      if (num - floorDiv(num, s) * s != 0) continue;
      OffsetTaps& o = byOffset[floorDiv(num, s)];
      o.c = floorDiv(num, s);
      o.taps.push_back({phase, kw});
    }
  for (auto& [c, o] : byOffset) p.offsets.push_back(o);

  int64_t ow = g.out[2];
  p.qFull = ow / s;
  p.qEnd = ceilDiv(ow, s);
  chooseTile(p, ctx.target.vectorRegisters, std::max<int64_t>(1, ceilDiv(p.qEnd, p.lanes)));
  int64_t width = p.width();
  p.fullTiles = p.qFull / width;
  p.tailVectors = ceilDiv(p.qEnd - p.fullTiles * width, p.lanes);

  // Full tiles whose every offset reads inside the input row: q0 + c >= 0 and
  // q0 + width + c <= IW for every c.
  int64_t cMin = 0, cMax = 0;
  if (!p.offsets.empty()) {
    cMin = p.offsets.front().c;
    cMax = p.offsets.back().c;
  }
  p.interiorBegin = std::min(p.fullTiles, std::max<int64_t>(0, ceilDiv(-cMin, width)));
  p.interiorEnd = std::clamp<int64_t>(floorDiv(g.in[2] - cMax, width), p.interiorBegin, p.fullTiles);
  p.dynamicEdges = p.interiorBegin + (p.fullTiles - p.interiorEnd) > kMaxEdgeTiles;

  int64_t rows = p.batch * p.groups * g.out[0] * g.out[1];
  p.ocSet = p.ocPerGroup;
  auto tasksFor = [&](int64_t set) { return rows * ceilDiv(p.ocPerGroup, set); };
  while (tasksFor(p.ocSet) < kMinTasks && p.ocSet > p.count)
    p.ocSet = std::max(p.count, ceilDiv(p.ocSet / 2, p.count) * p.count);
  p.ocSets = ceilDiv(p.ocPerGroup, p.ocSet);
  p.tasks = tasksFor(p.ocSet);
  return p;
}

class TransposeKernel {
 public:
  TransposeKernel(KernelContext& ctx, const TransposePlan& p) : ctx_(ctx), b_(ctx.b), p_(p), g_(p.g), out_(ctx, p.dt) {
    elem_ = ctx.llvmType(p.dt);
    vec_ = llvm::FixedVectorType::get(elem_, static_cast<unsigned>(p.lanes));
    align_ = llvm::Align(static_cast<uint64_t>(p.esize));
  }

  void emit() {
    using namespace convir;
    std::vector<int64_t> extents = {p_.batch, p_.groups, g_.out[0], g_.out[1], p_.ocSets};
    ctx_.parallelFor(p_.tasks, [&](llvm::Value* t) {
      std::vector<llvm::Value*> idx = splitIndex(ctx_, t, extents);
      row_ = Row{idx[0], idx[1], idx[2], idx[3], mul(ctx_, idx[4], p_.ocSet)};
      int64_t last = p_.ocPerGroup - (p_.ocSets - 1) * p_.ocSet;
      if (last == p_.ocSet) return emitSet(p_.ocSet);
      llvm::Value* isLast = b_.CreateICmpEQ(idx[4], ctx_.i64(p_.ocSets - 1));
      ctx_.ifThen(isLast, [&] { emitSet(last); });
      ctx_.ifThen(b_.CreateNot(isLast), [&] { emitSet(p_.ocSet); });
    });
  }

 private:
  struct Row {
    llvm::Value *n, *group, *od, *oh, *ocSet0;
  };
  enum class Masks { None, Static, Dynamic };
  struct TileAt {
    llvm::Value* q0;
    int64_t staticQ0;  // the first q when known here
    Masks masks;
  };

  // The input index feeding output index `o` through tap `k` along axis a, and
  // whether it exists: o + pad - k * d must be a multiple of the stride and
  // the quotient inside the input.
  std::pair<llvm::Value*, llvm::Value*> sourceIndex(int a, llvm::Value* o, llvm::Value* k) const {
    using namespace convir;
    llvm::Value* num = add(ctx_, o, add(ctx_, mul(ctx_, k, -g_.dilation[a]), g_.padBegin[a]));
    if (g_.stride[a] == 1) return {num, inRange(ctx_, num, 0, g_.in[a])};
    llvm::Value* i = b_.CreateSDiv(num, ctx_.i64(g_.stride[a]));
    llvm::Value* exact = b_.CreateICmpEQ(b_.CreateSRem(num, ctx_.i64(g_.stride[a])), ctx_.i64(0));
    return {i, b_.CreateAnd(exact, inRange(ctx_, i, 0, g_.in[a]))};
  }

  void emitSet(int64_t setSize) {
    using namespace convir;
    int64_t full = setSize / p_.count, tail = setSize % p_.count;
    if (full == 1) emitRowTiles(ctx_.i64(0), p_.count);
    else if (full > 1) ctx_.loop(0, full, [&](llvm::Value* blk) { emitRowTiles(mul(ctx_, blk, p_.count), p_.count); });
    if (tail > 0) emitRowTiles(ctx_.i64(full * p_.count), tail);
  }

  void emitRowTiles(llvm::Value* ocInSet, int64_t count) {
    using namespace convir;
    int64_t width = p_.width();
    auto fixed = [&](int64_t k, int64_t vectors, Masks m) {
      emitTile(TileAt{ctx_.i64(k * width), k * width, m}, ocInSet, count, vectors);
    };
    auto run = [&](int64_t from, int64_t to, Masks m) {
      if (to - from == 1 && m != Masks::Dynamic) return fixed(from, p_.vectors, m);
      if (to > from)
        ctx_.loop(from, to, [&](llvm::Value* k) { emitTile(TileAt{mul(ctx_, k, width), -1, m}, ocInSet, count, p_.vectors); });
    };
    if (p_.dynamicEdges) {
      run(0, p_.interiorBegin, Masks::Dynamic);
      run(p_.interiorBegin, p_.interiorEnd, Masks::None);
      run(p_.interiorEnd, p_.fullTiles, Masks::Dynamic);
    } else {
      for (int64_t k = 0; k < p_.interiorBegin; ++k) fixed(k, p_.vectors, Masks::Static);
      run(p_.interiorBegin, p_.interiorEnd, Masks::None);
      for (int64_t k = p_.interiorEnd; k < p_.fullTiles; ++k) fixed(k, p_.vectors, Masks::Static);
    }
    if (p_.tailVectors > 0) fixed(p_.fullTiles, p_.tailVectors, Masks::Static);
  }

  llvm::Value* constMask(const std::vector<bool>& on) const {
    std::vector<llvm::Constant*> bits;
    for (bool e : on) bits.push_back(b_.getInt1(e));
    return llvm::ConstantVector::get(bits);
  }

  // Input vector v at offset c of the row starting at xrow (lanes: q0 + v *
  // lanes + i + c), or nullptr when a static tile has no lane inside the row.
  llvm::Value* loadInput(const TileAt& at, llvm::Value* xrow, int64_t c, int64_t v) {
    using namespace convir;
    int64_t lanes = p_.lanes;
    llvm::Value* first = add(ctx_, add(ctx_, xrow, at.q0), v * lanes + c);
    llvm::Value* mask = nullptr;
    if (at.masks == Masks::Static) {
      std::vector<bool> on;
      int64_t count = 0;
      for (int64_t i = 0; i < lanes; ++i) {
        int64_t iw = at.staticQ0 + v * lanes + i + c;
        on.push_back(iw >= 0 && iw < g_.in[2]);
        count += on.back();
      }
      if (count == 0) return nullptr;
      if (count < lanes) mask = constMask(on);
    } else if (at.masks == Masks::Dynamic) {
      std::vector<llvm::Constant*> iota;
      for (int64_t i = 0; i < lanes; ++i) iota.push_back(b_.getInt64(static_cast<uint64_t>(i)));
      llvm::Value* iw = b_.CreateAdd(b_.CreateVectorSplat(static_cast<unsigned>(lanes), add(ctx_, at.q0, v * lanes + c)),
                                     llvm::ConstantVector::get(iota));
      mask = b_.CreateAnd(b_.CreateICmpSGE(iw, llvm::Constant::getNullValue(iw->getType())),
                          b_.CreateICmpSLT(iw, b_.CreateVectorSplat(static_cast<unsigned>(lanes), ctx_.i64(g_.in[2]))));
    }
    if (!mask) return b_.CreateAlignedLoad(vec_, ctx_.elementPtr(p_.dt, ctx_.input(0), first), align_);
    // Masked-off lanes may point outside X: a plain GEP.
    return b_.CreateMaskedLoad(vec_, b_.CreateGEP(elem_, ctx_.input(0), first), align_, mask,
                               llvm::Constant::getNullValue(vec_));
  }

  // Output vectors u = 0..s-1 of consecutive columns from s phase vectors:
  // lane i of u is column (u * lanes + i), that is phase (u * lanes + i) % s,
  // element (u * lanes + i) / s.
  std::vector<llvm::Value*> interleave(const std::vector<llvm::Value*>& phase) const {
    int64_t s = p_.phases, lanes = p_.lanes;
    if (s == 1) return phase;
    std::vector<llvm::Value*> outv;
    for (int64_t u = 0; u < s; ++u) {
      llvm::Value* v = llvm::PoisonValue::get(vec_);
      for (int64_t k = 0; k < s; ++k) {
        std::vector<int> mask;
        for (int64_t i = 0; i < lanes; ++i) {
          int64_t col = u * lanes + i;
          mask.push_back(col % s == k ? static_cast<int>(lanes + col / s) : static_cast<int>(i));
        }
        v = b_.CreateShuffleVector(v, phase[static_cast<size_t>(k)], mask);
      }
      outv.push_back(v);
    }
    return outv;
  }

  void emitTile(const TileAt& at, llvm::Value* ocInSet, int64_t count, int64_t vectors) {
    using namespace convir;
    int64_t lanes = p_.lanes, s = p_.phases;
    const WindowGeometry& g = g_;
    llvm::Value* ocl0 = add(ctx_, row_.ocSet0, ocInSet);                              // in the group
    llvm::Value* oc0 = add(ctx_, mul(ctx_, row_.group, p_.ocPerGroup), ocl0);          // global
    llvm::Function* fn = b_.GetInsertBlock()->getParent();
    llvm::IRBuilder<> entry(&fn->getEntryBlock(), fn->getEntryBlock().begin());
    auto slot = [&](int64_t j, int64_t phase, int64_t v) { return acc_[static_cast<size_t>((j * s + phase) * vectors + v)]; };
    acc_.clear();
    for (int64_t i = 0; i < count * s * vectors; ++i) acc_.push_back(entry.CreateAlloca(vec_));
    for (int64_t j = 0; j < count; ++j) {
      llvm::Value* bj = p_.hasBias ? ctx_.load(p_.dt, ctx_.input(2), add(ctx_, oc0, j)) : ctx_.constant(p_.dt, 0);
      llvm::Value* splat = b_.CreateVectorSplat(static_cast<unsigned>(lanes), bj);
      for (int64_t ph = 0; ph < s; ++ph)
        for (int64_t v = 0; v < vectors; ++v) b_.CreateStore(splat, slot(j, ph, v));
    }

    int64_t taps = g.kernel[0] * g.kernel[1] * g.kernel[2];
    ctx_.loop(0, g.kernel[0], [&](llvm::Value* kd) {
      auto [id, validD] = sourceIndex(0, row_.od, kd);
      ctx_.ifThen(validD, [&, id = id] {
        ctx_.loop(0, g.kernel[1], [&](llvm::Value* kh) {
          auto [ih, validH] = sourceIndex(1, row_.oh, kh);
          ctx_.ifThen(validH, [&, ih = ih] {
            loopNoUnroll(ctx_, 0, p_.icPerGroup, [&](llvm::Value* icl) {
              llvm::Value* ic = add(ctx_, mul(ctx_, row_.group, p_.icPerGroup), icl);
              llvm::Value* xrow = nest(ctx_, nest(ctx_, nest(ctx_, nest(ctx_, row_.n, p_.channels, ic), g.in[0], id),
                                                  g.in[1], ih),
                                       g.in[2], ctx_.i64(0));
              // W is (C, OC / group, kd, kh, kw).
              llvm::Value* wRow = add(ctx_, mul(ctx_, nest(ctx_, ic, p_.ocPerGroup, ocl0), taps),
                                      mul(ctx_, nest(ctx_, kd, g.kernel[1], kh), g.kernel[2]));
              for (const OffsetTaps& o : p_.offsets) {
                std::vector<llvm::Value*> xv;
                bool any = false;
                for (int64_t v = 0; v < vectors; ++v) {
                  xv.push_back(loadInput(at, xrow, o.c, v));
                  any = any || xv.back();
                }
                if (!any) continue;
                for (auto [phase, kw] : o.taps)
                  for (int64_t j = 0; j < count; ++j) {
                    llvm::Value* w = ctx_.load(p_.dt, ctx_.input(1), add(ctx_, wRow, j * taps + kw));
                    llvm::Value* wb = b_.CreateVectorSplat(static_cast<unsigned>(lanes), w);
                    for (int64_t v = 0; v < vectors; ++v) {
                      if (!xv[v]) continue;
                      llvm::AllocaInst* a = slot(j, phase, v);
                      b_.CreateStore(fmulAdd(ctx_, wb, xv[v], b_.CreateLoad(vec_, a)), a);
                    }
                  }
              }
            });
          });
        });
      });
    });

    int64_t yPlane = g.out[0] * g.out[1] * g.out[2];
    llvm::Value* yRow = nest(ctx_, nest(ctx_, nest(ctx_, nest(ctx_, row_.n, p_.outChannels, oc0), g.out[0], row_.od),
                                        g.out[1], row_.oh),
                             g.out[2], ctx_.i64(0));
    for (int64_t j = 0; j < count; ++j)
      for (int64_t v = 0; v < vectors; ++v) {
        std::vector<llvm::Value*> phase;
        for (int64_t ph = 0; ph < s; ++ph) phase.push_back(b_.CreateLoad(vec_, slot(j, ph, v)));
        std::vector<llvm::Value*> cols = interleave(phase);
        for (int64_t u = 0; u < s; ++u) {
          // Columns (q0 + v * lanes) * s + u * lanes + i.
          llvm::Value* mask = nullptr;
          if (at.staticQ0 >= 0) {
            int64_t col0 = (at.staticQ0 + v * lanes) * s + u * lanes;
            if (col0 >= g.out[2]) continue;
            if (col0 + lanes > g.out[2]) {
              std::vector<bool> on;
              for (int64_t i = 0; i < lanes; ++i) on.push_back(col0 + i < g.out[2]);
              mask = constMask(on);
            }
          }
          llvm::Value* at0 = add(ctx_, add(ctx_, yRow, j * yPlane), add(ctx_, mul(ctx_, at.q0, s), (v * lanes) * s + u * lanes));
          out_.store(cols[static_cast<size_t>(u)], at0, mask);
        }
      }
  }

  KernelContext& ctx_;
  llvm::IRBuilder<>& b_;
  const TransposePlan& p_;
  const WindowGeometry& g_;
  ConvOutput out_;
  llvm::Type* elem_;
  llvm::FixedVectorType* vec_;
  llvm::Align align_;
  Row row_{};
  std::vector<llvm::AllocaInst*> acc_;
};

}  // namespace

void emitConvTranspose(KernelContext& ctx) {
  TransposePlan p = planTranspose(ctx);
  if (p.tasks == 0 || p.g.out[2] == 0) return;
  if (p.icPerGroup == 0) ctx.fail("X has no input channels");
  TransposeKernel(ctx, p).emit();
}

}  // namespace kiln::codegen
