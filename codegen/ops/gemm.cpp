#include "codegen/ops/gemm.h"

#include <llvm/IR/Constants.h>
#include <llvm/IR/Intrinsics.h>

#include "codegen/ops/conv_ir.h"
#include "codegen/ops/gemm_microkernel.h"
#include "codegen/ops/gemm_pack.h"
#include "codegen/ops/loop_helpers.h"

namespace kiln::codegen {

namespace {

using convir::add;
using convir::mul;
using llvm::Value;

Value* minI(KernelContext& ctx, Value* a, Value* b) {
  return ctx.b.CreateSelect(ctx.b.CreateICmpSLT(a, b), a, b);
}

// if (cond) then() else otherwise(), emitted as branches.
void ifElse(KernelContext& ctx, Value* cond, const std::function<void()>& then,
            const std::function<void()>& otherwise) {
  llvm::IRBuilder<>& b = ctx.b;
  llvm::Function* fn = b.GetInsertBlock()->getParent();
  auto* thenBB = llvm::BasicBlock::Create(b.getContext(), "gemm_then", fn);
  auto* elseBB = llvm::BasicBlock::Create(b.getContext(), "gemm_else", fn);
  auto* join = llvm::BasicBlock::Create(b.getContext(), "gemm_join", fn);
  b.CreateCondBr(cond, thenBB, elseBB);
  b.SetInsertPoint(thenBB);
  then();
  b.CreateBr(join);
  b.SetInsertPoint(elseBB);
  otherwise();
  b.CreateBr(join);
  b.SetInsertPoint(join);
}

// Which partial sum a store completes: the first K block writes C, later
// ones add to it; the last one finishes the element (alpha, bias, epilogue).
struct StoreKind {
  bool first, last;
};

class GemmEmitter {
 public:
  GemmEmitter(KernelContext& ctx, const GemmProblem& p)
      : ctx_(ctx), b_(ctx.b), p_(p),
        t_(chooseGemmTiling(ctx.target, p.batches, p.M, p.N, p.K, p.b.constant != nullptr)) {
    vecTy_ = llvm::FixedVectorType::get(b_.getFloatTy(), static_cast<unsigned>(t_.lanes));
    if (p.a.constant) packedA_ = packConstantA(ctx, p.a, p.M, p.K, t_);
    if (p.b.constant) packedB_ = packConstantB(ctx, p.b, p.K, p.N, t_);
  }

  void emit() {
    // Run-time packing buffers, allocated once per kernel call.
    if (packA()) aBuf_ = alignedSlot(t_.mc * t_.kc);
    if (!p_.b.constant) bBuf_ = alignedSlot(t_.taskCols * t_.kc);
    int64_t extent = p_.batches * t_.rowTasks * t_.colTasks;
    ctx_.parallelFor(extent, [&](Value* task) {
      std::vector<Value*> idx = convir::splitIndex(ctx_, task, {p_.batches, t_.rowTasks, t_.colTasks});
      emitTask(idx[0], idx[1], idx[2]);
    });
  }

 private:
  // A run-time A with unit column stride is read in place: its rows are
  // contiguous in k, so packing would only copy them (and with MC x KC
  // blocks, once per column task).
  bool packA() const { return !p_.a.constant && p_.a.colStride != 1; }

  Value* alignedSlot(int64_t floats) {
    llvm::AllocaInst* a = entryAlloca(ctx_, b_.getFloatTy(), floats);
    a->setAlignment(llvm::Align(64));
    return a;
  }

