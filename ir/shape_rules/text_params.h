// Attributes of TfIdfVectorizer (ONNX opset 9), read and checked once for the
// shape rule and the kernel emitter so both agree.
//
// The pool holds n-grams of token ids, grouped by length: ngram_counts[k] is
// where the (k + 1)-grams start in pool_int64s (they run to the next group's
// start, the last group to the end of the pool), and ngram_indexes gives each
// n-gram, in pool order, the output slot its count goes to. Only the n-grams
// of lengths [min_gram_length, max_gram_length] are ever counted, so only
// those are kept (and, as in ONNX Runtime, only those must be distinct).
//
// Ctx is InferContext or codegen::KernelContext: anything with fail(fmt, ...)
// and attrs().
#pragma once

#include <fmt/ranges.h>

#include <algorithm>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "ir/graph.h"

namespace kiln::ir {

struct TfIdfParams {
  enum class Mode { TF, IDF, TFIDF };
  Mode mode = Mode::TF;
  int64_t minGram = 1, maxGram = 1, maxSkip = 0;
  int64_t outputSize = 0;  // max(ngram_indexes) + 1
  bool hasWeights = false;
  struct Ngram {
    std::vector<int64_t> tokens;
    int64_t slot;  // ngram_indexes of this n-gram
    float weight;  // weights of this n-gram (1 without weights)
  };
  std::vector<Ngram> ngrams;  // of lengths [minGram, maxGram], pool order
};

template <typename Ctx>
TfIdfParams readTfIdfParams(const Ctx& ctx) {
  const Attributes& a = ctx.attrs();
  TfIdfParams p;
  for (const char* name : {"mode", "min_gram_length", "max_gram_length", "max_skip_count", "ngram_counts",
                           "ngram_indexes"})
    if (!a.has(name)) ctx.fail("attribute '{}' is required", name);
  std::string mode = a.getString("mode", "");
  if (mode == "TF") p.mode = TfIdfParams::Mode::TF;
  else if (mode == "IDF") p.mode = TfIdfParams::Mode::IDF;
  else if (mode == "TFIDF") p.mode = TfIdfParams::Mode::TFIDF;
  else ctx.fail("mode '{}' is not one of TF, IDF, TFIDF", mode);

  p.minGram = a.getInt("min_gram_length", 1);
  p.maxGram = a.getInt("max_gram_length", 1);
  p.maxSkip = a.getInt("max_skip_count", 0);
  if (p.minGram < 1) ctx.fail("min_gram_length = {} must be positive", p.minGram);
  if (p.maxGram < p.minGram)
    ctx.fail("max_gram_length = {} is less than min_gram_length = {}", p.maxGram, p.minGram);
  if (p.maxSkip < 0) ctx.fail("max_skip_count = {} must not be negative", p.maxSkip);

  if (a.has("pool_strings")) ctx.fail("unsupported: pool_strings (string n-grams)");
  if (!a.has("pool_int64s")) ctx.fail("attribute 'pool_int64s' is required");
  std::vector<int64_t> pool = a.getInts("pool_int64s");
  if (pool.empty()) ctx.fail("pool_int64s must not be empty");
  auto poolSize = static_cast<int64_t>(pool.size());

  std::vector<int64_t> indexes = a.getInts("ngram_indexes");
  if (indexes.empty()) ctx.fail("ngram_indexes must not be empty");
  for (int64_t i : indexes)
    if (i < 0) ctx.fail("ngram_indexes holds {}; output slots must not be negative", i);
  int64_t maxIndex = *std::max_element(indexes.begin(), indexes.end());
  if (maxIndex >= (int64_t{1} << 40)) ctx.fail("ngram_indexes holds {}, too large an output", maxIndex);
  p.outputSize = maxIndex + 1;

  // weights[i] weighs the i-th n-gram of the pool, as the ONNX spec says (the
  // ONNX reference implementation indexes it by output slot instead; the two
  // agree when ngram_indexes is the identity).
  std::vector<float> weights;
  if (a.has("weights")) {
    weights = a.getFloats("weights");
    if (weights.size() != indexes.size())
      ctx.fail("weights has {} values but ngram_indexes {}", weights.size(), indexes.size());
    p.hasWeights = true;
  }

  std::vector<int64_t> counts = a.getInts("ngram_counts");
  if (counts.empty()) ctx.fail("ngram_counts must not be empty");
  if (counts[0] != 0) ctx.fail("ngram_counts[0] = {}; the 1-grams must start the pool at 0", counts[0]);
  size_t id = 0;  // n-grams so far, in pool order
  std::set<std::vector<int64_t>> seen;
  for (size_t k = 0; k < counts.size(); ++k) {
    auto n = static_cast<int64_t>(k) + 1;
    int64_t begin = counts[k], end = k + 1 < counts.size() ? counts[k + 1] : poolSize;
    if (begin < 0 || end < begin || end > poolSize)
      ctx.fail("ngram_counts {} give the {}-grams the pool items [{}, {}) of {}", fmt::join(counts, ","), n,
               begin, end, poolSize);
    if ((end - begin) % n != 0)
      ctx.fail("the {} pool items of the {}-grams do not make whole {}-grams", end - begin, n, n);
    for (int64_t at = begin; at < end; at += n, ++id) {
      if (id >= indexes.size())
        ctx.fail("ngram_indexes has {} values but the pool holds more n-grams", indexes.size());
      if (n < p.minGram || n > p.maxGram) continue;
      std::vector<int64_t> tokens(pool.begin() + at, pool.begin() + at + n);
      if (!seen.insert(tokens).second) ctx.fail("pool_int64s holds the {}-gram at item {} twice", n, at);
      p.ngrams.push_back({std::move(tokens), indexes[id], weights.empty() ? 1.0f : weights[id]});
    }
  }
  if (id != indexes.size())
    ctx.fail("ngram_indexes has {} values but the pool holds {} n-grams", indexes.size(), id);
  return p;
}

}  // namespace kiln::ir
