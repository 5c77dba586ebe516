#!/usr/bin/python3
"""Writes op test cases for the indexing and data-movement ops added after the
movement family (GatherElements, GatherND, ScatterElements, Scatter, ScatterND,
OneHot, Split, Tile, Pad, ReverseSequence, Range, ConstantOfShape, Size,
EyeLike) for tests/ops/run_cases.py.

    gen_indexing.py OUTDIR

Each case is OUTDIR/<case>/model.onnx (one node) plus input_<k>.npy per graph
input, from a fixed seed. Operands that fix the output shape (Tile's repeats,
Pad's pads, ...) are initializers; index tensors are graph inputs (run-time
values, all valid: ONNX Runtime rejects the others). Opset-18/19 forms
(reduction max/min, Pad axes/wrap, Split num_outputs) are beyond the installed
onnx (1.12) and are covered by tests/unit/test_indexing_ops.cpp instead.
"""

import os
import sys

import numpy as np
from onnx import numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from op_case import OPSET, dtype_name, i64, shape_name, write_case  # noqa: E402

rng = np.random.default_rng(20240915)

# One dtype per element size (plus bool): 4, 8, 1, 2, 8, 1 bytes. (float16 arrays
# cannot be fed to tests/ort/ort_run.js.)
DTYPES = [np.float32, np.int64, np.uint8, np.int16, np.float64, np.bool_]


def rand(shape, dtype=np.float32):
    if dtype == np.bool_:
        return rng.integers(0, 2, size=shape).astype(np.bool_)
    if np.issubdtype(dtype, np.integer):
        info = np.iinfo(dtype)
        return rng.integers(max(info.min, -100), min(info.max, 100), size=shape, endpoint=True).astype(dtype)
    return rng.standard_normal(shape).astype(dtype)


def indices_in(shape, length, dtype=np.int64, negative=True):
    """Valid indices for an axis of `length`, some negative."""
    lo = -length if negative else 0
    return rng.integers(lo, length, size=shape).astype(dtype)


def write_multi_output_case(outdir, name, op, inputs, num_outputs, attrs=None, consts=None, opset=OPSET):
    """op_case.write_case for ops with several outputs (y0, y1, ...)."""
    write_case(outdir, name, op, inputs, attrs, consts, opset, outputs=[f"y{k}" for k in range(num_outputs)])


def gen_gather_elements(out):
    for shape, idx_shape, axis in [((5,), (7,), 0), ((3, 4), (3, 4), 1), ((3, 4), (6, 4), 0), ((3, 4), (2, 9), 1),
                                   ((2, 3, 5), (2, 3, 5), -1), ((2, 3, 5), (1, 2, 3), 1), ((4, 5, 6), (4, 5, 1), 2),
                                   ((300, 300), (300, 300), 0), ((64, 33, 7), (64, 33, 7), 1)]:
        for idx_dtype in (np.int64, np.int32):
            a = axis % len(shape)
            write_case(out, f"gather_elements_{shape_name(shape)}_idx{shape_name(idx_shape)}_axis{axis}_"
                       f"{dtype_name(idx_dtype)}", "GatherElements",
                       [("x", rand(shape)), ("i", indices_in(idx_shape, shape[a], idx_dtype))], {"axis": axis})
    for dtype in DTYPES[1:]:
        write_case(out, f"gather_elements_{dtype_name(dtype)}", "GatherElements",
                   [("x", rand((4, 6), dtype)), ("i", indices_in((4, 3), 6))], {"axis": 1})


