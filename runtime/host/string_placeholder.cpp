// Placeholder host kernels for the string family: each reports the op as unsupported until
// its implementation lands (replaced file by file).
#include "ir/error.h"
#include "runtime/host/host_call.h"

namespace kiln::runtime {

std::vector<Value> runHostStringNormalizer(const HostCall& call) {
  fail("{}: unsupported: the host kernel is not implemented yet", call.where());
}

std::vector<Value> runHostStringCast(const HostCall& call) {
  fail("{}: unsupported: the host kernel is not implemented yet", call.where());
}

}  // namespace kiln::runtime
