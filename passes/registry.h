// The table of every pass, by name.
#pragma once

#include <string_view>
#include <vector>

#include "passes/pass.h"

namespace kiln::passes {

// All passes, in the order `kiln opt --list-passes` prints them.
const std::vector<PassInfo>& allPasses();
// The pass named `name`, or null.
const PassInfo* findPass(std::string_view name);

}  // namespace kiln::passes
