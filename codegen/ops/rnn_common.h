// The recurrence driver shared by the RNN, GRU and LSTM emitters
// (codegen/ops/rnn_cells.cpp), ONNX opset 14.
//
// One kernel runs the whole sequence: each batch entry is independent, so the
// batch is the parallel loop; inside it every direction walks its time steps
// in order (reverse: from the entry's last valid step back to 0) and calls the
// op's cell, which reads x_t and the previous state and updates the state in
// place. The state lives in stack scratch; after every step h is copied to Y,
// and at the end to Y_h (and c to Y_c). Steps past an entry's sequence_lens
// write zeros to Y. Arithmetic is in f32 (f64 for f64 tensors).
#pragma once

#include <functional>

#include "codegen/kernel_context.h"
#include "ir/shape_rules/rnn_params.h"

namespace kiln::codegen {

// What a cell sees for one direction and one time step.
struct RnnStep {
  int64_t dir;                     // direction index (0, or 1 for bidirectional's reverse)
  const ir::RnnActivationFn* act;  // this direction's activation functions
  llvm::Value* x;                  // offset of x_t (input elements) in X
  llvm::Value* h;                  // scratch: hidden state, updated in place
  llvm::Value* c;                  // scratch: LSTM cell state (else nullptr)
  llvm::Value* gates;              // scratch: G * hidden values
  llvm::Value* aux;                // scratch: hidden values (GRU's r * h)
};

struct RnnShape {
  ir::RnnParams params;
  int64_t gates, seq, batch, input, hidden;
  DType dtype, ct;  // tensor dtype, compute dtype
};

RnnShape rnnShape(const KernelContext& ctx, int64_t gates, const std::vector<std::string>& defaults);

// Runs the recurrence; `cell` emits one step.
void emitRecurrence(KernelContext& ctx, const RnnShape& s, bool lstm,
                    const std::function<void(const RnnStep&)>& cell);

// ---- pieces for the cells
// sum_i W[dir, row, i] * x[i] + sum_k R[dir, row, k] * h[k] + Wb[dir, row] + Rb[dir, row]
// for `rows` consecutive gate rows starting at `row0`, stored to gates[row0 ...].
// `h` may be nullptr (no recurrent term) and `withRb` drops R's bias.
void emitGateRows(KernelContext& ctx, const RnnShape& s, const RnnStep& st, int64_t row0, int64_t rows,
                  llvm::Value* h, bool withRb);
// R's bias Rb[dir, row] (0 without B), in the compute type.
llvm::Value* recurrentBias(KernelContext& ctx, const RnnShape& s, int64_t dir, llvm::Value* row);
// f(v) for an activation function; on gate pre-activations (`clip`) the node's
// clip is applied first.
llvm::Value* applyActivation(KernelContext& ctx, const RnnShape& s, const ir::RnnActivationFn& f,
                             llvm::Value* v, bool clip = true);
// sum_k a[aOff + k] * v[vOff + k] over n elements of dtypes at and vt, in compute type ct.
llvm::Value* dotProduct(KernelContext& ctx, DType ct, DType at, llvm::Value* a, llvm::Value* aOff, DType vt,
                        llvm::Value* v, llvm::Value* vOff, int64_t n);

}  // namespace kiln::codegen
