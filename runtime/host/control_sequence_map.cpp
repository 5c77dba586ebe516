// SequenceMap (ONNX opset 17): applies `body` to each element of the first
// input (a sequence). Further inputs are sequences of the same length, whose
// i-th elements go with the first input's i-th, or tensors, passed unchanged
// to every call. Output k is the sequence of the body's k-th outputs.
#include "ir/error.h"
#include "runtime/host/control_util.h"

namespace kiln::runtime {

std::vector<Value> runHostSequenceMap(const HostCall& call) {
  const std::string where = call.where();
  const Value& first = call.input(0);
  if (!first.isSequence())
    fail("{}: input 'input_sequence' is a {}, expected a sequence", where, kindName(first.kind()));
  const size_t length = first.sequence().size();
  for (size_t i = 1; i < call.numInputs(); ++i) {
    const Value& v = call.input(i);
    if (v.isNone()) fail("{}: input #{} is an empty optional, expected a sequence or a tensor", where, i);
    if (v.isSequence() && v.sequence().size() != length)
      fail("{}: input #{} is a sequence of {} elements but input_sequence has {}", where, i,
           v.sequence().size(), length);
  }

  std::vector<std::vector<Tensor>> outputs(call.numOutputs());
  for (size_t e = 0; e < length; ++e) {
    std::vector<Value> in;
    for (size_t i = 0; i < call.numInputs(); ++i) {
      const Value& v = call.input(i);
      in.push_back(v.isSequence() ? Value(v.sequence()[e]) : v);
    }
    std::vector<Value> out = call.runSubgraph("body", in);
    if (out.size() != outputs.size())
      fail("{}: body returns {} values, but the node has {} outputs", where, out.size(), outputs.size());
    for (size_t k = 0; k < out.size(); ++k) {
      if (!out[k].isTensor())
        fail("{}: body output #{} is a {} for element {}, expected a tensor", where, k, kindName(out[k].kind()),
             e);
      outputs[k].push_back(out[k].tensor());
    }
  }
  std::vector<Value> result;
  for (auto& o : outputs) result.push_back(Value::sequence(std::move(o)));
  return result;
}

}  // namespace kiln::runtime
