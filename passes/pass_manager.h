// Runs a pipeline of passes over a graph, with the instrumentation of LLVM's
// pass managers: IR printed after every pass or after named ones
// (--print-ir-after-all, --print-ir-after=NAME), wall time per pass
// (--time-passes), and the IR verifier (ir/verifier.h) after each pass.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "passes/pass.h"

namespace kiln::passes {

struct PassInstrumentation {
  bool printIrAfterAll = false;
  std::vector<std::string> printIrAfter;  // pass names
  bool timePasses = false;
  // Verify after every pass. On in debug builds; `kiln opt --verify-each`
  // turns it on in release builds.
#ifdef NDEBUG
  bool verifyEach = false;
#else
  bool verifyEach = true;
#endif
  // The graph's inputs may carry bound contents (ir::verifyGraph's allowBoundInputs).
  bool boundInputs = false;
  // Where IR dumps and the timing report go (null: std::cerr). Dumps print
  // constants of more than 16 elements as `elided`.
  std::ostream* out = nullptr;
};

struct PassRecord {
  std::string name;
  double ms = 0;
  size_t nodesBefore = 0, nodesAfter = 0;
};

// Runs `pipeline` in order. A pass that throws, or leaves a graph the
// verifier rejects, stops the pipeline with a kiln::Error that names the
// pass. Returns one record per pass run; with timePasses the report (one line
// per pass, then the total) is also written to `out`.
std::vector<PassRecord> runPipeline(ir::Graph& graph, const std::vector<const PassInfo*>& pipeline,
                                    PassContext& context, const PassInstrumentation& instrumentation = {});

}  // namespace kiln::passes
