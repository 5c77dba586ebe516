#include "codegen/ops/broadcast_loop.h"

#include "codegen/ops/epilogue.h"

namespace kiln::codegen {

namespace {

constexpr int64_t kFlatChunk = 8192;  // elements per parallel task of a flat loop

struct Collapsed {
  std::vector<int64_t> extents;               // output extents after collapsing
  std::vector<std::vector<int64_t>> strides;  // per operand, in elements; 0 = broadcast
};

Collapsed collapseDims(const std::vector<int64_t>& out, const std::vector<std::vector<int64_t>>& ins) {
  size_t r = out.size();
  std::vector<std::vector<int64_t>> strides;
  for (const auto& in : ins) {
    // Align the input's dims to the right of the output's and zero broadcast dims.
    std::vector<int64_t> padded(r, 1);
    for (size_t i = 0; i < in.size(); ++i) padded[r - in.size() + i] = in[i];
    std::vector<int64_t> s = stridesOf(padded);
    for (size_t d = 0; d < r; ++d)
      if (padded[d] == 1 && out[d] != 1) s[d] = 0;
    strides.push_back(s);
  }
  Collapsed c;
  c.strides.resize(ins.size());
  for (size_t d = 0; d < r; ++d) {
    if (out[d] == 1) continue;  // a unit dim contributes nothing
    bool merge = !c.extents.empty();
    for (size_t k = 0; merge && k < ins.size(); ++k)
      merge = c.strides[k].back() == strides[k][d] * out[d];
    if (merge) {
      c.extents.back() *= out[d];
      for (size_t k = 0; k < ins.size(); ++k) c.strides[k].back() = strides[k][d];
    } else {
      c.extents.push_back(out[d]);
      for (size_t k = 0; k < ins.size(); ++k) c.strides[k].push_back(strides[k][d]);
    }
  }
  if (c.extents.empty()) {  // scalar output
    c.extents.push_back(1);
    for (auto& s : c.strides) s.push_back(0);
  }
  return c;
}

}  // namespace

void emitBroadcastLoop(KernelContext& ctx, const std::vector<size_t>& operands, const ScalarFn& scalar) {
  std::vector<int64_t> outShape = ctx.outputShape(0);
  std::vector<std::vector<int64_t>> inShapes;
  for (size_t k : operands) inShapes.push_back(ctx.inputShape(k));
  Collapsed c = collapseDims(outShape, inShapes);
  DType outType = ctx.outputDType(0);
  llvm::IRBuilder<>& b = ctx.b;
  Epilogue epilogue(ctx);

  // Emits the element at collapsed index `idx`.
  auto element = [&](const std::vector<llvm::Value*>& idx) {
    std::vector<llvm::Value*> args(ctx.numInputs(), nullptr);
    for (size_t k = 0; k < operands.size(); ++k) {
      llvm::Value* off = ctx.i64(0);
      for (size_t d = 0; d < idx.size(); ++d)
        if (c.strides[k][d] != 0)
          off = b.CreateAdd(off, b.CreateMul(idx[d], ctx.i64(c.strides[k][d]), "", true, true), "",
                            true, true);
      args[operands[k]] = ctx.load(ctx.inputDType(operands[k]), ctx.input(operands[k]), off);
    }
    llvm::Value* outOff = ctx.linearIndex(c.extents, idx);
    ctx.store(outType, ctx.output(0), outOff, epilogue.apply(scalar(args), outOff, nullptr));
  };

  if (c.extents.size() == 1) {
    int64_t n = c.extents[0];
    int64_t chunks = (n + kFlatChunk - 1) / kFlatChunk;
    ctx.parallelFor(chunks, [&](llvm::Value* chunk) {
      llvm::Value* lo = b.CreateMul(chunk, ctx.i64(kFlatChunk), "", true, true);
      llvm::Value* hi = b.CreateAdd(lo, ctx.i64(kFlatChunk), "", true, true);
      hi = b.CreateSelect(b.CreateICmpSLT(hi, ctx.i64(n)), hi, ctx.i64(n));
      ctx.loop(lo, hi, 1, [&](llvm::Value* i) { element({i}); });
    });
    return;
  }
  std::vector<int64_t> inner(c.extents.begin() + 1, c.extents.end());
  ctx.parallelFor(c.extents[0], [&](llvm::Value* i0) {
    ctx.loopNest(inner, [&](const std::vector<llvm::Value*>& rest) {
      std::vector<llvm::Value*> idx{i0};
      idx.insert(idx.end(), rest.begin(), rest.end());
      element(idx);
    });
  });
}

}  // namespace kiln::codegen
