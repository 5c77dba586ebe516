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
}  // namespace

MemoryPlan planMemory(const ir::Graph& g, int64_t alignment) {
  MemoryPlan plan;
  plan.offsets.assign(g.values.size(), -1);
  std::vector<bool> isGraphOutput(g.values.size(), false);
  for (ir::ValueId v : g.outputs) isGraphOutput[static_cast<size_t>(v)] = true;

  // Last node reading each value.
  std::vector<int64_t> lastUse(g.values.size(), -1);
  for (size_t i = 0; i < g.nodes.size(); ++i)
    for (ir::ValueId v : g.nodes[i].inputs)
      if (v != ir::kNoValue) lastUse[static_cast<size_t>(v)] = static_cast<int64_t>(i);

  std::vector<int64_t> sizes(g.values.size(), 0);
  std::vector<std::vector<ir::ValueId>> dyingAfter(g.nodes.size());
  FreeList free;
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    for (ir::ValueId v : g.nodes[i].outputs) {
      auto vi = static_cast<size_t>(v);
      if (isGraphOutput[vi] || g.value(v).isConstant()) continue;
      const ir::TensorType& t = g.type(v);
      sizes[vi] = alignUp(std::max<int64_t>(t.numElements() * static_cast<int64_t>(dtypeSize(t.dtype)), 1),
                          alignment);
      plan.offsets[vi] = free.allocate(sizes[vi], plan.arenaBytes);
      // An output nobody reads dies right after its producer.
      size_t dies = lastUse[vi] < 0 ? i : static_cast<size_t>(lastUse[vi]);
      dyingAfter[std::max(dies, i)].push_back(v);
    }
    for (ir::ValueId v : dyingAfter[i])
      free.release(plan.offsets[static_cast<size_t>(v)], sizes[static_cast<size_t>(v)]);
  }
  return plan;
}

}  // namespace kiln::passes
