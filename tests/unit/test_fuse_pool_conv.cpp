// fuse-pool-conv: a squeeze-excitation block (GlobalAveragePool -> 1x1 Conv ->
// Relu -> 1x1 Conv -> HardSigmoid -> Mul) computes the same with the pass as
// without it, at batch 1 and 2, with and without the conv bias; the pooled
// conv is one kernel fewer.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>

#include <fmt/format.h>

#include "codegen/jit_model.h"
#include "ir/pool_input.h"
#include "ir/text.h"
#include "runtime/thread_pool.h"

namespace kiln {
namespace {

std::string denseOf(int64_t n, std::mt19937& rng) {
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  std::string s;
  for (int64_t i = 0; i < n; ++i) s += fmt::format("{}{}", i ? ", " : "", u(rng));
  return "dense<[" + s + "]>";
}

// Batch n, c channels, squeezed to r channels, over an h x w plane.
ir::Graph squeezeExcite(int64_t n, int64_t c, int64_t r, int64_t h, int64_t w, bool bias) {
  std::mt19937 rng(7);
  std::string text = fmt::format(R"(kiln.graph "se" opsets {{ "" = 17 }} {{
  input %x : f32[{n},{c},{h},{w}]
  const %w1 : f32[{r},{c},1,1] = {w1}
  const %b1 : f32[{r}] = {b1}
  const %w2 : f32[{c},{r},1,1] = {w2}
  %p = GlobalAveragePool(%x) : f32[{n},{c},1,1]
  %s1 = Conv(%p, %w1{bias}) : f32[{n},{r},1,1]
  %a = Relu(%s1) : f32[{n},{r},1,1]
  %s2 = Conv(%a, %w2) : f32[{n},{c},1,1]
  %g = HardSigmoid(%s2) : f32[{n},{c},1,1]
  %y = Mul(%x, %g) : f32[{n},{c},{h},{w}]
  output %y
}}
)",
                                 fmt::arg("n", n), fmt::arg("c", c), fmt::arg("r", r), fmt::arg("h", h),
                                 fmt::arg("w", w), fmt::arg("w1", denseOf(r * c, rng)),
                                 fmt::arg("b1", denseOf(r, rng)), fmt::arg("w2", denseOf(c * r, rng)),
                                 fmt::arg("bias", bias ? ", %b1" : ""));
  return ir::parseGraph(text);
}

codegen::CompileOptions withPasses(const char* passes) {
  codegen::CompileOptions o;
  o.passes = passes;
  return o;
}

void expectSameWithAndWithoutPass(const ir::Graph& g) {
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> u(-2.0f, 2.0f);
  runtime::Tensor x(DType::F32, g.type(g.inputs[0]).staticShape());
  for (int64_t i = 0; i < x.numElements(); ++i) x.data<float>()[i] = u(rng);
  runtime::ThreadPool pool(2);
  codegen::JitModel plain(g, withPasses(""));
  codegen::JitModel fused(g, withPasses("fuse-pool-conv"));
  codegen::JitModel::Variant v = fused.specialize({x});
  EXPECT_EQ(v.model->numKernels(), g.nodes.size() - 1);
  int pooled = 0;
  for (const ir::Node& n : v.graph->nodes) pooled += ir::poolsInput(n);
  EXPECT_EQ(pooled, 1);
  runtime::Tensor want = plain.run({x}, pool).at(0), got = fused.run({x}, pool).at(0);
  ASSERT_EQ(want.shape(), got.shape());
  for (int64_t i = 0; i < want.numElements(); ++i)
    ASSERT_NEAR(got.data<float>()[i], want.data<float>()[i], 1e-5 + 1e-5 * std::fabs(want.data<float>()[i]))
        << "element " << i;
}

TEST(FusePoolConv, SqueezeExciteBlock) { expectSameWithAndWithoutPass(squeezeExcite(1, 24, 6, 13, 17, true)); }
TEST(FusePoolConv, BatchOfTwoWithoutBias) { expectSameWithAndWithoutPass(squeezeExcite(2, 40, 10, 7, 9, false)); }
TEST(FusePoolConv, OnePixelPlane) { expectSameWithAndWithoutPass(squeezeExcite(1, 16, 4, 1, 1, true)); }

}  // namespace
}  // namespace kiln
