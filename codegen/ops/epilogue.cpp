// Emits fused epilogues (see epilogue.h).
#include "codegen/ops/epilogue.h"

#include <llvm/IR/DerivedTypes.h>

#include <algorithm>

#include "codegen/ops/elementwise_values.h"
#include "ir/epilogue.h"
#include "ir/shape_rules/activation_params.h"

namespace kiln::codegen {

using llvm::Value;

Epilogue::Epilogue(KernelContext& ctx, int spanDims) : ctx_(ctx) {
  ir::GraphPtr g = ctx.attrs().getGraph(ir::kEpilogueAttr);
  if (!g) return;
  ctx.epilogueTaken = true;
  ir::verifyEpilogue(ctx.graph, ctx.node);
  sub_ = g.get();  // owned by the node, which outlives the kernel's emission
  dt_ = ctx.outputDType(0);
  if (dt_ != DType::F32 && dt_ != DType::F64)
    ctx.fail("an epilogue needs a float32 or float64 output, not {}", dtypeName(dt_));
  outShape_ = ctx.outputShape(0);
  outStrides_ = stridesOf(outShape_);
  size_t rank = outShape_.size();

  auto expectOutputType = [&](ir::ValueId v, const char* what) {
    const ir::TensorType& t = sub_->type(v);
    if (t.dtype != dt_ || !t.isStatic() || t.staticShape() != outShape_)
      ctx.fail("epilogue {} '{}' does not have the output's type", what, sub_->value(v).name);
  };
  expectOutputType(sub_->inputs[0], "input");
  for (const ir::Node& n : sub_->nodes) expectOutputType(n.outputs.at(0), "value");

  // Each use of a capture: which outer input it is and how it broadcasts.
  size_t firstCapture = ctx.node.numFormalInputs();
  for (const ir::Node& n : sub_->nodes)
    for (size_t i = 0; i < n.inputs.size(); ++i) {
      ir::ValueId v = n.inputs[i];
      auto at = std::find(sub_->inputs.begin() + 1, sub_->inputs.end(), v);
      if (v == ir::kNoValue || at == sub_->inputs.end()) continue;
      size_t k = static_cast<size_t>(at - sub_->inputs.begin()) - 1;
      const ir::TensorType& t = ctx.inputType(firstCapture + k);
      if (!(t == sub_->type(v)) || t.dtype != dt_)
        ctx.fail("capture {} does not have the type of epilogue input '{}'", k, sub_->value(v).name);
      OperandKey key{v, ir::isChannelOperand(n.op, i)};
      std::vector<int64_t> shape = t.staticShape();
      if (key.second) {
        // [C] along axis 1: [1, C, 1, ...].
        if (rank < 2 || shape.size() != 1 || shape[0] != outShape_[1])
          ctx.fail("capture {} is not a vector of the output's {} channels", k, rank < 2 ? 0 : outShape_[1]);
        shape.resize(rank - 1, 1);
        shape.insert(shape.begin(), 1);
      }
      if (!operands_.count(key)) addOperand(key, ctx.input(firstCapture + k), shape, spanDims);
    }
}

void Epilogue::addOperand(const OperandKey& key, Value* base, const std::vector<int64_t>& shape,
                          int spanDims) {
  size_t rank = outShape_.size();
  size_t spanStart = rank - std::min<size_t>(rank, static_cast<size_t>(std::max(spanDims, 0)));
  const std::string& name = sub_->value(key.first).name;
  if (shape.size() > rank) ctx_.fail("epilogue operand '{}' has a higher rank than the output", name);
  // Right-align the operand's dims with the output's; 0 strides broadcast.
  std::vector<int64_t> padded(rank, 1);
  std::copy(shape.begin(), shape.end(), padded.begin() + static_cast<std::ptrdiff_t>(rank - shape.size()));
  Operand op;
  op.base = base;
  op.strides = stridesOf(padded);
  bool constant = true, contiguous = true;
  op.dense = true;
  for (size_t d = 0; d < rank; ++d) {
    if (padded[d] != outShape_[d] && padded[d] != 1)
      ctx_.fail("epilogue operand '{}' does not broadcast to the output", name);
    if (padded[d] == 1) op.strides[d] = 0;
    if (outShape_[d] == 1) continue;
    bool same = op.strides[d] == outStrides_[d];
    op.dense = op.dense && same;
    if (d < spanStart) continue;
    constant = constant && op.strides[d] == 0;
    contiguous = contiguous && same;
  }
  op.along = constant ? Along::Constant : contiguous ? Along::Contiguous : Along::Scattered;
  operands_.emplace(key, std::move(op));
}

Value* Epilogue::operandIndex(const Operand& op, Value* outIndex) {
  if (op.dense) return outIndex;
  llvm::IRBuilder<>& b = ctx_.b;
  auto c = [&](int64_t v) { return llvm::ConstantInt::get(outIndex->getType(), static_cast<uint64_t>(v)); };
  Value* acc = c(0);
  for (size_t d = 0; d < outShape_.size(); ++d) {
    if (op.strides[d] == 0 || outShape_[d] == 1) continue;
    Value* coord = outStrides_[d] == 1 ? outIndex : b.CreateUDiv(outIndex, c(outStrides_[d]));
    if (d > 0) coord = b.CreateURem(coord, c(outShape_[d]));
    acc = b.CreateAdd(acc, b.CreateMul(coord, c(op.strides[d])));
  }
  return acc;
}

Value* Epilogue::load(const Operand& op, Value* outIndex, Value* mask, unsigned lanes) {
  llvm::IRBuilder<>& b = ctx_.b;
  llvm::Type* elem = ctx_.llvmType(dt_);
  llvm::Align align(dtypeSize(dt_));
  if (op.along == Along::Constant || lanes == 1) {
    // One element for all lanes. Lane 0 may be masked off past the end of
    // the output: clamp it so the load stays inside the operand.
    Value* at = outIndex;
    if (mask) {
      int64_t last = std::max<int64_t>(ctx_.outputType(0).numElements() - 1, 0);
      at = b.CreateIntrinsic(llvm::Intrinsic::umin, {at->getType()}, {at, ctx_.i64(last)});
    }
    Value* x = b.CreateLoad(elem, b.CreateGEP(elem, op.base, operandIndex(op, at)));
    return lanes == 1 ? x : b.CreateVectorSplat(lanes, x);
  }
  auto* vecTy = llvm::FixedVectorType::get(elem, lanes);
  if (op.along == Along::Contiguous) {
    // Masked-off lanes may lie outside the operand; only their address is formed.
    Value* ptr = b.CreateGEP(elem, op.base, operandIndex(op, outIndex));
    if (!mask) return b.CreateAlignedLoad(vecTy, ptr, align);
    return b.CreateMaskedLoad(vecTy, ptr, align, mask, llvm::Constant::getNullValue(vecTy));
  }
  std::vector<llvm::Constant*> steps;
  for (unsigned i = 0; i < lanes; ++i) steps.push_back(b.getInt64(i));
  Value* laneIndex = b.CreateAdd(b.CreateVectorSplat(lanes, outIndex), llvm::ConstantVector::get(steps));
  Value* ptrs = b.CreateGEP(elem, op.base, operandIndex(op, laneIndex));
  Value* on = mask ? mask : llvm::Constant::getAllOnesValue(llvm::FixedVectorType::get(b.getInt1Ty(), lanes));
  return b.CreateMaskedGather(vecTy, ptrs, align, on, llvm::Constant::getNullValue(vecTy));
}

Value* Epilogue::compute(const ir::Node& n, const std::vector<Value*>& a) {
  namespace ew = elementwise;
  KernelContext& c = ctx_;
  DType t = dt_;
  auto arg = [&](size_t i) { return i < a.size() ? a[i] : nullptr; };
  switch (n.op) {
    case ir::OpKind::Relu: return ew::relu(c, a[0], t);
    case ir::OpKind::LeakyRelu: return ew::leakyRelu(c, a[0], n.attrs);
    case ir::OpKind::Sigmoid: return ew::sigmoid(c, a[0]);
    case ir::OpKind::HardSigmoid: return ew::hardSigmoid(c, a[0], n.attrs, t);
    case ir::OpKind::HardSwish: return ew::hardSwish(c, a[0], t);
    case ir::OpKind::Gelu: return ew::gelu(c, a[0], ir::geluApproximation(ctx_, n.attrs));
    case ir::OpKind::Swish: return ew::swish(c, a[0], n.attrs);
    case ir::OpKind::Clip: return ew::clamp(c, a[0], arg(1), arg(2), t);
    case ir::OpKind::Tanh: return ew::tanh(c, a[0]);
    case ir::OpKind::Erf: return ew::erf(c, a[0]);
    case ir::OpKind::Exp: return ew::exp(c, a[0]);
    case ir::OpKind::Sqrt: return ew::sqrt(c, a[0]);
    case ir::OpKind::Reciprocal: return ew::reciprocal(c, a[0]);
    case ir::OpKind::Neg: return ew::neg(c, a[0], t);
    case ir::OpKind::Abs: return ew::abs(c, a[0], t);
    case ir::OpKind::Add: return ew::add(c, a[0], a[1], t);
    case ir::OpKind::Sub: return ew::sub(c, a[0], a[1], t);
    case ir::OpKind::Mul: return ew::mul(c, a[0], a[1], t);
    case ir::OpKind::Div: return ew::div(c, a[0], a[1], t);
    case ir::OpKind::PRelu: return ew::prelu(c, a[0], a[1], t);
    case ir::OpKind::BatchNormalization:
      return ew::scaleShift(c, a[0], ew::batchNormScaleShift(c, a[1], a[2], a[3], a[4], n.attrs));
    case ir::OpKind::Max:
    case ir::OpKind::Min: {
      Value* acc = a[0];
      for (size_t i = 1; i < a.size(); ++i) acc = ew::extremum(c, acc, a[i], t, n.op == ir::OpKind::Max);
      return acc;
    }
    default: break;
  }
  ctx_.fail("internal error: epilogue op {} has no kernel form", ir::opName(n.op));
}

Value* Epilogue::apply(Value* vec, Value* outIndex, Value* mask) {
  if (empty()) return vec;
  auto* vecTy = llvm::dyn_cast<llvm::FixedVectorType>(vec->getType());
  unsigned lanes = vecTy ? vecTy->getNumElements() : 1;
  std::vector<Value*> env(sub_->values.size(), nullptr);  // computed values
  std::map<OperandKey, Value*> loaded;
  env[static_cast<size_t>(sub_->inputs[0])] = vec;
  auto value = [&](ir::ValueId v, bool channel) -> Value* {
    if (v == ir::kNoValue) return nullptr;
    if (Value* x = env[static_cast<size_t>(v)]) return x;
    const ir::Value& sv = sub_->value(v);
    if (sv.isConstant()) return llvm::ConstantFP::get(vec->getType(), sv.constant->floatAt(0));
    auto op = operands_.find({v, channel});
    if (op == operands_.end())
      ctx_.fail("internal error: epilogue value '{}' is read before it is computed", sv.name);
    Value*& slot = loaded[op->first];
    if (!slot) slot = load(op->second, outIndex, mask, lanes);
    return slot;
  };
  for (const ir::Node& n : sub_->nodes) {
    std::vector<Value*> args;
    for (size_t i = 0; i < n.inputs.size(); ++i) {
      args.push_back(value(n.inputs[i], ir::isChannelOperand(n.op, i)));
      if (!args.back() && !(n.op == ir::OpKind::Clip && i > 0))
        ctx_.fail("epilogue {} lacks input {}", sub_->describe(n), i);
    }
    env[static_cast<size_t>(n.outputs.at(0))] = compute(n, args);
  }
  return value(sub_->outputs.at(0), false);
}

void applyEpilogueToRow(KernelContext& ctx, Epilogue& e, Value* rowStart, int64_t len) {
  if (e.empty() || len <= 0) return;
  llvm::IRBuilder<>& b = ctx.b;
  DType dt = ctx.outputDType(0);
  llvm::Type* elem = ctx.llvmType(dt);
  llvm::Align align(dtypeSize(dt));
  int64_t lanes = std::max<int64_t>(ctx.target.vectorBits / 8 / static_cast<int64_t>(dtypeSize(dt)), 1);
  auto* vecTy = llvm::FixedVectorType::get(elem, static_cast<unsigned>(lanes));
  int64_t full = len / lanes, rest = len % lanes;
  if (full > 0)
    ctx.loop(0, full, [&](Value* i) {
      Value* at = b.CreateAdd(rowStart, b.CreateMul(i, ctx.i64(lanes), "", true, true), "", true, true);
      Value* ptr = ctx.elementPtr(dt, ctx.output(0), at);
      b.CreateAlignedStore(e.apply(b.CreateAlignedLoad(vecTy, ptr, align), at, nullptr), ptr, align);
    });
  if (rest == 0) return;
  std::vector<llvm::Constant*> bits;
  for (int64_t i = 0; i < lanes; ++i) bits.push_back(b.getInt1(i < rest));
  Value* mask = llvm::ConstantVector::get(bits);
  Value* at = b.CreateAdd(rowStart, ctx.i64(full * lanes), "", true, true);
  Value* ptr = b.CreateGEP(elem, ctx.output(0), at);
  Value* v = b.CreateMaskedLoad(vecTy, ptr, align, mask, llvm::Constant::getNullValue(vecTy));
  b.CreateMaskedStore(e.apply(v, at, mask), ptr, align, mask);
}

}  // namespace kiln::codegen
