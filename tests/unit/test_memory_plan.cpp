// Memory planning: values whose lifetimes overlap never share arena bytes, a
// node's outputs never overlap its inputs (unless planned in place), dead
// values' space is reused, views share their input's buffer and keep it live,
// and in-place writes only take a buffer nothing reads afterwards.
#include <gtest/gtest.h>

#include "passes/memory_plan.h"

namespace kiln {
namespace {

using ir::Graph;
using ir::OpKind;

// x -> a -> b -> c -> y (a chain of Relus, each 1 KiB of f32).
Graph chain(int length) {
  Graph g;
  ir::TensorType t = ir::staticType(DType::F32, {256});
  ir::ValueId prev = g.addValue("x", t);
  g.inputs.push_back(prev);
  for (int i = 0; i < length; ++i) {
    ir::ValueId next = g.addValue("v" + std::to_string(i), t);
    g.addNode(OpKind::Relu, {prev}, {next});
    prev = next;
  }
  g.outputs.push_back(prev);
  return g;
}

TEST(MemoryPlan, ChainReusesTwoBuffers) {
  Graph g = chain(6);
  passes::MemoryPlan plan = passes::planMemory(g);
  // Intermediates v0..v4 alternate between two 1 KiB slots; v5 is a graph output.
  EXPECT_EQ(plan.arenaBytes, 2 * 1024);
  for (int i = 0; i + 1 < 5; ++i) {
    int64_t a = plan.offsets[static_cast<size_t>(g.nodes[i].outputs[0])];
    int64_t b = plan.offsets[static_cast<size_t>(g.nodes[i + 1].outputs[0])];
    EXPECT_NE(a, b) << "output of node " << i + 1 << " overlaps its input";
  }
  EXPECT_EQ(plan.offsets[static_cast<size_t>(g.outputs[0])], -1);
}

TEST(MemoryPlan, LiveValuesDoNotOverlap) {
  // x -> a, x -> b, c = a + b: a and b are live together.
  Graph g;
  ir::TensorType t = ir::staticType(DType::F32, {100});
  ir::ValueId x = g.addValue("x", t), a = g.addValue("a", t), b = g.addValue("b", t),
              c = g.addValue("c", t);
  g.inputs = {x};
  g.addNode(OpKind::Relu, {x}, {a});
  g.addNode(OpKind::Neg, {x}, {b});
  g.addNode(OpKind::Add, {a, b}, {c});
  g.outputs = {c};
  passes::MemoryPlan plan = passes::planMemory(g);
  int64_t oa = plan.offsets[static_cast<size_t>(a)], ob = plan.offsets[static_cast<size_t>(b)];
  EXPECT_GE(oa, 0);
  EXPECT_GE(ob, 0);
  EXPECT_GE(std::abs(oa - ob), 448);  // 400 bytes rounded to 64
  EXPECT_EQ(oa % 64, 0);
  EXPECT_EQ(ob % 64, 0);
}

// ---- views and in-place execution --------------------------------------------

passes::MemoryPlanOptions inPlaceAlways() {
  passes::MemoryPlanOptions o;
  o.mayWriteInPlace = [](const Graph&, const ir::Node&, size_t) { return true; };
  return o;
}

size_t at(ir::ValueId v) { return static_cast<size_t>(v); }

TEST(MemoryPlan, InPlaceChainUsesOneBuffer) {
  Graph g = chain(6);
  passes::MemoryPlan plan = passes::planMemory(g, inPlaceAlways());
  // v0 gets a buffer (its input x is a graph input); v1..v4 overwrite their
  // input, which dies with them; v5 is a graph output.
  EXPECT_EQ(plan.arenaBytes, 1024);
  EXPECT_EQ(plan.inPlaceInput[0], -1);
  for (size_t i = 1; i < 5; ++i) {
    EXPECT_EQ(plan.inPlaceInput[i], 0) << "node " << i;
    EXPECT_EQ(plan.offsets[at(g.nodes[i].outputs[0])], plan.offsets[at(g.nodes[0].outputs[0])]);
    EXPECT_EQ(plan.sharesBufferOf[at(g.nodes[i].outputs[0])], g.nodes[i].inputs[0]);
  }
  EXPECT_EQ(plan.inPlaceInput[5], -1);
}

TEST(MemoryPlan, InPlaceIsOffByDefault) {
  Graph g = chain(6);
  passes::MemoryPlan plan = passes::planMemory(g);
  EXPECT_EQ(plan.arenaBytes, 2 * 1024);
  for (int k : plan.inPlaceInput) EXPECT_EQ(k, -1);
  for (bool v : plan.isView) EXPECT_FALSE(v);
}

TEST(MemoryPlan, InPlaceOnlyIntoAnInputThatDies) {
  // a = Relu(x); b = Neg(a); c = Add(a, b): Neg must not overwrite a (Add reads
  // it later); Add may overwrite a or b, and takes the first.
  Graph g;
  ir::TensorType t = ir::staticType(DType::F32, {100});
  ir::ValueId x = g.addValue("x", t), a = g.addValue("a", t), b = g.addValue("b", t), c = g.addValue("c", t),
              y = g.addValue("y", t);
  g.inputs = {x};
  g.addNode(OpKind::Relu, {x}, {a});
  g.addNode(OpKind::Neg, {a}, {b});
  g.addNode(OpKind::Add, {a, b}, {c});
  g.addNode(OpKind::Relu, {c}, {y});
  g.outputs = {y};
  passes::MemoryPlan plan = passes::planMemory(g, inPlaceAlways());
  EXPECT_EQ(plan.inPlaceInput[1], -1);
  EXPECT_NE(plan.offsets[at(a)], plan.offsets[at(b)]);
  EXPECT_EQ(plan.inPlaceInput[2], 0);
  EXPECT_EQ(plan.offsets[at(c)], plan.offsets[at(a)]);
}

TEST(MemoryPlan, InPlaceNeedsTheOutputsShapeAndElementSize) {
  // c = Add(a[1,64], b[64,64]) -> [64,64]: only b has the output's shape.
  // e = Equal(c, c) -> bool: element sizes differ, so no in-place at all.
  Graph g;
  ir::ValueId x = g.addValue("x", ir::staticType(DType::F32, {64, 64}));
  ir::ValueId s = g.addValue("s", ir::staticType(DType::F32, {1, 64}));
  ir::ValueId a = g.addValue("a", ir::staticType(DType::F32, {1, 64}));
  ir::ValueId b = g.addValue("b", ir::staticType(DType::F32, {64, 64}));
  ir::ValueId c = g.addValue("c", ir::staticType(DType::F32, {64, 64}));
  ir::ValueId e = g.addValue("e", ir::staticType(DType::Bool, {64, 64}));
  g.inputs = {x, s};
  g.addNode(OpKind::Relu, {s}, {a});
  g.addNode(OpKind::Relu, {x}, {b});
  g.addNode(OpKind::Add, {a, b}, {c});
  g.addNode(OpKind::Equal, {c, c}, {e});
  g.outputs = {e};
  passes::MemoryPlan plan = passes::planMemory(g, inPlaceAlways());
  EXPECT_EQ(plan.inPlaceInput[2], 1);
  EXPECT_EQ(plan.offsets[at(c)], plan.offsets[at(b)]);
  EXPECT_EQ(plan.inPlaceInput[3], -1);
}

TEST(MemoryPlan, InPlaceAsksTheKernel) {
  Graph g = chain(4);
  passes::MemoryPlanOptions o;
  std::vector<std::pair<size_t, size_t>> asked;
  o.mayWriteInPlace = [&](const Graph& graph, const ir::Node& n, size_t input) {
    asked.emplace_back(static_cast<size_t>(&n - graph.nodes.data()), input);
    return false;
  };
  passes::MemoryPlan plan = passes::planMemory(g, o);
  EXPECT_EQ(plan.arenaBytes, 2 * 1024);
  EXPECT_EQ(asked, (std::vector<std::pair<size_t, size_t>>{{1, 0}, {2, 0}}));
}

TEST(MemoryPlan, ViewsShareTheirInputsBuffer) {
  // a = Relu(x); r = Reshape(a); b = Neg(z); y = Add(r, b).
  // r is a's bytes, and keeps them live: b must not land on them.
  Graph g;
  ir::TensorType flat = ir::staticType(DType::F32, {256}), square = ir::staticType(DType::F32, {16, 16});
  ir::ValueId x = g.addValue("x", flat), z = g.addValue("z", square), a = g.addValue("a", flat),
              r = g.addValue("r", square), b = g.addValue("b", square), y = g.addValue("y", square);
  ir::ValueId shape = g.addConstant("shape", ir::TensorData::fromInts({16, 16}, {2}));
  g.inputs = {x, z};
  g.addNode(OpKind::Relu, {x}, {a});
  g.addNode(OpKind::Reshape, {a, shape}, {r});
  g.addNode(OpKind::Neg, {z}, {b});
  g.addNode(OpKind::Add, {r, b}, {y});
  g.outputs = {y};
  passes::MemoryPlanOptions o;
  o.views = true;
  passes::MemoryPlan plan = passes::planMemory(g, o);
  EXPECT_TRUE(plan.isView[1]);
  EXPECT_EQ(plan.offsets[at(r)], plan.offsets[at(a)]);
  EXPECT_EQ(plan.sharesBufferOf[at(r)], a);
  EXPECT_GE(std::abs(plan.offsets[at(b)] - plan.offsets[at(a)]), 1024);
  EXPECT_EQ(plan.arenaBytes, 2 * 1024);
}

TEST(MemoryPlan, ViewOfAGraphInputAndViewAsGraphOutput) {
  // r = Flatten(x) views the graph input; y = Flatten(Relu(r)) is a graph
  // output, which must be copied into the caller's buffer: not a view.
  Graph g;
  ir::TensorType t4 = ir::staticType(DType::F32, {2, 2, 4}), t2 = ir::staticType(DType::F32, {2, 8});
  ir::ValueId x = g.addValue("x", t4), r = g.addValue("r", t2), a = g.addValue("a", t2), y = g.addValue("y", t2);
  g.inputs = {x};
  g.addNode(OpKind::Flatten, {x}, {r});
  g.addNode(OpKind::Relu, {r}, {a});
  g.addNode(OpKind::Flatten, {a}, {y});
  g.outputs = {y};
  passes::MemoryPlanOptions o;
  o.views = true;
  passes::MemoryPlan plan = passes::planMemory(g, o);
  EXPECT_TRUE(plan.isView[0]);
  EXPECT_EQ(plan.offsets[at(r)], -1);
  EXPECT_EQ(plan.sharesBufferOf[at(r)], x);
  EXPECT_FALSE(plan.isView[2]);
}

TEST(MemoryPlan, InPlaceThroughAViewWaitsForEveryReader) {
  // a = Relu(x); r = Reshape(a); b = Neg(a); c = Neg(r): when b runs, r (a's
  // bytes) is still to be read, so b must not overwrite a; c may.
  Graph g;
  ir::TensorType t = ir::staticType(DType::F32, {16, 16});
  ir::ValueId x = g.addValue("x", t), a = g.addValue("a", t), r = g.addValue("r", t), b = g.addValue("b", t),
              c = g.addValue("c", t), y = g.addValue("y", t);
  ir::ValueId shape = g.addConstant("shape", ir::TensorData::fromInts({16, 16}, {2}));
  g.inputs = {x};
  g.addNode(OpKind::Relu, {x}, {a});
  g.addNode(OpKind::Reshape, {a, shape}, {r});
  g.addNode(OpKind::Neg, {a}, {b});
  g.addNode(OpKind::Neg, {r}, {c});
  g.addNode(OpKind::Add, {b, c}, {y});
  g.outputs = {y};
  passes::MemoryPlanOptions o = inPlaceAlways();
  o.views = true;
  passes::MemoryPlan plan = passes::planMemory(g, o);
  EXPECT_EQ(plan.inPlaceInput[2], -1);
  EXPECT_EQ(plan.inPlaceInput[3], 0);
  EXPECT_EQ(plan.offsets[at(c)], plan.offsets[at(a)]);
  EXPECT_NE(plan.offsets[at(b)], plan.offsets[at(a)]);
}

}  // namespace
}  // namespace kiln
