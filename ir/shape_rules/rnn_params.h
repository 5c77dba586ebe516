// The attributes of an RNN / GRU / LSTM node (ONNX opset 14), read and checked
// once for the shape rules and the kernel emitters so both agree.
//
// Ctx is InferContext or codegen::KernelContext: anything with fail(fmt, ...)
// and attrs().
#pragma once

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "ir/graph.h"

namespace kiln::ir {

enum class RnnActivation {
  Relu, Tanh, Sigmoid, Affine, LeakyRelu, ThresholdedRelu, ScaledTanh, HardSigmoid, Elu, Softsign, Softplus
};

struct RnnActivationFn {
  RnnActivation kind;
  float alpha = 0, beta = 0;
};

struct RnnParams {
  int64_t hidden = -1;  // -1: no hidden_size attribute (taken from R)
  int64_t numDirections = 1;
  bool forward = true, reverse = false;  // which directions run (both: bidirectional)
  int64_t layout = 0;                    // 0: [seq, batch, ...]; 1: [batch, seq, ...]
  bool hasClip = false;
  float clip = 0;
  bool linearBeforeReset = false;  // GRU
  bool inputForget = false;        // LSTM
  // `perDirection` functions for the forward direction (or the only one),
  // then as many for the reverse one when bidirectional.
  std::vector<RnnActivationFn> activations;
};

// Reads the attributes of a node whose cell uses `perDirection` activation
// functions with the given defaults (RNN: Tanh; GRU: Sigmoid, Tanh; LSTM:
// Sigmoid, Tanh, Tanh). Unknown activation names are unsupported.
template <typename Ctx>
RnnParams readRnnParams(const Ctx& ctx, const std::vector<std::string>& defaults) {
  const Attributes& a = ctx.attrs();
  RnnParams p;
  if (a.has("hidden_size")) {
    p.hidden = a.getInt("hidden_size", 0);
    if (p.hidden <= 0) ctx.fail("hidden_size = {} must be positive", p.hidden);
  }
  std::string dir = a.getString("direction", "forward");
  if (dir == "forward") {
  } else if (dir == "reverse") {
    p.forward = false;
    p.reverse = true;
  } else if (dir == "bidirectional") {
    p.reverse = true;
    p.numDirections = 2;
  } else {
    ctx.fail("direction '{}' is not forward, reverse or bidirectional", dir);
  }
  p.layout = a.getInt("layout", 0);
  if (p.layout != 0 && p.layout != 1) ctx.fail("layout = {} must be 0 or 1", p.layout);
  if (a.has("clip")) {
    p.hasClip = true;
    p.clip = a.getFloat("clip", 0);
    if (!(p.clip > 0)) ctx.fail("clip = {} must be positive", p.clip);
  }
  p.linearBeforeReset = a.getInt("linear_before_reset", 0) != 0;
  p.inputForget = a.getInt("input_forget", 0) != 0;

  size_t count = defaults.size() * static_cast<size_t>(p.numDirections);
  std::vector<std::string> names;
  if (auto it = a.all().find("activations"); it != a.all().end()) {
    const auto* list = std::get_if<std::vector<std::string>>(&it->second);
    if (!list) ctx.fail("attribute activations must be a list of strings");
    names = *list;
    if (names.size() == defaults.size() && p.numDirections == 2) {
      std::vector<std::string> once = names;  // one list serves both directions
      names.insert(names.end(), once.begin(), once.end());
    }
  } else {
    for (int64_t d = 0; d < p.numDirections; ++d) names.insert(names.end(), defaults.begin(), defaults.end());
  }
  if (names.size() != count) ctx.fail("activations has {} entries, expected {}", names.size(), count);
  std::vector<float> alphas = a.getFloats("activation_alpha"), betas = a.getFloats("activation_beta");
  size_t nextAlpha = 0, nextBeta = 0;
  // An activation that takes alpha / beta consumes the next listed value, or
  // uses the ONNX default when the list is exhausted.
  auto alpha = [&](float def) { return nextAlpha < alphas.size() ? alphas[nextAlpha++] : def; };
  auto beta = [&](float def) { return nextBeta < betas.size() ? betas[nextBeta++] : def; };
  for (const std::string& name : names) {
    std::string n = name;
    std::transform(n.begin(), n.end(), n.begin(), [](unsigned char c) { return std::tolower(c); });
    // name, kind, how many of alpha / beta it takes, their ONNX defaults
    struct Known {
      const char* name;
      RnnActivation kind;
      int params;
      float alpha, beta;
    };
    static constexpr Known kKnown[] = {
        {"relu", RnnActivation::Relu, 0, 0, 0},
        {"tanh", RnnActivation::Tanh, 0, 0, 0},
        {"sigmoid", RnnActivation::Sigmoid, 0, 0, 0},
        {"affine", RnnActivation::Affine, 2, 1.0f, 0.0f},
        {"leakyrelu", RnnActivation::LeakyRelu, 1, 0.01f, 0},
        {"thresholdedrelu", RnnActivation::ThresholdedRelu, 1, 1.0f, 0},
        {"scaledtanh", RnnActivation::ScaledTanh, 2, 1.0f, 1.0f},
        {"hardsigmoid", RnnActivation::HardSigmoid, 2, 0.2f, 0.5f},
        {"elu", RnnActivation::Elu, 1, 1.0f, 0},
        {"softsign", RnnActivation::Softsign, 0, 0, 0},
        {"softplus", RnnActivation::Softplus, 0, 0, 0},
    };
    const Known* k = nullptr;
    for (const Known& e : kKnown)
      if (n == e.name) k = &e;
    if (!k) ctx.fail("unsupported: activation '{}'", name);
    RnnActivationFn f{k->kind};
    if (k->params >= 1) f.alpha = alpha(k->alpha);
    if (k->params >= 2) f.beta = beta(k->beta);
    p.activations.push_back(f);
  }
  return p;
}

}  // namespace kiln::ir
