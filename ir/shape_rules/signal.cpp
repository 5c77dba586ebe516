// Shape rules of the signal-processing ops (ONNX opset 17): DFT, STFT, the
// window functions and MelWeightMatrix.
//
// Complex tensors carry a trailing dim of 2 (real, imaginary); real ones a
// trailing 1 (or, for STFT, none of the two: [batch, length, 1]). Lengths
// that determine output shapes (window sizes, dft_length, frame_step,
// frame_length, num_mel_bins) must be constants.
#include "ir/shape_rules.h"
#include "ir/shape_rules/signal_params.h"

namespace kiln::ir {

namespace {

// A scalar (or one-element) integer constant input, named `what`.
int64_t constantScalar(const InferContext& ctx, size_t i, const char* what) {
  if (!isInteger(ctx.inputType(i).dtype))
    ctx.fail("{} has dtype {}, expected an integer", what, dtypeName(ctx.inputType(i).dtype));
  std::vector<int64_t> v = ctx.requireConstantInts(i, what);
  if (v.size() != 1) ctx.fail("{} must be a scalar, got {} values", what, v.size());
  return v[0];
}

DType outputDatatype(const InferContext& ctx) {
  int64_t code = ctx.attrs().getInt("output_datatype", 1);
  auto t = dtypeFromOnnx(static_cast<int32_t>(code));
  if (!t || *t == DType::String || *t == DType::Bool) ctx.fail("unsupported: output_datatype {}", code);
  return *t;
}

void requireComplexOrReal(const InferContext& ctx, const TensorType& x, const char* what) {
  if (!isFloat(x.dtype)) ctx.fail("unsupported: {} has dtype {}", what, dtypeName(x.dtype));
  if (!x.rankKnown) return;
  if (x.shape.size() < 2) ctx.fail("{} must have rank >= 2, got {}", what, x.shape.size());
  const Dim& last = x.shape.back();
  if (last.isStatic() && last.value != 1 && last.value != 2)
    ctx.fail("{}'s last dim is {}, expected 1 (real) or 2 (complex)", what, last.value);
}

void inferWindow(InferContext& ctx) {
  int64_t size = constantScalar(ctx, 0, "size");
  if (size < 0) ctx.fail("size = {} must not be negative", size);
  ctx.setOutput(0, staticType(outputDatatype(ctx), {size}));
}

}  // namespace

// DFT-17: input [batch, n_1, ..., n_k, 1|2], axis attribute (default 1),
// optional dft_length input; output with the axis dim the transform length
// (floor(length / 2) + 1 when onesided) and a trailing 2.
void inferShapesDFT(InferContext& ctx) {
  const TensorType& x = ctx.inputType(0);
  requireComplexOrReal(ctx, x, "input");
  DftParams p = readDftParams(ctx);
  if (!x.rankKnown) {
    TensorType t;
    t.dtype = x.dtype;
    t.rankKnown = false;
    return ctx.setOutput(0, t);
  }
  auto rank = static_cast<int64_t>(x.shape.size());
  size_t axis = dftAxis(ctx, p, rank);
  Dim length = x.shape[axis];
  if (ctx.hasInput(1)) {
    int64_t l = constantScalar(ctx, 1, "dft_length");
    if (l <= 0) ctx.fail("dft_length = {} must be positive", l);
    length = Dim::known(l);
  }
  TensorType y = x;
  y.shape.back() = Dim::known(2);
  y.shape[axis] =
      p.onesided ? (length.isStatic() ? Dim::known(length.value / 2 + 1) : Dim::unknown()) : length;
  ctx.setOutput(0, y);
}

// STFT-17: signal [batch, length, 1|2], frame_step, optional window [L] and
// frame_length; output [batch, frames, bins, 2] with
// frames = (length - L) / frame_step + 1 and bins = L / 2 + 1 when onesided.
void inferShapesSTFT(InferContext& ctx) {
  const TensorType& x = ctx.inputType(0);
  requireComplexOrReal(ctx, x, "signal");
  if (x.rankKnown && x.shape.size() != 3) ctx.fail("signal must have rank 3, got {}", x.shape.size());
  StftParams p =
      readStftParams(ctx, [&](size_t i, const char* what) { return constantScalar(ctx, i, what); });
  Dim batch = x.rankKnown ? x.shape[0] : Dim::unknown();
  Dim frames = Dim::unknown();
  if (x.rankKnown && x.shape[1].isStatic()) {
    int64_t len = x.shape[1].value;
    if (len < p.frameLength) ctx.fail("signal length {} is shorter than frame_length {}", len, p.frameLength);
    frames = Dim::known((len - p.frameLength) / p.frameStep + 1);
  }
  TensorType y;
  y.dtype = x.dtype;
  y.shape = {batch, frames, Dim::known(p.onesided ? p.frameLength / 2 + 1 : p.frameLength), Dim::known(2)};
  ctx.setOutput(0, y);
}

void inferShapesHannWindow(InferContext& ctx) { inferWindow(ctx); }
void inferShapesHammingWindow(InferContext& ctx) { inferWindow(ctx); }
void inferShapesBlackmanWindow(InferContext& ctx) { inferWindow(ctx); }

// MelWeightMatrix-17: output [floor(dft_length / 2) + 1, num_mel_bins].
void inferShapesMelWeightMatrix(InferContext& ctx) {
  int64_t bins = constantScalar(ctx, 0, "num_mel_bins");
  int64_t length = constantScalar(ctx, 1, "dft_length");
  if (bins <= 0) ctx.fail("num_mel_bins = {} must be positive", bins);
  if (length <= 0) ctx.fail("dft_length = {} must be positive", length);
  if (!isInteger(ctx.inputType(2).dtype)) ctx.fail("sample_rate must be an integer");
  if (!isFloat(ctx.inputType(3).dtype) || !isFloat(ctx.inputType(4).dtype))
    ctx.fail("lower_edge_hertz and upper_edge_hertz must be floating-point");
  ctx.setOutput(0, staticType(outputDatatype(ctx), {length / 2 + 1, bins}));
}

}  // namespace kiln::ir
