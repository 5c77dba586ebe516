// The simplification passes (canonicalize, fold-constants, cse,
// fold-batchnorm), tested by their numbers: a graph compiled with no passes
// and with the pass gives the same outputs (bit for bit for the exact
// rewrites; within float rounding of the folded weights for fold-batchnorm),
// plus the structure the pass must leave.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "codegen/compiler.h"
#include "codegen/jit_model.h"
#include "ir/shape_rules.h"
#include "ir/text.h"
#include "ir/verifier.h"
#include "passes/fold_constants.h"
#include "passes/pass_manager.h"
#include "passes/pipeline.h"
#include "runtime/thread_pool.h"

namespace kiln {
namespace {

using ir::OpKind;
using ir::ValueId;

runtime::Tensor randomTensor(const ir::TensorType& t, std::mt19937& rng) {
  runtime::Tensor x(t.dtype, t.staticShape());
  std::uniform_real_distribution<float> u(-2.0f, 2.0f);
  for (int64_t i = 0; i < x.numElements(); ++i) {
    if (t.dtype == DType::F32) x.data<float>()[i] = u(rng);
    else if (t.dtype == DType::I64) x.data<int64_t>()[i] = static_cast<int64_t>(rng() % 201) - 100;
    else throw Error("randomTensor: unsupported dtype");
  }
  return x;
}

int countOps(const ir::Graph& g, OpKind kind) {
  int n = 0;
  for (const ir::Node& node : g.nodes) n += node.op == kind;
  return n;
}

struct Compiled {
  std::vector<runtime::Tensor> outputs;
  std::shared_ptr<const ir::Graph> graph;  // after specialization and the passes
};

Compiled runWithPasses(const ir::Graph& g, const std::string& passes, const std::vector<runtime::Tensor>& inputs) {
  codegen::CompileOptions options = codegen::CompileOptions::atLevel(3);
  options.passes = passes;
  options.instrumentation.verifyEach = true;
  codegen::JitModel model(g, options);
  runtime::ThreadPool pool(2);
  Compiled c;
  c.graph = model.specialize(inputs).graph;
  c.outputs = model.run(inputs, pool);
  return c;
}

// Runs g with no passes and with `passes` on the same random inputs and
// compares every output: exactly when tolerance is 0, else within
// tolerance * (|want| + the output's largest magnitude). Returns the graph
// the passes left.
std::shared_ptr<const ir::Graph> expectSameWithAndWithout(const ir::Graph& g, const std::string& passes,
                                                          double tolerance) {
  std::mt19937 rng(7);
  std::vector<runtime::Tensor> inputs;
  for (ValueId v : g.inputs) inputs.push_back(randomTensor(g.type(v), rng));
  Compiled want = runWithPasses(g, "", inputs), got = runWithPasses(g, passes, inputs);
  EXPECT_EQ(want.outputs.size(), got.outputs.size());
  for (size_t k = 0; k < want.outputs.size() && k < got.outputs.size(); ++k) {
    const runtime::Tensor &w = want.outputs[k], &o = got.outputs[k];
    EXPECT_EQ(w.dtype(), o.dtype());
    EXPECT_EQ(w.shape(), o.shape());
    if (w.dtype() != o.dtype() || w.shape() != o.shape()) continue;
    if (w.dtype() != DType::F32) {
      EXPECT_EQ(std::memcmp(w.data<uint8_t>(), o.data<uint8_t>(), w.numElements() * dtypeSize(w.dtype())), 0)
          << "output " << k;
      continue;
    }
    double largest = 0;
    for (int64_t i = 0; i < w.numElements(); ++i) largest = std::max(largest, std::fabs(double(w.data<float>()[i])));
    for (int64_t i = 0; i < w.numElements(); ++i) {
      float a = w.data<float>()[i], b = o.data<float>()[i];
      bool same = tolerance == 0 ? std::memcmp(&a, &b, sizeof a) == 0
                                 : std::fabs(double(a) - double(b)) <= tolerance * (std::fabs(a) + largest);
      if (!same) {
        ADD_FAILURE() << "output " << k << " element " << i << ": " << b << ", expected " << a;
        break;
      }
    }
  }
  return got.graph;
}

// ---- canonicalize -------------------------------------------------------------------

constexpr const char* kCanonicalizeGraph = R"(
kiln.graph "canonicalize" opsets { "" = 17 } {
  input %x : f32[2,3,4]
  input %i : i64[2,3]
  const %zero : f32[] = dense<[0]>
  const %one4 : f32[4] = dense<[1, 1, 1, 1]>
  const %ones : f32[3,1] = dense<[1, 1, 1]>
  const %izero : i64[1] = dense<[0]>
  const %ione : i64[2,1] = dense<[1, 1]>
  const %s24 : i64[1] = dense<[24]>
  const %s64 : i64[2] = dense<[6, 4]>
  const %ax : i64[1] = dense<[1]>
  %a = Add(%zero, %x) : f32[2,3,4]
  %b = Mul(%a, %one4) : f32[2,3,4]
  %c = Div(%b, %ones) : f32[2,3,4]
  %d = Sub(%c, %zero) : f32[2,3,4]
  %e = Identity(%d) : f32[2,3,4]
  %f = Cast(%e) {to = 1} : f32[2,3,4]
  %t1 = Transpose(%f) {perm = [2, 0, 1]} : f32[4,2,3]
  %t2 = Transpose(%t1) {perm = [0, 2, 1]} : f32[4,3,2]
  %t3 = Transpose(%t2) {perm = [2, 1, 0]} : f32[2,3,4]
  %r1 = Reshape(%t3, %s24) : f32[24]
  %r2 = Reshape(%r1, %s64) : f32[6,4]
  %u = Unsqueeze(%r2, %ax) : f32[6,1,4]
  %s = Squeeze(%u, %ax) : f32[6,4]
  %y = Relu(%s) : f32[6,4]
  %z = Mul(%t2, %zero) : f32[4,3,2]
  %j = Add(%i, %izero) : i64[2,3]
  %k = Mul(%ione, %j) : i64[2,3]
  %l = Neg(%k) : i64[2,3]
  output %y
  output %z
  output %l
  output %t2
}
)";

TEST(Canonicalize, SameOutputsBitForBit) {
  ir::Graph g = ir::parseGraph(kCanonicalizeGraph);
  auto after = expectSameWithAndWithout(g, "canonicalize", 0);
  // Left: one Transpose (t2, a graph output), one Reshape, Relu, x*0, Neg.
  EXPECT_EQ(countOps(*after, OpKind::Transpose), 1);
  EXPECT_EQ(countOps(*after, OpKind::Reshape), 1);
  EXPECT_EQ(countOps(*after, OpKind::Squeeze) + countOps(*after, OpKind::Unsqueeze), 0);
  EXPECT_EQ(countOps(*after, OpKind::Identity) + countOps(*after, OpKind::Cast), 0);
  EXPECT_EQ(countOps(*after, OpKind::Add) + countOps(*after, OpKind::Sub) + countOps(*after, OpKind::Div), 0);
  EXPECT_EQ(countOps(*after, OpKind::Mul), 1);  // x * 0 stays
  EXPECT_EQ(after->nodes.size(), 5u);
}

TEST(Canonicalize, KeepsNaNAndInfThroughXTimesZero) {
  // x * 0 is not 0 when x is Inf or NaN: the pass must keep the Mul.
  ir::Graph g = ir::parseGraph(R"(
kiln.graph "mul0" opsets { "" = 17 } {
  input %x : f32[3]
  const %zero : f32[] = dense<[0]>
  %m = Mul(%x, %zero) : f32[3]
  output %m
})");
  codegen::CompileOptions options;
  options.passes = "canonicalize";
  codegen::JitModel model(g, options);
  runtime::ThreadPool pool(1);
  runtime::Tensor x(DType::F32, {3});
  x.data<float>()[0] = INFINITY;
  x.data<float>()[1] = NAN;
  x.data<float>()[2] = -3.0f;
  std::vector<runtime::Tensor> out = model.run({x}, pool);
  EXPECT_TRUE(std::isnan(out[0].data<float>()[0]));
  EXPECT_TRUE(std::isnan(out[0].data<float>()[1]));
  EXPECT_EQ(out[0].data<float>()[2], 0.0f);
}

// ---- cse ----------------------------------------------------------------------------

TEST(Cse, SameOutputsBitForBitWithFewerKernels) {
  ir::Graph g = ir::parseGraph(R"(
kiln.graph "cse" opsets { "" = 17 } {
  input %x : f32[2,8]
  input %w : f32[8,8]
  const %k1 : f32[8] = dense<[1, 2, 3, 4, 5, 6, 7, 8]>
  const %k2 : f32[8] = dense<[1, 2, 3, 4, 5, 6, 7, 8]>
  %m1 = MatMul(%x, %w) : f32[2,8]
  %m2 = MatMul(%x, %w) : f32[2,8]
  %a1 = Add(%m1, %k1) : f32[2,8]
  %a2 = Add(%m2, %k2) : f32[2,8]
  %s1 = Softmax(%a1) {axis = 1} : f32[2,8]
  %s2 = Softmax(%a2) {axis = 0} : f32[2,8]
  %t = Mul(%s1, %s2) : f32[2,8]
  %u = Mul(%a1, %a2) : f32[2,8]
  output %t
  output %u
  output %a2
})");
  auto after = expectSameWithAndWithout(g, "cse", 0);
  EXPECT_EQ(countOps(*after, OpKind::MatMul), 1);
  EXPECT_EQ(countOps(*after, OpKind::Add), 1);
  EXPECT_EQ(countOps(*after, OpKind::Softmax), 2);  // different axes
  EXPECT_EQ(after->nodes.size(), 6u);
  // The surviving Add computes the graph output a2 under its name.
  EXPECT_EQ(after->value(after->outputs[2]).name, "a2");
  ir::verifyGraph(*after);
}

// ---- fold-constants -----------------------------------------------------------------

constexpr const char* kShapeArithmetic = R"(
kiln.graph "shape_arith" opsets { "" = 17 } {
  input %x : f32[2,3,8]
  const %i0 : i64[] = dense<[0]>
  const %i2 : i64[1] = dense<[2]>
  const %ax0 : i64[1] = dense<[0]>
  const %m1 : i64[1] = dense<[-1]>
  const %k : f32[8] = dense<[1, 2, 3, 4, 5, 6, 7, 8]>
  const %two : f32[] = dense<[2]>
  %s = Shape(%x) : i64[3]
  %d0 = Gather(%s, %i0) {axis = 0} : i64[]
  %d2 = Gather(%s, %i2) {axis = 0} : i64[1]
  %u0 = Unsqueeze(%d0, %ax0) : i64[1]
  %shape = Concat(%u0, %m1, %d2) {axis = 0} : i64[3]
  %r = Reshape(%x, %shape) : f32[2,3,8]
  %kk = Mul(%k, %two) : f32[8]
  %kx = Exp(%kk) : f32[8]
  %y = Add(%r, %kx) : f32[2,3,8]
  output %y
})";

