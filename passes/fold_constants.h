// Pass `fold-constants`: a node whose inputs are all constant becomes
// constant values (its outputs keep their ids and names; the node goes), when
// its output types are static tensors of at most PassContext::maxFoldBytes
// each. Values come from context.evaluator, which runs the node's own
// generated kernel, so a folded value is bit for bit what the node computes
// at run time; without an evaluator the pass does nothing. Shape and Size of a
// statically shaped value fold without it (their inputs need not be
// constant). Walking the nodes in order, a fold makes the next node's inputs
// constant, which resolves the Shape -> Gather -> Unsqueeze -> Concat ->
// Reshape arithmetic exporters leave behind.
// Not folded: nodes with subgraph attributes (control flow, fused
// epilogues), nodes producing sequences/optionals/strings, and outputs whose
// shape is not static. Shape specialization (passes/specialize_shapes.h)
// folds with the same helpers while it infers shapes.
#pragma once

#include <cstdint>

#include "ir/graph.h"
#include "passes/pass.h"

namespace kiln::passes {

// Shape(x) with x statically shaped: makes its output constant; false (and
// nothing changed) otherwise.
bool foldStaticShape(ir::Graph& g, ir::Node& n);
// Size(x) with x statically shaped, likewise.
bool foldStaticSize(ir::Graph& g, ir::Node& n);
// Whether n's inputs are all constant (absent optional inputs aside) and its
// outputs are static non-string tensors of at most maxBytes each.
bool isFoldable(const ir::Graph& g, const ir::Node& n, int64_t maxBytes);
// Evaluates n (which must be foldable and in g.nodes) and makes its outputs
// constant; the caller removes n.
void foldNode(ir::Graph& g, const ir::Node& n, ConstantEvaluator& evaluator);

void foldConstants(ir::Graph& graph, PassContext& context);

}  // namespace kiln::passes
