#include "runtime/host/host_call.h"

#include "ir/error.h"

namespace kiln::runtime {

const Value& HostCall::input(size_t i) const {
  if (!hasInput(i)) fail("{}: input #{} is absent", where(), i);
  return *inputs[i];
}

const Tensor& HostCall::tensor(size_t i) const {
  const Value& v = input(i);
  if (!v.isTensor()) fail("{}: input #{} is a {}, expected a tensor", where(), i, kindName(v.kind()));
  return v.tensor();
}

namespace {

bool touchesNonTensor(const ir::Graph& g, const ir::Node& n) {
  auto special = [&](ir::ValueId v) {
    if (v == ir::kNoValue) return false;
    const ir::Value& val = g.value(v);
    return !val.isTensor() || val.type.dtype == DType::String;
  };
  for (ir::ValueId v : n.inputs)
    if (special(v)) return true;
  for (ir::ValueId v : n.outputs)
    if (special(v)) return true;
  // Cast's target dtype is an attribute: Cast to string has a numeric input.
  return n.op == ir::OpKind::Cast && n.attrs.getInt("to", 0) == static_cast<int64_t>(DType::String);
}

}  // namespace

HostKernel hostKernelFor(const ir::Graph& g, const ir::Node& n) {
  switch (n.op) {
#define KILN_OP(Name, MinIn, MaxIn, MinOut, MaxOut, Family)
#define KILN_HOST_OP(Name, MinIn, MaxIn, MinOut, MaxOut, Family) \
  case ir::OpKind::Name: return &runHost##Name;
#include "ir/ops.def"
#undef KILN_OP
#undef KILN_HOST_OP
    default: break;
  }
  if (!touchesNonTensor(g, n)) return nullptr;
  switch (n.op) {
    case ir::OpKind::Identity: return &runHostIdentity;
    case ir::OpKind::Cast:
    case ir::OpKind::CastLike: return &runHostStringCast;
    default: break;
  }
  fail("{}: unsupported on string tensors, sequences or optionals", g.describe(n));
}

}  // namespace kiln::runtime
