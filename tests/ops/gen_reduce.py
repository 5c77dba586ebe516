#!/usr/bin/python3
"""Writes op test cases for the reduction family (ReduceMin, ReduceProd,
ReduceL1, ReduceL2, ReduceLogSum, ReduceLogSumExp, ReduceSumSquare, ArgMax,
ArgMin, CumSum, TopK, Trilu, Einsum, Det) for tests/ops/run_cases.py.

    gen_reduce.py OUTDIR

Each case is OUTDIR/<case>/model.onnx (one node; axes, K and similar inputs
are initializers unless a case says otherwise) plus input_<k>.npy per graph
input, from a fixed seed.
"""

import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from op_case import OPSET, shape_name, write_case  # noqa: E402

rng = np.random.default_rng(20240611)


def rand(shape, dtype=np.float32, scale=1.0):
    if np.issubdtype(dtype, np.integer):
        lo = 0 if np.issubdtype(dtype, np.unsignedinteger) else -50
        return rng.integers(lo, 50, size=shape).astype(dtype)
    return (rng.standard_normal(shape) * scale).astype(dtype)


def write_multi(outdir, name, op, inputs, outputs, attrs=None, consts=None, opset=OPSET):
    """op_case.write_case for a node with several outputs."""
    write_case(outdir, name, op, inputs, attrs, consts, opset, outputs=outputs)


def gen_reductions(out):
    """At opset 17 these ops take axes as an attribute (the importer makes it an input)."""
    ops = ["ReduceMin", "ReduceProd", "ReduceL1", "ReduceL2", "ReduceLogSum", "ReduceLogSumExp",
           "ReduceSumSquare"]
    for op in ops:
        for shape, axes in [((7,), [0]), ((16, 33), [0]), ((16, 33), [1]), ((2, 3, 4), [-1]),
                            ((2, 3, 4), [0, 2]), ((2, 3, 4), None), ((1, 3, 1, 5), [0, 2]),
                            ((2, 3, 4, 5), [1, 3]), ((64, 1024), [-1]), ((128, 512), [0])]:
            for keepdims in (0, 1):
                x = rand(shape)
                if op == "ReduceLogSum":
                    x = np.abs(x) + 0.1
                if op == "ReduceProd":
                    x = (1.0 + 0.01 * x).astype(np.float32)
                attrs = {"keepdims": keepdims}
                if axes is not None:
                    attrs["axes"] = axes
                axes_name = "all" if axes is None else "_".join(str(a) for a in axes)
                write_case(out, f"{op.lower()}_{shape_name(shape)}_axes{axes_name}_keep{keepdims}", op,
                           [("x", x)], attrs)
        write_case(out, f"{op.lower()}_f64", op, [("x", np.abs(rand((5, 9), np.float64)) + 0.5)],
                   {"axes": [1]})
    for op in ("ReduceMin", "ReduceProd", "ReduceL1", "ReduceSumSquare"):
        for dtype in (np.int32, np.int64):
            x = rand((4, 7, 3), dtype) if op != "ReduceProd" else rng.integers(-3, 4, (4, 7, 3)).astype(dtype)
            write_case(out, f"{op.lower()}_{np.dtype(dtype).name}", op, [("x", x)], {"axes": [0, 2], "keepdims": 0})
    write_case(out, "reducemin_u8", "ReduceMin", [("x", rand((6, 40), np.uint8))], {"axes": [1]})
    write_case(out, "reducemax_i8", "ReduceMax", [("x", rand((6, 40), np.int8))], {"axes": [0]})
    # Large inputs overflow exp() unless LogSumExp is computed stably.
    write_case(out, "reducelogsumexp_large", "ReduceLogSumExp", [("x", rand((5, 17), scale=300.0))],
               {"axes": [1]})
    # Opset 11 and 13 forms.
    write_case(out, "reducemin_opset11", "ReduceMin", [("x", rand((3, 4, 5)))], {"keepdims": 0}, opset=11)
    write_case(out, "reducel2_opset13", "ReduceL2", [("x", rand((3, 4, 5)))], {"axes": [2, 0]}, opset=13)