def gen_gather_nd(out):
    # (data shape, indices shape, batch_dims)
    for shape, idx_shape, b in [((2, 2), (2, 2), 0), ((2, 2), (2, 1), 0), ((2, 2, 2), (2, 1, 2), 0),
                                ((2, 2, 2), (2, 1), 1), ((2, 3, 4), (3, 3), 0), ((3, 4, 5), (3, 2, 2), 1),
                                ((2, 3, 4, 5), (2, 3, 1), 2), ((2, 3, 4, 5), (2, 6, 2), 1), ((7, 9), (4, 5, 2), 0),
                                ((500, 300), (400, 1), 0)]:
        idx = np.stack([indices_in(idx_shape[:-1], shape[b + j]) for j in range(idx_shape[-1])], axis=-1)
        for idx_dtype in (np.int64,):  # ONNX Runtime's GatherND takes int64 indices only
            write_case(out, f"gather_nd_{shape_name(shape)}_idx{shape_name(idx_shape)}_b{b}_{dtype_name(idx_dtype)}",
                       "GatherND", [("x", rand(shape)), ("i", idx.astype(idx_dtype))], {"batch_dims": b})
    for dtype in DTYPES[1:]:
        idx = np.stack([indices_in((3,), 4), indices_in((3,), 5)], axis=-1)
        write_case(out, f"gather_nd_{dtype_name(dtype)}", "GatherND", [("x", rand((4, 5, 2), dtype)), ("i", idx)])


def unique_indices(shape, axis, length):
    """Indices along `axis` that are distinct within every line (no duplicate writes)."""
    a = axis % len(shape)
    moved = list(shape)
    moved.pop(a)
    lines = int(np.prod(moved)) if moved else 1
    out = np.stack([rng.permutation(length)[:shape[a]] for _ in range(lines)])
    out = out.reshape(moved + [shape[a]])
    out = np.moveaxis(out, -1, a)
    neg = rng.integers(0, 2, size=out.shape).astype(bool)
    return np.where(neg, out - length, out).astype(np.int64)


def gen_scatter_elements(out):
    for shape, idx_shape, axis in [((5,), (3,), 0), ((3, 4), (3, 2), 1), ((3, 4), (2, 4), 0), ((3, 4), (2, 3), 1),
                                   ((2, 3, 5), (2, 3, 4), -1), ((4, 5, 6), (4, 2, 6), 1), ((200, 300), (200, 150), 1)]:
        idx = unique_indices(idx_shape, axis, shape[axis % len(shape)])
        for reduction in ["none", "add", "mul"]:
            attrs = {"axis": axis}
            if reduction != "none":
                attrs["reduction"] = reduction
            write_case(out, f"scatter_elements_{shape_name(shape)}_idx{shape_name(idx_shape)}_axis{axis}_{reduction}",
                       "ScatterElements", [("x", rand(shape)), ("i", idx), ("u", rand(idx_shape))], attrs)
    # Repeated indices combine under a reduction.
    for reduction in ["add", "mul"]:
        write_case(out, f"scatter_elements_duplicates_{reduction}", "ScatterElements",
                   [("x", rand((3, 5))), ("i", i64([[1, 1, -4, 3], [0, 0, 0, 0], [4, -1, 4, 2]])),
                    ("u", rand((3, 4)))], {"axis": 1, "reduction": reduction})
    for dtype in DTYPES[1:]:
        write_case(out, f"scatter_elements_{dtype_name(dtype)}", "ScatterElements",
                   [("x", rand((4, 6), dtype)), ("i", unique_indices((4, 3), 1, 6).astype(np.int32)),
                    ("u", rand((4, 3), dtype))], {"axis": 1})
    for dtype in [np.int32, np.int64, np.float64, np.uint8]:
        write_case(out, f"scatter_elements_add_{dtype_name(dtype)}", "ScatterElements",
                   [("x", rand((4, 6), dtype)), ("i", indices_in((4, 3), 6)), ("u", rand((4, 3), dtype))],
                   {"axis": 1, "reduction": "add"})
    # The deprecated opset-9/10 Scatter is ScatterElements without reduction.
    write_case(out, "scatter_opset10", "Scatter",
               [("x", rand((3, 5))), ("i", unique_indices((3, 2), 1, 5)), ("u", rand((3, 2)))], {"axis": 1}, opset=10)
    write_case(out, "scatter_opset9_default_axis", "Scatter",
               [("x", rand((4, 3))), ("i", unique_indices((2, 3), 0, 4)), ("u", rand((2, 3)))], opset=9)


