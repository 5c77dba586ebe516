// Attributes and constant operands of DFT and STFT (ONNX opset 17), read and
// checked once for the shape rules and the kernel emitters so both agree.
//
// Ctx is InferContext or codegen::KernelContext: anything with fail(fmt, ...),
// attrs(), hasInput(i) and inputType(i).
#pragma once

#include <cstdint>
#include <vector>

#include "ir/graph.h"

namespace kiln::ir {

struct DftParams {
  int64_t axis = 1;
  bool inverse = false, onesided = false;
};

template <typename Ctx>
DftParams readDftParams(const Ctx& ctx) {
  DftParams p;
  p.axis = ctx.attrs().getInt("axis", 1);
  p.inverse = ctx.attrs().getInt("inverse", 0) != 0;
  p.onesided = ctx.attrs().getInt("onesided", 0) != 0;
  if (p.inverse && p.onesided) ctx.fail("unsupported: onesided inverse DFT");
  return p;
}

// The transformed axis of a rank-`rank` input: any but the trailing complex
// dim, negative values counting from the back.
template <typename Ctx>
size_t dftAxis(const Ctx& ctx, const DftParams& p, int64_t rank) {
  int64_t a = p.axis < 0 ? p.axis + rank : p.axis;
  if (a < 0 || a >= rank - 1)
    ctx.fail("axis {} is out of range for rank {} (the last dim holds the complex parts)", p.axis, rank);
  return static_cast<size_t>(a);
}

struct StftParams {
  int64_t frameStep = 1, frameLength = 0;
  bool onesided = true;
};

// `scalar(i, what)` reads the integer constant input i.
template <typename Ctx, typename Scalar>
StftParams readStftParams(const Ctx& ctx, Scalar scalar) {
  StftParams p;
  p.onesided = ctx.attrs().getInt("onesided", 1) != 0;
  p.frameStep = scalar(1, "frame_step");
  if (p.frameStep <= 0) ctx.fail("frame_step = {} must be positive", p.frameStep);
  int64_t windowLength = -1;
  if (ctx.hasInput(2)) {
    const TensorType& w = ctx.inputType(2);
    if (w.dtype != ctx.inputType(0).dtype)
      ctx.fail("window has dtype {}, expected {} like signal", dtypeName(w.dtype),
               dtypeName(ctx.inputType(0).dtype));
    if (!w.rankKnown || w.shape.size() != 1 || !w.shape[0].isStatic())
      ctx.fail("window must be 1-D with a static length");
    windowLength = w.shape[0].value;
  }
  if (ctx.hasInput(3)) {
    p.frameLength = scalar(3, "frame_length");
    if (windowLength >= 0 && windowLength != p.frameLength)
      ctx.fail("frame_length {} differs from the window's length {}", p.frameLength, windowLength);
  } else if (windowLength >= 0) {
    p.frameLength = windowLength;
  } else {
    ctx.fail("needs a window or frame_length");
  }
  if (p.frameLength <= 0) ctx.fail("frame_length = {} must be positive", p.frameLength);
  return p;
}

}  // namespace kiln::ir
