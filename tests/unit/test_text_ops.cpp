// TfIdfVectorizer built directly as an IR graph: every malformed attribute set
// is a kiln::Error naming the problem (ONNX's checker and shape inference
// accept most of them), string n-grams are unsupported, and tokens at the ends
// of the int64 range are looked up like any other. (Results on valid models are
// compared against ONNX Runtime by tests/ops/gen_text.py.)
#include <gtest/gtest.h>

#include <cstring>
#include <limits>

#include "codegen/jit_model.h"
#include "runtime/thread_pool.h"

namespace kiln {
namespace {

using ir::Attribute;
using ir::OpKind;

// Runs TfIdfVectorizer with `attrs` on int64 tokens of `shape`.
std::vector<float> tfidf(const ir::Attributes& attrs, const std::vector<int64_t>& shape,
                         const std::vector<int64_t>& tokens) {
  ir::Graph g;
  ir::ValueId x = g.addValue("x", ir::staticType(DType::I64, shape));
  g.inputs.push_back(x);
  ir::ValueId y = g.addValue("y", ir::unknownRank(DType::F32));
  g.outputs.push_back(y);
  g.addNode(OpKind::TfIdfVectorizer, {x}, {y}).attrs = attrs;
  codegen::JitModel model(std::move(g), codegen::CompileOptions{});
  runtime::Tensor in(DType::I64, shape);
  std::memcpy(in.data(), tokens.data(), tokens.size() * sizeof(int64_t));
  runtime::ThreadPool pool(2);
  runtime::Tensor out = model.run({in}, pool).at(0);
  std::vector<float> v(static_cast<size_t>(out.numElements()));
  std::memcpy(v.data(), out.data(), v.size() * sizeof(float));
  return v;
}

// Unigrams 7, -3; bigrams (7, -3), (5, 5); slots 0..3.
ir::Attributes base() {
  ir::Attributes a;
  a.set("mode", std::string("TF"));
  a.set("min_gram_length", int64_t{1});
  a.set("max_gram_length", int64_t{2});
  a.set("max_skip_count", int64_t{1});
  a.set("ngram_counts", std::vector<int64_t>{0, 2});
  a.set("ngram_indexes", std::vector<int64_t>{0, 1, 2, 3});
  a.set("pool_int64s", std::vector<int64_t>{7, -3, 7, -3, 5, 5});
  return a;
}

void expectError(const ir::Attributes& attrs, const std::string& fragment) {
  SCOPED_TRACE(fragment);
  try {
    tfidf(attrs, {4}, {7, -3, 5, 5});
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
  }
}

TEST(TextOps, TfIdfCountsAndSkips) {
  // Skip 0: 7, (7 -3), -3, 7; skip 1 sees (7 7) and (-3 5), which the pool lacks.
  EXPECT_EQ(tfidf(base(), {4}, {7, -3, 7, 5}), (std::vector<float>{2, 1, 1, 0}));
  ir::Attributes a = base();
  a.set("mode", std::string("TFIDF"));
  a.set("weights", std::vector<float>{0.5f, 2, 4, 8});
  EXPECT_EQ(tfidf(a, {2, 3}, {5, 5, 5, 7, -3, -3}), (std::vector<float>{0, 0, 0, 24, 0.5f, 4, 8, 0}));
  a.set("mode", std::string("IDF"));
  EXPECT_EQ(tfidf(a, {2, 3}, {5, 5, 5, 7, -3, -3}), (std::vector<float>{0, 0, 0, 8, 0.5f, 2, 4, 0}));
}

TEST(TextOps, TfIdfExtremeTokensAreOrdinary) {
  constexpr int64_t lo = std::numeric_limits<int64_t>::min(), hi = std::numeric_limits<int64_t>::max();
  ir::Attributes a = base();
  a.set("pool_int64s", std::vector<int64_t>{hi, lo, hi, lo, lo, lo});
  EXPECT_EQ(tfidf(a, {5}, {lo, hi, lo, 0, -1}), (std::vector<float>{1, 2, 1, 1}));
}

TEST(TextOps, TfIdfAttributesAreChecked) {
  auto with = [](const char* name, Attribute v) {
    ir::Attributes a = base();
    a.set(name, std::move(v));
    return a;
  };
  auto without = [](const char* name) {
    ir::Attributes a = base();
    a.erase(name);
    return a;
  };
  expectError(without("ngram_counts"), "'ngram_counts' is required");
  expectError(without("pool_int64s"), "'pool_int64s' is required");
  expectError(with("mode", std::string("BM25")), "mode 'BM25'");
  expectError(with("min_gram_length", int64_t{0}), "min_gram_length = 0");
  expectError(with("max_gram_length", int64_t{0}), "less than min_gram_length");
  expectError(with("max_skip_count", int64_t{-1}), "max_skip_count = -1");
  expectError(with("pool_strings", std::vector<std::string>{"a", "b"}), "unsupported: pool_strings");
  expectError(with("ngram_counts", std::vector<int64_t>{1, 2}), "ngram_counts[0] = 1");
  expectError(with("ngram_counts", std::vector<int64_t>{0, 2, 3}), "do not make whole 2-grams");
  expectError(with("ngram_counts", std::vector<int64_t>{0, 2, 1}), "ngram_counts 0,2,1");
  expectError(with("ngram_counts", std::vector<int64_t>{0, 2, 9}), "ngram_counts 0,2,9");
  expectError(with("ngram_indexes", std::vector<int64_t>{0, 1, 2}), "ngram_indexes has 3 values");
  expectError(with("ngram_indexes", std::vector<int64_t>{0, 1, 2, 3, 4}), "ngram_indexes has 5 values");
  expectError(with("ngram_indexes", std::vector<int64_t>{0, -1, 2, 3}), "must not be negative");
  expectError(with("weights", std::vector<float>{1, 2}), "weights has 2 values");
  expectError(with("pool_int64s", std::vector<int64_t>{7, 7, 7, -3, 5, 5}), "1-gram at item 1 twice");
  // Duplicates among lengths that are never counted are let through (as ONNX Runtime does).
  ir::Attributes bigramsOnly = with("pool_int64s", std::vector<int64_t>{7, 7, 7, -3, 5, 5});
  bigramsOnly.set("min_gram_length", int64_t{2});
  EXPECT_EQ(tfidf(bigramsOnly, {3}, {7, -3, 5}), (std::vector<float>{0, 0, 1, 0}));
}

TEST(TextOps, TfIdfStringInputIsUnsupported) {
  ir::Graph g;
  auto words = std::make_shared<ir::TensorData>();
  words->dtype = DType::String;
  words->shape = {3};
  words->strings = {"a", "b", "c"};
  ir::ValueId x = g.addConstant("x", words);
  ir::ValueId y = g.addValue("y", ir::unknownRank(DType::F32));
  g.outputs.push_back(y);
  g.addNode(OpKind::TfIdfVectorizer, {x}, {y}).attrs = base();
  try {
    codegen::JitModel model(std::move(g), codegen::CompileOptions{});
    runtime::ThreadPool pool(1);
    model.run({}, pool);
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("unsupported: string input"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace kiln
