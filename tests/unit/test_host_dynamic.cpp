// Host kernels of the dynamic-shape ops (runtime/host/dynamic_*.cpp): NonZero,
// Unique, Compress, NonMaxSuppression, called directly through HostCall for
// dtypes and edge cases ONNX Runtime cannot check (float16, strings, NaN,
// scalars, error paths), and through StagedModel for compiled stages that
// follow a host op, 0-size results included. (Forms ONNX Runtime supports are
// compared against it by tests/ops/gen_dynamic.py.)
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <optional>
#include <string>

#include "codegen/staged_model.h"
#include "ir/float16.h"
#include "runtime/host/host_call.h"
#include "runtime/thread_pool.h"

namespace kiln {
namespace {

using ir::OpKind;
using runtime::Tensor;
using runtime::Value;

template <typename T>
Tensor tensor(DType dtype, std::vector<int64_t> shape, const std::vector<T>& values) {
  Tensor t(dtype, std::move(shape));
  EXPECT_EQ(static_cast<size_t>(t.numElements()), values.size());
  if constexpr (std::is_same_v<T, std::string>) {
    std::copy(values.begin(), values.end(), t.data<std::string>());
  } else {
    std::memcpy(t.data(), values.data(), values.size() * sizeof(T));
  }
  return t;
}

Tensor i64s(std::vector<int64_t> shape, const std::vector<int64_t>& v) {
  return tensor(DType::I64, shape, v);
}
Tensor f32s(std::vector<int64_t> shape, const std::vector<float>& v) { return tensor(DType::F32, shape, v); }
Tensor bools(const std::vector<uint8_t>& v) {
  return tensor(DType::Bool, {static_cast<int64_t>(v.size())}, v);
}

template <typename T>
std::vector<T> values(const Tensor& t) {
  std::vector<T> v(static_cast<size_t>(t.numElements()));
  if constexpr (std::is_same_v<T, std::string>) {
    std::copy(t.data<std::string>(), t.data<std::string>() + t.numElements(), v.begin());
  } else {
    std::memcpy(v.data(), t.data(), v.size() * sizeof(T));
  }
  return v;
}

ir::Attributes attrs(std::initializer_list<std::pair<const char*, ir::Attribute>> list) {
  ir::Attributes a;
  for (const auto& [name, value] : list) a.set(name, value);
  return a;
}

// Runs the host kernel of one `op` node on `inputs` (nullopt: an absent
// optional input). `outputs` lists which node outputs are present.
std::vector<Value> runHost(OpKind op, const std::vector<std::optional<Tensor>>& inputs, ir::Attributes a = {},
                           std::vector<bool> outputs = {true}) {
  ir::Graph g;
  std::vector<ir::ValueId> ins, outs;
  std::vector<Value> held;
  held.reserve(inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (!inputs[i]) {
      ins.push_back(ir::kNoValue);
      continue;
    }
    ins.push_back(
        g.addValue("in" + std::to_string(i), ir::staticType(inputs[i]->dtype(), inputs[i]->shape())));
    g.inputs.push_back(ins.back());
  }
  for (size_t k = 0; k < outputs.size(); ++k)
    outs.push_back(outputs[k] ? g.addValue("out" + std::to_string(k), ir::unknownRank(DType::Undefined))
                              : ir::kNoValue);
  ir::Node& node = g.addNode(op, ins, outs, "n");
  node.attrs = std::move(a);
  runtime::ThreadPool pool(1);
  runtime::HostCall call{g, node, {}, pool, {}};
  for (const auto& t : inputs) {
    if (t) held.emplace_back(*t);
    call.inputs.push_back(t ? &held.back() : nullptr);
  }
  runtime::HostKernel kernel = runtime::hostKernelFor(g, node);
  EXPECT_NE(kernel, nullptr);
  std::vector<Value> out = kernel(call);
  EXPECT_EQ(out.size(), outs.size());
  return out;
}

Tensor runHost1(OpKind op, const std::vector<std::optional<Tensor>>& inputs, ir::Attributes a = {}) {
  return runHost(op, inputs, std::move(a)).at(0).tensor();
}

// The message of the kiln::Error that `fn` throws ("" when it does not throw).
template <typename Fn>
std::string errorOf(Fn fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

// ---- NonZero

TEST(HostDynamic, NonZeroFloatRowMajorNegZeroAndNaN) {
  float nan = std::numeric_limits<float>::quiet_NaN();
  Tensor y = runHost1(OpKind::NonZero, {f32s({2, 3}, {0.f, -0.f, nan, 1.f, 0.f, -2.f})});
  EXPECT_EQ(y.dtype(), DType::I64);
  EXPECT_EQ(y.shape(), (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(values<int64_t>(y), (std::vector<int64_t>{0, 1, 1, 2, 0, 2}));
}

TEST(HostDynamic, NonZeroHalfBf16Int8F64) {
  std::vector<uint16_t> h = {0x0000, 0x8000, ir::floatToHalf(0.5f), 0x0001};
  EXPECT_EQ(values<int64_t>(runHost1(OpKind::NonZero, {tensor(DType::F16, {4}, h)})),
            (std::vector<int64_t>{2, 3}));
  std::vector<uint16_t> b = {ir::floatToBf16(-1.f), 0x8000, 0x0000};
  EXPECT_EQ(values<int64_t>(runHost1(OpKind::NonZero, {tensor(DType::BF16, {3}, b)})),
            (std::vector<int64_t>{0}));
  EXPECT_EQ(values<int64_t>(runHost1(OpKind::NonZero, {tensor<int8_t>(DType::I8, {3}, {0, -1, 0})})),
            (std::vector<int64_t>{1}));
  EXPECT_EQ(values<int64_t>(runHost1(OpKind::NonZero, {tensor<double>(DType::F64, {3}, {1e-300, 0, 2})})),
            (std::vector<int64_t>{0, 2}));
}

TEST(HostDynamic, NonZeroStrings) {
  Tensor s = tensor<std::string>(DType::String, {2, 2}, {"", "a", "b", ""});
  Tensor y = runHost1(OpKind::NonZero, {s});
  EXPECT_EQ(y.shape(), (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(values<int64_t>(y), (std::vector<int64_t>{0, 1, 1, 0}));
}

TEST(HostDynamic, NonZeroEmptyResults) {
  // All zeros: [rank, 0].
  EXPECT_EQ(runHost1(OpKind::NonZero, {f32s({3, 4}, std::vector<float>(12, 0.f))}).shape(),
            (std::vector<int64_t>{2, 0}));
  // An empty input.
  EXPECT_EQ(runHost1(OpKind::NonZero, {Tensor(DType::I32, {0, 5, 2})}).shape(), (std::vector<int64_t>{3, 0}));
  // A scalar counts as one element: [1, count].
  Tensor y = runHost1(OpKind::NonZero, {tensor<int32_t>(DType::I32, {}, {7})});
  EXPECT_EQ(y.shape(), (std::vector<int64_t>{1, 1}));
  EXPECT_EQ(values<int64_t>(y), (std::vector<int64_t>{0}));
  EXPECT_EQ(runHost1(OpKind::NonZero, {tensor<int32_t>(DType::I32, {}, {0})}).shape(),
            (std::vector<int64_t>{1, 0}));
}

// ---- Unique

TEST(HostDynamic, UniqueSortedFlatAllOutputs) {
  Tensor x = f32s({2, 3}, {2.f, 1.f, 2.f, 3.f, 1.f, 2.f});
  std::vector<Value> out = runHost(OpKind::Unique, {x}, {}, {true, true, true, true});
  EXPECT_EQ(values<float>(out[0].tensor()), (std::vector<float>{1.f, 2.f, 3.f}));
  EXPECT_EQ(values<int64_t>(out[1].tensor()), (std::vector<int64_t>{1, 0, 3}));
  EXPECT_EQ(values<int64_t>(out[2].tensor()), (std::vector<int64_t>{1, 0, 1, 2, 0, 1}));
  EXPECT_EQ(values<int64_t>(out[3].tensor()), (std::vector<int64_t>{2, 3, 1}));
}

TEST(HostDynamic, UniqueUnsortedKeepsFirstOccurrenceOrder) {
  Tensor x = i64s({6}, {5, -1, 5, 7, -1, 0});
  std::vector<Value> out =
      runHost(OpKind::Unique, {x}, attrs({{"sorted", int64_t{0}}}), {true, true, true, true});
  EXPECT_EQ(values<int64_t>(out[0].tensor()), (std::vector<int64_t>{5, -1, 7, 0}));
  EXPECT_EQ(values<int64_t>(out[1].tensor()), (std::vector<int64_t>{0, 1, 3, 5}));
  EXPECT_EQ(values<int64_t>(out[2].tensor()), (std::vector<int64_t>{0, 1, 0, 2, 1, 3}));
  EXPECT_EQ(values<int64_t>(out[3].tensor()), (std::vector<int64_t>{2, 2, 1, 1}));
}

TEST(HostDynamic, UniqueNaNsCollapseAndSortLast) {
  float nan = std::numeric_limits<float>::quiet_NaN();
  std::vector<Value> out =
      runHost(OpKind::Unique, {f32s({5}, {nan, 1.f, -0.f, nan, 0.f})}, {}, {true, false, true, true});
  std::vector<float> y = values<float>(out[0].tensor());
  ASSERT_EQ(y.size(), 3u);
  EXPECT_EQ(y[0], 0.f);
  EXPECT_TRUE(std::signbit(y[0]));  // -0 occurs first
  EXPECT_EQ(y[1], 1.f);
  EXPECT_TRUE(std::isnan(y[2]));
  EXPECT_TRUE(out[1].isNone() || out[1].isTensor());  // absent output: anything, ignored
  EXPECT_EQ(values<int64_t>(out[2].tensor()), (std::vector<int64_t>{2, 1, 0, 2, 0}));
  EXPECT_EQ(values<int64_t>(out[3].tensor()), (std::vector<int64_t>{2, 1, 2}));
}

TEST(HostDynamic, UniqueNegativeAxisSlicesLexicographic) {
  // x[2][3]: columns (axis -1) are (3,1), (0,2), (3,1) -> unique (0,2), (3,1).
  Tensor x = i64s({2, 3}, {3, 0, 3, 1, 2, 1});
  std::vector<Value> out =
      runHost(OpKind::Unique, {x}, attrs({{"axis", int64_t{-1}}}), {true, true, true, true});
  EXPECT_EQ(out[0].tensor().shape(), (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(values<int64_t>(out[0].tensor()), (std::vector<int64_t>{0, 3, 2, 1}));
  EXPECT_EQ(values<int64_t>(out[1].tensor()), (std::vector<int64_t>{1, 0}));
  EXPECT_EQ(values<int64_t>(out[2].tensor()), (std::vector<int64_t>{1, 0, 1}));
  EXPECT_EQ(values<int64_t>(out[3].tensor()), (std::vector<int64_t>{1, 2}));
}

TEST(HostDynamic, UniqueStringsAndHalf) {
  Tensor s = tensor<std::string>(DType::String, {4}, {"pear", "apple", "pear", "fig"});
  EXPECT_EQ(values<std::string>(runHost1(OpKind::Unique, {s})),
            (std::vector<std::string>{"apple", "fig", "pear"}));
  std::vector<uint16_t> h = {ir::floatToHalf(2.f), ir::floatToHalf(-1.f), ir::floatToHalf(2.f)};
  Tensor y = runHost1(OpKind::Unique, {tensor(DType::F16, {3}, h)});
  EXPECT_EQ(y.dtype(), DType::F16);
  EXPECT_EQ(values<uint16_t>(y), (std::vector<uint16_t>{ir::floatToHalf(-1.f), ir::floatToHalf(2.f)}));
}

TEST(HostDynamic, UniqueEmptyInput) {
  std::vector<Value> out = runHost(OpKind::Unique, {Tensor(DType::F32, {0, 3})},
                                   attrs({{"axis", int64_t{0}}}), {true, true, true, true});
  EXPECT_EQ(out[0].tensor().shape(), (std::vector<int64_t>{0, 3}));
  EXPECT_EQ(out[2].tensor().shape(), (std::vector<int64_t>{0}));
  EXPECT_EQ(runHost1(OpKind::Unique, {Tensor(DType::I32, {0})}).shape(), (std::vector<int64_t>{0}));
}

TEST(HostDynamic, UniqueErrors) {
  Tensor x = i64s({2, 2}, {1, 2, 3, 4});
  EXPECT_NE(errorOf([&] {
              runHost(OpKind::Unique, {x}, attrs({{"axis", int64_t{2}}}));
            }).find("axis 2"),
            std::string::npos);
  EXPECT_NE(errorOf([&] {
              runHost(OpKind::Unique, {x}, attrs({{"axis", int64_t{-3}}}));
            }).find("out of range"),
            std::string::npos);
  EXPECT_NE(errorOf([&] {
              runHost(OpKind::Unique, {x}, attrs({{"sorted", int64_t{2}}}));
            }).find("sorted"),
            std::string::npos);
}

// ---- Compress

TEST(HostDynamic, CompressAxisAndShortCondition) {
  Tensor x = f32s({3, 2}, {1, 2, 3, 4, 5, 6});
  Tensor y = runHost1(OpKind::Compress, {x, bools({1, 0, 1})}, attrs({{"axis", int64_t{0}}}));
  EXPECT_EQ(y.shape(), (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(values<float>(y), (std::vector<float>{1, 2, 5, 6}));
  y = runHost1(OpKind::Compress, {x, bools({0, 1})}, attrs({{"axis", int64_t{-1}}}));
  EXPECT_EQ(y.shape(), (std::vector<int64_t>{3, 1}));
  EXPECT_EQ(values<float>(y), (std::vector<float>{2, 4, 6}));
  // Shorter than the flattened input: the rest is dropped.
  y = runHost1(OpKind::Compress, {x, bools({0, 1, 1})});
  EXPECT_EQ(values<float>(y), (std::vector<float>{2, 3}));
  // Longer, with only false entries past the end.
  y = runHost1(OpKind::Compress, {x, bools({1, 0, 0, 0})}, attrs({{"axis", int64_t{1}}}));
  EXPECT_EQ(values<float>(y), (std::vector<float>{1, 3, 5}));
}

TEST(HostDynamic, CompressEmptyAndStrings) {
  Tensor x = f32s({3, 2}, {1, 2, 3, 4, 5, 6});
  EXPECT_EQ(runHost1(OpKind::Compress, {x, bools({0, 0, 0})}, attrs({{"axis", int64_t{0}}})).shape(),
            (std::vector<int64_t>{0, 2}));
  EXPECT_EQ(runHost1(OpKind::Compress, {x, Tensor(DType::Bool, {0})}).shape(), (std::vector<int64_t>{0}));
  Tensor s = tensor<std::string>(DType::String, {2, 2}, {"a", "b", "c", "d"});
  Tensor y = runHost1(OpKind::Compress, {s, bools({0, 1})}, attrs({{"axis", int64_t{1}}}));
  EXPECT_EQ(values<std::string>(y), (std::vector<std::string>{"b", "d"}));
  // A scalar input without axis is flattened to one element.
  EXPECT_EQ(values<int64_t>(runHost1(OpKind::Compress, {i64s({}, {9}), bools({1})})),
            (std::vector<int64_t>{9}));
}

TEST(HostDynamic, CompressErrors) {
  Tensor x = f32s({3, 2}, {1, 2, 3, 4, 5, 6});
  EXPECT_NE(errorOf([&] {
              runHost(OpKind::Compress, {x, bools({0, 0, 1})}, attrs({{"axis", int64_t{1}}}));
            }).find("past the 2 slices"),
            std::string::npos);
  EXPECT_NE(errorOf([&] {
              runHost(OpKind::Compress, {x, bools({1})}, attrs({{"axis", int64_t{2}}}));
            }).find("out of range"),
            std::string::npos);
  EXPECT_NE(errorOf([&] {
              runHost(OpKind::Compress, {x, i64s({2}, {1, 0})});
            }).find("unsupported"),
            std::string::npos);
  EXPECT_NE(errorOf([&] {
              runHost(OpKind::Compress, {x, tensor<uint8_t>(DType::Bool, {1, 2}, {1, 0})});
            }).find("rank 1"),
            std::string::npos);
}

// ---- NonMaxSuppression

TEST(HostDynamic, NmsCenterPointTiesAndThresholds) {
  // Boxes 0 and 1 overlap heavily (IoU 2/3), box 2 is apart; boxes 0 and 1 tie on score.
  Tensor boxes = f32s({1, 3, 4}, {0.5f, 0.5f, 1, 1, 0.7f, 0.5f, 1, 1, 5, 5, 1, 1});
  Tensor scores = f32s({1, 1, 3}, {0.9f, 0.9f, 0.3f});
  Tensor y = runHost1(OpKind::NonMaxSuppression,
                      {boxes, scores, i64s({1}, {10}), f32s({1}, {0.5f}), f32s({1}, {0.f})},
                      attrs({{"center_point_box", int64_t{1}}}));
  EXPECT_EQ(y.shape(), (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(values<int64_t>(y), (std::vector<int64_t>{0, 0, 0, 0, 0, 2}));
  // A higher IoU threshold keeps box 1; a score threshold drops box 2.
  y = runHost1(OpKind::NonMaxSuppression, {boxes, scores, i64s({}, {10}), f32s({}, {0.7f}), f32s({}, {0.3f})},
               attrs({{"center_point_box", int64_t{1}}}));
  EXPECT_EQ(values<int64_t>(y), (std::vector<int64_t>{0, 0, 0, 0, 0, 1}));
}

TEST(HostDynamic, NmsEmptyAndDegenerate) {
  Tensor boxes = f32s({1, 2, 4}, {0, 0, 1, 1, 0, 0, 0, 0});  // box 1 has zero area: never suppressed
  Tensor scores = f32s({1, 1, 2}, {0.5f, 0.6f});
  EXPECT_EQ(runHost1(OpKind::NonMaxSuppression, {boxes, scores}).shape(), (std::vector<int64_t>{0, 3}));
  EXPECT_EQ(runHost1(OpKind::NonMaxSuppression, {boxes, scores, i64s({1}, {-4})}).shape(),
            (std::vector<int64_t>{0, 3}));
  Tensor y =
      runHost1(OpKind::NonMaxSuppression, {boxes, scores, i64s({1}, {5}), std::nullopt, f32s({1}, {0.1f})});
  EXPECT_EQ(values<int64_t>(y), (std::vector<int64_t>{0, 0, 1, 0, 0, 0}));
  EXPECT_EQ(runHost1(OpKind::NonMaxSuppression,
                     {Tensor(DType::F32, {2, 0, 4}), Tensor(DType::F32, {2, 3, 0}), i64s({1}, {5})})
                .shape(),
            (std::vector<int64_t>{0, 3}));
}

TEST(HostDynamic, NmsErrors) {
  Tensor boxes = f32s({1, 2, 4}, {0, 0, 1, 1, 0, 0, 2, 2});
  Tensor scores = f32s({1, 1, 2}, {0.5f, 0.6f});
  EXPECT_NE(errorOf([&] {
              runHost(OpKind::NonMaxSuppression, {f32s({2, 4}, std::vector<float>(8)), scores});
            }).find("boxes must have shape"),
            std::string::npos);
  EXPECT_NE(errorOf([&] {
              runHost(OpKind::NonMaxSuppression, {boxes, f32s({1, 1, 3}, {0, 0, 0})});
            }).find("scores must have shape"),
            std::string::npos);
  EXPECT_NE(errorOf([&] {
              runHost(OpKind::NonMaxSuppression, {boxes, scores, i64s({1}, {1}), f32s({1}, {1.5f})});
            }).find("iou_threshold"),
            std::string::npos);
  EXPECT_NE(errorOf([&] {
              runHost(OpKind::NonMaxSuppression, {boxes, scores, i64s({2}, {1, 2})});
            }).find("one value"),
            std::string::npos);
  EXPECT_NE(errorOf([&] {
              runHost(OpKind::NonMaxSuppression, {boxes, scores}, attrs({{"center_point_box", int64_t{2}}}));
            }).find("center_point_box"),
            std::string::npos);
  Tensor halfBoxes(DType::F16, {1, 2, 4});
  EXPECT_NE(errorOf([&] {
              runHost(OpKind::NonMaxSuppression, {halfBoxes, scores});
            }).find("unsupported"),
            std::string::npos);
}

// ---- Through StagedModel: compiled stages after (and before) a host op.

// x -> Greater(x, 0) -> NonZero -> Transpose -> Cast(f32) -> Add(1): a compiled
// stage, the host op, then a stage compiled for the count NonZero found.
codegen::StagedModel nonZeroChain() {
  ir::Graph g;
  g.name = "chain";
  ir::ValueId x = g.addValue("x", ir::staticType(DType::F32, {2, 3}));
  g.inputs.push_back(x);
  ir::ValueId zero = g.addConstant("zero", ir::TensorData::fromFloats({0.f}, {}));
  ir::ValueId one = g.addConstant("one", ir::TensorData::fromFloats({1.f}, {}));
  ir::ValueId mask = g.addValue("mask", ir::staticType(DType::Bool, {2, 3}));
  ir::TensorType nzType;
  nzType.dtype = DType::I64;
  nzType.shape = {ir::Dim::known(2), ir::Dim::unknown()};
  ir::ValueId nz = g.addValue("nz", nzType);
  ir::TensorType tType;
  tType.dtype = DType::I64;
  tType.shape = {ir::Dim::unknown(), ir::Dim::known(2)};
  ir::ValueId t = g.addValue("t", tType);
  tType.dtype = DType::F32;
  ir::ValueId f = g.addValue("f", tType);
  ir::ValueId y = g.addValue("y", tType);
  g.addNode(OpKind::Greater, {x, zero}, {mask});
  g.addNode(OpKind::NonZero, {mask}, {nz});
  g.addNode(OpKind::Transpose, {nz}, {t});
  g.addNode(OpKind::Cast, {t}, {f}).attrs.set("to", int64_t{static_cast<int64_t>(DType::F32)});
  g.addNode(OpKind::Add, {f, one}, {y});
  g.outputs.push_back(y);
  return codegen::StagedModel(std::move(g), codegen::CompileOptions{});
}

TEST(HostDynamic, StagedNonZeroThenCompiledOps) {
  codegen::StagedModel model = nonZeroChain();
  EXPECT_EQ(model.numHostNodes(), 1u);
  EXPECT_EQ(model.numStages(), 2u);
  runtime::ThreadPool pool(2);
  std::vector<Value> out = model.run({Value(f32s({2, 3}, {0, 1, 0, -1, 2, 3}))}, pool);
  const Tensor& y = out.at(0).tensor();
  EXPECT_EQ(y.shape(), (std::vector<int64_t>{3, 2}));
  EXPECT_EQ(values<float>(y), (std::vector<float>{1, 2, 2, 2, 2, 3}));
  // All zeros: the next stage runs on 0-size tensors.
  out = model.run({Value(f32s({2, 3}, {0, -1, 0, -1, -2, -3}))}, pool);
  EXPECT_EQ(out.at(0).tensor().shape(), (std::vector<int64_t>{0, 2}));
  // Another count again: a stage compiled for that shape.
  out = model.run({Value(f32s({2, 3}, {5, 0, 0, 0, 0, 0}))}, pool);
  EXPECT_EQ(values<float>(out.at(0).tensor()), (std::vector<float>{1, 1}));
}

TEST(HostDynamic, StagedCompressThenRelu) {
  ir::Graph g;
  g.name = "compress_relu";
  ir::ValueId x = g.addValue("x", ir::staticType(DType::F32, {2, 3}));
  ir::ValueId c = g.addValue("c", ir::unknownRank(DType::Bool));
  g.inputs = {x, c};
  ir::ValueId s = g.addValue("s", ir::unknownRank(DType::F32));
  ir::ValueId y = g.addValue("y", ir::unknownRank(DType::F32));
  g.addNode(OpKind::Compress, {x, c}, {s}).attrs.set("axis", int64_t{1});
  g.addNode(OpKind::Relu, {s}, {y});
  g.outputs.push_back(y);
  codegen::StagedModel model(std::move(g), codegen::CompileOptions{});
  runtime::ThreadPool pool(1);
  Tensor xs = f32s({2, 3}, {-1, 2, -3, 4, -5, 6});
  std::vector<Value> out = model.run({Value(xs), Value(bools({1, 0, 1}))}, pool);
  EXPECT_EQ(out.at(0).tensor().shape(), (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(values<float>(out.at(0).tensor()), (std::vector<float>{0, 0, 4, 6}));
  out = model.run({Value(xs), Value(bools({0, 0, 0}))}, pool);
  EXPECT_EQ(out.at(0).tensor().shape(), (std::vector<int64_t>{2, 0}));
  // A true entry past the axis fails naming the node, not a crash.
  EXPECT_NE(errorOf([&] {
              model.run({Value(xs), Value(bools({0, 0, 0, 1}))}, pool);
            }).find("Compress"),
            std::string::npos);
}

}  // namespace
}  // namespace kiln
