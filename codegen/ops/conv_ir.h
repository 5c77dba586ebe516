// Small IR-building helpers shared by the conv-family emitters: index
// arithmetic on i64 values, splitting a parallel index into nest coordinates,
// constant lookup tables, and loop forms. The arithmetic helpers drop adds of
// 0 and multiplies by 1, and IRBuilder folds constant operands, so static
// geometry stays constant in the IR.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "codegen/kernel_context.h"

namespace kiln::codegen::convir {

// a + b and a * b on i64 with no signed wrap (all indices here are in range).
llvm::Value* add(const KernelContext& ctx, llvm::Value* a, llvm::Value* b);
llvm::Value* add(const KernelContext& ctx, llvm::Value* a, int64_t b);
llvm::Value* mul(const KernelContext& ctx, llvm::Value* a, int64_t b);
// base * extent + index: one step of a row-major linearization.
llvm::Value* nest(const KernelContext& ctx, llvm::Value* base, int64_t extent, llvm::Value* index);
// lo <= v < hi (v signed).
llvm::Value* inRange(const KernelContext& ctx, llvm::Value* v, int64_t lo, int64_t hi);

// Coordinates of `flat` in a row-major nest of `extents` (outermost first).
// Unit extents get the constant 0.
std::vector<llvm::Value*> splitIndex(const KernelContext& ctx, llvm::Value* flat,
                                     const std::vector<int64_t>& extents);

// a * b + c, contractible to an FMA.
llvm::Value* fmulAdd(const KernelContext& ctx, llvm::Value* a, llvm::Value* b, llvm::Value* c);

// Private constant arrays in the kernel's module; they return the array's address.
llvm::Value* floatTable(const KernelContext& ctx, DType t, const std::vector<double>& values,
                        const std::string& name);
llvm::Value* indexTable(const KernelContext& ctx, const std::vector<int64_t>& values,
                        const std::string& name);
// Element i of an indexTable, widened to i64.
llvm::Value* loadIndex(const KernelContext& ctx, llvm::Value* table, llvm::Value* i);

// for (i = lo; i < hi; ++i) body(i), marked so that LLVM does not unroll it:
// for loops whose body is already a large register-blocked block, where
// unrolling only multiplies compile time and code size.
void loopNoUnroll(KernelContext& ctx, int64_t lo, int64_t hi, const KernelContext::Body& body);
// The same over [0, count) for a run-time count that is at least 1.
void loopNoUnroll(KernelContext& ctx, llvm::Value* count, const KernelContext::Body& body);
// The same, also marked not to vectorize: for short loops of scalar edge work
// that vector code would only make longer to compile.
void loopScalar(KernelContext& ctx, int64_t lo, int64_t hi, const KernelContext::Body& body);

// for (i = 0; i < extent; ++i) body(i); a unit extent is just body(0).
void forEach(KernelContext& ctx, int64_t extent, const KernelContext::Body& body);

// Runs body() under cond() when `check` is set, unconditionally otherwise
// (the geometry proved the condition always holds).
void guard(KernelContext& ctx, bool check, const std::function<llvm::Value*()>& cond,
           const std::function<void()>& body);

}  // namespace kiln::codegen::convir
