// Placeholder host kernels for the control family: each reports the op as unsupported until
// its implementation lands (replaced file by file).
#include "ir/error.h"
#include "runtime/host/host_call.h"

namespace kiln::runtime {

std::vector<Value> runHostIf(const HostCall& call) {
  fail("{}: unsupported: the host kernel is not implemented yet", call.where());
}

std::vector<Value> runHostLoop(const HostCall& call) {
  fail("{}: unsupported: the host kernel is not implemented yet", call.where());
}

std::vector<Value> runHostScan(const HostCall& call) {
  fail("{}: unsupported: the host kernel is not implemented yet", call.where());
}

std::vector<Value> runHostSequenceMap(const HostCall& call) {
  fail("{}: unsupported: the host kernel is not implemented yet", call.where());
}

}  // namespace kiln::runtime
