#include "runtime/model_plan.h"

#include <cstring>

#include "runtime/byte_io.h"

namespace kiln::runtime {

namespace {
constexpr uint32_t kPlanMagic = 0x4e4c504b;  // "KPLN"
constexpr uint64_t kMaxCount = uint64_t{1} << 24;  // tensors, kernels, args, dims: far above any model
constexpr uint64_t kMaxRank = 64;

void putSpec(ByteWriter& w, const TensorSpec& s) {
  w.putString(s.name);
  w.put<uint8_t>(static_cast<uint8_t>(s.dtype));
  w.put<uint64_t>(s.shape.size());
  for (int64_t d : s.shape) w.put<int64_t>(d);
}

DType getDType(ByteReader& r) {
  auto t = static_cast<DType>(r.get<uint8_t>());
  if (dtypeSize(t) == 0) fail("{} is corrupt: dtype {} is not a numeric dtype", r.what(), static_cast<int>(t));
  return t;
}

std::vector<int64_t> getShape(ByteReader& r) {
  std::vector<int64_t> shape(r.getCount(kMaxRank, "rank"));
  for (int64_t& d : shape) d = r.get<int64_t>();
  checkedNumElements(shape);
  return shape;
}

TensorSpec getSpec(ByteReader& r) {
  TensorSpec s;
  s.name = r.getString();
  s.dtype = getDType(r);
  s.shape = getShape(r);
  return s;
}

void putRef(ByteWriter& w, const BufferRef& b) {
  w.put<uint8_t>(static_cast<uint8_t>(b.kind));
  w.put<int64_t>(b.index);
}

// A buffer reference must name an existing constant, input or output, or an
// offset inside the arena.
BufferRef getRef(ByteReader& r, const CompiledModelParts& p) {
  BufferRef b;
  auto kind = r.get<uint8_t>();
  b.index = r.get<int64_t>();
  int64_t limit = 0;
  switch (static_cast<BufferKind>(kind)) {
    case BufferKind::None: limit = 1; break;
    case BufferKind::Arena: limit = p.arenaBytes; break;
    case BufferKind::Constant: limit = static_cast<int64_t>(p.constants.size()); break;
    case BufferKind::Input: limit = static_cast<int64_t>(p.inputs.size()); break;
    case BufferKind::Output: limit = static_cast<int64_t>(p.outputs.size()); break;
    default: fail("{} is corrupt: buffer kind {}", r.what(), kind);
  }
  b.kind = static_cast<BufferKind>(kind);
  bool arenaEnd = b.kind == BufferKind::Arena && b.index == limit;  // an empty tensor at the arena's end
  if (b.index < 0 || (b.index >= limit && !arenaEnd))
    fail("{} is corrupt: buffer index {} out of range [0, {})", r.what(), b.index, limit);
  return b;
}
}  // namespace

std::string encodePlan(const ModelPlan& plan) {
  const CompiledModelParts& p = plan.parts;
  ByteWriter w;
  w.put<uint32_t>(kPlanMagic);
  w.put<uint32_t>(kPlanVersion);
  w.putString(plan.targetCpu);
  w.putString(plan.targetFeatures);
  w.put<uint64_t>(p.inputs.size());
  for (const TensorSpec& s : p.inputs) putSpec(w, s);
  w.put<uint64_t>(p.outputs.size());
  for (const TensorSpec& s : p.outputs) putSpec(w, s);
  w.put<int64_t>(p.arenaBytes);
  w.put<uint64_t>(p.constants.size());
  for (const Tensor& c : p.constants) {
    if (c.dtype() == DType::String) fail("internal error: a string constant cannot be stored in a plan");
    putSpec(w, TensorSpec{"", c.dtype(), c.shape()});
    w.putBytes(c.data(), c.byteSize());
  }
  w.put<uint64_t>(p.kernels.size());
  for (const KernelLaunch& k : p.kernels) {
    w.putString(k.name);
    w.putString(k.detail);
    w.put<int64_t>(k.parallelExtent);
    w.put<uint8_t>(k.splitAcrossThreads ? 1 : 0);
    w.put<uint64_t>(k.args.size());
    for (const BufferRef& b : k.args) putRef(w, b);
  }
  w.put<uint64_t>(p.outputCopies.size());
  for (const OutputCopy& c : p.outputCopies) {
    w.put<uint64_t>(c.output);
    putRef(w, c.source);
  }
  return w.take();
}

ModelPlan decodePlan(std::span<const uint8_t> bytes, const std::string& what) {
  ByteReader r(bytes, what);
  if (r.get<uint32_t>() != kPlanMagic) fail("{} is not a Kiln model plan (bad magic)", what);
  if (uint32_t v = r.get<uint32_t>(); v != kPlanVersion)
    fail("{} has plan version {}, this Kiln reads version {}", what, v, kPlanVersion);
  ModelPlan plan;
  CompiledModelParts& p = plan.parts;
  plan.targetCpu = r.getString();
  plan.targetFeatures = r.getString();
  p.inputs.resize(r.getCount(kMaxCount, "input count"));
  for (TensorSpec& s : p.inputs) s = getSpec(r);
  p.outputs.resize(r.getCount(kMaxCount, "output count"));
  for (TensorSpec& s : p.outputs) s = getSpec(r);
  p.arenaBytes = r.get<int64_t>();
  if (p.arenaBytes < 0) fail("{} is corrupt: negative arena size", what);
  uint64_t numConstants = r.getCount(kMaxCount, "constant count");
  for (uint64_t i = 0; i < numConstants; ++i) {
    TensorSpec s = getSpec(r);
    // Check the bytes are there before allocating the tensor they fill.
    size_t size = static_cast<size_t>(checkedNumElements(s.shape)) * dtypeSize(s.dtype);
    std::span<const uint8_t> data = r.getBytes(size);
    Tensor t(s.dtype, s.shape);
    if (size) std::memcpy(t.data(), data.data(), size);
    p.constants.push_back(std::move(t));
  }
  p.kernels.resize(r.getCount(kMaxCount, "kernel count"));
  for (KernelLaunch& k : p.kernels) {
    k.name = r.getString();
    k.detail = r.getString();
    k.parallelExtent = r.get<int64_t>();
    if (k.parallelExtent < 1) fail("{} is corrupt: kernel '{}' has parallel extent {}", what, k.name, k.parallelExtent);
    k.splitAcrossThreads = r.get<uint8_t>() != 0;
    k.args.resize(r.getCount(kMaxCount, "argument count"));
    for (BufferRef& b : k.args) b = getRef(r, p);
  }
  p.outputCopies.resize(r.getCount(p.outputs.size(), "output copy count"));
  for (OutputCopy& c : p.outputCopies) {
    c.output = r.getCount(p.outputs.size() - 1, "output copy index");
    c.source = getRef(r, p);
  }
  if (r.remaining() != 0) fail("{} is corrupt: {} trailing bytes", what, r.remaining());
  return plan;
}

}  // namespace kiln::runtime
