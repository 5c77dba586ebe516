#include "passes/fuse_pool_conv.h"

#include <algorithm>

#include "ir/epilogue.h"
#include "ir/pool_input.h"

namespace kiln::passes {

namespace {

bool isFloat4d(const ir::TensorType& t) { return t.dtype == DType::F32 && t.rankKnown && t.shape.size() == 4; }

bool zeroPads(const ir::Node& conv) {
  std::vector<int64_t> pads = conv.attrs.getInts("pads");
  std::string autoPad = conv.attrs.getString("auto_pad", "NOTSET");
  return std::all_of(pads.begin(), pads.end(), [](int64_t p) { return p == 0; }) &&
         (autoPad == "NOTSET" || autoPad == "VALID");
}

bool fusibleConv(const ir::Graph& g, const ir::Node& conv, ir::ValueId pooled) {
  if (conv.op != ir::OpKind::Conv || conv.inputs.empty() || conv.inputs[0] != pooled || conv.numCaptures != 0 ||
      conv.attrs.has(ir::kEpilogueAttr) || ir::poolsInput(conv) || conv.attrs.getInt("group", 1) != 1 ||
      !zeroPads(conv))
    return false;
  const ir::Value& w = g.value(conv.inputs[1]);
  if (!w.isConstant() || w.type.dtype != DType::F32 || !w.type.isStatic()) return false;
  std::vector<int64_t> ws = w.type.staticShape();
  if (ws.size() != 4 || ws[2] != 1 || ws[3] != 1) return false;
  return !conv.hasInput(2) || g.value(conv.inputs[2]).isConstant();
}

}  // namespace

void fusePoolConv(ir::Graph& g) {
  std::vector<int> uses = g.useCounts();
  std::vector<int> producer = g.producers();
  std::vector<bool> isOutput(g.values.size(), false);
  for (ir::ValueId v : g.outputs) isOutput[v] = true;
  bool changed = false;
  for (ir::Node& conv : g.nodes) {
    if (conv.op != ir::OpKind::Conv || conv.inputs.empty() || conv.inputs[0] == ir::kNoValue) continue;
    ir::ValueId pooled = conv.inputs[0];
    int p = producer[pooled];
    if (p < 0 || uses[pooled] != 1 || isOutput[pooled]) continue;
    ir::Node& pool = g.nodes[static_cast<size_t>(p)];
    if (pool.op != ir::OpKind::GlobalAveragePool || !isFloat4d(g.type(pool.inputs[0]))) continue;
    if (!fusibleConv(g, conv, pooled)) continue;
    conv.inputs[0] = pool.inputs[0];
    conv.attrs.set(ir::kPoolInputAttr, int64_t{1});
    changed = true;
  }
  // The pools now have no readers.
  if (changed) g.removeDeadCode();
}

}  // namespace kiln::passes
