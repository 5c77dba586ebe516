#!/usr/bin/python3
"""Writes op test cases for the linalg family (MatMul, Gemm, Softmax,
ReduceMean/ReduceSum/ReduceMax) for tests/ops/run_cases.py.

    gen_linalg.py OUTDIR

Each case is OUTDIR/<case>/model.onnx (one node; shape-determining inputs such
as axes are initializers) plus input_<k>.npy per graph input, from a fixed
seed. Sizes sit below, at and above common vector widths (1, 7, 16, 33, ...).
"""

import os
import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from op_case import OPSET, shape_name, write_case  # noqa: E402

rng = np.random.default_rng(20240607)


def rand(shape, dtype=np.float32, scale=1.0):
    if np.issubdtype(dtype, np.integer):
        return rng.integers(-50, 50, size=shape).astype(dtype)
    return (rng.standard_normal(shape) * scale).astype(dtype)


def gen_matmul(out):
    for m, k, n in [(1, 1, 1), (7, 5, 3), (16, 16, 16), (33, 17, 9), (4, 64, 100), (64, 128, 96)]:
        write_case(out, f"matmul_{m}x{k}x{n}", "MatMul", [("a", rand((m, k))), ("b", rand((k, n)))])
    # numpy promotion of 1-D operands and batch broadcasting
    for sa, sb in [((5,), (5, 7)), ((6, 5), (5,)), ((33,), (33,)), ((5,), (2, 5, 7)),
                   ((2, 3, 4, 5), (5,)), ((2, 3, 4, 5), (5, 6)), ((3, 4, 5), (3, 5, 6)),
                   ((2, 1, 4, 5), (3, 5, 6)), ((1, 4, 5), (2, 5, 6)), ((2, 4, 16), (1, 16, 33)),
                   ((4, 5), (2, 3, 5, 17)), ((2, 1, 3, 7), (1, 4, 7, 1))]:
        write_case(out, f"matmul_{shape_name(sa)}_{shape_name(sb)}", "MatMul",
                   [("a", rand(sa)), ("b", rand(sb))])
    write_case(out, "matmul_k0", "MatMul", [("a", rand((3, 0))), ("b", rand((0, 4)))])
    write_case(out, "matmul_f64", "MatMul", [("a", rand((7, 9), np.float64)), ("b", rand((9, 5), np.float64))])
    write_case(out, "matmul_i32", "MatMul", [("a", rand((7, 9), np.int32)), ("b", rand((9, 17), np.int32))])
    write_case(out, "matmul_i64", "MatMul", [("a", rand((3, 8), np.int64)), ("b", rand((8,), np.int64))])
    # B as a weight initializer, as exported models have it
    write_case(out, "matmul_weight_init", "MatMul", [("a", rand((2, 7, 33)))],
               consts={1: ("w", rand((33, 16)))})


def gen_gemm(out):
    for m, k, n in [(1, 1, 1), (7, 5, 3), (16, 16, 16), (33, 17, 9), (64, 256, 128)]:
        for ta in (0, 1):
            for tb in (0, 1):
                a = rand((k, m) if ta else (m, k))
                b = rand((n, k) if tb else (k, n))
                write_case(out, f"gemm_{m}x{k}x{n}_ta{ta}_tb{tb}", "Gemm",
                           [("a", a), ("b", b), ("c", rand((n,)))], {"transA": ta, "transB": tb})
    m, k, n = 7, 9, 16
    for cshape in [(), (1,), (n,), (1, n), (m, 1), (m, n)]:
        write_case(out, f"gemm_c_{shape_name(cshape)}", "Gemm",
                   [("a", rand((m, k))), ("b", rand((k, n))), ("c", rand(cshape))],
                   {"alpha": 0.5, "beta": -2.0})
    write_case(out, "gemm_no_c", "Gemm", [("a", rand((m, k))), ("b", rand((n, k)))],
               {"transB": 1, "alpha": 1.5})
    write_case(out, "gemm_beta0", "Gemm", [("a", rand((m, k))), ("b", rand((k, n))), ("c", rand((n,)))],
               {"beta": 0.0})
    write_case(out, "gemm_linear_layer", "Gemm", [("a", rand((4, 33)))],
               {"transB": 1}, consts={1: ("w", rand((17, 33))), 2: ("bias", rand((17,)))})
    write_case(out, "gemm_f64", "Gemm",
               [("a", rand((5, 7), np.float64)), ("b", rand((7, 3), np.float64)), ("c", rand((3,), np.float64))],
               {"alpha": 2.0, "beta": 0.5})