def gen_argreduce(out):
    for op in ("ArgMax", "ArgMin"):
        for shape, axis in [((7,), 0), ((16, 33), 0), ((16, 33), 1), ((2, 3, 4), -1), ((2, 3, 4), 1),
                            ((64, 1000), -1), ((300, 2, 17), 0)]:
            for keepdims in (0, 1):
                write_case(out, f"{op.lower()}_{shape_name(shape)}_axis{axis}_keep{keepdims}", op,
                           [("x", rand(shape))], {"axis": axis, "keepdims": keepdims})
        # Many ties: first or last index.
        for last in (0, 1):
            for axis in (0, 1):
                write_case(out, f"{op.lower()}_ties_axis{axis}_last{last}", op,
                           [("x", rng.integers(0, 3, (9, 11)).astype(np.float32))],
                           {"axis": axis, "select_last_index": last})
        write_case(out, f"{op.lower()}_i32", op, [("x", rand((5, 8), np.int32))], {"axis": 1})
        write_case(out, f"{op.lower()}_f64", op, [("x", rand((5, 8), np.float64))], {"axis": 0})
        write_case(out, f"{op.lower()}_u8", op, [("x", rand((5, 8), np.uint8))], {"axis": 1})


def gen_cumsum(out):
    for shape, axis in [((7,), 0), ((4, 9), 0), ((4, 9), 1), ((2, 3, 5), -2), ((3, 300, 7), 1),
                        ((500, 200), 0)]:
        for exclusive in (0, 1):
            for reverse in (0, 1):
                write_case(out, f"cumsum_{shape_name(shape)}_axis{axis}_ex{exclusive}_rev{reverse}", "CumSum",
                           [("x", rand(shape))], {"exclusive": exclusive, "reverse": reverse},
                           consts={1: ("axis", np.array(axis, dtype=np.int64))})
    for dtype in (np.float64, np.int32, np.int64):
        write_case(out, f"cumsum_{np.dtype(dtype).name}", "CumSum", [("x", rand((3, 8), dtype))],
                   {"reverse": 1}, consts={1: ("axis", np.array(1, dtype=np.int32))})
    # The axis as a graph input: selected when the kernel runs.
    for axis in (0, -1):
        write_case(out, f"cumsum_runtime_axis{axis}", "CumSum",
                   [("x", rand((4, 6))), ("axis", np.array(axis, dtype=np.int64))], {"exclusive": 1})


def gen_topk(out):
    for shape, axis, k in [((7,), 0, 3), ((16, 33), 1, 5), ((16, 33), 0, 16), ((2, 9, 4), 1, 9),
                           ((2, 9, 4), -1, 1), ((3, 1000), -1, 10), ((5, 64), 1, 64)]:
        for largest in (0, 1):
            write_multi(out, f"topk_{shape_name(shape)}_axis{axis}_k{k}_largest{largest}", "TopK",
                        [("x", rand(shape))], ["values", "indices"], {"axis": axis, "largest": largest},
                        consts={1: ("k", np.array([k], dtype=np.int64))})
    # Ties: the lower index comes first.
    for largest in (0, 1):
        write_multi(out, f"topk_ties_largest{largest}", "TopK",
                    [("x", rng.integers(0, 4, (6, 20)).astype(np.float32))], ["values", "indices"],
                    {"axis": 1, "largest": largest}, consts={1: ("k", np.array([7], dtype=np.int64))})
    write_multi(out, "topk_i64", "TopK", [("x", rand((4, 12), np.int64))], ["values", "indices"],
                {"axis": 1}, consts={1: ("k", np.array([5], dtype=np.int64))})
    write_multi(out, "topk_f64_k0", "TopK", [("x", rand((4, 12), np.float64))], ["values", "indices"],
                {"axis": 0}, consts={1: ("k", np.array([0], dtype=np.int64))})
    write_multi(out, "topk_opset9", "TopK", [("x", rand((3, 10)))], ["values", "indices"], {"k": 4}, opset=9)


