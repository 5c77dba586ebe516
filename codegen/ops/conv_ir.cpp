#include "codegen/ops/conv_ir.h"

#include <llvm/IR/Constants.h>
#include <llvm/IR/GlobalVariable.h>
#include <llvm/IR/Intrinsics.h>
#include <llvm/IR/Metadata.h>

#include <limits>

namespace kiln::codegen::convir {

namespace {
const llvm::ConstantInt* asConst(llvm::Value* v) { return llvm::dyn_cast<llvm::ConstantInt>(v); }
}  // namespace

llvm::Value* add(const KernelContext& ctx, llvm::Value* a, llvm::Value* b) {
  if (auto* c = asConst(a); c && c->isZero()) return b;
  if (auto* c = asConst(b); c && c->isZero()) return a;
  return ctx.b.CreateAdd(a, b, "", /*HasNUW=*/false, /*HasNSW=*/true);
}

llvm::Value* add(const KernelContext& ctx, llvm::Value* a, int64_t b) {
  return add(ctx, a, ctx.i64(b));
}

llvm::Value* mul(const KernelContext& ctx, llvm::Value* a, int64_t b) {
  if (b == 1) return a;
  if (b == 0) return ctx.i64(0);
  return ctx.b.CreateMul(a, ctx.i64(b), "", false, true);
}

llvm::Value* nest(const KernelContext& ctx, llvm::Value* base, int64_t extent, llvm::Value* index) {
  return add(ctx, mul(ctx, base, extent), index);
}

llvm::Value* inRange(const KernelContext& ctx, llvm::Value* v, int64_t lo, int64_t hi) {
  // One unsigned compare: (v - lo) <u (hi - lo).
  return ctx.b.CreateICmpULT(ctx.b.CreateSub(v, ctx.i64(lo)), ctx.i64(hi - lo));
}

std::vector<llvm::Value*> splitIndex(const KernelContext& ctx, llvm::Value* flat,
                                     const std::vector<int64_t>& extents) {
  std::vector<llvm::Value*> idx(extents.size(), nullptr);
  llvm::Value* rest = flat;
  for (size_t d = extents.size(); d-- > 0;) {
    if (extents[d] == 1) {
      idx[d] = ctx.i64(0);
    } else if (d == 0) {
      idx[d] = rest;  // the outermost coordinate is what remains
    } else {
      idx[d] = ctx.b.CreateURem(rest, ctx.i64(extents[d]));
      rest = ctx.b.CreateUDiv(rest, ctx.i64(extents[d]));
    }
  }
  return idx;
}

llvm::Value* fmulAdd(const KernelContext& ctx, llvm::Value* a, llvm::Value* b, llvm::Value* c) {
  return ctx.b.CreateIntrinsic(llvm::Intrinsic::fmuladd, {a->getType()}, {a, b, c});
}

llvm::Value* floatTable(const KernelContext& ctx, DType t, const std::vector<double>& values,
                        const std::string& name) {
  llvm::LLVMContext& lc = ctx.b.getContext();
  llvm::Constant* init;
  if (t == DType::F64) {
    init = llvm::ConstantDataArray::get(lc, llvm::ArrayRef<double>(values));
  } else if (t == DType::F32) {
    std::vector<float> f(values.begin(), values.end());
    init = llvm::ConstantDataArray::get(lc, llvm::ArrayRef<float>(f));
  } else {
    ctx.fail("no float table of dtype {}", dtypeName(t));
  }
  return new llvm::GlobalVariable(ctx.module, init->getType(), /*isConstant=*/true,
                                  llvm::GlobalValue::PrivateLinkage, init, name);
}

llvm::Value* indexTable(const KernelContext& ctx, const std::vector<int64_t>& values,
                        const std::string& name) {
  llvm::LLVMContext& lc = ctx.b.getContext();
  bool fits32 = true;
  for (int64_t v : values)
    fits32 = fits32 && v >= std::numeric_limits<int32_t>::min() && v <= std::numeric_limits<int32_t>::max();
  llvm::Constant* init;
  if (fits32) {  // narrower tables gather faster
    std::vector<int32_t> v32(values.begin(), values.end());
    std::vector<uint32_t> bits(v32.begin(), v32.end());
    init = llvm::ConstantDataArray::get(lc, llvm::ArrayRef<uint32_t>(bits));
  } else {
    std::vector<uint64_t> bits(values.begin(), values.end());
    init = llvm::ConstantDataArray::get(lc, llvm::ArrayRef<uint64_t>(bits));
  }
  return new llvm::GlobalVariable(ctx.module, init->getType(), /*isConstant=*/true,
                                  llvm::GlobalValue::PrivateLinkage, init, name);
}

llvm::Value* loadIndex(const KernelContext& ctx, llvm::Value* table, llvm::Value* i) {
  auto* gv = llvm::cast<llvm::GlobalVariable>(table);
  llvm::Type* elem = llvm::cast<llvm::ArrayType>(gv->getValueType())->getElementType();
  llvm::Value* p = ctx.b.CreateInBoundsGEP(elem, table, i);
  llvm::Value* v = ctx.b.CreateLoad(elem, p);
  return elem->isIntegerTy(64) ? v : ctx.b.CreateSExt(v, ctx.b.getInt64Ty());
}

namespace {
// Bottom-tested for (i = lo; i < hi; ++i) with hi > lo, marked not to unroll
// (and, when `scalar`, not to vectorize).
void bottomTestedLoop(KernelContext& ctx, llvm::Value* lo, llvm::Value* hi, const KernelContext::Body& body,
                      bool scalar) {
  llvm::IRBuilder<>& b = ctx.b;
  llvm::LLVMContext& lc = b.getContext();
  llvm::Function* fn = b.GetInsertBlock()->getParent();
  llvm::BasicBlock* pre = b.GetInsertBlock();
  llvm::BasicBlock* bodyBB = llvm::BasicBlock::Create(lc, "tile_loop", fn);
  llvm::BasicBlock* exit = llvm::BasicBlock::Create(lc, "tile_exit", fn);
  b.CreateBr(bodyBB);
  b.SetInsertPoint(bodyBB);
  llvm::PHINode* i = b.CreatePHI(b.getInt64Ty(), 2, "i");
  i->addIncoming(lo, pre);
  body(i);
  llvm::Value* next = b.CreateAdd(i, ctx.i64(1), "", true, true);
  i->addIncoming(next, b.GetInsertBlock());
  llvm::BranchInst* latch = b.CreateCondBr(b.CreateICmpSLT(next, hi), bodyBB, exit);
  // !{!self, !{"llvm.loop.unroll.disable"}[, !{"llvm.loop.vectorize.enable", i1 false}]},
  // the loop ID being self-referential.
  std::vector<llvm::Metadata*> ops = {nullptr,
                                      llvm::MDNode::get(lc, llvm::MDString::get(lc, "llvm.loop.unroll.disable"))};
  if (scalar)
    ops.push_back(llvm::MDNode::get(lc, {llvm::MDString::get(lc, "llvm.loop.vectorize.enable"),
                                         llvm::ConstantAsMetadata::get(b.getFalse())}));
  llvm::MDNode* id = llvm::MDNode::getDistinct(lc, ops);
  id->replaceOperandWith(0, id);
  latch->setMetadata(llvm::LLVMContext::MD_loop, id);
  b.SetInsertPoint(exit);
}
}  // namespace

void loopNoUnroll(KernelContext& ctx, int64_t lo, int64_t hi, const KernelContext::Body& body) {
  if (lo >= hi) return;
  bottomTestedLoop(ctx, ctx.i64(lo), ctx.i64(hi), body, false);
}

void loopNoUnroll(KernelContext& ctx, llvm::Value* count, const KernelContext::Body& body) {
  bottomTestedLoop(ctx, ctx.i64(0), count, body, false);
}

void loopScalar(KernelContext& ctx, int64_t lo, int64_t hi, const KernelContext::Body& body) {
  if (lo >= hi) return;
  bottomTestedLoop(ctx, ctx.i64(lo), ctx.i64(hi), body, true);
}

void forEach(KernelContext& ctx, int64_t extent, const KernelContext::Body& body) {
  if (extent == 1)
    body(ctx.i64(0));
  else
    ctx.loop(0, extent, body);
}

void guard(KernelContext& ctx, bool check, const std::function<llvm::Value*()>& cond,
           const std::function<void()>& body) {
  if (check)
    ctx.ifThen(cond(), body);
  else
    body();
}

}  // namespace kiln::codegen::convir
