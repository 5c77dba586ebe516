// Identity-21 of a value compiled kernels do not handle: a sequence, an
// optional (empty or not) or a string tensor passes through unchanged
// (tensors share their storage; nothing downstream writes to them).
#include "runtime/host/host_call.h"

namespace kiln::runtime {

std::vector<Value> runHostIdentity(const HostCall& call) { return {call.input(0)}; }

}  // namespace kiln::runtime
