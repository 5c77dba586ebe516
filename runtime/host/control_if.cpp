// If (ONNX opset 21): runs then_branch when `cond` (a bool tensor of one
// element) is true, else else_branch, and returns that branch's outputs:
// tensors, sequences or optionals, whose shapes may differ between branches.
#include "ir/error.h"
#include "runtime/host/control_util.h"

namespace kiln::runtime {

std::vector<Value> runHostIf(const HostCall& call) {
  const bool cond = control::readCondition(call.input(0), call.where(), "input 'cond'");
  const char* branch = cond ? "then_branch" : "else_branch";
  std::vector<Value> out = call.runSubgraph(branch, {});
  if (out.size() != call.numOutputs())
    fail("{}: {} returns {} values, but the node has {} outputs", call.where(), branch, out.size(),
         call.numOutputs());
  return out;
}

}  // namespace kiln::runtime