TEST(FoldConstants, ShapeArithmeticBecomesAConstantReshapeShape) {
  ir::Graph g = ir::parseGraph(kShapeArithmetic);
  codegen::JitConstantEvaluator evaluator(codegen::Target::host());
  passes::PassContext context;
  context.evaluator = &evaluator;
  passes::runPipeline(g, passes::parsePipeline("fold-constants"), context);
  ir::verifyGraph(g);
  ASSERT_EQ(g.nodes.size(), 2u);
  const ir::Node& reshape = g.nodes[0];
  ASSERT_EQ(reshape.op, OpKind::Reshape);
  ASSERT_TRUE(g.value(reshape.inputs[1]).isConstant());
  EXPECT_EQ(g.value(reshape.inputs[1]).constant->toInts(), (std::vector<int64_t>{2, -1, 8}));
  const ir::Node& add = g.nodes[1];
  ASSERT_TRUE(g.value(add.inputs[1]).isConstant());
  std::vector<double> kx = g.value(add.inputs[1]).constant->toDoubles();
  for (int i = 0; i < 8; ++i) EXPECT_FLOAT_EQ(kx[static_cast<size_t>(i)], std::exp(2.0f * float(i + 1)));
  // The folded graph computes what the original does, bit for bit.
  std::mt19937 rng(3);
  std::vector<runtime::Tensor> inputs{randomTensor(g.type(g.inputs[0]), rng)};
  ir::Graph original = ir::parseGraph(kShapeArithmetic);
  std::vector<runtime::Tensor> want = runWithPasses(original, "", inputs).outputs;
  std::vector<runtime::Tensor> got = runWithPasses(g, "", inputs).outputs;
  ASSERT_EQ(std::memcmp(want[0].data<float>(), got[0].data<float>(), 48 * sizeof(float)), 0);
}

