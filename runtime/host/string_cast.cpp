// Cast-21 and CastLike-21 to or from string tensors (the compiled Cast kernel
// handles numeric types only): strings parse to the target numeric type and
// numbers print as strings by the rules in runtime/host/string_number.h;
// string to string copies. Cast's target is its `to` attribute, CastLike's
// the dtype of its second input (whose values are not read).
#include <algorithm>
#include <limits>

#include "ir/error.h"
#include "runtime/host/host_call.h"
#include "runtime/host/string_number.h"

namespace kiln::runtime {

std::vector<Value> runHostStringCast(const HostCall& call) {
  const Tensor& x = call.tensor(0);
  DType to = DType::Undefined;
  if (call.node.op == ir::OpKind::CastLike) {
    to = call.tensor(1).dtype();
  } else {
    int64_t attr = call.node.attrs.getInt("to", 0);
    std::optional<DType> t = attr >= 0 && attr <= std::numeric_limits<int32_t>::max()
                                 ? dtypeFromOnnx(static_cast<int32_t>(attr))
                                 : std::nullopt;
    if (!t) fail("{}: unsupported target type {} (ONNX TensorProto.DataType)", call.where(), attr);
    to = *t;
  }
  Tensor out(to, x.shape());
  if (x.dtype() == DType::String && to == DType::String) {
    std::copy(x.data<std::string>(), x.data<std::string>() + x.numElements(), out.data<std::string>());
  } else if (x.dtype() == DType::String) {
    parseStrings(x, out, call.where());
  } else if (to == DType::String) {
    formatNumbers(x, out, call.where());
  } else {
    fail("{}: unsupported on the host: a cast from {} to {} (no strings)", call.where(), dtypeName(x.dtype()),
         dtypeName(to));
  }
  return {Value(std::move(out))};
}

}  // namespace kiln::runtime
