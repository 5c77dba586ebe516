// Redirecting the uses of one value to another, for passes that find a value
// equal to an earlier one (canonicalize: x * 1 is x; cse: a repeated node).
//
// Uses are redirected lazily: a pass walking the nodes in order calls
// resolveInputs on each node before looking at it, records equalities with
// forward, and calls finish at the end. Graph outputs keep what they compute
// and their names: when a forwarded value is a graph output, g.outputs is
// rewired to the replacement and the two values swap names. That is only
// possible when the replacement is computed by a node or is a constant and is
// not itself a graph input or output (canForward says so).
#pragma once

#include <vector>

#include "ir/graph.h"

namespace kiln::passes {

class ValueForwarding {
 public:
  explicit ValueForwarding(ir::Graph& g);

  // The value `v` now stands for (following recorded forwards).
  ir::ValueId resolve(ir::ValueId v) const;
  // Rewrites node n's inputs through resolve.
  void resolveInputs(ir::Node& n) const;
  // Whether every use of `from` (including as a graph output) may read `to`.
  bool canForward(ir::ValueId from, ir::ValueId to) const;
  // Records from == to (check canForward first); rewires graph outputs.
  void forward(ir::ValueId from, ir::ValueId to);
  // Number of forwards recorded.
  int count() const { return count_; }
  // Resolves the inputs of every node (those not visited yet included).
  void finish();

 private:
  bool isInput(ir::ValueId v) const;
  bool isOutput(ir::ValueId v) const;

  ir::Graph& g_;
  std::vector<ir::ValueId> to_;  // per value: what it was forwarded to, or itself
  std::vector<bool> isInput_, isOutput_;
  int count_ = 0;
};

}  // namespace kiln::passes
