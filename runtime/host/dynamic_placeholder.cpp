// Placeholder host kernels for the dynamic family: each reports the op as unsupported until
// its implementation lands (replaced file by file).
#include "ir/error.h"
#include "runtime/host/host_call.h"

namespace kiln::runtime {

std::vector<Value> runHostNonZero(const HostCall& call) {
  fail("{}: unsupported: the host kernel is not implemented yet", call.where());
}

std::vector<Value> runHostUnique(const HostCall& call) {
  fail("{}: unsupported: the host kernel is not implemented yet", call.where());
}

std::vector<Value> runHostCompress(const HostCall& call) {
  fail("{}: unsupported: the host kernel is not implemented yet", call.where());
}

std::vector<Value> runHostNonMaxSuppression(const HostCall& call) {
  fail("{}: unsupported: the host kernel is not implemented yet", call.where());
}

}  // namespace kiln::runtime
