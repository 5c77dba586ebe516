#!/usr/bin/python3
"""Writes op test cases for the signal family (DFT, STFT, HannWindow,
HammingWindow, BlackmanWindow, MelWeightMatrix) for tests/ops/run_cases.py.

    gen_signal.py OUTDIR

Lengths that determine output shapes (dft_length, frame_step, frame_length,
window sizes, num_mel_bins) are initializers. DFT and STFT outputs are
declared with symbolic dims: ONNX 1.12's STFT shape inference ignores the
onesided default. Not covered here because ONNX Runtime (the oracle) differs:
complex STFT input (ORT 1.30's result disagrees with numpy.fft; Kiln's agrees)
and mel filters past the Nyquist bin (ORT rejects them; Kiln clips them to
the matrix). Fixed seed.
"""

import os
import sys

import numpy as np
from onnx import TensorProto

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from graph_case import write_node_case  # noqa: E402

rng = np.random.default_rng(20240613)


def f32(shape):
    return rng.standard_normal(shape).astype(np.float32)


def gen_dft(out):
    cases = [
        ("real_axis1", (2, 16, 1), {"axis": 1}, None),
        ("real_4d_axis1", (3, 7, 5, 1), {"axis": 1}, None),
        ("real_4d_axis2", (3, 7, 5, 1), {"axis": 2}, None),
        ("real_axis_neg2", (2, 3, 12, 1), {"axis": -2}, None),
        ("complex", (2, 9, 2), {"axis": 1}, None),
        ("complex_4d_axis2", (2, 4, 6, 2), {"axis": 2}, None),
        ("inverse", (2, 10, 2), {"axis": 1, "inverse": 1}, None),
        ("inverse_real", (3, 8, 1), {"axis": 1, "inverse": 1}, None),
        ("onesided_even", (2, 16, 1), {"axis": 1, "onesided": 1}, None),
        ("onesided_odd", (2, 4, 15, 1), {"axis": 2, "onesided": 1}, None),
        ("length_pad", (2, 10, 1), {"axis": 1}, 16),
        ("length_truncate", (2, 10, 2), {"axis": 1}, 6),
        ("length_onesided", (1, 9, 1), {"axis": 1, "onesided": 1}, 12),
        ("long", (1, 256, 1), {"axis": 1}, None),
    ]
    for name, shape, attrs, length in cases:
        inputs = [("x", f32(shape))]
        if length is not None:
            inputs.append(("dft_length", np.array(length, np.int64), "c"))
        write_node_case(out, f"dft_{name}", "DFT", inputs, ["y"], attrs,
                        output_types={"y": (TensorProto.FLOAT, len(shape))})
    write_node_case(out, "dft_f64", "DFT", [("x", rng.standard_normal((2, 12, 2)))], ["y"], {"axis": 1},
                    output_types={"y": (TensorProto.DOUBLE, 3)})


def gen_stft(out):
    cases = [
        ("frame_length", (1, 128, 1), 8, None, 16, {}),
        ("window", (2, 100, 1), 10, np.hanning(20).astype(np.float32), None, {}),
        ("window_and_length", (2, 64, 1), 4, np.hamming(16).astype(np.float32), 16, {}),
        ("twosided", (1, 50, 1), 7, None, 9, {"onesided": 0}),
        ("one_frame", (1, 12, 1), 3, None, 12, {}),
    ]
    for name, shape, step, window, length, attrs in cases:
        inputs = [("signal", f32(shape)), ("frame_step", np.array(step, np.int64), "c"),
                  ("window", window) if window is not None else None,
                  ("frame_length", np.array(length, np.int64), "c") if length is not None else None]
        write_node_case(out, f"stft_{name}", "STFT", inputs, ["y"], attrs,
                        output_types={"y": (TensorProto.FLOAT, 4)})


def gen_windows(out):
    for op in ("HannWindow", "HammingWindow", "BlackmanWindow"):
        low = op[:-len("Window")].lower()
        for size in (1, 2, 10, 33):
            for periodic in (1, 0):
                write_node_case(out, f"{low}_{size}_{'periodic' if periodic else 'symmetric'}", op,
                                [("size", np.array(size, np.int64), "c")], ["y"], {"periodic": periodic})
        write_node_case(out, f"{low}_f64", op, [("size", np.array(16, np.int32), "c")], ["y"],
                        {"output_datatype": TensorProto.DOUBLE})


def gen_mel(out):
    cases = [
        ("8_16", 8, 16, 8192, 0.0, 4096.0),
        ("20_512", 20, 512, 16000, 20.0, 8000.0),
        ("40_1024", 40, 1024, 22050, 80.0, 7600.0),
    ]
    for name, mels, length, rate, lo, hi in cases:
        write_node_case(out, f"melweightmatrix_{name}", "MelWeightMatrix",
                        [("num_mel_bins", np.array(mels, np.int64), "c"),
                         ("dft_length", np.array(length, np.int64), "c"),
                         ("sample_rate", np.array(rate, np.int64)),
                         ("lower_edge_hertz", np.array(lo, np.float32)),
                         ("upper_edge_hertz", np.array(hi, np.float32))], ["y"])


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    gen_dft(out)
    gen_stft(out)
    gen_windows(out)
    gen_mel(out)


if __name__ == "__main__":
    main()
