// Numbers to and from text for Cast/CastLike with strings, following the ONNX
// Cast spec: strings in plain ("3.14", "1000") or scientific ("1e-5", "1E8")
// notation parse to any numeric type, and "NaN", "INF", "+INF", "-INF" (any
// case) are the special floating-point values; a string with a fractional
// part cast to an integer type is truncated ("100.5" -> 100). Numbers print
// in plain notation with the fewest digits that read back to the same value
// ("0.9767611" for that float); magnitudes below 1e-4 or from 1e16 up print
// in scientific notation ("1e-05"), as NumPy does; special values print as
// "NaN", "INF" and "-INF"; bools as "1" and "0".
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "runtime/tensor.h"

namespace kiln::runtime {

// Parses `s` (surrounding ASCII whitespace allowed) as a real number; nullopt
// when it is not one. Values past the double range become +-inf or +-0.
std::optional<double> parseReal(std::string_view s);

// Converts every string of `in` to `out` (same element count, numeric dtype).
// Throws kiln::Error, prefixed with `where`, for a string that is not a number
// of that type (an integer out of the type's range, a non-numeric string).
void parseStrings(const Tensor& in, Tensor& out, const std::string& where);

// Writes every element of numeric `in` as a string into `out` (a string tensor of
// as many elements). Throws kiln::Error, prefixed with `where`, for a dtype it lacks.
void formatNumbers(const Tensor& in, Tensor& out, const std::string& where);

// `v`, a value of floating dtype `dtype`, as text: the fewest digits that read
// back to the same `dtype` value.
std::string formatFloat(double v, DType dtype);

}  // namespace kiln::runtime
