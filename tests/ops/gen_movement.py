#!/usr/bin/python3
"""Writes op test cases for the movement family (Shape, Reshape, Flatten,
Squeeze, Unsqueeze, Transpose, Concat, Slice, Gather, Expand) for
tests/ops/run_cases.py.

    gen_movement.py OUTDIR

Each case is OUTDIR/<case>/model.onnx (one node) plus input_<k>.npy per graph
input, from a fixed seed. Inputs that fix the output shape (Reshape's shape, Slice's
starts/ends, ...) are initializers: Kiln compiles shapes statically.
Movement kernels only move bytes, so each op is tried on dtypes of every
element size.
"""

import os
import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from op_case import OPSET, dtype_name, i64, shape_name, write_case  # noqa: E402

rng = np.random.default_rng(20240608)
INT64_MAX = np.iinfo(np.int64).max
INT64_MIN = np.iinfo(np.int64).min

# One dtype per element size (plus bool): 4, 8, 1, 2, 8, 1 bytes.
DTYPES = [np.float32, np.int64, np.uint8, np.int16, np.float64, np.bool_]


def rand(shape, dtype=np.float32):
    if dtype == np.bool_:
        return rng.integers(0, 2, size=shape).astype(np.bool_)
    if np.issubdtype(dtype, np.integer):
        info = np.iinfo(dtype)
        return rng.integers(max(info.min, -1000), min(info.max, 1000), size=shape, endpoint=True).astype(dtype)
    return rng.standard_normal(shape).astype(dtype)


def gen_shape(out):
    for start, end in [(None, None), (1, None), (None, -1), (1, 3), (-10, 100), (3, 1), (-2, None)]:
        attrs = {}
        if start is not None:
            attrs["start"] = start
        if end is not None:
            attrs["end"] = end
        write_case(out, f"shape_start{start}_end{end}", "Shape", [("x", rand((2, 3, 4, 5)))], attrs)
    write_case(out, "shape_scalar", "Shape", [("x", rand(()))])


def gen_reshape_family(out):
    for dtype in DTYPES:
        write_case(out, f"reshape_2x3x4_to_4x6_{dtype_name(dtype)}", "Reshape",
                   [("x", rand((2, 3, 4), dtype))], consts={1: ("shape", i64([4, 6]))})
    for src, shape in [((2, 3, 4), [0, -1]), ((2, 3, 4), [-1]), ((33,), [3, 11]), ((4, 8, 2), [8, 0, -1]),
                       ((1, 1), [1]), ((2, 3, 4), [0, 0, 2, 2]), ((2, 3, 4), [-1, 0, 4])]:
        write_case(out, f"reshape_{shape_name(src)}_to_{'_'.join(str(s) for s in shape)}", "Reshape",
                   [("x", rand(src))], consts={1: ("shape", i64(shape))})
    write_case(out, "reshape_allowzero", "Reshape", [("x", rand((0, 3)))],
               {"allowzero": 1}, consts={1: ("shape", i64([3, 0]))})
    for axis in [0, 1, 2, -1, 3]:
        write_case(out, f"flatten_axis{axis}", "Flatten", [("x", rand((2, 3, 4)))], {"axis": axis})
    write_case(out, "flatten_default_u16", "Flatten", [("x", rand((5, 7, 3), np.uint16))])
    for shape, axes in [((1, 3, 1, 5), [0, 2]), ((1, 3, 1, 5), [-2]), ((1, 3, 1, 5), None), ((1, 3, 1, 5), []),
                        ((7, 1), [1])]:
        consts = {1: ("axes", i64(axes))} if axes is not None else {}
        axes_name = "absent" if axes is None else ("_".join(str(a) for a in axes) or "empty")
        write_case(out, f"squeeze_{shape_name(shape)}_axes{axes_name}", "Squeeze",
                   [("x", rand(shape, np.int32))], consts=consts)
    for shape, axes in [((3, 5), [0]), ((3, 5), [-1]), ((3, 5), [1, 3]), ((), [0]), ((16,), [0, -1])]:
        write_case(out, f"unsqueeze_{shape_name(shape)}_axes{'_'.join(str(a) for a in axes)}", "Unsqueeze",
                   [("x", rand(shape, np.int8))], consts={1: ("axes", i64(axes))})


