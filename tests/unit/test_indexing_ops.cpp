// Indexing and layout kernels on forms the ONNX frontend cannot express with
// the installed ONNX library (1.12 knows opsets up to 17), built directly as
// IR graphs: Pad-19 wrap and axes, Split-18 num_outputs, ScatterElements-18 /
// ScatterND-18 max and min. Also checks that invalid run-time indices are
// clamped instead of reading or writing out of bounds. (Opset <= 17 forms are
// compared against ONNX Runtime by tests/ops/gen_indexing.py.)
#include <gtest/gtest.h>

#include <cstring>

#include "codegen/jit_model.h"
#include "ir/float16.h"
#include "runtime/thread_pool.h"

namespace kiln {
namespace {

using ir::Graph;
using ir::OpKind;
using ir::TensorData;
using ir::ValueId;

template <typename T>
runtime::Tensor tensor(DType dtype, std::vector<int64_t> shape, const std::vector<T>& values) {
  runtime::Tensor t(dtype, std::move(shape));
  EXPECT_EQ(static_cast<size_t>(t.numElements()), values.size());
  std::memcpy(t.data(), values.data(), values.size() * sizeof(T));
  return t;
}

template <typename T>
std::vector<T> values(const runtime::Tensor& t) {
  std::vector<T> v(static_cast<size_t>(t.numElements()));
  std::memcpy(v.data(), t.data(), v.size() * sizeof(T));
  return v;
}

// A graph of one node whose graph inputs are `inputs` (kNoValue entries of
// `nodeInputs` are absent optionals, others constants made by the caller).
struct OneNode {
  Graph g;
  std::vector<ValueId> nodeInputs;
  std::vector<runtime::Tensor> feeds;

  void input(const runtime::Tensor& t) {
    ValueId v = g.addValue("in" + std::to_string(nodeInputs.size()), ir::staticType(t.dtype(), t.shape()));
    g.inputs.push_back(v);
    nodeInputs.push_back(v);
    feeds.push_back(t);
  }
  void constant(ir::TensorDataPtr d) {
    nodeInputs.push_back(g.addConstant("c" + std::to_string(nodeInputs.size()), std::move(d)));
  }
  void absent() { nodeInputs.push_back(ir::kNoValue); }