def gen_scatter_nd(out):
    # (data shape, indices shape)
    for shape, idx_shape in [((8,), (4, 1)), ((4, 4, 4), (2, 1)), ((4, 5, 6), (3, 2)), ((4, 5, 6), (2, 2, 3)),
                             ((2, 3), (1, 2)), ((300, 200), (100, 1))]:
        k = idx_shape[-1]
        tuples = int(np.prod(idx_shape[:-1]))
        # Distinct tuples (flat positions over the first k dims), some negative.
        flat = rng.permutation(int(np.prod(shape[:k])))[:tuples]
        idx = np.stack(np.unravel_index(flat, shape[:k]), axis=-1).reshape(idx_shape)
        neg = rng.integers(0, 2, size=idx.shape).astype(bool)
        idx = np.where(neg, idx - np.array(shape[:k]), idx).astype(np.int64)
        upd_shape = tuple(idx_shape[:-1]) + tuple(shape[k:])
        for reduction in ["none", "add", "mul"]:
            attrs = {"reduction": reduction} if reduction != "none" else {}
            write_case(out, f"scatter_nd_{shape_name(shape)}_idx{shape_name(idx_shape)}_{reduction}", "ScatterND",
                       [("x", rand(shape)), ("i", idx), ("u", rand(upd_shape))], attrs)
    write_case(out, "scatter_nd_duplicates_add", "ScatterND",
               [("x", rand((5, 3))), ("i", i64([[1], [1], [-4], [0]])), ("u", rand((4, 3)))], {"reduction": "add"})
    for dtype in DTYPES[1:]:
        write_case(out, f"scatter_nd_{dtype_name(dtype)}", "ScatterND",
                   [("x", rand((4, 6), dtype)), ("i", i64([[3, 1], [0, -1], [2, 2]])), ("u", rand((3,), dtype))])


def gen_onehot(out):
    for idx_shape, depth, axis in [((5,), 7, -1), ((5,), 7, 0), ((2, 3), 4, 1), ((2, 3), 4, -2), ((2, 3, 4), 5, 0),
                                   ((64, 64), 50, -1), ((3,), 1, -1)]:
        idx = rng.integers(-depth, depth, size=idx_shape).astype(np.int64)
        write_case(out, f"onehot_{shape_name(idx_shape)}_depth{depth}_axis{axis}", "OneHot",
                   [("i", idx), ("v", np.array([0.5, 3.0], np.float32))], {"axis": axis},
                   consts={1: ("depth", i64([depth]))})
    # Out-of-range indices give rows of the off value.
    write_case(out, "onehot_out_of_range", "OneHot", [("i", i64([0, 5, -6, 9, -100, 4])), ("v", i64([2, 7]))],
               consts={1: ("depth", np.array(5, np.int64))})
    # The index / depth / values type combinations ONNX Runtime implements.
    for idx_dtype, depth, values in [(np.float32, np.float32(6.0), np.float32), (np.int32, np.float32(6), np.float32),
                                     (np.int64, np.int32(6), np.float32), (np.int64, np.float32(6), np.int32)]:
        idx = (rng.integers(0, 6, size=(3, 4)) - 3).astype(idx_dtype)
        write_case(out, f"onehot_idx_{dtype_name(idx_dtype)}_depth_{dtype_name(depth.dtype)}_{dtype_name(values)}",
                   "OneHot", [("i", idx), ("v", np.array([0, 1], values))], {"axis": 1},
                   consts={1: ("depth", np.array([depth]))})
    for dtype in [np.int64]:
        write_case(out, f"onehot_values_{dtype_name(dtype)}", "OneHot",
                   [("i", i64([[0, 2], [-1, 1]])), ("v", np.array([0, 1], dtype))],
                   consts={1: ("depth", i64([3]))})
    write_case(out, "onehot_opset9", "OneHot", [("i", np.array([1.0, 0.0, 2.0], np.float32)),
                                               ("v", np.array([0, 5], np.float32))],
               consts={1: ("depth", np.array([3], np.float32))}, opset=9)


