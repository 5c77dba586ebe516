// TfIdfVectorizer (ONNX opset 9): counts, in each row of int32/int64 token
// ids, the n-grams of a constant pool, and writes per output slot a weighted
// count. Every occurrence of a pool n-gram adds 1 to its slot (mode TF), adds
// its weight (TFIDF) or sets the slot to its weight (IDF); weights default to
// 1. With one n-gram per slot that is the ONNX spec's count, count times
// weight, and weight when present; slots shared by several n-grams get what
// ONNX Runtime computes (sums; in IDF mode the weight of the last occurrence).
//
// Occurrences are visited in ONNX Runtime's order: for each skip distance
// d = 1 .. max_skip_count + 1, each start i, each length n = 1, 2, ..., the
// n-gram x[i], x[i + d], ..., x[i + (n - 1) d], counted when n is at least
// min_gram_length and, for d > 1, at least 2 (1-grams do not depend on the
// skip, so they are counted once).
//
// The pool is compiled into a constant trie (breadth first: node ids in
// level order, so the children of node v are the consecutive nodes
// [first[v], first[v + 1]), sorted by token). For each skip and start the
// kernel walks down the trie, one binary search among the children per token,
// until a token leaves the trie or the row ends. All table reads stay within
// the tables whatever the tokens, so any input is safe. Counts are
// accumulated in the float output (exact up to 2^24 per slot).
#include <algorithm>
#include <map>
#include <vector>

#include "codegen/kernel_context.h"
#include "codegen/ops/loop_helpers.h"
#include "ir/shape_rules/text_params.h"

