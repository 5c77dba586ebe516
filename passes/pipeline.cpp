#include "passes/pipeline.h"

#include "ir/error.h"
#include "passes/registry.h"

namespace kiln::passes {

namespace {
std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string knownNames() {
  std::string names;
  for (const PassInfo& p : allPasses()) names += (names.empty() ? "" : ", ") + std::string(p.name);
  return names;
}
}  // namespace

std::vector<const PassInfo*> parsePipeline(std::string_view text) {
  std::vector<const PassInfo*> pipeline;
  if (trim(text).empty()) return pipeline;
  size_t start = 0;
  for (;;) {
    size_t comma = text.find(',', start);
    std::string_view name = trim(text.substr(start, comma == std::string_view::npos ? text.npos : comma - start));
    if (name.empty()) fail("pass pipeline '{}': empty pass name at offset {}", text, start);
    const PassInfo* pass = findPass(name);
    if (!pass) fail("pass pipeline '{}': unknown pass '{}' (known passes: {})", text, name, knownNames());
    pipeline.push_back(pass);
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return pipeline;
}

std::string defaultPipeline(int optLevel) {
  if (optLevel <= 0) return "";
  std::string simplify = optLevel == 1 ? "canonicalize,fold-constants,cse,dce,"
                                       : "canonicalize,fold-constants,cse,fold-batchnorm,dce,";
  std::string patterns = optLevel == 1 ? ""
                                       : "fuse-hardswish,fuse-gelu,fuse-silu,fuse-layernorm,fuse-rmsnorm,"
                                         "fuse-attention,fuse-pool-conv,";
  return simplify + patterns + "fuse-epilogue,fuse-elementwise,dce";
}

}  // namespace kiln::passes
