// The .npy layout (numpy/lib/format.py documents it):
//   magic "\x93NUMPY", major and minor version bytes,
//   header length (uint16 LE for 1.0, uint32 LE for 2.0 and 3.0),
//   header: a Python dict literal {'descr': ..., 'fortran_order': ..., 'shape': (...), }
//   padded with spaces and ending in '\n', then the raw array bytes.
#include "runtime/npy.h"

#include <bit>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string_view>

#include "ir/error.h"

namespace kiln::runtime {

static_assert(std::endian::native == std::endian::little,
              "npy I/O copies element bytes as-is and assumes a little-endian host");

namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicLen = 6;

struct DescrEntry {
  std::string_view descr;  // as Kiln writes it
  DType dtype;
};

constexpr DescrEntry kDescrs[] = {
    {"<f2", DType::F16}, {"<f4", DType::F32}, {"<f8", DType::F64}, {"|i1", DType::I8},
    {"<i2", DType::I16}, {"<i4", DType::I32}, {"<i8", DType::I64}, {"|u1", DType::U8},
    {"<u2", DType::U16}, {"<u4", DType::U32}, {"<u8", DType::U64}, {"|b1", DType::Bool},
};

std::optional<DType> dtypeFromDescr(std::string_view d, const std::string& path) {
  if (d.size() < 2) return std::nullopt;
  if (d[0] == '>') fail("{}: big-endian arrays ('{}') are not supported", path, d);
  // Byte order is meaningless for one-byte types; NumPy writes '|', others may
  // write '<' or '='. Multi-byte types must say '<' ('=' would mean the writer's
  // native order, which is unknown).
  for (const DescrEntry& e : kDescrs) {
    if (d == e.descr) return e.dtype;
    if (e.descr[0] == '|' && d.substr(1) == e.descr.substr(1) && (d[0] == '<' || d[0] == '='))
      return e.dtype;
  }
  return std::nullopt;
}

struct Header {
  DType dtype = DType::Undefined;
  bool fortranOrder = false;
  std::vector<int64_t> shape;
};

// Recursive-descent reader for the header's dict literal. It accepts what
// NumPy's writers produce (either quote style, trailing commas, Python 2's
// "3L" ints) and rejects anything else, so a damaged header is an error rather
// than a misread array.
class HeaderParser {
 public:
  HeaderParser(std::string_view text, const std::string& path) : s_(text), path_(path) {}

  Header parse() {
    Header h;
    bool haveDescr = false, haveOrder = false, haveShape = false;
    expect('{');
    while (true) {
      skipSpace();
      if (peek() == '}') break;
      std::string key = parseString();
      expect(':');
      skipSpace();
      if (key == "descr") {
        once(haveDescr, key);
        if (peek() != '\'' && peek() != '"') bad("structured dtypes are not supported");
        std::string d = parseString();
        auto t = dtypeFromDescr(d, path_);
        if (!t) fail("{}: unsupported npy dtype '{}'", path_, d);
        h.dtype = *t;
      } else if (key == "fortran_order") {
        once(haveOrder, key);
        h.fortranOrder = parseBool();
      } else if (key == "shape") {
        once(haveShape, key);
        h.shape = parseShape();
      } else {
        bad("unexpected key '" + key + "'");
      }
      skipSpace();
      if (peek() == ',') {
        ++pos_;
        continue;
      }
      if (peek() != '}') bad("expected ',' or '}'");
    }
    ++pos_;  // '}'
    skipSpace();
    if (pos_ != s_.size()) bad("trailing characters after the dict");
    if (!haveDescr || !haveOrder || !haveShape)
      bad("missing one of 'descr', 'fortran_order', 'shape'");
    return h;
  }

 private:
  [[noreturn]] void bad(const std::string& what) const {
    fail("{}: malformed npy header ({} at offset {})", path_, what, pos_);
  }
  void once(bool& seen, const std::string& key) const {
    if (seen) bad("duplicate key '" + key + "'");
    seen = true;
  }
  char peek() const { return pos_ < s_.size() ? s_[pos_] : '\0'; }
  void skipSpace() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' ||
                                s_[pos_] == '\r'))
      ++pos_;
  }
  void expect(char c) {
    skipSpace();
    if (peek() != c) bad(std::string("expected '") + c + "'");
    ++pos_;
  }
  std::string parseString() {
    char q = peek();
    if (q != '\'' && q != '"') bad("expected a string");
    size_t end = s_.find(q, pos_ + 1);
    if (end == std::string_view::npos) bad("unterminated string");
    std::string out(s_.substr(pos_ + 1, end - pos_ - 1));
    if (out.find('\\') != std::string::npos) bad("escape sequences are not supported");
    pos_ = end + 1;
    return out;
  }
  bool parseBool() {
    if (s_.substr(pos_, 4) == "True") { pos_ += 4; return true; }
    if (s_.substr(pos_, 5) == "False") { pos_ += 5; return false; }
    bad("expected True or False");
  }
  int64_t parseDim() {
    skipSpace();
    int64_t v = 0;
    const char* b = s_.data() + pos_;
    const char* e = s_.data() + s_.size();
    auto [p, ec] = std::from_chars(b, e, v);
    if (ec == std::errc::result_out_of_range) bad("shape dimension out of range");
    if (ec != std::errc() || p == b) bad("expected a shape dimension");
    if (v < 0) bad("negative shape dimension");
    pos_ += static_cast<size_t>(p - b);
    if (peek() == 'L') ++pos_;  // Python 2 long literal
    return v;
  }
  std::vector<int64_t> parseShape() {
    std::vector<int64_t> shape;
    expect('(');
    skipSpace();
    bool sawComma = false;
    while (peek() != ')') {
      if (shape.size() >= 64) bad("too many dimensions");
      shape.push_back(parseDim());
      skipSpace();
      if (peek() == ',') {
        ++pos_;
        sawComma = true;
        skipSpace();
      } else if (peek() != ')') {
        bad("expected ',' or ')' in shape");
      }
    }
    ++pos_;  // ')'
    // "(3)" is the integer 3 in Python, not a tuple; NumPy rejects it too.
    if (shape.size() == 1 && !sawComma) bad("shape is not a tuple");
    return shape;
  }

  std::string_view s_;
  const std::string& path_;
  size_t pos_ = 0;
};

