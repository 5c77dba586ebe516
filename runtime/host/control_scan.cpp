// Scan (ONNX opset 21). Inputs: N initial state values, then num_scan_inputs
// scan inputs. Iteration t calls `body` with (states..., slice t of each scan
// input along its scan_input_axes entry, counted from the end when its
// scan_input_directions entry is 1), and takes (states..., per-iteration scan
// outputs...) back. Node outputs: the final states, then each scan output's
// per-iteration tensors stacked along a new axis scan_output_axes[k]
// (reversed when scan_output_directions[k] is 1). Every scan input must have
// the same length along its axis.
//
// The opset-8 form (a leading batch axis on every input and output, and an
// absent sequence_lens input) is rewritten on import into this form plus the
// attribute `opset8_batch` = 1 (frontends/onnx/legacy_opset.cpp): each batch
// element is scanned on its own along axis 0 of its slice, and the results
// are stacked along a new axis 0.
#include <algorithm>

#include "ir/error.h"
#include "runtime/host/control_util.h"

namespace kiln::runtime {

namespace {

struct ScanAttrs {
  size_t numStates = 0, numScanInputs = 0, numScanOutputs = 0;
  std::vector<int64_t> inputAxes, inputDirections, outputAxes, outputDirections;
};

std::vector<int64_t> intsAttr(const HostCall& call, const std::string& name, size_t count, bool direction) {
  std::vector<int64_t> v;
  try {
    v = call.node.attrs.getInts(name, std::vector<int64_t>(count, 0));
  } catch (const Error& e) {
    fail("{}: {}", call.where(), e.what());
  }
  if (v.size() != count) fail("{}: attribute '{}' has {} entries, expected {}", call.where(), name, v.size(), count);
  if (direction)
    for (int64_t d : v)
      if (d != 0 && d != 1) fail("{}: attribute '{}' holds {}; directions are 0 or 1", call.where(), name, d);
  return v;
}

// One scan over `inputs` (states then scan inputs, no batch axis).
std::vector<Value> scanOnce(const HostCall& call, const ScanAttrs& a, const std::vector<Value>& inputs) {
  const std::string where = call.where();
  std::vector<size_t> axes(a.numScanInputs);
  int64_t length = -1;
  for (size_t j = 0; j < a.numScanInputs; ++j) {
    const Value& v = inputs[a.numStates + j];
    if (!v.isTensor()) fail("{}: scan input #{} is a {}, expected a tensor", where, j, kindName(v.kind()));
    const Tensor& t = v.tensor();
    const auto rank = static_cast<int64_t>(t.shape().size());
    int64_t axis = a.inputAxes[j];
    if (axis < -rank || axis >= rank)
      fail("{}: scan_input_axes[{}] = {} is out of range for scan input #{} of rank {}", where, j, axis, j, rank);
    if (axis < 0) axis += rank;
    axes[j] = static_cast<size_t>(axis);
    const int64_t len = t.shape()[axes[j]];
    if (length >= 0 && len != length)
      fail("{}: scan input #{} has {} elements along its scan axis but scan input #0 has {}", where, j, len,
           length);
    length = len;
  }

  std::vector<Value> states(inputs.begin(), inputs.begin() + static_cast<std::ptrdiff_t>(a.numStates));
  std::vector<std::vector<Tensor>> scans(a.numScanOutputs);
  for (int64_t t = 0; t < length; ++t) {
    std::vector<Value> in = states;
    for (size_t j = 0; j < a.numScanInputs; ++j) {
      const int64_t index = a.inputDirections[j] == 1 ? length - 1 - t : t;
      in.push_back(control::sliceAt(inputs[a.numStates + j].tensor(), axes[j], index));
    }
    std::vector<Value> out = call.runSubgraph("body", in);
    if (out.size() != a.numStates + a.numScanOutputs)
      fail("{}: body returns {} values, expected {} ({} states, {} scan outputs)", where, out.size(),
           a.numStates + a.numScanOutputs, a.numStates, a.numScanOutputs);
    for (size_t k = 0; k < a.numStates; ++k) states[k] = std::move(out[k]);
    for (size_t k = 0; k < a.numScanOutputs; ++k) {
      const Value& s = out[a.numStates + k];
      if (!s.isTensor())
        fail("{}: scan output #{} is a {} in iteration {}, expected a tensor", where, k, kindName(s.kind()), t);
      scans[k].push_back(s.tensor());
    }
  }

  std::vector<Value> result = std::move(states);
  ir::GraphPtr body = call.node.attrs.getGraph("body");
  const bool batched = call.node.attrs.getInt("opset8_batch", 0) != 0;
  for (size_t k = 0; k < a.numScanOutputs; ++k) {
    std::vector<Tensor>& parts = scans[k];
    const int64_t axis = a.outputAxes[k];
    if (parts.empty()) {
      const size_t bodyIndex = a.numStates + k;
      const ir::Value* bodyOut =
          body && bodyIndex < body->outputs.size() ? &body->value(body->outputs[bodyIndex]) : nullptr;
      // The node output's declared type has the batch axis in front in the opset-8 form.
      ir::Value declared = call.output(a.numStates + k);
      if (batched && declared.type.rankKnown && !declared.type.shape.empty())
        declared.type.shape.erase(declared.type.shape.begin());
      result.push_back(control::emptyStacked(declared, bodyOut, axis, where));
      continue;
    }
    const auto rank = static_cast<int64_t>(parts.front().shape().size());
    if (axis < -(rank + 1) || axis > rank)
      fail("{}: scan_output_axes[{}] = {} is out of range for scan output #{} of rank {}", where, k, axis, k,
           rank);
    if (a.outputDirections[k] == 1) std::reverse(parts.begin(), parts.end());
    const std::string what = fmt::format("scan output '{}'", call.output(a.numStates + k).name);
    result.push_back(control::stackAlong(parts, static_cast<size_t>(axis < 0 ? axis + rank + 1 : axis), where,
                                         what));
  }
  return result;
}

}  // namespace

std::vector<Value> runHostScan(const HostCall& call) {
  const std::string where = call.where();
  ScanAttrs a;
  int64_t m = 0;
  try {
    m = call.node.attrs.getInt("num_scan_inputs", -1);
  } catch (const Error& e) {
    fail("{}: {}", where, e.what());
  }
  if (m < 1 || static_cast<size_t>(m) > call.numInputs())
    fail("{}: num_scan_inputs = {} must be between 1 and the number of inputs ({})", where, m, call.numInputs());
  a.numScanInputs = static_cast<size_t>(m);
  a.numStates = call.numInputs() - a.numScanInputs;
  if (call.numOutputs() < a.numStates)
    fail("{}: has {} state inputs but only {} outputs", where, a.numStates, call.numOutputs());
  a.numScanOutputs = call.numOutputs() - a.numStates;
  a.inputAxes = intsAttr(call, "scan_input_axes", a.numScanInputs, false);
  a.inputDirections = intsAttr(call, "scan_input_directions", a.numScanInputs, true);
  a.outputAxes = intsAttr(call, "scan_output_axes", a.numScanOutputs, false);
  a.outputDirections = intsAttr(call, "scan_output_directions", a.numScanOutputs, true);

  std::vector<Value> inputs;
  for (size_t i = 0; i < call.numInputs(); ++i) inputs.push_back(call.input(i));
  if (call.node.attrs.getInt("opset8_batch", 0) == 0) return scanOnce(call, a, inputs);

  // Opset 8: every input and output has a leading batch axis.
  int64_t batch = -1;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const Tensor& t = call.tensor(i);
    if (t.shape().empty()) fail("{}: input #{} is a scalar, but opset-8 Scan needs a batch axis", where, i);
    if (batch >= 0 && t.shape()[0] != batch)
      fail("{}: input #{} has batch size {} but input #0 has {}", where, i, t.shape()[0], batch);
    batch = t.shape()[0];
  }
  if (batch == 0) fail("{}: unsupported: opset-8 Scan over an empty batch", where);
  std::vector<std::vector<Tensor>> perBatch(call.numOutputs());
  for (int64_t b = 0; b < batch; ++b) {
    std::vector<Value> slice;
    for (const Value& v : inputs) slice.push_back(control::sliceAt(v.tensor(), 0, b));
    std::vector<Value> out = scanOnce(call, a, slice);
    for (size_t k = 0; k < out.size(); ++k) {
      if (!out[k].isTensor())
        fail("{}: output #{} is a {}, expected a tensor", where, k, kindName(out[k].kind()));
      perBatch[k].push_back(out[k].tensor());
    }
  }
  std::vector<Value> result;
  for (size_t k = 0; k < perBatch.size(); ++k)
    result.push_back(control::stackAlong(perBatch[k], 0, where, fmt::format("output #{}", k)));
  return result;
}

}  // namespace kiln::runtime
