// A summary of an ONNX model read straight from its ModelProto, without
// importing it: it works for models Kiln cannot compile and says why not.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "ir/graph.h"

namespace kiln::onnx {

struct IoSummary {
  std::string name;
  std::string dtype;      // "f32"; ONNX's name for types Kiln lacks ("complex64")
  ir::Shape dims;         // symbolic dims keep their names
  bool rankKnown = true;  // false when the model declares no shape
  bool isTensor = true;   // false for sequences, maps, optionals
};

struct ModelSummary {
  int64_t irVersion = 0;
  std::string producer;  // producer_name and producer_version
  std::string graphName;
  std::map<std::string, int64_t> opsetImports;  // domain ("" = ai.onnx) -> version
  std::vector<IoSummary> inputs;                // initializers excluded
  std::vector<IoSummary> outputs;
  // op type -> node count, subgraphs included; ops of other domains are
  // keyed "domain:op_type".
  std::map<std::string, int64_t> opHistogram;
  int64_t nodeCount = 0;
  int64_t initializerCount = 0;
  // Elements of all initializers and Constant node values.
  int64_t parameterCount = 0;
  // Sorted op types (histogram keys) Kiln cannot compile.
  std::vector<std::string> unsupportedOps;
};

ModelSummary inspectModel(const std::string& path);

}  // namespace kiln::onnx
