/* kiln.h — the C API of the Kiln inference runtime.
 *
 * The one boundary that programs, bindings and (later) AOT-compiled model
 * libraries use. A model is loaded from an ONNX file, compiled by LLVM for the
 * host CPU on first use, and run on named input tensors.
 *
 * Tensors are dense, row-major (C order). Element types use the numbering of
 * ONNX TensorProto.DataType (onnx/onnx.proto): 1 = float32, 7 = int64, ...
 *
 * Errors: functions returning a pointer return NULL on failure and functions
 * returning int return non-zero; kiln_last_error() then describes the failure
 * (thread-local, valid until the next Kiln call on that thread).
 *
 * Thread safety: a kiln_model may be run from several threads at once.
 */
#ifndef KILN_H
#define KILN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum kiln_dtype {
  KILN_FLOAT32 = 1,
  KILN_UINT8 = 2,
  KILN_INT8 = 3,
  KILN_INT32 = 6,
  KILN_INT64 = 7,
  KILN_BOOL = 9,
  KILN_FLOAT64 = 11
} kiln_dtype;

/* A view of a tensor. For inputs, `data` and `shape` are borrowed for the
 * duration of the call. For outputs they are owned by the kiln_result. */
typedef struct kiln_tensor {
  int32_t dtype;        /* kiln_dtype */
  int32_t rank;         /* number of dims, 0 for a scalar */
  const int64_t* shape; /* rank entries */
  void* data;           /* product(shape) elements */
} kiln_tensor;

typedef struct kiln_options {
  int32_t threads;   /* worker threads for one run; 0 = 1 */
  int32_t opt_level; /* 0..3, like -O0..-O3; default 3 */
} kiln_options;

typedef struct kiln_model kiln_model;
typedef struct kiln_result kiln_result;

void kiln_options_init(kiln_options* options);

/* Loads, checks and imports an ONNX model. Compilation happens at the first
 * run for each distinct set of input shapes. NULL on error. */
kiln_model* kiln_model_load(const char* onnx_path, const kiln_options* options);
void kiln_model_free(kiln_model* model);

size_t kiln_model_num_inputs(const kiln_model* model);
size_t kiln_model_num_outputs(const kiln_model* model);
const char* kiln_model_input_name(const kiln_model* model, size_t index);
const char* kiln_model_output_name(const kiln_model* model, size_t index);

/* Runs the model. `names[i]` names the graph input that `inputs[i]` feeds; every
 * graph input must be given exactly once. NULL on error (wrong dtype, rank or
 * shape, unknown name, unsupported op). */
kiln_result* kiln_model_run(kiln_model* model, size_t num_inputs, const char* const* names,
                            const kiln_tensor* inputs);

/* Runs the model into buffers the caller owns. Inputs are given as for
 * kiln_model_run. `outputs[j]` receives graph output j (kiln_model_output_name
 * order, `num_outputs` must be their count): its dtype, rank and shape must be
 * exactly those the model produces for these inputs (the ones kiln_model_run
 * returns; an error message names the expected shape), and `data` must point
 * to a dense buffer of that size which does not overlap any input. Nothing is
 * written to `outputs[j]` itself, only to `outputs[j].data`. Returns 0, or
 * non-zero on error (see kiln_last_error()).
 *
 * For a model without control flow or data-dependent shapes, the model keeps
 * the compiled code and the working memory (arena) of the last input shapes:
 * repeated calls with inputs of the same shapes read the inputs in place,
 * write the outputs directly and make no heap allocation. Other models run as
 * kiln_model_run does and copy their outputs into the buffers. */
int kiln_model_run_into(kiln_model* model, size_t num_inputs, const char* const* names,
                        const kiln_tensor* inputs, size_t num_outputs, const kiln_tensor* outputs);

size_t kiln_result_num_outputs(const kiln_result* result);
const char* kiln_result_output_name(const kiln_result* result, size_t index);
/* Borrowed view of output `index`; valid until kiln_result_free. */
kiln_tensor kiln_result_output(const kiln_result* result, size_t index);
void kiln_result_free(kiln_result* result);

const char* kiln_last_error(void);

#ifdef __cplusplus
}
#endif

#endif /* KILN_H */
