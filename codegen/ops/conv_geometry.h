// Window geometry of conv-family nodes, resolved for codegen: auto_pad turned
// into explicit begin pads and every spatial quantity normalized to three axes
// (D, H, W) so that one kernel shape serves 1-D, 2-D and 3-D ops. Missing
// leading axes have length 1, kernel 1, stride 1, dilation 1 and no padding.
//
// The formulas mirror ir/shape_rules/conv.cpp; each geometry re-derives the
// output lengths and fails if they disagree with the node's inferred output
// shape, so a divergence between the two is caught at compile time.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "codegen/kernel_context.h"

namespace kiln::codegen {

constexpr int kWindowAxes = 3;  // D, H, W

// Integer division rounding toward -inf / +inf (b > 0).
inline int64_t floorDiv(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }
inline int64_t ceilDiv(int64_t a, int64_t b) { return a >= 0 ? (a + b - 1) / b : -((-a) / b); }

struct WindowGeometry {
  int spatialRank = 0;  // of the node: 1, 2 or 3
  std::array<int64_t, kWindowAxes> in{1, 1, 1}, out{1, 1, 1}, kernel{1, 1, 1}, stride{1, 1, 1},
      dilation{1, 1, 1}, padBegin{0, 0, 0}, padEnd{0, 0, 0};

  // Offset of tap k along axis a relative to out index * stride: k*d - pad.
  int64_t tapOffset(int a, int64_t k) const { return k * dilation[a] - padBegin[a]; }
  // Whether every tap of every window lands inside the input along axis a
  // (then the kernel needs no range check there).
  bool alwaysInside(int a) const;
  // Output index range [lo, hi) whose tap k lands inside the input along axis a
  // (forward windows: in index = out * stride + tapOffset).
  std::pair<int64_t, int64_t> validOutRange(int a, int64_t k) const;
};

// Conv, MaxPool, AveragePool: X is input 0, the output is output 0. `kernel`
// lists the node's kernel lengths, one per spatial axis.
WindowGeometry forwardWindow(const KernelContext& ctx, const std::vector<int64_t>& kernel,
                             bool ceilMode);

// ConvTranspose: in = X's spatial dims, out = the output's; pads resolved from
// output_shape / auto_pad as the ONNX spec says.
WindowGeometry transposedWindow(const KernelContext& ctx, const std::vector<int64_t>& kernel);

// The element type of a float kernel (f32 or f64); fails for anything else.
DType requireFloatKernel(const KernelContext& ctx, DType t);

// What every Conv / ConvTranspose kernel plans from: X [N, C, spatial...],
// W (Conv: [M, C/group, k...]; ConvTranspose: [C, M/group, k...]), Y [N, M, ...].
struct ConvChannels {
  DType dt = DType::F32;
  WindowGeometry g;
  int64_t batch = 0, channels = 0, outChannels = 0, groups = 1, icPerGroup = 0, ocPerGroup = 0;
  bool hasBias = false;
  int64_t lanes = 1, esize = 4;  // vector lanes of dt on the target; bytes per element
};

// Reads the node's shapes and group; fails naming the node when W's rank or
// channels do not fit X, Y and group.
ConvChannels readConvChannels(const KernelContext& ctx, bool transposed);

}  // namespace kiln::codegen
