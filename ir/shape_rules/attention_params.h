// Attributes of Attention (opset 23), read and checked once for the shape rule
// (ir/shape_rules/attention.cpp) and the kernel emitter
// (codegen/ops/attention.cpp) so that both agree.
//
// Ctx is InferContext or codegen::KernelContext: anything with fail(fmt, ...)
// and attrs().
#pragma once

#include <cmath>
#include <cstdint>

namespace kiln::ir {

// The parts of Attention Kiln implements; the others are rejected.
template <typename Ctx>
void requireSupportedAttention(const Ctx& ctx) {
  if (ctx.attrs().getFloat("softcap", 0.0f) != 0.0f)
    ctx.fail("softcap {} is not supported (only 0)", ctx.attrs().getFloat("softcap", 0.0f));
  if (int64_t mode = ctx.attrs().getInt("qk_matmul_output_mode", 0); mode != 0)
    ctx.fail("qk_matmul_output_mode {} is not supported (only 0)", mode);
}

// The factor applied to Q K^T: attribute `scale`, default 1 / sqrt(D).
template <typename Ctx>
float attentionScale(const Ctx& ctx, int64_t headSize) {
  if (ctx.attrs().has("scale")) return ctx.attrs().getFloat("scale", 1.0f);
  return static_cast<float>(1.0 / std::sqrt(static_cast<double>(headSize)));
}

template <typename Ctx>
bool attentionIsCausal(const Ctx& ctx) {
  int64_t v = ctx.attrs().getInt("is_causal", 0);
  if (v != 0 && v != 1) ctx.fail("is_causal must be 0 or 1, got {}", v);
  return v == 1;
}

}  // namespace kiln::ir
