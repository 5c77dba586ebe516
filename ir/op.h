// Op kinds, generated from ir/ops.def.
#pragma once

#include <optional>
#include <string_view>

namespace kiln::ir {

enum class OpKind : int {
#define KILN_OP(Name, MinIn, MaxIn, MinOut, MaxOut, Family) Name,
#include "ir/ops.def"
#undef KILN_OP
};

struct OpInfo {
  std::string_view name;  // ONNX op_type
  int minInputs, maxInputs, minOutputs, maxOutputs;
  std::string_view family;
};

const OpInfo& opInfo(OpKind op);
inline std::string_view opName(OpKind op) { return opInfo(op).name; }
// Looks an op up by its ONNX op_type; nullopt if Kiln does not support it.
std::optional<OpKind> opFromName(std::string_view name);
int opCount();

}  // namespace kiln::ir
