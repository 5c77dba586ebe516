#!/usr/bin/python3
"""Writes op test cases for the quantization family (QuantizeLinear,
DequantizeLinear, DynamicQuantizeLinear, MatMulInteger, QLinearMatMul,
ConvInteger, QLinearConv) for tests/ops/run_cases.py.

    gen_quant.py OUTDIR

Covers per-tensor and per-axis parameters, u8 and i8, rounding ties (half to
even), saturation, absent zero points, batch broadcasting, padding, strides,
dilations and groups. Fixed seed.
"""

import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from graph_case import write_node_case  # noqa: E402

rng = np.random.default_rng(20240611)


def q(shape, dtype):
    info = np.iinfo(dtype)
    return rng.integers(info.min, info.max + 1, size=shape).astype(dtype)


def qw(shape, dtype):
    """Weights for products with u8 activations. ONNX Runtime's x86 u8 x s8
    kernels (vpmaddubsw) saturate pairs of products to i16, so its results are
    exact only while 2 * 255 * |w| fits: s8 weights stay within [-63, 63]."""
    if dtype == np.int8:
        return rng.integers(-63, 64, size=shape).astype(dtype)
    return q(shape, dtype)


def f32(shape, scale=1.0):
    return (rng.standard_normal(shape) * scale).astype(np.float32)


def gen_quantize(out):
    # Values on exact ties of x / scale (k + 0.5) check round half to even.
    ties = (np.arange(-12, 12, dtype=np.float32) + 0.5) * 0.5
    for zt in (np.uint8, np.int8):
        zp = np.array(3 if zt == np.uint8 else -2, dtype=zt)
        write_node_case(out, f"quantize_ties_{zt.__name__}", "QuantizeLinear",
                        [("x", ties), ("s", np.float32(0.5)), ("z", zp)], ["y"])
        write_node_case(out, f"quantize_saturate_{zt.__name__}", "QuantizeLinear",
                        [("x", f32((4, 33), 200.0)), ("s", np.float32(0.7), "c"), ("z", zp, "c")], ["y"])
    write_node_case(out, "quantize_no_zp", "QuantizeLinear",
                    [("x", f32((2, 3, 5), 30.0)), ("s", np.float32(0.25))], ["y"])
    for axis, shape in [(1, (2, 3, 4, 5)), (0, (3, 7)), (-1, (2, 3, 6)), (3, (1, 2, 2, 9))]:
        c = shape[axis]
        scale = (rng.random(c) * 0.5 + 0.05).astype(np.float32)
        for zt in (np.uint8, np.int8):
            write_node_case(out, f"quantize_axis{axis}_{zt.__name__}", "QuantizeLinear",
                            [("x", f32(shape, 20.0)), ("s", scale), ("z", q((c,), zt))], ["y"],
                            {"axis": axis})


def gen_dequantize(out):
    for zt in (np.uint8, np.int8):
        write_node_case(out, f"dequantize_{zt.__name__}", "DequantizeLinear",
                        [("x", q((3, 17), zt)), ("s", np.float32(0.03)), ("z", q((), zt))], ["y"])
        for axis, shape in [(1, (2, 4, 3)), (0, (5, 2)), (-2, (2, 6, 7))]:
            c = shape[axis]
            write_node_case(out, f"dequantize_axis{axis}_{zt.__name__}", "DequantizeLinear",
                            [("x", q(shape, zt)), ("s", (rng.random(c) + 0.01).astype(np.float32)),
                             ("z", q((c,), zt))], ["y"], {"axis": axis})
    write_node_case(out, "dequantize_no_zp", "DequantizeLinear",
                    [("x", q((4, 4), np.uint8)), ("s", np.float32(0.5))], ["y"])
    write_node_case(out, "dequantize_i32", "DequantizeLinear",
                    [("x", rng.integers(-2**30, 2**30, size=(9,)).astype(np.int32)), ("s", np.float32(1e-3))],
                    ["y"])


def gen_dynamic(out):
    for name, x in [("mixed", f32((5, 7), 3.0)), ("positive", np.abs(f32((33,), 4.0)) + 0.5),
                    ("negative", -np.abs(f32((2, 3, 4))) - 0.1), ("ties", np.float32([0, 0.5, 1.5, 255, 2.5])),
                    ("zeros", np.zeros((6,), np.float32))]:
        write_node_case(out, f"dynamicquantize_{name}", "DynamicQuantizeLinear", [("x", x)],
                        ["y", "y_scale", "y_zero_point"])


def gen_matmulinteger(out):
    for at, bt in [(np.uint8, np.uint8), (np.uint8, np.int8), (np.int8, np.int8)]:
        tag = f"{at.__name__}_{bt.__name__}"
        write_node_case(out, f"matmulinteger_{tag}", "MatMulInteger",
                        [("a", q((7, 33), at)), ("b", qw((33, 9), bt)), ("az", q((), at)), ("bz", q((), bt))],
                        ["y"])
    write_node_case(out, "matmulinteger_no_zp", "MatMulInteger",
                    [("a", q((4, 5), np.uint8)), ("b", q((5, 16), np.uint8))], ["y"])
    write_node_case(out, "matmulinteger_b_zp_per_column", "MatMulInteger",
                    [("a", q((3, 8), np.uint8)), ("b", q((8, 5), np.uint8)), ("az", np.uint8(7)),
                     ("bz", q((5,), np.uint8))], ["y"])
    for sa, sb in [((2, 3, 4), (4, 5)), ((2, 1, 3, 6), (4, 6, 2)), ((5,), (2, 5, 3)), ((2, 3, 7), (7,))]:
        name = "x".join(map(str, sa)) + "_" + "x".join(map(str, sb))
        write_node_case(out, f"matmulinteger_batch_{name}", "MatMulInteger",
                        [("a", q(sa, np.uint8)), ("b", q(sb, np.uint8)), ("az", np.uint8(128)),
                         ("bz", np.uint8(100))], ["y"])


