// Optionals (ONNX Optional-15, OptionalHasElement-18, OptionalGetElement-18).
// A present optional is represented by the value it holds (runtime/value.h),
// an empty one by Value::none(). Optional wraps its input, or makes an empty
// optional when it has none; OptionalHasElement is false for an empty optional
// or an absent input and true for anything else (tensors and sequences
// included, as opset 18 allows); OptionalGetElement unwraps, failing on an
// empty optional, and passes a tensor or sequence through.
#include "ir/error.h"
#include "runtime/host/host_call.h"

namespace kiln::runtime {

std::vector<Value> runHostOptional(const HostCall& call) {
  if (!call.hasInput(0)) return {Value::none()};
  const Value& v = call.input(0);
  if (v.isNone()) fail("{}: the input is an empty optional; an optional cannot hold an optional", call.where());
  return {v};
}

std::vector<Value> runHostOptionalHasElement(const HostCall& call) {
  Tensor has(DType::Bool, {});
  *has.data<bool>() = call.hasInput(0) && !call.input(0).isNone();
  return {Value(std::move(has))};
}

std::vector<Value> runHostOptionalGetElement(const HostCall& call) {
  const Value& v = call.input(0);
  if (v.isNone()) fail("{}: the optional input is empty", call.where());
  return {v};
}

}  // namespace kiln::runtime
