// Structural checks of a Graph: the invariants every pass may rely on and
// must preserve (run after parsing, after import, and after each pass in
// debug builds).
#pragma once

#include "ir/graph.h"

namespace kiln::ir {

// Throws kiln::Error, naming the node or value at fault, when:
// - a value id (node input/output, graph input/output) is out of range;
// - a value is defined twice: listed twice as a graph input, produced by two
//   nodes, or produced by a node and also a constant or graph input, or a
//   graph input that is also a constant;
// - a node reads a value before it is defined (nodes must be in topological
//   order), or a graph output is never defined;
// - a node's input/output count is outside its ops.def limits, a required
//   input is absent, or an output is absent;
// - a constant's (or tensor attribute's) dtype/shape disagree with its type,
//   or its byte size is not elements * dtypeSize.
//
// With `allowBoundInputs`, a graph input may also carry a constant: shape
// specialization binds the contents of value-keyed inputs that way
// (passes/specialize_shapes.h), and passes run on that graph.
void verifyGraph(const Graph& g, bool allowBoundInputs = false);

}  // namespace kiln::ir
