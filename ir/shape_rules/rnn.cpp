// Shape rules of the recurrent ops RNN, GRU and LSTM (ONNX opset 14).
//
// Inputs X, W, R, B, sequence_lens, initial_h (and for LSTM initial_c, P);
// outputs Y, Y_h (and Y_c). With layout 0 X is [seq, batch, input], Y
// [seq, dirs, batch, hidden] and the states [dirs, batch, hidden]; with
// layout 1 X is [batch, seq, input], Y [batch, seq, dirs, hidden] and the
// states [batch, dirs, hidden]. G gates per cell: RNN 1, GRU 3, LSTM 4.
#include "ir/shape_rules.h"
#include "ir/shape_rules/rnn_params.h"

namespace kiln::ir {

namespace {

// Requires input i to have rank `dims.size()` and the known dims of `dims`.
void requireShape(const InferContext& ctx, size_t i, const std::vector<Dim>& dims, const char* what) {
  const TensorType& t = ctx.inputType(i);
  if (!t.rankKnown) return;
  if (t.shape.size() != dims.size())
    ctx.fail("{} must have rank {}, got {}", what, dims.size(), t.shape.size());
  for (size_t d = 0; d < dims.size(); ++d)
    if (t.shape[d].isStatic() && dims[d].isStatic() && t.shape[d].value != dims[d].value)
      ctx.fail("{} dim {} is {}, expected {}", what, d, t.shape[d].value, dims[d].value);
}

Dim dimOf(const TensorType& t, size_t d) {
  return t.rankKnown && d < t.shape.size() ? t.shape[d] : Dim::unknown();
}

Dim times(const Dim& d, int64_t k) { return d.isStatic() ? Dim::known(d.value * k) : Dim::unknown(); }

void inferRecurrent(InferContext& ctx, int64_t gates, const std::vector<std::string>& defaultActivations,
                    bool lstm) {
  RnnParams p = readRnnParams(ctx, defaultActivations);
  const TensorType& x = ctx.inputType(0);
  if (x.dtype != DType::F32 && x.dtype != DType::F64 && x.dtype != DType::F16)
    ctx.fail("unsupported: X has dtype {}", dtypeName(x.dtype));
  if (x.rankKnown && x.shape.size() != 3) ctx.fail("X must have rank 3, got {}", x.shape.size());
  for (size_t i = 1; i < ctx.numInputs(); ++i)
    if (ctx.hasInput(i) && i != 4 && ctx.inputType(i).dtype != x.dtype)
      ctx.fail("input {} has dtype {}, expected {} like X", i, dtypeName(ctx.inputType(i).dtype),
               dtypeName(x.dtype));
  Dim seq = dimOf(x, p.layout == 0 ? 0 : 1), batch = dimOf(x, p.layout == 0 ? 1 : 0), input = dimOf(x, 2);
  Dim hidden = p.hidden > 0 ? Dim::known(p.hidden) : dimOf(ctx.inputType(2), 2);
  Dim dirs = Dim::known(p.numDirections);
  requireShape(ctx, 1, {dirs, times(hidden, gates), input}, "W");
  requireShape(ctx, 2, {dirs, times(hidden, gates), hidden}, "R");
  if (ctx.hasInput(3)) requireShape(ctx, 3, {dirs, times(hidden, 2 * gates)}, "B");
  if (ctx.hasInput(4)) {
    DType t = ctx.inputType(4).dtype;
    if (t != DType::I32) ctx.fail("sequence_lens has dtype {}, expected i32", dtypeName(t));
    requireShape(ctx, 4, {batch}, "sequence_lens");
  }
  std::vector<Dim> state =
      p.layout == 0 ? std::vector<Dim>{dirs, batch, hidden} : std::vector<Dim>{batch, dirs, hidden};
  if (ctx.hasInput(5)) requireShape(ctx, 5, state, "initial_h");
  if (lstm && ctx.hasInput(6)) requireShape(ctx, 6, state, "initial_c");
  if (lstm && ctx.hasInput(7)) requireShape(ctx, 7, {dirs, times(hidden, 3)}, "P");

  TensorType y;
  y.dtype = x.dtype;
  y.shape = p.layout == 0 ? Shape{seq, dirs, batch, hidden} : Shape{batch, seq, dirs, hidden};
  ctx.setOutput(0, y);
  TensorType h;
  h.dtype = x.dtype;
  h.shape = state;
  for (size_t i = 1; i < ctx.node.outputs.size(); ++i) ctx.setOutput(i, h);
}

}  // namespace

void inferShapesRNN(InferContext& ctx) { inferRecurrent(ctx, 1, {"Tanh"}, false); }
void inferShapesGRU(InferContext& ctx) { inferRecurrent(ctx, 3, {"Sigmoid", "Tanh"}, false); }
void inferShapesLSTM(InferContext& ctx) { inferRecurrent(ctx, 4, {"Sigmoid", "Tanh", "Tanh"}, true); }

}  // namespace kiln::ir
