#include "runtime/value.h"

#include "ir/error.h"

namespace kiln::runtime {

const char* kindName(Value::Kind k) {
  switch (k) {
    case Value::Kind::Tensor: return "tensor";
    case Value::Kind::Sequence: return "sequence";
    case Value::Kind::None: return "empty optional";
  }
  return "?";
}

const Tensor& Value::tensor(const char* what) const {
  if (kind_ != Kind::Tensor) fail("{} is a {}, expected a tensor", what, kindName(kind_));
  return tensor_;
}

const std::vector<Tensor>& Value::sequence(const char* what) const {
  if (kind_ != Kind::Sequence) fail("{} is a {}, expected a sequence", what, kindName(kind_));
  return sequence_;
}

}  // namespace kiln::runtime
