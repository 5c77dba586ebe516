// A runtime value: what flows between host ops (runtime/host/) and compiled
// stages. ONNX values are tensors, sequences of tensors, or optionals
// (onnx.proto TypeProto). An optional that holds something is represented by
// what it holds; an empty optional is Kind::None. Copying a Value shares the
// tensors' storage.
#pragma once

#include <vector>

#include "runtime/tensor.h"

namespace kiln::runtime {

class Value {
 public:
  enum class Kind { Tensor, Sequence, None };

  Value() : kind_(Kind::None) {}
  Value(Tensor t) : kind_(Kind::Tensor), tensor_(std::move(t)) {}  // NOLINT: implicit on purpose
  static Value none() { return Value(); }
  static Value sequence(std::vector<Tensor> elements) {
    Value v;
    v.kind_ = Kind::Sequence;
    v.sequence_ = std::move(elements);
    return v;
  }

  Kind kind() const { return kind_; }
  bool isTensor() const { return kind_ == Kind::Tensor; }
  bool isSequence() const { return kind_ == Kind::Sequence; }
  bool isNone() const { return kind_ == Kind::None; }

  // Throw kiln::Error when the value is of another kind; `what` names it in the message.
  const Tensor& tensor(const char* what = "value") const;
  const std::vector<Tensor>& sequence(const char* what = "value") const;

 private:
  Kind kind_;
  Tensor tensor_;
  std::vector<Tensor> sequence_;
};

const char* kindName(Value::Kind k);  // "tensor", "sequence", "none"

}  // namespace kiln::runtime
