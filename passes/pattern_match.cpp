#include "passes/pattern_match.h"

#include <algorithm>
#include <cmath>

#include "ir/error.h"
#include "ir/shape_rules.h"

namespace kiln::passes {

bool nearlyEqual(double a, double b) {
  return std::fabs(a - b) <= 1e-6 * std::max(std::fabs(a), std::fabs(b)) || std::fabs(a - b) <= 1e-12;
}

bool isFloatTensor(const ir::TensorType& t) { return isFloat(t.dtype) && t.rankKnown; }

PatternGraph::PatternGraph(ir::Graph& g) : g_(g) { index(); }

void PatternGraph::index() {
  producers_ = g_.producers();
  uses_ = g_.useCounts();
  isOutput_.assign(g_.values.size(), false);
  for (ir::ValueId v : g_.outputs) isOutput_[static_cast<size_t>(v)] = true;
}

const ir::Node* PatternGraph::producer(ir::ValueId v) const {
  if (v < 0 || static_cast<size_t>(v) >= producers_.size() || producers_[static_cast<size_t>(v)] < 0)
    return nullptr;
  return &g_.nodes[static_cast<size_t>(producers_[static_cast<size_t>(v)])];
}

const ir::Node* PatternGraph::def(ir::ValueId v, ir::OpKind op) const {
  const ir::Node* n = producer(v);
  if (!n || n->op != op || n->outputs.size() != 1 || n->numCaptures != 0) return nullptr;
  return n;
}

int PatternGraph::uses(ir::ValueId v) const { return uses_.at(static_cast<size_t>(v)); }

bool PatternGraph::usedExactly(ir::ValueId v, int n) const {
  return uses(v) == n && !isOutput_.at(static_cast<size_t>(v));
}

bool PatternGraph::isDead(size_t i) const {
  for (ir::ValueId v : g_.nodes.at(i).outputs)
    if (uses(v) > 0 || isOutput_.at(static_cast<size_t>(v))) return false;
  return true;
}

std::optional<double> PatternGraph::scalar(ir::ValueId v) const {
  if (v == ir::kNoValue) return std::nullopt;
  const ir::Value& value = g_.value(v);
  if (!value.isConstant() || !value.isTensor() || !isFloat(value.constant->dtype)) return std::nullopt;
  const ir::TensorData& d = *value.constant;
  int64_t n = d.numElements();
  if (n < 1) return std::nullopt;
  double first = d.floatAt(0);
  for (int64_t i = 1; i < n; ++i)
    if (d.floatAt(i) != first) return std::nullopt;
  return first;
}

bool PatternGraph::isConstant(ir::ValueId v, double expected) const {
  std::optional<double> s = scalar(v);
  return s && nearlyEqual(*s, expected);
}

std::optional<ir::ValueId> PatternGraph::operandBeside(const ir::Node& n, double expected,
                                                       bool commutative) const {
  if (n.inputs.size() != 2) return std::nullopt;
  if (isConstant(n.inputs[1], expected)) return n.inputs[0];
  if (commutative && isConstant(n.inputs[0], expected)) return n.inputs[1];
  return std::nullopt;
}

ir::ValueId PatternGraph::addConstant(std::string name, ir::TensorDataPtr data) {
  ir::ValueId v = g_.addConstant(std::move(name), std::move(data));
  index();
  return v;
}

bool PatternGraph::replace(size_t root, ir::OpKind op, std::vector<ir::ValueId> inputs, ir::Attributes attrs) {
  ir::Node& n = g_.nodes.at(root);
  if (n.outputs.size() != 1) return false;
  ir::Node old = n;
  ir::TensorType type = g_.type(n.outputs[0]);
  n.op = op;
  n.inputs = std::move(inputs);
  n.attrs = std::move(attrs);
  n.numCaptures = 0;
  bool same = false;
  try {
    ir::inferNodeShapes(g_, n);
    same = g_.type(n.outputs[0]) == type;
  } catch (const Error&) {
    same = false;
  }
  if (!same) {
    n = std::move(old);
    g_.value(n.outputs[0]).type = type;
    return false;
  }
  index();
  return true;
}

}  // namespace kiln::passes
