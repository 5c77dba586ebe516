#include "codegen/ops/conv_output.h"

namespace kiln::codegen {

ConvOutput::ConvOutput(KernelContext& ctx, DType dt)
    : ctx_(ctx), dt_(dt), epilogue_(ctx, static_cast<int>(ctx.outputShape(0).size()) - 2) {}

void ConvOutput::store(llvm::Value* vec, llvm::Value* index, llvm::Value* mask) {
  vec = epilogue_.apply(vec, index, mask);
  llvm::Align align(dtypeSize(dt_));
  if (!mask) {
    ctx_.b.CreateAlignedStore(vec, ctx_.elementPtr(dt_, ctx_.output(0), index), align);
    return;
  }
  // Masked-off lanes may lie past the end of the buffer: a plain GEP, not inbounds.
  llvm::Value* ptr = ctx_.b.CreateGEP(ctx_.llvmType(dt_), ctx_.output(0), index);
  ctx_.b.CreateMaskedStore(vec, ptr, align, mask);
}

}  // namespace kiln::codegen
