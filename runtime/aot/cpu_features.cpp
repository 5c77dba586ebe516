#include "runtime/aot/cpu_features.h"

#include <string_view>

#include "ir/error.h"

namespace kiln::runtime {

namespace {
struct Feature {
  std::string_view llvmName;
  bool (*present)();
};

// __builtin_cpu_supports takes a literal, so one lambda per feature. Names
// are LLVM's; the ones GCC spells differently say so.
#define KILN_CPU_FEATURE(llvm, gcc) Feature{llvm, [] { return __builtin_cpu_supports(gcc) != 0; }}
const Feature kFeatures[] = {
    KILN_CPU_FEATURE("sse3", "sse3"),         KILN_CPU_FEATURE("ssse3", "ssse3"),
    KILN_CPU_FEATURE("sse4.1", "sse4.1"),     KILN_CPU_FEATURE("sse4.2", "sse4.2"),
    KILN_CPU_FEATURE("popcnt", "popcnt"),     KILN_CPU_FEATURE("avx", "avx"),
    KILN_CPU_FEATURE("avx2", "avx2"),         KILN_CPU_FEATURE("fma", "fma"),
    KILN_CPU_FEATURE("bmi", "bmi"),           KILN_CPU_FEATURE("bmi2", "bmi2"),
    KILN_CPU_FEATURE("aes", "aes"),           KILN_CPU_FEATURE("pclmul", "pclmul"),
    KILN_CPU_FEATURE("avx512f", "avx512f"),   KILN_CPU_FEATURE("avx512vl", "avx512vl"),
    KILN_CPU_FEATURE("avx512bw", "avx512bw"), KILN_CPU_FEATURE("avx512dq", "avx512dq"),
    KILN_CPU_FEATURE("avx512cd", "avx512cd"), KILN_CPU_FEATURE("avx512ifma", "avx512ifma"),
    KILN_CPU_FEATURE("avx512vbmi", "avx512vbmi"), KILN_CPU_FEATURE("avx512vbmi2", "avx512vbmi2"),
    KILN_CPU_FEATURE("avx512vnni", "avx512vnni"), KILN_CPU_FEATURE("avx512bitalg", "avx512bitalg"),
    KILN_CPU_FEATURE("avx512vpopcntdq", "avx512vpopcntdq"), KILN_CPU_FEATURE("avx512bf16", "avx512bf16"),
    KILN_CPU_FEATURE("gfni", "gfni"),         KILN_CPU_FEATURE("vpclmulqdq", "vpclmulqdq"),
};
#undef KILN_CPU_FEATURE
}  // namespace

std::vector<std::string> missingCpuFeatures(const std::string& llvmFeatures) {
  std::vector<std::string> missing;
  std::string_view rest = llvmFeatures;
  while (!rest.empty()) {
    size_t comma = rest.find(',');
    std::string_view f = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    if (f.size() < 2 || f[0] != '+') continue;
    for (const Feature& known : kFeatures)
      if (known.llvmName == f.substr(1) && !known.present()) missing.emplace_back(f.substr(1));
  }
  return missing;
}

void requireCpuFeatures(const std::string& targetCpu, const std::string& llvmFeatures) {
  std::vector<std::string> missing = missingCpuFeatures(llvmFeatures);
  if (missing.empty()) return;
  std::string list;
  for (const std::string& m : missing) list += (list.empty() ? "" : ", ") + m;
  fail("this library was compiled for CPU '{}' and needs {}, which this CPU lacks; compile it again with "
       "--target-cpu for this CPU (e.g. x86-64-v3)",
       targetCpu, list);
}

}  // namespace kiln::runtime
