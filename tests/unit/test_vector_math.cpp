// float32 Exp, Sigmoid and Erf kernels (codegen/ops/vector_math.cpp) against
// libm in double precision over a dense sweep, the range ends, infinities
// and NaN.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <functional>
#include <limits>

#include "codegen/jit_model.h"

namespace kiln::codegen {
namespace {

std::vector<float> runUnary(ir::OpKind op, const std::vector<float>& x) {
  ir::Graph g;
  int64_t n = static_cast<int64_t>(x.size());
  ir::ValueId in = g.addValue("x", ir::staticType(DType::F32, {n}));
  g.inputs.push_back(in);
  ir::ValueId y = g.addValue("y", ir::staticType(DType::F32, {n}));
  g.addNode(op, {in}, {y}, "op");
  g.outputs.push_back(y);
  JitModel model(std::move(g), CompileOptions{});
  runtime::ThreadPool pool(1);
  runtime::Tensor t(DType::F32, {n});
  std::memcpy(t.data(), x.data(), x.size() * sizeof(float));
  runtime::Tensor out = model.run({t}, pool).at(0);
  return std::vector<float>(out.data<float>(), out.data<float>() + n);
}

std::vector<float> sweep(float lo, float hi, int n) {
  std::vector<float> v;
  for (int i = 0; i < n; ++i) v.push_back(lo + (hi - lo) * static_cast<float>(i) / static_cast<float>(n - 1));
  return v;
}

// |got - want| <= abs + rel * |want| for every element; specials compared exactly.
void expectClose(ir::OpKind op, const std::vector<float>& x, const std::function<double(double)>& ref, double rel,
                 double abs) {
  std::vector<float> got = runUnary(op, x);
  for (size_t i = 0; i < x.size(); ++i) {
    double want = static_cast<float>(ref(x[i]));  // what float can hold (overflow is inf)
    if (std::isnan(want)) {
      EXPECT_TRUE(std::isnan(got[i])) << "x = " << x[i];
    } else if (std::isinf(want)) {
      EXPECT_EQ(got[i], want) << "x = " << x[i];
    } else {
      EXPECT_LE(std::abs(got[i] - want), abs + rel * std::abs(want)) << "x = " << x[i] << " want " << want;
    }
  }
}

const float kInf = std::numeric_limits<float>::infinity();
const float kNaN = std::numeric_limits<float>::quiet_NaN();

TEST(VectorMath, Exp) {
  std::vector<float> x = sweep(-87.0f, 88.7f, 20001);
  for (float s : {0.0f, -0.0f, 1e-30f, -1e-30f, 88.72f, 88.73f, 89.0f, 1000.0f, -90.0f, -100.0f, -104.0f, -1000.0f,
                  kInf, -kInf, kNaN})
    x.push_back(s);
  // 3 ulp relative on normal results; denormal results within a few denormal steps.
  expectClose(ir::OpKind::Exp, x, [](double v) { return std::exp(v); }, 3.6e-7, 1e-44);
}

TEST(VectorMath, Sigmoid) {
  std::vector<float> x = sweep(-30.0f, 30.0f, 20001);
  for (float s : {-100.0f, 100.0f, kInf, -kInf, kNaN}) x.push_back(s);
  expectClose(ir::OpKind::Sigmoid, x, [](double v) { return 1.0 / (1.0 + std::exp(-v)); }, 4e-7, 1e-37);
}

TEST(VectorMath, Erf) {
  std::vector<float> x = sweep(-6.0f, 6.0f, 20001);
  for (float s : {0.0f, 1e-20f, -1e-20f, 0.4999f, 0.5f, 10.0f, -10.0f, kInf, -kInf, kNaN}) x.push_back(s);
  // Relative 3e-7 near 0 (series), absolute 2e-7 elsewhere (A&S 7.1.26).
  expectClose(ir::OpKind::Erf, x, [](double v) { return std::erf(v); }, 3e-7, 2e-7);
}

}  // namespace
}  // namespace kiln::codegen
