// Kernels of the ops that generate tensors (ONNX opset 11+): Range,
// ConstantOfShape, Size, EyeLike. Their output shapes are static here; the
// contents come from scalars (Range reads start and delta at run time) or
// attributes.
//   Range            out[i] = start + i * delta
//   ConstantOfShape  every element = the `value` attribute (default f32 0)
//   Size             the input's element count as an int64 scalar
//   EyeLike          1 where column - row == k, else 0
#include <cstring>

#include "codegen/kernel_context.h"
#include "codegen/ops/indexing_helpers.h"
#include "codegen/ops/loop_helpers.h"

namespace kiln::codegen {

namespace {

// Fills the output with v (dtype t), over threads when it is large.
void fillOutput(KernelContext& ctx, DType t, llvm::Value* v) {
  int64_t count = ctx.outputType(0).numElements();
  if (count == 0) return;
  if (count > 1 && worthParallel(count * static_cast<int64_t>(dtypeSize(t)) / 8))
    ctx.parallelFor(count, [&](llvm::Value* i) { ctx.store(t, ctx.output(0), i, v); });
  else emitFill(ctx, t, ctx.output(0), count, v);
}

}  // namespace

void emitRange(KernelContext& ctx) {
  DType t = ctx.outputDType(0);
  int64_t count = ctx.outputType(0).numElements();
  for (size_t i = 0; i < 3; ++i)
    if (ctx.inputDType(i) != t || ctx.inputType(i).numElements() != 1)
      ctx.fail("input {} must be a scalar of the output's dtype", i);
  if (count == 0) return;
  llvm::IRBuilder<>& b = ctx.b;
  llvm::Value* start = ctx.load(t, ctx.input(0), ctx.i64(0));
  llvm::Value* delta = ctx.load(t, ctx.input(2), ctx.i64(0));
  ctx.loop(0, count, [&](llvm::Value* i) {
    llvm::Value* v;
    if (isFloat(t)) {
      v = b.CreateFAdd(start, b.CreateFMul(ctx.convert(i, DType::I64, t), delta));
    } else {
      v = b.CreateAdd(start, b.CreateMul(ctx.convert(i, DType::I64, t), delta));
    }
    ctx.store(t, ctx.output(0), i, v);
  });
}

void emitConstantOfShape(KernelContext& ctx) {
  DType t = ctx.outputDType(0);
  DType bits = bitsType(ctx, t);
  uint64_t pattern = 0;  // the value's bytes (little-endian), 0 for the default f32 0
  if (ir::TensorDataPtr v = ctx.attrs().getTensor("value")) {
    if (v->dtype != t || v->bytes.size() != dtypeSize(t)) ctx.fail("value must be one {} element", dtypeName(t));
    std::memcpy(&pattern, v->bytes.data(), v->bytes.size());
  } else if (t != DType::F32) {
    ctx.fail("output must be f32 without a value attribute");
  }
  fillOutput(ctx, bits, llvm::ConstantInt::get(ctx.llvmType(bits), pattern));
}

void emitSize(KernelContext& ctx) {
  if (ctx.outputDType(0) != DType::I64 || ctx.outputType(0).numElements() != 1)
    ctx.fail("output must be an int64 scalar");
  ctx.store(DType::I64, ctx.output(0), ctx.i64(0), ctx.i64(ctx.inputType(0).numElements()));
}

void emitEyeLike(KernelContext& ctx) {
  std::vector<int64_t> shape = ctx.outputShape(0);
  if (shape.size() != 2) ctx.fail("output must have rank 2");
  int64_t rows = shape[0], cols = shape[1], k = ctx.attrs().getInt("k", 0);
  if (rows * cols == 0) return;
  DType t = ctx.outputDType(0);
  llvm::Value* zero = ctx.constant(t, 0);
  llvm::Value* one = ctx.constant(t, 1);
  llvm::IRBuilder<>& b = ctx.b;
  auto row = [&](llvm::Value* r) {
    llvm::Value* diagonal = b.CreateAdd(r, ctx.i64(k));
    llvm::Value* base = b.CreateNSWMul(r, ctx.i64(cols));
    ctx.loop(0, cols, [&](llvm::Value* c) {
      ctx.store(t, ctx.output(0), b.CreateNSWAdd(base, c), b.CreateSelect(b.CreateICmpEQ(c, diagonal), one, zero));
    });
  };
  if (rows > 1 && worthParallel(rows * cols)) ctx.parallelFor(rows, row);
  else ctx.loop(0, rows, row);
}

}  // namespace kiln::codegen
