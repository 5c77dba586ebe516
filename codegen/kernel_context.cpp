#include "codegen/kernel_context.h"

#include <llvm/IR/Intrinsics.h>

namespace kiln::codegen {

using llvm::Value;

std::vector<int64_t> stridesOf(const std::vector<int64_t>& shape) {
  std::vector<int64_t> s(shape.size(), 1);
  for (size_t i = shape.size(); i-- > 1;) s[i - 1] = s[i] * shape[i];
  return s;
}

KernelContext::KernelContext(llvm::IRBuilder<>& builder, llvm::Module& m, const ir::Graph& g,
                             const ir::Node& n, const Target& t, std::vector<Value*> inputs,
                             std::vector<Value*> outputs, Value* begin, Value* end)
    : b(builder), module(m), graph(g), node(n), target(t), inputs_(std::move(inputs)),
      outputs_(std::move(outputs)), begin_(begin), end_(end) {}

Value* KernelContext::input(size_t i) const {
  if (!hasInput(i) || i >= inputs_.size() || !inputs_[i]) fail("input {} is required", i);
  return inputs_[i];
}

Value* KernelContext::output(size_t i) const {
  if (i >= outputs_.size()) fail("output {} does not exist", i);
  return outputs_[i];
}

const ir::TensorType& KernelContext::inputType(size_t i) const {
  if (!hasInput(i)) fail("input {} is required", i);
  return graph.type(node.inputs[i]);
}

const ir::TensorType& KernelContext::outputType(size_t i) const {
  if (i >= node.outputs.size()) fail("output {} does not exist", i);
  return graph.type(node.outputs[i]);
}

const ir::TensorData* KernelContext::inputConstant(size_t i) const {
  if (!hasInput(i)) return nullptr;
  return graph.value(node.inputs[i]).constant.get();
}

const ir::TensorData& KernelContext::requireConstant(size_t i, const char* what) const {
  if (!hasInput(i)) fail("{} (input {}) is required", what, i);
  const ir::TensorData* c = inputConstant(i);
  if (!c)
    throw ir::ValueRequired(graph.describe(node) + fmt::format(": {} (input {}) must be a constant", what, i),
                            node.inputs[i]);
  return *c;
}

llvm::Type* KernelContext::llvmType(DType t) const {
  switch (t) {
    case DType::F32: return b.getFloatTy();
    case DType::F64: return b.getDoubleTy();
    case DType::F16: return b.getHalfTy();
    case DType::BF16: return b.getBFloatTy();
    case DType::I8: case DType::U8: case DType::Bool: return b.getInt8Ty();
    case DType::I16: case DType::U16: return b.getInt16Ty();
    case DType::I32: case DType::U32: return b.getInt32Ty();
    case DType::I64: case DType::U64: return b.getInt64Ty();
    case DType::String: case DType::Undefined: break;
  }
  fail("dtype {} has no kernel representation", dtypeName(t));
}

Value* KernelContext::f32(float v) const { return llvm::ConstantFP::get(b.getFloatTy(), v); }

Value* KernelContext::constant(DType t, double v) const {
  llvm::Type* ty = llvmType(t);
  if (isFloat(t)) return llvm::ConstantFP::get(ty, v);
  if (t == DType::Bool) return llvm::ConstantInt::get(ty, v != 0 ? 1 : 0);
  if (isUnsignedInt(t)) return llvm::ConstantInt::get(ty, static_cast<uint64_t>(v));
  return llvm::ConstantInt::get(ty, static_cast<uint64_t>(static_cast<int64_t>(v)), true);
}

Value* KernelContext::elementPtr(DType t, Value* base, Value* index) const {
  return b.CreateInBoundsGEP(llvmType(t), base, index);
}

Value* KernelContext::load(DType t, Value* base, Value* index) const {
  return b.CreateLoad(llvmType(t), elementPtr(t, base, index));
}

void KernelContext::store(DType t, Value* base, Value* index, Value* v) const {
  b.CreateStore(v, elementPtr(t, base, index));
}

Value* KernelContext::convert(Value* v, DType from, DType to) const {
  if (from == to) return v;
  // bfloat16 goes through f32 with integer operations: LLVM would lower
  // fptrunc/fpext of bfloat to runtime-library calls the JIT cannot resolve.
  if (from == DType::BF16) {
    Value* bits = b.CreateZExt(b.CreateBitCast(v, b.getInt16Ty()), b.getInt32Ty());
    Value* f = b.CreateBitCast(b.CreateShl(bits, 16), b.getFloatTy());
    return convert(f, DType::F32, to);
  }
  if (to == DType::BF16) {
    // The upper half of the f32 (truncation, as the ONNX reference of the
    // backend test data does); NaNs keep a quiet bit so they stay NaN.
    Value* bits = b.CreateBitCast(convert(v, from, DType::F32), b.getInt32Ty());
    Value* isNaN = b.CreateICmpUGT(b.CreateAnd(bits, b.getInt32(0x7fffffff)), b.getInt32(0x7f800000));
    Value* high = b.CreateLShr(bits, 16);
    high = b.CreateSelect(isNaN, b.CreateOr(high, b.getInt32(0x40)), high);
    return b.CreateBitCast(b.CreateTrunc(high, b.getInt16Ty()), b.getBFloatTy());
  }
  llvm::Type* dst = llvmType(to);
  if (to == DType::Bool) {
    Value* nz = isFloat(from) ? b.CreateFCmpUNE(v, llvm::ConstantFP::get(v->getType(), 0.0))
                              : b.CreateICmpNE(v, llvm::ConstantInt::get(v->getType(), 0));
    return b.CreateZExt(nz, dst);
  }
  if (isFloat(from) && isFloat(to)) return b.CreateFPCast(v, dst);
  if (isFloat(from)) return isUnsignedInt(to) ? b.CreateFPToUI(v, dst) : b.CreateFPToSI(v, dst);
  bool srcSigned = isSignedInt(from);  // bool and unsigned widen with zeros
  if (isFloat(to)) return srcSigned ? b.CreateSIToFP(v, dst) : b.CreateUIToFP(v, dst);
  return b.CreateIntCast(v, dst, srcSigned);
}

Value* KernelContext::callIntrinsic(llvm::Intrinsic::ID id, llvm::ArrayRef<Value*> args) const {
  return b.CreateIntrinsic(id, {args[0]->getType()}, args);
}

Value* KernelContext::minF(Value* a, Value* c) const { return b.CreateMinNum(a, c); }
Value* KernelContext::maxF(Value* a, Value* c) const { return b.CreateMaxNum(a, c); }

void KernelContext::loop(Value* lo, Value* hi, int64_t step, const Body& body) {
  llvm::Function* fn = b.GetInsertBlock()->getParent();
  llvm::LLVMContext& ctx = b.getContext();
  llvm::BasicBlock* pre = b.GetInsertBlock();
  llvm::BasicBlock* header = llvm::BasicBlock::Create(ctx, "loop", fn);
  llvm::BasicBlock* bodyBB = llvm::BasicBlock::Create(ctx, "body", fn);
  llvm::BasicBlock* exit = llvm::BasicBlock::Create(ctx, "exit", fn);
  b.CreateBr(header);
  b.SetInsertPoint(header);
  llvm::PHINode* i = b.CreatePHI(b.getInt64Ty(), 2, "i");
  i->addIncoming(lo, pre);
  b.CreateCondBr(b.CreateICmpSLT(i, hi), bodyBB, exit);
  b.SetInsertPoint(bodyBB);
  body(i);
  Value* next = b.CreateAdd(i, i64(step), "", /*HasNUW=*/true, /*HasNSW=*/true);
  i->addIncoming(next, b.GetInsertBlock());
  b.CreateBr(header);
  b.SetInsertPoint(exit);
}

void KernelContext::loopNest(const std::vector<int64_t>& extents,
                             const std::function<void(const std::vector<Value*>&)>& body) {
  std::vector<Value*> idx;
  std::function<void(size_t)> rec = [&](size_t d) {
    if (d == extents.size()) {
      body(idx);
      return;
    }
    loop(0, extents[d], [&](Value* i) {
      idx.push_back(i);
      rec(d + 1);
      idx.pop_back();
    });
  };
  rec(0);
}

void KernelContext::parallelFor(int64_t extent, const Body& body) {
  if (parallelExtent_ != 1) fail("kernel emitter called parallelFor twice");
  parallelExtent_ = std::max<int64_t>(extent, 1);
  loop(begin_, end_, 1, body);
}

void KernelContext::ifThen(Value* cond, const std::function<void()>& then) {
  llvm::Function* fn = b.GetInsertBlock()->getParent();
  llvm::BasicBlock* thenBB = llvm::BasicBlock::Create(b.getContext(), "then", fn);
  llvm::BasicBlock* join = llvm::BasicBlock::Create(b.getContext(), "join", fn);
  b.CreateCondBr(cond, thenBB, join);
  b.SetInsertPoint(thenBB);
  then();
  b.CreateBr(join);
  b.SetInsertPoint(join);
}

size_t KernelContext::normalizeAxis(int64_t axis, int64_t rank) const {
  if (axis < -rank || axis >= rank) fail("axis {} out of range for rank {}", axis, rank);
  return static_cast<size_t>(axis < 0 ? axis + rank : axis);
}

Value* KernelContext::linearIndex(const std::vector<int64_t>& shape,
                                  const std::vector<Value*>& idx) const {
  std::vector<int64_t> strides = stridesOf(shape);
  Value* acc = i64(0);
  for (size_t d = 0; d < idx.size(); ++d) {
    if (shape[d] == 1) continue;  // index is 0 there
    acc = b.CreateAdd(acc, b.CreateMul(idx[d], i64(strides[d]), "", true, true), "", true, true);
  }
  return acc;
}

}  // namespace kiln::codegen
