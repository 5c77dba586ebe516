#include "codegen/ops/gemm_tiling.h"

#include <algorithm>
#include <cstdint>

namespace kiln::codegen {

namespace {
int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }
int64_t roundUp(int64_t a, int64_t b) { return ceilDiv(a, b) * b; }

// Enough tasks that a 16-thread pool has work for every thread on a large
// problem, without cutting small problems into slivers.
constexpr int64_t kTargetTasks = 16;
constexpr int64_t kMinTaskFlops = 1 << 20;
}  // namespace

GemmTiling chooseGemmTiling(const Target& target, int64_t batches, int64_t M, int64_t N, int64_t K,
                            bool bConstant) {
  GemmTiling t;
  t.lanes = std::max<int64_t>(target.floatLanes(), 4);
  t.nv = 2;
  t.nr = t.nv * t.lanes;
  t.mr = std::min<int64_t>(14, (target.vectorRegisters - t.nv - 1) / t.nv);
  // A problem with few rows gains nothing from a tall microkernel. Otherwise
  // pick, among MRs near the largest, the one with the least cost per row
  // panel: MR broadcast rows plus a fixed cost of ~3 for the B loads and loop.
  if (M < t.mr) {
    t.mr = M;
  } else {
    int64_t best = t.mr, bestCost = INT64_MAX;
    for (int64_t mr = t.mr; mr * 5 >= t.mr * 4; --mr) {
      int64_t cost = ceilDiv(M, mr) * (mr + 3);
      if (cost < bestCost) best = mr, bestCost = cost;
    }
    t.mr = best;
  }

  // K blocks of near-equal size; a small-M product with packed constant B
  // streams B once with a single block.
  int64_t kcMax = (bConstant && M <= t.mr) ? K : 256;
  t.kBlocks = ceilDiv(K, kcMax);
  t.kc = ceilDiv(K, t.kBlocks);

  int64_t work = 2 * batches * M * N * K;
  int64_t maxTasks = std::max<int64_t>(1, std::min<int64_t>(kTargetTasks, work / kMinTaskFlops));
  t.taskCols = std::min(roundUp(N, t.nr), roundUp(256, t.nr));
  t.colTasks = ceilDiv(N, t.taskCols);
  // Too few tasks for the threads: cut columns finer, then rows.
  while (batches * t.colTasks < maxTasks && t.taskCols > t.nr * 2) {
    t.taskCols = roundUp(t.taskCols / 2, t.nr);
    t.colTasks = ceilDiv(N, t.taskCols);
  }
  t.taskRows = roundUp(M, t.mr);
  t.rowTasks = 1;
  int64_t wantRows = ceilDiv(maxTasks, batches * t.colTasks);
  if (wantRows > 1) {
    t.taskRows = roundUp(ceilDiv(M, wantRows), t.mr);
    t.rowTasks = ceilDiv(M, t.taskRows);
  }
  // MC blocks of near-equal size within a task: a short last block would
  // reload each B panel for only a few row panels.
  int64_t mcMax = t.mr * std::max<int64_t>(1, 128 / t.mr);
  t.mc = roundUp(ceilDiv(t.taskRows, ceilDiv(t.taskRows, mcMax)), t.mr);
  return t;
}

}  // namespace kiln::codegen
