#include "codegen/lower.h"

#include <fmt/format.h>
#include <llvm/IR/IRBuilder.h>

#include "codegen/kernel_context.h"
#include "ir/epilogue.h"

namespace kiln::codegen {

namespace {

void emitOp(KernelContext& ctx) {
  switch (ctx.node.op) {
#define KILN_OP(Name, MinIn, MaxIn, MinOut, MaxOut, Family) \
  case ir::OpKind::Name: emit##Name(ctx); break;
#define KILN_HOST_OP(Name, MinIn, MaxIn, MinOut, MaxOut, Family) \
  case ir::OpKind::Name: fail("{} runs on the host, not as a compiled kernel", ctx.graph.describe(ctx.node));
#include "ir/ops.def"
#undef KILN_OP
#undef KILN_HOST_OP
  }
}

LoweredKernel lowerNode(const ir::Graph& g, size_t nodeIndex, llvm::Module& m, const Target& target,
                        const std::string& symbol, int inPlaceInput) {
  const ir::Node& node = g.nodes[nodeIndex];
  requireStaticShapes(g, node);
  llvm::LLVMContext& ctx = m.getContext();
  llvm::Type* ptrTy = llvm::PointerType::getUnqual(ctx);
  llvm::Type* i64Ty = llvm::Type::getInt64Ty(ctx);
  size_t numBuffers = node.inputs.size() + node.outputs.size();
  if (inPlaceInput >= 0 && (node.outputs.size() != 1 || !node.hasInput(static_cast<size_t>(inPlaceInput))))
    fail("internal error: {} cannot write input {} in place", g.describe(node), inPlaceInput);

  // body(ptr noalias a0, ..., ptr noalias aN, i64 begin, i64 end)
  std::vector<llvm::Type*> bodyParams(numBuffers, ptrTy);
  bodyParams.push_back(i64Ty);
  bodyParams.push_back(i64Ty);
  auto* bodyTy = llvm::FunctionType::get(llvm::Type::getVoidTy(ctx), bodyParams, false);
  auto* body = llvm::Function::Create(bodyTy, llvm::Function::InternalLinkage, symbol + ".body", m);
  body->addFnAttr(llvm::Attribute::AlwaysInline);
  body->addFnAttr(llvm::Attribute::NoUnwind);
  for (size_t i = 0; i < numBuffers; ++i) {
    // An output written in place is not accessed through its own parameter.
    if (inPlaceInput >= 0 && i == node.inputs.size()) continue;
    body->addParamAttr(static_cast<unsigned>(i), llvm::Attribute::NoAlias);
    body->addParamAttr(static_cast<unsigned>(i), llvm::Attribute::NoCapture);
  }

  llvm::IRBuilder<> b(llvm::BasicBlock::Create(ctx, "entry", body));
  std::vector<llvm::Value*> ins, outs;
  for (size_t i = 0; i < node.inputs.size(); ++i)
    ins.push_back(node.inputs[i] == ir::kNoValue ? nullptr : body->getArg(static_cast<unsigned>(i)));
  for (size_t i = 0; i < node.outputs.size(); ++i)
    outs.push_back(body->getArg(static_cast<unsigned>(i == 0 && inPlaceInput >= 0 ? static_cast<size_t>(inPlaceInput)
                                                                                 : node.inputs.size() + i)));
  KernelContext kc(b, m, g, node, target, ins, outs, body->getArg(static_cast<unsigned>(numBuffers)),
                   body->getArg(static_cast<unsigned>(numBuffers + 1)));
  emitOp(kc);
  if (node.attrs.has(ir::kEpilogueAttr) && !kc.epilogueTaken && g.type(node.outputs.at(0)).numElements() > 0)
    fail("internal error: {}: its kernel does not apply its fused epilogue", g.describe(node));
  b.CreateRetVoid();

  // entry(ptr args, i64 begin, i64 end): unpack args and call the body.
  auto* entryTy = llvm::FunctionType::get(llvm::Type::getVoidTy(ctx), {ptrTy, i64Ty, i64Ty}, false);
  auto* entry = llvm::Function::Create(entryTy, llvm::Function::ExternalLinkage, symbol, m);
  entry->addFnAttr(llvm::Attribute::NoUnwind);
  llvm::IRBuilder<> eb(llvm::BasicBlock::Create(ctx, "entry", entry));
  std::vector<llvm::Value*> callArgs;
  for (size_t i = 0; i < numBuffers; ++i) {
    llvm::Value* slot = eb.CreateConstInBoundsGEP1_64(ptrTy, entry->getArg(0), i);
    callArgs.push_back(eb.CreateLoad(ptrTy, slot));
  }
  callArgs.push_back(entry->getArg(1));
  callArgs.push_back(entry->getArg(2));
  eb.CreateCall(body, callArgs);
  eb.CreateRetVoid();
  return LoweredKernel{symbol, nodeIndex, kc.parallelExtent()};
}

}  // namespace

void requireStaticShapes(const ir::Graph& g, const ir::Node& n) {
  auto check = [&](ir::ValueId v) {
    if (v != ir::kNoValue && !g.type(v).isStatic())
      fail("{}: value '{}' has no static shape at compile time", g.describe(n), g.value(v).name);
  };
  for (ir::ValueId v : n.inputs) check(v);
  for (ir::ValueId v : n.outputs) check(v);
}

std::vector<LoweredKernel> lowerNodes(const ir::Graph& graph, const std::vector<size_t>& nodeIndices,
                                      llvm::Module& module, const Target& target,
                                      const std::string& symbolPrefix, const std::vector<int>& inPlaceInput) {
  std::vector<LoweredKernel> out;
  out.reserve(nodeIndices.size());
  for (size_t idx : nodeIndices) {
    std::string symbol =
        fmt::format("{}{}_{}", symbolPrefix, idx, ir::opName(graph.nodes.at(idx).op));
    out.push_back(lowerNode(graph, idx, module, target, symbol, inPlaceInput.empty() ? -1 : inPlaceInput.at(idx)));
  }
  return out;
}

}  // namespace kiln::codegen
