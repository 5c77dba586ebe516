// The one place where conv-family kernels (Conv, ConvTranspose) write their
// output: every output vector goes through ConvOutput::store. An epilogue fused
// into the conv (bias, activation, residual add) is applied there, on the
// vector still in registers.
#pragma once

#include "codegen/kernel_context.h"
#include "codegen/ops/epilogue.h"

namespace kiln::codegen {

class ConvOutput {
 public:
  // Writes output 0 of the node, of element type dt.
  ConvOutput(KernelContext& ctx, DType dt);

  // `vec` holds output-0 elements [index, index + lanes) in row-major linear
  // order; the lanes never cross the innermost output dimension. `mask`
  // (<lanes x i1>, or nullptr for all lanes) selects the lanes written.
  // The node's epilogue, if any, is applied first.
  void store(llvm::Value* vec, llvm::Value* index, llvm::Value* mask);

 private:
  KernelContext& ctx_;
  DType dt_;
  Epilogue epilogue_;  // lanes stay within one (n, channel) plane
};

}  // namespace kiln::codegen
