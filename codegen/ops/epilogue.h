// The fused epilogue of a Conv, ConvTranspose, MatMul or Gemm kernel
// (ir/epilogue.h): the elementwise ops that passes/fuse_epilogue.h moved into
// the node, applied to output vectors while they are still in registers, right
// before the kernel stores them.
//
// A kernel builds one Epilogue from its KernelContext and, where it stores a
// vector of output 0, stores apply(vector, index, mask) instead. Operands the
// epilogue reads besides the output (the node's captures: residuals,
// per-channel scales) are loaded at the matching element with broadcasting:
// an operand constant along the lanes is one scalar load splat, one that runs
// along the lanes contiguously is one (masked) vector load, and anything else
// is a (masked) gather. Each op's semantics comes from elementwise_values.h.
#pragma once

#include <map>
#include <utility>
#include <vector>

#include "codegen/kernel_context.h"

namespace kiln::codegen {

class Epilogue {
 public:
  // Reads ctx.node's `epilogue` attribute (absent: empty()). The lanes of one
  // apply() lie within one run of the output's trailing `spanDims` dims (1: a
  // row of the innermost dim; a conv passes its spatial rank). Fails naming
  // the node when the epilogue does not fit the node.
  explicit Epilogue(KernelContext& ctx, int spanDims = 1);

  bool empty() const { return sub_ == nullptr; }

  // `vec` (a vector or a scalar of the output's dtype) holds the output
  // elements [outIndex, outIndex + lanes) by row-major linear index (i64).
  // `mask` (<lanes x i1>, or nullptr for all lanes) marks the valid lanes;
  // lane 0 and the valid lanes lie in one run of the trailing spanDims dims,
  // and only valid lanes' operands are read. Returns what to store instead.
  llvm::Value* apply(llvm::Value* vec, llvm::Value* outIndex, llvm::Value* mask);

 private:
  // How a captured operand's elements move along the lanes of one apply().
  enum class Along { Constant, Contiguous, Scattered };
  struct Operand {
    llvm::Value* base = nullptr;
    std::vector<int64_t> strides;  // per output dim, in elements; 0 = broadcast
    bool dense = false;            // same element order as the output
    Along along = Along::Constant;
  };

  // A captured subgraph value as read by one use: broadcast by numpy rules,
  // or (`channel`) a [C] vector along axis 1.
  using OperandKey = std::pair<ir::ValueId, bool>;
  void addOperand(const OperandKey& key, llvm::Value* base, const std::vector<int64_t>& shape, int spanDims);
  llvm::Value* load(const Operand& op, llvm::Value* outIndex, llvm::Value* mask, unsigned lanes);
  // Operand element index of output index `outIndex` (i64 or <lanes x i64>).
  llvm::Value* operandIndex(const Operand& op, llvm::Value* outIndex);
  llvm::Value* compute(const ir::Node& n, const std::vector<llvm::Value*>& args);

  KernelContext& ctx_;
  const ir::Graph* sub_ = nullptr;
  DType dt_ = DType::F32;
  std::vector<int64_t> outShape_, outStrides_;
  std::map<OperandKey, Operand> operands_;
};

// Applies `e` in place to output 0's row [rowStart, rowStart + len), which
// lies within one run of e's trailing span dims: full vectors, then one
// masked vector for the rest. For kernels whose stores are not vectors of the
// final values (they finish a row, then run this over it while it is in cache).
void applyEpilogueToRow(KernelContext& ctx, Epilogue& e, llvm::Value* rowStart, int64_t len);

}  // namespace kiln::codegen
