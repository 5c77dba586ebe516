// Loop (ONNX opset 21). Inputs: M (optional int64 trip count), cond (optional
// bool), then the initial loop-carried values. Each iteration calls `body`
// with (iteration_num, cond_in, carried...) and takes (cond_out, carried...,
// scan outputs...) back. The loop runs while i < M (when M is given) and cond
// holds (when cond is given; cond_out is its next value). Node outputs: the
// final carried values, then each scan output's per-iteration tensors stacked
// along a new axis 0 (they must agree in dtype and shape).
//
// A Loop with neither M nor cond is infinite by the spec: refused as
// unsupported rather than run. With zero iterations a scan output's shape is
// taken from the declared types (control::emptyStacked): [0, element dims...]
// when they are static, else [0].
#include <algorithm>

#include "ir/error.h"
#include "runtime/host/control_util.h"

namespace kiln::runtime {

std::vector<Value> runHostLoop(const HostCall& call) {
  const std::string where = call.where();
  const size_t formal = call.numInputs();
  const size_t numCarried = formal > 2 ? formal - 2 : 0;
  if (call.numOutputs() < numCarried)
    fail("{}: has {} loop-carried inputs but only {} outputs", where, numCarried, call.numOutputs());
  const size_t numScan = call.numOutputs() - numCarried;
  const bool hasTripCount = call.hasInput(0), hasCond = call.hasInput(1);
  if (!hasTripCount && !hasCond) fail("{}: unsupported: Loop without trip count or condition", where);

  const int64_t tripCount =
      hasTripCount ? std::max<int64_t>(0, control::readTripCount(call.input(0), where, "input 'M'")) : 0;
  bool cond = hasCond ? control::readCondition(call.input(1), where, "input 'cond'") : true;

  std::vector<Value> carried;
  for (size_t i = 0; i < numCarried; ++i) carried.push_back(call.input(2 + i));
  std::vector<std::vector<Tensor>> scans(numScan);

  for (int64_t i = 0; (!hasTripCount || i < tripCount) && (!hasCond || cond); ++i) {
    std::vector<Value> in;
    in.reserve(2 + numCarried);
    in.push_back(control::int64Scalar(i));
    in.push_back(control::boolScalar(cond));
    for (Value& v : carried) in.push_back(std::move(v));
    std::vector<Value> out = call.runSubgraph("body", in);
    if (out.size() != 1 + numCarried + numScan)
      fail("{}: body returns {} values, expected {} (cond_out, {} loop-carried, {} scan outputs)", where,
           out.size(), 1 + numCarried + numScan, numCarried, numScan);
    // Without a cond input the body's cond_out is ignored (ONNX Loop spec).
    if (hasCond) cond = control::readCondition(out[0], where, "body output 'cond_out'");
    for (size_t k = 0; k < numCarried; ++k) carried[k] = std::move(out[1 + k]);
    for (size_t k = 0; k < numScan; ++k) {
      const Value& s = out[1 + numCarried + k];
      if (!s.isTensor())
        fail("{}: scan output #{} is a {} in iteration {}, expected a tensor", where, k, kindName(s.kind()), i);
      scans[k].push_back(s.tensor());
    }
  }

  std::vector<Value> result = std::move(carried);
  ir::GraphPtr body = call.node.attrs.getGraph("body");
  for (size_t k = 0; k < numScan; ++k) {
    const std::string what = fmt::format("scan output '{}'", call.output(numCarried + k).name);
    if (!scans[k].empty()) {
      result.push_back(control::stackAlong(scans[k], 0, where, what));
      continue;
    }
    const size_t bodyIndex = 1 + numCarried + k;
    const ir::Value* bodyOut =
        body && bodyIndex < body->outputs.size() ? &body->value(body->outputs[bodyIndex]) : nullptr;
    result.push_back(control::emptyStacked(call.output(numCarried + k), bodyOut, 0, where));
  }
  return result;
}

}  // namespace kiln::runtime