def gen_split(out):
    for shape, axis, split in [((6,), 0, None), ((2, 6), 1, None), ((6, 4), 0, [1, 5]), ((2, 7, 3), 1, [2, 0, 5]),
                               ((2, 7, 3), -1, [1, 1, 1]), ((4, 9), -1, [3, 6]), ((64, 2000), 1, [500, 1500]),
                               ((3000, 40), 0, [1000, 2000]), ((5, 3), 0, [5])]:
        n = len(split) if split else (3 if shape[axis] % 3 == 0 else 2)
        consts = {1: ("split", i64(split))} if split else {}
        write_multi_output_case(out, f"split_{shape_name(shape)}_axis{axis}_{'_'.join(map(str, split or [])) or 'even'}",
                                "Split", [("x", rand(shape))], n, {"axis": axis}, consts)
    for dtype in DTYPES[1:]:
        write_multi_output_case(out, f"split_{dtype_name(dtype)}", "Split", [("x", rand((4, 6), dtype))], 2,
                                {"axis": 1}, {1: ("split", i64([2, 4]))})
    # Opset < 13: split is an attribute.
    write_multi_output_case(out, "split_opset11_attr", "Split", [("x", rand((3, 7)))], 3,
                            {"axis": 1, "split": [2, 4, 1]}, opset=11)
    write_multi_output_case(out, "split_opset11_even", "Split", [("x", rand((6, 2)))], 2, {}, opset=11)


def gen_tile(out):
    for shape, repeats in [((3,), [4]), ((2, 3), [2, 1]), ((2, 3), [1, 3]), ((2, 3, 4), [2, 3, 2]), ((1, 5), [7, 1]),
                           ((2, 3), [0, 2]), ((64, 64), [4, 5]), ((5, 1, 3), [1, 100, 1]), ((), [])]:
        write_case(out, f"tile_{shape_name(shape)}_rep{'_'.join(map(str, repeats)) or 'none'}", "Tile",
                   [("x", rand(shape))], consts={1: ("repeats", i64(repeats))})
    for dtype in DTYPES[1:]:
        write_case(out, f"tile_{dtype_name(dtype)}", "Tile", [("x", rand((2, 3), dtype))],
                   consts={1: ("repeats", i64([2, 3]))})


def gen_pad(out):
    for shape, pads in [((3, 4), [1, 2, 2, 1]), ((2, 3, 4), [0, 1, 2, 0, 3, 1]), ((5,), [3, 3]), ((3, 4), [0, 0, 0, 0]),
                        ((4, 6), [-1, 2, 1, -3]), ((1, 3, 16, 16), [0, 0, 2, 2, 0, 0, 2, 2]), ((2, 5), [1, 4, 1, 4]),
                        ((64, 300), [1, 2, 3, 4]), ((1, 5), [0, 0, 0, 0])]:
        for mode in ["constant", "edge", "reflect"]:
            if mode == "reflect" and any(p >= d for p, d in zip(pads, list(shape) * 2)):
                continue  # ONNX Runtime rejects reflect pads as large as the dim
            consts = {1: ("pads", i64(pads))}
            inputs = [("x", rand(shape))]
            if mode == "constant":
                inputs.append(("v", np.array(1.5, np.float32)))
            write_case(out, f"pad_{shape_name(shape)}_{'_'.join(map(str, pads))}_{mode}", "Pad", inputs,
                       {"mode": mode}, consts)
    write_case(out, "pad_constant_default_value", "Pad", [("x", rand((3, 4)))], consts={1: ("pads", i64([1, 0, 0, 2]))})
    write_case(out, "pad_empty_input_constant", "Pad", [("x", rand((0, 3)))],
               consts={1: ("pads", i64([1, 0, 2, 1])), 2: ("v", np.array(2.0, np.float32))})
    for dtype in [np.int64, np.uint8, np.int32, np.float64, np.bool_]:  # ONNX Runtime's Pad types
        for mode in ["constant", "reflect"]:
            x = rand((4, 5), dtype)
            inputs = [("x", x)] + ([("v", rand((), dtype))] if mode == "constant" else [])
            write_case(out, f"pad_{dtype_name(dtype)}_{mode}", "Pad", inputs, {"mode": mode},
                       {1: ("pads", i64([1, 2, 3, 1]))})
    # Opset < 11: pads and value are attributes.
    write_case(out, "pad_opset2_attrs", "Pad", [("x", rand((2, 3)))],
               {"mode": "constant", "pads": [1, 0, 2, 2], "value": -3.0}, opset=2)
    write_case(out, "pad_opset2_reflect", "Pad", [("x", rand((3, 4)))], {"mode": "reflect", "pads": [0, 2, 1, 3]},
               opset=10)


