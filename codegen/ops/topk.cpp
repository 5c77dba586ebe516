// TopK (ONNX opset 11): the K largest (largest = 1) or smallest elements along
// `axis`, with their int64 indices, always sorted best first (which sorted = 0
// permits). Equal values keep their input order, so the lower index comes
// first. NaN counts as larger than every number (as in ArgMax).
//
// Each slice along the axis is scanned once, keeping the best K seen so far
// sorted in the output buffers themselves: an element better than the current
// K-th is inserted by shifting the worse ones down one place. That is O(n)
// when few elements enter the list (K much smaller than n, the usual case) and
// O(n K) at worst, with no scratch memory.
#include "codegen/kernel_context.h"
#include "codegen/ops/loop_helpers.h"

namespace kiln::codegen {

namespace {

using llvm::Value;

// while (cond()) body(); cond may read state that body updates (kept in allocas).
void whileLoop(KernelContext& ctx, const std::function<Value*()>& cond, const std::function<void()>& body) {
  llvm::Function* fn = ctx.b.GetInsertBlock()->getParent();
  llvm::LLVMContext& c = ctx.b.getContext();
  llvm::BasicBlock* header = llvm::BasicBlock::Create(c, "while", fn);
  llvm::BasicBlock* bodyBB = llvm::BasicBlock::Create(c, "while.body", fn);
  llvm::BasicBlock* exit = llvm::BasicBlock::Create(c, "while.exit", fn);
  ctx.b.CreateBr(header);
  ctx.b.SetInsertPoint(header);
  ctx.b.CreateCondBr(cond(), bodyBB, exit);
  ctx.b.SetInsertPoint(bodyBB);
  body();
  ctx.b.CreateBr(header);
  ctx.b.SetInsertPoint(exit);
}

}  // namespace

void emitTopK(KernelContext& ctx) {
  DType t = ctx.inputDType(0);
  if (!isFloat(t) && !isInteger(t)) ctx.fail("unsupported dtype {}", dtypeName(t));
  std::vector<int64_t> shape = ctx.inputShape(0);
  auto rank = static_cast<int64_t>(shape.size());
  if (rank == 0) ctx.fail("input must have rank >= 1");
  size_t axis = ctx.normalizeAxis(ctx.attrs().getInt("axis", -1), rank);
  bool largest = ctx.attrs().getInt("largest", 1) != 0;
  int64_t outer = product(shape, 0, axis), n = shape[axis], inner = product(shape, axis + 1, shape.size());
  int64_t K = ctx.outputShape(0)[axis];
  if (K > n) ctx.fail("K {} exceeds the axis length {}", K, n);
  int64_t slices = outer * inner;
  if (slices == 0 || K == 0) return;

  llvm::IRBuilder<>& b = ctx.b;
  Value* x = ctx.input(0);
  Value* values = ctx.output(0);
  Value* indices = ctx.output(1);
  // Whether v goes before w (strictly better; ties keep the earlier element first).
  auto better = [&](Value* v, Value* w) -> Value* {
    if (!isFloat(t)) {
      bool s = isSignedInt(t);
      if (largest) return b.CreateICmp(s ? llvm::CmpInst::ICMP_SGT : llvm::CmpInst::ICMP_UGT, v, w);
      return b.CreateICmp(s ? llvm::CmpInst::ICMP_SLT : llvm::CmpInst::ICMP_ULT, v, w);
    }
    Value* vNaN = b.CreateFCmpUNO(v, v);
    Value* wNaN = b.CreateFCmpUNO(w, w);
    if (largest) return b.CreateOr(b.CreateFCmpOGT(v, w), b.CreateAnd(vNaN, b.CreateNot(wNaN)));
    return b.CreateOr(b.CreateFCmpOLT(v, w), b.CreateAnd(wNaN, b.CreateNot(vNaN)));
  };

  llvm::AllocaInst* posSlot = entryAlloca(ctx, b.getInt64Ty());
  auto body = [&](Value* s) {
    Value* o = inner == 1 ? s : b.CreateUDiv(s, ctx.i64(inner));
    Value* i = inner == 1 ? ctx.i64(0) : b.CreateURem(s, ctx.i64(inner));
    Value* in = b.CreateNSWAdd(b.CreateNSWMul(o, ctx.i64(n * inner)), i);
    Value* outBase = b.CreateNSWAdd(b.CreateNSWMul(o, ctx.i64(K * inner)), i);
    auto outAt = [&](Value* p) { return addScaled(ctx, outBase, p, inner); };
    ctx.loop(0, n, [&](Value* k) {
      Value* v = ctx.load(t, x, addScaled(ctx, in, k, inner));
      // The list holds min(k, K) elements; v starts just past its end.
      b.CreateStore(b.CreateSelect(b.CreateICmpSLT(k, ctx.i64(K)), k, ctx.i64(K)), posSlot);
      auto pos = [&] { return b.CreateLoad(b.getInt64Ty(), posSlot); };
      whileLoop(
          ctx,
          [&] {
            Value* p = pos();
            Value* positive = b.CreateICmpSGT(p, ctx.i64(0));
            Value* prev = b.CreateSelect(positive, b.CreateNSWSub(p, ctx.i64(1)), ctx.i64(0));
            return b.CreateAnd(positive, better(v, ctx.load(t, values, outAt(prev))));
          },
          [&] {
            Value* p = pos();
            Value* prev = b.CreateNSWSub(p, ctx.i64(1));
            ctx.ifThen(b.CreateICmpSLT(p, ctx.i64(K)), [&] {
              ctx.store(t, values, outAt(p), ctx.load(t, values, outAt(prev)));
              ctx.store(DType::I64, indices, outAt(p), ctx.load(DType::I64, indices, outAt(prev)));
            });
            b.CreateStore(prev, posSlot);
          });
      Value* p = pos();
      ctx.ifThen(b.CreateICmpSLT(p, ctx.i64(K)), [&] {
        ctx.store(t, values, outAt(p), v);
        ctx.store(DType::I64, indices, outAt(p), k);
      });
    });
  };
  if (slices > 1 && worthParallel(slices * n)) ctx.parallelFor(slices, body);
  else ctx.loop(0, slices, body);
}

}  // namespace kiln::codegen
