// Pattern-fusion passes (passes/fuse_hardswish.h, fuse_gelu.h, fuse_silu.h,
// fuse_layernorm.h, fuse_rmsnorm.h), tested by numbers: a graph compiled with
// no graph passes and with the pattern pass (and with the whole -O3 pipeline,
// where the fused ops also go into epilogues) gives the same outputs, within
// |got - want| <= 1e-5 + 1e-4 |want| (the fused kernels compute the same
// formulas in another order: GELU's tanh as 2 sigmoid(2z) - 1, LayerNorm's
// variance in two passes). The graphs are the lit tests' (tests/lit/passes/
// fuse-*.kir: every pattern and every near miss) and larger ones whose rows
// are not a multiple of the vector width; structural checks count the ops the
// pass leaves.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <random>
#include <sstream>

#include "codegen/jit_model.h"
#include "ir/text.h"
#include "passes/pass_manager.h"
#include "passes/pipeline.h"
#include "runtime/thread_pool.h"

namespace kiln {
namespace {

using ir::OpKind;

ir::Graph readLitGraph(const std::string& name) {
  std::string path = std::string(KILN_SOURCE_DIR) + "/tests/lit/passes/" + name + ".kir";
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_FALSE(text.str().empty()) << path;
  return ir::parseGraph(text.str());
}

int countOps(const ir::Graph& g, OpKind op) {
  int n = 0;
  for (const ir::Node& node : g.nodes) n += node.op == op;
  return n;
}

ir::Graph withPasses(ir::Graph g, const std::string& pipeline) {
  passes::PassContext context;
  passes::runPipeline(g, passes::parsePipeline(pipeline), context);
  return g;
}

std::vector<runtime::Tensor> randomInputs(const ir::Graph& g, float range) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> u(-range, range);
  std::vector<runtime::Tensor> inputs;
  for (ir::ValueId v : g.inputs) {
    runtime::Tensor x(DType::F32, g.type(v).staticShape());
    for (int64_t i = 0; i < x.numElements(); ++i) x.data<float>()[i] = u(rng);
    inputs.push_back(std::move(x));
  }
  return inputs;
}

struct Run {
  std::vector<runtime::Tensor> outputs;
  size_t kernels;
};

Run run(const ir::Graph& g, std::optional<std::string> pipeline, const std::vector<runtime::Tensor>& inputs) {
  codegen::CompileOptions options = codegen::CompileOptions::atLevel(3);
  options.passes = std::move(pipeline);
  codegen::JitModel model(g, options);
  runtime::ThreadPool pool(2);
  size_t kernels = model.specialize(inputs).model->numKernels();
  return {model.run(inputs, pool), kernels};
}

void expectClose(const std::vector<runtime::Tensor>& want, const std::vector<runtime::Tensor>& got,
                 const std::string& what) {
  ASSERT_EQ(want.size(), got.size()) << what;
  for (size_t k = 0; k < want.size(); ++k) {
    ASSERT_EQ(want[k].shape(), got[k].shape()) << what;
    const float* w = want[k].data<float>();
    const float* g = got[k].data<float>();
    for (int64_t i = 0; i < want[k].numElements(); ++i)
      ASSERT_NEAR(g[i], w[i], 1e-5 + 1e-4 * std::fabs(w[i])) << what << ": output " << k << " element " << i;
  }
}

// Same outputs with no passes, with `pass` alone and with the -O3 pipeline;
// returns the kernel counts {none, pass, -O3}.
std::vector<size_t> expectSameWithAndWithout(const ir::Graph& g, const std::string& pass, float range = 5.0f) {
  std::vector<runtime::Tensor> inputs = randomInputs(g, range);
  Run none = run(g, std::string(), inputs);
  Run fused = run(g, pass, inputs);
  Run o3 = run(g, std::nullopt, inputs);
  expectClose(none.outputs, fused.outputs, pass);
  expectClose(none.outputs, o3.outputs, pass + " in the -O3 pipeline");
  return {none.kernels, fused.kernels, o3.kernels};
}

TEST(PassesPatterns, DefaultPipelinesRunThePatternPassesBeforeEpilogueFusion) {
  for (int level : {2, 3}) {
    std::string p = passes::defaultPipeline(level);
    size_t epilogue = p.find("fuse-epilogue");
    for (const char* name : {"fuse-hardswish", "fuse-gelu", "fuse-silu", "fuse-layernorm", "fuse-rmsnorm"}) {
      EXPECT_NE(p.find(name), std::string::npos) << name << " in -O" << level;
      EXPECT_LT(p.find(name), epilogue) << name << " in -O" << level;
    }
    EXPECT_LT(p.find("fuse-layernorm"), p.find("fuse-rmsnorm"));
  }
}

TEST(PassesPatterns, HardSwishLitGraph) {
  ir::Graph g = readLitGraph("fuse-hardswish");
  ir::Graph f = withPasses(g, "fuse-hardswish");
  EXPECT_EQ(countOps(f, OpKind::HardSwish), 5);
  EXPECT_EQ(countOps(f, OpKind::HardSigmoid), 4);  // two patterns, the alpha-0.2 miss, the other product
  EXPECT_EQ(countOps(f, OpKind::Clip), 3);         // the near misses
  expectSameWithAndWithout(g, "fuse-hardswish", 6.0f);
}

TEST(PassesPatterns, GeluLitGraph) {
  ir::Graph g = readLitGraph("fuse-gelu");
  ir::Graph f = withPasses(g, "fuse-gelu");
  EXPECT_EQ(countOps(f, OpKind::Gelu), 4);
  EXPECT_EQ(countOps(f, OpKind::Erf), 3);
  EXPECT_EQ(countOps(f, OpKind::Tanh), 1);
  expectSameWithAndWithout(g, "fuse-gelu");
}

TEST(PassesPatterns, SiluLitGraph) {
  ir::Graph g = readLitGraph("fuse-silu");
  EXPECT_EQ(countOps(withPasses(g, "fuse-silu"), OpKind::Swish), 3);
  expectSameWithAndWithout(g, "fuse-silu");
}

TEST(PassesPatterns, LayerNormLitGraph) {
  ir::Graph g = readLitGraph("fuse-layernorm");
  ir::Graph f = withPasses(g, "fuse-layernorm");
  EXPECT_EQ(countOps(f, OpKind::LayerNormalization), 6);
  EXPECT_EQ(countOps(f, OpKind::ReduceMean), 4);  // the two near misses
  expectSameWithAndWithout(g, "fuse-layernorm");
}

TEST(PassesPatterns, RmsNormLitGraph) {
  ir::Graph g = readLitGraph("fuse-rmsnorm");
  ir::Graph f = withPasses(g, "fuse-rmsnorm");
  EXPECT_EQ(countOps(f, OpKind::RMSNormalization), 3);
  EXPECT_EQ(countOps(f, OpKind::ReduceMean), 3);
  expectSameWithAndWithout(g, "fuse-rmsnorm");
}

// A dense constant of `n` values in [-1, 1).
std::string denseValues(int64_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  std::string s = "dense<[";
  for (int64_t i = 0; i < n; ++i) s += (i ? ", " : "") + std::to_string(u(rng));
  return s + "]>";
}

TEST(PassesPatterns, MatMulGeluAndSwishFuseIntoEpilogues) {
  // x @ w, the torch erf GELU, @ w2, x * Sigmoid(x): at -O3 two MatMul kernels.
  std::string text = R"(kiln.graph "mlp" opsets { "" = 17 } {
  input %x : f32[3,5,37]
  const %w : f32[37,45] = )" + denseValues(37 * 45, 1) + R"(
  const %w2 : f32[45,19] = )" + denseValues(45 * 19, 2) + R"(
  const %half : f32[] = dense<[0.5]>
  const %one : f32[] = dense<[1]>
  const %sqrt2 : f32[] = dense<[1.4142135]>
  %h = MatMul(%x, %w) : f32[3,5,45]
  %z = Div(%h, %sqrt2) : f32[3,5,45]
  %e = Erf(%z) : f32[3,5,45]
  %s = Add(%e, %one) : f32[3,5,45]
  %m = Mul(%h, %s) : f32[3,5,45]
  %g = Mul(%m, %half) : f32[3,5,45]
  %o = MatMul(%g, %w2) : f32[3,5,19]
  %sg = Sigmoid(%o) : f32[3,5,19]
  %y = Mul(%o, %sg) : f32[3,5,19]
  output %y
})";
  ir::Graph g = ir::parseGraph(text);
  ir::Graph f = withPasses(g, "fuse-gelu,fuse-silu");
  EXPECT_EQ(countOps(f, OpKind::Gelu), 1);
  EXPECT_EQ(countOps(f, OpKind::Swish), 1);
  std::vector<size_t> kernels = expectSameWithAndWithout(g, "fuse-gelu,fuse-silu");
  EXPECT_EQ(kernels[1], 4u);
  EXPECT_EQ(kernels[2], 2u);
}

