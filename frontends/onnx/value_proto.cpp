#include "frontends/onnx/value_proto.h"

#include <onnx/onnx-data_pb.h>

#include <fstream>

#include "frontends/onnx/proto_io.h"
#include "frontends/onnx/tensor_proto.h"
#include "ir/error.h"
#include "runtime/tensor_convert.h"

namespace kiln::onnx {

namespace {

using ::onnx::OptionalProto;
using ::onnx::SequenceProto;
using ::onnx::TensorProto;

runtime::Tensor tensorOf(const TensorProto& p, const std::string& dir, const std::string& what) {
  return runtime::toTensor(*tensorFromProto(p, dir, what));
}

runtime::Value sequenceOf(const SequenceProto& p, const std::string& dir, const std::string& what) {
  if (p.elem_type() != SequenceProto::TENSOR && p.elem_type() != SequenceProto::UNDEFINED)
    fail("{}: only sequences of tensors are supported", what);
  std::vector<runtime::Tensor> elems;
  for (int i = 0; i < p.tensor_values_size(); ++i)
    elems.push_back(tensorOf(p.tensor_values(i), dir, fmt::format("{} element {}", what, i)));
  return runtime::Value::sequence(std::move(elems));
}

// `containers` from index `depth` on describe what the proto holds.
runtime::Value parseAs(const std::string& bytes, const std::vector<ir::Container>& containers, size_t depth,
                       const std::string& dir, const std::string& what) {
  if (depth == containers.size()) {
    TensorProto p;
    if (!p.ParseFromString(bytes)) fail("{}: not a valid TensorProto", what);
    return tensorOf(p, dir, what);
  }
  if (containers[depth] == ir::Container::Sequence) {
    if (depth + 1 != containers.size()) fail("{}: only sequences of tensors are supported", what);
    SequenceProto p;
    if (!p.ParseFromString(bytes)) fail("{}: not a valid SequenceProto", what);
    return sequenceOf(p, dir, what);
  }
  OptionalProto p;
  if (!p.ParseFromString(bytes)) fail("{}: not a valid OptionalProto", what);
  if (p.has_tensor_value()) return tensorOf(p.tensor_value(), dir, what);
  if (p.has_sequence_value()) return sequenceOf(p.sequence_value(), dir, what);
  return runtime::Value::none();
}

void fillTensor(TensorProto& p, const runtime::Tensor& t, const std::string& name) {
  p.set_name(name);
  p.set_data_type(static_cast<int32_t>(t.dtype()));
  for (int64_t d : t.shape()) p.add_dims(d);
  if (t.dtype() == DType::String) {
    const std::string* s = t.data<std::string>();
    for (int64_t i = 0; i < t.numElements(); ++i) p.add_string_data(s[i]);
  } else {
    p.set_raw_data(static_cast<const char*>(t.data()), t.byteSize());
  }
}

void fillSequence(SequenceProto& p, const runtime::Value& v, const std::string& name) {
  p.set_name(name);
  p.set_elem_type(SequenceProto::TENSOR);
  for (const runtime::Tensor& t : v.sequence(name.c_str())) fillTensor(*p.add_tensor_values(), t, "");
}

}  // namespace

runtime::Value readValueProtoFile(const std::string& path, const ir::Value& decl) {
  std::string bytes = readProtoFileBytes(path, "ONNX value file");
  try {
    return parseAs(bytes, decl.containers, 0, modelDirOf(path), path);
  } catch (const Error& e) {
    fail("input '{}': {}", decl.name, e.what());
  }
}

void writeValueProtoFile(const std::string& path, const runtime::Value& v, const ir::Value& decl) {
  std::string bytes;
  const std::vector<ir::Container>& c = decl.containers;
  if (c.empty()) {
    TensorProto p;
    fillTensor(p, v.tensor(decl.name.c_str()), decl.name);
    bytes = p.SerializeAsString();
  } else if (c.front() == ir::Container::Sequence) {
    SequenceProto p;
    fillSequence(p, v, decl.name);
    bytes = p.SerializeAsString();
  } else {
    OptionalProto p;
    p.set_name(decl.name);
    bool holdsSequence = c.size() > 1 && c[1] == ir::Container::Sequence;
    p.set_elem_type(holdsSequence ? OptionalProto::SEQUENCE : OptionalProto::TENSOR);
    if (v.isTensor()) fillTensor(*p.mutable_tensor_value(), v.tensor(), "");
    if (v.isSequence()) fillSequence(*p.mutable_sequence_value(), v, "");
    bytes = p.SerializeAsString();
  }
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!f) fail("cannot write '{}'", path);
}

}  // namespace kiln::onnx