  void emitTask(Value* batch, Value* rowTask, Value* colTask) {
    batch_ = batch;
    aOffset_ = p_.a.offset ? p_.a.offset(batch) : ctx_.i64(0);
    bOffset_ = p_.b.offset ? p_.b.offset(batch) : ctx_.i64(0);
    cBase_ = mul(ctx_, batch, p_.M * p_.N);
    Value* m0 = mul(ctx_, rowTask, t_.taskRows);
    m1_ = minI(ctx_, add(ctx_, m0, t_.taskRows), ctx_.i64(p_.M));
    n0_ = mul(ctx_, colTask, t_.taskCols);
    Value* n1 = minI(ctx_, add(ctx_, n0_, t_.taskCols), ctx_.i64(p_.N));
    // Full NR panels of this task, and whether it ends with the narrower last panel of C.
    fullColPanels_ = b_.CreateUDiv(b_.CreateSub(n1, n0_), ctx_.i64(t_.nr));
    tailCols_ = p_.N % t_.nr;
    hasTailCols_ = tailCols_ ? b_.CreateICmpEQ(n1, ctx_.i64(p_.N)) : nullptr;

    ctx_.loop(ctx_.i64(0), ctx_.i64(t_.kBlocks), 1, [&](Value* kb) {
      k0_ = mul(ctx_, kb, t_.kc);
      kcur_ = minI(ctx_, ctx_.i64(t_.kc), b_.CreateSub(ctx_.i64(p_.K), k0_));
      if (!p_.b.constant) packBBlock();
      ctx_.loop(m0, m1_, t_.mc, [&](Value* ic) { emitRowBlock(kb, ic); });
    });
  }

  // The task's columns for this K block into bBuf_, panel after panel.
  void packBBlock() {
    ctx_.loop(ctx_.i64(0), fullColPanels_, 1, [&](Value* jp) {
      emitPackBPanel(ctx_, p_.b, bOffset_, add(ctx_, n0_, mul(ctx_, jp, t_.nr)), t_.nr, k0_, kcur_,
                     bufPanel(bBuf_, jp, t_.nr), t_);
    });
    if (hasTailCols_)
      ctx_.ifThen(hasTailCols_, [&] {
        emitPackBPanel(ctx_, p_.b, bOffset_, add(ctx_, n0_, mul(ctx_, fullColPanels_, t_.nr)), tailCols_,
                       k0_, kcur_, bufPanel(bBuf_, fullColPanels_, t_.nr), t_);
      });
  }

  Value* bufPanel(Value* buf, Value* panel, int64_t width) {
    return ctx_.elementPtr(DType::F32, buf, mul(ctx_, panel, width * t_.kc));
  }

  // Pointer to A panel `ip` (row ic + ip * MR) and B panel `jp` (column n0 + jp * NR) for this K block.
  GemmAPanel aPanel(Value* ic, Value* ip) {
    if (packA()) return {bufPanel(aBuf_, ip, t_.mr), t_.mr, 1};
    if (!p_.a.constant) {
      Value* row = add(ctx_, ic, mul(ctx_, ip, t_.mr));
      Value* index = add(ctx_, add(ctx_, aOffset_, mul(ctx_, row, p_.a.rowStride)), k0_);
      return {ctx_.elementPtr(DType::F32, p_.a.buffer, index), 1, p_.a.rowStride};
    }
    // Constant A: its packed matrix, panel (ic / MR + ip), row k0.
    Value* matrix = mul(ctx_, b_.CreateUDiv(aOffset_, ctx_.i64(p_.a.matrixElements)), packedA_.matrixElements);
    Value* panel = add(ctx_, b_.CreateUDiv(ic, ctx_.i64(t_.mr)), ip);
    Value* index = add(ctx_, add(ctx_, matrix, mul(ctx_, panel, packedA_.panelElements)), mul(ctx_, k0_, t_.mr));
    return {ctx_.elementPtr(DType::F32, packedA_.base, index), t_.mr, 1};
  }
  Value* bPanel(Value* jp) {
    if (!p_.b.constant) return bufPanel(bBuf_, jp, t_.nr);
    Value* matrix = mul(ctx_, b_.CreateUDiv(bOffset_, ctx_.i64(p_.b.matrixElements)), packedB_.matrixElements);
    Value* panel = add(ctx_, b_.CreateUDiv(n0_, ctx_.i64(t_.nr)), jp);
    Value* index = add(ctx_, add(ctx_, matrix, mul(ctx_, panel, packedB_.panelElements)), mul(ctx_, k0_, t_.nr));
    return ctx_.elementPtr(DType::F32, packedB_.base, index);
  }

