#include "frontends/cli/cli_common.h"

#include <fmt/format.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>

#include "codegen/compile_cache.h"
#include "frontends/onnx/importer.h"
#include "frontends/onnx/tensor_proto.h"
#include "frontends/onnx/value_proto.h"
#include "ir/error.h"
#include "ir/float16.h"
#include "ir/text.h"
#include "passes/pipeline.h"
#include "runtime/npy.h"

namespace kiln::cli {

codegen::CompileOptions compileOptions(const CompileFlags& flags) {
  if (flags.optLevel < 0 || flags.optLevel > 3) fail("optimization level must be 0..3");
  codegen::CompileOptions options;
  options.optLevel = flags.optLevel;
  if (flags.passes) {
    passes::parsePipeline(*flags.passes);  // an unknown pass fails before the model loads
    options.passes = flags.passes;
  }
  options.instrumentation.timePasses = flags.timePasses;
  if (!flags.noCache) options.cacheDir = flags.cacheDir.empty() ? codegen::defaultCacheDir() : flags.cacheDir;
  return options;
}

std::unique_ptr<codegen::JitModel> loadModel(const std::string& path, const CompileFlags& flags) {
  codegen::CompileOptions options = compileOptions(flags);
  return std::make_unique<codegen::JitModel>(onnx::importModel(path), options);
}

std::unique_ptr<codegen::StagedModel> loadStagedModel(const std::string& path, const CompileFlags& flags) {
  codegen::CompileOptions options = compileOptions(flags);
  return std::make_unique<codegen::StagedModel>(onnx::importModel(path), options);
}

void writeGraphText(const ir::Graph& g, const std::string& out, int64_t inlineLimit, bool elideOnStdout) {
  ir::PrintOptions opts;
  opts.inlineElementLimit = inlineLimit;
  if (out.empty()) {
    if (elideOnStdout) opts.elideLargeConstants = true;
    else opts.inlineElementLimit = INT64_MAX;
    fmt::print("{}", ir::printGraph(g, opts));
    return;
  }
  opts.sidePath = out + ".bin";
  opts.sideNameInText = std::filesystem::path(opts.sidePath).filename().string();
  std::string text = ir::printGraph(g, opts);
  std::ofstream f(out, std::ios::binary);
  if (!f || !(f << text) || !f.flush()) fail("cannot write '{}'", out);
}

std::pair<std::string, std::string> splitSpec(const std::string& spec, const char* flag) {
  size_t eq = spec.rfind('=');
  if (eq == std::string::npos) return {"", spec};
  if (eq == 0 || eq + 1 == spec.size()) fail("{} expects NAME=VALUE, got '{}'", flag, spec);
  return {spec.substr(0, eq), spec.substr(eq + 1)};
}

runtime::Tensor readTensorFile(const std::string& path) {
  auto endsWith = [&](const char* s) {
    size_t n = std::strlen(s);
    return path.size() >= n && path.compare(path.size() - n, n, s) == 0;
  };
  if (endsWith(".npy")) return runtime::readNpy(path);
  if (endsWith(".pb")) return onnx::readTensorProtoFile(path);
  fail("input file '{}' must be .npy or .pb", path);
}

std::vector<int64_t> parseShape(const std::string& text) {
  std::vector<int64_t> dims;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t x = text.find('x', pos);
    std::string part = text.substr(pos, x == std::string::npos ? std::string::npos : x - pos);
    if (part.empty() || part.find_first_not_of("0123456789") != std::string::npos || part.size() > 12)
      fail("bad shape '{}': expected dims like 1x3x640x640", text);
    dims.push_back(std::stoll(part));
    if (x == std::string::npos) break;
    pos = x + 1;
  }
  return dims;
}

namespace {
size_t inputIndex(const ir::Graph& g, const std::string& name) {
  for (size_t i = 0; i < g.inputs.size(); ++i)
    if (g.value(g.inputs[i]).name == name) return i;
  std::string names;
  for (ir::ValueId v : g.inputs) names += (names.empty() ? "" : ", ") + g.value(v).name;
  fail("model has no input '{}' (inputs: {})", name, names);
}
}  // namespace

runtime::Tensor retype(const runtime::Tensor& t, DType dtype) {
  if (dtypeSize(dtype) != dtypeSize(t.dtype()))
    fail("cannot reinterpret {} as {}", dtypeName(t.dtype()), dtypeName(dtype));
  runtime::Tensor out(dtype, t.shape());
  if (t.byteSize() != 0) std::memcpy(out.data(), t.data(), t.byteSize());
  return out;
}

