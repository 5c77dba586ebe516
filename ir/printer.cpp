// Writes a Graph in the textual form described in ir/text.h.
#include <bit>
#include <cmath>
#include <cstring>
#include <fstream>
#include <set>
#include <unordered_map>

#include <fmt/format.h>

#include "ir/float16.h"
#include "ir/text.h"

namespace kiln::ir {

static_assert(std::endian::native == std::endian::little,
              "the side file holds little-endian bytes copied straight from TensorData");

namespace {

constexpr int64_t kBlobAlignment = 64;

bool isNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '.';
}

// [A-Za-z_][A-Za-z0-9_.]*: may be written bare where the parser expects a
// symbol (dim symbols, attribute names) without reading as a number.
bool isBareSymbol(std::string_view s) {
  if (s.empty() || (s[0] >= '0' && s[0] <= '9') || s[0] == '.') return false;
  for (char c : s)
    if (!isNameChar(c)) return false;
  return true;
}

// Length of the valid UTF-8 sequence starting at s[i] (2..4), or 0 when the
// bytes there are not one; such bytes are escaped so the text stays UTF-8.
size_t utf8SequenceLength(std::string_view s, size_t i) {
  auto b = static_cast<unsigned char>(s[i]);
  size_t n = b >= 0xC2 && b <= 0xDF ? 2 : b >= 0xE0 && b <= 0xEF ? 3 : b >= 0xF0 && b <= 0xF4 ? 4 : 0;
  if (n == 0 || i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k)
    if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return 0;
  return n;
}

void appendQuoted(std::string& out, std::string_view s) {
  out += '"';
  for (size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else if (size_t n = c >= 0x80 ? utf8SequenceLength(s, i) : 0) {
      out.append(s.substr(i, n));
      i += n;
      continue;
    } else {
      out += fmt::format("\\x{:02x}", c);
    }
    ++i;
  }
  out += '"';
}

std::string quoted(std::string_view s) {
  std::string out;
  appendQuoted(out, s);
  return out;
}

std::string symbolOrQuoted(std::string_view s) { return isBareSymbol(s) ? std::string(s) : quoted(s); }

// Shortest decimal that reads back to the same value, always with a '.' or an
// exponent so it lexes as a float and never as an integer.
template <typename F>
std::string decimal(F v) {
  std::string s = fmt::format("{}", v);
  if (s.find_first_of(".e") == std::string::npos) s += ".0";
  return s;
}

template <typename F, typename Bits>
std::string floatLiteral(F v, Bits bits) {
  if (std::isnan(v)) return fmt::format("nan(0x{:0{}x})", bits, sizeof(Bits) * 2);
  if (std::isinf(v)) return v < 0 ? "-inf" : "inf";
  return decimal(v);
}

std::string floatLiteral(float v) { return floatLiteral(v, std::bit_cast<uint32_t>(v)); }

// One element of a dense tensor; `p` points at its little-endian bytes.
std::string elementLiteral(DType dtype, const uint8_t* p) {
  auto load = [p](auto tag) {
    decltype(tag) v;
    std::memcpy(&v, p, sizeof v);
    return v;
  };
  switch (dtype) {
    case DType::F32: return floatLiteral(load(float{}));
    case DType::F64: {
      double v = load(double{});
      return floatLiteral(v, std::bit_cast<uint64_t>(v));
    }
    // Half-precision values are exact in float, so the float's shortest
    // decimal converts back to the same 16 bits.
    case DType::F16: {
      uint16_t h = load(uint16_t{});
      return floatLiteral(halfToFloat(h), h);
    }
    case DType::BF16: {
      uint16_t h = load(uint16_t{});
      return floatLiteral(bf16ToFloat(h), h);
    }
    case DType::I8: return fmt::format("{}", load(int8_t{}));
    case DType::I16: return fmt::format("{}", load(int16_t{}));
    case DType::I32: return fmt::format("{}", load(int32_t{}));
    case DType::I64: return fmt::format("{}", load(int64_t{}));
    case DType::U8: return fmt::format("{}", load(uint8_t{}));
    case DType::U16: return fmt::format("{}", load(uint16_t{}));
    case DType::U32: return fmt::format("{}", load(uint32_t{}));
    case DType::U64: return fmt::format("{}", load(uint64_t{}));
    case DType::Bool: {
      uint8_t b = load(uint8_t{});
      return b == 0 ? "false" : b == 1 ? "true" : fmt::format("{}", b);
    }
    case DType::String:
    case DType::Undefined: break;
  }
  return "?";
}

// "dense<[...]>"; prints what the data holds (a malformed tensor prints its
// complete elements only, and the parser then reports the count mismatch).
std::string denseLiteral(const TensorData& t) {
  std::string out = "dense<[";
  if (t.dtype == DType::String) {
    for (size_t i = 0; i < t.strings.size(); ++i) {
      if (i) out += ", ";
      appendQuoted(out, t.strings[i]);
    }
  } else if (size_t es = dtypeSize(t.dtype)) {
    for (size_t i = 0; i + es <= t.bytes.size(); i += es) {
      if (i) out += ", ";
      out += elementLiteral(t.dtype, t.bytes.data() + i);
    }
  }
  return out + "]>";
}

std::string attributeLiteral(const Attribute& a) {
  struct Visitor {
    std::string operator()(int64_t v) const { return fmt::format("{}", v); }
    std::string operator()(float v) const { return floatLiteral(v); }
    std::string operator()(const std::string& v) const { return quoted(v); }
    std::string operator()(const std::vector<int64_t>& v) const {
      return v.empty() ? "[] : ints" : fmt::format("[{}]", fmt::join(v, ", "));
    }
    std::string operator()(const std::vector<float>& v) const {
      if (v.empty()) return "[] : floats";
      std::vector<std::string> parts;
      for (float f : v) parts.push_back(floatLiteral(f));
      return fmt::format("[{}]", fmt::join(parts, ", "));
    }
    std::string operator()(const std::vector<std::string>& v) const {
      if (v.empty()) return "[] : strings";
      std::vector<std::string> parts;
      for (const std::string& s : v) parts.push_back(quoted(s));
      return fmt::format("[{}]", fmt::join(parts, ", "));
    }
    std::string operator()(const GraphPtr& g) const {
      if (!g) return "<null graph>";
      // Nested one level deeper; the closing brace stays on the node's line.
      std::string text = printGraph(*g);
      while (!text.empty() && text.back() == '\n') text.pop_back();
      std::string out;
      for (char c : text) {
        out += c;
        if (c == '\n') out += "    ";
      }
      return out;
    }
    std::string operator()(const TensorDataPtr& t) const {
      if (!t) return "<null tensor>";
      TensorType type;
      type.dtype = t->dtype;
      for (int64_t d : t->shape) type.shape.push_back(Dim::known(d));
      return denseLiteral(*t) + " : " + printType(type);
    }
  };
  return std::visit(Visitor{}, a);
}

// Gives every value a name that is unique in the text. Values are named in
// definition order, so the first holder of a name keeps it; empty and repeated
// names get a fresh one that no value uses.
class ValueNamer {
 public:
  ValueNamer(const Graph& g, const std::vector<ValueId>& definitionOrder) {
    names_.resize(g.values.size());
    // Values nothing defines (only in malformed graphs) still get names.
    std::vector<ValueId> order = definitionOrder;
    for (size_t v = 0; v < g.values.size(); ++v) order.push_back(static_cast<ValueId>(v));
    std::vector<bool> seen(g.values.size(), false);
    std::vector<ValueId> renamed;
    for (ValueId v : order) {
      if (v < 0 || static_cast<size_t>(v) >= g.values.size() || seen[v]) continue;
      seen[v] = true;
      const std::string& n = g.value(v).name;
      if (!n.empty() && taken_.insert(n).second)
        names_[v] = n;
      else
        renamed.push_back(v);
    }
    for (ValueId v : renamed) {
      const std::string& n = g.value(v).name;
      std::string base = n.empty() ? fmt::format("v{}", v) : n;
      std::string candidate = base;
      for (int k = 1; !taken_.insert(candidate).second; ++k) candidate = fmt::format("{}_{}", base, k);
      names_[v] = candidate;
    }
  }