def gen_qlinearmatmul(out):
    for at, bt, yt in [(np.uint8, np.uint8, np.uint8), (np.int8, np.int8, np.int8), (np.uint8, np.int8, np.uint8)]:
        tag = f"{at.__name__}_{bt.__name__}_{yt.__name__}"
        for sa, sb in [((4, 16), (16, 7)), ((2, 3, 9), (2, 9, 5)), ((3, 2, 9), (9, 4))]:
            name = "x".join(map(str, sa)) + "_" + "x".join(map(str, sb))
            write_node_case(out, f"qlinearmatmul_{tag}_{name}", "QLinearMatMul",
                            [("a", q(sa, at)), ("as", np.float32(0.02)), ("az", q((), at)),
                             ("b", qw(sb, bt)), ("bs", np.float32(0.03)), ("bz", q((), bt)),
                             ("ys", np.float32(0.9)), ("yz", q((), yt))], ["y"])
    n = 6
    write_node_case(out, "qlinearmatmul_per_column", "QLinearMatMul",
                    [("a", q((5, 8), np.uint8)), ("as", np.float32(0.05)), ("az", np.uint8(120)),
                     ("b", qw((8, n), np.int8)), ("bs", (rng.random(n) * 0.05 + 0.01).astype(np.float32)),
                     ("bz", np.zeros((n,), np.int8)), ("ys", np.float32(0.7)), ("yz", np.uint8(128))], ["y"])



def gen_convinteger(out):
    cases = [
        ("2d", (1, 3, 7, 7), (4, 3, 3, 3), {}),
        ("2d_pads_strides", (2, 2, 9, 8), (3, 2, 3, 2), {"pads": [1, 0, 2, 1], "strides": [2, 1]}),
        ("2d_dilations", (1, 2, 9, 9), (2, 2, 3, 3), {"dilations": [2, 2], "pads": [2, 2, 2, 2]}),
        ("group", (1, 4, 6, 6), (6, 2, 3, 3), {"group": 2, "pads": [1, 1, 1, 1]}),
        ("1d", (2, 3, 17), (5, 3, 4), {"strides": [3]}),
        ("3d", (1, 2, 5, 5, 5), (2, 2, 2, 3, 2), {"pads": [1, 0, 1, 0, 1, 1]}),
        ("same_upper", (1, 2, 7, 6), (3, 2, 3, 3), {"auto_pad": "SAME_UPPER", "strides": [2, 2]}),
    ]
    for name, xs, ws, attrs in cases:
        write_node_case(out, f"convinteger_{name}", "ConvInteger",
                        [("x", q(xs, np.uint8)), ("w", q(ws, np.uint8)), ("xz", np.uint8(120)),
                         ("wz", np.uint8(131))], ["y"], attrs)
    write_node_case(out, "convinteger_no_zp", "ConvInteger",
                    [("x", q((1, 2, 5, 5), np.uint8)), ("w", q((2, 2, 2, 2), np.uint8))], ["y"])


def gen_qlinearconv(out):
    cases = [
        ("2d", (1, 3, 7, 7), (4, 3, 3, 3), {}),
        ("pads_strides", (2, 2, 9, 8), (3, 2, 3, 2), {"pads": [1, 0, 2, 1], "strides": [2, 1]}),
        ("group", (1, 4, 6, 6), (6, 2, 3, 3), {"group": 2, "pads": [1, 1, 1, 1]}),
        ("depthwise", (1, 3, 8, 8), (3, 1, 3, 3), {"group": 3, "pads": [1, 1, 1, 1]}),
        ("1d", (2, 3, 17), (5, 3, 4), {"strides": [3]}),
        ("dilations", (1, 2, 9, 9), (2, 2, 3, 3), {"dilations": [2, 2]}),
    ]
    for name, xs, ws, attrs in cases:
        m = ws[0]
        for wt in (np.uint8, np.int8):
            wz = np.uint8(128) if wt == np.uint8 else np.int8(0)
            write_node_case(out, f"qlinearconv_{name}_{wt.__name__}", "QLinearConv",
                            [("x", q(xs, np.uint8)), ("xs", np.float32(0.02)), ("xz", np.uint8(125)),
                             ("w", qw(ws, wt)), ("ws", np.float32(0.01)), ("wz", wz),
                             ("ys", np.float32(0.15)), ("yz", np.uint8(110)),
                             ("b", rng.integers(-3000, 3000, size=(m,)).astype(np.int32))], ["y"], attrs)
    # per-output-channel weight scales (int8 weights, zero points 0), no bias, i8 output
    m = 5
    write_node_case(out, "qlinearconv_per_channel", "QLinearConv",
                    [("x", q((1, 3, 6, 6), np.int8)), ("xs", np.float32(0.05)), ("xz", np.int8(-3)),
                     ("w", q((m, 3, 3, 3), np.int8)), ("ws", (rng.random(m) * 0.02 + 0.002).astype(np.float32)),
                     ("wz", np.zeros((m,), np.int8)), ("ys", np.float32(0.3)), ("yz", np.int8(4))], ["y"],
                    {"pads": [1, 1, 1, 1]})


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    gen_quantize(out)
    gen_dequantize(out)
    gen_dynamic(out)
    gen_matmulinteger(out)
    gen_qlinearmatmul(out)
    gen_convinteger(out)
    gen_qlinearconv(out)


if __name__ == "__main__":
    main()
