// Shape inference: one rule per op (declared from ir/ops.def, defined in
// ir/shape_rules/FAMILY.cpp). A rule reads its node's input types, attributes and
// any constant inputs, checks them, and sets every output's TensorType.
//
// Rules must be exact for static shapes (that is what codegen compiles) and
// should propagate symbolic or unknown dims (Dim::unknown()) otherwise. Invalid
// input (bad axis, mismatched dims, missing constant) is reported with
// ctx.fail(...), which throws kiln::Error naming the node.
#pragma once

#include <fmt/format.h>

#include "ir/error.h"
#include "ir/graph.h"

namespace kiln::ir {

class InferContext {
 public:
  InferContext(Graph& g, Node& n) : graph(g), node(n) {}
  Graph& graph;
  Node& node;

  size_t numInputs() const { return node.inputs.size(); }
  bool hasInput(size_t i) const { return node.hasInput(i); }
  const TensorType& inputType(size_t i) const;
  // Constant contents of input i, or nullptr when absent or not constant.
  const TensorData* inputConstant(size_t i) const;
  // Constant contents of input i; throws ValueRequired naming the node and
  // `what` when it is not constant (its contents are needed to infer shapes).
  const TensorData& requireConstant(size_t i, const char* what) const;
  std::vector<int64_t> requireConstantInts(size_t i, const char* what) const {
    return requireConstant(i, what).toInts();
  }
  const Attributes& attrs() const { return node.attrs; }
  void setOutput(size_t i, TensorType t);
  // Normalizes a possibly negative axis into [0, rank); fails when out of range.
  int64_t normalizeAxis(int64_t axis, int64_t rank) const;

  template <typename... Args>
  [[noreturn]] void fail(fmt::format_string<Args...> f, Args&&... args) const {
    throw Error(graph.describe(node) + ": " + fmt::format(f, std::forward<Args>(args)...));
  }
};

inline int64_t rankOf(const TensorType& t) { return static_cast<int64_t>(t.shape.size()); }

// Multidirectional (numpy) broadcasting of two shapes; fails on mismatch.
Shape broadcastShapes(const InferContext& ctx, const Shape& a, const Shape& b);

#define KILN_OP(Name, MinIn, MaxIn, MinOut, MaxOut, Family) void inferShapes##Name(InferContext&);
#define KILN_HOST_OP(Name, MinIn, MaxIn, MinOut, MaxOut, Family)
#include "ir/ops.def"
#undef KILN_OP
#undef KILN_HOST_OP

// Checks arity against ops.def, then runs the op's rule.
void inferNodeShapes(Graph& g, Node& n);

}  // namespace kiln::ir
