/* The C ABI between an AOT-compiled model library (codegen/aot_library.h) and
 * Kiln's small runtime, which is linked into that library statically and kept
 * local to it. The library's generated entry points (NAME_create, NAME_run,
 * ... and the generic kiln_aot_* ones) call these with the plan and kernel
 * table embedded in the library.
 *
 * Errors: kiln_rt_create returns NULL and kiln_rt_run returns non-zero;
 * kiln_rt_last_error() then describes the failure (thread-local; valid until
 * the thread's next call). */
#ifndef KILN_RT_H
#define KILN_RT_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef void (*kiln_rt_kernel)(void* const* args, int64_t begin, int64_t end);
typedef struct kiln_rt_model kiln_rt_model;

/* Decodes the plan (runtime/model_plan.h), binds kernels[i] to the plan's
 * i-th kernel, checks that this CPU has every feature the kernels were
 * compiled for, and makes a model that runs on `num_threads` threads (>= 1).
 * The plan and kernels must outlive the model. */
kiln_rt_model* kiln_rt_create(const uint8_t* plan, uint64_t plan_size, const kiln_rt_kernel* kernels,
                              uint64_t num_kernels, int32_t num_threads);

/* Runs once: inputs[i] and outputs[i] point to dense row-major buffers of the
 * plan's dtypes and shapes (in its input and output order). One thread at a
 * time per model. Returns 0, or non-zero on error. */
int32_t kiln_rt_run(kiln_rt_model* model, const void* const* inputs, void* const* outputs);

void kiln_rt_destroy(kiln_rt_model* model);
const char* kiln_rt_last_error(void);

#ifdef __cplusplus
}
#endif

#endif
