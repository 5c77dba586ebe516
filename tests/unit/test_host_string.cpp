// Host kernels for strings (runtime/host/string_*.cpp) run through
// StagedModel: StringNormalizer's stopwords, case changes on UTF-8 text and
// output shapes; Cast and CastLike between strings and every numeric dtype,
// with the special values, truncation to integers and the errors for strings
// that are not numbers or are out of range.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

#include "host_graph.h"
#include "ir/float16.h"
#include "runtime/host/string_case.h"
#include "runtime/host/string_number.h"

namespace kiln {
namespace {

using ir::OpKind;
using runtime::Tensor;
using testing::attrs;
using testing::expectError;
using testing::HostGraph;
using testing::makeTensor;
using testing::strings;
using testing::valuesOf;

using Strings = std::vector<std::string>;

Tensor normalize(const Tensor& x, ir::Attributes a) {
  HostGraph h;
  auto in = h.tensor(x);
  return h.run1(h.node(OpKind::StringNormalizer, {in}, std::move(a), DType::String, {}, "norm")).tensor();
}

TEST(HostString, NormalizerStopwordsAndCase) {
  Tensor x = strings({5}, {"Monday", "tuesday", "MONDAY", "Straße", "ÉTÉ"});
  Tensor sensitive = normalize(x, attrs({{"stopwords", Strings{"monday"}}, {"is_case_sensitive", int64_t{1}},
                                         {"case_change_action", std::string("LOWER")}}));
  EXPECT_EQ(valuesOf<std::string>(sensitive), (Strings{"monday", "tuesday", "monday", "straße", "été"}));
  Tensor insensitive =
      normalize(x, attrs({{"stopwords", Strings{"monday"}}, {"case_change_action", std::string("UPPER")}}));
  EXPECT_EQ(insensitive.shape(), (std::vector<int64_t>{3}));
  EXPECT_EQ(valuesOf<std::string>(insensitive), (Strings{"TUESDAY", "STRAßE", "ÉTÉ"}));
  Tensor unchanged = normalize(x, {});
  EXPECT_EQ(valuesOf<std::string>(unchanged), valuesOf<std::string>(x));
  // Case-insensitive stopwords compare beyond ASCII too.
  Tensor greek = normalize(strings({1, 3}, {"Σίσυφος", "ПРИВЕТ", "привет"}),
                           attrs({{"stopwords", Strings{"Привет"}}, {"case_change_action", std::string("UPPER")}}));
  EXPECT_EQ(greek.shape(), (std::vector<int64_t>{1, 1}));
  EXPECT_EQ(valuesOf<std::string>(greek), (Strings{"ΣΊΣΥΦΟΣ"}));
}

TEST(HostString, NormalizerEmptyOutputs) {
  Tensor all = normalize(strings({1, 2}, {"a", "A"}), attrs({{"stopwords", Strings{"a"}}}));
  EXPECT_EQ(all.shape(), (std::vector<int64_t>{1, 1}));
  EXPECT_EQ(valuesOf<std::string>(all), (Strings{""}));
  Tensor none = normalize(strings({0}, {}), {});
  EXPECT_EQ(none.shape(), (std::vector<int64_t>{1}));
  EXPECT_EQ(valuesOf<std::string>(none), (Strings{""}));
}

TEST(HostString, NormalizerErrors) {
  expectError([] { normalize(strings({2, 1}, {"a", "b"}), {}); },
              {"StringNormalizer node 'norm'", "[C] or [1, C], got 2x1"});
  expectError([] { normalize(strings({}, {"a"}), {}); }, {"[C] or [1, C]"});
  expectError([] { normalize(strings({1}, {"a"}), attrs({{"case_change_action", std::string("TITLE")}})); },
              {"case_change_action"});
  expectError([] { normalize(strings({1}, {"i"}), attrs({{"locale", std::string("tr_TR.UTF-8")}})); },
              {"unsupported locale 'tr_TR.UTF-8'"});
  // Other locales use the default case mapping.
  Tensor fr = normalize(strings({1}, {"été"}),
                        attrs({{"locale", std::string("fr_FR")}, {"case_change_action", std::string("UPPER")}}));
  EXPECT_EQ(valuesOf<std::string>(fr), (Strings{"ÉTÉ"}));
}

TEST(HostString, CaseMapping) {
  EXPECT_EQ(runtime::utf8Lower("ÀÉÎÕÜ ĀĞŁŽ ΑΩΆΏ АЯЁЇ ԱՖ ẞ ＡＺ"), "àéîõü āğłž αωάώ аяёї աֆ ß ａｚ");
  EXPECT_EQ(runtime::utf8Upper("àéîõü āğłž αωάώς аяёї աֆ ÿ ｚ"), "ÀÉÎÕÜ ĀĞŁŽ ΑΩΆΏΣ АЯЁЇ ԱՖ Ÿ Ｚ");
  EXPECT_EQ(runtime::utf8Upper("ß"), "ß");  // no one-to-one upper case
  EXPECT_EQ(runtime::utf8Lower("İ"), "i");
  EXPECT_EQ(runtime::utf8Upper("ı"), "I");
  EXPECT_EQ(runtime::utf8Upper("日本 😀"), "日本 😀");
  // Bytes that are not UTF-8 stay; the letters around them are mapped.
  EXPECT_EQ(runtime::utf8Upper(std::string("a\xff" "b\xc3") + "\xe9"), std::string("A\xff" "B\xc3") + "\xe9");
  EXPECT_EQ(runtime::utf8Upper("\xed\xa0\x80z"), "\xed\xa0\x80Z");  // an encoded surrogate is malformed
}

// Cast (or CastLike when `like` is given) of `x` to `to`.
Tensor cast(const Tensor& x, DType to, bool castLike = false) {
  HostGraph h;
  auto in = h.tensor(x);
  if (castLike) {
    Tensor like(to, {0});
    auto l = h.tensor(like);
    return h.run1(h.node(OpKind::CastLike, {in, l}, {}, to, {}, "cast")).tensor();
  }
  return h.run1(h.node(OpKind::Cast, {in}, attrs({{"to", static_cast<int64_t>(to)}}), to, {}, "cast")).tensor();
}

TEST(HostString, StringsToFloats) {
  Tensor x = strings({2, 4}, {"0.47892547", " 1e-5\n", "+INF", "-inf", "NaN", "1e400", "-1e-400", "-2.5E+3"});
  std::vector<float> f = valuesOf<float>(cast(x, DType::F32));
  EXPECT_EQ(f[0], 0.47892547f);
  EXPECT_EQ(f[1], 1e-5f);
  EXPECT_EQ(f[2], std::numeric_limits<float>::infinity());
  EXPECT_EQ(f[3], -std::numeric_limits<float>::infinity());
  EXPECT_TRUE(std::isnan(f[4]));
  EXPECT_EQ(f[5], std::numeric_limits<float>::infinity());
  EXPECT_TRUE(f[6] == 0 && std::signbit(f[6]));
  EXPECT_EQ(f[7], -2500.f);
  Tensor d = cast(x, DType::F64, true);
  EXPECT_EQ(d.shape(), (std::vector<int64_t>{2, 4}));
  EXPECT_EQ(valuesOf<double>(d)[0], 0.47892547);
  std::vector<uint16_t> h = valuesOf<uint16_t>(cast(strings({2}, {"0.1", "-inf"}), DType::F16));
  EXPECT_EQ(h[0], ir::floatToHalf(0.1f));
  EXPECT_EQ(h[1], 0xFC00);
  EXPECT_EQ(valuesOf<uint16_t>(cast(strings({1}, {"3"}), DType::BF16))[0], ir::floatToBf16(3.f));

  expectError([] { cast(strings({1}, {"Hello World!"}), DType::F32); },
              {"Cast node 'cast'", "cannot cast 'Hello World!' to f32: not a number"});
  expectError([] { cast(strings({1}, {""}), DType::F64); }, {"not a number"});
  expectError([] { cast(strings({1}, {"1.5x"}), DType::F64); }, {"not a number"});
  expectError([] { cast(strings({1}, {"0x10"}), DType::F64); }, {"not a number"});
  expectError([] { cast(strings({1}, {"++1"}), DType::F64); }, {"not a number"});
}

TEST(HostString, StringsToIntegersAndBool) {
  EXPECT_EQ(valuesOf<int32_t>(cast(strings({4}, {"100.5", "-7", "+12", "-0.9"}), DType::I32)),
            (std::vector<int32_t>{100, -7, 12, 0}));
  EXPECT_EQ(valuesOf<int64_t>(cast(strings({3}, {"9223372036854775807", "-9223372036854775808", "1e3"}),
                                   DType::I64)),
            (std::vector<int64_t>{INT64_MAX, INT64_MIN, 1000}));
  EXPECT_EQ(valuesOf<uint64_t>(cast(strings({1}, {"18446744073709551615"}), DType::U64)),
            (std::vector<uint64_t>{UINT64_MAX}));
  EXPECT_EQ(valuesOf<int8_t>(cast(strings({2}, {"-128", "127"}), DType::I8)), (std::vector<int8_t>{-128, 127}));
  EXPECT_EQ(valuesOf<uint16_t>(cast(strings({1}, {"65535"}), DType::U16)), (std::vector<uint16_t>{65535}));
  EXPECT_EQ(valuesOf<uint8_t>(cast(strings({6}, {"true", "FALSE", "0", "2.5", "-0", "nan"}), DType::Bool)),
            (std::vector<uint8_t>{1, 0, 0, 1, 0, 1}));

  expectError([] { cast(strings({1}, {"2147483648"}), DType::I32); }, {"Cast node 'cast'", "out of range"});
  expectError([] { cast(strings({1}, {"-1"}), DType::U8); }, {"out of range"});
  expectError([] { cast(strings({1}, {"256"}), DType::U8); }, {"out of range"});
  expectError([] { cast(strings({1}, {"99999999999999999999"}), DType::I64); }, {"out of range"});
  expectError([] { cast(strings({1}, {"1e19"}), DType::I64); }, {"out of range"});
  expectError([] { cast(strings({1}, {"inf"}), DType::I16); }, {"out of range"});
  expectError([] { cast(strings({1}, {"NaN"}), DType::I16); }, {"out of range"});
  expectError([] { cast(strings({1}, {"seven"}), DType::I64); }, {"not a number"});
  expectError([] { cast(strings({1}, {"yes"}), DType::Bool); }, {"to bool"});
}

TEST(HostString, NumbersToStrings) {
  Tensor f = makeTensor<float>(DType::F32, {10}, {0.9767611026763916f, 0.039187793f, 1e-5f, 1e-4f, 100.f, -0.f,
                                                 std::nanf(""), -INFINITY, 1e16f, 123456789.f});
  EXPECT_EQ(valuesOf<std::string>(cast(f, DType::String)),
            (Strings{"0.9767611", "0.039187793", "1e-05", "0.0001", "100", "-0", "NaN", "-INF", "1e+16",
                     "123456790"}));
  Tensor d = makeTensor<double>(DType::F64, {4}, {0.1, 1.0 / 3, 1e300, 1e15});
  EXPECT_EQ(valuesOf<std::string>(cast(d, DType::String, true)),
            (Strings{"0.1", "0.3333333333333333", "1e+300", "1000000000000000"}));
  Tensor h = makeTensor<uint16_t>(DType::F16, {3}, {ir::floatToHalf(0.1f), ir::floatToHalf(65504.f), 0x7C00});
  EXPECT_EQ(valuesOf<std::string>(cast(h, DType::String)), (Strings{"0.1", "65500", "INF"}));
  Tensor b = makeTensor<uint16_t>(DType::BF16, {2}, {ir::floatToBf16(0.1f), ir::floatToBf16(-3.f)});
  EXPECT_EQ(valuesOf<std::string>(cast(b, DType::String)), (Strings{"0.1", "-3"}));
  EXPECT_EQ(valuesOf<std::string>(cast(makeTensor<int8_t>(DType::I8, {2}, {-128, 5}), DType::String)),
            (Strings{"-128", "5"}));
  EXPECT_EQ(valuesOf<std::string>(cast(makeTensor<uint64_t>(DType::U64, {1}, {UINT64_MAX}), DType::String)),
            (Strings{"18446744073709551615"}));
  EXPECT_EQ(valuesOf<std::string>(cast(makeTensor<uint8_t>(DType::Bool, {2}, {1, 0}), DType::String)),
            (Strings{"1", "0"}));
  Tensor s = strings({2}, {"a", ""});
  EXPECT_EQ(valuesOf<std::string>(cast(s, DType::String)), (Strings{"a", ""}));
}

// Printed floats read back to the same value (the shortest round-trip form).
TEST(HostString, FloatTextRoundTrips) {
  std::mt19937 rng(7);
  std::vector<float> f(2000);
  for (float& v : f) {
    uint32_t bits = rng();
    std::memcpy(&v, &bits, 4);
    if (!std::isfinite(v)) v = 1.5f;
  }
  Tensor x = makeTensor<float>(DType::F32, {static_cast<int64_t>(f.size())}, f);
  Tensor back = cast(cast(x, DType::String), DType::F32);
  std::vector<float> g = valuesOf<float>(back);
  for (size_t i = 0; i < f.size(); ++i) ASSERT_EQ(std::memcmp(&f[i], &g[i], 4), 0) << f[i] << " vs " << g[i];
  for (uint32_t bits = 0; bits < 0x7C00; bits += 7) {
    auto half = static_cast<uint16_t>(bits);
    std::string text = runtime::formatFloat(ir::halfToFloat(half), DType::F16);
    EXPECT_EQ(ir::floatToHalf(static_cast<float>(*runtime::parseReal(text))), half) << text;
  }
}

}  // namespace
}  // namespace kiln
