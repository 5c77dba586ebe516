// fuse-attention (passes/fuse_attention.h) and the Attention op
// (ir/shape_rules/attention.cpp, codegen/ops/attention.cpp), tested by numbers:
//   - decomposed MatMul/Softmax/MatMul graphs (the lit test's, every form and
//     near miss, and larger ones whose sizes are not multiples of the vector
//     width or of the kernel's four-row blocks) give the same outputs with no
//     graph passes, with fuse-attention and with -O3, within
//     |got - want| <= 1e-5 + 1e-4 |want| (the kernel sums in another order);
//   - Attention nodes (grouped-query heads, bool and float masks of several
//     broadcast shapes, is_causal with Sq <, = and > Skv, explicit and default
//     scale, fully masked rows) against a plain double-precision C++
//     reference, on the host's vector width and on 128-bit SSE, within
//     1e-5 + 1e-4 |want|;
//   - what the op does not implement is an error naming the node.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <limits>
#include <optional>
#include <random>
#include <sstream>

#include "codegen/jit_model.h"
#include "ir/shape_rules.h"
#include "ir/text.h"
#include "passes/pass_manager.h"
#include "passes/pipeline.h"
#include "runtime/thread_pool.h"

namespace kiln {
namespace {

using ir::OpKind;
using runtime::Tensor;

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

ir::Graph readLitGraph(const std::string& name) {
  std::string path = std::string(KILN_SOURCE_DIR) + "/tests/lit/passes/" + name + ".kir";
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_FALSE(text.str().empty()) << path;
  return ir::parseGraph(text.str());
}

Tensor randomTensor(DType t, const std::vector<int64_t>& shape, uint32_t seed) {
  std::mt19937 rng(seed);
  Tensor x(t, shape);
  if (t == DType::Bool) {
    std::bernoulli_distribution keep(0.7);
    for (int64_t i = 0; i < x.numElements(); ++i) x.data<uint8_t>()[i] = keep(rng) ? 1 : 0;
  } else {
    std::uniform_real_distribution<float> u(-2.0f, 2.0f);
    for (int64_t i = 0; i < x.numElements(); ++i) x.data<float>()[i] = u(rng);
  }
  return x;
}

std::vector<Tensor> randomInputs(const ir::Graph& g) {
  std::vector<Tensor> inputs;
  uint32_t seed = 11;
  for (ir::ValueId v : g.inputs) inputs.push_back(randomTensor(g.type(v).dtype, g.type(v).staticShape(), seed++));
  return inputs;
}

std::vector<Tensor> run(const ir::Graph& g, std::optional<std::string> pipeline, const std::vector<Tensor>& inputs,
                        std::optional<codegen::Target> target = std::nullopt) {
  codegen::CompileOptions options = codegen::CompileOptions::atLevel(3);
  options.passes = std::move(pipeline);
  if (target) options.target = *target;
  codegen::JitModel model(g, options);
  runtime::ThreadPool pool(2);
  return model.run(inputs, pool);
}

void expectClose(const std::vector<float>& want, const Tensor& got, const std::string& what) {
  ASSERT_EQ(static_cast<int64_t>(want.size()), got.numElements()) << what;
  for (size_t i = 0; i < want.size(); ++i)
    ASSERT_NEAR(got.data<float>()[i], want[i], 1e-5 + 1e-4 * std::fabs(want[i])) << what << ": element " << i;
}

void expectSameOutputs(const std::vector<Tensor>& want, const std::vector<Tensor>& got, const std::string& what) {
  ASSERT_EQ(want.size(), got.size()) << what;
  for (size_t k = 0; k < want.size(); ++k) {
    ASSERT_EQ(want[k].shape(), got[k].shape()) << what;
    const float* w = want[k].data<float>();
    expectClose(std::vector<float>(w, w + want[k].numElements()), got[k], what + ", output " + std::to_string(k));
  }
}

// Same outputs with no graph passes, with fuse-attention and at -O3.
void expectSameWithAndWithout(const ir::Graph& g) {
  std::vector<Tensor> inputs = randomInputs(g);
  std::vector<Tensor> none = run(g, std::string(), inputs);
  expectSameOutputs(none, run(g, std::string("fuse-attention"), inputs), "fuse-attention");
  expectSameOutputs(none, run(g, std::nullopt, inputs), "-O3");
}

std::string shapeText(const std::vector<int64_t>& s) {
  std::string t;
  for (int64_t d : s) t += (t.empty() ? "" : ",") + std::to_string(d);
  return "[" + t + "]";
}

// A decomposed attention: MatMul(Q, KT) * 0.25 [+ m] -> Softmax -> MatMul(., V),
// with KT [1, hk, d, skv] and V [1, hk, skv, dv] (hk = heads or 1).
std::string decomposedText(int64_t heads, int64_t hk, int64_t sq, int64_t skv, int64_t d, int64_t dv,
                           const std::string& mask) {
  std::vector<int64_t> q{1, heads, sq, d}, kt{1, hk, d, skv}, v{1, hk, skv, dv}, s{1, heads, sq, skv},
      y{1, heads, sq, dv};
  std::string t = "kiln.graph \"sdpa\" opsets { \"\" = 17 } {\n";
  t += "  input %q : f32" + shapeText(q) + "\n  input %kt : f32" + shapeText(kt) + "\n  input %v : f32" + shapeText(v) +
       "\n";
  t += "  const %c : f32[] = dense<[0.25]>\n";
  t += mask;
  t += "  %s = MatMul(%q, %kt) : f32" + shapeText(s) + "\n";
  t += "  %c1 = Mul(%s, %c) : f32" + shapeText(s) + "\n";
  if (!mask.empty()) t += "  %a = Add(%c1, %m) : f32" + shapeText(s) + "\n";
  t += "  %p = Softmax(" + std::string(mask.empty() ? "%c1" : "%a") + ") {axis = -1} : f32" + shapeText(s) + "\n";
  t += "  %y = MatMul(%p, %v) : f32" + shapeText(y) + "\n  output %y\n}\n";
  return t;
}

TEST(PassesAttention, DefaultPipelinesRunFuseAttentionBetweenNormsAndEpilogues) {
  for (int level : {2, 3}) {
    std::string p = passes::defaultPipeline(level);
    ASSERT_NE(p.find("fuse-attention"), std::string::npos) << p;
    EXPECT_LT(p.find("fuse-rmsnorm"), p.find("fuse-attention"));
    EXPECT_LT(p.find("fuse-layernorm"), p.find("fuse-attention"));
    EXPECT_LT(p.find("fuse-attention"), p.find("fuse-epilogue"));
  }
  EXPECT_EQ(passes::defaultPipeline(1).find("fuse-attention"), std::string::npos);
}

TEST(PassesAttention, LitGraphSameWithAndWithout) {
  ir::Graph g = readLitGraph("fuse-attention");
  ir::Graph f = withPasses(g, "fuse-attention");
  EXPECT_EQ(countOps(f, OpKind::Attention), 7);
  EXPECT_EQ(countOps(f, OpKind::Softmax), 6);
  expectSameWithAndWithout(g);
}

TEST(PassesAttention, RuntimeFloatMaskOddSizes) {
  // Sq 7 (a block of 4 and one of 3), Skv 13, D 12 and Dv 10 (not multiples of 8).
  ir::Graph g = ir::parseGraph(decomposedText(3, 3, 7, 13, 12, 10, "  input %m : f32[1,1,7,13]\n"));
  EXPECT_EQ(countOps(withPasses(g, "fuse-attention"), OpKind::Attention), 1);
  expectSameWithAndWithout(g);
}

TEST(PassesAttention, SharedKeyValueHeadSqNotSkv) {
  ir::Graph g = ir::parseGraph(decomposedText(4, 1, 5, 19, 16, 24, ""));
  ir::Graph f = withPasses(g, "fuse-attention");
  ASSERT_EQ(countOps(f, OpKind::Attention), 1);
  expectSameWithAndWithout(g);
}

TEST(PassesAttention, ConstantCausalMaskBecomesIsCausal) {
  const int64_t n = 9;
  std::string mask = "  const %m : f32[" + std::to_string(n) + "," + std::to_string(n) + "] = dense<[";
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < n; ++j) mask += std::string(i + j ? ", " : "") + (j > i ? "-inf" : "0");
  mask += "]>\n";
  ir::Graph g = ir::parseGraph(decomposedText(2, 2, n, n, 32, 32, mask));
  ir::Graph f = withPasses(g, "fuse-attention");
  ASSERT_EQ(countOps(f, OpKind::Attention), 1);
  for (const ir::Node& node : f.nodes)
    if (node.op == OpKind::Attention) {
      EXPECT_EQ(node.attrs.getInt("is_causal", 0), 1);
      EXPECT_EQ(node.inputs.size(), 3u);
    }
  expectSameWithAndWithout(g);
}

TEST(PassesAttention, BertAndGptShapesFuseOncePerLayer) {
  // The bench transformers' attention: [1, 4, 128, 64] and causal [1, 4, 64, 64].
  ir::Graph g = ir::parseGraph(decomposedText(4, 4, 128, 128, 64, 64, ""));
  EXPECT_EQ(countOps(withPasses(g, passes::defaultPipeline(3)), OpKind::Attention), 1);
  expectSameWithAndWithout(g);
}

// ---- the Attention op against a reference

struct Case {
  int64_t batch = 1, qHeads = 1, kvHeads = 1, sq = 1, skv = 1, d = 1, dv = 1;
  std::optional<std::vector<int64_t>> maskShape;
  DType maskType = DType::F32;
  bool causal = false;
  std::optional<float> scale;
};

std::string attentionText(const Case& c) {
  std::vector<int64_t> q{c.batch, c.qHeads, c.sq, c.d}, k{c.batch, c.kvHeads, c.skv, c.d},
      v{c.batch, c.kvHeads, c.skv, c.dv}, y{c.batch, c.qHeads, c.sq, c.dv};
  std::string t = "kiln.graph \"attention\" opsets { \"\" = 23 } {\n";
  t += "  input %q : f32" + shapeText(q) + "\n  input %k : f32" + shapeText(k) + "\n  input %v : f32" + shapeText(v) +
       "\n";
  if (c.maskShape) t += "  input %m : " + std::string(dtypeName(c.maskType)) + shapeText(*c.maskShape) + "\n";
  std::string attrs = "is_causal = " + std::to_string(c.causal ? 1 : 0);
  if (c.scale) attrs += ", scale = " + std::to_string(*c.scale);
  t += "  %y = Attention(%q, %k, %v" + std::string(c.maskShape ? ", %m" : "") + ") {" + attrs + "} : f32" +
       shapeText(y) + "\n  output %y\n}\n";
  return t;
}

std::vector<float> reference(const Case& c, const std::vector<Tensor>& in) {
  const float* q = in[0].data<float>();
  const float* k = in[1].data<float>();
  const float* v = in[2].data<float>();
  std::vector<int64_t> maskStrides(4, 0);
  if (c.maskShape) {
    const std::vector<int64_t>& s = *c.maskShape;
    int64_t stride = 1;
    for (size_t i = s.size(); i-- > 0;) {
      maskStrides[4 - s.size() + i] = s[i] == 1 ? 0 : stride;
      stride *= s[i];
    }
  }
  double scale = c.scale ? *c.scale : 1.0 / std::sqrt(static_cast<double>(c.d));
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<float> y;
  for (int64_t b = 0; b < c.batch; ++b)
    for (int64_t h = 0; h < c.qHeads; ++h)
      for (int64_t i = 0; i < c.sq; ++i) {
        int64_t kvh = h / (c.qHeads / c.kvHeads);
        const float* qr = q + ((b * c.qHeads + h) * c.sq + i) * c.d;
        std::vector<double> s(static_cast<size_t>(c.skv));
        double mx = -inf;
        for (int64_t j = 0; j < c.skv; ++j) {
          const float* kr = k + ((b * c.kvHeads + kvh) * c.skv + j) * c.d;
          double dot = 0;
          for (int64_t e = 0; e < c.d; ++e) dot += static_cast<double>(qr[e]) * kr[e];
          double x = dot * scale;
          if (c.maskShape) {
            int64_t at = b * maskStrides[0] + h * maskStrides[1] + i * maskStrides[2] + j * maskStrides[3];
            if (c.maskType == DType::Bool)
              x = in[3].data<uint8_t>()[at] ? x : -inf;
            else
              x += in[3].data<float>()[at];
          }
          if (c.causal && j > i) x = -inf;
          s[static_cast<size_t>(j)] = x;
          mx = std::max(mx, x);
        }
        for (int64_t e = 0; e < c.dv; ++e) {
          if (mx == -inf) {  // fully masked: 0, as ONNX Runtime gives
            y.push_back(0);
            continue;
          }
          double num = 0, den = 0;
          for (int64_t j = 0; j < c.skv; ++j) {
            double p = std::exp(s[static_cast<size_t>(j)] - mx);
            den += p;
            num += p * v[((b * c.kvHeads + kvh) * c.skv + j) * c.dv + e];
          }
          y.push_back(static_cast<float>(num / den));
        }
      }
  return y;
}

void expectMatchesReference(const Case& c, const std::string& what) {
  ir::Graph g = ir::parseGraph(attentionText(c));
  std::vector<Tensor> inputs = randomInputs(g);
  if (c.maskShape && c.maskType == DType::Bool) {
    // Row 0 of the mask excludes every key: those query rows give 0.
    int64_t cols = c.maskShape->back();
    for (int64_t j = 0; j < cols; ++j) inputs[3].data<uint8_t>()[j] = 0;
  }
  std::vector<float> want = reference(c, inputs);
  expectClose(want, run(g, std::string(), inputs)[0], what + " (host)");
  expectClose(want, run(g, std::string(), inputs, codegen::Target::named("x86-64"))[0], what + " (SSE)");
}

Case dims(int64_t batch, int64_t qHeads, int64_t kvHeads, int64_t sq, int64_t skv, int64_t d, int64_t dv) {
  Case c;
  c.batch = batch, c.qHeads = qHeads, c.kvHeads = kvHeads, c.sq = sq, c.skv = skv, c.d = d, c.dv = dv;
  return c;
}

Case masked(Case c, std::vector<int64_t> shape, DType t) {
  c.maskShape = std::move(shape);
  c.maskType = t;
  return c;
}

Case causal(Case c) {
  c.causal = true;
  return c;
}

TEST(AttentionOp, MatchesReference) {
  expectMatchesReference(dims(1, 2, 2, 4, 4, 8, 8), "plain");
  expectMatchesReference(dims(2, 4, 2, 7, 13, 12, 10), "grouped-query, odd sizes");
  Case scaled = dims(1, 6, 1, 5, 9, 16, 16);
  scaled.scale = 0.3f;
  expectMatchesReference(scaled, "one kv head, scale");
  expectMatchesReference(masked(dims(2, 4, 2, 6, 11, 8, 20), {2, 1, 6, 11}, DType::Bool), "bool mask");
  expectMatchesReference(masked(dims(1, 3, 3, 9, 9, 24, 8), {9, 9}, DType::Bool), "bool mask 2-D");
  expectMatchesReference(masked(dims(2, 2, 2, 5, 7, 8, 8), {2, 2, 5, 7}, DType::F32), "float mask");
  expectMatchesReference(masked(dims(1, 2, 1, 6, 10, 8, 8), {1, 10}, DType::F32), "float mask over keys");
  expectMatchesReference(causal(dims(1, 2, 2, 9, 9, 32, 32)), "causal");
  expectMatchesReference(causal(dims(1, 2, 2, 5, 12, 8, 8)), "causal, Sq < Skv");
  expectMatchesReference(causal(dims(1, 2, 1, 11, 6, 8, 8)), "causal, Sq > Skv");
  expectMatchesReference(causal(masked(dims(1, 4, 2, 7, 7, 8, 8), {7, 7}, DType::F32)), "causal and mask");
  expectMatchesReference(causal(dims(1, 4, 4, 70, 70, 64, 64)), "causal, parallel");
}

std::string rejected(const std::string& attrs, const std::string& extraInputs = "",
                     const std::string& q = "[1,2,4,8]") {
  std::string t = "kiln.graph \"a\" opsets { \"\" = 23 } {\n  input %q : f32" + q +
                  "\n  input %k : f32[1,2,4,8]\n  input %v : f32[1,2,4,8]\n  input %pk : f32[1,2,4,8]\n"
                  "  %y = Attention(%q, %k, %v" +
                  extraInputs + ") {" + attrs + "} : f32[1,2,4,8]\n  output %y\n}\n";
  ir::Graph g = ir::parseGraph(t);
  try {
    ir::inferNodeShapes(g, g.nodes[0]);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(AttentionOp, RejectsWhatItDoesNotImplement) {
  EXPECT_NE(rejected("softcap = 30.0").find("Attention node #0: softcap"), std::string::npos);
  EXPECT_NE(rejected("qk_matmul_output_mode = 1").find("qk_matmul_output_mode 1 is not supported"), std::string::npos);
  EXPECT_NE(rejected("is_causal = 0", ", _, %pk").find("past_key / past_value"), std::string::npos);
  EXPECT_NE(rejected("is_causal = 0", "", "[1,4,16]").find("Q must be 4-D"), std::string::npos);
  EXPECT_NE(rejected("is_causal = 0", "", "[1,3,4,8]").find("not a multiple of key/value heads"), std::string::npos);
  EXPECT_EQ(rejected("is_causal = 1, scale = 0.5"), "");
}

}  // namespace
}  // namespace kiln