TEST(FoldConstants, DoesNothingWithoutAnEvaluatorAndRespectsMaxFoldBytes) {
  ir::Graph g = ir::parseGraph(kShapeArithmetic);
  passes::PassContext none;
  passes::runPipeline(g, passes::parsePipeline("fold-constants"), none);
  EXPECT_EQ(g.nodes.size(), 9u);
  codegen::JitConstantEvaluator evaluator(codegen::Target::host());
  passes::PassContext small;
  small.evaluator = &evaluator;
  small.maxFoldBytes = 24;  // the i64[3] shape (24 bytes) folds; the f32[8] values (32 bytes) do not
  passes::runPipeline(g, passes::parsePipeline("fold-constants"), small);
  EXPECT_EQ(countOps(g, OpKind::Shape) + countOps(g, OpKind::Gather) + countOps(g, OpKind::Concat), 0);
  EXPECT_EQ(countOps(g, OpKind::Mul) + countOps(g, OpKind::Exp), 2);
  EXPECT_EQ(g.nodes.size(), 4u);
}

// ---- fold-batchnorm -----------------------------------------------------------------

struct Builder {
  ir::Graph g;
  std::mt19937 rng{1234};

  ValueId input(std::vector<int64_t> shape) {
    ValueId v = g.addValue("in" + std::to_string(g.inputs.size()), ir::staticType(DType::F32, shape));
    g.inputs.push_back(v);
    return v;
  }
  ValueId constant(std::vector<int64_t> shape, float lo = -1.0f, float hi = 1.0f) {
    int64_t n = 1;
    for (int64_t d : shape) n *= d;
    std::uniform_real_distribution<float> u(lo, hi);
    std::vector<float> values;
    for (int64_t i = 0; i < n; ++i) values.push_back(u(rng));
    return g.addConstant("c" + std::to_string(g.values.size()), ir::TensorData::fromFloats(values, shape));
  }
  ValueId op(OpKind kind, std::vector<ValueId> inputs, ir::Attributes a = {}) {
    ValueId out = g.addValue("v" + std::to_string(g.values.size()), ir::unknownRank(DType::F32));
    ir::Node& n = g.addNode(kind, std::move(inputs), {out}, "n" + std::to_string(g.nodes.size()));
    n.attrs = std::move(a);
    ir::inferNodeShapes(g, n);
    return out;
  }
  ValueId batchNorm(ValueId x, int64_t c, float epsilon = 1e-5f) {
    ir::Attributes a;
    a.set("epsilon", epsilon);
    return op(OpKind::BatchNormalization,
              {x, constant({c}, 0.5f, 2.0f), constant({c}), constant({c}), constant({c}, 0.1f, 3.0f)}, a);
  }
};