def gen_reverse_sequence(out):
    for shape, batch_axis, time_axis, lens in [((4, 4), 0, 1, [4, 3, 2, 1]), ((4, 4), 1, 0, [1, 2, 3, 4]),
                                               ((3, 5, 2), 1, 0, [0, 2, 3, 3, 1]), ((5, 3, 2, 2), 0, 1, [3, 1, 2, 0, 3])]:
        write_case(out, f"reverse_sequence_{shape_name(shape)}_b{batch_axis}", "ReverseSequence",
                   [("x", rand(shape)), ("lens", i64(lens))], {"batch_axis": batch_axis, "time_axis": time_axis})
    for dtype in DTYPES[1:]:
        write_case(out, f"reverse_sequence_{dtype_name(dtype)}", "ReverseSequence",
                   [("x", rand((3, 4), dtype)), ("lens", i64([2, 3, 1, 3]))])


def gen_generators(out):
    for dtype, start, limit, delta in [(np.float32, 1.0, 5.5, 0.75), (np.float32, 10.0, -3.0, -2.5),
                                       (np.float64, 0.0, 1.0, 0.1), (np.int32, 10, 2, -3), (np.int64, -5, 100, 7),
                                       (np.int16, 3, 3, 1), (np.int64, 0, 10, -1), (np.int32, 0, 100000, 1)]:
        write_case(out, f"range_{dtype_name(dtype)}_{start}_{limit}_{delta}", "Range", [],
                   consts={0: ("start", np.array(start, dtype)), 1: ("limit", np.array(limit, dtype)),
                           2: ("delta", np.array(delta, dtype))})
    for dtype, value in [(np.float32, 1.25), (np.int64, 7), (np.int32, -3), (np.uint8, 200), (np.bool_, True),
                         (np.float64, -0.5), (np.int16, -2)]:
        write_case(out, f"constant_of_shape_{dtype_name(dtype)}", "ConstantOfShape", [],
                   {"value": numpy_helper.from_array(np.array([value], dtype))}, consts={0: ("shape", i64([2, 3, 4]))})
    write_case(out, "constant_of_shape_default", "ConstantOfShape", [], consts={0: ("shape", i64([5]))})
    write_case(out, "constant_of_shape_scalar", "ConstantOfShape", [],
               {"value": numpy_helper.from_array(np.array([3], np.int32))}, consts={0: ("shape", i64([]))})
    write_case(out, "constant_of_shape_large", "ConstantOfShape", [],
               {"value": numpy_helper.from_array(np.array([0.5], np.float32))}, consts={0: ("shape", i64([300, 400]))})
    for shape, dtype in [((3, 4, 5), np.float32), ((), np.int64), ((0, 7), np.uint8), ((2, 3), np.bool_)]:
        write_case(out, f"size_{shape_name(shape)}", "Size", [("x", rand(shape, dtype))])
    for shape, k, dtype in [((4, 4), 0, None), ((3, 5), 2, None), ((5, 3), -1, 11), ((4, 5), 7, 1), ((4, 5), -6, 7),
                            ((300, 400), 3, 1), ((3, 3), 1, 6), ((2, 4), 0, 11)]:
        attrs = {"k": k}
        if dtype is not None:
            attrs["dtype"] = dtype
        write_case(out, f"eye_like_{shape_name(shape)}_k{k}_dtype{dtype}", "EyeLike", [("x", rand(shape, np.int32))],
                   attrs)


def main():
    if len(sys.argv) != 2:
        sys.exit(f"usage: {sys.argv[0]} OUTDIR")
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    gen_gather_elements(out)
    gen_gather_nd(out)
    gen_scatter_elements(out)
    gen_scatter_nd(out)
    gen_onehot(out)
    gen_split(out)
    gen_tile(out)
    gen_pad(out)
    gen_reverse_sequence(out)
    gen_generators(out)


if __name__ == "__main__":
    main()
