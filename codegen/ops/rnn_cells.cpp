// The cells of ONNX RNN, GRU and LSTM (opset 14), one time step each; the
// recurrence around them is codegen/ops/rnn_common.cpp. With W, R, Wb, Rb the
// per-gate slices of the weights and biases, f, g, h the direction's
// activation functions:
//   RNN:  h = f(W x + R h + Wb + Rb)
//   GRU (gates z, r, h):
//         z = f(Wz x + Rz h + Wbz + Rbz)    r = f(Wr x + Rr h + Wbr + Rbr)
//         n = g(Wh x + Rh (r * h) + Rbh + Wbh)        linear_before_reset = 0
//         n = g(Wh x + r * (Rh h + Rbh) + Wbh)        linear_before_reset = 1
//         h = (1 - z) * n + z * h
//   LSTM (gates i, o, f, c; peepholes P = [Pi, Po, Pf]):
//         i = f(Wi x + Ri h + Pi * c + Wbi + Rbi)   f = f(Wf x + Rf h + Pf * c + Wbf + Rbf)
//         (input_forget: f = 1 - i)                  c~ = g(Wc x + Rc h + Wbc + Rbc)
//         c = f * c + i * c~    o = f(Wo x + Ro h + Po * c + Wbo + Rbo)    h = o * h(c)
#include "codegen/kernel_context.h"
#include "codegen/ops/loop_helpers.h"
#include "codegen/ops/rnn_common.h"

namespace kiln::codegen {

namespace {

using llvm::Value;

Value* loadScratch(KernelContext& ctx, const RnnShape& s, Value* buf, Value* i) {
  return ctx.load(s.ct, buf, i);
}

// Element (dir, k) of the peephole input P ([dirs, 3 * hidden]), 0 without P.
Value* peephole(KernelContext& ctx, const RnnShape& s, int64_t dir, int64_t gate, Value* j) {
  if (!ctx.hasInput(7)) return ctx.constant(s.ct, 0);
  Value* at = ctx.b.CreateNSWAdd(ctx.i64((dir * 3 + gate) * s.hidden), j);
  return ctx.convert(ctx.load(s.dtype, ctx.input(7), at), s.dtype, s.ct);
}

}  // namespace

void emitRNN(KernelContext& ctx) {
  RnnShape s = rnnShape(ctx, 1, {"Tanh"});
  emitRecurrence(ctx, s, false, [&](const RnnStep& st) {
    emitGateRows(ctx, s, st, 0, s.hidden, st.h, true);
    ctx.loop(0, s.hidden, [&](Value* j) {
      ctx.store(s.ct, st.h, j, applyActivation(ctx, s, st.act[0], loadScratch(ctx, s, st.gates, j)));
    });
  });
}

void emitGRU(KernelContext& ctx) {
  RnnShape s = rnnShape(ctx, 3, {"Sigmoid", "Tanh"});
  int64_t H = s.hidden;
  bool lbr = s.params.linearBeforeReset;
  emitRecurrence(ctx, s, false, [&](const RnnStep& st) {
    // z and r, activated in place.
    emitGateRows(ctx, s, st, 0, 2 * H, st.h, true);
    ctx.loop(0, 2 * H, [&](Value* j) {
      ctx.store(s.ct, st.gates, j, applyActivation(ctx, s, st.act[0], loadScratch(ctx, s, st.gates, j)));
    });
    if (!lbr) {
      // aux = r * h, then n's pre-activation with R applied to it.
      ctx.loop(0, H, [&](Value* j) {
        Value* r = loadScratch(ctx, s, st.gates, ctx.b.CreateNSWAdd(j, ctx.i64(H)));
        ctx.store(s.ct, st.aux, j, ctx.b.CreateFMul(r, loadScratch(ctx, s, st.h, j)));
      });
      emitGateRows(ctx, s, st, 2 * H, H, st.aux, true);
    } else {
      // Wh x + Wbh first; then r * (Rh h + Rbh) is added row by row.
      emitGateRows(ctx, s, st, 2 * H, H, nullptr, false);
      int64_t gh = s.gates * H;
      ctx.loop(0, H, [&](Value* j) {
        Value* row = ctx.b.CreateNSWAdd(j, ctx.i64(2 * H));
        Value* rOff = addScaled(ctx, ctx.i64(st.dir * gh * H), row, H);
        Value* rh = dotProduct(ctx, s.ct, s.dtype, ctx.input(2), rOff, s.ct, st.h, ctx.i64(0), H);
        rh = ctx.b.CreateFAdd(rh, recurrentBias(ctx, s, st.dir, row));
        Value* r = loadScratch(ctx, s, st.gates, ctx.b.CreateNSWAdd(j, ctx.i64(H)));
        Value* v = ctx.b.CreateFAdd(loadScratch(ctx, s, st.gates, row), ctx.b.CreateFMul(r, rh));
        ctx.store(s.ct, st.gates, row, v);
      });
    }
    ctx.loop(0, H, [&](Value* j) {
      Value* z = loadScratch(ctx, s, st.gates, j);
      Value* n = applyActivation(ctx, s, st.act[1],
                                 loadScratch(ctx, s, st.gates, ctx.b.CreateNSWAdd(j, ctx.i64(2 * H))));
      Value* hPrev = loadScratch(ctx, s, st.h, j);
      Value* one = ctx.constant(s.ct, 1);
      Value* hNew =
          ctx.b.CreateFAdd(ctx.b.CreateFMul(ctx.b.CreateFSub(one, z), n), ctx.b.CreateFMul(z, hPrev));
      ctx.store(s.ct, st.h, j, hNew);
    });
  });
}

void emitLSTM(KernelContext& ctx) {
  RnnShape s = rnnShape(ctx, 4, {"Sigmoid", "Tanh", "Tanh"});
  int64_t H = s.hidden;
  emitRecurrence(ctx, s, true, [&](const RnnStep& st) {
    emitGateRows(ctx, s, st, 0, 4 * H, st.h, true);
    ctx.loop(0, H, [&](Value* j) {
      auto pre = [&](int64_t gate) {
        return loadScratch(ctx, s, st.gates, ctx.b.CreateNSWAdd(j, ctx.i64(gate * H)));
      };
      Value* cPrev = loadScratch(ctx, s, st.c, j);
      Value* one = ctx.constant(s.ct, 1);
      Value* i =
          applyActivation(ctx, s, st.act[0],
                          ctx.b.CreateFAdd(pre(0), ctx.b.CreateFMul(peephole(ctx, s, st.dir, 0, j), cPrev)));
      Value* f = s.params.inputForget
                     ? ctx.b.CreateFSub(one, i)
                     : applyActivation(
                           ctx, s, st.act[0],
                           ctx.b.CreateFAdd(pre(2), ctx.b.CreateFMul(peephole(ctx, s, st.dir, 2, j), cPrev)));
      Value* cand = applyActivation(ctx, s, st.act[1], pre(3));
      Value* c = ctx.b.CreateFAdd(ctx.b.CreateFMul(f, cPrev), ctx.b.CreateFMul(i, cand));
      Value* o = applyActivation(
          ctx, s, st.act[0], ctx.b.CreateFAdd(pre(1), ctx.b.CreateFMul(peephole(ctx, s, st.dir, 1, j), c)));
      ctx.store(s.ct, st.c, j, c);
      ctx.store(s.ct, st.h, j, ctx.b.CreateFMul(o, applyActivation(ctx, s, st.act[2], c, /*clip=*/false)));
    });
  });
}

}  // namespace kiln::codegen
