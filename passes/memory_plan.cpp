#include "passes/memory_plan.h"

#include <algorithm>
#include <map>

namespace kiln::passes {

namespace {
int64_t alignUp(int64_t v, int64_t a) { return (v + a - 1) / a * a; }

// Free blocks of the arena, kept sorted and coalesced; best-fit allocation.
class FreeList {
 public:
  int64_t allocate(int64_t size, int64_t& arenaEnd) {
    auto best = blocks_.end();
    for (auto it = blocks_.begin(); it != blocks_.end(); ++it)
      if (it->second >= size && (best == blocks_.end() || it->second < best->second)) best = it;
    if (best == blocks_.end()) {
      // Grow the arena, absorbing a free block that ends at the current end.
      int64_t offset = arenaEnd;
      if (!blocks_.empty()) {
        auto last = std::prev(blocks_.end());
        if (last->first + last->second == arenaEnd) {
          offset = last->first;
          blocks_.erase(last);
        }
      }
      arenaEnd = offset + size;
      return offset;
    }
    int64_t offset = best->first, remaining = best->second - size;
    blocks_.erase(best);
    if (remaining > 0) blocks_[offset + size] = remaining;
    return offset;
  }

  void release(int64_t offset, int64_t size) {
    auto [it, inserted] = blocks_.emplace(offset, size);
    (void)inserted;
    auto next = std::next(it);
    if (next != blocks_.end() && it->first + it->second == next->first) {
      it->second += next->second;
      blocks_.erase(next);
    }
    if (it != blocks_.begin()) {
      auto prev = std::prev(it);
      if (prev->first + prev->second == it->first) {
        prev->second += it->second;
        blocks_.erase(it);
      }
    }
  }

 private:
  std::map<int64_t, int64_t> blocks_;  // offset -> size
};

// The planner's state. A buffer is named by the value that first occupied it
// (its owner); views and in-place outputs join their input's buffer.
class Planner {
 public:
  Planner(const ir::Graph& g, const MemoryPlanOptions& o) : g_(g), o_(o) {
    size_t nv = g.values.size();
    plan_.offsets.assign(nv, -1);
    plan_.sharesBufferOf.assign(nv, ir::kNoValue);
    plan_.isView.assign(g.nodes.size(), false);
    plan_.inPlaceInput.assign(g.nodes.size(), -1);
    isGraphOutput_.assign(nv, false);
    for (ir::ValueId v : g.outputs) isGraphOutput_[idx(v)] = true;
    lastUse_.assign(nv, -1);
    for (size_t i = 0; i < g.nodes.size(); ++i)
      for (ir::ValueId v : g.nodes[i].inputs)
        if (v != ir::kNoValue) lastUse_[idx(v)] = static_cast<int64_t>(i);
    owner_.resize(nv);
    for (size_t v = 0; v < nv; ++v) owner_[v] = static_cast<ir::ValueId>(v);
    sizes_.assign(nv, 0);
    end_.assign(nv, -1);
    released_.assign(nv, false);
    dyingAfter_.resize(g.nodes.size());
  }

  MemoryPlan run() {
    for (size_t i = 0; i < g_.nodes.size(); ++i) {
      const ir::Node& n = g_.nodes[i];
      if (!tryView(i, n))
        for (size_t k = 0; k < n.outputs.size(); ++k) placeOutput(i, n, k);
      for (ir::ValueId b : dyingAfter_[i]) {
        // A buffer may be listed more than once; it dies at its latest end.
        if (released_[idx(b)] || end_[idx(b)] != static_cast<int64_t>(i)) continue;
        released_[idx(b)] = true;
        free_.release(plan_.offsets[idx(b)], sizes_[idx(b)]);
      }
    }
    return std::move(plan_);
  }

 private:
  static size_t idx(ir::ValueId v) { return static_cast<size_t>(v); }
  bool inArena(ir::ValueId buffer) const { return plan_.offsets[idx(buffer)] >= 0; }
  bool needsBuffer(ir::ValueId v) const {
    return v != ir::kNoValue && !isGraphOutput_[idx(v)] && !g_.value(v).isConstant();
  }
  // The node after which `v`, produced by node i, is dead.
  int64_t endOf(ir::ValueId v, size_t i) const { return std::max(lastUse_[idx(v)], static_cast<int64_t>(i)); }

