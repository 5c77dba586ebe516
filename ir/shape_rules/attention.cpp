// Shape rule of Attention (opset 23), the 4-D form:
//   Q [B, Hq, Sq, D], K [B, Hkv, Skv, D], V [B, Hkv, Skv, Dv] -> Y [B, Hq, Sq, Dv]
// with Hq a multiple of Hkv (grouped-query attention: query head h reads
// key/value head h / (Hq / Hkv)), and an optional attn_mask (bool, true =
// attend, or Q's float type, added to the scores) broadcastable to
// [B, Hq, Sq, Skv]. The 3-D form (q_num_heads/kv_num_heads), past_key and
// past_value, the present_key/present_value/qk_matmul_output outputs, softcap
// and qk_matmul_output_mode other than 0 are not implemented and fail naming
// the node.
#include "ir/shape_rules.h"
#include "ir/shape_rules/attention_params.h"

namespace kiln::ir {

namespace {

// Two dims that must be equal: keeps the static one.
Dim sameDim(const InferContext& ctx, const Dim& a, const Dim& b, const char* what) {
  if (a.isStatic() && b.isStatic() && a.value != b.value) ctx.fail("{} mismatch: {} vs {}", what, a.value, b.value);
  return a.isStatic() ? a : b;
}

void requireRank4(const InferContext& ctx, const TensorType& t, const char* name) {
  if (t.shape.size() != 4)
    ctx.fail("{} must be 4-D [batch, heads, sequence, head size], got rank {} (the 3-D form is not supported)", name,
             t.shape.size());
}

}  // namespace

void inferShapesAttention(InferContext& ctx) {
  requireSupportedAttention(ctx);
  attentionIsCausal(ctx);
  for (size_t i = 4; i < ctx.numInputs(); ++i)
    if (ctx.hasInput(i)) ctx.fail("past_key / past_value inputs are not supported");
  const TensorType& q = ctx.inputType(0);
  const TensorType& k = ctx.inputType(1);
  const TensorType& v = ctx.inputType(2);
  if (!isFloat(q.dtype)) ctx.fail("Q must be a floating-point tensor, got {}", dtypeName(q.dtype));
  if (k.dtype != q.dtype || v.dtype != q.dtype)
    ctx.fail("Q, K and V must have one dtype, got {}, {}, {}", dtypeName(q.dtype), dtypeName(k.dtype),
             dtypeName(v.dtype));
  if (!q.rankKnown || !k.rankKnown || !v.rankKnown) return ctx.setOutput(0, unknownRank(q.dtype));
  requireRank4(ctx, q, "Q");
  requireRank4(ctx, k, "K");
  requireRank4(ctx, v, "V");
  Dim batch = sameDim(ctx, sameDim(ctx, q.shape[0], k.shape[0], "batch (Q vs K)"), v.shape[0], "batch (V)");
  Dim kvHeads = sameDim(ctx, k.shape[1], v.shape[1], "key/value heads (K vs V)");
  sameDim(ctx, k.shape[2], v.shape[2], "key/value sequence length (K vs V)");
  sameDim(ctx, q.shape[3], k.shape[3], "head size (Q vs K)");
  if (q.shape[1].isStatic() && kvHeads.isStatic() && (kvHeads.value == 0 || q.shape[1].value % kvHeads.value != 0))
    ctx.fail("query heads {} are not a multiple of key/value heads {}", q.shape[1].value, kvHeads.value);

  if (ctx.hasInput(3)) {
    const TensorType& m = ctx.inputType(3);
    if (m.dtype != DType::Bool && m.dtype != q.dtype)
      ctx.fail("attn_mask must be bool or {}, got {}", dtypeName(q.dtype), dtypeName(m.dtype));
    if (m.rankKnown) {
      if (m.shape.size() > 4) ctx.fail("attn_mask has rank {} > 4", m.shape.size());
      Shape scores = {batch, q.shape[1], q.shape[2], k.shape[2]};
      Shape b = broadcastShapes(ctx, scores, m.shape);
      for (size_t d = 0; d < 4; ++d)
        if (scores[d].isStatic() && b[d] != scores[d])
          ctx.fail("attn_mask does not broadcast to the scores [batch, q heads, q sequence, kv sequence]");
    }
  }
  TensorType y;
  y.dtype = q.dtype;
  y.shape = {batch, q.shape[1], q.shape[2], v.shape[3]};
  ctx.setOutput(0, y);
}

}  // namespace kiln::ir