namespace kiln::codegen {

namespace {

using llvm::Value;

struct Trie {
  std::vector<int64_t> token;  // per node; the root's is unused
  std::vector<int64_t> first;  // nodes + 1 entries: children of v are [first[v], first[v + 1])
  std::vector<int64_t> slot;   // per node: output slot of the n-gram ending there, or -1
  std::vector<float> weight;   // per node: weight of the n-gram ending there
  int64_t depth = 0;           // length of the longest n-gram
  int64_t maxChildren = 0;
};

Trie buildTrie(const ir::TfIdfParams& p) {
  // First as a tree of maps (node 0 the root), no recursion however long the n-grams.
  std::vector<std::map<int64_t, int64_t>> children(1);
  std::vector<int64_t> slot(1, -1);
  std::vector<float> weight(1, 0.0f);
  Trie t;
  for (const auto& g : p.ngrams) {
    int64_t v = 0;
    for (int64_t tok : g.tokens) {
      auto [it, added] = children[static_cast<size_t>(v)].emplace(tok, static_cast<int64_t>(children.size()));
      v = it->second;
      if (added) {
        children.emplace_back();
        slot.push_back(-1);
        weight.push_back(0.0f);
      }
    }
    slot[static_cast<size_t>(v)] = g.slot;
    weight[static_cast<size_t>(v)] = g.weight;
    t.depth = std::max(t.depth, static_cast<int64_t>(g.tokens.size()));
  }
  // Renumbered in level order: the k-th node visited gets id k, and the
  // children of each node, in token order, are appended after all before them.
  std::vector<int64_t> order{0};
  t.token.push_back(0);
  for (size_t k = 0; k < order.size(); ++k) {
    const auto& c = children[static_cast<size_t>(order[k])];
    t.first.push_back(static_cast<int64_t>(order.size()));
    t.maxChildren = std::max(t.maxChildren, static_cast<int64_t>(c.size()));
    for (const auto& [tok, child] : c) {
      order.push_back(child);
      t.token.push_back(tok);
    }
  }
  t.first.push_back(static_cast<int64_t>(order.size()));
  for (int64_t v : order) {
    t.slot.push_back(slot[static_cast<size_t>(v)]);
    t.weight.push_back(weight[static_cast<size_t>(v)]);
  }
  t.token.push_back(0);  // read, never matched, by a search ending past the last node
  return t;
}

Value* i64Table(KernelContext& ctx, const std::vector<int64_t>& values, const char* name) {
  std::vector<uint64_t> bits(values.begin(), values.end());
  llvm::Constant* init = llvm::ConstantDataArray::get(ctx.b.getContext(), llvm::ArrayRef<uint64_t>(bits));
  return new llvm::GlobalVariable(ctx.module, init->getType(), /*isConstant=*/true,
                                  llvm::GlobalValue::PrivateLinkage, init, name);
}

// Number of halving steps a binary search over up to n elements needs.
int64_t searchSteps(int64_t n) {
  int64_t steps = 0;
  while (n > 0) {
    n >>= 1;
    ++steps;
  }
  return steps;
}

}  // namespace

void emitTfIdfVectorizer(KernelContext& ctx) {
  DType t = ctx.inputDType(0);
  if (t == DType::String) ctx.fail("unsupported: string input (string tensors are not compiled)");
  if (t != DType::I32 && t != DType::I64) ctx.fail("unsupported input dtype {}", dtypeName(t));
  if (ctx.outputDType(0) != DType::F32) ctx.fail("output must be float");
  ir::TfIdfParams p = ir::readTfIdfParams(ctx);
  std::vector<int64_t> shape = ctx.inputShape(0);
  if (shape.size() != 1 && shape.size() != 2) ctx.fail("input must have rank 1 or 2");
  int64_t rows = shape.size() == 2 ? shape[0] : 1, C = shape.back(), S = p.outputSize;
  if (ctx.outputShape(0).back() != S)
    ctx.fail("output has {} slots, expected {}", ctx.outputShape(0).back(), S);
  if (rows == 0) return;

  Trie trie = buildTrie(p);
  llvm::IRBuilder<>& b = ctx.b;
  Value* x = ctx.input(0);
  Value* y = ctx.output(0);
  Value* tokens = i64Table(ctx, trie.token, "kiln.tfidf.token");
  Value* first = i64Table(ctx, trie.first, "kiln.tfidf.first");
  Value* slots = i64Table(ctx, trie.slot, "kiln.tfidf.slot");
  Value* weights = nullptr;
  if (p.hasWeights && p.mode != ir::TfIdfParams::Mode::TF) {
    llvm::Constant* init = llvm::ConstantDataArray::get(b.getContext(), llvm::ArrayRef<float>(trie.weight));
    weights = new llvm::GlobalVariable(ctx.module, init->getType(), /*isConstant=*/true,
                                       llvm::GlobalValue::PrivateLinkage, init, "kiln.tfidf.weight");
  }
  const int64_t steps = searchSteps(trie.maxChildren);
  // The shortest length counted with skip distance d > 1.
  const int64_t minLong = std::max<int64_t>(p.minGram, 2);
  // Skip distances to visit: d = 1, and those d > 1 where a counted n-gram
  // fits in the row, d (minLong - 1) < C.
  int64_t distances = 0;
  if (!p.ngrams.empty() && C >= p.minGram) {
    distances = 1;
    if (trie.depth >= minLong && C >= minLong)
      distances = std::max<int64_t>(1, std::min(p.maxSkip, (C - 1) / (minLong - 1) - 1) + 1);
  }

  // The child of `node` holding `tok`, or -1: a lower-bound binary search over
  // the node's children, unrolled to `steps` halvings.
  auto child = [&](Value* node, Value* tok) -> Value* {
    Value* lo = ctx.load(DType::I64, first, node);
    Value* end = ctx.load(DType::I64, first, b.CreateAdd(node, ctx.i64(1)));
    Value* len = b.CreateSub(end, lo);
    for (int64_t s = 0; s < steps; ++s) {
      Value* half = b.CreateLShr(len, ctx.i64(1));
      Value* probe = b.CreateAdd(lo, half);
      Value* less = b.CreateAnd(b.CreateICmpSGT(len, ctx.i64(0)),
                                b.CreateICmpSLT(ctx.load(DType::I64, tokens, probe), tok));
      lo = b.CreateSelect(less, b.CreateAdd(probe, ctx.i64(1)), lo);
      len = b.CreateSelect(less, b.CreateSub(len, b.CreateAdd(half, ctx.i64(1))), half);
    }
    Value* found =
        b.CreateAnd(b.CreateICmpSLT(lo, end), b.CreateICmpEQ(ctx.load(DType::I64, tokens, lo), tok));
    return b.CreateSelect(found, lo, ctx.i64(-1));
  };
  // One occurrence of the n-gram ending at trie node `node`, if it ends one.
  auto occurrence = [&](Value* outBase, Value* node) {
    Value* slot = ctx.load(DType::I64, slots, node);
    ctx.ifThen(b.CreateICmpSGE(slot, ctx.i64(0)), [&] {
      Value* at = b.CreateAdd(outBase, slot);
      Value* w = weights ? ctx.load(DType::F32, weights, node) : ctx.f32(1.0f);
      if (p.mode == ir::TfIdfParams::Mode::IDF) ctx.store(DType::F32, y, at, w);
      else ctx.store(DType::F32, y, at, b.CreateFAdd(ctx.load(DType::F32, y, at), w));
    });
  };
  llvm::AllocaInst* nodeSlot = entryAlloca(ctx, b.getInt64Ty());

  auto row = [&](Value* r) {
    Value* inBase = b.CreateNSWMul(r, ctx.i64(C));
    Value* outBase = b.CreateNSWMul(r, ctx.i64(S));
    ctx.loop(0, S, [&](Value* j) { ctx.store(DType::F32, y, b.CreateAdd(outBase, j), ctx.f32(0.0f)); });
    if (distances == 0) return;
    ctx.loop(1, distances + 1, [&](Value* d) {
      Value* shortest = b.CreateSelect(b.CreateICmpEQ(d, ctx.i64(1)), ctx.i64(p.minGram), ctx.i64(minLong));
      // Starts i where the shortest counted n-gram fits: i + d (shortest - 1) < C.
      Value* starts = b.CreateSub(ctx.i64(C), b.CreateMul(d, b.CreateSub(shortest, ctx.i64(1))));
      ctx.loop(ctx.i64(0), starts, 1, [&](Value* i) {
        // Tokens i, i + d, ... inside the row: 1 + (C - 1 - i) / d of them, at most the trie's depth.
        Value* fit = b.CreateAdd(b.CreateSDiv(b.CreateSub(ctx.i64(C - 1), i), d), ctx.i64(1));
        Value* lengths = b.CreateSelect(b.CreateICmpSLT(fit, ctx.i64(trie.depth)), fit, ctx.i64(trie.depth));
        b.CreateStore(ctx.i64(0), nodeSlot);
        ctx.loop(ctx.i64(0), lengths, 1, [&](Value* k) {
          Value* node = b.CreateLoad(b.getInt64Ty(), nodeSlot);
          ctx.ifThen(b.CreateICmpSGE(node, ctx.i64(0)), [&] {
            Value* at = b.CreateAdd(inBase, b.CreateAdd(i, b.CreateMul(k, d)));
            Value* c = child(node, ctx.convert(ctx.load(t, x, at), t, DType::I64));
            b.CreateStore(c, nodeSlot);
            // The n-gram of length k + 1 counts from the shortest length on.
            Value* counted = b.CreateAnd(b.CreateICmpSGE(c, ctx.i64(0)),
                                         b.CreateICmpSGE(k, b.CreateSub(shortest, ctx.i64(1))));
            ctx.ifThen(counted, [&] { occurrence(outBase, c); });
          });
        });
      });
    });
  };
  // Lookups per row (each `steps` probes deep), in double: the product may exceed int64.
  double perRow = static_cast<double>(C) * static_cast<double>(distances) *
                  static_cast<double>(std::max<int64_t>(trie.depth, 1)) * static_cast<double>(steps + 1);
  double work = static_cast<double>(rows) * (static_cast<double>(S) + perRow);
  if (rows > 1 && worthParallel(static_cast<int64_t>(std::min(work, 1e15)))) ctx.parallelFor(rows, row);
  else ctx.loop(0, rows, row);
}

}  // namespace kiln::codegen