TEST(PassesPatterns, LongRowsAndTanhGelu) {
  // Rows of 67 and 131 elements (vector tails), GELU tanh form, SiLU, HardSwish
  // and both normalizations over the last axis of [3, 7, 67] / two axes of [2, 3, 131].
  std::string text = R"(kiln.graph "rows" opsets { "" = 18 } {
  input %x : f32[3,7,67]
  input %r : f32[2,3,131]
  const %ax : i64[1] = dense<[-1]>
  const %ax2 : i64[2] = dense<[1, 2]>
  const %two : f32[] = dense<[2]>
  const %three : f32[] = dense<[3]>
  const %zero : f32[] = dense<[0]>
  const %six : f32[] = dense<[6]>
  const %half : f32[] = dense<[0.5]>
  const %one : f32[] = dense<[1]>
  const %k : f32[] = dense<[0.7978846]>
  const %c : f32[] = dense<[0.044715]>
  const %eps : f32[] = dense<[1e-05]>
  const %gamma : f32[67] = )" + denseValues(67, 3) + R"(
  const %beta : f32[67] = )" + denseValues(67, 4) + R"(
  %m = ReduceMean(%x, %ax) : f32[3,7,1]
  %d = Sub(%x, %m) : f32[3,7,67]
  %p = Pow(%d, %two) : f32[3,7,67]
  %v = ReduceMean(%p, %ax) : f32[3,7,1]
  %ve = Add(%v, %eps) : f32[3,7,1]
  %sd = Sqrt(%ve) : f32[3,7,1]
  %n = Div(%d, %sd) : f32[3,7,67]
  %ng = Mul(%n, %gamma) : f32[3,7,67]
  %ln = Add(%ng, %beta) : f32[3,7,67]
  %cube = Pow(%ln, %three) : f32[3,7,67]
  %cc = Mul(%cube, %c) : f32[3,7,67]
  %in = Add(%ln, %cc) : f32[3,7,67]
  %kz = Mul(%in, %k) : f32[3,7,67]
  %t = Tanh(%kz) : f32[3,7,67]
  %tp = Add(%t, %one) : f32[3,7,67]
  %hx = Mul(%ln, %half) : f32[3,7,67]
  %gelu = Mul(%hx, %tp) : f32[3,7,67]
  %a3 = Add(%gelu, %three) : f32[3,7,67]
  %cl = Clip(%a3, %zero, %six) : f32[3,7,67]
  %cx = Mul(%gelu, %cl) : f32[3,7,67]
  %hs = Div(%cx, %six) : f32[3,7,67]
  %sq = Mul(%r, %r) : f32[2,3,131]
  %ms = ReduceMean(%sq, %ax2) : f32[2,1,1]
  %mse = Add(%ms, %eps) : f32[2,1,1]
  %rms = Sqrt(%mse) : f32[2,1,1]
  %rr = Reciprocal(%rms) : f32[2,1,1]
  %rn = Mul(%r, %rr) : f32[2,3,131]
  %sg = Sigmoid(%rn) : f32[2,3,131]
  %sw = Mul(%sg, %rn) : f32[2,3,131]
  output %hs
  output %sw
})";
  ir::Graph g = ir::parseGraph(text);
  const std::string all = "fuse-hardswish,fuse-gelu,fuse-silu,fuse-layernorm,fuse-rmsnorm";
  ir::Graph f = withPasses(g, all);
  for (OpKind op : {OpKind::LayerNormalization, OpKind::Gelu, OpKind::HardSwish, OpKind::RMSNormalization,
                    OpKind::Swish})
    EXPECT_EQ(countOps(f, op), 1) << ir::opName(op);
  EXPECT_EQ(f.nodes.size(), 5u);
  expectSameWithAndWithout(g, all);
}

}  // namespace
}  // namespace kiln
