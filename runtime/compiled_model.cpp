#include "runtime/compiled_model.h"

#include "runtime/run_context.h"

namespace kiln::runtime {

std::vector<Tensor> CompiledModel::run(const std::vector<Tensor>& inputs, ThreadPool& pool) const {
  RunContext context(*this);
  std::vector<Tensor> outputs = context.makeOutputs();
  context.run(inputs, outputs, pool);
  return outputs;
}

std::vector<Tensor> CompiledModel::runProfiled(const std::vector<Tensor>& inputs, ThreadPool& pool,
                                               std::vector<double>& kernelNs) const {
  RunContext context(*this);
  std::vector<Tensor> outputs = context.makeOutputs();
  context.runProfiled(inputs, outputs, pool, kernelNs);
  return outputs;
}

}  // namespace kiln::runtime