  std::string ref(ValueId v) const {
    if (v < 0 || static_cast<size_t>(v) >= names_.size())
      return v == kNoValue ? "_" : quotedRef(fmt::format("<invalid value id {}>", v));
    const std::string& n = names_[v];
    for (char c : n)
      if (!isNameChar(c)) return quotedRef(n);
    return "%" + n;
  }

 private:
  static std::string quotedRef(std::string_view n) { return "%" + quoted(n); }

  std::vector<std::string> names_;
  std::set<std::string> taken_;
};

// Appends blobs to the side file, each at a 64-byte aligned offset.
class BlobWriter {
 public:
  explicit BlobWriter(const std::string& path) : path_(path) {}

  int64_t append(const std::vector<uint8_t>& bytes) {
    int64_t offset = (static_cast<int64_t>(data_.size()) + kBlobAlignment - 1) / kBlobAlignment *
                     kBlobAlignment;
    data_.resize(static_cast<size_t>(offset), 0);
    data_.insert(data_.end(), bytes.begin(), bytes.end());
    return offset;
  }

  void write() const {
    std::ofstream f(path_, std::ios::binary | std::ios::trunc);
    if (!f) fail("cannot write side file '{}'", path_);
    f.write(reinterpret_cast<const char*>(data_.data()), static_cast<std::streamsize>(data_.size()));
    if (!f) fail("cannot write side file '{}'", path_);
  }

