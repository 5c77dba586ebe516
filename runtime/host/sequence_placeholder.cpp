// Placeholder host kernels for the sequence family: each reports the op as unsupported until
// its implementation lands (replaced file by file).
#include "ir/error.h"
#include "runtime/host/host_call.h"

namespace kiln::runtime {

std::vector<Value> runHostSequenceEmpty(const HostCall& call) {
  fail("{}: unsupported: the host kernel is not implemented yet", call.where());
}

std::vector<Value> runHostSequenceConstruct(const HostCall& call) {
  fail("{}: unsupported: the host kernel is not implemented yet", call.where());
}

std::vector<Value> runHostSequenceInsert(const HostCall& call) {
  fail("{}: unsupported: the host kernel is not implemented yet", call.where());
}

std::vector<Value> runHostSequenceAt(const HostCall& call) {
  fail("{}: unsupported: the host kernel is not implemented yet", call.where());
}

std::vector<Value> runHostSequenceErase(const HostCall& call) {
  fail("{}: unsupported: the host kernel is not implemented yet", call.where());
}

std::vector<Value> runHostSequenceLength(const HostCall& call) {
  fail("{}: unsupported: the host kernel is not implemented yet", call.where());
}

std::vector<Value> runHostSplitToSequence(const HostCall& call) {
  fail("{}: unsupported: the host kernel is not implemented yet", call.where());
}

std::vector<Value> runHostConcatFromSequence(const HostCall& call) {
  fail("{}: unsupported: the host kernel is not implemented yet", call.where());
}

std::vector<Value> runHostOptional(const HostCall& call) {
  fail("{}: unsupported: the host kernel is not implemented yet", call.where());
}

std::vector<Value> runHostOptionalHasElement(const HostCall& call) {
  fail("{}: unsupported: the host kernel is not implemented yet", call.where());
}

std::vector<Value> runHostOptionalGetElement(const HostCall& call) {
  fail("{}: unsupported: the host kernel is not implemented yet", call.where());
}

std::vector<Value> runHostIdentity(const HostCall& call) {
  fail("{}: unsupported: the host kernel is not implemented yet", call.where());
}

}  // namespace kiln::runtime
