// Helpers shared by the pattern-fusion passes (fuse-hardswish, fuse-gelu,
// fuse-silu, fuse-layernorm, fuse-rmsnorm): reading a decomposed subgraph
// backwards from its last node, and replacing that node by one named op.
//
// A match starts at a root node and follows inputs to their producers. Every
// value the pattern computes before the root must be read only by the pattern
// (see onlyUsedBy), so that replacing the root leaves those nodes dead and
// dead-code elimination removes them; a value with an extra reader is a near
// miss, not a match. Constants match a number when all their elements equal it
// within a relative tolerance (1e-6: exporters write float32 constants such as
// 1/sqrt(2) = 0.70710677); the fused op must compute exactly the root's type,
// so a constant whose broadcast changes the shape never matches.
#pragma once

#include <optional>
#include <vector>

#include "ir/graph.h"

namespace kiln::passes {

class PatternGraph {
 public:
  explicit PatternGraph(ir::Graph& g);

  ir::Graph& graph() { return g_; }
  const ir::Graph& graph() const { return g_; }
  // The node producing v, or null for inputs and constants.
  const ir::Node* producer(ir::ValueId v) const;
  // The node producing v when its op is `op` (and it has one output), else null.
  const ir::Node* def(ir::ValueId v, ir::OpKind op) const;
  // Readers of v: node inputs plus one per graph output that is v.
  int uses(ir::ValueId v) const;
  // Whether v is read exactly `n` times and is not a graph output.
  bool usedExactly(ir::ValueId v, int n) const;
  bool singleUse(ir::ValueId v) const { return usedExactly(v, 1); }
  // Whether nothing reads node `i`'s outputs (a pattern replaced its reader).
  bool isDead(size_t i) const;

  // The number every element of constant v equals, when v is a float constant
  // whose elements are all the same.
  std::optional<double> scalar(ir::ValueId v) const;
  // Whether v is a constant equal to `expected` (relative tolerance 1e-6).
  bool isConstant(ir::ValueId v, double expected) const;
  // For a binary node with a constant operand equal to `expected` (either
  // operand when `commutative`, else only input 1): the other operand.
  std::optional<ir::ValueId> operandBeside(const ir::Node& n, double expected, bool commutative) const;

  // Replaces node `root` (an index into graph().nodes) by `op` on `inputs`
  // computing the same output value, when the shape rule of `op` gives that
  // value exactly the type it had (else, or when the rule rejects the node,
  // leaves the graph as it was and returns false). Recomputes the use counts;
  // dead nodes stay until removeDeadCode().
  bool replace(size_t root, ir::OpKind op, std::vector<ir::ValueId> inputs, ir::Attributes attrs = {});

  // Adds a constant value (e.g. a unit scale the fused op needs as an input).
  ir::ValueId addConstant(std::string name, ir::TensorDataPtr data);

 private:
  void index();
  ir::Graph& g_;
  std::vector<int> producers_;
  std::vector<int> uses_;
  std::vector<bool> isOutput_;
};

// Whether a and b agree within relative tolerance 1e-6 (absolute near 0).
bool nearlyEqual(double a, double b);
// A floating-point tensor of known rank (the pattern passes leave other values alone).
bool isFloatTensor(const ir::TensorType& t);

// Runs `match(patterns, nodeIndex)` on every node in order (a rewrite may
// enable a match at a later node: HardSigmoid then x * HardSigmoid(x)), then
// drops the dead nodes; nodes already dead are skipped. `match` rewrites
// through PatternGraph::replace.
// With `lastFirst`, visits the nodes from the last to the first, so that the
// longest pattern ending at a node (a normalization with its affine tail)
// wins over a shorter one ending earlier.
template <typename Match>
void rewriteAll(ir::Graph& g, Match match, bool lastFirst = false) {
  PatternGraph p(g);
  for (size_t k = 0; k < g.nodes.size(); ++k) {
    size_t i = lastFirst ? g.nodes.size() - 1 - k : k;
    if (!p.isDead(i)) match(p, i);
  }
  g.removeDeadCode();
}

}  // namespace kiln::passes
