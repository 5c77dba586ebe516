// Attributes of the activation ops that both the shape rule
// (ir/shape_rules/elementwise.cpp) and the kernel (codegen/ops/elementwise.cpp)
// read, checked once here so that both agree.
//
// Ctx is InferContext or codegen::KernelContext: anything with fail(fmt, ...).
// `attrs` are the op's (an epilogue op's are not the kernel node's).
#pragma once

#include <string>

#include "ir/graph.h"

namespace kiln::ir {

// Gelu's `approximate`: "none" (the erf form, default) or "tanh"; true for "tanh".
template <typename Ctx>
bool geluApproximation(const Ctx& ctx, const Attributes& attrs) {
  std::string a = attrs.getString("approximate", "none");
  if (a != "none" && a != "tanh") ctx.fail("approximate = '{}' (expected \"none\" or \"tanh\")", a);
  return a == "tanh";
}

}  // namespace kiln::ir
