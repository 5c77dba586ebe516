// Host kernels for sequences and optionals (runtime/host/sequence_*.cpp) run
// through StagedModel: positions (negative, out of range), SplitToSequence's
// split forms, ConcatFromSequence with and without new_axis, optionals that
// are empty or absent, and the errors bad inputs raise.
#include <gtest/gtest.h>

#include "host_graph.h"

namespace kiln {
namespace {

using ir::Container;
using ir::OpKind;
using ir::TensorData;
using runtime::Tensor;
using runtime::Value;
using testing::attrs;
using testing::expectError;
using testing::HostGraph;
using testing::makeTensor;
using testing::valuesOf;

Tensor f32(std::vector<int64_t> shape, const std::vector<float>& v) { return makeTensor(DType::F32, shape, v); }
Tensor i64(std::vector<int64_t> shape, const std::vector<int64_t>& v) { return makeTensor(DType::I64, shape, v); }
Tensor scalar(int64_t v) { return i64({}, {v}); }

const std::vector<Container> kSeq = {Container::Sequence};
const std::vector<Container> kOpt = {Container::Optional};

// The first element of each tensor of a sequence.
std::vector<float> heads(const Value& v) {
  std::vector<float> out;
  for (const Tensor& t : v.sequence()) out.push_back(valuesOf<float>(t).at(0));
  return out;
}

TEST(HostSequence, ConstructInsertAtEraseLength) {
  HostGraph h;
  auto a = h.tensor(f32({1}, {1})), b = h.tensor(f32({2}, {2, 2})), c = h.tensor(f32({1}, {3}));
  auto s = h.node(OpKind::SequenceConstruct, {a, b}, {}, DType::F32, kSeq);
  auto front = h.node(OpKind::SequenceInsert, {s, c, h.constant(TensorData::fromInts({-2}, {}))}, {}, DType::F32, kSeq);
  auto back = h.node(OpKind::SequenceInsert, {front, a}, {}, DType::F32, kSeq);            // appends
  auto end = h.node(OpKind::SequenceInsert, {back, b, h.constant(TensorData::fromInts({4}, {}))}, {}, DType::F32,
                    kSeq);                                                                  // position n appends
  auto erased = h.node(OpKind::SequenceErase, {end}, {}, DType::F32, kSeq);                // erases the last
  auto erased0 = h.node(OpKind::SequenceErase, {erased, h.constant(TensorData::fromInts({-4}, {}))}, {},
                        DType::F32, kSeq);
  auto at = h.node(OpKind::SequenceAt, {end, h.constant(TensorData::fromInts({-1}, {}))});
  auto len = h.node(OpKind::SequenceLength, {erased0}, {}, DType::I64);
  auto out = h.run({end, erased, erased0, at, len});
  EXPECT_EQ(heads(out[0]), (std::vector<float>{3, 1, 2, 1, 2}));
  EXPECT_EQ(heads(out[1]), (std::vector<float>{3, 1, 2, 1}));
  EXPECT_EQ(heads(out[2]), (std::vector<float>{1, 2, 1}));
  EXPECT_EQ(out[3].tensor().shape(), (std::vector<int64_t>{2}));
  EXPECT_EQ(valuesOf<int64_t>(out[4].tensor()), (std::vector<int64_t>{3}));
  EXPECT_TRUE(out[4].tensor().shape().empty());
}

TEST(HostSequence, EmptyThenInsertWithInt32Position) {
  HostGraph h;
  auto x = h.tensor(f32({2}, {5, 6}));
  auto e = h.node(OpKind::SequenceEmpty, {}, attrs({{"dtype", int64_t{1}}}), DType::F32, kSeq);
  auto pos = h.tensor(makeTensor<int32_t>(DType::I32, {}, {0}));
  auto s = h.node(OpKind::SequenceInsert, {e, x, pos}, {}, DType::F32, kSeq);
  auto out = h.run({e, s});
  EXPECT_TRUE(out[0].sequence().empty());
  ASSERT_EQ(out[1].sequence().size(), 1u);
  EXPECT_EQ(valuesOf<float>(out[1].sequence()[0]), (std::vector<float>{5, 6}));
}

TEST(HostSequence, PositionErrors) {
  auto insertAt = [](int64_t pos) {
    HostGraph h;
    auto s = h.sequence({f32({1}, {1}), f32({1}, {2})}, DType::F32);
    h.run1(h.node(OpKind::SequenceInsert, {s, h.tensor(f32({1}, {0})), h.tensor(scalar(pos))}, {}, DType::F32,
                  kSeq, "ins"));
  };
  insertAt(2);
  insertAt(-2);
  expectError([&] { insertAt(3); }, {"SequenceInsert node 'ins'", "position 3 is out of range [-2, 2]"});
  expectError([&] { insertAt(-3); }, {"out of range"});

  auto at = [](std::vector<Tensor> elements, int64_t pos) {
    HostGraph h;
    auto s = h.sequence(std::move(elements), DType::F32);
    return h.run1(h.node(OpKind::SequenceAt, {s, h.tensor(scalar(pos))}, {}, DType::F32, {}, "at"));
  };
  EXPECT_EQ(valuesOf<float>(at({f32({1}, {1}), f32({1}, {2})}, -2).tensor()), (std::vector<float>{1}));
  expectError([&] { at({f32({1}, {1}), f32({1}, {2})}, 2); }, {"SequenceAt node 'at'", "out of range [-2, 1]"});
  expectError([&] { at({}, 0); }, {"SequenceAt node 'at'", "empty sequence"});
  expectError([&] { at({}, -1); }, {"empty sequence"});

  expectError(
      [] {
        HostGraph h;
        auto s = h.sequence({}, DType::F32);
        h.run1(h.node(OpKind::SequenceErase, {s}, {}, DType::F32, kSeq, "erase"));
      },
      {"SequenceErase node 'erase'", "empty sequence"});
  expectError(
      [] {  // the position must be a scalar
        HostGraph h;
        auto s = h.sequence({f32({1}, {1})}, DType::F32);
        h.run1(h.node(OpKind::SequenceAt, {s, h.tensor(i64({2}, {0, 0}))}, {}, DType::F32, {}, "at"));
      },
      {"position must be a scalar"});
  expectError(
      [] {  // nor a float
        HostGraph h;
        auto s = h.sequence({f32({1}, {1})}, DType::F32);
        h.run1(h.node(OpKind::SequenceAt, {s, h.tensor(f32({}, {0}))}, {}, DType::F32, {}, "at"));
      },
      {"int32 or int64"});
}

TEST(HostSequence, DTypeMismatch) {
  expectError(
      [] {
        HostGraph h;
        auto s = h.sequence({f32({1}, {1})}, DType::F32);
        h.run1(h.node(OpKind::SequenceInsert, {s, h.tensor(i64({1}, {1}))}, {}, DType::F32, kSeq, "ins"));
      },
      {"SequenceInsert node 'ins'", "cannot add a i64 tensor to a sequence of f32 tensors"});
  expectError(
      [] {
        HostGraph h;
        h.run1(h.node(OpKind::SequenceConstruct, {h.tensor(f32({1}, {1})), h.tensor(i64({1}, {1}))}, {},
                      DType::F32, kSeq, "mk"));
      },
      {"SequenceConstruct node 'mk'", "one dtype"});
  expectError(
      [] {  // a tensor where a sequence belongs
        HostGraph h;
        h.run1(h.node(OpKind::SequenceLength, {h.tensor(f32({1}, {1}))}, {}, DType::I64, {}, "len"));
      },
      {"SequenceLength node 'len'", "input #0 is a tensor, expected a sequence"});
}

TEST(HostSequence, SplitToSequenceForms) {
  Tensor x = f32({2, 5}, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
  auto split = [&](std::optional<Tensor> s, ir::Attributes a) {
    HostGraph h;
    auto in = h.tensor(x);
    std::vector<ir::ValueId> ins{in};
    if (s) ins.push_back(h.tensor(*s));
    return h.run1(h.node(OpKind::SplitToSequence, ins, std::move(a), DType::F32, kSeq, "split")).sequence();
  };
  // No split: pieces of 1, kept or dropped axis.
  auto ones = split(std::nullopt, attrs({{"axis", int64_t{1}}}));
  ASSERT_EQ(ones.size(), 5u);
  EXPECT_EQ(ones[3].shape(), (std::vector<int64_t>{2, 1}));
  EXPECT_EQ(valuesOf<float>(ones[3]), (std::vector<float>{3, 8}));
  auto dropped = split(std::nullopt, attrs({{"axis", int64_t{-1}}, {"keepdims", int64_t{0}}}));
  ASSERT_EQ(dropped.size(), 5u);
  EXPECT_EQ(dropped[4].shape(), (std::vector<int64_t>{2}));
  EXPECT_EQ(valuesOf<float>(dropped[4]), (std::vector<float>{4, 9}));
  // Scalar split: chunks of 2, the last shorter; keepdims ignored.
  auto chunks = split(scalar(2), attrs({{"axis", int64_t{1}}, {"keepdims", int64_t{0}}}));
  ASSERT_EQ(chunks.size(), 3u);
  EXPECT_EQ(chunks[2].shape(), (std::vector<int64_t>{2, 1}));
  EXPECT_EQ(valuesOf<float>(chunks[1]), (std::vector<float>{2, 3, 7, 8}));
  // 1-D split (int32), zero lengths allowed.
  auto parts = split(makeTensor<int32_t>(DType::I32, {3}, {1, 0, 4}), attrs({{"axis", int64_t{1}}}));
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[1].shape(), (std::vector<int64_t>{2, 0}));
  EXPECT_EQ(valuesOf<float>(parts[2]), (std::vector<float>{1, 2, 3, 4, 6, 7, 8, 9}));
  auto rows = split(i64({1}, {2}), {});
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].shape(), (std::vector<int64_t>{2, 5}));

