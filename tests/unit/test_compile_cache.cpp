// The persistent compile cache (codegen/compile_cache.h): a second JitModel
// of the same graph loads the first one's kernels; every key component changes
// the key; corrupt or truncated entries are rejected, deleted and rebuilt;
// concurrent compiles of one model both store complete entries.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <unistd.h>
#include <thread>

#include "codegen/compile_cache.h"
#include "codegen/jit_model.h"
#include "passes/pipeline.h"
#include "ir/text.h"
#include "runtime/model_plan.h"

namespace kiln::codegen {
namespace {
namespace fs = std::filesystem;

const char* kGraph = R"(kiln.graph "mlp" {
  input %x : f32[N, 8]
  const %w : f32[8, 4] = dense<[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32]>
  const %b : f32[4] = dense<[0.5, -1, 2, 0]>
  %m = MatMul(%x, %w) : f32[N, 4]
  %a = Add(%m, %b) : f32[N, 4]
  %y = Tanh(%a) : f32[N, 4]
  output %y
})";

class CompileCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = (fs::temp_directory_path() / ("kiln_cache_test_" + std::to_string(::getpid()) + "_" +
                                          ::testing::UnitTest::GetInstance()->current_test_info()->name()))
               .string();
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  CompileOptions options() const {
    CompileOptions o;
    o.cacheDir = dir_;
    return o;
  }
  std::vector<fs::path> entries() const {
    std::vector<fs::path> out;
    if (fs::exists(dir_))
      for (const auto& e : fs::directory_iterator(dir_)) out.push_back(e.path());
    return out;
  }

  std::string dir_;
};

runtime::Tensor input(int64_t rows) {
  runtime::Tensor t(DType::F32, {rows, 8});
  for (int64_t i = 0; i < t.numElements(); ++i) t.data<float>()[i] = 0.01f * static_cast<float>(i % 13) - 0.05f;
  return t;
}

std::vector<float> values(const runtime::Tensor& t) {
  return std::vector<float>(t.data<float>(), t.data<float>() + t.numElements());
}

TEST_F(CompileCacheTest, SecondModelHitsAndComputesTheSame) {
  runtime::ThreadPool pool(1);
  JitModel first(ir::parseGraph(kGraph), options());
  JitModel::Variant miss = first.specialize({input(3)});
  EXPECT_FALSE(miss.stats.cacheHit);
  EXPECT_EQ(miss.stats.cacheNote, "");
  ASSERT_EQ(entries().size(), 1u);

  JitModel second(ir::parseGraph(kGraph), options());
  JitModel::Variant hit = second.specialize({input(3)});
  EXPECT_TRUE(hit.stats.cacheHit);
  EXPECT_EQ(hit.graph, nullptr);
  EXPECT_EQ(values(hit.model->run({input(3)}, pool).at(0)), values(miss.model->run({input(3)}, pool).at(0)));

  // Another input shape is another entry.
  EXPECT_FALSE(second.specialize({input(5)}).stats.cacheHit);
  EXPECT_EQ(entries().size(), 2u);
}

TEST_F(CompileCacheTest, NoDirectoryMeansNoCache) {
  JitModel model(ir::parseGraph(kGraph), CompileOptions{});
  EXPECT_FALSE(model.specialize({input(2)}).stats.cacheHit);
  EXPECT_TRUE(entries().empty());
}

TEST_F(CompileCacheTest, EveryKeyComponentChangesTheKey) {
  CompileOptions base;
  std::string digest = graphDigest(ir::parseGraph(kGraph));
  std::vector<std::vector<int64_t>> shapes = {{3, 8}};
  std::string key = cacheKey(digest, "cse,dce", base, shapes, "1.0");
  EXPECT_EQ(key, cacheKey(digest, "cse,dce", base, shapes, "1.0"));

  // The graph: a constant's bytes, an op, an attribute-free rename of nothing.
  std::string otherWeights = kGraph;
  otherWeights.replace(otherWeights.find("31, 32"), 6, "31, 33");
  EXPECT_NE(graphDigest(ir::parseGraph(otherWeights)), digest);
  std::string otherOp = kGraph;
  otherOp.replace(otherOp.find("Tanh"), 4, "Relu");
  EXPECT_NE(graphDigest(ir::parseGraph(otherOp)), digest);
  EXPECT_NE(cacheKey(graphDigest(ir::parseGraph(otherOp)), "cse,dce", base, shapes, "1.0"), key);

  EXPECT_NE(cacheKey(digest, "cse", base, shapes, "1.0"), key);                  // pipeline
  EXPECT_NE(cacheKey(digest, "cse,dce", base, {{4, 8}}, "1.0"), key);            // input shapes
  EXPECT_NE(cacheKey(digest, "cse,dce", base, shapes, "1.1"), key);              // Kiln version
  CompileOptions level = base;
  level.optLevel = 2;
  EXPECT_NE(cacheKey(digest, "cse,dce", level, shapes, "1.0"), key);            // -O level
  CompileOptions cpu = base;
  cpu.target.cpu = cpu.target.cpu == "x86-64-v3" ? "haswell" : "x86-64-v3";
  EXPECT_NE(cacheKey(digest, "cse,dce", cpu, shapes, "1.0"), key);              // target CPU
  CompileOptions features = base;
  features.target.features += ",-avx512f";
  EXPECT_NE(cacheKey(digest, "cse,dce", features, shapes, "1.0"), key);         // target features
}