  // Rows [ic, min(ic + MC, m1)) against all of the task's columns.
  void emitRowBlock(Value* kb, Value* ic) {
    Value* mEnd = minI(ctx_, add(ctx_, ic, t_.mc), m1_);
    Value* fullRowPanels = b_.CreateUDiv(b_.CreateSub(mEnd, ic), ctx_.i64(t_.mr));
    int64_t tailRows = p_.M % t_.mr;
    Value* hasTailRows = tailRows ? b_.CreateICmpEQ(mEnd, ctx_.i64(p_.M)) : nullptr;
    if (packA()) {
      ctx_.loop(ctx_.i64(0), fullRowPanels, 1, [&](Value* ip) {
        emitPackAPanel(ctx_, p_.a, aOffset_, add(ctx_, ic, mul(ctx_, ip, t_.mr)), t_.mr, k0_, kcur_,
                       bufPanel(aBuf_, ip, t_.mr), t_);
      });
      if (hasTailRows)
        ctx_.ifThen(hasTailRows, [&] {
          emitPackAPanel(ctx_, p_.a, aOffset_, add(ctx_, ic, mul(ctx_, fullRowPanels, t_.mr)), tailRows, k0_,
                         kcur_, bufPanel(aBuf_, fullRowPanels, t_.mr), t_);
        });
    }
    // Column panels outside, row panels inside: the B panel stays in L1
    // while the A block streams from L2.
    auto columnPanel = [&](Value* jp, int64_t cols) {
      auto rowPanel = [&](Value* ip, int64_t rows) {
        prefetchTile(rows, add(ctx_, ic, mul(ctx_, ip, t_.mr)), add(ctx_, n0_, mul(ctx_, jp, t_.nr)));
        std::vector<Value*> acc = emitGemmMicrokernel(ctx_, t_, rows, kcur_, aPanel(ic, ip), bPanel(jp));
        Value* row0 = add(ctx_, ic, mul(ctx_, ip, t_.mr));
        Value* col0 = add(ctx_, n0_, mul(ctx_, jp, t_.nr));
        storeTile(kb, acc, rows, cols, row0, col0);
      };
      ctx_.loop(ctx_.i64(0), fullRowPanels, 1, [&](Value* ip) { rowPanel(ip, t_.mr); });
      if (hasTailRows) ctx_.ifThen(hasTailRows, [&] { rowPanel(fullRowPanels, tailRows); });
    };
    ctx_.loop(ctx_.i64(0), fullColPanels_, 1, [&](Value* jp) { columnPanel(jp, t_.nr); });
    if (hasTailCols_) ctx_.ifThen(hasTailCols_, [&] { columnPanel(fullColPanels_, tailCols_); });
  }

  // Asks for the C tile's lines while the microkernel runs (as BLIS's
  // kernels do): its stores would otherwise wait on misses at the end.
  void prefetchTile(int64_t rows, Value* row0, Value* col0) {
    llvm::Function* prefetch =
        llvm::Intrinsic::getDeclaration(&ctx_.module, llvm::Intrinsic::prefetch, {b_.getPtrTy()});
    for (int64_t i = 0; i < rows; ++i) {
      Value* index = add(ctx_, add(ctx_, cBase_, mul(ctx_, add(ctx_, row0, i), p_.N)), col0);
      for (int64_t off = 0; off < t_.nr; off += 16) {
        Value* ptr = ctx_.elementPtr(DType::F32, p_.c, add(ctx_, index, off));
        // rw = 1 (write), locality = 3 (keep in all levels), data cache.
        b_.CreateCall(prefetch, {ptr, b_.getInt32(1), b_.getInt32(3), b_.getInt32(1)});
      }
    }
  }

  void storeTile(Value* kb, const std::vector<Value*>& acc, int64_t rows, int64_t cols, Value* row0,
                 Value* col0) {
    auto store = [&](StoreKind kind) { storeTileAs(kind, acc, rows, cols, row0, col0); };
    if (t_.kBlocks == 1) return store({true, true});
    Value* isFirst = b_.CreateICmpEQ(kb, ctx_.i64(0));
    Value* isLast = b_.CreateICmpEQ(kb, ctx_.i64(t_.kBlocks - 1));
    ifElse(
        ctx_, isFirst, [&] { store({true, false}); },
        [&] { ifElse(ctx_, isLast, [&] { store({false, true}); }, [&] { store({false, false}); }); });
  }

