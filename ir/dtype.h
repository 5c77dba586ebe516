// Element types of Kiln tensors.
//
// The numeric values follow ONNX TensorProto.DataType (onnx/onnx.proto) so the
// frontend maps them one to one; the short names (f32, i64, ...) are the textual
// IR spelling. Header-only: the runtime uses it without linking the IR library.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace kiln {

enum class DType : uint8_t {
  Undefined = 0,
  F32 = 1,
  U8 = 2,
  I8 = 3,
  U16 = 4,
  I16 = 5,
  I32 = 6,
  I64 = 7,
  String = 8,
  Bool = 9,
  F16 = 10,
  F64 = 11,
  U32 = 12,
  U64 = 13,
  BF16 = 16,
};

// Size in bytes of one element; 0 for Undefined and String (strings are not
// stored inline in buffers).
constexpr size_t dtypeSize(DType t) {
  switch (t) {
    case DType::F32: case DType::I32: case DType::U32: return 4;
    case DType::F64: case DType::I64: case DType::U64: return 8;
    case DType::F16: case DType::BF16: case DType::I16: case DType::U16: return 2;
    case DType::U8: case DType::I8: case DType::Bool: return 1;
    case DType::String: case DType::Undefined: return 0;
  }
  return 0;
}

constexpr bool isFloat(DType t) {
  return t == DType::F32 || t == DType::F64 || t == DType::F16 || t == DType::BF16;
}
constexpr bool isSignedInt(DType t) {
  return t == DType::I8 || t == DType::I16 || t == DType::I32 || t == DType::I64;
}
constexpr bool isUnsignedInt(DType t) {
  return t == DType::U8 || t == DType::U16 || t == DType::U32 || t == DType::U64;
}
constexpr bool isInteger(DType t) { return isSignedInt(t) || isUnsignedInt(t); }

// Textual IR name ("f32", "i64", "bool", ...).
constexpr std::string_view dtypeName(DType t) {
  switch (t) {
    case DType::F32: return "f32";
    case DType::U8: return "u8";
    case DType::I8: return "i8";
    case DType::U16: return "u16";
    case DType::I16: return "i16";
    case DType::I32: return "i32";
    case DType::I64: return "i64";
    case DType::String: return "str";
    case DType::Bool: return "bool";
    case DType::F16: return "f16";
    case DType::F64: return "f64";
    case DType::U32: return "u32";
    case DType::U64: return "u64";
    case DType::BF16: return "bf16";
    case DType::Undefined: return "undef";
  }
  return "undef";
}

inline std::optional<DType> parseDType(std::string_view s) {
  for (int i = 0; i <= 16; ++i) {
    auto t = static_cast<DType>(i);
    if (dtypeName(t) != "undef" && dtypeName(t) == s) return t;
  }
  return std::nullopt;
}

// Maps an ONNX TensorProto.DataType number; nullopt for types Kiln lacks.
inline std::optional<DType> dtypeFromOnnx(int32_t onnxType) {
  if (onnxType < 1 || onnxType > 16 || onnxType == 14 || onnxType == 15) return std::nullopt;
  return static_cast<DType>(onnxType);
}

}  // namespace kiln