  expectError([&] { split(i64({2}, {2, 2}), attrs({{"axis", int64_t{1}}})); },
              {"SplitToSequence node 'split'", "sum to 4, axis 1 has length 5"});
  expectError([&] { split(i64({2}, {6, -1}), attrs({{"axis", int64_t{1}}})); }, {"exceed"});
  expectError([&] { split(i64({2}, {-1, 6}), attrs({{"axis", int64_t{1}}})); }, {"negative length -1"});
  expectError([&] { split(scalar(0), {}); }, {"split must be positive"});
  expectError([&] { split(i64({1, 1}, {2}), {}); }, {"scalar or a 1-D tensor"});
  expectError([&] { split(std::nullopt, attrs({{"axis", int64_t{2}}})); }, {"axis 2 is out of range [-2, 1]"});
  expectError([&] { split(std::nullopt, attrs({{"axis", int64_t{-3}}})); }, {"out of range"});
}

TEST(HostSequence, SplitEmptyAxisAndStrings) {
  HostGraph h;
  auto x = h.tensor(f32({0, 3}, {}));
  auto none = h.node(OpKind::SplitToSequence, {x}, {}, DType::F32, kSeq);
  auto zeros = h.node(OpKind::SplitToSequence, {x, h.tensor(i64({2}, {0, 0}))}, {}, DType::F32, kSeq);
  auto words = h.tensor(testing::strings({2, 2}, {"a", "b", "c", "d"}));
  auto cols = h.node(OpKind::SplitToSequence, {words}, attrs({{"axis", int64_t{1}}, {"keepdims", int64_t{0}}}),
                     DType::String, kSeq);
  auto out = h.run({none, zeros, cols});
  EXPECT_TRUE(out[0].sequence().empty());
  ASSERT_EQ(out[1].sequence().size(), 2u);
  EXPECT_EQ(out[1].sequence()[1].shape(), (std::vector<int64_t>{0, 3}));
  ASSERT_EQ(out[2].sequence().size(), 2u);
  EXPECT_EQ(valuesOf<std::string>(out[2].sequence()[1]), (std::vector<std::string>{"b", "d"}));
}

