// Pass `cse`: common-subexpression elimination. Two nodes with the same op,
// the same inputs (same value ids, in order), equal attributes (tensor
// attributes by contents; subgraph attributes by identity, as
// ir::Attributes::operator== compares them), the same numCaptures and the
// same output types compute the same values: the later node's uses read the
// earlier node's outputs instead, and the later node becomes dead. Constants
// with the same dtype, shape and contents merge the same way first (hashed by
// their bytes, compared in full before merging), so nodes that read equal
// copies of a constant also merge.
// Not merged: ops that draw random numbers (each node is a separate draw),
// nodes with no outputs, and nodes none of whose outputs is read. Graph
// outputs keep their names (passes/value_forwarding.h): a node computing a
// graph output merges only when the earlier one's outputs are not graph
// inputs or outputs themselves.
#pragma once

#include "ir/graph.h"

namespace kiln::passes {

void eliminateCommonSubexpressions(ir::Graph& graph);

}  // namespace kiln::passes
