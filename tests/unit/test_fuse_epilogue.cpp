// Epilogue fusion (passes/fuse_epilogue.h, codegen/ops/epilogue.h), tested two
// ways: the structure (which ops move into which node, which must stay out)
// and the numbers (a graph compiled at -O0, which does not fuse, and at -O3,
// which does, gives the same outputs).
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "codegen/jit_model.h"
#include "ir/epilogue.h"
#include "ir/shape_rules.h"
#include "ir/text.h"
#include "ir/verifier.h"
#include "passes/fuse_epilogue.h"
#include "runtime/thread_pool.h"

namespace kiln {
namespace {

using ir::OpKind;
using ir::ValueId;

// Builds a graph with static shapes: each node's output type comes from its
// shape rule as it is added.
struct Builder {
  ir::Graph g;
  std::mt19937 rng{1234};

  ValueId input(std::vector<int64_t> shape, DType dt = DType::F32) {
    ValueId v = g.addValue("in" + std::to_string(g.inputs.size()), ir::staticType(dt, shape));
    g.inputs.push_back(v);
    return v;
  }
  ValueId constant(std::vector<int64_t> shape, std::vector<float> values = {}) {
    int64_t n = 1;
    for (int64_t d : shape) n *= d;
    if (values.empty()) {
      std::uniform_real_distribution<float> u(-1.0f, 1.0f);
      for (int64_t i = 0; i < n; ++i) values.push_back(u(rng));
    }
    return g.addConstant("c" + std::to_string(g.values.size()), ir::TensorData::fromFloats(values, shape));
  }
  ValueId scalar(float v) {
    return g.addConstant("s" + std::to_string(g.values.size()), ir::TensorData::filled(DType::F32, {}, v));
  }
  ValueId op(OpKind kind, std::vector<ValueId> inputs, ir::Attributes a = {}) {
    ValueId out = g.addValue("v" + std::to_string(g.values.size()), ir::unknownRank(DType::F32));
    ir::Node& n = g.addNode(kind, std::move(inputs), {out}, "n" + std::to_string(g.nodes.size()));
    n.attrs = std::move(a);
    ir::inferNodeShapes(g, n);
    return out;
  }
  // Conv of x with `oc` output channels, random weights and bias.
  ValueId conv(ValueId x, int64_t oc, int64_t k, int64_t stride = 1, int64_t group = 1, bool bias = true) {
    int64_t c = g.type(x).staticShape()[1];
    ir::Attributes a;
    a.set("pads", std::vector<int64_t>{k / 2, k / 2, k / 2, k / 2});
    a.set("strides", std::vector<int64_t>{stride, stride});
    a.set("group", group);
    std::vector<ValueId> ins{x, constant({oc, c / group, k, k})};
    if (bias) ins.push_back(constant({oc}));
    return op(OpKind::Conv, ins, a);
  }
  // x * clip(x + 3, 0, 6) / 6, as exporters write HardSwish.
  ValueId hardSwish(ValueId x) {
    ValueId clip = op(OpKind::Clip, {op(OpKind::Add, {x, scalar(3)}), scalar(0), scalar(6)});
    return op(OpKind::Div, {op(OpKind::Mul, {x, clip}), scalar(6)});
  }
};

int countOps(const ir::Graph& g, OpKind kind) {
  int n = 0;
  for (const ir::Node& node : g.nodes) n += node.op == kind;
  return n;
}

const ir::Node& onlyNode(const ir::Graph& g, OpKind kind) {
  for (const ir::Node& n : g.nodes)
    if (n.op == kind) return n;
  throw Error("no such node");
}

// Subgraph ops of node n's epilogue, in order (empty when it has none).
std::vector<OpKind> epilogueOps(const ir::Node& n) {
  std::vector<OpKind> ops;
  if (ir::GraphPtr sub = n.attrs.getGraph(ir::kEpilogueAttr))
    for (const ir::Node& s : sub->nodes) ops.push_back(s.op);
  return ops;
}

// Fuses, verifies, and checks that the text form round-trips.
void fuse(ir::Graph& g) {
  passes::fuseEpilogues(g);
  passes::fuseElementwise(g);
  ir::verifyGraph(g);
  std::string text = ir::printGraph(g);
  EXPECT_EQ(ir::printGraph(ir::parseGraph(text)), text);
}

// ---- structure -----------------------------------------------------------------

TEST(FuseEpilogue, ConvHardSwishDiamondFusesIntoOneNode) {
  Builder b;
  ValueId y = b.hardSwish(b.op(OpKind::Mul, {b.constant({1}), b.conv(b.input({1, 3, 8, 8}), 4, 3)}));
  b.g.outputs = {y};
  fuse(b.g);
  ASSERT_EQ(b.g.nodes.size(), 1u);
  const ir::Node& conv = b.g.nodes[0];
  EXPECT_EQ(conv.op, OpKind::Conv);
  EXPECT_EQ(conv.outputs[0], b.g.outputs[0]);
  EXPECT_EQ(conv.numCaptures, 0);  // one-element constants live in the subgraph
  EXPECT_EQ(epilogueOps(conv),
            (std::vector<OpKind>{OpKind::Mul, OpKind::Add, OpKind::Clip, OpKind::Mul, OpKind::Div}));
  EXPECT_EQ(b.g.type(conv.outputs[0]).staticShape(), (std::vector<int64_t>{1, 4, 8, 8}));
}

TEST(FuseEpilogue, ResidualAndPerChannelOperandsBecomeCaptures) {
  Builder b;
  ValueId x = b.input({1, 4, 6, 6});
  ValueId scale = b.constant({4, 1, 1});
  ValueId y = b.op(OpKind::Add, {x, b.op(OpKind::Mul, {b.conv(x, 4, 1, 1, 1, false), scale})});
  b.g.outputs = {y};
  fuse(b.g);
  ASSERT_EQ(b.g.nodes.size(), 1u);
  const ir::Node& conv = b.g.nodes[0];
  EXPECT_EQ(conv.numCaptures, 2);
  ASSERT_EQ(conv.inputs.size(), 5u);            // X, W, absent bias, then the captures
  EXPECT_EQ(conv.inputs[2], ir::kNoValue);
  EXPECT_TRUE(b.g.value(conv.inputs[3]).isConstant());   // the [4,1,1] scale
  EXPECT_EQ(conv.inputs[4], b.g.inputs[0]);              // the residual
}

TEST(FuseEpilogue, ProducerOutputReadOutsideTheChainIsNotFused) {
  Builder b;
  ValueId c = b.conv(b.input({1, 3, 8, 8}), 4, 3);
  ValueId r = b.op(OpKind::Relu, {c});
  ValueId p = b.op(OpKind::GlobalAveragePool, {c});
  b.g.outputs = {r, p};
  fuse(b.g);
  EXPECT_EQ(b.g.nodes.size(), 3u);
  EXPECT_TRUE(epilogueOps(onlyNode(b.g, OpKind::Conv)).empty());
}

TEST(FuseEpilogue, GraphOutputsEndTheChain) {
  Builder b;
  ValueId c = b.conv(b.input({1, 3, 8, 8}), 4, 3);
  ValueId r = b.op(OpKind::Relu, {c});
  ValueId n = b.op(OpKind::Neg, {r});
  b.g.outputs = {c, r, n};  // the conv's own output is a graph output: nothing fuses
  fuse(b.g);
  EXPECT_EQ(b.g.nodes.size(), 3u);

  Builder b2;
  c = b2.conv(b2.input({1, 3, 8, 8}), 4, 3);
  r = b2.op(OpKind::Relu, {c});
  n = b2.op(OpKind::Neg, {r});
  b2.g.outputs = {r, n};  // Relu's output is: the chain stops there
  fuse(b2.g);
  ASSERT_EQ(b2.g.nodes.size(), 2u);
  EXPECT_EQ(epilogueOps(onlyNode(b2.g, OpKind::Conv)), std::vector<OpKind>{OpKind::Relu});
  EXPECT_EQ(countOps(b2.g, OpKind::Neg), 1);
}

TEST(FuseEpilogue, ShapeChangingBroadcastStaysOut) {
  Builder b;
  ValueId x = b.input({1, 4, 8, 8});
  ValueId pooled = b.op(OpKind::GlobalAveragePool, {x});
  ValueId c = b.conv(pooled, 4, 1);                         // [1,4,1,1]
  ValueId s = b.op(OpKind::HardSigmoid, {c});
  ValueId y = b.op(OpKind::Mul, {x, s});                    // [1,4,8,8]: not the conv's shape
  ValueId big = b.op(OpKind::Add, {b.conv(x, 4, 3), b.input({2, 1, 4, 8, 8})});  // rank grows
  b.g.outputs = {y, big};
  fuse(b.g);
  EXPECT_EQ(countOps(b.g, OpKind::Mul), 1);
  EXPECT_EQ(countOps(b.g, OpKind::Add), 1);
  EXPECT_EQ(countOps(b.g, OpKind::HardSigmoid), 0);  // HardSigmoid itself fuses
}

TEST(FuseEpilogue, OperandsComputedFromTheChainStayOut) {
  // SE block: y = r * f(pool(r)) with r = relu(conv(x)).
  Builder b;
  ValueId r = b.op(OpKind::Relu, {b.conv(b.input({1, 3, 8, 8}), 4, 3)});
  ValueId gate = b.op(OpKind::Sigmoid, {b.op(OpKind::GlobalAveragePool, {r})});
  ValueId shape = b.g.addConstant("shape", ir::TensorData::fromInts({1, 4, 8, 8}, {4}));
  ValueId y = b.op(OpKind::Mul, {r, b.op(OpKind::Expand, {gate, shape})});
  b.g.outputs = {y};
  fuse(b.g);
  EXPECT_EQ(epilogueOps(onlyNode(b.g, OpKind::Conv)), std::vector<OpKind>{OpKind::Relu});
  EXPECT_EQ(countOps(b.g, OpKind::Mul), 1);
}

TEST(FuseEpilogue, OperandComputedAfterTheProducerIsCaptured) {
  // a = conv(x); n = neg(x) (after a, independent of it); y = a + n.
  Builder b;
  ValueId x = b.input({1, 4, 8, 8});
  ValueId a = b.conv(x, 4, 3);
  ValueId n = b.op(OpKind::Neg, {x});
  ValueId y = b.op(OpKind::Add, {a, n});
  b.g.outputs = {y};
  fuse(b.g);
  ASSERT_EQ(b.g.nodes.size(), 2u);
  EXPECT_EQ(b.g.nodes[0].op, OpKind::Neg);  // the fused conv sits where the Add was
  EXPECT_EQ(b.g.nodes[1].op, OpKind::Conv);
  EXPECT_EQ(b.g.nodes[1].numCaptures, 1);
}

TEST(FuseEpilogue, NonFloat32OutputsAreNotFused) {
  Builder b;
  ValueId a = b.input({4, 5}, DType::F64), w = b.input({5, 3}, DType::F64);
  b.g.outputs = {b.op(OpKind::Relu, {b.op(OpKind::MatMul, {a, w})})};
  fuse(b.g);
  EXPECT_EQ(b.g.nodes.size(), 2u);
}

TEST(FuseEpilogue, TwoProducersMeetingInAnAdd) {
  // add(conv1(x), conv2(x)): the first conv takes the Add, the second conv's
  // output becomes its capture.
  Builder b;
  ValueId x = b.input({1, 4, 8, 8});
  ValueId y = b.op(OpKind::Relu, {b.op(OpKind::Add, {b.conv(x, 4, 3), b.conv(x, 4, 1)})});
  b.g.outputs = {y};
  fuse(b.g);
  ASSERT_EQ(b.g.nodes.size(), 2u);
  EXPECT_TRUE(epilogueOps(b.g.nodes[0]).empty());
  EXPECT_EQ(epilogueOps(b.g.nodes[1]), (std::vector<OpKind>{OpKind::Add, OpKind::Relu}));
  EXPECT_EQ(b.g.nodes[1].inputs.back(), b.g.nodes[0].outputs[0]);
}

TEST(FuseEpilogue, ElementwiseChainsFuseIntoTheirFirstOp) {
  // y = x + x * gate (gate per channel), then + r: no contraction before it,
  // so the Mul takes the Adds.
  Builder b;
  ValueId x = b.input({1, 8, 6, 6}), gate = b.input({1, 8, 1, 1}), r = b.input({1, 8, 6, 6});
  ValueId y = b.op(OpKind::Add, {b.op(OpKind::Add, {x, b.op(OpKind::Mul, {x, gate})}), r});
  b.g.outputs = {y};
  fuse(b.g);
  ASSERT_EQ(b.g.nodes.size(), 1u);
  const ir::Node& mul = b.g.nodes[0];
  EXPECT_EQ(mul.op, OpKind::Mul);
  EXPECT_EQ(epilogueOps(mul), (std::vector<OpKind>{OpKind::Add, OpKind::Add}));
  EXPECT_EQ(mul.numCaptures, 2);  // x and r; gate stays a formal input of the Mul
}

TEST(FuseEpilogue, ContractionsTakeTheirChainBeforeElementwiseProducers) {
  // n = neg(x) comes first, but add(conv(x), n) belongs to the conv.
  Builder b;
  ValueId x = b.input({1, 4, 8, 8});
  ValueId n = b.op(OpKind::Neg, {x});
  ValueId y = b.op(OpKind::Add, {b.conv(x, 4, 3), n});
  b.g.outputs = {y};
  fuse(b.g);
  ASSERT_EQ(b.g.nodes.size(), 2u);
  EXPECT_TRUE(epilogueOps(onlyNode(b.g, OpKind::Neg)).empty());
  EXPECT_EQ(epilogueOps(onlyNode(b.g, OpKind::Conv)), std::vector<OpKind>{OpKind::Add});
}

TEST(FuseEpilogue, VerifierRejectsMalformedEpilogues) {
  Builder b;
  ValueId y = b.op(OpKind::Relu, {b.conv(b.input({1, 3, 8, 8}), 4, 3)});
  b.g.outputs = {y};
  passes::fuseEpilogues(b.g);
  ir::Node& conv = b.g.nodes.at(0);
  auto sub = std::make_shared<ir::Graph>(*conv.attrs.getGraph(ir::kEpilogueAttr));
  sub->nodes[0].op = OpKind::GlobalAveragePool;
  conv.attrs.set(ir::kEpilogueAttr, ir::GraphPtr(sub));
  EXPECT_THROW(ir::verifyGraph(b.g), Error);
}

TEST(FuseEpilogue, KernelsThatIgnoreAnEpilogueFailToCompile) {
  // An epilogue on an op whose emitter does not apply one is an error, never
  // a silently different result.
  Builder b;
  ValueId s = b.op(OpKind::Softmax, {b.input({2, 8})});
  b.g.outputs = {s};
  ir::Graph epi;
  ValueId x = epi.addValue("x", b.g.type(s));
  ValueId r = epi.addValue("r", b.g.type(s));
  epi.inputs = {x};
  epi.addNode(OpKind::Relu, {x}, {r});
  epi.outputs = {r};
  b.g.nodes[0].attrs.set(ir::kEpilogueAttr, std::make_shared<const ir::Graph>(std::move(epi)));
  // No graph passes: in debug builds the verifier after each pass would
  // reject the epilogue before lowering sees it.
  codegen::CompileOptions options = codegen::CompileOptions::atLevel(3);
  options.passes = "";
  codegen::JitModel model(b.g, options);
  runtime::Tensor in(DType::F32, {2, 8});
  try {
    model.specialize({in});
    ADD_FAILURE() << "compiled";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("does not apply its fused epilogue"), std::string::npos) << e.what();
  }
}

// ---- numbers ---------------------------------------------------------------------

runtime::Tensor randomTensor(const ir::TensorType& t, std::mt19937& rng) {
  runtime::Tensor x(t.dtype, t.staticShape());
  std::uniform_real_distribution<float> u(-2.0f, 2.0f);
  for (int64_t i = 0; i < x.numElements(); ++i) x.data<float>()[i] = u(rng);
  return x;
}

// Runs b's graph at -O0 and -O3 on the same random inputs; expects equal
// outputs and, at -O3, only `fusedKernels` kernels.
void expectSameAtO0AndO3(Builder& b, size_t fusedKernels) {
  std::mt19937 rng(99);
  std::vector<runtime::Tensor> inputs;
  for (ValueId v : b.g.inputs) inputs.push_back(randomTensor(b.g.type(v), rng));
  runtime::ThreadPool pool(2);
  codegen::JitModel naive(b.g, codegen::CompileOptions::atLevel(0));
  codegen::JitModel fused(b.g, codegen::CompileOptions::atLevel(3));
  EXPECT_EQ(fused.specialize(inputs).model->numKernels(), fusedKernels);
  EXPECT_EQ(naive.specialize(inputs).model->numKernels(), b.g.nodes.size());
  std::vector<runtime::Tensor> want = naive.run(inputs, pool), got = fused.run(inputs, pool);
  ASSERT_EQ(want.size(), got.size());
  for (size_t k = 0; k < want.size(); ++k) {
    ASSERT_EQ(want[k].shape(), got[k].shape());
    const float* w = want[k].data<float>();
    const float* g = got[k].data<float>();
    for (int64_t i = 0; i < want[k].numElements(); ++i)
      ASSERT_NEAR(g[i], w[i], 1e-5 + 1e-4 * std::fabs(w[i])) << "output " << k << " element " << i;
  }
}

TEST(FuseEpilogueNumbers, ConvHardSwish) {
  // 3x3 conv with padding over a row that is not a multiple of the vector
  // width (edge tiles with masks), per-tensor scale and shift before HardSwish.
  Builder b;
  ValueId c = b.conv(b.input({1, 3, 13, 37}), 6, 3);
  ValueId t = b.op(OpKind::Add, {b.op(OpKind::Mul, {b.constant({1}), c}), b.constant({1})});
  b.g.outputs = {b.hardSwish(t)};
  expectSameAtO0AndO3(b, 1);
}

TEST(FuseEpilogueNumbers, PointwiseConvResidualAdd) {
  // 1x1 conv (its plane is one flattened row) + the input, then a per-channel
  // scale and a per-column operand (gathered along the flattened row).
  Builder b;
  ValueId x = b.input({2, 8, 5, 7});
  ValueId y = b.op(OpKind::Add, {b.conv(x, 8, 1), x});
  y = b.op(OpKind::Mul, {y, b.constant({8, 1, 1})});
  y = b.op(OpKind::Sub, {y, b.constant({7})});
  y = b.op(OpKind::Max, {y, b.constant({5, 1})});
  b.g.outputs = {y};
  expectSameAtO0AndO3(b, 1);
}

TEST(FuseEpilogueNumbers, StridedAndDepthwiseConvRelu) {
  Builder b;
  ValueId x = b.input({1, 6, 19, 21});
  ValueId y = b.op(OpKind::Relu, {b.conv(x, 6, 3, 2, 6)});
  ValueId z = b.op(OpKind::LeakyRelu, {b.conv(y, 5, 5, 1)}, [] {
    ir::Attributes a;
    a.set("alpha", 0.3f);
    return a;
  }());
  b.g.outputs = {z};
  expectSameAtO0AndO3(b, 2);
}

TEST(FuseEpilogueNumbers, MatMulBiasGeluErf) {
  // gelu(x @ w + b) = 0.5 * y * (1 + erf(y / sqrt(2))).
  Builder b;
  ValueId mm = b.op(OpKind::MatMul, {b.input({2, 5, 37}), b.constant({37, 19})});
  ValueId y = b.op(OpKind::Add, {mm, b.constant({19})});
  ValueId e = b.op(OpKind::Erf, {b.op(OpKind::Div, {y, b.scalar(std::sqrt(2.0f))})});
  ValueId half = b.op(OpKind::Mul, {y, b.scalar(0.5f)});
  ValueId gelu = b.op(OpKind::Mul, {half, b.op(OpKind::Add, {e, b.scalar(1)})});
  b.g.outputs = {gelu};
  expectSameAtO0AndO3(b, 1);
}

TEST(FuseEpilogueNumbers, MatVecAndGemmTanh) {
  Builder b;
  ValueId mv = b.op(OpKind::Sigmoid, {b.op(OpKind::MatMul, {b.input({3, 40}), b.constant({40, 1})})});
  ir::Attributes a;
  a.set("transB", int64_t{1});
  ValueId gm = b.op(OpKind::Gemm, {b.input({6, 33}), b.constant({21, 33}), b.constant({21})}, a);
  gm = b.op(OpKind::Tanh, {b.op(OpKind::Mul, {gm, b.input({6, 1})})});
  b.g.outputs = {mv, gm};
  expectSameAtO0AndO3(b, 2);
}

TEST(FuseEpilogueNumbers, ConvBatchNormRelu) {
  // BatchNormalization's [C] parameters apply along the channels; the same
  // [C] tensor also used as a numpy operand broadcasts along the last dim.
  Builder b;
  ValueId scale = b.constant({4}), bias = b.constant({4}), mean = b.constant({4});
  ValueId var = b.constant({4}, {0.5f, 1.0f, 2.0f, 0.25f});
  ValueId c = b.conv(b.input({1, 3, 6, 4}), 4, 3, 1, 1, false);
  ValueId bn = b.op(OpKind::BatchNormalization, {c, scale, bias, mean, var});
  b.g.outputs = {b.op(OpKind::Relu, {b.op(OpKind::Add, {bn, scale})})};
  expectSameAtO0AndO3(b, 1);
}

TEST(FuseEpilogueNumbers, ElementwiseChains) {
  // x + x * gate + r as one kernel; a Clip with only its min (its absent max
  // keeps its slot before the captures) taking a per-channel shift and Tanh.
  Builder b;
  ValueId x = b.input({2, 8, 5, 7}), gate = b.input({2, 8, 1, 1}), r = b.input({2, 8, 5, 7});
  ValueId y = b.op(OpKind::Add, {b.op(OpKind::Add, {x, b.op(OpKind::Mul, {x, gate})}), r});
  ValueId z = b.op(OpKind::Clip, {r, b.scalar(-0.5f)});
  z = b.op(OpKind::Tanh, {b.op(OpKind::Sub, {z, b.constant({8, 1, 1})})});
  b.g.outputs = {y, z};
  expectSameAtO0AndO3(b, 2);
}

TEST(FuseEpilogueNumbers, ConvTransposeSigmoid) {
  Builder b;
  auto deconv = [&](ValueId x, int64_t oc, int64_t stride) {
    ir::Attributes a;
    a.set("strides", std::vector<int64_t>{stride, stride});
    int64_t c = b.g.type(x).staticShape()[1];
    return b.op(OpKind::ConvTranspose, {x, b.constant({c, oc, 2, 2}), b.constant({oc})}, a);
  };
  ValueId x = b.input({1, 4, 9, 11});
  ValueId y = b.op(OpKind::Sigmoid, {deconv(x, 3, 2)});          // strided rows: phase buffer
  ValueId z = b.op(OpKind::Add, {deconv(y, 2, 1), b.constant({2, 1, 1})});
  ValueId var = b.constant({2}, {1.0f, 3.0f});
  z = b.op(OpKind::BatchNormalization, {z, b.constant({2}), b.constant({2}), b.constant({2}), var});
  z = b.op(OpKind::Relu, {z});
  b.g.outputs = {z};
  expectSameAtO0AndO3(b, 2);
}

}  // namespace
}  // namespace kiln