TEST(FoldBatchNorm, ConvAndGemmWithinRounding) {
  Builder b;
  ValueId x = b.input({1, 4, 9, 11});
  ir::Attributes pads;
  pads.set("pads", std::vector<int64_t>{1, 1, 1, 1});
  ValueId conv = b.op(OpKind::Conv, {x, b.constant({6, 4, 3, 3}), b.constant({6})}, pads);
  ValueId y1 = b.op(OpKind::Relu, {b.batchNorm(conv, 6)});
  // Depthwise conv without bias.
  ir::Attributes dw;
  dw.set("group", int64_t{6});
  ValueId y2 = b.batchNorm(b.op(OpKind::Conv, {y1, b.constant({6, 1, 1, 1})}, dw), 6, 1e-3f);
  // Gemm with transB = 0 and a row bias, and transB = 1, alpha, beta and a scalar C.
  ValueId v = b.input({5, 7});
  ValueId g1 = b.batchNorm(b.op(OpKind::Gemm, {v, b.constant({7, 3}), b.constant({3})}), 3);
  ir::Attributes t;
  t.set("transB", int64_t{1});
  t.set("alpha", 0.5f);
  t.set("beta", 2.0f);
  ValueId g2 = b.batchNorm(b.op(OpKind::Gemm, {v, b.constant({3, 7}), b.constant({1})}, t), 3);
  b.g.outputs = {y2, g1, g2};
  auto after = expectSameWithAndWithout(b.g, "fold-batchnorm", 1e-5);
  EXPECT_EQ(countOps(*after, OpKind::BatchNormalization), 0);
  EXPECT_EQ(after->nodes.size(), 5u);  // 2 Conv, Relu, 2 Gemm
  // And through the whole -O3 pipeline.
  expectSameWithAndWithout(b.g, passes::defaultPipeline(3), 1e-5);
}

TEST(FoldBatchNorm, LeavesBatchNormAfterOtherProducersOrSharedOutputs) {
  Builder b;
  ValueId x = b.input({1, 3, 5, 5});
  ValueId conv = b.op(OpKind::Conv, {x, b.constant({3, 3, 1, 1})});
  ValueId bn1 = b.batchNorm(conv, 3);                                  // conv is also an output
  ValueId bn2 = b.batchNorm(b.op(OpKind::Sigmoid, {x}), 3);            // not a Conv/Gemm
  ValueId bn3 = b.batchNorm(b.op(OpKind::Conv, {x, b.input({3, 3, 1, 1})}), 3);  // weights not constant
  b.g.outputs = {conv, bn1, bn2, bn3};
  auto after = expectSameWithAndWithout(b.g, "fold-batchnorm", 0);
  EXPECT_EQ(countOps(*after, OpKind::BatchNormalization), 3);
}

}  // namespace
}  // namespace kiln
