// Counts heap allocations made by any thread of the process, for tests that
// assert a code path allocates nothing (tests/unit/test_zero_alloc.cpp,
// tests/capi/test_capi.cpp). Linking alloc_counter.cpp into a test binary
// replaces the global operator new/delete and, outside sanitizer builds,
// malloc/calloc/realloc/aligned_alloc/posix_memalign/memalign/valloc (which
// forward to glibc's __libc_* functions), so allocations made inside shared
// libraries (libstdc++, LLVM, libkiln.so) are seen too.
#pragma once

#include <cstdint>

namespace kiln::testing {

// Whether malloc and friends are counted (false under AddressSanitizer, which
// owns them; operator new is counted either way).
bool countsMalloc();

// Number of allocations (by any thread) while `fn` runs.
template <typename Fn>
int64_t allocationsDuring(Fn&& fn);

void startCountingAllocations();
int64_t stopCountingAllocations();  // the count since start

template <typename Fn>
int64_t allocationsDuring(Fn&& fn) {
  startCountingAllocations();
  fn();
  return stopCountingAllocations();
}

}  // namespace kiln::testing
