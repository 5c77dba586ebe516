#include "codegen/ops/rnn_common.h"

#include <llvm/IR/Intrinsics.h>

#include "codegen/ops/elementwise_common.h"
#include "codegen/ops/linalg_arith.h"
#include "codegen/ops/loop_helpers.h"

namespace kiln::codegen {

namespace {

using llvm::Value;

// Largest scratch (in elements) one batch entry may use on the stack.
constexpr int64_t kMaxScratch = int64_t{1} << 18;

}  // namespace

RnnShape rnnShape(const KernelContext& ctx, int64_t gates, const std::vector<std::string>& defaults) {
  RnnShape s;
  s.params = ir::readRnnParams(ctx, defaults);
  s.gates = gates;
  std::vector<int64_t> x = ctx.inputShape(0), r = ctx.inputShape(2);
  if (x.size() != 3 || r.size() != 3) ctx.fail("X and R must have rank 3");
  s.seq = x[s.params.layout == 0 ? 0 : 1];
  s.batch = x[s.params.layout == 0 ? 1 : 0];
  s.input = x[2];
  s.hidden = r[2];
  if (s.params.hidden > 0 && s.params.hidden != s.hidden)
    ctx.fail("hidden_size {} differs from R's last dim {}", s.params.hidden, s.hidden);
  s.dtype = ctx.inputDType(0);
  if (s.dtype != DType::F32 && s.dtype != DType::F64 && s.dtype != DType::F16)
    ctx.fail("unsupported: X has dtype {}", dtypeName(s.dtype));
  s.ct = s.dtype == DType::F64 ? DType::F64 : DType::F32;
  if ((gates + 3) * s.hidden > kMaxScratch)
    ctx.fail("unsupported: hidden_size {} is too large for the recurrent kernel", s.hidden);
  return s;
}

Value* dotProduct(KernelContext& ctx, DType ct, DType at, Value* a, Value* aOff, DType vt, Value* v,
                  Value* vOff, int64_t n) {
  ReassocScope reassoc(ctx);
  llvm::AllocaInst* acc = entryAlloca(ctx, ctx.llvmType(ct));
  ctx.b.CreateStore(ctx.constant(ct, 0), acc);
  ctx.loop(0, n, [&](Value* k) {
    Value* x = ctx.convert(ctx.load(at, a, ctx.b.CreateNSWAdd(aOff, k)), at, ct);
    Value* y = ctx.convert(ctx.load(vt, v, ctx.b.CreateNSWAdd(vOff, k)), vt, ct);
    ctx.b.CreateStore(emitMulAdd(ctx, ct, x, y, ctx.b.CreateLoad(ctx.llvmType(ct), acc)), acc);
  });
  return ctx.b.CreateLoad(ctx.llvmType(ct), acc);
}

Value* recurrentBias(KernelContext& ctx, const RnnShape& s, int64_t dir, Value* row) {
  if (!ctx.hasInput(3)) return ctx.constant(s.ct, 0);
  int64_t gh = s.gates * s.hidden;
  Value* at = ctx.b.CreateNSWAdd(ctx.i64(dir * 2 * gh + gh), row);
  return ctx.convert(ctx.load(s.dtype, ctx.input(3), at), s.dtype, s.ct);
}

void emitGateRows(KernelContext& ctx, const RnnShape& s, const RnnStep& st, int64_t row0, int64_t rows,
                  Value* h, bool withRb) {
  int64_t gh = s.gates * s.hidden;
  ctx.loop(row0, row0 + rows, [&](Value* row) {
    Value* wOff = addScaled(ctx, ctx.i64(st.dir * gh * s.input), row, s.input);
    Value* v = dotProduct(ctx, s.ct, s.dtype, ctx.input(1), wOff, s.dtype, ctx.input(0), st.x, s.input);
    if (h) {
      Value* rOff = addScaled(ctx, ctx.i64(st.dir * gh * s.hidden), row, s.hidden);
      v = ctx.b.CreateFAdd(v,
                           dotProduct(ctx, s.ct, s.dtype, ctx.input(2), rOff, s.ct, h, ctx.i64(0), s.hidden));
    }
    if (ctx.hasInput(3)) {
      Value* wb = ctx.load(s.dtype, ctx.input(3), ctx.b.CreateNSWAdd(ctx.i64(st.dir * 2 * gh), row));
      v = ctx.b.CreateFAdd(v, ctx.convert(wb, s.dtype, s.ct));
      if (withRb) v = ctx.b.CreateFAdd(v, recurrentBias(ctx, s, st.dir, row));
    }
    ctx.store(s.ct, st.gates, row, v);
  });
}

Value* applyActivation(KernelContext& ctx, const RnnShape& s, const ir::RnnActivationFn& f, Value* x,
                       bool clip) {
  using A = ir::RnnActivation;
  if (clip && s.params.hasClip)
    x = ctx.b.CreateMinNum(ctx.b.CreateMaxNum(x, fconst(x, -s.params.clip)), fconst(x, s.params.clip));
  auto& b = ctx.b;
  Value* zero = fconst(x, 0.0);
  Value* one = fconst(x, 1.0);
  switch (f.kind) {
    case A::Relu: return b.CreateSelect(b.CreateFCmpOGT(x, zero), x, zero);
    case A::Tanh: return callLibm(ctx, "tanhf", "tanh", x);
    case A::Sigmoid: {
      Value* e = ctx.callIntrinsic(llvm::Intrinsic::exp, {b.CreateFNeg(x)});
      return b.CreateFDiv(one, b.CreateFAdd(one, e));
    }
    case A::Affine: return b.CreateFAdd(b.CreateFMul(x, fconst(x, f.alpha)), fconst(x, f.beta));
    case A::LeakyRelu:
      return b.CreateSelect(b.CreateFCmpOLT(x, zero), b.CreateFMul(x, fconst(x, f.alpha)), x);
    case A::ThresholdedRelu: return b.CreateSelect(b.CreateFCmpOGT(x, fconst(x, f.alpha)), x, zero);
    case A::ScaledTanh:
      return b.CreateFMul(fconst(x, f.alpha),
                          callLibm(ctx, "tanhf", "tanh", b.CreateFMul(x, fconst(x, f.beta))));
    case A::HardSigmoid: {
      Value* y = b.CreateFAdd(b.CreateFMul(x, fconst(x, f.alpha)), fconst(x, f.beta));
      return b.CreateMinNum(b.CreateMaxNum(y, zero), one);
    }
    case A::Elu: {
      Value* em1 = b.CreateFSub(ctx.callIntrinsic(llvm::Intrinsic::exp, {x}), one);
      return b.CreateSelect(b.CreateFCmpOLT(x, zero), b.CreateFMul(em1, fconst(x, f.alpha)), x);
    }
    case A::Softsign:
      return b.CreateFDiv(x, b.CreateFAdd(one, ctx.callIntrinsic(llvm::Intrinsic::fabs, {x})));
    case A::Softplus: {
      // log(1 + exp(x)) without overflow: max(x, 0) + log(1 + exp(-|x|)).
      Value* ax = ctx.callIntrinsic(llvm::Intrinsic::fabs, {x});
      Value* l =
          ctx.callIntrinsic(llvm::Intrinsic::log,
                            {b.CreateFAdd(one, ctx.callIntrinsic(llvm::Intrinsic::exp, {b.CreateFNeg(ax)}))});
      return b.CreateFAdd(b.CreateMaxNum(x, zero), l);
    }
  }
  ctx.fail("unknown activation");
}

void emitRecurrence(KernelContext& ctx, const RnnShape& s, bool lstm,
                    const std::function<void(const RnnStep&)>& cell) {
  const ir::RnnParams& p = s.params;
  int64_t H = s.hidden, dirs = p.numDirections, perDir = static_cast<int64_t>(p.activations.size()) / dirs;
  if (s.batch * H == 0) return;
  llvm::Type* ct = ctx.llvmType(s.ct);
  Value* h = entryAlloca(ctx, ct, H);
  Value* c = lstm ? entryAlloca(ctx, ct, H) : nullptr;
  Value* gates = entryAlloca(ctx, ct, s.gates * H);
  Value* aux = entryAlloca(ctx, ct, H);
  DType yt = ctx.outputDType(0);
  bool hasSeqLens = ctx.hasInput(4), layout1 = p.layout == 1;
  // Offsets (in elements) of row (t, dir, b) of Y and of (dir, b) of the states.
  auto yOffset = [&](Value* t, int64_t dir, Value* b) {
    Value* r = layout1 ? addScaled(ctx, ctx.i64(dir), addScaled(ctx, t, b, s.seq), dirs)
                       : addScaled(ctx, addScaled(ctx, ctx.i64(0), t, dirs * s.batch), b, 1);
    if (!layout1) r = ctx.b.CreateNSWAdd(r, ctx.i64(dir * s.batch));
    return ctx.b.CreateNSWMul(r, ctx.i64(H));
  };
  auto stateOffset = [&](int64_t dir, Value* b) {
    Value* r =
        layout1 ? addScaled(ctx, ctx.i64(dir), b, dirs) : ctx.b.CreateNSWAdd(ctx.i64(dir * s.batch), b);
    return ctx.b.CreateNSWMul(r, ctx.i64(H));
  };
  auto loadState = [&](Value* dst, size_t input, Value* off) {
    ctx.loop(0, H, [&](Value* j) {
      Value* v = ctx.constant(s.ct, 0);
      if (ctx.hasInput(input))
        v = ctx.convert(ctx.load(s.dtype, ctx.input(input), ctx.b.CreateNSWAdd(off, j)), s.dtype, s.ct);
      ctx.store(s.ct, dst, j, v);
    });
  };
  auto storeState = [&](Value* src, Value* dst, Value* off) {
    ctx.loop(0, H, [&](Value* j) {
      ctx.store(yt, dst, ctx.b.CreateNSWAdd(off, j), ctx.convert(ctx.load(s.ct, src, j), s.ct, yt));
    });
  };

  auto body = [&](Value* b) {
    Value* len = ctx.i64(s.seq);
    if (hasSeqLens) {  // clamped into [0, seq]: a bad length never indexes out of bounds
      Value* l = ctx.b.CreateSExt(ctx.load(DType::I32, ctx.input(4), b), ctx.b.getInt64Ty());
      l = ctx.b.CreateSelect(ctx.b.CreateICmpSLT(l, ctx.i64(0)), ctx.i64(0), l);
      len = ctx.b.CreateSelect(ctx.b.CreateICmpSGT(l, ctx.i64(s.seq)), ctx.i64(s.seq), l);
    }
    for (int64_t dir = 0; dir < dirs; ++dir) {
      bool reverse = dir == 1 || !p.forward;
      Value* st = stateOffset(dir, b);
      loadState(h, 5, st);
      if (lstm) loadState(c, 6, st);
      if (hasSeqLens)
        ctx.loop(len, ctx.i64(s.seq), 1, [&](Value* t) {
          Value* off = yOffset(t, dir, b);
          ctx.loop(0, H, [&](Value* j) {
            ctx.store(yt, ctx.output(0), ctx.b.CreateNSWAdd(off, j), ctx.constant(yt, 0));
          });
        });
      ctx.loop(ctx.i64(0), len, 1, [&](Value* step) {
        Value* t = reverse ? ctx.b.CreateSub(ctx.b.CreateSub(len, ctx.i64(1)), step) : step;
        Value* xOff = layout1 ? addScaled(ctx, ctx.i64(0), addScaled(ctx, t, b, s.seq), s.input)
                              : addScaled(ctx, ctx.i64(0), addScaled(ctx, b, t, s.batch), s.input);
        RnnStep rs{dir, p.activations.data() + dir * perDir, xOff, h, c, gates, aux};
        cell(rs);
        storeState(h, ctx.output(0), yOffset(t, dir, b));
      });
      if (ctx.numOutputs() > 1) storeState(h, ctx.output(1), st);
      if (lstm && ctx.numOutputs() > 2) storeState(c, ctx.output(2), st);
    }
  };
  if (s.batch > 1 && worthParallel(s.batch * s.seq * dirs * s.gates * H * (s.input + H)))
    ctx.parallelFor(s.batch, body);
  else
    ctx.loop(0, s.batch, body);
}

}  // namespace kiln::codegen
