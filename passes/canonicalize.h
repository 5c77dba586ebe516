// Pass `canonicalize`: rewrites that make a graph simpler without changing a
// single bit of what it computes (bar the sign of a zero, below), so later
// passes and codegen see fewer, plainer nodes:
//   - x + 0, 0 + x, x - 0, x * 1, 1 * x, x / 1 -> x (float and integer
//     tensors) when the constant operand is all zeros / all ones and
//     broadcasting it leaves x's type unchanged (x + zeros[4] with x: [1] is
//     left alone: it changes the shape). Float x + 0 turns -0 into +0; like
//     ONNX Runtime's and TVM's simplifiers we treat the two zeros as equal.
//     x * 0 is NOT folded to 0: Inf * 0 and NaN * 0 are NaN.
//   - Identity(x) -> x; Cast(x) / CastLike(x, y) to x's own dtype -> x.
//   - Reshape, Flatten, Squeeze and Unsqueeze of one another: a chain with a
//     static result becomes one Reshape of the chain's source to that shape,
//     or the source itself when the shapes agree (Unsqueeze(Squeeze(x)),
//     Reshape(x) to x's own shape). Squeeze(Unsqueeze(x, axes), axes) -> x for
//     any shapes.
//     Reshape(chain(x), shape) -> Reshape(x, shape) for any shapes when the
//     constant shape has no 0 entry (or allowzero = 1).
//   - Transpose(Transpose(x, p1), p2) -> Transpose(x, p1[p2[i]]); a Transpose
//     with the identity permutation -> x.
// A graph output keeps its name and what it computes: when it would be
// replaced by a graph input or another output the rewrite is skipped
// (passes/value_forwarding.h). Dead nodes are removed at the end.
#pragma once

#include "ir/graph.h"

namespace kiln::passes {

void canonicalize(ir::Graph& graph);

}  // namespace kiln::passes
