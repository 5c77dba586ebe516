#include "passes/fuse_gelu.h"

#include <cmath>
#include <optional>
#include <vector>

#include "passes/pattern_match.h"

namespace kiln::passes {

namespace {

using ir::OpKind;
using ir::ValueId;

const double kSqrt2 = std::sqrt(2.0);
const double kSqrt2OverPi = std::sqrt(2.0 / M_PI);
constexpr double kCubeCoefficient = 0.044715;

// The operands of a product v = a * b * c: v's operands, each expanded once
// more when it is a Mul read only by v. `inner` collects the expanded Muls.
std::vector<ValueId> factors(const PatternGraph& p, const ir::Node& root) {
  std::vector<ValueId> out;
  for (ValueId v : root.inputs) {
    const ir::Node* m = p.def(v, OpKind::Mul);
    if (m && p.singleUse(v)) out.insert(out.end(), m->inputs.begin(), m->inputs.end());
    else out.push_back(v);
  }
  return out;
}

// x when v = x / sqrt(2) or x * (1/sqrt(2)).
std::optional<ValueId> overSqrt2(const PatternGraph& p, ValueId v) {
  if (const ir::Node* d = p.def(v, OpKind::Div)) return p.operandBeside(*d, kSqrt2, false);
  if (const ir::Node* m = p.def(v, OpKind::Mul)) return p.operandBeside(*m, 1.0 / kSqrt2, true);
  return std::nullopt;
}

// Whether v = x^3: Pow(x, 3), (x * x) * x or x * (x * x).
bool isCube(const PatternGraph& p, ValueId v, ValueId x) {
  if (const ir::Node* pw = p.def(v, OpKind::Pow)) return pw->inputs[0] == x && p.isConstant(pw->inputs[1], 3.0);
  const ir::Node* m = p.def(v, OpKind::Mul);
  if (!m) return false;
  for (size_t k = 0; k < 2; ++k) {
    const ir::Node* sq = p.def(m->inputs[k], OpKind::Mul);
    if (m->inputs[1 - k] == x && sq && p.singleUse(m->inputs[k]) && sq->inputs[0] == x && sq->inputs[1] == x)
      return true;
  }
  return false;
}

// Whether v = sqrt(2/pi) * (x + 0.044715 * x^3), products and sums in either order.
bool isTanhArgument(const PatternGraph& p, ValueId v, ValueId x) {
  const ir::Node* scale = p.def(v, OpKind::Mul);
  std::optional<ValueId> sum = scale ? p.operandBeside(*scale, kSqrt2OverPi, true) : std::nullopt;
  const ir::Node* add = sum && p.singleUse(*sum) ? p.def(*sum, OpKind::Add) : nullptr;
  if (!add) return false;
  for (size_t k = 0; k < 2; ++k) {
    ValueId cubic = add->inputs[k];
    const ir::Node* c = p.def(cubic, OpKind::Mul);
    if (add->inputs[1 - k] != x || !c || !p.singleUse(cubic)) continue;
    if (auto cube = p.operandBeside(*c, kCubeCoefficient, true))
      if (p.singleUse(*cube) && isCube(p, *cube, x)) return true;
  }
  return false;
}

// For s = 1 + Erf(x / sqrt(2)) or 1 + Tanh(...) (sum in either order) with x
// the given value: the `approximate` attribute of the Gelu it makes.
std::optional<std::string> geluForm(const PatternGraph& p, ValueId s, ValueId x) {
  const ir::Node* add = p.def(s, OpKind::Add);
  std::optional<ValueId> f = add && p.singleUse(s) ? p.operandBeside(*add, 1.0, true) : std::nullopt;
  if (!f || !p.singleUse(*f)) return std::nullopt;
  if (const ir::Node* erf = p.def(*f, OpKind::Erf)) {
    ValueId z = erf->inputs[0];
    if (p.singleUse(z) && overSqrt2(p, z) == x) return "none";
  }
  if (const ir::Node* tanh = p.def(*f, OpKind::Tanh)) {
    ValueId z = tanh->inputs[0];
    if (p.singleUse(z) && isTanhArgument(p, z, x)) return "tanh";
  }
  return std::nullopt;
}

bool matchGelu(PatternGraph& p, size_t i) {
  const ir::Node& root = p.graph().nodes[i];
  if (root.op != OpKind::Mul || root.inputs.size() != 2) return false;
  std::vector<ValueId> f = factors(p, root);
  if (f.size() != 3) return false;
  for (size_t half = 0; half < 3; ++half) {
    if (!p.isConstant(f[half], 0.5)) continue;
    for (size_t xi = 0; xi < 3; ++xi) {
      if (xi == half) continue;
      ValueId x = f[xi], s = f[3 - half - xi];
      if (!isFloatTensor(p.graph().type(x))) continue;
      std::optional<std::string> form = geluForm(p, s, x);
      if (!form) continue;
      ir::Attributes a;
      a.set("approximate", *form);
      return p.replace(i, OpKind::Gelu, {x}, std::move(a));
    }
  }
  return false;
}

}  // namespace

void fuseGelu(ir::Graph& graph) {
  rewriteAll(graph, [](PatternGraph& p, size_t i) { matchGelu(p, i); });
}

}  // namespace kiln::passes
