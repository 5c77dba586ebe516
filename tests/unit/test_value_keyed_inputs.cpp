// JitModel specializes on the contents of small graph inputs that determine
// shapes (Reshape's `shape` here), keys variants on them, and refuses to key on
// large inputs.
#include <gtest/gtest.h>

#include "codegen/jit_model.h"
#include "ir/error.h"
#include "ir/text.h"

namespace kiln::codegen {
namespace {

ir::Graph reshapeGraph(const char* dataShape) {
  std::string text = std::string(R"(kiln.graph "reshape" {
  input %data : f32[)") + dataShape + R"(]
  input %shape : i64[2]
  %y = Reshape(%data, %shape) : f32[?, ?]
  output %y
})";
  return ir::parseGraph(text);
}

runtime::Tensor iota(const std::vector<int64_t>& shape) {
  runtime::Tensor t(DType::F32, shape);
  for (int64_t i = 0; i < t.numElements(); ++i) t.data<float>()[i] = static_cast<float>(i);
  return t;
}

runtime::Tensor shapeTensor(int64_t a, int64_t b) {
  runtime::Tensor t(DType::I64, {2});
  t.data<int64_t>()[0] = a;
  t.data<int64_t>()[1] = b;
  return t;
}

TEST(ValueKeyedInputs, ReshapeShapeFromAGraphInput) {
  JitModel model(reshapeGraph("2, 6"), CompileOptions{});
  runtime::ThreadPool pool(1);
  EXPECT_FALSE(model.isValueKeyed(1));
  auto out = model.run({iota({2, 6}), shapeTensor(3, 4)}, pool);
  EXPECT_TRUE(model.isValueKeyed(1));
  EXPECT_FALSE(model.isValueKeyed(0));
  ASSERT_EQ(out.at(0).shape(), (std::vector<int64_t>{3, 4}));
  EXPECT_EQ(out[0].data<float>()[11], 11.0f);

  // New contents select a new variant; the first one is still served.
  out = model.run({iota({2, 6}), shapeTensor(6, -1)}, pool);
  EXPECT_EQ(out.at(0).shape(), (std::vector<int64_t>{6, 2}));
  out = model.run({iota({2, 6}), shapeTensor(3, 4)}, pool);
  EXPECT_EQ(out.at(0).shape(), (std::vector<int64_t>{3, 4}));
}

TEST(ValueKeyedInputs, BadShapeValueIsAnError) {
  JitModel model(reshapeGraph("2, 6"), CompileOptions{});
  runtime::ThreadPool pool(1);
  EXPECT_THROW(model.run({iota({2, 6}), shapeTensor(5, 5)}, pool), Error);
}

TEST(ValueKeyedInputs, DoesNotKeyOnLargeInputs) {
  // The shape is computed from a large input: specializing on it would mean
  // a compile per distinct tensor, so it is reported instead.
  ir::Graph g = ir::parseGraph(R"(kiln.graph "big" {
  input %data : f32[12]
  input %big : i64[8192]
  const %s0 : i64[1] = dense<[0]>
  const %s1 : i64[1] = dense<[2]>
  %shape = Slice(%big, %s0, %s1) : i64[?]
  %y = Reshape(%data, %shape) : f32[*]
  output %y
})");
  JitModel model(std::move(g), CompileOptions{});
  runtime::ThreadPool pool(1);
  runtime::Tensor big(DType::I64, {8192});
  try {
    model.run({iota({12}), big}, pool);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("input 'big' with 8192 elements"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace kiln::codegen
