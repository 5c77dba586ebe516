#include "runtime/host/string_number.h"

#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>

#include "ir/error.h"
#include "ir/float16.h"

namespace kiln::runtime {

namespace {

std::string_view trim(std::string_view s) {
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

// from_chars takes no leading '+'; drop one that starts a number.
std::string_view dropPlus(std::string_view s) {
  if (s.size() > 1 && s[0] == '+' && s[1] != '+' && s[1] != '-') s.remove_prefix(1);
  return s;
}

template <typename F>
std::optional<F> parseFloating(std::string_view s) {
  s = dropPlus(trim(s));
  if (s.empty()) return std::nullopt;
  F v{};
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v, std::chars_format::general);
  if (ptr != s.data() + s.size()) return std::nullopt;
  if (ec == std::errc::result_out_of_range) {
    // Past the range: tiny when the exponent is negative, else huge.
    bool negative = s[0] == '-';
    size_t e = s.find_first_of("eE");
    bool tiny = e != std::string_view::npos && e + 1 < s.size() && s[e + 1] == '-';
    F mag = tiny ? F(0) : std::numeric_limits<F>::infinity();
    return negative ? -mag : mag;
  }
  if (ec != std::errc()) return std::nullopt;
  return v;
}

std::string shortText(std::string_view s) {
  return s.size() <= 40 ? std::string(s) : std::string(s.substr(0, 40)) + "...";
}

template <typename T>
T parseInteger(std::string_view text, const std::string& where) {
  using Wide = std::conditional_t<std::is_signed_v<T>, int64_t, uint64_t>;
  std::string_view s = dropPlus(trim(text));
  Wide w{};
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), w, 10);
  bool whole = !s.empty() && ptr == s.data() + s.size();
  if (whole && ec == std::errc() && w >= static_cast<Wide>(std::numeric_limits<T>::min()) &&
      w <= static_cast<Wide>(std::numeric_limits<T>::max()))
    return static_cast<T>(w);
  if (!(whole && ec == std::errc::result_out_of_range)) {
    // Not an integer literal: a real number, truncated toward zero.
    std::optional<double> r = parseReal(s);
    if (!r) fail("{}: cannot cast '{}' to an integer: not a number", where, shortText(text));
    double t = std::trunc(*r);
    // 2^63 and 2^64 are exact doubles; min() of signed types too.
    const double hi = std::is_same_v<Wide, int64_t> && sizeof(T) == 8   ? 9223372036854775808.0
                      : std::is_same_v<Wide, uint64_t> && sizeof(T) == 8 ? 18446744073709551616.0
                                                                         : double(std::numeric_limits<T>::max()) + 1;
    if (t >= static_cast<double>(std::numeric_limits<T>::min()) && t < hi) return static_cast<T>(t);
  }
  fail("{}: cannot cast '{}' to {}: out of range", where, shortText(text),
       std::is_signed_v<T> ? "a signed integer of " + std::to_string(sizeof(T) * 8) + " bits"
                           : "an unsigned integer of " + std::to_string(sizeof(T) * 8) + " bits");
}

bool parseBool(std::string_view text, const std::string& where) {
  std::string_view s = trim(text);
  std::string lower;
  for (char c : s) lower += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  if (lower == "true") return true;
  if (lower == "false") return false;
  std::optional<double> r = parseReal(s);
  if (!r) fail("{}: cannot cast '{}' to bool: not a number, 'true' or 'false'", where, shortText(text));
  return *r != 0;  // as a number cast to bool (NaN is true)
}

template <typename T, typename Parse>
void parseAll(const Tensor& in, Tensor& out, Parse parse) {
  const std::string* s = in.data<std::string>();
  T* o = out.data<T>();
  for (int64_t i = 0; i < in.numElements(); ++i) o[i] = parse(s[i]);
}

// Plain or scientific text from the shortest scientific form "d.ddde+XX".
std::string fromScientific(const std::string& sci) {
  bool negative = sci[0] == '-';
  size_t e = sci.find('e');
  std::string digits;
  for (size_t i = negative ? 1 : 0; i < e; ++i)
    if (sci[i] != '.') digits += sci[i];
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  const int exp = std::stoi(sci.substr(e + 1));
  if (digits == "0") return negative ? "-0" : "0";
  if (exp < -4 || exp >= 16) return sci;
  std::string out = negative ? "-" : "";
  if (exp < 0) {
    out += "0." + std::string(static_cast<size_t>(-exp - 1), '0') + digits;
  } else if (static_cast<size_t>(exp) + 1 >= digits.size()) {
    out += digits + std::string(static_cast<size_t>(exp) + 1 - digits.size(), '0');
  } else {
    out += digits.substr(0, static_cast<size_t>(exp) + 1) + "." + digits.substr(static_cast<size_t>(exp) + 1);
  }
  return out;
}

template <typename F>
std::string toScientific(F v, int precision = -1) {
  char buf[64];
  auto r = precision < 0 ? std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific)
                         : std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific, precision);
  return std::string(buf, r.ptr);
}

