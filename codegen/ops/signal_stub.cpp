#include "codegen/kernel_context.h"
namespace kiln::codegen {
void emitDFT(KernelContext& ctx) { ctx.fail("unsupported: TODO"); }
void emitSTFT(KernelContext& ctx) { ctx.fail("unsupported: TODO"); }
void emitHannWindow(KernelContext& ctx) { ctx.fail("unsupported: TODO"); }
void emitHammingWindow(KernelContext& ctx) { ctx.fail("unsupported: TODO"); }
void emitBlackmanWindow(KernelContext& ctx) { ctx.fail("unsupported: TODO"); }
void emitMelWeightMatrix(KernelContext& ctx) { ctx.fail("unsupported: TODO"); }
}  // namespace kiln::codegen