  std::vector<runtime::Tensor> run(OpKind op, ir::Attributes attrs, int numOutputs = 1) {
    std::vector<ValueId> outs;
    for (int i = 0; i < numOutputs; ++i) {
      ir::TensorType unknown;
      unknown.rankKnown = false;
      outs.push_back(g.addValue("out" + std::to_string(i), unknown));
      g.outputs.push_back(outs.back());
    }
    g.addNode(op, nodeInputs, outs).attrs = std::move(attrs);
    codegen::JitModel model(std::move(g), codegen::CompileOptions{});
    runtime::ThreadPool pool(2);
    return model.run(feeds, pool);
  }
};

ir::Attributes attrs(std::initializer_list<std::pair<const char*, ir::Attribute>> list) {
  ir::Attributes a;
  for (const auto& [name, value] : list) a.set(name, value);
  return a;
}

TEST(IndexingOps, PadWrapAlongAxes) {
  OneNode n;
  n.input(tensor<float>(DType::F32, {2, 3}, {0, 1, 2, 3, 4, 5}));
  n.constant(TensorData::fromInts({4, 2}, {2}));
  n.absent();
  n.constant(TensorData::fromInts({-1}, {1}));
  auto out = n.run(OpKind::Pad, attrs({{"mode", std::string("wrap")}}));
  ASSERT_EQ(out[0].shape(), (std::vector<int64_t>{2, 9}));
  // Periodic: element c - 4 mod 3 (numpy before 2.0 gets pads longer than the axis wrong).
  EXPECT_EQ(values<float>(out[0]),
            (std::vector<float>{2, 0, 1, 2, 0, 1, 2, 0, 1, 5, 3, 4, 5, 3, 4, 5, 3, 4}));
}

TEST(IndexingOps, PadReflectBeyondOnePeriod) {
  OneNode n;
  n.input(tensor<int32_t>(DType::I32, {3}, {0, 1, 2}));
  n.constant(TensorData::fromInts({5, 5}, {2}));
  auto out = n.run(OpKind::Pad, attrs({{"mode", std::string("reflect")}}));
  EXPECT_EQ(values<int32_t>(out[0]), (std::vector<int32_t>{1, 0, 1, 2, 1, 0, 1, 2, 1, 0, 1, 2, 1}));
}

TEST(IndexingOps, PadEdgeOnFirstAxis) {
  OneNode n;
  n.input(tensor<int64_t>(DType::I64, {2, 3}, {0, 1, 2, 3, 4, 5}));
  n.constant(TensorData::fromInts({1, 2}, {2}));
  n.absent();
  n.constant(TensorData::fromInts({0}, {1}));
  auto out = n.run(OpKind::Pad, attrs({{"mode", std::string("edge")}}));
  ASSERT_EQ(out[0].shape(), (std::vector<int64_t>{5, 3}));
  EXPECT_EQ(values<int64_t>(out[0]), (std::vector<int64_t>{0, 1, 2, 0, 1, 2, 3, 4, 5, 3, 4, 5, 3, 4, 5}));
}

TEST(IndexingOps, SplitNumOutputsMakesTheLastPartSmaller) {
  OneNode n;
  n.input(tensor<uint8_t>(DType::U8, {2, 7}, {0, 1, 2, 3, 4, 5, 6, 10, 11, 12, 13, 14, 15, 16}));
  auto out = n.run(OpKind::Split, attrs({{"axis", int64_t{1}}, {"num_outputs", int64_t{3}}}), 3);
  ASSERT_EQ(out[0].shape(), (std::vector<int64_t>{2, 3}));
  ASSERT_EQ(out[2].shape(), (std::vector<int64_t>{2, 1}));
  EXPECT_EQ(values<uint8_t>(out[0]), (std::vector<uint8_t>{0, 1, 2, 10, 11, 12}));
  EXPECT_EQ(values<uint8_t>(out[1]), (std::vector<uint8_t>{3, 4, 5, 13, 14, 15}));
  EXPECT_EQ(values<uint8_t>(out[2]), (std::vector<uint8_t>{6, 16}));
}

TEST(IndexingOps, ScatterElementsMaxAndMinCombineDuplicates) {
  for (const char* reduction : {"max", "min"}) {
    OneNode n;
    n.input(tensor<float>(DType::F32, {1, 4}, {1, 2, 3, 4}));
    n.input(tensor<int64_t>(DType::I64, {1, 4}, {1, 1, -1, 0}));
    n.input(tensor<float>(DType::F32, {1, 4}, {5, -7, 0, 0.5f}));
    auto out = n.run(OpKind::ScatterElements, attrs({{"axis", int64_t{1}}, {"reduction", std::string(reduction)}}));
    std::vector<float> expected = std::string(reduction) == "max" ? std::vector<float>{1, 5, 3, 4}
                                                                  : std::vector<float>{0.5f, -7, 3, 0};
    EXPECT_EQ(values<float>(out[0]), expected) << reduction;
  }
}

TEST(IndexingOps, ScatterNDMaxOnUnsignedAndAddOnHalf) {
  OneNode n;
  n.input(tensor<uint16_t>(DType::U16, {3, 2}, {1, 60000, 3, 4, 5, 6}));
  n.input(tensor<int64_t>(DType::I64, {2, 1}, {0, -1}));
  n.input(tensor<uint16_t>(DType::U16, {2, 2}, {50000, 2, 1, 9}));
  auto out = n.run(OpKind::ScatterND, attrs({{"reduction", std::string("max")}}));
  EXPECT_EQ(values<uint16_t>(out[0]), (std::vector<uint16_t>{50000, 60000, 3, 4, 5, 9}));

  OneNode h;
  auto half = [](std::vector<float> v) {
    std::vector<uint16_t> bits;
    for (float f : v) bits.push_back(ir::floatToHalf(f));
    return bits;
  };
  h.input(tensor<uint16_t>(DType::F16, {4}, half({1, 2, 3, 4})));
  h.input(tensor<int64_t>(DType::I64, {3, 1}, {2, 2, 0}));
  h.input(tensor<uint16_t>(DType::F16, {3}, half({0.5f, 0.25f, -1})));
  out = h.run(OpKind::ScatterND, attrs({{"reduction", std::string("add")}}));
  EXPECT_EQ(values<uint16_t>(out[0]), half({0, 2, 3.75f, 4}));
}

// Out-of-range run-time indices are invalid input; the kernels clamp them into
// range (the results are unspecified, but no access leaves the buffers).
TEST(IndexingOps, InvalidRuntimeIndicesAreClamped) {
  OneNode g;
  g.input(tensor<float>(DType::F32, {2, 3}, {0, 1, 2, 3, 4, 5}));
  g.input(tensor<int64_t>(DType::I64, {2, 2}, {1000000, -1000000, INT64_MIN, INT64_MAX}));
  auto out = g.run(OpKind::GatherElements, attrs({{"axis", int64_t{1}}}));
  EXPECT_EQ(values<float>(out[0]), (std::vector<float>{2, 0, 3, 5}));

  OneNode s;
  s.input(tensor<float>(DType::F32, {3, 2}, {0, 0, 0, 0, 0, 0}));
  s.input(tensor<int32_t>(DType::I32, {2, 1}, {7, -9}));
  s.input(tensor<float>(DType::F32, {2, 2}, {1, 2, 3, 4}));
  out = s.run(OpKind::ScatterND, {});
  EXPECT_EQ(values<float>(out[0]), (std::vector<float>{3, 4, 0, 0, 1, 2}));

  OneNode r;
  r.input(tensor<int8_t>(DType::I8, {2, 3}, {1, 2, 3, 4, 5, 6}));
  r.input(tensor<int64_t>(DType::I64, {2}, {99, -5}));
  out = r.run(OpKind::ReverseSequence, attrs({{"batch_axis", int64_t{0}}, {"time_axis", int64_t{1}}}));
  EXPECT_EQ(values<int8_t>(out[0]), (std::vector<int8_t>{3, 2, 1, 4, 5, 6}));
}

}  // namespace
}  // namespace kiln