uint32_t readLE(const unsigned char* p, size_t n) {
  uint32_t v = 0;
  for (size_t i = n; i-- > 0;) v = (v << 8) | p[i];
  return v;
}

}  // namespace

Tensor readNpy(const std::string& path) {
  std::error_code ec;
  uintmax_t fileSize = std::filesystem::file_size(path, ec);
  if (ec) fail("{}: cannot read npy file: {}", path, ec.message());
  std::ifstream in(path, std::ios::binary);
  if (!in) fail("{}: cannot open npy file", path);

  unsigned char pre[12] = {};
  size_t preLen = static_cast<size_t>(std::min<uintmax_t>(fileSize, sizeof pre));
  in.read(reinterpret_cast<char*>(pre), static_cast<std::streamsize>(preLen));
  if (preLen < 10 || std::memcmp(pre, kMagic, kMagicLen) != 0)
    fail("{}: not an npy file (bad magic)", path);
  int major = pre[6], minor = pre[7];
  if (major < 1 || major > 3 || minor != 0)
    fail("{}: unsupported npy format version {}.{}", path, major, minor);
  size_t lenBytes = major == 1 ? 2 : 4;
  size_t headerStart = kMagicLen + 2 + lenBytes;
  if (preLen < headerStart) fail("{}: truncated npy preamble", path);
  uint64_t headerLen = readLE(pre + 8, lenBytes);
  if (headerStart + headerLen > fileSize)
    fail("{}: npy header length {} runs past the end of the file ({} bytes)", path, headerLen,
         fileSize);

  std::string header(static_cast<size_t>(headerLen), '\0');
  in.seekg(static_cast<std::streamoff>(headerStart));
  in.read(header.data(), static_cast<std::streamsize>(headerLen));
  if (!in) fail("{}: cannot read npy header", path);
  Header h = HeaderParser(header, path).parse();
  if (h.fortranOrder) fail("{}: Fortran-order npy arrays are not supported", path);

  int64_t n = 0;
  try {
    n = checkedNumElements(h.shape);
  } catch (const Error& e) {
    fail("{}: {}", path, e.what());
  }
  uint64_t dataBytes = static_cast<uint64_t>(n) * dtypeSize(h.dtype);
  uint64_t available = fileSize - headerStart - headerLen;
  if (available != dataBytes)
    fail("{}: npy data is {} bytes but shape {} of {} needs {}", path, available,
         shapeToString(h.shape), dtypeName(h.dtype), dataBytes);

  Tensor t(h.dtype, h.shape);
  in.read(static_cast<char*>(t.data()), static_cast<std::streamsize>(dataBytes));
  if (!in) fail("{}: cannot read npy data", path);
  return t;
}

void writeNpy(const std::string& path, const Tensor& tensor) {
  std::string_view descr;
  for (const DescrEntry& e : kDescrs)
    if (e.dtype == tensor.dtype()) descr = e.descr;
  if (descr.empty()) fail("{}: cannot write a {} tensor as npy", path, dtypeName(tensor.dtype()));

  std::string shape = "(";
  for (size_t i = 0; i < tensor.shape().size(); ++i)
    shape += (i ? ", " : "") + std::to_string(tensor.shape()[i]);
  if (tensor.shape().size() == 1) shape += ",";
  shape += ")";
  std::string dict = fmt::format("{{'descr': '{}', 'fortran_order': False, 'shape': {}, }}",
                                 descr, shape);

  // Pad with spaces so the data starts on a 64-byte boundary, ending in '\n'.
  auto build = [&](int major) {
    size_t lenBytes = major == 1 ? 2 : 4;
    size_t prefix = kMagicLen + 2 + lenBytes;
    size_t total = (prefix + dict.size() + 1 + 63) / 64 * 64;
    std::string header = dict + std::string(total - prefix - dict.size() - 1, ' ') + "\n";
    std::string out(kMagic, kMagicLen);
    out += static_cast<char>(major);
    out += '\0';
    for (size_t i = 0; i < lenBytes; ++i) out += static_cast<char>((header.size() >> (8 * i)) & 0xff);
    return out + header;
  };
  std::string pre = build(1);
  if (pre.size() - 10 > 0xffff) pre = build(2);

  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) fail("{}: cannot open for writing", path);
  out.write(pre.data(), static_cast<std::streamsize>(pre.size()));
  out.write(static_cast<const char*>(tensor.data()), static_cast<std::streamsize>(tensor.byteSize()));
  out.close();
  if (!out) fail("{}: error writing npy file", path);
}

}  // namespace kiln::runtime
