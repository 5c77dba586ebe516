// Pass `fuse-hardswish`: the HardSigmoid and HardSwish forms exporters write
// out as Add/Clip/Div/Mul chains (PaddlePaddle, PyTorch's hardswish before
// opset 14) become the one ONNX op:
//
//   Clip(x + 3, 0, 6) / 6, Clip(x + 3, 0, 6) * (1/6)      -> HardSigmoid(x) alpha 1/6, beta 0.5
//   Clip(x * a + b, 0, 1), Clip(x / c + b, 0, 1)          -> HardSigmoid(x) alpha a (1/c), beta b
//   x * HardSigmoid(x) with alpha 1/6, beta 0.5           -> HardSwish(x)
//   x * Clip(x + 3, 0, 6) / 6 (or * (1/6)), in either association:
//     (x * Clip(..)) / 6, x * (Clip(..) / 6), (x / 6) * Clip(..)  -> HardSwish(x)
//
// Add and Mul match with their operands in either order. It must not rewrite
// when a constant differs (Clip(x + 3, 0, 5)), when an intermediate value has
// another reader (it would still be computed, and the fused op would not
// save anything), or when broadcasting a constant changes the result's shape.
#pragma once

#include "ir/graph.h"

namespace kiln::passes {

void fuseHardSwish(ir::Graph& graph);

}  // namespace kiln::passes
