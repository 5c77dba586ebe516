// A small builder for unit tests of host kernels (runtime/host/): graphs whose
// inputs may be sequences or optionals, run through codegen::StagedModel so
// that nodes reach their kernels the way a model's do.
#pragma once

#include <gtest/gtest.h>

#include <cstring>
#include <functional>
#include <string>

#include "codegen/staged_model.h"
#include "ir/error.h"
#include "runtime/thread_pool.h"

namespace kiln::testing {

template <typename T>
runtime::Tensor makeTensor(DType dtype, std::vector<int64_t> shape, const std::vector<T>& values) {
  runtime::Tensor t(dtype, std::move(shape));
  EXPECT_EQ(static_cast<size_t>(t.numElements()), values.size());
  if constexpr (std::is_same_v<T, std::string>) {
    std::copy(values.begin(), values.end(), t.data<std::string>());
  } else {
    EXPECT_EQ(dtypeSize(dtype), sizeof(T));
    if (!values.empty()) std::memcpy(t.data(), values.data(), values.size() * sizeof(T));
  }
  return t;
}

inline runtime::Tensor strings(std::vector<int64_t> shape, const std::vector<std::string>& values) {
  return makeTensor(DType::String, std::move(shape), values);
}

template <typename T>
std::vector<T> valuesOf(const runtime::Tensor& t) {
  std::vector<T> v(static_cast<size_t>(t.numElements()));
  if constexpr (std::is_same_v<T, std::string>) {
    std::copy(t.data<std::string>(), t.data<std::string>() + t.numElements(), v.begin());
  } else {
    if (!v.empty()) std::memcpy(v.data(), t.data(), v.size() * sizeof(T));
  }
  return v;
}

inline ir::Attributes attrs(std::initializer_list<std::pair<const char*, ir::Attribute>> list) {
  ir::Attributes a;
  for (const auto& [name, value] : list) a.set(name, value);
  return a;
}

struct HostGraph {
  ir::Graph g;
  std::vector<runtime::Value> feeds;

  ir::ValueId input(runtime::Value v, DType dtype, std::vector<ir::Container> containers = {}) {
    ir::TensorType type = v.isTensor() && containers.empty() ? ir::staticType(v.tensor().dtype(), v.tensor().shape())
                                                              : ir::unknownRank(dtype);
    ir::ValueId id = g.addValue("in" + std::to_string(g.inputs.size()), type);
    g.value(id).containers = std::move(containers);
    g.inputs.push_back(id);
    feeds.push_back(std::move(v));
    return id;
  }
  ir::ValueId tensor(const runtime::Tensor& t) { return input(t, t.dtype()); }
  ir::ValueId sequence(std::vector<runtime::Tensor> elements, DType dtype) {
    return input(runtime::Value::sequence(std::move(elements)), dtype, {ir::Container::Sequence});
  }
  ir::ValueId constant(ir::TensorDataPtr d) { return g.addConstant("c" + std::to_string(g.values.size()), d); }

  // Adds a node named `name` with one output of element dtype `dtype` wrapped in `containers`.
  ir::ValueId node(ir::OpKind op, std::vector<ir::ValueId> inputs, ir::Attributes a = {}, DType dtype = DType::F32,
                   std::vector<ir::Container> containers = {}, const std::string& name = "n") {
    ir::ValueId out = g.addValue("v" + std::to_string(g.values.size()), ir::unknownRank(dtype));
    g.value(out).containers = std::move(containers);
    g.addNode(op, std::move(inputs), {out}, name).attrs = std::move(a);
    return out;
  }

  std::vector<runtime::Value> run(std::vector<ir::ValueId> outputs) {
    g.outputs = std::move(outputs);
    codegen::StagedModel model(std::move(g), codegen::CompileOptions{});
    runtime::ThreadPool pool(2);
    return model.run(feeds, pool);
  }
  runtime::Value run1(ir::ValueId output) { return run({output}).at(0); }
};

// Runs `f`, expecting a kiln::Error whose message contains every string of `parts`.
inline void expectError(const std::function<void()>& f, std::initializer_list<const char*> parts) {
  try {
    f();
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    for (const char* p : parts) EXPECT_NE(std::string(e.what()).find(p), std::string::npos) << e.what();
  }
}

}  // namespace kiln::testing
