#include "ir/op.h"

#include <array>

namespace kiln::ir {

namespace {
constexpr OpInfo kOps[] = {
#define KILN_OP(Name, MinIn, MaxIn, MinOut, MaxOut, Family) \
  {#Name, MinIn, MaxIn, MinOut, MaxOut, #Family},
#include "ir/ops.def"
#undef KILN_OP
};
}  // namespace

const OpInfo& opInfo(OpKind op) { return kOps[static_cast<int>(op)]; }

std::optional<OpKind> opFromName(std::string_view name) {
  for (int i = 0; i < opCount(); ++i)
    if (kOps[i].name == name) return static_cast<OpKind>(i);
  return std::nullopt;
}

int opCount() { return static_cast<int>(std::size(kOps)); }

}  // namespace kiln::ir
