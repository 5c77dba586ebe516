#include "passes/registry.h"

#include "passes/canonicalize.h"
#include "passes/cse.h"
#include "passes/fold_batchnorm.h"
#include "passes/fold_constants.h"
#include "passes/fuse_attention.h"
#include "passes/fuse_epilogue.h"
#include "passes/fuse_gelu.h"
#include "passes/fuse_hardswish.h"
#include "passes/fuse_layernorm.h"
#include "passes/fuse_pool_conv.h"
#include "passes/fuse_rmsnorm.h"
#include "passes/fuse_silu.h"

namespace kiln::passes {

namespace {
void runDce(ir::Graph& g, PassContext&) { g.removeDeadCode(); }
void runFuseEpilogue(ir::Graph& g, PassContext&) { fuseEpilogues(g); }
void runFuseElementwise(ir::Graph& g, PassContext&) { fuseElementwise(g); }
void runCanonicalize(ir::Graph& g, PassContext&) { canonicalize(g); }
void runCse(ir::Graph& g, PassContext&) { eliminateCommonSubexpressions(g); }
void runFoldBatchNorm(ir::Graph& g, PassContext&) { foldBatchNorm(g); }
void runFusePoolConv(ir::Graph& g, PassContext&) { fusePoolConv(g); }
void runFuseHardSwish(ir::Graph& g, PassContext&) { fuseHardSwish(g); }
void runFuseGelu(ir::Graph& g, PassContext&) { fuseGelu(g); }
void runFuseSilu(ir::Graph& g, PassContext&) { fuseSilu(g); }
void runFuseLayerNorm(ir::Graph& g, PassContext&) { fuseLayerNorm(g); }
void runFuseRmsNorm(ir::Graph& g, PassContext&) { fuseRmsNorm(g); }
void runFuseAttention(ir::Graph& g, PassContext&) { fuseAttention(g); }
}  // namespace

const std::vector<PassInfo>& allPasses() {
  static const std::vector<PassInfo> passes = {
      {"dce", "remove nodes whose outputs nothing reads, and unreferenced values", runDce},
      {"fuse-epilogue",
       "move elementwise chains after Conv/ConvTranspose/MatMul/Gemm into the producer's epilogue",
       runFuseEpilogue},
      {"fuse-elementwise", "fuse chains of elementwise ops into their first op (one kernel per chain)",
       runFuseElementwise},
      {"canonicalize",
       "algebraic identities (x+0, x*1, Identity, no-op Cast), Reshape/Squeeze/Unsqueeze and Transpose chains",
       runCanonicalize},
      {"fold-constants", "evaluate nodes whose inputs are all constant (and Shape/Size of static shapes)",
       foldConstants},
      {"cse", "merge nodes computing the same op of the same inputs, and equal constants", runCse},
      {"fold-batchnorm", "fold inference BatchNormalization into the weights of the Conv/Gemm before it",
       runFoldBatchNorm},
      {"fuse-pool-conv", "GlobalAveragePool + 1x1 Conv (squeeze-excitation's squeeze) -> one Conv {pool_input}",
       runFusePoolConv},
      {"fuse-hardswish", "Clip(x + 3, 0, 6) / 6 forms -> HardSigmoid; x * HardSigmoid(x) forms -> HardSwish",
       runFuseHardSwish},
      {"fuse-gelu", "0.5 * x * (1 + Erf(x / sqrt 2)) and the tanh form -> Gelu", runFuseGelu},
      {"fuse-silu", "x * Sigmoid(x) -> Swish", runFuseSilu},
      {"fuse-layernorm", "ReduceMean/Sub/Pow/ReduceMean/Add/Sqrt/Div[/Mul/Add] -> LayerNormalization",
       runFuseLayerNorm},
      {"fuse-rmsnorm", "x / Sqrt(ReduceMean(x * x) + eps) [* gamma] -> RMSNormalization", runFuseRmsNorm},
      {"fuse-attention", "MatMul(Q, K^T) [* scale] [+ mask] -> Softmax -> MatMul(P, V) -> Attention (opset 23)",
       runFuseAttention},
  };
  return passes;
}

const PassInfo* findPass(std::string_view name) {
  for (const PassInfo& p : allPasses())
    if (name == p.name) return &p;
  return nullptr;
}

}  // namespace kiln::passes
