// Microbenchmarks of the convolution-family kernels at PP-OCRv4-like sizes:
// Conv 3x3 and 1x1, depthwise 3x3 (stride 1 and 2), ConvTranspose 2x2 stride
// 2, MaxPool/AveragePool and Resize (nearest, 2x). Argument: threads.
#include "op_bench.h"

namespace kiln::bench {
namespace {

using ir::OpKind;

ir::Attributes attrs(std::initializer_list<std::pair<const char*, ir::Attribute>> list) {
  ir::Attributes a;
  for (const auto& [name, value] : list) a.set(name, value);
  return a;
}

struct ConvCase {
  const char* name;
  int64_t c, h, w, m, k, stride, group;
};

void conv(benchmark::State& state, ConvCase cc) {
  int threads = static_cast<int>(state.range(0));
  int64_t pad = cc.k / 2;
  CompiledOp& op = compiledOp(std::string("conv/") + cc.name, [&](OpGraph& g) {
    ir::ValueId x = g.input({1, cc.c, cc.h, cc.w});
    ir::ValueId w = g.weight({cc.m, cc.c / cc.group, cc.k, cc.k});
    ir::ValueId b = g.weight({cc.m});
    g.op(OpKind::Conv, {x, w, b},
         attrs({{"kernel_shape", std::vector<int64_t>{cc.k, cc.k}},
                {"pads", std::vector<int64_t>{pad, pad, pad, pad}},
                {"strides", std::vector<int64_t>{cc.stride, cc.stride}},
                {"group", cc.group}}));
  });
  double ho = static_cast<double>((cc.h + 2 * pad - cc.k) / cc.stride + 1);
  double wo = static_cast<double>((cc.w + 2 * pad - cc.k) / cc.stride + 1);
  double flops = 2.0 * static_cast<double>(cc.m * (cc.c / cc.group) * cc.k * cc.k) * ho * wo;
  double bytes = 4.0 * (static_cast<double>(cc.c * cc.h * cc.w) + static_cast<double>(cc.m) * ho * wo +
                        static_cast<double>(cc.m * (cc.c / cc.group) * cc.k * cc.k));
  runTimed(state, op, threads, Work{flops, bytes});
}

// 1x24x160x160 -> 1x24x320x320 (PP-OCRv4 det's head).
void convTranspose(benchmark::State& state) {
  int threads = static_cast<int>(state.range(0));
  const int64_t c = 24, m = 24, h = 160, w = 160;
  CompiledOp& op = compiledOp("convtranspose", [&](OpGraph& g) {
    g.op(OpKind::ConvTranspose, {g.input({1, c, h, w}), g.weight({c, m, 2, 2}), g.weight({m})},
         attrs({{"kernel_shape", std::vector<int64_t>{2, 2}}, {"strides", std::vector<int64_t>{2, 2}}}));
  });
  double flops = 2.0 * c * m * 4 * h * w;
  runTimed(state, op, threads, Work{flops, 4.0 * (c * h * w + m * 4 * h * w)});
}

void pool(benchmark::State& state, OpKind kind) {
  int threads = static_cast<int>(state.range(0));
  const int64_t c = 64, h = 160, w = 160;
  bool max = kind == OpKind::MaxPool;
  CompiledOp& op = compiledOp(max ? "maxpool" : "avgpool", [&](OpGraph& g) {
    // MaxPool 3x3 s2 pad 1 (a ResNet-style stem), AveragePool 2x2 s2.
    ir::Attributes a = max ? attrs({{"kernel_shape", std::vector<int64_t>{3, 3}},
                                    {"strides", std::vector<int64_t>{2, 2}},
                                    {"pads", std::vector<int64_t>{1, 1, 1, 1}}})
                           : attrs({{"kernel_shape", std::vector<int64_t>{2, 2}},
                                    {"strides", std::vector<int64_t>{2, 2}}});
    g.op(kind, {g.input({1, c, h, w})}, a);
  });
  runTimed(state, op, threads, Work{0, 4.0 * (c * h * w + c * (h / 2) * (w / 2))});
}

// Nearest 2x upsampling 1x96x80x80 -> 1x96x160x160 (PP-OCRv4 det's FPN).
void resize(benchmark::State& state) {
  int threads = static_cast<int>(state.range(0));
  const int64_t c = 96, h = 80, w = 80;
  CompiledOp& op = compiledOp("resize", [&](OpGraph& g) {
    g.op(OpKind::Resize, {g.input({1, c, h, w}), ir::kNoValue, g.floats({1, 1, 2, 2})},
         attrs({{"mode", std::string("nearest")}}));
  });
  runTimed(state, op, threads, Work{0, 4.0 * (c * h * w + c * 4 * h * w)});
}

// Same-shape binary op on two runtime inputs: 1x96x160x160.
void binary(benchmark::State& state, OpKind kind) {
  int threads = static_cast<int>(state.range(0));
  const std::vector<int64_t> shape{1, 96, 160, 160};
  CompiledOp& op = compiledOp(std::string("binary/") + std::string(ir::opName(kind)),
                              [&](OpGraph& g) { g.op(kind, {g.input(shape), g.input(shape)}); });
  double n = 96.0 * 160 * 160;
  runTimed(state, op, threads, Work{n, 12.0 * n});
}

const bool registered = [] {
  using benchmark::RegisterBenchmark;
  auto threads = [](benchmark::internal::Benchmark* b) {
    b->ArgsProduct({{1, 2}})->ArgNames({"threads"})->UseRealTime()->Unit(benchmark::kMicrosecond);
  };
  for (ConvCase cc : {ConvCase{"3x3/1x96x160x160->24", 96, 160, 160, 24, 3, 1, 1},
                      ConvCase{"1x1/1x192x40x40->192", 192, 40, 40, 192, 1, 1, 1},
                      ConvCase{"depthwise3x3_s1/1x96x160x160", 96, 160, 160, 96, 3, 1, 96},
                      ConvCase{"depthwise3x3_s2/1x96x160x160", 96, 160, 160, 96, 3, 2, 96}})
    threads(RegisterBenchmark((std::string("Conv/") + cc.name).c_str(),
                              [cc](benchmark::State& s) { conv(s, cc); }));
  threads(RegisterBenchmark("ConvTranspose/2x2_s2/1x24x160x160->24", convTranspose));
  threads(RegisterBenchmark("MaxPool/3x3_s2/1x64x160x160", [](benchmark::State& s) { pool(s, OpKind::MaxPool); }));
  threads(RegisterBenchmark("AveragePool/2x2_s2/1x64x160x160",
                            [](benchmark::State& s) { pool(s, OpKind::AveragePool); }));
  threads(RegisterBenchmark("Resize/nearest_2x/1x96x80x80", resize));
  threads(RegisterBenchmark("Add/1x96x160x160", [](benchmark::State& s) { binary(s, OpKind::Add); }));
  threads(RegisterBenchmark("Mul/1x96x160x160", [](benchmark::State& s) { binary(s, OpKind::Mul); }));
  return true;
}();

}  // namespace
}  // namespace kiln::bench
