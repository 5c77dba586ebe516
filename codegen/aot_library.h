// Ahead-of-time compilation: a ModelImage (codegen/compiler.h) becomes a
// shared library with the weights and plan embedded, and a C header declaring
// its typed entry points.
//
// The library holds the kernels' objects, an entry object generated here (the
// plan bytes, the kernel table and the exported functions) and Kiln's small
// runtime (runtime/aot/, built as the static archive kiln_rt_aot with
// libstdc++ linked statically), linked by the system C++ compiler driver
// ($CXX, else `c++`). A version script exports only NAME_* and kiln_aot_*; everything
// else stays local, so several model libraries can live in one process. It
// depends on libc and libm only: no LLVM, ONNX or protobuf at run time.
//
// Exported C functions (NAME = AotOptions::name):
//   NAME_model* NAME_create(int32_t num_threads);    NULL on error
//   int32_t NAME_run(NAME_model*, const T* in..., T* out...);   0 or non-zero
//   void NAME_destroy(NAME_model*);
//   const char* NAME_last_error(void);                thread-local message
// and the same without types for loaders (`kiln run --aot`, dlopen):
//   kiln_aot_create, kiln_aot_run(model, const void* const* in, void* const* out),
//   kiln_aot_destroy, kiln_aot_last_error, and
//   const uint8_t* kiln_aot_plan(uint64_t* size)      the runtime::ModelPlan bytes.
// NAME_create fails (NULL, with a message naming the features) on a CPU that
// lacks an instruction-set feature the kernels were compiled for
// (runtime/aot/cpu_features.h).
#pragma once

#include <string>

#include "codegen/compiler.h"

namespace kiln::codegen {

struct AotOptions {
  std::string name;         // C identifier prefixing the entry points
  std::string libraryPath;  // the .so to write
  std::string headerPath;   // the .h to write; empty: none
  std::string source;       // the model it came from, for the header's comment
};

// Throws kiln::Error when the name is not a C identifier, or the entry object,
// the runtime archive or the link fails (with the linker's exit status).
void writeAotLibrary(const ModelImage& image, const Target& target, int optLevel, const AotOptions& options);

// The C header for `plan`'s entry points (see above).
std::string aotHeader(const runtime::ModelPlan& plan, const AotOptions& options);

}  // namespace kiln::codegen