TEST_F(CompileCacheTest, PassPipelineIsPartOfTheModelsKey) {
  JitModel a(ir::parseGraph(kGraph), options());
  a.specialize({input(2)});
  CompileOptions o = options();
  o.passes = "dce";
  JitModel b(ir::parseGraph(kGraph), o);
  EXPECT_FALSE(b.specialize({input(2)}).stats.cacheHit);
  EXPECT_EQ(entries().size(), 2u);
}

// Damages the single entry with `damage`, then checks the next model rejects
// it (naming why), recompiles correctly and stores a good entry again.
void expectRejectedAndRebuilt(const std::string& dir, const CompileOptions& options,
                              const std::function<void(const fs::path&)>& damage, const char* why) {
  runtime::ThreadPool pool(1);
  JitModel first(ir::parseGraph(kGraph), options);
  std::vector<float> expected = values(first.run({input(3)}, pool).at(0));
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir)) files.push_back(e.path());
  ASSERT_EQ(files.size(), 1u);
  damage(files[0]);

  JitModel second(ir::parseGraph(kGraph), options);
  JitModel::Variant v = second.specialize({input(3)});
  EXPECT_FALSE(v.stats.cacheHit);
  EXPECT_NE(v.stats.cacheNote.find(why), std::string::npos) << v.stats.cacheNote;
  EXPECT_EQ(values(v.model->run({input(3)}, pool).at(0)), expected);

  JitModel third(ir::parseGraph(kGraph), options);
  EXPECT_TRUE(third.specialize({input(3)}).stats.cacheHit);
}

TEST_F(CompileCacheTest, FlippedByteIsRejected) {
  expectRejectedAndRebuilt(dir_, options(), [](const fs::path& p) {
    std::fstream f(p, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(fs::file_size(p) / 2));
    char c = 0;
    f.read(&c, 1);
    f.seekp(static_cast<std::streamoff>(fs::file_size(p) / 2));
    c = static_cast<char>(c ^ 0x10);
    f.write(&c, 1);
  }, "checksum mismatch");
}

TEST_F(CompileCacheTest, TruncatedEntryIsRejected) {
  expectRejectedAndRebuilt(dir_, options(), [](const fs::path& p) { fs::resize_file(p, fs::file_size(p) - 100); },
                           "truncated");
}

TEST_F(CompileCacheTest, EmptyEntryIsRejected) {
  expectRejectedAndRebuilt(dir_, options(), [](const fs::path& p) { fs::resize_file(p, 0); }, "truncated");
}

TEST_F(CompileCacheTest, ConcurrentCompilesBothStoreCompleteEntries) {
  runtime::ThreadPool pool(1);
  std::vector<std::vector<float>> results(4);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < results.size(); ++i)
    threads.emplace_back([&, i] {
      JitModel m(ir::parseGraph(kGraph), options());
      runtime::ThreadPool own(1);
      results[i] = values(m.run({input(3)}, own).at(0));
    });
  for (std::thread& t : threads) t.join();
  for (const auto& r : results) EXPECT_EQ(r, results[0]);
  std::vector<fs::path> files = entries();
  ASSERT_EQ(files.size(), 1u) << "no temporary file may be left behind";
  EXPECT_EQ(files[0].extension(), ".kce");
  JitModel after(ir::parseGraph(kGraph), options());
  JitModel::Variant v = after.specialize({input(3)});
  EXPECT_TRUE(v.stats.cacheHit);
  EXPECT_EQ(values(v.model->run({input(3)}, pool).at(0)), results[0]);
}

TEST_F(CompileCacheTest, PruneKeepsTheDirectoryUnderItsLimit) {
  JitModel model(ir::parseGraph(kGraph), options());
  model.specialize({input(1)});
  ASSERT_EQ(entries().size(), 1u);
  CompileCache small(dir_, 1);  // smaller than any entry: each store evicts everything older
  CompileCache reader(dir_);
  std::optional<ModelImage> image = reader.load(cacheKey(graphDigest(ir::parseGraph(kGraph)), passes::defaultPipeline(3),
                                                         options(), {{1, 8}}));
  ASSERT_TRUE(image) << reader.lastRejection();
  small.store("another", *image);
  EXPECT_TRUE(entries().empty());
}

TEST(ModelPlan, RejectsOutOfRangeBufferReferences) {
  runtime::ModelPlan plan;
  plan.parts.inputs.push_back({"x", DType::F32, {2}});
  plan.parts.outputs.push_back({"y", DType::F32, {2}});
  runtime::KernelLaunch k;
  k.name = "k";
  k.args = {{runtime::BufferKind::Input, 0}, {runtime::BufferKind::Output, 0}};
  plan.parts.kernels.push_back(k);
  std::string good = runtime::encodePlan(plan);
  auto bytes = [](const std::string& s) { return std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(s.data()), s.size()); };
  EXPECT_EQ(runtime::decodePlan(bytes(good), "plan").parts.kernels.at(0).args.size(), 2u);

  plan.parts.kernels[0].args[0].index = 1;  // there is one input
  std::string bad = runtime::encodePlan(plan);
  EXPECT_THROW(runtime::decodePlan(bytes(bad), "plan"), Error);
  for (size_t n = 0; n < good.size(); n += 7) EXPECT_THROW(runtime::decodePlan(bytes(good.substr(0, n)), "plan"), Error);
}

}  // namespace
}  // namespace kiln::codegen