// Shortest scientific text of a 16-bit float `v` that reads back to `bits`.
template <typename Round>
std::string shortest16(float v, uint16_t bits, Round round) {
  for (int p = 0; p < 8; ++p) {
    std::string s = toScientific(v, p);
    std::optional<float> back = parseFloating<float>(s);
    if (back && round(*back) == bits) return s;
  }
  return toScientific(v);
}

}  // namespace

std::optional<double> parseReal(std::string_view s) { return parseFloating<double>(s); }

std::string formatFloat(double v, DType dtype) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v < 0 ? "-INF" : "INF";
  switch (dtype) {
    case DType::F64: return fromScientific(toScientific(v));
    case DType::F32: return fromScientific(toScientific(static_cast<float>(v)));
    case DType::F16: {
      uint16_t bits = ir::floatToHalf(static_cast<float>(v));
      return fromScientific(shortest16(ir::halfToFloat(bits), bits, ir::floatToHalf));
    }
    case DType::BF16: {
      uint16_t bits = ir::floatToBf16(static_cast<float>(v));
      return fromScientific(shortest16(ir::bf16ToFloat(bits), bits, ir::floatToBf16));
    }
    default: break;
  }
  fail("internal error: formatFloat of {}", dtypeName(dtype));
}

void parseStrings(const Tensor& in, Tensor& out, const std::string& where) {
  auto real = [&](std::string_view s) {
    std::optional<double> r = parseReal(s);
    if (!r) fail("{}: cannot cast '{}' to {}: not a number", where, shortText(s), dtypeName(out.dtype()));
    return *r;
  };
  auto f32 = [&](std::string_view s) {
    std::optional<float> r = parseFloating<float>(s);  // rounded once, from the text
    if (!r) fail("{}: cannot cast '{}' to f32: not a number", where, shortText(s));
    return *r;
  };
  auto integer = [&](auto tag) {
    using T = decltype(tag);
    parseAll<T>(in, out, [&](const std::string& s) { return parseInteger<T>(s, where); });
  };
  switch (out.dtype()) {
    case DType::F32: return parseAll<float>(in, out, f32);
    case DType::F64: return parseAll<double>(in, out, real);
    case DType::F16:
      return parseAll<uint16_t>(in, out, [&](const std::string& s) { return ir::floatToHalf(f32(s)); });
    case DType::BF16:
      return parseAll<uint16_t>(in, out, [&](const std::string& s) { return ir::floatToBf16(f32(s)); });
    case DType::Bool: return parseAll<bool>(in, out, [&](const std::string& s) { return parseBool(s, where); });
    case DType::I8: return integer(int8_t{});
    case DType::I16: return integer(int16_t{});
    case DType::I32: return integer(int32_t{});
    case DType::I64: return integer(int64_t{});
    case DType::U8: return integer(uint8_t{});
    case DType::U16: return integer(uint16_t{});
    case DType::U32: return integer(uint32_t{});
    case DType::U64: return integer(uint64_t{});
    default: break;
  }
  fail("{}: unsupported cast from strings to {}", where, dtypeName(out.dtype()));
}

void formatNumbers(const Tensor& in, Tensor& out, const std::string& where) {
  std::string* o = out.data<std::string>();
  const int64_t n = in.numElements();
  auto each = [&](auto tag, auto format) {
    using T = decltype(tag);
    const T* p = in.data<T>();
    for (int64_t i = 0; i < n; ++i) o[i] = format(p[i]);
  };
  auto integer = [](auto v) {
    char buf[32];
    return std::string(buf, std::to_chars(buf, buf + sizeof buf, v).ptr);
  };
  switch (in.dtype()) {
    case DType::F32: return each(float{}, [](float v) { return formatFloat(v, DType::F32); });
    case DType::F64: return each(double{}, [](double v) { return formatFloat(v, DType::F64); });
    case DType::F16:
      return each(uint16_t{}, [](uint16_t v) { return formatFloat(ir::halfToFloat(v), DType::F16); });
    case DType::BF16:
      return each(uint16_t{}, [](uint16_t v) { return formatFloat(ir::bf16ToFloat(v), DType::BF16); });
    case DType::Bool: return each(uint8_t{}, [](uint8_t v) { return std::string(v ? "1" : "0"); });
    case DType::I8: return each(int8_t{}, integer);
    case DType::I16: return each(int16_t{}, integer);
    case DType::I32: return each(int32_t{}, integer);
    case DType::I64: return each(int64_t{}, integer);
    case DType::U8: return each(uint8_t{}, integer);
    case DType::U16: return each(uint16_t{}, integer);
    case DType::U32: return each(uint32_t{}, integer);
    case DType::U64: return each(uint64_t{}, integer);
    default: break;
  }
  fail("{}: unsupported cast from {} to strings", where, dtypeName(in.dtype()));
}

}  // namespace kiln::runtime