def gen_softmax(out):
    cases = [((1,), -1), ((7,), 0), ((3, 16), -1), ((2, 3, 33), -1), ((2, 3, 33), 1), ((2, 3, 33), 0),
             ((2, 5, 7, 3), 1), ((2, 5, 7, 3), -3), ((2, 4, 300), 1), ((3, 600, 2), 0), ((64, 1000), -1)]
    for shape, axis in cases:
        write_case(out, f"softmax_{shape_name(shape)}_axis{axis}", "Softmax",
                   [("x", rand(shape, scale=3.0))], {"axis": axis})
    write_case(out, "softmax_default_axis", "Softmax", [("x", rand((4, 9)))])
    # Large logits overflow exp() unless the max is subtracted first.
    write_case(out, "softmax_large_logits", "Softmax", [("x", rand((5, 17), scale=200.0))])
    write_case(out, "softmax_f64", "Softmax", [("x", rand((3, 11), np.float64))], {"axis": -1})
    # Before opset 13 Softmax normalizes over everything from `axis` on (the
    # input coerced to 2-D); the importer marks it with legacy_coerce_2d.
    for axis in (1, 2, -1):
        write_case(out, f"softmax_opset11_3x4x5_axis{axis}", "Softmax", [("x", rand((3, 4, 5)))],
                   {"axis": axis}, opset=11)
    write_case(out, "softmax_opset11_default_axis", "Softmax", [("x", rand((2, 3, 7)))], opset=11)


def reduce_case(out, op, shape, axes, keepdims=1, dtype=np.float32, noop=None):
    """ReduceSum takes axes as an input since opset 13; ReduceMean/ReduceMax
    only from opset 18, so at opset 17 they carry the attribute (the importer
    turns it into the input)."""
    attrs = {"keepdims": keepdims}
    if noop is not None:
        attrs["noop_with_empty_axes"] = noop
    consts = {}
    if axes is not None:
        if op == "ReduceSum":
            consts = {1: ("axes", np.array(axes, dtype=np.int64))}
        else:
            attrs["axes"] = axes
    axes_name = "all" if axes is None else ("none" if axes == [] else "_".join(str(a) for a in axes))
    name = f"{op.lower()}_{shape_name(shape)}_axes{axes_name}_keep{keepdims}"
    if dtype != np.float32:
        name += "_" + np.dtype(dtype).name
    if noop is not None:
        name += f"_noop{noop}"
    write_case(out, name, op, [("x", rand(shape, dtype))], attrs, consts)


def gen_reduce(out):
    for op in ("ReduceMean", "ReduceSum", "ReduceMax"):
        for shape, axes in [((7,), [0]), ((16, 33), [0]), ((16, 33), [1]), ((2, 3, 4), [1]),
                            ((2, 3, 4), [-1]), ((2, 3, 4), [0, 2]), ((2, 3, 4), None),
                            ((1, 3, 1, 5), [0, 2]), ((2, 3, 4, 5), [2, 3]), ((2, 3, 4, 5), [1, 3]),
                            ((64, 1024), [-1]), ((128, 512), [0]), ((8, 256, 64), [1])]:
            for keepdims in (0, 1):
                reduce_case(out, op, shape, axes, keepdims)
    for op in ("ReduceSum", "ReduceMax"):
        reduce_case(out, op, (5, 33), [1], 1, np.int64)
        reduce_case(out, op, (4, 7, 3), [0, 2], 0, np.int32)
    # Empty axes input: reduce everything, or nothing with noop_with_empty_axes.
    reduce_case(out, "ReduceSum", (3, 17), [], 1, noop=0)
    reduce_case(out, "ReduceSum", (3, 17), [], 1, noop=1)
    reduce_case(out, "ReduceMean", (33,), None, 0)


def main():
    if len(sys.argv) != 2:
        sys.exit(f"usage: {sys.argv[0]} OUTDIR")
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    gen_matmul(out)
    gen_gemm(out)
    gen_softmax(out)
    gen_reduce(out)


if __name__ == "__main__":
    main()
