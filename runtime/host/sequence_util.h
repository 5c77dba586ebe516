// Helpers shared by the sequence host kernels (runtime/host/sequence_*.cpp):
// reading position/split operands, normalizing positions and axes, checking
// element dtypes, and copying blocks of a tensor along one axis (any dtype,
// strings included).
#pragma once

#include <cstdint>
#include <vector>

#include "runtime/host/host_call.h"

namespace kiln::runtime::seq {

// Input `i` as a sequence; fails naming the node when it is another kind of value.
const std::vector<Tensor>& sequenceInput(const HostCall& call, size_t i);

// The integer values of input `i` (int32 or int64 tensor); `what` names it in errors.
std::vector<int64_t> readInts(const HostCall& call, size_t i, const char* what);
// Input `i` as a scalar int32/int64 (a one-element tensor of rank 0 or 1).
int64_t readScalarInt(const HostCall& call, size_t i, const char* what);

// Maps a position in [-n, n - 1] (or [-n, n] when `allowEnd`) to [0, n - 1] ([0, n]); fails otherwise.
size_t normalizePosition(const HostCall& call, int64_t pos, size_t n, bool allowEnd);
// Maps an axis in [-rank, rank - 1] to [0, rank - 1]; fails otherwise.
size_t normalizeAxis(const HostCall& call, int64_t axis, int64_t rank);

// Fails when `t` cannot join a sequence holding `elements` (its dtype differs
// from theirs, or, for an empty sequence, from the declared element dtype of output `out`).
void checkElementDType(const HostCall& call, const std::vector<Tensor>& elements, const Tensor& t,
                       size_t out = 0);

// Views a shape as [outer, shape[axis], inner] around `axis`.
struct AxisView {
  int64_t outer = 1, len = 1, inner = 1;
};
AxisView viewAround(const std::vector<int64_t>& shape, size_t axis);

// For o < outer, k < count: dst[o, dstOff + k, :] = src[o, srcOff + k, :], where the
// middle axes have lengths srcLen and dstLen and the rows `inner` elements.
void copyBlocks(const Tensor& src, Tensor& dst, int64_t outer, int64_t inner, int64_t srcLen, int64_t srcOff,
                int64_t dstLen, int64_t dstOff, int64_t count);

}  // namespace kiln::runtime::seq
