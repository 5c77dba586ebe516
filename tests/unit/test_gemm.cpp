// The blocked GEMM (codegen/ops/gemm*.cpp) behind float32 MatMul, Gemm and
// pointwise Conv, against a naive double-precision reference. Sizes sweep
// below, at, above and at multiples of the microkernel tile (MR rows x NR
// columns) and of the K block, for the host's tiling; B is a graph input (packed
// at run time) or a constant (packed at compile time). The last tests check the
// emitted instructions: the microkernel's FMAs on zmm registers for an
// AVX-512 target, on ymm for an AVX2 one.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>

#include "codegen/jit_model.h"
#include "codegen/ops/gemm_tiling.h"

namespace kiln::codegen {
namespace {

std::vector<float> randomFloats(int64_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> v(static_cast<size_t>(n));
  for (float& x : v) x = dist(rng);
  return v;
}

int64_t count(const std::vector<int64_t>& shape) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

runtime::Tensor tensorOf(const std::vector<int64_t>& shape, const std::vector<float>& v) {
  runtime::Tensor t(DType::F32, shape);
  std::memcpy(t.data(), v.data(), v.size() * sizeof(float));
  return t;
}

ir::TensorDataPtr constantOf(const std::vector<int64_t>& shape, const std::vector<float>& v) {
  auto d = std::make_shared<ir::TensorData>();
  d->dtype = DType::F32;
  d->shape = shape;
  d->bytes.resize(v.size() * sizeof(float));
  std::memcpy(d->bytes.data(), v.data(), d->bytes.size());
  return d;
}

// One node over operands that are graph inputs or constants; returns its output.
struct Operand {
  std::vector<int64_t> shape;
  bool constant = false;
  std::vector<float> values;
};

std::vector<float> runNode(ir::OpKind op, const std::vector<Operand>& operands, const std::vector<int64_t>& outShape,
                           ir::Attributes attrs = {}, int threads = 1) {
  ir::Graph g;
  std::vector<ir::ValueId> ins;
  std::vector<runtime::Tensor> feeds;
  for (size_t i = 0; i < operands.size(); ++i) {
    const Operand& o = operands[i];
    if (o.constant) {
      ins.push_back(g.addConstant("c" + std::to_string(i), constantOf(o.shape, o.values)));
    } else {
      ir::ValueId v = g.addValue("in" + std::to_string(i), ir::staticType(DType::F32, o.shape));
      g.inputs.push_back(v);
      ins.push_back(v);
      feeds.push_back(tensorOf(o.shape, o.values));
    }
  }
  ir::ValueId y = g.addValue("y", ir::staticType(DType::F32, outShape));
  g.addNode(op, ins, {y}, "node").attrs = std::move(attrs);
  g.outputs.push_back(y);
  JitModel model(std::move(g), CompileOptions{});
  runtime::ThreadPool pool(threads);
  runtime::Tensor out = model.run(feeds, pool).at(0);
  EXPECT_EQ(out.shape(), outShape);
  return std::vector<float>(out.data<float>(), out.data<float>() + out.numElements());
}

void expectClose(const std::vector<float>& got, const std::vector<double>& want, int64_t K, const std::string& what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  // Values are sums of K products of numbers in [-1, 1].
  double tol = 1e-5 * std::sqrt(static_cast<double>(K) + 1) + 1e-6 * static_cast<double>(K);
  for (size_t i = 0; i < got.size(); ++i)
    if (std::abs(got[i] - want[i]) > tol) {
      ADD_FAILURE() << what << ": element " << i << " is " << got[i] << ", expected " << want[i];
      return;
    }
}

// C[b] = A[b or 0] * B[b or 0] for stacks of `batch` matrices (a 0 batch = a 2-D operand).
std::vector<double> referenceMatMul(const std::vector<float>& a, const std::vector<float>& b, int64_t aBatch,
                                    int64_t bBatch, int64_t M, int64_t K, int64_t N) {
  int64_t batches = std::max<int64_t>({aBatch, bBatch, 1});
  std::vector<double> c(static_cast<size_t>(batches * M * N), 0.0);
  for (int64_t s = 0; s < batches; ++s) {
    const float* A = a.data() + (aBatch > 1 ? s : 0) * M * K;
    const float* B = b.data() + (bBatch > 1 ? s : 0) * K * N;
    for (int64_t m = 0; m < M; ++m)
      for (int64_t n = 0; n < N; ++n) {
        double acc = 0;
        for (int64_t k = 0; k < K; ++k) acc += static_cast<double>(A[m * K + k]) * B[k * N + n];
        c[static_cast<size_t>((s * M + m) * N + n)] = acc;
      }
  }
  return c;
}

void checkMatMul(int64_t M, int64_t K, int64_t N, bool constB, int threads = 1) {
  auto a = randomFloats(M * K, 1), b = randomFloats(K * N, 2);
  auto got = runNode(ir::OpKind::MatMul, {{{M, K}, false, a}, {{K, N}, constB, b}}, {M, N}, {}, threads);
  expectClose(got, referenceMatMul(a, b, 0, 0, M, K, N), K,
              "MatMul " + std::to_string(M) + "x" + std::to_string(K) + "x" + std::to_string(N) +
                  (constB ? " const B" : " input B") + " threads " + std::to_string(threads));
}

GemmTiling hostTiling(int64_t M, int64_t N, int64_t K) {
  return chooseGemmTiling(Target::host(), 1, M, N, K, false);
}

TEST(Gemm, SizesAroundTheTile) {
  GemmTiling t = hostTiling(1024, 1024, 1024);
  int64_t mr = t.mr, nr = t.nr;
  std::vector<int64_t> ms = {1, mr - 1, mr, mr + 1, 2 * mr, 3 * mr + 2};
  std::vector<int64_t> ns = {1, nr - 1, nr, nr + 1, 2 * nr, 3 * nr + 5};
  // Every M against every N, alternating K and the kind of B to keep the
  // number of compiles down.
  int i = 0;
  for (int64_t m : ms)
    for (int64_t n : ns) {
      checkMatMul(m, i % 2 ? 7 : 64, n, i % 3 == 0);
      ++i;
    }
}

TEST(Gemm, KBlocksAndTasks) {
  // K just below, at and above one K block, and several blocks; M and N large
  // enough to be cut into several tasks, at one and two threads.
  for (int64_t k : {255, 256, 257, 700})
    for (bool constB : {false, true}) checkMatMul(45, k, 150, constB);
  for (int threads : {1, 2})
    for (bool constB : {false, true}) checkMatMul(200, 300, 530, constB, threads);
}

TEST(Gemm, Gemv) {
  for (bool constB : {false, true}) {
    checkMatMul(1, 1000, 700, constB);
    checkMatMul(1, 1000, 700, constB, 2);
  }
}

TEST(Gemm, BatchedMatMulWithBroadcast) {
  int64_t M = 9, K = 20, N = 37;
  // Both batched, A shared, B shared (folds into M), and B a batched constant.
  struct Case { int64_t aBatch, bBatch; bool constB; };
  for (Case c : {Case{3, 3, false}, Case{0, 3, false}, Case{3, 0, false}, Case{3, 0, true}, Case{3, 3, true}}) {
    std::vector<int64_t> aShape = c.aBatch ? std::vector<int64_t>{c.aBatch, M, K} : std::vector<int64_t>{M, K};
    std::vector<int64_t> bShape = c.bBatch ? std::vector<int64_t>{c.bBatch, K, N} : std::vector<int64_t>{K, N};
    auto a = randomFloats(count(aShape), 3), b = randomFloats(count(bShape), 4);
    int64_t batches = std::max(c.aBatch, c.bBatch);
    auto got = runNode(ir::OpKind::MatMul, {{aShape, false, a}, {bShape, c.constB, b}}, {batches, M, N});
    expectClose(got, referenceMatMul(a, b, c.aBatch, c.bBatch, M, K, N), K,
                "batched MatMul " + std::to_string(c.aBatch) + "/" + std::to_string(c.bBatch));
  }
}

TEST(Gemm, GemmTransposesAlphaBetaAndBias) {
  int64_t M = 13, K = 29, N = 35;
  for (int transA : {0, 1})
    for (int transB : {0, 1})
      for (bool constB : {false, true})
        for (std::vector<int64_t> cShape : {std::vector<int64_t>{N}, std::vector<int64_t>{M, 1},
                                            std::vector<int64_t>{M, N}}) {
          auto a = randomFloats(M * K, 5), b = randomFloats(K * N, 6), c = randomFloats(count(cShape), 7);
          std::vector<int64_t> aShape = transA ? std::vector<int64_t>{K, M} : std::vector<int64_t>{M, K};
          std::vector<int64_t> bShape = transB ? std::vector<int64_t>{N, K} : std::vector<int64_t>{K, N};
          ir::Attributes at;
          at.set("transA", int64_t{transA});
          at.set("transB", int64_t{transB});
          at.set("alpha", 0.5f);
          at.set("beta", 2.0f);
          auto got = runNode(ir::OpKind::Gemm, {{aShape, false, a}, {bShape, constB, b}, {cShape, false, c}},
                             {M, N}, at);
          std::vector<double> want(static_cast<size_t>(M * N));
          for (int64_t m = 0; m < M; ++m)
            for (int64_t n = 0; n < N; ++n) {
              double acc = 0;
              for (int64_t k = 0; k < K; ++k)
                acc += static_cast<double>(transA ? a[k * M + m] : a[m * K + k]) * (transB ? b[n * K + k] : b[k * N + n]);
              double bias = cShape.size() == 1 ? c[n] : (cShape[1] == 1 ? c[m] : c[m * N + n]);
              want[static_cast<size_t>(m * N + n)] = 0.5 * acc + 2.0 * bias;
            }
          expectClose(got, want, K, "Gemm transA " + std::to_string(transA) + " transB " + std::to_string(transB));
        }
}

TEST(Gemm, PointwiseConvWithBias) {
  // Y[n][o][p] = sum_i W[o][i] X[n][i][p] + bias[o] over a 2-image batch.
  int64_t batch = 2, ic = 19, oc = 23, h = 7, w = 9, plane = h * w;
  auto x = randomFloats(batch * ic * plane, 8), wt = randomFloats(oc * ic, 9), bias = randomFloats(oc, 10);
  auto got = runNode(ir::OpKind::Conv, {{{batch, ic, h, w}, false, x}, {{oc, ic, 1, 1}, true, wt}, {{oc}, true, bias}},
                     {batch, oc, h, w});
  std::vector<double> want(static_cast<size_t>(batch * oc * plane));
  for (int64_t n = 0; n < batch; ++n)
    for (int64_t o = 0; o < oc; ++o)
      for (int64_t p = 0; p < plane; ++p) {
        double acc = bias[o];
        for (int64_t i = 0; i < ic; ++i) acc += static_cast<double>(wt[o * ic + i]) * x[(n * ic + i) * plane + p];
        want[static_cast<size_t>((n * oc + o) * plane + p)] = acc;
      }
  expectClose(got, want, ic, "pointwise Conv");
}

std::string matmulAssembly(const Target& target) {
  ir::Graph g;
  ir::ValueId a = g.addValue("a", ir::staticType(DType::F32, {64, 128}));
  g.inputs.push_back(a);
  ir::ValueId b = g.addConstant("b", constantOf({128, 96}, randomFloats(128 * 96, 11)));
  ir::ValueId y = g.addValue("y", ir::staticType(DType::F32, {64, 96}));
  g.addNode(ir::OpKind::MatMul, {a, b}, {y}, "mm");
  g.outputs.push_back(y);
  CompileOptions options;
  options.target = target;
  return compileToAssembly(g, options);
}

// Lines of `text` holding an FMA on registers of `reg` ("zmm", "ymm").
int fmaLinesOn(const std::string& text, const std::string& reg) {
  int n = 0;
  size_t pos = 0;
  while ((pos = text.find("vfmadd", pos)) != std::string::npos) {
    size_t end = text.find('\n', pos);
    std::string line = text.substr(pos, end - pos);
    if (line.find("ps") != std::string::npos && line.find("%" + reg) != std::string::npos) ++n;
    pos = end;
  }
  return n;
}

TEST(GemmAssembly, ZmmFmasForAvx512) {
  // Compiling for an AVX-512 CPU needs no such CPU: the check reads assembly.
  std::string text = matmulAssembly(Target::named("znver4"));
  EXPECT_GE(fmaLinesOn(text, "zmm"), 12) << "expected the microkernel's FMAs on zmm registers";
}

TEST(GemmAssembly, YmmFmasForAvx2) {
  std::string text = matmulAssembly(Target::named("x86-64-v3"));
  EXPECT_GE(fmaLinesOn(text, "ymm"), 12);
  EXPECT_EQ(fmaLinesOn(text, "zmm"), 0);
}

TEST(GemmAssembly, HostUsesItsWidestVectors) {
  Target host = Target::host();
  std::string text = matmulAssembly(host);
  if (host.vectorBits >= 512) EXPECT_GE(fmaLinesOn(text, "zmm"), 12);
  else if (host.vectorBits == 256) EXPECT_GE(fmaLinesOn(text, "ymm"), 12);
  else GTEST_SKIP() << "host has no 256-bit FMA";
}

}  // namespace
}  // namespace kiln::codegen