def gen_transpose(out):
    for shape, perm in [((7, 16), None), ((33, 7), [1, 0]), ((2, 3, 4), [0, 2, 1]), ((2, 3, 4), [2, 0, 1]),
                        ((2, 16, 33), None), ((2, 3, 4, 5), [0, 2, 3, 1]), ((2, 3, 4, 5), [0, 3, 1, 2]),
                        ((1, 5, 1, 7), [3, 2, 1, 0]), ((4, 1, 6), [1, 0, 2]), ((64, 300), [1, 0]),
                        ((3, 4, 5, 6, 2), [4, 0, 3, 1, 2])]:
        attrs = {"perm": perm} if perm is not None else {}
        perm_name = "default" if perm is None else "_".join(str(p) for p in perm)
        write_case(out, f"transpose_{shape_name(shape)}_perm{perm_name}", "Transpose", [("x", rand(shape))], attrs)
    for dtype in DTYPES[1:]:
        write_case(out, f"transpose_3x5x7_{dtype_name(dtype)}", "Transpose",
                   [("x", rand((3, 5, 7), dtype))], {"perm": [2, 0, 1]})


def gen_concat(out):
    for axis, shapes in [(0, [(2, 3), (5, 3)]), (1, [(2, 3), (2, 1), (2, 16)]), (-1, [(2, 3, 7), (2, 3, 33)]),
                         (1, [(2, 3, 4), (2, 0, 4), (2, 5, 4)]), (0, [(7,)]), (2, [(4, 3, 1), (4, 3, 1), (4, 3, 2), (4, 3, 5)]),
                         (-3, [(1, 2, 3), (3, 2, 3)]), (1, [(64, 200), (64, 300)])]:
        inputs = [(f"x{k}", rand(s)) for k, s in enumerate(shapes)]
        write_case(out, f"concat_axis{axis}_{'_'.join(shape_name(s) for s in shapes)}", "Concat", inputs, {"axis": axis})
    for dtype in DTYPES[1:]:
        write_case(out, f"concat_{dtype_name(dtype)}", "Concat",
                   [("a", rand((3, 5), dtype)), ("b", rand((3, 2), dtype))], {"axis": 1})
    # A constant operand, as shape arithmetic has it.
    write_case(out, "concat_with_initializer", "Concat", [("a", rand((2, 4)))], {"axis": 0},
               consts={1: ("b", rand((3, 4)))})


def slice_case(out, name, shape, starts, ends, axes=None, steps=None, dtype=np.float32):
    consts = {1: ("starts", i64(starts)), 2: ("ends", i64(ends))}
    if axes is not None:
        consts[3] = ("axes", i64(axes))
    if steps is not None:
        if axes is None:
            consts[3] = ("", None)
        consts[4] = ("steps", i64(steps))
    write_case(out, f"slice_{name}", "Slice", [("x", rand(shape, dtype))], consts=consts)


