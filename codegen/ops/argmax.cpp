// ArgMax / ArgMin (ONNX opset 13): the int64 index of the largest (smallest)
// element along `axis`; ties give the first index, or the last one with
// select_last_index = 1. NaN counts as larger (smaller) than every number, as
// numpy's argmax/argmin treat it, so the first (last) NaN wins.
//
// The input is viewed as [outer, n, inner] with n the axis. With inner == 1
// each output is a scalar scan of a contiguous row. Otherwise the scan runs
// over k outside a unit-stride loop over the inner lanes, keeping each lane's
// best index in the output and re-reading its value.
#include "codegen/kernel_context.h"
#include "codegen/ops/loop_helpers.h"

namespace kiln::codegen {

namespace {

using llvm::Value;

void emitArgReduce(KernelContext& ctx, bool isMax) {
  DType t = ctx.inputDType(0);
  if (!isFloat(t) && !isInteger(t)) ctx.fail("unsupported dtype {}", dtypeName(t));
  std::vector<int64_t> shape = ctx.inputShape(0);
  auto rank = static_cast<int64_t>(shape.size());
  if (rank == 0) ctx.fail("input must have rank >= 1");
  size_t axis = ctx.normalizeAxis(ctx.attrs().getInt("axis", 0), rank);
  bool last = ctx.attrs().getInt("select_last_index", 0) != 0;
  int64_t outer = product(shape, 0, axis), n = shape[axis], inner = product(shape, axis + 1, shape.size());
  if (outer * inner == 0) return;
  if (n == 0) ctx.fail("cannot reduce an empty axis");

  llvm::IRBuilder<>& b = ctx.b;
  Value* x = ctx.input(0);
  Value* out = ctx.output(0);
  // Whether candidate v replaces the current best.
  auto better = [&](Value* v, Value* best) -> Value* {
    if (!isFloat(t)) {
      bool s = isSignedInt(t);
      if (isMax) return last ? b.CreateICmp(s ? llvm::CmpInst::ICMP_SGE : llvm::CmpInst::ICMP_UGE, v, best)
                             : b.CreateICmp(s ? llvm::CmpInst::ICMP_SGT : llvm::CmpInst::ICMP_UGT, v, best);
      return last ? b.CreateICmp(s ? llvm::CmpInst::ICMP_SLE : llvm::CmpInst::ICMP_ULE, v, best)
                  : b.CreateICmp(s ? llvm::CmpInst::ICMP_SLT : llvm::CmpInst::ICMP_ULT, v, best);
    }
    Value* vNaN = b.CreateFCmpUNO(v, v);
    if (last) {
      Value* cmp = isMax ? b.CreateFCmpOGE(v, best) : b.CreateFCmpOLE(v, best);
      return b.CreateOr(cmp, vNaN);
    }
    Value* cmp = isMax ? b.CreateFCmpOGT(v, best) : b.CreateFCmpOLT(v, best);
    return b.CreateOr(cmp, b.CreateAnd(vNaN, b.CreateFCmpORD(best, best)));
  };

  auto body = [&](Value* o) {
    Value* slice = b.CreateNSWMul(o, ctx.i64(n * inner));
    Value* outRow = b.CreateNSWMul(o, ctx.i64(inner));
    if (inner == 1) {
      llvm::AllocaInst* bestV = entryAlloca(ctx, ctx.llvmType(t));
      llvm::AllocaInst* bestI = entryAlloca(ctx, b.getInt64Ty());
      b.CreateStore(ctx.load(t, x, slice), bestV);
      b.CreateStore(ctx.i64(0), bestI);
      ctx.loop(1, n, [&](Value* k) {
        Value* v = ctx.load(t, x, b.CreateNSWAdd(slice, k));
        Value* take = better(v, b.CreateLoad(ctx.llvmType(t), bestV));
        b.CreateStore(b.CreateSelect(take, v, b.CreateLoad(ctx.llvmType(t), bestV)), bestV);
        b.CreateStore(b.CreateSelect(take, k, b.CreateLoad(b.getInt64Ty(), bestI)), bestI);
      });
      ctx.store(DType::I64, out, outRow, b.CreateLoad(b.getInt64Ty(), bestI));
      return;
    }
    ctx.loop(0, inner, [&](Value* i) { ctx.store(DType::I64, out, b.CreateNSWAdd(outRow, i), ctx.i64(0)); });
    ctx.loop(1, n, [&](Value* k) {
      Value* row = addScaled(ctx, slice, k, inner);
      ctx.loop(0, inner, [&](Value* i) {
        Value* v = ctx.load(t, x, b.CreateNSWAdd(row, i));
        Value* at = b.CreateNSWAdd(outRow, i);
        Value* bi = ctx.load(DType::I64, out, at);
        Value* best = ctx.load(t, x, b.CreateNSWAdd(addScaled(ctx, slice, bi, inner), i));
        ctx.store(DType::I64, out, at, b.CreateSelect(better(v, best), k, bi));
      });
    });
  };
  if (outer > 1 && worthParallel(outer * n * inner)) ctx.parallelFor(outer, body);
  else ctx.loop(0, outer, body);
}

}  // namespace

void emitArgMax(KernelContext& ctx) { emitArgReduce(ctx, true); }
void emitArgMin(KernelContext& ctx) { emitArgReduce(ctx, false); }

}  // namespace kiln::codegen
