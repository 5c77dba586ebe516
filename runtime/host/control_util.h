// Tensor plumbing shared by the control-flow host kernels (If, Loop, Scan,
// SequenceMap): reading a condition or trip count, taking one slice of a
// tensor along an axis (Scan's per-iteration inputs) and stacking
// per-iteration tensors along a new axis (Loop's and Scan's scan outputs).
// Every dtype is handled, strings included.
#pragma once

#include <string>
#include <vector>

#include "runtime/host/host_call.h"

namespace kiln::runtime::control {

// The value of a 1-element bool tensor (a scalar or shape [1]); `what` names it in errors.
bool readCondition(const Value& v, const std::string& where, const std::string& what);
// The value of a 1-element int64 tensor.
int64_t readTripCount(const Value& v, const std::string& where, const std::string& what);

// The slice t[..., index, ...] at `axis`, without that axis. axis and index must be in range.
Tensor sliceAt(const Tensor& t, size_t axis, int64_t index);

// Stacks `parts` (same dtype and shape, at least one) along a new axis `axis`
// (0 <= axis <= rank): result shape part[:axis] + [parts.size()] + part[axis:].
// Parts whose dtype or shape differs from the first are an error naming `what`.
Tensor stackAlong(const std::vector<Tensor>& parts, size_t axis, const std::string& where,
                  const std::string& what);

// The empty result of stacking zero iterations of a scan output whose
// per-iteration type is not observed: the node output's declared type (when
// its dims other than the stacked one are static), else the subgraph output's
// declared per-iteration type (when static), else shape [0]. The dtype comes
// from the same declarations; an unknown dtype is an unsupported case. A
// negative `axis` counts from the end of the stacked rank.
Tensor emptyStacked(const ir::Value& nodeOutput, const ir::Value* bodyOutput, int64_t axis,
                    const std::string& where);

// `s` as an int64 scalar / bool scalar tensor.
Tensor int64Scalar(int64_t v);
Tensor boolScalar(bool v);

}  // namespace kiln::runtime::control