def gen_slice(out):
    slice_case(out, "basic", (7, 16), [1, 2], [5, 14])
    slice_case(out, "axes_subset", (4, 33, 5), [3], [30], axes=[1])
    slice_case(out, "negative_axis", (4, 33, 5), [-4], [-1], axes=[-2])
    slice_case(out, "clamped_ends", (5, 7), [0, 2], [100, INT64_MAX], axes=[0, 1])
    slice_case(out, "int64_min_start", (5, 7), [INT64_MIN], [3], axes=[1])
    slice_case(out, "step2", (16, 33), [1, 0], [16, 33], axes=[0, 1], steps=[2, 3])
    slice_case(out, "reverse", (7, 16), [-1], [INT64_MIN], axes=[1], steps=[-1])
    slice_case(out, "reverse_all", (3, 4, 5), [-1, -1, -1], [INT64_MIN] * 3, axes=[0, 1, 2], steps=[-1, -1, -1])
    slice_case(out, "neg_step2", (33,), [30], [2], axes=[0], steps=[-2])
    slice_case(out, "neg_step_clamped_start", (9, 4), [100], [-100], axes=[0], steps=[-3])
    slice_case(out, "empty", (5, 7), [4], [2], axes=[0])
    slice_case(out, "empty_neg_step", (5, 7), [1], [4], axes=[1], steps=[-1])
    slice_case(out, "huge_step", (5, 7), [2], [7], axes=[1], steps=[INT64_MAX])
    slice_case(out, "default_axes_steps", (6, 8), [1, 1], [5, 7], steps=[1, 2])
    slice_case(out, "last_row", (64, 300), [-1], [INT64_MAX], axes=[0])
    slice_case(out, "big_cols", (64, 1000), [10], [900], axes=[1])
    for dtype in DTYPES[1:]:
        slice_case(out, dtype_name(dtype), (6, 9), [1, 8], [5, 0], axes=[0, 1], steps=[1, -2], dtype=dtype)


def gen_gather(out):
    for shape, axis, idx in [((7,), 0, [0, 6, -1, 3]), ((5, 16), 0, [[0, 4], [-5, 2]]), ((5, 16), 1, [15, 0, -16]),
                             ((3, 4, 5), -1, [4, 0]), ((3, 4, 5), 1, 2), ((3, 4, 5), 0, -1), ((2, 33, 3), 1, [32, 1, 1]),
                             ((1000, 64), 0, [999, 0, 500, -1])]:
        for idx_dtype in (np.int64, np.int32):
            name = f"gather_{shape_name(shape)}_axis{axis}_idx{shape_name(np.shape(idx))}_{dtype_name(idx_dtype)}"
            write_case(out, name, "Gather", [("x", rand(shape))], {"axis": axis},
                       consts={1: ("indices", np.array(idx, dtype=idx_dtype))})
    # Indices known only at run time (valid ones: ONNX Runtime rejects the others).
    write_case(out, "gather_runtime_indices", "Gather",
               [("x", rand((6, 5))), ("i", np.array([[5, -6], [0, 3], [-1, 2]], dtype=np.int64))], {"axis": 0})
    write_case(out, "gather_runtime_indices_axis1_i32", "Gather",
               [("x", rand((3, 9, 2))), ("i", np.array([8, -9, 4, 4], dtype=np.int32))], {"axis": 1})
    for dtype in DTYPES[1:]:
        write_case(out, f"gather_{dtype_name(dtype)}", "Gather", [("x", rand((4, 6), dtype))], {"axis": 1},
                   consts={1: ("indices", i64([5, 0, -2]))})


def gen_expand(out):
    for src, shape in [((3, 1), (2, 3, 4)), ((1,), (7,)), ((2, 3, 4), (3, 1)), ((1, 16), (33, 16)),
                       ((4, 1, 5), (4, 7, 5)), ((33,), (2, 1, 33)), ((), (3, 4)), ((5, 1), (1, 1)),
                       ((1, 1), (64, 300)), ((2, 1, 1, 3), (1, 4, 5, 1))]:
        write_case(out, f"expand_{shape_name(src)}_to_{shape_name(shape)}", "Expand",
                   [("x", rand(src))], consts={1: ("shape", i64(shape))})
    for dtype in DTYPES[1:]:
        write_case(out, f"expand_{dtype_name(dtype)}", "Expand", [("x", rand((3, 1), dtype))],
                   consts={1: ("shape", i64([2, 3, 9]))})


def main():
    if len(sys.argv) != 2:
        sys.exit(f"usage: {sys.argv[0]} OUTDIR")
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    gen_shape(out)
    gen_reshape_family(out)
    gen_transpose(out)
    gen_concat(out)
    gen_slice(out)
    gen_gather(out)
    gen_expand(out)


if __name__ == "__main__":
    main()
