// Pieces shared by the kiln subcommands: loading a model into a JitModel,
// reading input tensors from files, parsing NAME=VALUE specs.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "codegen/jit_model.h"
#include "codegen/staged_model.h"
#include "runtime/tensor.h"

namespace kiln::cli {

// Options every compiling subcommand takes.
struct CompileFlags {
  int threads = 1;
  int optLevel = 3;
  std::optional<std::string> passes;  // --passes: replaces the -O level's graph pipeline
  bool timePasses = false;            // --time-passes: report to stderr
  bool noCache = false;               // --no-cache: neither read nor write the compile cache
  std::string cacheDir;               // --cache-dir (default: codegen::defaultCacheDir())
};

// The CompileOptions these flags ask for.
codegen::CompileOptions compileOptions(const CompileFlags& flags);

// Imports the ONNX model and wraps it for JIT compilation.
std::unique_ptr<codegen::JitModel> loadModel(const std::string& path, const CompileFlags& flags);
// Same, for models with host ops (control flow, sequences, strings, data-dependent shapes).
std::unique_ptr<codegen::StagedModel> loadStagedModel(const std::string& path, const CompileFlags& flags);

// Splits "NAME=VALUE" at the last '=' whose right side is a path/shape.
std::pair<std::string, std::string> splitSpec(const std::string& spec, const char* flag);

// Reads a .npy or ONNX TensorProto .pb file.
runtime::Tensor readTensorFile(const std::string& path);

// "1x3x640x640" -> {1,3,640,640}; throws kiln::Error on bad syntax.
std::vector<int64_t> parseShape(const std::string& text);

// A copy of t's bytes as a tensor of `dtype`, which must have t's element size
// (bf16 <-> the uint16 bit patterns NumPy files carry).
runtime::Tensor retype(const runtime::Tensor& t, DType dtype);

// Orders named tensors by the graph's inputs. `specs` are -i NAME=FILE values;
// a bare FILE is accepted when the model has exactly one input; a uint16 file
// feeds a bf16 input as bit patterns. Fails naming any unknown or missing input.
std::vector<runtime::Tensor> collectInputs(const ir::Graph& graph, const std::vector<std::string>& specs);
// Same for inputs of any kind: a sequence or optional input reads an ONNX
// SequenceProto/OptionalProto .pb file; string tensors read TensorProto .pb files.
std::vector<runtime::Value> collectValues(const ir::Graph& graph, const std::vector<std::string>& specs);

// Every input's shape: from --shape NAME=DIMS (checked against the declared
// rank and static dims) or the input's static dims. Fails naming an input
// whose dims are symbolic and not given, or that is not a numeric tensor.
std::vector<std::vector<int64_t>> inputShapes(const ir::Graph& graph, const std::vector<std::string>& shapeSpecs);

// Random inputs (seeded): shapes from --shape NAME=DIMS or the input's static
// dims. Fails naming an input whose dims are symbolic and not given.
std::vector<runtime::Tensor> randomInputs(const ir::Graph& graph,
                                          const std::vector<std::string>& shapeSpecs, uint64_t seed);

// Writes g as textual IR: to `out` with constants of more than inlineLimit
// elements in the side file OUT.bin, or, when `out` is empty, to stdout with
// those constants inline (`elideOnStdout`: printed as `elided` instead).
void writeGraphText(const ir::Graph& g, const std::string& out, int64_t inlineLimit, bool elideOnStdout);

// Characters outside [A-Za-z0-9_.-] become '_' (output file names).
std::string sanitizeName(const std::string& name);

}  // namespace kiln::cli
