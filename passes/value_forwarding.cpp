#include "passes/value_forwarding.h"

#include <utility>

#include "ir/error.h"

namespace kiln::passes {

ValueForwarding::ValueForwarding(ir::Graph& g)
    : g_(g), to_(g.values.size()), isInput_(g.values.size(), false), isOutput_(g.values.size(), false) {
  for (size_t i = 0; i < to_.size(); ++i) to_[i] = static_cast<ir::ValueId>(i);
  for (ir::ValueId v : g.inputs) isInput_.at(static_cast<size_t>(v)) = true;
  for (ir::ValueId v : g.outputs) isOutput_.at(static_cast<size_t>(v)) = true;
}

ir::ValueId ValueForwarding::resolve(ir::ValueId v) const {
  // Values added after construction (new constants) were never forwarded.
  while (v != ir::kNoValue && static_cast<size_t>(v) < to_.size() && to_[static_cast<size_t>(v)] != v)
    v = to_[static_cast<size_t>(v)];
  return v;
}

bool ValueForwarding::isInput(ir::ValueId v) const {
  return static_cast<size_t>(v) < isInput_.size() && isInput_[static_cast<size_t>(v)];
}

bool ValueForwarding::isOutput(ir::ValueId v) const {
  return static_cast<size_t>(v) < isOutput_.size() && isOutput_[static_cast<size_t>(v)];
}

void ValueForwarding::resolveInputs(ir::Node& n) const {
  for (ir::ValueId& v : n.inputs) v = resolve(v);
}

bool ValueForwarding::canForward(ir::ValueId from, ir::ValueId to) const {
  from = resolve(from);
  to = resolve(to);
  if (from == to || to == ir::kNoValue) return false;
  if (g_.value(from).containers != g_.value(to).containers || !(g_.type(from) == g_.type(to))) return false;
  if (!isOutput(from)) return true;
  return !isInput(to) && !isOutput(to);
}

void ValueForwarding::forward(ir::ValueId from, ir::ValueId to) {
  from = resolve(from);
  to = resolve(to);
  if (!canForward(from, to)) fail("internal error: value '{}' cannot be replaced", g_.value(from).name);
  for (size_t i = to_.size(); i < g_.values.size(); ++i) to_.push_back(static_cast<ir::ValueId>(i));
  isInput_.resize(g_.values.size(), false);
  isOutput_.resize(g_.values.size(), false);
  to_[static_cast<size_t>(from)] = to;
  ++count_;
  if (!isOutput(from)) return;
  for (ir::ValueId& o : g_.outputs)
    if (o == from) o = to;
  std::swap(g_.value(from).name, g_.value(to).name);
  isOutput_[static_cast<size_t>(from)] = false;
  isOutput_[static_cast<size_t>(to)] = true;
}

void ValueForwarding::finish() {
  for (ir::Node& n : g_.nodes) resolveInputs(n);
}

}  // namespace kiln::passes
