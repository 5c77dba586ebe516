// Reads the textual IR (grammar in ir/text.h): a hand-written lexer and a
// recursive-descent parser. Every error carries the LINE:COL of the token at
// fault; semantic checks (undefined or redefined values, op arity, element
// counts, blob bounds) are made while parsing so they point at the text.
#include <bit>
#include <charconv>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <optional>
#include <sstream>
#include <unordered_map>

#include <fmt/format.h>

#include "ir/float16.h"
#include "ir/text.h"
#include "ir/verifier.h"

namespace kiln::ir {

namespace {

enum class Tok { End, Ident, Int, Float, String, ValueRef, Punct };

struct Token {
  Tok kind = Tok::End;
  std::string text;  // decoded contents for String and ValueRef
  int line = 1, col = 1;
};

std::string_view tokName(Tok k) {
  switch (k) {
    case Tok::End: return "end of input";
    case Tok::Ident: return "identifier";
    case Tok::Int: return "integer";
    case Tok::Float: return "float";
    case Tok::String: return "string";
    case Tok::ValueRef: return "value";
    case Tok::Punct: return "punctuation";
  }
  return "token";
}

std::string describe(const Token& t) {
  if (t.kind == Tok::End) return "end of input";
  if (t.kind == Tok::String) return fmt::format("string \"{}\"", t.text);
  if (t.kind == Tok::ValueRef) return fmt::format("value %{}", t.text);
  return fmt::format("'{}'", t.text);
}

template <typename... Args>
[[noreturn]] void failAt(int line, int col, fmt::format_string<Args...> f, Args&&... args) {
  throw Error(fmt::format("{}:{}: {}", line, col, fmt::format(f, std::forward<Args>(args)...)));
}

template <typename... Args>
[[noreturn]] void failAt(const Token& t, fmt::format_string<Args...> f, Args&&... args) {
  failAt(t.line, t.col, f, std::forward<Args>(args)...);
}

bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isHexDigit(char c) { return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
bool isIdentStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool isNameChar(char c) { return isIdentStart(c) || isDigit(c) || c == '.'; }

class Lexer {
 public:
  explicit Lexer(std::string_view text) : s_(text) {}

  const Token& peek() {
    if (!peeked_) {
      tok_ = lex();
      peeked_ = true;
    }
    return tok_;
  }
  Token next() {
    peek();
    peeked_ = false;
    return std::move(tok_);
  }

 private:
  char at(size_t i) const { return i < s_.size() ? s_[i] : '\0'; }

  void advance() {
    if (s_[pos_] == '\n') {
      ++line_;
      col_ = 1;
    } else {
      ++col_;
    }
    ++pos_;
  }

  void skipSpaceAndComments() {
    while (pos_ < s_.size()) {
      char c = s_[pos_];
      if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
        advance();
      } else if (c == '/' && at(pos_ + 1) == '/') {
        while (pos_ < s_.size() && s_[pos_] != '\n') advance();
      } else {
        break;
      }
    }
  }

  Token lex() {
    skipSpaceAndComments();
    Token t;
    t.line = line_;
    t.col = col_;
    if (pos_ >= s_.size()) return t;
    char c = s_[pos_];
    if (c == '%') {
      advance();
      t.kind = Tok::ValueRef;
      if (at(pos_) == '"') {
        t.text = lexString(t);
      } else {
        size_t start = pos_;
        while (pos_ < s_.size() && isNameChar(s_[pos_])) advance();
        if (pos_ == start) failAt(t, "expected a value name after '%'");
        t.text = s_.substr(start, pos_ - start);
      }
    } else if (c == '"') {
      t.kind = Tok::String;
      t.text = lexString(t);
    } else if (isDigit(c) || (c == '-' && isDigit(at(pos_ + 1)))) {
      lexNumber(t);
    } else if (c == '-' && s_.substr(pos_, 4) == "-inf" && !isNameChar(at(pos_ + 4))) {
      for (int i = 0; i < 4; ++i) advance();
      t.kind = Tok::Ident;
      t.text = "-inf";
    } else if (isIdentStart(c)) {
      size_t start = pos_;
      while (pos_ < s_.size() && isNameChar(s_[pos_])) advance();
      t.kind = Tok::Ident;
      t.text = s_.substr(start, pos_ - start);
    } else if (std::string_view("{}()[]<>,=:?*").find(c) != std::string_view::npos) {
      advance();
      t.kind = Tok::Punct;
      t.text = std::string(1, c);
    } else {
      auto u = static_cast<unsigned char>(c);
      if (u >= 0x20 && u < 0x7f) failAt(t, "unexpected character '{}'", c);
      failAt(t, "unexpected byte 0x{:02x}", u);
    }
    return t;
  }

  // -?[0-9]+(.[0-9]*)?([eE][+-]?[0-9]+)? or 0x[0-9a-fA-F]+; a fraction or an
  // exponent makes it a float.
  void lexNumber(Token& t) {
    size_t start = pos_;
    t.kind = Tok::Int;
    if (s_[pos_] == '0' && (at(pos_ + 1) == 'x' || at(pos_ + 1) == 'X')) {
      advance();
      advance();
      if (!isHexDigit(at(pos_))) failAt(t, "expected hex digits after '0x'");
      while (isHexDigit(at(pos_))) advance();
    } else {
      if (s_[pos_] == '-') advance();
      while (isDigit(at(pos_))) advance();
      if (at(pos_) == '.') {
        t.kind = Tok::Float;
        advance();
        while (isDigit(at(pos_))) advance();
      }
      if (at(pos_) == 'e' || at(pos_) == 'E') {
        t.kind = Tok::Float;
        advance();
        if (at(pos_) == '+' || at(pos_) == '-') advance();
        if (!isDigit(at(pos_))) failAt(line_, col_, "expected digits in the exponent");
        while (isDigit(at(pos_))) advance();
      }
    }
    if (isNameChar(at(pos_))) failAt(line_, col_, "unexpected character '{}' in a number", at(pos_));
    t.text = s_.substr(start, pos_ - start);
  }

  // A double-quoted string; the opening quote is at pos_. Escapes: \" \\ \n
  // \t \r \xHH. Raw bytes >= 0x80 are taken as they are (UTF-8).
  std::string lexString(const Token& t) {
    advance();
    std::string out;
    while (true) {
      if (pos_ >= s_.size() || s_[pos_] == '\n') failAt(t, "unterminated string");
      char c = s_[pos_];
      if (c == '"') {
        advance();
        return out;
      }
      if (c == '\\') {
        int escLine = line_, escCol = col_;
        advance();
        char e = at(pos_);
        if (pos_ >= s_.size()) failAt(t, "unterminated string");
        advance();
        switch (e) {
          case '"': out += '"'; break;
          case '\\': out += '\\'; break;
          case 'n': out += '\n'; break;
          case 't': out += '\t'; break;
          case 'r': out += '\r'; break;
          case 'x': {
            if (!isHexDigit(at(pos_)) || !isHexDigit(at(pos_ + 1)))
              failAt(escLine, escCol, "expected two hex digits after '\\x'");
            out += static_cast<char>(std::stoi(std::string(s_.substr(pos_, 2)), nullptr, 16));
            advance();
            advance();
            break;
          }
          default: failAt(escLine, escCol, "unknown escape sequence '\\{}'", e);
        }
        continue;
      }
      if (static_cast<unsigned char>(c) < 0x20 && c != '\t')
        failAt(line_, col_, "control byte 0x{:02x} in a string must be escaped", c);
      out += c;
      advance();
    }
  }

  std::string_view s_;
  size_t pos_ = 0;
  int line_ = 1, col_ = 1;
  Token tok_;
  bool peeked_ = false;
};

template <typename T>
std::optional<T> parseNumber(std::string_view s, int base = 10) {
  T v{};
  std::from_chars_result r;
  if constexpr (std::is_floating_point_v<T>)
    r = std::from_chars(s.data(), s.data() + s.size(), v);
  else
    r = std::from_chars(s.data(), s.data() + s.size(), v, base);
  auto [end, ec] = r;
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

template <typename T>
void appendBytes(std::vector<uint8_t>& out, T v) {
  uint8_t b[sizeof(T)];
  std::memcpy(b, &v, sizeof(T));
  out.insert(out.end(), b, b + sizeof(T));
}

// Element count of a static shape, or nullopt if it overflows int64.
std::optional<int64_t> checkedElementCount(const std::vector<int64_t>& shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    if (d != 0 && n > std::numeric_limits<int64_t>::max() / d) return std::nullopt;
    else n *= d;
  return n;
}

class Parser {
 public:
  Parser(std::string_view text, std::string baseDir)
      : owned_(std::in_place, text), lex_(*owned_), baseDir_(std::move(baseDir)) {}
  // A subgraph nested in an attribute: reads from the enclosing parser's
  // lexer, with its own value names.
  Parser(Lexer& lex, std::string baseDir) : lex_(lex), baseDir_(std::move(baseDir)) {}

  Graph parse() {
    Graph g = parseGraphBody();
    const Token& end = lex_.peek();
    if (end.kind != Tok::End) failAt(end, "expected end of input after the graph, found {}", describe(end));
    return g;
  }

  // 'kiln.graph' ... '{' stmt* '}', verified.
  Graph parseGraphBody() {
    Token head = expectIdent("kiln.graph");
    g_.name = expect(Tok::String, "the graph name").text;
    if (peekIdent("opsets")) parseOpsets();
    if (peekIdent("blobs")) {
      lex_.next();
      blobTok_ = expect(Tok::String, "the side file name");
    }
    expectPunct("{");
    while (!peekPunct("}")) parseStatement();
    lex_.next();
    // Everything verifyGraph checks was checked above with a location; a
    // failure here is a parser bug, still reported as a located error.
    try {
      verifyGraph(g_);
    } catch (const Error& e) {
      failAt(head, "{}", e.what());
    }
    return std::move(g_);
  }

 private:
  // ---- token helpers
  bool peekPunct(std::string_view p) {
    const Token& t = lex_.peek();
    return t.kind == Tok::Punct && t.text == p;
  }
  bool peekIdent(std::string_view s) {
    const Token& t = lex_.peek();
    return t.kind == Tok::Ident && t.text == s;
  }
  Token expect(Tok kind, std::string_view what) {
    Token t = lex_.next();
    if (t.kind != kind) failAt(t, "expected {} ({}), found {}", what, tokName(kind), describe(t));
    return t;
  }
  Token expectPunct(std::string_view p) {
    Token t = lex_.next();
    if (t.kind != Tok::Punct || t.text != p) failAt(t, "expected '{}', found {}", p, describe(t));
    return t;
  }
  Token expectIdent(std::string_view s) {
    Token t = lex_.next();
    if (t.kind != Tok::Ident || t.text != s) failAt(t, "expected '{}', found {}", s, describe(t));
    return t;
  }
  template <typename T>
  T intToken(const Token& t, std::string_view what) {
    if (t.kind != Tok::Int) failAt(t, "expected {} (integer), found {}", what, describe(t));
    auto v = parseNumber<T>(t.text);
    if (!v) failAt(t, "{} '{}' is out of range", what, t.text);
    return *v;
  }
  // Parses "X (, X)* CLOSE" or just "CLOSE" after the opening bracket.
  template <typename F>
  void commaList(std::string_view close, F&& item) {
    if (peekPunct(close)) {
      lex_.next();
      return;
    }
    while (true) {
      item();
      Token t = lex_.next();
      if (t.kind == Tok::Punct && t.text == close) return;
      if (t.kind != Tok::Punct || t.text != ",") failAt(t, "expected ',' or '{}', found {}", close, describe(t));
    }
  }

  // ---- graph header
  void parseOpsets() {
    lex_.next();
    expectPunct("{");
    commaList("}", [&] {
      Token domain = expect(Tok::String, "an opset domain");
      expectPunct("=");
      int64_t version = intToken<int64_t>(lex_.next(), "opset version");
      if (!g_.opsetImports.emplace(domain.text, version).second)
        failAt(domain, "opset domain \"{}\" is listed twice", domain.text);
    });
  }

  // ---- statements
  void parseStatement() {
    const Token& t = lex_.peek();
    if (t.kind == Tok::ValueRef) return parseNode();
    if (t.kind == Tok::Ident && t.text == "input") return parseInput();
    if (t.kind == Tok::Ident && t.text == "const") return parseConst();
    if (t.kind == Tok::Ident && t.text == "output") return parseOutput();
    failAt(t, "expected 'input', 'const', 'output', a node or '}}', found {}", describe(t));
  }

  void parseInput() {
    lex_.next();
    Token name = expect(Tok::ValueRef, "a value name");
    expectPunct(":");
    auto [type, containers] = parseValueType();
    g_.inputs.push_back(define(name, std::move(type), nullptr, std::move(containers)));
  }

  void parseOutput() {
    lex_.next();
    g_.outputs.push_back(use(expect(Tok::ValueRef, "a value name")));
  }

  void parseConst() {
    lex_.next();
    Token name = expect(Tok::ValueRef, "a value name");
    expectPunct(":");
    Token typeTok = lex_.peek();
    TensorType type = parseType();
    auto data = std::make_shared<TensorData>();
    data->dtype = type.dtype;
    data->shape = staticShapeOf(type, typeTok, "a constant");
    expectPunct("=");
    Token kind = lex_.next();
    if (kind.kind == Tok::Ident && kind.text == "dense")
      parseDenseBody(*data, kind);
    else if (kind.kind == Tok::Ident && kind.text == "blob")
      parseBlob(*data, kind);
    else if (kind.kind == Tok::Ident && kind.text == "elided")
      failAt(kind, "the contents of constant '%{}' were elided when this IR was printed; write it with "
             "`kiln opt -o FILE.kir` to keep them", name.text);
    else
      failAt(kind, "expected 'dense' or 'blob', found {}", describe(kind));
    define(name, std::move(type), std::move(data));
  }

  void parseNode() {
    std::vector<Token> outs;
    commaSeparatedUntil("=", [&] { outs.push_back(expect(Tok::ValueRef, "an output value name")); });
    Token opTok = expect(Tok::Ident, "an op name");
    std::optional<OpKind> op = opFromName(opTok.text);
    if (!op) failAt(opTok, "unknown op '{}'", opTok.text);
    Node node;
    node.op = *op;
    const OpInfo& info = opInfo(*op);
    expectPunct("(");
    commaList(")", [&] {
      Token t = lex_.next();
      if (t.kind == Tok::Ident && t.text == "_") {
        if (static_cast<int>(node.inputs.size()) < info.minInputs)
          failAt(t, "{} input {} is required and cannot be absent", info.name, node.inputs.size());
        node.inputs.push_back(kNoValue);
      } else if (t.kind == Tok::ValueRef) {
        node.inputs.push_back(use(t));
      } else {
        failAt(t, "expected a value or '_', found {}", describe(t));
      }
    });
    if (peekPunct("{")) parseAttributes(node.attrs);
    if (peekIdent("captures")) {
      lex_.next();
      Token t = lex_.next();
      node.numCaptures = intToken<int>(t, "capture count");
      if (node.numCaptures < 0 || static_cast<size_t>(node.numCaptures) > node.inputs.size())
        failAt(t, "{} has {} inputs, fewer than its {} captures", info.name, node.inputs.size(), node.numCaptures);
    }
    int nIn = static_cast<int>(node.numFormalInputs()), nOut = static_cast<int>(outs.size());
    if (nIn < info.minInputs || nIn > info.maxInputs)
      failAt(opTok, "{} takes {} to {} inputs, got {}", info.name, info.minInputs, info.maxInputs, nIn);
    if (nOut < info.minOutputs || nOut > info.maxOutputs)
      failAt(opTok, "{} produces {} to {} outputs, got {}", info.name, info.minOutputs, info.maxOutputs,
             nOut);
    if (peekIdent("name")) {
      lex_.next();
      node.name = expect(Tok::String, "the node name").text;
    }
    expectPunct(":");
    std::vector<std::pair<TensorType, std::vector<Container>>> types;
    for (size_t i = 0; i < outs.size(); ++i) {
      if (i) expectPunct(",");
      types.push_back(parseValueType());
    }
    if (peekPunct(","))
      failAt(lex_.peek(), "{} has {} output{} but more types", info.name, outs.size(), outs.size() == 1 ? "" : "s");
    // Outputs are defined only now, so a node cannot read its own output.
    for (size_t i = 0; i < outs.size(); ++i)
      node.outputs.push_back(define(outs[i], std::move(types[i].first), nullptr, std::move(types[i].second)));
    g_.nodes.push_back(std::move(node));
  }

  // "X (, X)* TERMINATOR" with at least one X.
  template <typename F>
  void commaSeparatedUntil(std::string_view terminator, F&& item) {
    while (true) {
      item();
      Token t = lex_.next();
      if (t.kind == Tok::Punct && t.text == terminator) return;
      if (t.kind != Tok::Punct || t.text != ",")
        failAt(t, "expected ',' or '{}', found {}", terminator, describe(t));
    }
  }

  // ---- values
  ValueId define(const Token& name, TensorType type, TensorDataPtr constant,
                 std::vector<Container> containers = {}) {
    auto [it, fresh] = defs_.try_emplace(name.text, Def{static_cast<ValueId>(g_.values.size()), name.line, name.col});
    if (!fresh)
      failAt(name, "redefinition of %{} (first defined at {}:{})", name.text, it->second.line, it->second.col);
    g_.values.push_back(Value{name.text, std::move(type), std::move(constant), std::move(containers)});
    return it->second.id;
  }

  ValueId use(const Token& name) {
    auto it = defs_.find(name.text);
    if (it == defs_.end()) failAt(name, "use of undefined value %{}", name.text);
    return it->second.id;
  }

  // ---- types
  // type, or 'seq' '<' type '>' / 'opt' '<' type '>' around it.
  std::pair<TensorType, std::vector<Container>> parseValueType() {
    std::vector<Container> containers;
    while (peekIdent("seq") || peekIdent("opt")) {
      containers.push_back(lex_.next().text == "seq" ? Container::Sequence : Container::Optional);
      expectPunct("<");
    }
    TensorType type = parseType();
    for (size_t i = 0; i < containers.size(); ++i) expectPunct(">");
    return {std::move(type), std::move(containers)};
  }

  TensorType parseType() {
    Token dt = expect(Tok::Ident, "an element type");
    TensorType type;
    if (dt.text == "undef") {
      type.dtype = DType::Undefined;
    } else if (auto d = parseDType(dt.text)) {
      type.dtype = *d;
    } else {
      failAt(dt, "unknown element type '{}'", dt.text);
    }
    expectPunct("[");
    if (peekPunct("*")) {
      lex_.next();
      expectPunct("]");
      type.rankKnown = false;
      return type;
    }
    commaList("]", [&] {
      Token t = lex_.next();
      if (t.kind == Tok::Int) {
        int64_t v = intToken<int64_t>(t, "dimension");
        if (v < 0) failAt(t, "dimension {} is negative", v);
        type.shape.push_back(Dim::known(v));
      } else if (t.kind == Tok::Ident || t.kind == Tok::String) {
        type.shape.push_back(Dim::named(t.text));
      } else if (t.kind == Tok::Punct && t.text == "?") {
        type.shape.push_back(Dim::unknown());
      } else {
        failAt(t, "expected a dimension (integer, symbol or '?'), found {}", describe(t));
      }
    });
    return type;
  }

  std::vector<int64_t> staticShapeOf(const TensorType& type, const Token& at, std::string_view what) {
    if (type.dtype == DType::Undefined) failAt(at, "{} needs an element type, not 'undef'", what);
    if (!type.isStatic()) failAt(at, "{} needs a static shape, got {}", what, printType(type));
    std::vector<int64_t> shape = type.staticShape();
    if (!checkedElementCount(shape)) failAt(at, "{} has too many elements: {}", what, printType(type));
    return shape;
  }

  // ---- constant data
  // One element as written: a literal token, plus the bits of `nan(0x...)`.
  // Tensor attributes give their type after the elements, so their elements
  // are read first and interpreted afterwards.
  struct Elem {
    Token tok;
    std::optional<Token> nanBits;
  };

  Elem readElem() {
    Elem e{lex_.next(), std::nullopt};
    if (e.tok.kind == Tok::Ident && e.tok.text == "nan" && peekPunct("(")) {
      lex_.next();
      e.nanBits = lex_.next();
      expectPunct(")");
    }
    return e;
  }

  // After the 'dense' keyword: '<' '[' elements ']' '>'. Elements are
  // appended as they are read (an inline weight may have millions).
  void parseDenseBody(TensorData& data, const Token& denseTok) {
    expectPunct("<");
    expectPunct("[");
    int64_t count = 0;
    commaList("]", [&] {
      Elem e = readElem();
      appendElement(data, e);
      ++count;
    });
    expectPunct(">");
    checkElementCount(data, count, denseTok);
  }

  void checkElementCount(const TensorData& data, int64_t count, const Token& at) {
    int64_t want = *checkedElementCount(data.shape);
    if (count != want)
      failAt(at, "dense literal has {} elements but its type {}[{}] has {}", count, dtypeName(data.dtype),
             fmt::join(data.shape, ","), want);
  }

  void appendElement(TensorData& data, Elem& e) {
    DType dt = data.dtype;
    const Token& t = e.tok;
    auto& out = data.bytes;
    switch (dt) {
      case DType::String:
        if (t.kind != Tok::String) failAt(t, "expected a string element, found {}", describe(t));
        data.strings.push_back(t.text);
        return;
      case DType::F32:
        appendBytes(out, e.nanBits ? static_cast<uint32_t>(nanPattern(*e.nanBits, dt))
                                   : std::bit_cast<uint32_t>(floatLiteral<float>(t)));
        return;
      case DType::F64:
        appendBytes(out, e.nanBits ? nanPattern(*e.nanBits, dt) : std::bit_cast<uint64_t>(floatLiteral<double>(t)));
        return;
      case DType::F16:
      case DType::BF16: {
        if (e.nanBits) {
          appendBytes(out, static_cast<uint16_t>(nanPattern(*e.nanBits, dt)));
          return;
        }
        float f = floatLiteral<float>(t);
        uint16_t h = dt == DType::F16 ? floatToHalf(f) : floatToBf16(f);
        if (std::isfinite(f) && std::isinf(dt == DType::F16 ? halfToFloat(h) : bf16ToFloat(h)))
          failAt(t, "{} is out of range for {}", t.text, dtypeName(dt));
        appendBytes(out, h);
        return;
      }
      case DType::I8: appendBytes(out, intElement<int8_t>(t, dt)); return;
      case DType::I16: appendBytes(out, intElement<int16_t>(t, dt)); return;
      case DType::I32: appendBytes(out, intElement<int32_t>(t, dt)); return;
      case DType::I64: appendBytes(out, intElement<int64_t>(t, dt)); return;
      case DType::U8: appendBytes(out, intElement<uint8_t>(t, dt)); return;
      case DType::U16: appendBytes(out, intElement<uint16_t>(t, dt)); return;
      case DType::U32: appendBytes(out, intElement<uint32_t>(t, dt)); return;
      case DType::U64: appendBytes(out, intElement<uint64_t>(t, dt)); return;
      case DType::Bool:
        if (t.kind == Tok::Ident && (t.text == "true" || t.text == "false"))
          out.push_back(t.text == "true" ? 1 : 0);
        else
          out.push_back(intElement<uint8_t>(t, dt));
        return;
      case DType::Undefined: break;
    }
    failAt(t, "elements of type {} cannot be written", dtypeName(dt));
  }

  static bool isHexToken(const Token& t) {
    return t.kind == Tok::Int && (t.text.starts_with("0x") || t.text.starts_with("0X"));
  }

  template <typename T>
  T intElement(const Token& t, DType dt) {
    if (t.kind != Tok::Int || isHexToken(t))
      failAt(t, "expected a decimal integer element of type {}, found {}", dtypeName(dt), describe(t));
    auto v = parseNumber<T>(t.text);
    if (!v) failAt(t, "{} is out of range for {}", t.text, dtypeName(dt));
    return *v;
  }

  // A decimal, `inf`, `-inf` or bare `nan` (the default quiet NaN) as F.
  template <typename F>
  F floatLiteral(const Token& t) {
    if (t.kind == Tok::Ident && t.text == "inf") return std::numeric_limits<F>::infinity();
    if (t.kind == Tok::Ident && t.text == "-inf") return -std::numeric_limits<F>::infinity();
    if (t.kind == Tok::Ident && t.text == "nan") return std::numeric_limits<F>::quiet_NaN();
    if (t.kind != Tok::Float && (t.kind != Tok::Int || isHexToken(t)))
      failAt(t, "expected a float, found {}", describe(t));
    auto v = parseNumber<F>(t.text);
    if (!v) failAt(t, "{} is out of range for a {}-bit float", t.text, sizeof(F) * 8);
    return *v;
  }

  // The bits in `nan(0xBITS)`; they must encode a NaN of type dt.
  uint64_t nanPattern(const Token& hex, DType dt) {
    std::optional<uint64_t> v;
    if (isHexToken(hex)) v = parseNumber<uint64_t>(std::string_view(hex.text).substr(2), 16);
    if (!v) failAt(hex, "expected the NaN's bits in hex (0x...), found {}", describe(hex));
    uint64_t expMask = 0, mantissaMask = 0;
    size_t width = dtypeSize(dt) * 8;
    switch (dt) {
      case DType::F64: expMask = 0x7ff0000000000000ull, mantissaMask = 0xfffffffffffffull; break;
      case DType::F32: expMask = 0x7f800000, mantissaMask = 0x7fffff; break;
      case DType::F16: expMask = 0x7c00, mantissaMask = 0x3ff; break;
      case DType::BF16: expMask = 0x7f80, mantissaMask = 0x7f; break;
      default: failAt(hex, "nan() needs a float type, not {}", dtypeName(dt));
    }
    bool fits = width == 64 || (*v >> width) == 0;
    if (!fits || (*v & expMask) != expMask || (*v & mantissaMask) == 0)
      failAt(hex, "{} is not a NaN of type {}", hex.text, dtypeName(dt));
    return *v;
  }

  // After the 'blob' keyword: '(' offset ',' length ')'.
  void parseBlob(TensorData& data, const Token& blobTok) {
    if (data.dtype == DType::String) failAt(blobTok, "string constants must be written inline (dense)");
    if (!blobTok_) failAt(blobTok, "blob() used but the graph header names no side file (blobs \"...\")");
    expectPunct("(");
    Token offTok = lex_.next();
    uint64_t offset = intToken<uint64_t>(offTok, "blob offset");
    expectPunct(",");
    Token lenTok = lex_.next();
    uint64_t length = intToken<uint64_t>(lenTok, "blob length");
    expectPunct(")");
    const std::vector<uint8_t>& file = sideFile(blobTok);
    if (offset > file.size() || length > file.size() - offset)
      failAt(offTok, "blob({}, {}) lies outside the side file '{}' ({} bytes)", offset, length, blobTok_->text,
             file.size());
    uint64_t elements = static_cast<uint64_t>(*checkedElementCount(data.shape));
    uint64_t es = dtypeSize(data.dtype);
    if (elements > std::numeric_limits<uint64_t>::max() / es || elements * es != length)
      failAt(lenTok, "blob length {} does not match {}[{}] ({} elements of {} bytes)", length,
             dtypeName(data.dtype), fmt::join(data.shape, ","), elements, es);
    data.bytes.assign(file.begin() + static_cast<ptrdiff_t>(offset),
                      file.begin() + static_cast<ptrdiff_t>(offset + length));
  }

  const std::vector<uint8_t>& sideFile(const Token& at) {
    if (!sideData_) {
      std::filesystem::path path = std::filesystem::path(baseDir_) / blobTok_->text;
      std::ifstream f(path, std::ios::binary);
      if (!f) failAt(at, "cannot open side file '{}'", path.string());
      sideData_.emplace(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
      if (f.bad()) failAt(at, "cannot read side file '{}'", path.string());
    }
    return *sideData_;
  }

  // ---- attributes
  void parseAttributes(Attributes& attrs) {
    lex_.next();
    commaList("}", [&] {
      Token key = lex_.next();
      if (key.kind != Tok::String && (key.kind != Tok::Ident || key.text == "-inf"))
        failAt(key, "expected an attribute name, found {}", describe(key));
      if (attrs.has(key.text)) failAt(key, "attribute '{}' is given twice", key.text);
      expectPunct("=");
      attrs.set(key.text, parseAttributeValue());
    });
  }

  static bool isFloatLiteral(const Token& t) {
    return t.kind == Tok::Float || (t.kind == Tok::Ident && (t.text == "inf" || t.text == "-inf" || t.text == "nan"));
  }

  float floatAttribute(const Elem& e) {
    if (e.nanBits) return std::bit_cast<float>(static_cast<uint32_t>(nanPattern(*e.nanBits, DType::F32)));
    return floatLiteral<float>(e.tok);
  }

  Attribute parseAttributeValue() {
    if (peekPunct("[")) {
      lex_.next();
      return parseListAttribute();
    }
    if (peekIdent("dense")) return parseTensorAttribute(lex_.next());
    if (peekIdent("kiln.graph")) return GraphPtr(std::make_shared<const Graph>(Parser(lex_, baseDir_).parseGraphBody()));
    Elem e = readElem();
    const Token& t = e.tok;
    if (t.kind == Tok::Int) return intToken<int64_t>(t, "integer attribute");
    if (isFloatLiteral(t)) return floatAttribute(e);
    if (t.kind == Tok::String) return t.text;
    failAt(t, "expected an attribute value, found {}", describe(t));
  }

  // After '['. Strings if the first element is one; floats if any element is
  // a float literal; else ints. An empty list names its kind: `[] : ints`.
  Attribute parseListAttribute() {
    if (peekPunct("]")) {
      lex_.next();
      expectPunct(":");
      Token kind = expect(Tok::Ident, "the kind of the empty list");
      if (kind.text == "ints") return std::vector<int64_t>{};
      if (kind.text == "floats") return std::vector<float>{};
      if (kind.text == "strings") return std::vector<std::string>{};
      failAt(kind, "expected 'ints', 'floats' or 'strings', found {}", describe(kind));
    }
    std::vector<Elem> items;
    commaList("]", [&] { items.push_back(readElem()); });
    if (items.front().tok.kind == Tok::String) {
      std::vector<std::string> v;
      for (const Elem& e : items) {
        if (e.tok.kind != Tok::String) failAt(e.tok, "expected a string in a list of strings, found {}", describe(e.tok));
        v.push_back(e.tok.text);
      }
      return v;
    }
    bool anyFloat = false;
    for (const Elem& e : items) anyFloat = anyFloat || isFloatLiteral(e.tok);
    if (!anyFloat) {
      std::vector<int64_t> v;
      for (const Elem& e : items) v.push_back(intToken<int64_t>(e.tok, "list element"));
      return v;
    }
    std::vector<float> v;
    for (const Elem& e : items) v.push_back(floatAttribute(e));
    return v;
  }

  // After 'dense': '<' '[' elements ']' '>' ':' type.
  Attribute parseTensorAttribute(const Token& denseTok) {
    expectPunct("<");
    expectPunct("[");
    std::vector<Elem> items;
    commaList("]", [&] { items.push_back(readElem()); });
    expectPunct(">");
    expectPunct(":");
    Token typeTok = lex_.peek();
    TensorType type = parseType();
    auto data = std::make_shared<TensorData>();
    data->dtype = type.dtype;
    data->shape = staticShapeOf(type, typeTok, "a tensor attribute");
    for (Elem& e : items) appendElement(*data, e);
    checkElementCount(*data, static_cast<int64_t>(items.size()), denseTok);
    return TensorDataPtr(std::move(data));
  }

  struct Def {
    ValueId id;
    int line, col;
  };

  std::optional<Lexer> owned_;  // the top-level parser's lexer
  Lexer& lex_;
  std::string baseDir_;
  Graph g_;
  std::unordered_map<std::string, Def> defs_;
  std::optional<Token> blobTok_;  // the side file name from the header
  std::optional<std::vector<uint8_t>> sideData_;
};

}  // namespace

Graph parseGraph(std::string_view text, const std::string& baseDir) {
  return Parser(text, baseDir).parse();
}

Graph parseGraphFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) fail("cannot open '{}'", path);
  std::stringstream ss;
  ss << f.rdbuf();
  std::string dir = std::filesystem::path(path).parent_path().string();
  try {
    return parseGraph(ss.str(), dir.empty() ? "." : dir);
  } catch (const Error& e) {
    throw Error(fmt::format("{}:{}", path, e.what()));
  }
}

}  // namespace kiln::ir