def gen_trilu(out):
    for shape in [(4, 5), (5, 4), (3, 3), (2, 3, 7), (1, 6), (64, 300)]:
        for upper in (0, 1):
            for k in (None, 0, 2, -1, 10, -10):
                consts = {} if k is None else {1: ("k", np.array(k, dtype=np.int64))}
                write_case(out, f"trilu_{shape_name(shape)}_upper{upper}_k{k}", "Trilu",
                           [("x", rand(shape))], {"upper": upper}, consts=consts)
    write_case(out, "trilu_i32", "Trilu", [("x", rand((5, 5), np.int32))], {"upper": 0})
    write_case(out, "trilu_f64", "Trilu", [("x", rand((5, 6), np.float64))], {"upper": 1},
               consts={1: ("k", np.array(1, dtype=np.int64))})
    # k as a graph input, read when the kernel runs.
    write_case(out, "trilu_runtime_k", "Trilu", [("x", rand((6, 7))), ("k", np.array(-2, dtype=np.int64))],
               {"upper": 1})


def gen_einsum(out):
    cases = [
        ("ij->ji", [(3, 4)]),
        ("ij->i", [(3, 4)]),
        ("ij", [(3, 4)]),
        ("ii->i", [(5, 5)]),
        ("ii", [(5, 5)]),
        ("i,i", [(7,), (7,)]),
        ("i,j->ij", [(4,), (6,)]),
        ("ij,jk->ik", [(7, 9), (9, 5)]),
        ("ij,jk", [(7, 9), (9, 5)]),
        ("bij,bjk->bik", [(3, 4, 5), (3, 5, 6)]),
        ("bij, bjk -> bik", [(2, 4, 5), (2, 5, 3)]),
        ("...ij,...jk->...ik", [(2, 3, 4, 5), (2, 3, 5, 6)]),
        ("...ij,...jk->...ik", [(1, 3, 4, 5), (2, 1, 5, 6)]),
        ("...ii->...i", [(3, 5, 5)]),
        ("...ii", [(2, 4, 4)]),
        ("i...->...", [(4, 2, 3)]),
        ("ij...,jk...->ik...", [(2, 3, 4), (3, 5, 1)]),
        ("abc,cd,de->abe", [(2, 3, 4), (4, 5), (5, 6)]),
        ("bn,anm,bm->ba", [(3, 4), (2, 4, 5), (3, 5)]),
        ("iij->j", [(3, 3, 4)]),
        ("Ab,bC->AC", [(2, 3), (3, 4)]),
        ("ijk->", [(3, 4, 5)]),
        ("i,i,i->i", [(6,), (6,), (6,)]),
    ]
    for n, (eq, shapes) in enumerate(cases):
        write_case(out, f"einsum_{n:02d}", "Einsum", [(f"x{k}", rand(s)) for k, s in enumerate(shapes)],
                   {"equation": eq})
    write_case(out, "einsum_f64", "Einsum", [("a", rand((4, 6), np.float64)), ("b", rand((6, 3), np.float64))],
               {"equation": "ij,jk->ik"})
    write_case(out, "einsum_i32", "Einsum", [("a", rand((4, 6), np.int32)), ("b", rand((6, 3), np.int32))],
               {"equation": "ij,jk->ki"})
    write_case(out, "einsum_large", "Einsum", [("a", rand((8, 64, 32))), ("b", rand((8, 32, 48)))],
               {"equation": "bij,bjk->bik"})


def gen_det(out):
    for shape in [(1, 1), (2, 2), (3, 3), (5, 5), (4, 7, 7), (2, 3, 4, 4), (16, 16)]:
        write_case(out, f"det_{shape_name(shape)}", "Det", [("x", rand(shape))])
    singular = rand((3, 4, 4))
    singular[0, 2] = singular[0, 1]
    singular[1, :, 3] = 0
    write_case(out, "det_singular", "Det", [("x", singular)])
    # (ONNX Runtime implements Det for float only, so f64 is not compared here.)
    write_case(out, "det_pivoting", "Det", [("x", np.array([[0, 1, 2], [3, 0, 1], [1, 2, 0]], np.float32))])


def main():
    if len(sys.argv) != 2:
        sys.exit(f"usage: {sys.argv[0]} OUTDIR")
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    gen_reductions(out)
    gen_argreduce(out)
    gen_cumsum(out)
    gen_topk(out)
    gen_trilu(out)
    gen_einsum(out)
    gen_det(out)


if __name__ == "__main__":
    main()
