// Pieces of the normalization patterns shared by fuse-layernorm and
// fuse-rmsnorm (see passes/pattern_match.h for the matching rules).
#pragma once

#include <optional>
#include <utility>
#include <vector>

#include "passes/pattern_match.h"

namespace kiln::passes {

// The axis k when `reduce` is a ReduceMean (or other reduction with an axes
// input) with keepdims 1 over exactly the trailing axes k, k+1, ..., rank-1 of
// its input (rank known); what LayerNormalization-like ops normalize over.
std::optional<int64_t> trailingReductionAxis(const PatternGraph& p, const ir::Node& reduce);

// An affine tail `core * gamma + beta` read backwards from a root value: the
// candidates are core * gamma + beta, core * gamma and core alone (products and
// sums in either order; intermediate products read only by the sum), longest
// first. Absent gamma or beta are kNoValue.
struct AffineTail {
  ir::ValueId core;
  ir::ValueId gamma = ir::kNoValue;
  ir::ValueId beta = ir::kNoValue;
};
std::vector<AffineTail> affineTails(const PatternGraph& p, ir::ValueId root, bool withBeta);

// {numerator, denominator} when v = a / b or a * Reciprocal(b) (either
// order), the Reciprocal read only by the product.
std::optional<std::pair<ir::ValueId, ir::ValueId>> quotient(const PatternGraph& p, ir::ValueId v);

// {mean node, epsilon} when v = Sqrt(Add(m, eps)) (sum either order) with m a
// ReduceMean, eps a constant, and v, the sum and m each read once.
std::optional<std::pair<const ir::Node*, double>> rootMeanSquare(const PatternGraph& p, ir::ValueId v);

// How many times v = Pow(d, 2) or Mul(d, d) reads d (1 or 2), v itself read
// once; 0 when v is not such a square.
int squareReads(const PatternGraph& p, ir::ValueId v, ir::ValueId d);

// A normalization's core: the normalized input, the first normalized axis
// and epsilon.
struct NormCore {
  ir::ValueId x;
  int64_t axis;
  double epsilon;
};
using CoreMatcher = std::optional<NormCore> (*)(const PatternGraph& p, ir::ValueId v);

// Tries the affine tails ending at node `root` (with beta when `withBeta`),
// longest first; the first whose core `matchCore` recognizes becomes `op`(x,
// gamma[, beta]) {axis, epsilon}, with gamma a constant one when there is none.
bool replaceNormalization(PatternGraph& p, size_t root, ir::OpKind op, bool withBeta, CoreMatcher matchCore);

}  // namespace kiln::passes
