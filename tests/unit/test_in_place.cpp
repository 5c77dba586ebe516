// Compiled models with views (Reshape/Unsqueeze/Identity run no kernel) and
// in-place elementwise kernels (codegen/in_place.h) compute the same numbers
// as a plain C++ reference, at 1 and 2 threads, and use the arena they save.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>

#include "codegen/jit_model.h"
#include "runtime/thread_pool.h"

namespace kiln {
namespace {

using ir::OpKind;
using ir::TensorData;
using runtime::Tensor;

Tensor randomTensor(const std::vector<int64_t>& shape, uint32_t seed) {
  Tensor t(DType::F32, shape);
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-2.0f, 2.0f);
  for (int64_t i = 0; i < t.numElements(); ++i) t.data<float>()[i] = dist(rng);
  return t;
}

ir::TensorType unknown() {
  ir::TensorType t;
  t.rankKnown = false;
  return t;
}

// x[2,3,8,8], s[1,3,1,1]:
//   a = Relu(x); b = Mul(a, s)            b overwrites a (s broadcasts)
//   r = Reshape(b, [2,192])                view of b
//   c = Sigmoid(r); e2 = Exp(c)            c overwrites b through r; Exp may not (Sub reads c)
//   e = Sub(c, e2); u = Unsqueeze(e, [0])  e overwrites c; u is a view
//   y = Add(u, 1)                          graph output
//   i = Identity(x); z = Neg(i)            a view of a graph input; graph output
TEST(InPlace, ViewsAndInPlaceKernelsMatchReference) {
  ir::Graph g;
  ir::ValueId x = g.addValue("x", ir::staticType(DType::F32, {2, 3, 8, 8}));
  ir::ValueId s = g.addValue("s", ir::staticType(DType::F32, {1, 3, 1, 1}));
  g.inputs = {x, s};
  auto v = [&](const char* name) { return g.addValue(name, unknown()); };
  ir::ValueId a = v("a"), b = v("b"), r = v("r"), c = v("c"), e2 = v("e2"), e = v("e"), u = v("u"), y = v("y"),
              i = v("i"), z = v("z");
  g.addNode(OpKind::Relu, {x}, {a});
  g.addNode(OpKind::Mul, {a, s}, {b});
  g.addNode(OpKind::Reshape, {b, g.addConstant("shape", TensorData::fromInts({2, 192}, {2}))}, {r});
  g.addNode(OpKind::Sigmoid, {r}, {c});
  g.addNode(OpKind::Exp, {c}, {e2});
  g.addNode(OpKind::Sub, {c, e2}, {e});
  g.addNode(OpKind::Unsqueeze, {e, g.addConstant("axes", TensorData::fromInts({0}, {1}))}, {u});
  g.addNode(OpKind::Add, {u, g.addConstant("one", TensorData::fromFloats({1.0f}, {}))}, {y});
  g.addNode(OpKind::Identity, {x}, {i});
  g.addNode(OpKind::Neg, {i}, {z});
  g.outputs = {y, z};

  std::vector<Tensor> inputs{randomTensor({2, 3, 8, 8}, 1), randomTensor({1, 3, 1, 1}, 2)};
  codegen::JitModel jit(std::move(g), codegen::CompileOptions{});
  auto model = jit.specialize(inputs).model;
  // Three views run no kernel; a, b, r, c, e and u share one 1536-byte buffer, e2 has its own.
  EXPECT_LE(model->numKernels(), 7u);
  EXPECT_LE(model->arenaBytes(), 2 * 1536);

  const float* xs = inputs[0].data<float>();
  const float* ss = inputs[1].data<float>();
  std::vector<float> wantY(384), wantZ(384);
  for (size_t k = 0; k < 384; ++k) {
    float av = std::max(xs[k], 0.0f) * ss[(k / 64) % 3];
    float cv = 1.0f / (1.0f + std::exp(-av));
    wantY[k] = cv - std::exp(cv) + 1.0f;
    wantZ[k] = -xs[k];
  }
  for (int threads : {1, 2}) {
    runtime::ThreadPool pool(threads);
    std::vector<Tensor> out = model->run(inputs, pool);
    ASSERT_EQ(out.size(), 2u);
    EXPECT_EQ(out[0].shape(), (std::vector<int64_t>{1, 2, 192}));
    EXPECT_EQ(out[1].shape(), (std::vector<int64_t>{2, 3, 8, 8}));
    for (size_t k = 0; k < 384; ++k) {
      EXPECT_NEAR(out[0].data<float>()[k], wantY[k], 1e-5f) << "y[" << k << "] at " << threads << " threads";
      EXPECT_EQ(out[1].data<float>()[k], wantZ[k]) << "z[" << k << "]";
    }
    // The inputs are read, never written.
    Tensor fresh = randomTensor({2, 3, 8, 8}, 1);
    EXPECT_EQ(std::memcmp(fresh.data(), xs, fresh.byteSize()), 0);
  }
}

}  // namespace
}  // namespace kiln