std::vector<runtime::Tensor> collectInputs(const ir::Graph& g, const std::vector<std::string>& specs) {
  std::vector<runtime::Tensor> inputs;
  for (const runtime::Value& v : collectValues(g, specs)) inputs.push_back(v.tensor("input"));
  return inputs;
}

std::vector<runtime::Value> collectValues(const ir::Graph& g, const std::vector<std::string>& specs) {
  std::vector<runtime::Value> inputs(g.inputs.size());
  std::vector<bool> given(g.inputs.size(), false);
  for (const std::string& spec : specs) {
    auto [name, file] = splitSpec(spec, "-i");
    size_t idx;
    if (name.empty()) {
      if (g.inputs.size() != 1) fail("-i {}: name the input (NAME=FILE); the model has {} inputs", spec, g.inputs.size());
      idx = 0;
    } else {
      idx = inputIndex(g, name);
    }
    if (given[idx]) fail("input '{}' given twice", g.value(g.inputs[idx]).name);
    const ir::Value& decl = g.value(g.inputs[idx]);
    given[idx] = true;
    if (!decl.isTensor() || decl.type.dtype == DType::String) {
      inputs[idx] = onnx::readValueProtoFile(file, decl);
      continue;
    }
    runtime::Tensor t = readTensorFile(file);
    // NumPy has no bfloat16: .npy files and the ONNX test data store bf16
    // tensors as their uint16 bit patterns. Such a file feeds a bf16 input.
    if (decl.type.dtype == DType::BF16 && t.dtype() == DType::U16) t = retype(t, DType::BF16);
    inputs[idx] = std::move(t);
  }
  for (size_t i = 0; i < given.size(); ++i)
    if (!given[i]) fail("missing input '{}' (pass -i {}=FILE)", g.value(g.inputs[i]).name, g.value(g.inputs[i]).name);
  return inputs;
}

std::vector<std::vector<int64_t>> inputShapes(const ir::Graph& g, const std::vector<std::string>& shapeSpecs) {
  std::vector<std::vector<int64_t>> shapes(g.inputs.size());
  std::vector<bool> given(g.inputs.size(), false);
  for (const std::string& spec : shapeSpecs) {
    auto [name, dims] = splitSpec(spec, "--shape");
    size_t idx = name.empty() && g.inputs.size() == 1 ? 0 : inputIndex(g, name);
    shapes[idx] = parseShape(dims);
    given[idx] = true;
  }
  for (size_t i = 0; i < g.inputs.size(); ++i) {
    const ir::Value& v = g.value(g.inputs[i]);
    if (!v.isTensor() || v.type.dtype == DType::String)
      fail("input '{}' is a {}; only numeric tensor inputs have a shape to give: pass it with -i {}=FILE", v.name,
           ir::printValueType(v), v.name);
    if (given[i]) {
      ir::checkInputShape(v, shapes[i]);
      continue;
    }
    if (!v.type.isStatic())
      fail("input '{}' has symbolic dims; pass --shape {}=DIMS (e.g. 1x3x640x640)", v.name, v.name);
    shapes[i] = v.type.staticShape();
  }
  return shapes;
}

std::vector<runtime::Tensor> randomInputs(const ir::Graph& g, const std::vector<std::string>& shapeSpecs,
                                          uint64_t seed) {
  std::vector<std::vector<int64_t>> shapes = inputShapes(g, shapeSpecs);
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<runtime::Tensor> out;
  for (size_t i = 0; i < g.inputs.size(); ++i) {
    const ir::Value& v = g.value(g.inputs[i]);
    runtime::Tensor t(v.type.dtype, shapes[i]);
    int64_t n = t.numElements();
    switch (v.type.dtype) {
      case DType::F32: for (int64_t k = 0; k < n; ++k) t.data<float>()[k] = dist(rng); break;
      case DType::F64: for (int64_t k = 0; k < n; ++k) t.data<double>()[k] = dist(rng); break;
      case DType::F16:
        for (int64_t k = 0; k < n; ++k) t.data<uint16_t>()[k] = ir::floatToHalf(dist(rng));
        break;
      default: break;  // integer and bool inputs stay zero: safe as indices and shapes
    }
    out.push_back(std::move(t));
  }
  return out;
}

std::string sanitizeName(const std::string& name) {
  std::string s = name;
  for (char& c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-')) c = '_';
  return s.empty() ? "_" : s;
}

}  // namespace kiln::cli
