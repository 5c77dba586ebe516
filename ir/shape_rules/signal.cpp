#include "ir/shape_rules.h"
namespace kiln::ir {
void inferShapesDFT(InferContext& ctx) { ctx.fail("unsupported: TODO"); }
void inferShapesSTFT(InferContext& ctx) { ctx.fail("unsupported: TODO"); }
void inferShapesHannWindow(InferContext& ctx) { ctx.fail("unsupported: TODO"); }
void inferShapesHammingWindow(InferContext& ctx) { ctx.fail("unsupported: TODO"); }
void inferShapesBlackmanWindow(InferContext& ctx) { ctx.fail("unsupported: TODO"); }
void inferShapesMelWeightMatrix(InferContext& ctx) { ctx.fail("unsupported: TODO"); }
}  // namespace kiln::ir