  void storeTileAs(StoreKind kind, const std::vector<Value*>& acc, int64_t rows, int64_t cols, Value* row0,
                   Value* col0) {
    for (int64_t i = 0; i < rows; ++i) {
      Value* row = add(ctx_, row0, i);
      Value* rowBase = add(ctx_, cBase_, mul(ctx_, row, p_.N));
      for (int64_t v = 0; v < t_.nv; ++v) {
        int64_t valid = std::clamp<int64_t>(cols - v * t_.lanes, 0, t_.lanes);
        if (valid == 0) continue;
        Value* mask = valid == t_.lanes ? nullptr : laneMask(valid);
        Value* col = add(ctx_, col0, v * t_.lanes);
        Value* index = add(ctx_, rowBase, col);
        Value* ptr = ctx_.elementPtr(DType::F32, p_.c, index);
        Value* x = acc[i * t_.nv + v];
        if (!kind.first) x = b_.CreateFAdd(x, loadVec(ptr, mask));
        if (kind.last) x = finish(x, row, col, index, mask);
        if (mask) b_.CreateMaskedStore(x, ptr, llvm::Align(4), mask);
        else b_.CreateAlignedStore(x, ptr, llvm::Align(4));
      }
    }
  }

  // alpha * x + beta * bias, then the epilogue.
  Value* finish(Value* x, Value* row, Value* col, Value* index, Value* mask) {
    if (p_.alpha != 1.0) x = b_.CreateFMul(x, splat(p_.alpha));
    if (p_.bias) {
      Value* bi = add(ctx_, mul(ctx_, row, p_.biasStrideM), mul(ctx_, col, p_.biasStrideN));
      Value* bias;
      if (p_.biasStrideN == 0)
        bias = b_.CreateVectorSplat(static_cast<unsigned>(t_.lanes), ctx_.load(DType::F32, p_.bias, bi));
      else if (p_.biasStrideN == 1)
        bias = loadVec(ctx_.elementPtr(DType::F32, p_.bias, bi), mask);
      else
        ctx_.fail("internal error: GEMM bias column stride {}", p_.biasStrideN);
      if (p_.beta != 1.0) bias = b_.CreateFMul(bias, splat(p_.beta));
      x = b_.CreateFAdd(x, bias);
    }
    if (p_.epilogue) x = p_.epilogue(x, index, mask);
    return x;
  }

  Value* splat(double v) {
    return b_.CreateVectorSplat(static_cast<unsigned>(t_.lanes), ctx_.f32(static_cast<float>(v)));
  }
  Value* loadVec(Value* ptr, Value* mask) {
    if (!mask) return b_.CreateAlignedLoad(vecTy_, ptr, llvm::Align(4));
    return b_.CreateMaskedLoad(vecTy_, ptr, llvm::Align(4), mask, llvm::Constant::getNullValue(vecTy_));
  }
  Value* laneMask(int64_t valid) {
    std::vector<llvm::Constant*> bits;
    for (int64_t j = 0; j < t_.lanes; ++j) bits.push_back(b_.getInt1(j < valid));
    return llvm::ConstantVector::get(bits);
  }

  KernelContext& ctx_;
  llvm::IRBuilder<>& b_;
  const GemmProblem& p_;
  GemmTiling t_;
  llvm::FixedVectorType* vecTy_;
  PackedOperand packedA_, packedB_;
  Value *aBuf_ = nullptr, *bBuf_ = nullptr;
  // Per task and K block.
  Value *batch_ = nullptr, *aOffset_ = nullptr, *bOffset_ = nullptr, *cBase_ = nullptr;
  Value *m1_ = nullptr, *n0_ = nullptr, *fullColPanels_ = nullptr, *hasTailCols_ = nullptr;
  int64_t tailCols_ = 0;
  Value *k0_ = nullptr, *kcur_ = nullptr;
};

}  // namespace

void emitBlockedGemm(KernelContext& ctx, const GemmProblem& p) {
  if (p.M <= 0 || p.N <= 0 || p.K <= 0) ctx.fail("internal error: empty GEMM {}x{}x{}", p.M, p.N, p.K);
  GemmEmitter(ctx, p).emit();
}

}  // namespace kiln::codegen
