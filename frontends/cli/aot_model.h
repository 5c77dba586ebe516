// A model library built by `kiln compile` (codegen/aot_library.h), opened
// with dlopen and run through its generic kiln_aot_* entry points, so every
// `kiln run` can run AOT too (`kiln run --aot libNAME.so`).
#pragma once

#include <string>
#include <vector>

#include "ir/graph.h"
#include "runtime/model_plan.h"
#include "runtime/tensor.h"

namespace kiln::cli {

class AotModel {
 public:
  // Throws kiln::Error when the file is not a Kiln model library or its
  // create fails (e.g. a CPU without the features it was compiled for).
  AotModel(const std::string& path, int numThreads);
  ~AotModel();
  AotModel(const AotModel&) = delete;
  AotModel& operator=(const AotModel&) = delete;

  // The library's inputs and outputs as a graph interface (inputs and
  // outputs with static types, no nodes), for reading inputs and naming outputs.
  const ir::Graph& interface() const { return interface_; }
  // Runs on inputs in interface() order, checking dtypes and shapes.
  std::vector<runtime::Tensor> run(const std::vector<runtime::Tensor>& inputs);

 private:
  void* handle_ = nullptr;
  void* model_ = nullptr;
  int32_t (*run_)(void*, const void* const*, void* const*) = nullptr;
  void (*destroy_)(void*) = nullptr;
  const char* (*lastError_)() = nullptr;
  runtime::ModelPlan plan_;
  ir::Graph interface_;
  std::string path_;
};

}  // namespace kiln::cli