 private:
  std::string path_;
  std::vector<uint8_t> data_;
};

bool validId(const Graph& g, ValueId v) { return v >= 0 && static_cast<size_t>(v) < g.values.size(); }

}  // namespace

std::string printType(const TensorType& t) {
  std::string out(dtypeName(t.dtype));
  if (!t.rankKnown) return out + "[*]";
  out += '[';
  for (size_t i = 0; i < t.shape.size(); ++i) {
    if (i) out += ',';
    const Dim& d = t.shape[i];
    if (d.isStatic())
      out += fmt::format("{}", d.value);
    else if (d.symbol.empty())
      out += '?';
    else
      out += symbolOrQuoted(d.symbol);
  }
  return out + ']';
}

std::string printValueType(const Value& v) {
  std::string out = printType(v.type);
  for (auto it = v.containers.rbegin(); it != v.containers.rend(); ++it)
    out = (*it == Container::Sequence ? "seq<" : "opt<") + out + ">";
  return out;
}

std::string printGraph(const Graph& g, const PrintOptions& opts) {
  // Definition order: graph inputs, constants, then node outputs; the parser
  // numbers values in this order.
  std::vector<bool> isInput(g.values.size(), false);
  std::vector<ValueId> order;
  for (ValueId v : g.inputs) {
    if (validId(g, v) && !isInput[v]) isInput[v] = true;
    order.push_back(v);
  }
  std::vector<ValueId> constants;
  for (size_t v = 0; v < g.values.size(); ++v)
    if (g.values[v].isConstant() && !isInput[v]) constants.push_back(static_cast<ValueId>(v));
  order.insert(order.end(), constants.begin(), constants.end());
  for (const Node& n : g.nodes) order.insert(order.end(), n.outputs.begin(), n.outputs.end());
  ValueNamer names(g, order);

  std::string body;
  for (ValueId v : g.inputs) {
    std::string type = validId(g, v) ? printValueType(g.value(v)) : "undef[*]";
    body += fmt::format("  input {} : {}\n", names.ref(v), type);
  }

  std::optional<BlobWriter> blobs;
  if (!opts.sidePath.empty()) blobs.emplace(opts.sidePath);
  bool usedBlobs = false;
  for (ValueId v : constants) {
    const Value& val = g.value(v);
    const TensorData& data = *val.constant;
    body += fmt::format("  const {} : {} = ", names.ref(v), printType(val.type));
    bool large = data.dtype != DType::String && data.numElements() > opts.inlineElementLimit;
    if (large && opts.elideLargeConstants) {
      body += "elided\n";
    } else if (large && blobs) {
      int64_t offset = blobs->append(data.bytes);
      body += fmt::format("blob({}, {})\n", offset, data.bytes.size());
      usedBlobs = true;
    } else {
      body += denseLiteral(data) + "\n";
    }
  }

  for (const Node& n : g.nodes) {
    std::vector<std::string> outs, ins, types;
    for (ValueId v : n.outputs) {
      outs.push_back(names.ref(v));
      types.push_back(validId(g, v) ? printValueType(g.value(v)) : "undef[*]");
    }
    for (ValueId v : n.inputs) ins.push_back(names.ref(v));
    int op = static_cast<int>(n.op);
    std::string opText = op >= 0 && op < opCount() ? std::string(opName(n.op)) : fmt::format("<op {}>", op);
    body += fmt::format("  {} = {}({})", fmt::join(outs, ", "), opText, fmt::join(ins, ", "));
    if (!n.attrs.all().empty()) {
      std::vector<std::string> attrs;
      for (const auto& [key, value] : n.attrs.all())
        attrs.push_back(symbolOrQuoted(key) + " = " + attributeLiteral(value));
      body += fmt::format(" {{{}}}", fmt::join(attrs, ", "));
    }
    if (n.numCaptures) body += fmt::format(" captures {}", n.numCaptures);
    if (!n.name.empty()) body += " name " + quoted(n.name);
    body += fmt::format(" : {}\n", fmt::join(types, ", "));
  }

  for (ValueId v : g.outputs) body += fmt::format("  output {}\n", names.ref(v));

  std::string out = "kiln.graph " + quoted(g.name);
  if (!g.opsetImports.empty()) {
    std::vector<std::string> opsets;
    for (const auto& [domain, version] : g.opsetImports)
      opsets.push_back(fmt::format("{} = {}", quoted(domain), version));
    out += fmt::format(" opsets {{{}}}", fmt::join(opsets, ", "));
  }
  if (usedBlobs) {
    out += " blobs " + quoted(opts.sideNameInText.empty() ? opts.sidePath : opts.sideNameInText);
    blobs->write();
  }
  return out + " {\n" + body + "}\n";
}

}  // namespace kiln::ir