  // Makes v live in `buffer` until at least endOf(v, i).
  void join(ir::ValueId v, ir::ValueId via, ir::ValueId buffer, size_t i) {
    owner_[idx(v)] = buffer;
    plan_.sharesBufferOf[idx(v)] = via;
    plan_.offsets[idx(v)] = plan_.offsets[idx(buffer)];
    if (!inArena(buffer)) return;
    end_[idx(buffer)] = std::max(end_[idx(buffer)], endOf(v, i));
    dyingAfter_[static_cast<size_t>(end_[idx(buffer)])].push_back(buffer);
  }

  bool tryView(size_t i, const ir::Node& n) {
    if (!o_.views || !isViewOp(n.op) || n.outputs.size() != 1 || !n.hasInput(0)) return false;
    ir::ValueId in = n.inputs[0], out = n.outputs[0];
    if (!needsBuffer(out) || g_.type(in).dtype != g_.type(out).dtype ||
        g_.type(in).numElements() != g_.type(out).numElements())
      return false;
    plan_.isView[i] = true;
    join(out, in, owner_[idx(in)], i);
    return true;
  }

  // The input of node i whose buffer its output 0 may take over, or -1.
  int inPlaceCandidate(size_t i, const ir::Node& n, ir::ValueId out) const {
    if (!o_.mayWriteInPlace || n.outputs.size() != 1) return -1;
    const ir::TensorType& ot = g_.type(out);
    int64_t bytes = alignUp(std::max<int64_t>(ot.numElements() * static_cast<int64_t>(dtypeSize(ot.dtype)), 1),
                            o_.alignment);
    for (size_t k = 0; k < n.inputs.size(); ++k) {
      if (!n.hasInput(k)) continue;
      ir::ValueId in = n.inputs[k], buffer = owner_[idx(in)];
      const ir::TensorType& it = g_.type(in);
      if (!inArena(buffer) || end_[idx(buffer)] != static_cast<int64_t>(i) || sizes_[idx(buffer)] != bytes ||
          it.staticShape() != ot.staticShape() || dtypeSize(it.dtype) != dtypeSize(ot.dtype))
        continue;
      // Every operand reading this buffer must walk it as the output does.
      bool sameWalk = true;
      for (ir::ValueId other : n.inputs)
        if (other != ir::kNoValue && owner_[idx(other)] == buffer && g_.type(other).staticShape() != ot.staticShape())
          sameWalk = false;
      if (sameWalk && o_.mayWriteInPlace(g_, n, k)) return static_cast<int>(k);
    }
    return -1;
  }

  void placeOutput(size_t i, const ir::Node& n, size_t k) {
    ir::ValueId v = n.outputs[k];
    if (!needsBuffer(v)) return;
    if (int in = k == 0 ? inPlaceCandidate(i, n, v) : -1; in >= 0) {
      plan_.inPlaceInput[i] = in;
      ir::ValueId via = n.inputs[static_cast<size_t>(in)];
      join(v, via, owner_[idx(via)], i);
      return;
    }
    const ir::TensorType& t = g_.type(v);
    sizes_[idx(v)] = alignUp(std::max<int64_t>(t.numElements() * static_cast<int64_t>(dtypeSize(t.dtype)), 1),
                             o_.alignment);
    plan_.offsets[idx(v)] = free_.allocate(sizes_[idx(v)], plan_.arenaBytes);
    // An output nobody reads dies right after its producer.
    end_[idx(v)] = endOf(v, i);
    dyingAfter_[static_cast<size_t>(end_[idx(v)])].push_back(v);
  }

  const ir::Graph& g_;
  const MemoryPlanOptions& o_;
  MemoryPlan plan_;
  FreeList free_;
  std::vector<bool> isGraphOutput_, released_;
  std::vector<int64_t> lastUse_;
  std::vector<ir::ValueId> owner_;  // per value: the buffer (owner value) it lives in
  std::vector<int64_t> sizes_;      // per owner: aligned bytes
  std::vector<int64_t> end_;        // per owner: the node after which the buffer is free
  std::vector<std::vector<ir::ValueId>> dyingAfter_;
};

}  // namespace

bool isViewOp(ir::OpKind op) {
  switch (op) {
    case ir::OpKind::Reshape:
    case ir::OpKind::Squeeze:
    case ir::OpKind::Unsqueeze:
    case ir::OpKind::Flatten:
    case ir::OpKind::Identity: return true;
    default: return false;
  }
}

MemoryPlan planMemory(const ir::Graph& g, const MemoryPlanOptions& options) {
  return Planner(g, options).run();
}

}  // namespace kiln::passes
