// Memory planning: values whose lifetimes overlap never share arena bytes, a
// node's outputs never overlap its inputs, and dead values' space is reused.
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

}  // namespace
}  // namespace kiln
