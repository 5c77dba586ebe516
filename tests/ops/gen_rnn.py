#!/usr/bin/python3
"""Writes op test cases for the recurrent family (RNN, GRU, LSTM) for
tests/ops/run_cases.py.

    gen_rnn.py OUTDIR

Covers the three directions, biases, initial states, sequence_lens shorter
than the sequence, peepholes, GRU's linear_before_reset, LSTM's input_forget,
clip and non-default activation functions, with every output (Y, Y_h, Y_c)
read. ONNX Runtime (the oracle) has no f64 kernels and no layout = 1, so
those forms are left to the ONNX conformance cases (test_*_batchwise). Weights are the graph's initializers, as in exported
models. Fixed seed.
"""

import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from graph_case import write_node_case  # noqa: E402

rng = np.random.default_rng(20240612)
GATES = {"RNN": 1, "GRU": 3, "LSTM": 4}


def f32(shape, scale=0.5):
    return (rng.standard_normal(shape) * scale).astype(np.float32)


def case(out, name, op, seq, batch, inp, hidden, attrs=None, bias=True, seq_lens=None, init=False,
         peep=False, layout=0, outputs=None, dtype=np.float32):
    attrs = dict(attrs or {})
    attrs["hidden_size"] = hidden
    if layout:
        attrs["layout"] = layout
    dirs = 2 if attrs.get("direction") == "bidirectional" else 1
    g = GATES[op]
    x = f32((batch, seq, inp) if layout else (seq, batch, inp)).astype(dtype)
    state = (batch, dirs, hidden) if layout else (dirs, batch, hidden)
    inputs = [("X", x), ("W", f32((dirs, g * hidden, inp)).astype(dtype), "c"),
              ("R", f32((dirs, g * hidden, hidden)).astype(dtype), "c"),
              ("B", f32((dirs, 2 * g * hidden)).astype(dtype), "c") if bias else None,
              ("sequence_lens", np.array(seq_lens, np.int32)) if seq_lens is not None else None,
              ("initial_h", f32(state).astype(dtype)) if init else None]
    if op == "LSTM":
        inputs.append(("initial_c", f32(state).astype(dtype)) if init else None)
        inputs.append(("P", f32((dirs, 3 * hidden)).astype(dtype), "c") if peep else None)
    if outputs is None:
        outputs = ["Y", "Y_h", "Y_c"] if op == "LSTM" else ["Y", "Y_h"]
    write_node_case(out, name, op, inputs, outputs, attrs)


def gen(out):
    for op in ("RNN", "GRU", "LSTM"):
        low = op.lower()
        for d in ("forward", "reverse", "bidirectional"):
            case(out, f"{low}_{d}", op, 5, 3, 4, 6, {"direction": d}, init=True)
            case(out, f"{low}_{d}_seq_lens", op, 6, 4, 3, 5, {"direction": d}, seq_lens=[6, 3, 1, 4])
        case(out, f"{low}_no_bias", op, 4, 2, 3, 7, bias=False)
        case(out, f"{low}_batch1_long", op, 17, 1, 8, 16)
        case(out, f"{low}_only_y_h", op, 3, 2, 3, 4, outputs=["", "Y_h"])
        case(out, f"{low}_only_y", op, 3, 2, 3, 4, outputs=["Y"])
        case(out, f"{low}_clip", op, 5, 2, 3, 4, {"clip": 0.4}, init=True)
    case(out, "rnn_relu", "RNN", 4, 2, 3, 5, {"activations": ["Relu"]}, init=True)
    case(out, "rnn_bidirectional_activations", "RNN", 4, 2, 3, 5,
         {"direction": "bidirectional", "activations": ["Tanh", "Sigmoid"]})
    case(out, "rnn_leakyrelu_alpha", "RNN", 3, 2, 3, 4, {"activations": ["LeakyRelu"], "activation_alpha": [0.2]})
    case(out, "gru_linear_before_reset", "GRU", 5, 3, 4, 6, {"linear_before_reset": 1}, init=True)
    case(out, "gru_linear_before_reset_bidirectional", "GRU", 5, 3, 4, 6,
         {"linear_before_reset": 1, "direction": "bidirectional"}, seq_lens=[5, 2, 4])
    case(out, "gru_activations", "GRU", 4, 2, 3, 5,
         {"activations": ["HardSigmoid", "Softsign"], "activation_alpha": [0.3], "activation_beta": [0.4]})
    case(out, "lstm_peepholes", "LSTM", 5, 3, 4, 6, init=True, peep=True)
    case(out, "lstm_peepholes_bidirectional_seq_lens", "LSTM", 6, 3, 2, 4, {"direction": "bidirectional"},
         seq_lens=[6, 4, 2], init=True, peep=True)
    case(out, "lstm_activations", "LSTM", 4, 2, 3, 5,
         {"activations": ["HardSigmoid", "Tanh", "Softsign"], "activation_alpha": [0.25],
          "activation_beta": [0.45]}, init=True)
    case(out, "lstm_input_forget", "LSTM", 4, 2, 3, 5, {"input_forget": 1}, init=True, peep=True)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    gen(out)


if __name__ == "__main__":
    main()
