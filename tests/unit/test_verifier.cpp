// verifyGraph: accepts well-formed graphs and rejects each broken invariant
// with an error naming the node or value at fault.
#include <gtest/gtest.h>

#include "ir/error.h"
#include "ir/verifier.h"

namespace kiln::ir {
namespace {

// x -> Relu "r1" -> y -> Add "add"(y, c) -> z
struct Chain {
  Graph g;
  ValueId x, c, y, z;
  Chain() {
    x = g.addValue("x", staticType(DType::F32, {2}));
    g.inputs.push_back(x);
    c = g.addConstant("c", TensorData::fromFloats({1.0f, 2.0f}, {2}));
    y = g.addValue("y", staticType(DType::F32, {2}));
    g.addNode(OpKind::Relu, {x}, {y}, "r1");
    z = g.addValue("z", staticType(DType::F32, {2}));
    g.addNode(OpKind::Add, {y, c}, {z}, "add");
    g.outputs.push_back(z);
  }
};

void expectInvalid(const Graph& g, const std::vector<std::string>& fragments) {
  try {
    verifyGraph(g);
    ADD_FAILURE() << "verifyGraph accepted an invalid graph";
  } catch (const Error& e) {
    for (const std::string& f : fragments) EXPECT_NE(std::string(e.what()).find(f), std::string::npos) << e.what();
  }
}

TEST(Verifier, AcceptsWellFormedGraphs) {
  Chain c;
  EXPECT_NO_THROW(verifyGraph(c.g));
  EXPECT_NO_THROW(verifyGraph(Graph{}));
  // Optional inputs may be absent; outputs may repeat or be inputs/constants.
  ValueId clipped = c.g.addValue("clipped", staticType(DType::F32, {2}));
  c.g.addNode(OpKind::Clip, {c.z, kNoValue, c.c}, {clipped});
  c.g.outputs = {clipped, clipped, c.x, c.c};
  EXPECT_NO_THROW(verifyGraph(c.g));
}

TEST(Verifier, ValueIdOutOfRange) {
  Chain a;
  a.g.nodes[1].inputs[1] = 99;
  expectInvalid(a.g, {"Add node 'add'", "input 1", "invalid value id 99"});
  Chain b;
  b.g.nodes[0].outputs[0] = -5;
  expectInvalid(b.g, {"Relu node 'r1'", "output 0", "invalid value id -5"});
  Chain c;
  c.g.outputs.push_back(7);
  expectInvalid(c.g, {"graph output #1", "invalid value id 7"});
  Chain d;
  d.g.inputs.push_back(-1);
  expectInvalid(d.g, {"graph input #1", "invalid value id -1"});
}

TEST(Verifier, ValueDefinedTwice) {
  Chain twoProducers;
  twoProducers.g.nodes[1].outputs[0] = twoProducers.y;
  expectInvalid(twoProducers.g, {"Add node 'add'", "'y'", "already defined by Relu node 'r1'"});
  Chain producedInput;
  producedInput.g.nodes[0].outputs[0] = producedInput.x;
  expectInvalid(producedInput.g, {"Relu node 'r1'", "'x'", "already defined by a graph input"});
  Chain producedConstant;
  producedConstant.g.nodes[0].outputs[0] = producedConstant.c;
  expectInvalid(producedConstant.g, {"Relu node 'r1'", "'c'", "a constant"});
  Chain inputTwice;
  inputTwice.g.inputs.push_back(inputTwice.x);
  expectInvalid(inputTwice.g, {"'x'", "listed twice as a graph input"});
  Chain constantInput;
  constantInput.g.inputs.push_back(constantInput.c);
  expectInvalid(constantInput.g, {"graph input", "'c'", "also a constant"});
}

TEST(Verifier, UseBeforeDefinition) {
  Chain c;
  std::swap(c.g.nodes[0], c.g.nodes[1]);
  expectInvalid(c.g, {"Add node 'add'", "reads value 'y'", "before it is defined"});
  Chain undefinedOutput;
  undefinedOutput.g.outputs.push_back(undefinedOutput.g.addValue("", staticType(DType::F32, {2})));
  expectInvalid(undefinedOutput.g, {"graph output value #4", "never defined"});
}

TEST(Verifier, ArityOutsideOpTable) {
  Chain tooFew;
  tooFew.g.nodes[1].inputs.pop_back();
  expectInvalid(tooFew.g, {"Add node 'add'", "takes 2 to 2 inputs, has 1"});
  Chain tooMany;
  tooMany.g.nodes[0].inputs.push_back(tooMany.x);
  expectInvalid(tooMany.g, {"Relu node 'r1'", "takes 1 to 1 inputs, has 2"});
  Chain outputs;
  outputs.g.nodes[0].outputs.push_back(outputs.g.addValue("extra", staticType(DType::F32, {2})));
  expectInvalid(outputs.g, {"Relu node 'r1'", "produces 1 to 1 outputs, has 2"});
  Chain absentRequired;
  absentRequired.g.nodes[1].inputs[0] = kNoValue;
  expectInvalid(absentRequired.g, {"Add node 'add'", "required input 0 is absent"});
  Chain unnamed;
  unnamed.g.nodes[1].name.clear();
  unnamed.g.nodes[1].inputs.pop_back();
  expectInvalid(unnamed.g, {"Add node #1"});
}

TEST(Verifier, ConstantSizeMismatch) {
  Chain shortBytes;
  auto data = std::make_shared<TensorData>(*shortBytes.g.value(shortBytes.c).constant);
  data->bytes.pop_back();
  shortBytes.g.value(shortBytes.c).constant = data;
  expectInvalid(shortBytes.g, {"constant value 'c'", "7 bytes", "needs 8"});

  Chain typeMismatch;
  typeMismatch.g.value(typeMismatch.c).type = staticType(DType::F32, {3});
  expectInvalid(typeMismatch.g, {"constant value 'c'", "f32[2] data", "type is f32[3]"});

  Chain dtypeMismatch;
  dtypeMismatch.g.value(dtypeMismatch.c).type = staticType(DType::I32, {2});
  expectInvalid(dtypeMismatch.g, {"constant value 'c'", "type is i32[2]"});

  Chain strings;
  auto s = std::make_shared<TensorData>();
  s->dtype = DType::String;
  s->shape = {3};
  s->strings = {"a", "b"};
  strings.g.value(strings.c).constant = s;
  strings.g.value(strings.c).type = staticType(DType::String, {3});
  expectInvalid(strings.g, {"constant value 'c'", "2 strings", "3 elements"});

  Chain attr;
  auto t = std::make_shared<TensorData>(*TensorData::fromInts({1, 2, 3}, {3}));
  t->shape = {4};
  attr.g.nodes[0].attrs.set("value", TensorDataPtr(t));
  expectInvalid(attr.g, {"Relu node 'r1'", "tensor attribute 'value'", "needs 32"});
}

}  // namespace
}  // namespace kiln::ir
