// Control-flow host kernels (runtime/host/control_*.cpp) run through a
// StagedModel: If, Loop, Scan (opset 9+ and the opset-8 batch form) and
// SequenceMap, with subgraphs parsed from text and attached to nodes built
// here. Covers edge cases the ONNX Runtime comparisons (tests/ops/gen_control.py)
// cannot: sequences through control flow, zero-length scans, empty sequences,
// and the error paths.
#include <gtest/gtest.h>

#include <chrono>
#include <cstring>
#include <functional>
#include <memory>

#include "codegen/staged_model.h"
#include "ir/error.h"
#include "ir/text.h"
#include "runtime/thread_pool.h"

namespace kiln {
namespace {

using codegen::StagedModel;
using ir::OpKind;
using ir::ValueId;
using runtime::Tensor;
using runtime::Value;

Tensor floats(std::vector<int64_t> shape, const std::vector<float>& v) {
  Tensor t(DType::F32, std::move(shape));
  EXPECT_EQ(static_cast<size_t>(t.numElements()), v.size());
  std::memcpy(t.data(), v.data(), v.size() * sizeof(float));
  return t;
}
Tensor int64s(std::vector<int64_t> shape, const std::vector<int64_t>& v) {
  Tensor t(DType::I64, std::move(shape));
  std::memcpy(t.data(), v.data(), v.size() * sizeof(int64_t));
  return t;
}
Tensor boolean(bool b, std::vector<int64_t> shape = {}) {
  Tensor t(DType::Bool, std::move(shape));
  *t.data<uint8_t>() = b ? 1 : 0;
  return t;
}
std::vector<float> floatsOf(const Value& v) {
  const Tensor& t = v.tensor();
  EXPECT_EQ(t.dtype(), DType::F32);
  return std::vector<float>(t.data<float>(), t.data<float>() + t.numElements());
}
using Shape = std::vector<int64_t>;

ir::GraphPtr sub(const char* text) { return std::make_shared<const ir::Graph>(ir::parseGraph(text)); }

// A subgraph with no node (the text form cannot declare sequences yet): its
// inputs are f32 values of unknown shape wrapped in `containers`; it returns
// the inputs listed in `outputs`.
struct SubInput {
  const char* name;
  DType dtype;
  std::vector<ir::Container> containers;
};
ir::GraphPtr passThrough(const std::vector<SubInput>& inputs, const std::vector<size_t>& outputs) {
  auto g = std::make_shared<ir::Graph>();
  g->name = "pass";
  for (const SubInput& in : inputs) {
    ValueId v = g->addValue(in.name, ir::unknownRank(in.dtype));
    g->value(v).containers = in.containers;
    g->inputs.push_back(v);
  }
  for (size_t i : outputs) g->outputs.push_back(g->inputs.at(i));
  return g;
}

// An outer graph of one control-flow node: graph inputs of the given types
// feed the node (formal inputs, then `captures` trailing captured ones; a
// kNoValue entry is an absent optional input), its outputs are graph outputs.
struct Outer {
  ir::Graph g;
  ValueId input(const std::string& name, ir::TensorType type, std::vector<ir::Container> containers = {}) {
    ValueId v = g.addValue(name, std::move(type));
    g.value(v).containers = std::move(containers);
    g.inputs.push_back(v);
    return v;
  }
  ir::Node& node(OpKind op, std::vector<ValueId> inputs, size_t numOutputs, int captures,
                 std::vector<ir::TensorType> outTypes = {}, std::vector<ir::Container> outContainers = {}) {
    std::vector<ValueId> outs;
    for (size_t i = 0; i < numOutputs; ++i) {
      ir::TensorType t = i < outTypes.size() ? outTypes[i] : ir::unknownRank(DType::F32);
      outs.push_back(g.addValue("out" + std::to_string(i), t));
      g.value(outs.back()).containers = outContainers;
      g.outputs.push_back(outs.back());
    }
    ir::Node& n = g.addNode(op, std::move(inputs), std::move(outs), "ctl");
    n.numCaptures = captures;
    return n;
  }
  std::vector<Value> run(const std::vector<Value>& inputs) {
    if (!model) model = std::make_unique<StagedModel>(g, codegen::CompileOptions{});
    runtime::ThreadPool pool(1);
    return model->run(inputs, pool);
  }
  std::unique_ptr<StagedModel> model;
};

void expectError(const std::function<void()>& f, const std::string& part) {
  try {
    f();
    FAIL() << "expected an error containing '" << part << "'";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what();
  }
}

// ---------------------------------------------------------------- If

Outer ifNegAbs() {
  Outer o;
  ValueId c = o.input("c", ir::unknownRank(DType::Bool));
  ValueId x = o.input("x", ir::staticType(DType::F32, {3}));
  ir::Node& n = o.node(OpKind::If, {c, x}, 1, 1);
  n.attrs.set("then_branch", sub(R"(kiln.graph "then" {
  input %x : f32[3]
  %y = Neg(%x) : f32[3]
  output %y
})"));
  n.attrs.set("else_branch", sub(R"(kiln.graph "else" {
  input %x : f32[3]
  %y = Abs(%x) : f32[3]
  output %y
})"));
  return o;
}

TEST(HostControl, IfSelectsABranch) {
  Outer o = ifNegAbs();
  Tensor x = floats({3}, {1, -2, 3});
  EXPECT_EQ(floatsOf(o.run({boolean(true), x})[0]), (std::vector<float>{-1, 2, -3}));
  EXPECT_EQ(floatsOf(o.run({boolean(false), x})[0]), (std::vector<float>{1, 2, 3}));
  // A one-element tensor of rank 1 is a condition too.
  EXPECT_EQ(floatsOf(o.run({boolean(true, {1}), x})[0]), (std::vector<float>{-1, 2, -3}));
}

TEST(HostControl, IfConditionMustBeOneBool) {
  Outer o = ifNegAbs();
  Tensor x = floats({3}, {1, -2, 3});
  expectError([&] { o.run({Tensor(DType::Bool, {2}), x}); }, "exactly one element");
  expectError([&] { o.run({Tensor(DType::Bool, {0}), x}); }, "exactly one element");
  expectError([&] { o.run({floats({}, {1}), x}); }, "expected bool");
}

TEST(HostControl, IfReturnsSequencesAndOptionals) {
  // The branches hand back captured outer values unchanged: a sequence, or an
  // optional that may be empty.
  Outer o;
  ValueId c = o.input("c", ir::unknownRank(DType::Bool));
  ValueId s = o.input("s", ir::unknownRank(DType::F32), {ir::Container::Sequence});
  ValueId p = o.input("p", ir::unknownRank(DType::F32), {ir::Container::Optional, ir::Container::Sequence});
  ir::Node& n = o.node(OpKind::If, {c, s, p}, 1, 2, {ir::unknownRank(DType::F32)},
                       {ir::Container::Optional, ir::Container::Sequence});
  const std::vector<SubInput> in = {{"s", DType::F32, {ir::Container::Sequence}},
                                    {"p", DType::F32, {ir::Container::Optional, ir::Container::Sequence}}};
  n.attrs.set("then_branch", passThrough(in, {0}));
  n.attrs.set("else_branch", passThrough(in, {1}));
  Value seq = Value::sequence({floats({2}, {1, 2}), floats({1}, {3})});
  std::vector<Value> out = o.run({boolean(true), seq, Value::none()});
  ASSERT_TRUE(out[0].isSequence());
  ASSERT_EQ(out[0].sequence().size(), 2u);
  EXPECT_EQ(floatsOf(out[0].sequence()[1]), (std::vector<float>{3}));
  out = o.run({boolean(false), seq, Value::none()});
  EXPECT_TRUE(out[0].isNone());
}

// ---------------------------------------------------------------- Loop

// Loop(M, cond, v) whose body doubles v, adds the iteration number to it and
// emits v + 0 as a scan output; cond_out = iteration_num < stop (an outer value).
Outer doublingLoop(bool withM, bool withCond) {
  Outer o;
  ValueId m = withM ? o.input("m", ir::unknownRank(DType::I64)) : ir::kNoValue;
  ValueId c = withCond ? o.input("c", ir::unknownRank(DType::Bool)) : ir::kNoValue;
  ValueId v = o.input("v", ir::staticType(DType::F32, {2}));
  ValueId stop = o.input("stop", ir::staticType(DType::I64, {}));
  ir::Node& n = o.node(OpKind::Loop, {m, c, v, stop}, 2, 1,
                       {ir::staticType(DType::F32, {2}), ir::TensorType{DType::F32, {ir::Dim::unknown(), ir::Dim::known(2)}}});
  n.attrs.set("body", sub(R"(kiln.graph "body" {
  input %i : i64[]
  input %cond : bool[]
  input %v : f32[2]
  input %stop : i64[]
  %cond_out = Less(%i, %stop) : bool[]
  %fi = Cast(%i) {to = 1} : f32[]
  %d = Add(%v, %v) : f32[2]
  %v_out = Add(%d, %fi) : f32[2]
  %scan = Identity(%v_out) : f32[2]
  output %cond_out
  output %v_out
  output %scan
})"));
  return o;
}

TEST(HostControl, LoopTripCountOnly) {
  Outer o = doublingLoop(true, false);
  // cond_out is ignored without a cond input: all 3 iterations run.
  std::vector<Value> out = o.run({int64s({}, {3}), floats({2}, {1, 0}), int64s({}, {0})});
  // v: [1,0] -> [2,0] -> [5,1] -> [12,4]
  EXPECT_EQ(floatsOf(out[0]), (std::vector<float>{12, 4}));
  EXPECT_EQ(out[1].tensor().shape(), (Shape{3, 2}));
  EXPECT_EQ(floatsOf(out[1]), (std::vector<float>{2, 0, 5, 1, 12, 4}));
  // A negative trip count runs no iteration.
  out = o.run({int64s({}, {-4}), floats({2}, {1, 0}), int64s({}, {0})});
  EXPECT_EQ(floatsOf(out[0]), (std::vector<float>{1, 0}));
  EXPECT_EQ(out[1].tensor().shape(), (Shape{0, 2}));
}

TEST(HostControl, LoopConditionOnly) {
  Outer o = doublingLoop(false, true);
  // Iterations 0, 1, 2 run; iteration 2 returns cond_out = 2 < 2 = false.
  std::vector<Value> out = o.run({boolean(true), floats({2}, {1, 0}), int64s({}, {2})});
  EXPECT_EQ(floatsOf(out[0]), (std::vector<float>{12, 4}));
  EXPECT_EQ(out[1].tensor().shape(), (Shape{3, 2}));
  // False on entry: no iteration.
  out = o.run({boolean(false), floats({2}, {1, 0}), int64s({}, {2})});
  EXPECT_EQ(floatsOf(out[0]), (std::vector<float>{1, 0}));
  EXPECT_EQ(out[1].tensor().shape(), (Shape{0, 2}));
}

TEST(HostControl, LoopTripCountAndCondition) {
  Outer o = doublingLoop(true, true);
  EXPECT_EQ(o.run({int64s({}, {10}), boolean(true), floats({2}, {1, 0}), int64s({}, {1})})[1].tensor().shape(),
            (Shape{2, 2}));
  EXPECT_EQ(o.run({int64s({}, {1}), boolean(true), floats({2}, {1, 0}), int64s({}, {5})})[1].tensor().shape(),
            (Shape{1, 2}));
  expectError([&] { o.run({int64s({1}, {1}), Tensor(DType::I64, {}), floats({2}, {1, 0}), int64s({}, {5})}); },
              "expected bool");
  expectError([&] { o.run({Tensor(DType::I64, {2}), boolean(true), floats({2}, {1, 0}), int64s({}, {5})}); },
              "exactly one element");
}

TEST(HostControl, LoopWithoutTripCountOrConditionIsRefused) {
  Outer o = doublingLoop(false, false);
  expectError([&] { o.run({floats({2}, {1, 0}), int64s({}, {0})}); },
              "unsupported: Loop without trip count or condition");
}

TEST(HostControl, LoopZeroTripsWithUnknownElementShape) {
  // Neither the node output nor the body output has a static shape: [0].
  Outer o;
  ValueId m = o.input("m", ir::staticType(DType::I64, {}));
  ValueId v = o.input("v", ir::unknownRank(DType::F32));
  ir::Node& n = o.node(OpKind::Loop, {m, ir::kNoValue, v}, 2, 0,
                       {ir::unknownRank(DType::F32), ir::unknownRank(DType::I32)});
  n.attrs.set("body", sub(R"(kiln.graph "body" {
  input %i : i64[]
  input %cond : bool[]
  input %v : f32[*]
  %s = Shape(%v) : i64[?]
  %s32 = Cast(%s) {to = 6} : i32[?]
  output %cond
  output %v
  output %s32
})"));
  std::vector<Value> out = o.run({int64s({}, {0}), floats({2, 2}, {1, 2, 3, 4})});
  EXPECT_EQ(out[0].tensor().shape(), (Shape{2, 2}));
  EXPECT_EQ(out[1].tensor().shape(), (Shape{0}));
  EXPECT_EQ(out[1].tensor().dtype(), DType::I32);
  out = o.run({int64s({}, {2}), floats({2, 2}, {1, 2, 3, 4})});
  EXPECT_EQ(out[1].tensor().shape(), (Shape{2, 2}));
  EXPECT_EQ(out[1].tensor().data<int32_t>()[3], 2);
}

TEST(HostControl, LoopCarriedShapeChangesButScanOutputMustNot) {
  // The carried value grows by one element per iteration; the scan output is
  // the carried value itself, so its shape changes too: an error naming the node.
  Outer o;
  ValueId m = o.input("m", ir::staticType(DType::I64, {}));
  ValueId v = o.input("v", ir::TensorType{DType::F32, {ir::Dim::named("n")}});
  ir::Node& n = o.node(OpKind::Loop, {m, ir::kNoValue, v}, 2, 0);
  n.attrs.set("body", sub(R"(kiln.graph "body" {
  input %i : i64[]
  input %cond : bool[]
  input %v : f32[n]
  const %one : f32[1] = dense<[1.0]>
  %w = Concat(%v, %one) {axis = 0} : f32[?]
  output %cond
  output %w
  output %w
})"));
  std::vector<Value> out = o.run({int64s({}, {1}), floats({1}, {5})});
  EXPECT_EQ(floatsOf(out[0]), (std::vector<float>{5, 1}));
  expectError([&] { o.run({int64s({}, {3}), floats({1}, {5})}); },
              "Loop node 'ctl': scan output 'out1' is a f32 tensor of shape 3 in iteration 1");
}

TEST(HostControl, LoopCarriesSequences) {
  // A body that passes a sequence through unchanged (no host op in it).
  Outer o;
  ValueId m = o.input("m", ir::staticType(DType::I64, {}));
  ValueId s = o.input("s", ir::unknownRank(DType::F32), {ir::Container::Sequence});
  ir::Node& n = o.node(OpKind::Loop, {m, ir::kNoValue, s}, 1, 0, {ir::unknownRank(DType::F32)},
                       {ir::Container::Sequence});
  n.attrs.set("body", passThrough({{"i", DType::I64, {}}, {"cond", DType::Bool, {}},
                                   {"s", DType::F32, {ir::Container::Sequence}}},
                                  {1, 2}));
  std::vector<Value> out = o.run({int64s({}, {4}), Value::sequence({floats({1}, {7})})});
  ASSERT_TRUE(out[0].isSequence());
  EXPECT_EQ(floatsOf(out[0].sequence().at(0)), (std::vector<float>{7}));
}

TEST(HostControl, LoopRunsManyIterationsOnOneCompiledVariant) {
  // 2000 iterations of the same shapes: compiling per iteration would take
  // minutes; the body's variant is compiled once and reused.
  Outer o = doublingLoop(true, false);
  auto t0 = std::chrono::steady_clock::now();
  std::vector<Value> out = o.run({int64s({}, {2000}), floats({2}, {0, 0}), int64s({}, {0})});
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_EQ(out[1].tensor().shape(), (Shape{2000, 2}));
  EXPECT_LT(s, 30.0);
}

// ---------------------------------------------------------------- Scan

// Scan over one input with a running-sum state; the scan output is the sum.
Outer sumScan(ir::TensorType xType, ir::TensorType yType = ir::unknownRank(DType::F32)) {
  Outer o;
  ValueId s = o.input("s", ir::staticType(DType::F32, {2}));
  ValueId x = o.input("x", std::move(xType));
  ir::Node& n = o.node(OpKind::Scan, {s, x}, 2, 0, {ir::staticType(DType::F32, {2}), std::move(yType)});
  n.attrs.set("num_scan_inputs", int64_t{1});
  n.attrs.set("body", sub(R"(kiln.graph "body" {
  input %s : f32[2]
  input %x : f32[2]
  %s_out = Add(%s, %x) : f32[2]
  %y = Identity(%s_out) : f32[2]
  output %s_out
  output %y
})"));
  return o;
}

TEST(HostControl, ScanReverseInputOnAxis1AndOutputOnAxis1) {
  Outer o = sumScan(ir::unknownRank(DType::F32));
  ir::Node& n = o.g.nodes[0];
  n.attrs.set("scan_input_axes", std::vector<int64_t>{1});
  n.attrs.set("scan_input_directions", std::vector<int64_t>{1});
  n.attrs.set("scan_output_axes", std::vector<int64_t>{-1});
  n.attrs.set("scan_output_directions", std::vector<int64_t>{1});
  // x is 2x3: columns [1,4], [2,5], [3,6], visited last first.
  std::vector<Value> out = o.run({floats({2}, {0, 0}), floats({2, 3}, {1, 2, 3, 4, 5, 6})});
  EXPECT_EQ(floatsOf(out[0]), (std::vector<float>{6, 15}));
  // Sums in visiting order: [3,6], [5,11], [6,15]; reversed and stacked on axis 1.
  EXPECT_EQ(out[1].tensor().shape(), (Shape{2, 3}));
  EXPECT_EQ(floatsOf(out[1]), (std::vector<float>{6, 5, 3, 15, 11, 6}));
}

TEST(HostControl, ScanZeroLengthAndBadAttributes) {
  Outer o = sumScan(ir::TensorType{DType::F32, {ir::Dim::named("n"), ir::Dim::known(2)}});
  std::vector<Value> out = o.run({floats({2}, {1, 2}), Tensor(DType::F32, {0, 2})});
  EXPECT_EQ(floatsOf(out[0]), (std::vector<float>{1, 2}));
  EXPECT_EQ(out[1].tensor().shape(), (Shape{0, 2}));  // from the body's declared f32[2]

  Outer bad = sumScan(ir::unknownRank(DType::F32));
  bad.g.nodes[0].attrs.set("scan_input_axes", std::vector<int64_t>{2});
  expectError([&] { bad.run({floats({2}, {1, 2}), Tensor(DType::F32, {3, 2})}); },
              "scan_input_axes[0] = 2 is out of range");
  Outer bad2 = sumScan(ir::unknownRank(DType::F32));
  bad2.g.nodes[0].attrs.set("scan_output_directions", std::vector<int64_t>{2});
  expectError([&] { bad2.run({floats({2}, {1, 2}), Tensor(DType::F32, {3, 2})}); }, "directions are 0 or 1");
  Outer bad3 = sumScan(ir::unknownRank(DType::F32));
  bad3.g.nodes[0].attrs.set("num_scan_inputs", int64_t{3});
  expectError([&] { bad3.run({floats({2}, {1, 2}), Tensor(DType::F32, {3, 2})}); }, "num_scan_inputs = 3");
}

TEST(HostControl, ScanInputsMustAgreeInLength) {
  Outer o;
  ValueId a = o.input("a", ir::unknownRank(DType::F32));
  ValueId b = o.input("b", ir::unknownRank(DType::F32));
  ir::Node& n = o.node(OpKind::Scan, {a, b}, 1, 0);
  n.attrs.set("num_scan_inputs", int64_t{2});
  n.attrs.set("body", sub(R"(kiln.graph "body" {
  input %a : f32[]
  input %b : f32[]
  %y = Add(%a, %b) : f32[]
  output %y
})"));
  std::vector<Value> out = o.run({floats({3}, {1, 2, 3}), floats({3}, {10, 20, 30})});
  EXPECT_EQ(floatsOf(out[0]), (std::vector<float>{11, 22, 33}));
  expectError([&] { o.run({floats({3}, {1, 2, 3}), floats({2}, {10, 20})}); },
              "scan input #1 has 2 elements along its scan axis but scan input #0 has 3");
}

TEST(HostControl, ScanOpset8BatchForm) {
  // What frontends/onnx/legacy_opset.cpp makes of opset-8 Scan: a batch axis in
  // front of every input and output, each batch element scanned on its own.
  Outer o = sumScan(ir::unknownRank(DType::F32));
  o.g.value(o.g.inputs[0]).type = ir::staticType(DType::F32, {2, 2});
  o.g.value(o.g.outputs[0]).type = ir::unknownRank(DType::F32);
  o.g.nodes[0].attrs.set("opset8_batch", int64_t{1});
  std::vector<Value> out = o.run({floats({2, 2}, {0, 0, 100, 100}),
                                  floats({2, 3, 2}, {1, 2, 3, 4, 5, 6, 1, 1, 1, 1, 1, 1})});
  EXPECT_EQ(out[0].tensor().shape(), (Shape{2, 2}));
  EXPECT_EQ(floatsOf(out[0]), (std::vector<float>{9, 12, 103, 103}));
  EXPECT_EQ(out[1].tensor().shape(), (Shape{2, 3, 2}));
  EXPECT_EQ(floatsOf(out[1]), (std::vector<float>{1, 2, 4, 6, 9, 12, 101, 101, 102, 102, 103, 103}));
  expectError([&] { o.run({floats({2, 2}, {0, 0, 1, 1}), Tensor(DType::F32, {3, 3, 2})}); },
              "input #1 has batch size 3 but input #0 has 2");
}

TEST(HostControl, StringsAreSlicedAndStacked) {
  // Scan over a 2x3 string tensor along axis 1, reversed, the body returning
  // each column unchanged; then a Loop stacking a carried string tensor.
  Tensor text(DType::String, {2, 3});
  const char* words[] = {"a", "b", "c", "d", "e", "f"};
  for (int i = 0; i < 6; ++i) text.data<std::string>()[i] = words[i];

  Outer scan;
  ValueId x = scan.input("x", ir::unknownRank(DType::String));
  ir::Node& n = scan.node(OpKind::Scan, {x}, 1, 0, {ir::unknownRank(DType::String)});
  n.attrs.set("num_scan_inputs", int64_t{1});
  n.attrs.set("scan_input_axes", std::vector<int64_t>{1});
  n.attrs.set("scan_input_directions", std::vector<int64_t>{1});
  n.attrs.set("body", passThrough({{"col", DType::String, {}}}, {0}));
  const std::vector<Value> scanned = scan.run({text});
  const Tensor& y = scanned[0].tensor();
  ASSERT_EQ(y.shape(), (Shape{3, 2}));
  EXPECT_EQ(y.data<std::string>()[0], "c");
  EXPECT_EQ(y.data<std::string>()[1], "f");
  EXPECT_EQ(y.data<std::string>()[5], "d");

  Outer loop;
  ValueId m = loop.input("m", ir::unknownRank(DType::I64));
  ValueId s = loop.input("s", ir::unknownRank(DType::String));
  loop.node(OpKind::Loop, {m, ir::kNoValue, s}, 2, 0,
            {ir::unknownRank(DType::String), ir::unknownRank(DType::String)})
      .attrs.set("body", passThrough({{"i", DType::I64, {}}, {"c", DType::Bool, {}}, {"s", DType::String, {}}},
                                     {1, 2, 2}));
  std::vector<Value> out = loop.run({int64s({}, {2}), text});
  ASSERT_EQ(out[1].tensor().shape(), (Shape{2, 2, 3}));
  EXPECT_EQ(out[1].tensor().data<std::string>()[10], "e");
}

// ---------------------------------------------------------------- SequenceMap

Outer seqMapAdd() {
  // out = map(lambda a, b, t: (a + b, a * t), s1, s2, t)
  Outer o;
  ValueId s1 = o.input("s1", ir::unknownRank(DType::F32), {ir::Container::Sequence});
  ValueId s2 = o.input("s2", ir::unknownRank(DType::F32), {ir::Container::Sequence});
  ValueId t = o.input("t", ir::staticType(DType::F32, {}));
  ir::Node& n = o.node(OpKind::SequenceMap, {s1, s2, t}, 2, 0, {}, {ir::Container::Sequence});
  n.attrs.set("body", sub(R"(kiln.graph "body" {
  input %a : f32[?]
  input %b : f32[?]
  input %t : f32[]
  %sum = Add(%a, %b) : f32[?]
  %prod = Mul(%a, %t) : f32[?]
  output %sum
  output %prod
})"));
  return o;
}

TEST(HostControl, SequenceMapZipsSequencesAndBroadcastsTensors) {
  Outer o = seqMapAdd();
  Value s1 = Value::sequence({floats({2}, {1, 2}), floats({3}, {3, 4, 5})});
  Value s2 = Value::sequence({floats({2}, {10, 20}), floats({3}, {30, 40, 50})});
  std::vector<Value> out = o.run({s1, s2, floats({}, {2})});
  ASSERT_TRUE(out[0].isSequence());
  ASSERT_EQ(out[0].sequence().size(), 2u);
  EXPECT_EQ(floatsOf(out[0].sequence()[1]), (std::vector<float>{33, 44, 55}));
  EXPECT_EQ(floatsOf(out[1].sequence()[0]), (std::vector<float>{2, 4}));

  out = o.run({Value::sequence(std::vector<Tensor>{}), Value::sequence(std::vector<Tensor>{}), floats({}, {2})});
  EXPECT_TRUE(out[0].isSequence() && out[0].sequence().empty());
  EXPECT_TRUE(out[1].isSequence() && out[1].sequence().empty());

  expectError([&] { o.run({s1, Value::sequence({floats({2}, {1, 2})}), floats({}, {2})}); },
              "input #1 is a sequence of 1 elements but input_sequence has 2");
}

}  // namespace
}  // namespace kiln