TEST(HostSequence, ConcatFromSequence) {
  auto concat = [](std::vector<Tensor> elements, ir::Attributes a) {
    HostGraph h;
    auto s = h.sequence(std::move(elements), DType::F32);
    return h.run1(h.node(OpKind::ConcatFromSequence, {s}, std::move(a), DType::F32, {}, "cat")).tensor();
  };
  Tensor a = f32({2, 1}, {1, 2}), b = f32({2, 2}, {3, 4, 5, 6});
  Tensor cat = concat({a, b}, attrs({{"axis", int64_t{-1}}}));
  EXPECT_EQ(cat.shape(), (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(valuesOf<float>(cat), (std::vector<float>{1, 3, 4, 2, 5, 6}));
  Tensor c = f32({2}, {1, 2}), d = f32({2}, {3, 4});
  Tensor stacked = concat({c, d}, attrs({{"axis", int64_t{-1}}, {"new_axis", int64_t{1}}}));
  EXPECT_EQ(stacked.shape(), (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(valuesOf<float>(stacked), (std::vector<float>{1, 3, 2, 4}));
  Tensor rows = concat({c, d}, attrs({{"axis", int64_t{0}}, {"new_axis", int64_t{1}}}));
  EXPECT_EQ(valuesOf<float>(rows), (std::vector<float>{1, 2, 3, 4}));
  Tensor single = concat({b}, attrs({{"axis", int64_t{0}}}));
  EXPECT_EQ(valuesOf<float>(single), (std::vector<float>{3, 4, 5, 6}));

  expectError([&] { concat({a, b}, attrs({{"axis", int64_t{0}}})); },
              {"ConcatFromSequence node 'cat'", "may differ only along axis 0"});
  expectError([&] { concat({a, b}, attrs({{"axis", int64_t{1}}, {"new_axis", int64_t{1}}})); },
              {"needs equal shapes"});
  expectError([&] { concat({c, d}, attrs({{"axis", int64_t{2}}, {"new_axis", int64_t{1}}})); },
              {"axis 2 is out of range [-2, 1]"});
  expectError([&] { concat({c, d}, attrs({{"axis", int64_t{1}}})); }, {"axis 1 is out of range [-1, 0]"});
  expectError([&] { concat({}, attrs({{"axis", int64_t{0}}})); }, {"empty sequence"});
  expectError([&] { concat({c}, {}); }, {"'axis' is required"});
  expectError([&] { concat({c, f32({2, 1}, {1, 2})}, attrs({{"axis", int64_t{0}}})); }, {"may differ only"});
}

TEST(HostSequence, Optionals) {
  HostGraph h;
  auto x = h.tensor(f32({2}, {1, 2}));
  auto some = h.node(OpKind::Optional, {x}, {}, DType::F32, kOpt);
  auto none = h.node(OpKind::Optional, {}, {}, DType::F32, kOpt);
  auto hasSome = h.node(OpKind::OptionalHasElement, {some}, {}, DType::Bool);
  auto hasNone = h.node(OpKind::OptionalHasElement, {none}, {}, DType::Bool);
  auto hasAbsent = h.node(OpKind::OptionalHasElement, {}, {}, DType::Bool);
  auto hasTensor = h.node(OpKind::OptionalHasElement, {x}, {}, DType::Bool);
  auto got = h.node(OpKind::OptionalGetElement, {some});
  auto gotTensor = h.node(OpKind::OptionalGetElement, {x});
  auto idNone = h.node(OpKind::Identity, {none}, {}, DType::F32, kOpt);
  auto out = h.run({some, none, hasSome, hasNone, hasAbsent, hasTensor, got, gotTensor, idNone});
  EXPECT_TRUE(out[0].isTensor());
  EXPECT_TRUE(out[1].isNone());
  EXPECT_EQ(valuesOf<uint8_t>(out[2].tensor()), std::vector<uint8_t>{1});
  EXPECT_EQ(valuesOf<uint8_t>(out[3].tensor()), std::vector<uint8_t>{0});
  EXPECT_EQ(valuesOf<uint8_t>(out[4].tensor()), std::vector<uint8_t>{0});
  EXPECT_EQ(valuesOf<uint8_t>(out[5].tensor()), std::vector<uint8_t>{1});
  EXPECT_EQ(valuesOf<float>(out[6].tensor()), (std::vector<float>{1, 2}));
  EXPECT_EQ(valuesOf<float>(out[7].tensor()), (std::vector<float>{1, 2}));
  EXPECT_TRUE(out[8].isNone());

  expectError(
      [] {
        HostGraph h;
        auto in = h.input(Value::none(), DType::F32, kOpt);
        h.run1(h.node(OpKind::OptionalGetElement, {in}, {}, DType::F32, {}, "get"));
      },
      {"OptionalGetElement node 'get'", "empty"});
}

TEST(HostSequence, OptionalSequenceAndIdentity) {
  HostGraph h;
  auto s = h.input(Value::sequence({f32({1}, {7})}), DType::F32, {Container::Optional, Container::Sequence});
  auto has = h.node(OpKind::OptionalHasElement, {s}, {}, DType::Bool);
  auto got = h.node(OpKind::OptionalGetElement, {s}, {}, DType::F32, kSeq);
  auto id = h.node(OpKind::Identity, {got}, {}, DType::F32, kSeq);
  auto words = h.tensor(testing::strings({2}, {"x", "y"}));
  auto idWords = h.node(OpKind::Identity, {words}, {}, DType::String);
  auto out = h.run({has, id, idWords});
  EXPECT_EQ(valuesOf<uint8_t>(out[0].tensor()), std::vector<uint8_t>{1});
  EXPECT_EQ(heads(out[1]), (std::vector<float>{7}));
  EXPECT_EQ(valuesOf<std::string>(out[2].tensor()), (std::vector<std::string>{"x", "y"}));
}

// Host steps between compiled stages: a compiled Add reads SequenceAt's output
// and SplitToSequence reads a compiled Relu's.
TEST(HostSequence, CompiledStagesAroundHostSteps) {
  HostGraph h;
  auto x = h.tensor(f32({3, 2}, {-1, 2, 3, -4, 5, 6}));
  auto relu = h.node(OpKind::Relu, {x});
  auto s = h.node(OpKind::SplitToSequence, {relu}, attrs({{"keepdims", int64_t{0}}}), DType::F32, kSeq);
  auto row = h.node(OpKind::SequenceAt, {s, h.constant(TensorData::fromInts({1}, {}))});
  auto sum = h.node(OpKind::Add, {row, row});
  auto out = h.run1(sum).tensor();
  EXPECT_EQ(out.shape(), (std::vector<int64_t>{2}));
  EXPECT_EQ(valuesOf<float>(out), (std::vector<float>{6, 0}));
}

}  // namespace
}  // namespace kiln
