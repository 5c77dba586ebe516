#include "passes/pass_manager.h"

#include <algorithm>
#include <chrono>
#include <iostream>

#include <fmt/format.h>

#include "ir/error.h"
#include "ir/text.h"
#include "ir/verifier.h"

namespace kiln::passes {

namespace {

void dump(std::ostream& out, const ir::Graph& g, const std::string& banner) {
  ir::PrintOptions opts;
  opts.elideLargeConstants = true;
  out << "// -----// IR Dump After " << banner << " //----- //\n" << ir::printGraph(g, opts) << "\n";
}

void writeTimings(std::ostream& out, const std::vector<PassRecord>& records) {
  double total = 0;
  for (const PassRecord& r : records) total += r.ms;
  out << "===-------------------------------------------------------------------------===\n"
      << "                         ... Pass execution timing report ...\n"
      << "===-------------------------------------------------------------------------===\n"
      << fmt::format("  Total Execution Time: {:.3f} ms\n\n", total)
      << fmt::format("  {:>10}  {:>7}  {:>13}  {}\n", "Wall ms", "%", "nodes", "Name");
  for (const PassRecord& r : records)
    out << fmt::format("  {:>10.3f}  {:>6.1f}%  {:>6} ->{:>5}  {}\n", r.ms, total > 0 ? 100 * r.ms / total : 0.0,
                       r.nodesBefore, r.nodesAfter, r.name);
  out << fmt::format("  {:>10.3f}  {:>6.1f}%  {:>13}  Total\n", total, 100.0, "");
}

}  // namespace

std::vector<PassRecord> runPipeline(ir::Graph& graph, const std::vector<const PassInfo*>& pipeline,
                                    PassContext& context, const PassInstrumentation& instr) {
  std::ostream& out = instr.out ? *instr.out : std::cerr;
  std::vector<PassRecord> records;
  for (const PassInfo* pass : pipeline) {
    PassRecord r{pass->name, 0, graph.nodes.size(), 0};
    auto t0 = std::chrono::steady_clock::now();
    try {
      pass->run(graph, context);
    } catch (const Error& e) {
      fail("pass '{}': {}", pass->name, e.what());
    }
    r.ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    r.nodesAfter = graph.nodes.size();
    if (instr.verifyEach) {
      try {
        ir::verifyGraph(graph, instr.boundInputs);
      } catch (const Error& e) {
        fail("pass '{}' left invalid IR: {}", pass->name, e.what());
      }
    }
    bool named = std::find(instr.printIrAfter.begin(), instr.printIrAfter.end(), pass->name) !=
                 instr.printIrAfter.end();
    if (instr.printIrAfterAll || named) dump(out, graph, pass->name);
    records.push_back(std::move(r));
  }
  if (instr.timePasses) writeTimings(out, records);
  return records;
}

}  // namespace kiln::passes
