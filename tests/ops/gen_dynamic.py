#!/usr/bin/python3
"""Writes op test cases for the dynamic-shape host ops (NonZero, Unique,
Compress, NonMaxSuppression) for tests/ops/run_cases.py.

    gen_dynamic.py OUTDIR

Covers dtypes, axes (incl. negative), absent optional inputs and outputs, empty
results (NonZero of all zeros -> [rank, 0], an all-false Compress), and small
graphs where compiled ops come before and after the host op (Greater -> NonZero
-> Transpose, Compress -> Relu, NonZero -> Cast, mask indexing via GatherND), so
the staged path (codegen/staged_model.h) runs end to end, 0-size tensors
included. Fixed seed.
"""

import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from graph_case import OPSET, write_node_case  # noqa: E402
from op_case import save_case  # noqa: E402

rng = np.random.default_rng(20240702)


def sparse(shape, dtype, density=0.4):
    """Values of `dtype` with about (1 - density) zeros."""
    mask = rng.random(shape) < density
    if dtype == np.bool_:
        return mask
    vals = rng.integers(1, 9, size=shape) * np.where(rng.random(shape) < 0.5, -1, 1)
    if np.issubdtype(dtype, np.unsignedinteger):
        vals = np.abs(vals)
    return (vals * mask).astype(dtype)


def repeats(shape, dtype, distinct=5):
    """Values drawn from a few distinct ones, so Unique finds repeats."""
    pool = rng.permutation(np.arange(-distinct // 2, distinct - distinct // 2))
    vals = rng.choice(pool, size=shape)
    if dtype == np.float32:
        return (vals * 0.75).astype(dtype)
    return vals.astype(dtype)


def write_graph_case(outdir, name, nodes, inputs, outputs, inits=()):
    """A model of several nodes. `inputs`: (name, array) graph inputs;
    `outputs`: (name, elem_type, rank) graph outputs with symbolic dims (the
    dynamic ops' output sizes are not known statically); `inits`: (name, array)."""
    graph_inputs = [helper.make_tensor_value_info(n, onnx.mapping.NP_TYPE_TO_TENSOR_TYPE[a.dtype], a.shape)
                    for n, a in inputs]
    graph_outputs = [helper.make_tensor_value_info(n, t, [f"{n}_{d}" for d in range(r)])
                     for n, t, r in outputs]
    graph = helper.make_graph(nodes, name, graph_inputs, graph_outputs,
                              [numpy_helper.from_array(np.asarray(a), n) for n, a in inits])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])
    save_case(outdir, name, model, [arr for _, arr in inputs])


def gen_nonzero(out):
    for dtype, shape in [(np.float32, (4, 5)), (np.int32, (2, 3, 4)), (np.int64, (11,)), (np.bool_, (3, 6)),
                         (np.uint8, (2, 2, 2, 3))]:
        write_node_case(out, f"nonzero_{np.dtype(dtype).name}_{len(shape)}d", "NonZero",
                        [("x", sparse(shape, dtype))], ["y"])
    write_node_case(out, "nonzero_all_zero", "NonZero", [("x", np.zeros((3, 4), np.float32))], ["y"])
    write_node_case(out, "nonzero_empty_input", "NonZero", [("x", np.zeros((0, 3), np.int32))], ["y"])
    write_node_case(out, "nonzero_scalar", "NonZero", [("x", np.array(3, np.int32))], ["y"])
    write_node_case(out, "nonzero_neg_zero_nan", "NonZero",
                    [("x", np.float32([0.0, -0.0, np.nan, 1.0, -2.0, 0.0]))], ["y"])


def gen_unique(out):
    all4 = ["y", "indices", "inverse", "counts"]
    write_node_case(out, "unique_flat_sorted_f32", "Unique", [("x", repeats((4, 6), np.float32))], all4)
    write_node_case(out, "unique_flat_unsorted_i64", "Unique", [("x", repeats((17,), np.int64, 7))], all4,
                    {"sorted": 0})
    write_node_case(out, "unique_flat_sorted_i8", "Unique", [("x", repeats((3, 5), np.int8))], all4)
    write_node_case(out, "unique_flat_f64", "Unique", [("x", repeats((9,), np.float64))], all4)
    rows = np.array([[1, 2, 3], [0, 5, 1], [1, 2, 3], [0, 5, 1], [0, 4, 9], [1, 2, 3]], np.float32)
    write_node_case(out, "unique_axis0_sorted", "Unique", [("x", rows)], all4, {"axis": 0})
    write_node_case(out, "unique_axis0_unsorted", "Unique", [("x", rows)], all4, {"axis": 0, "sorted": 0})
    write_node_case(out, "unique_axis1", "Unique", [("x", np.ascontiguousarray(rows.T))], all4, {"axis": 1})
    cube = np.stack([rows[:3], rows[3:], rows[:3], rows[1:4]]).astype(np.int64)  # [4, 3, 3]
    write_node_case(out, "unique_axis_neg1_3d", "Unique", [("x", cube)], all4, {"axis": -1})
    write_node_case(out, "unique_axis_neg3_3d", "Unique", [("x", cube)], all4, {"axis": -3})
    write_node_case(out, "unique_y_only", "Unique", [("x", repeats((12,), np.float32))], ["y"])
    write_node_case(out, "unique_y_counts", "Unique", [("x", repeats((12,), np.int64))],
                    ["y", "", "", "counts"], {"sorted": 0})
    write_node_case(out, "unique_all_same", "Unique", [("x", np.full((2, 3), 7, np.int64))], all4)


def compress_case(out, name, inputs, attrs=None):
    """ONNX 1.12's Compress shape inference leaves the output shapeless (which its
    checker rejects): declare it with symbolic dims."""
    x = inputs[0][1]
    rank = x.ndim if attrs and "axis" in attrs else 1
    elem = onnx.mapping.NP_TYPE_TO_TENSOR_TYPE[x.dtype]
    write_node_case(out, name, "Compress", inputs, ["y"], attrs, output_types={"y": (elem, rank)})


def gen_compress(out):
    x = rng.standard_normal((4, 5, 3)).astype(np.float32)
    compress_case(out, "compress_axis0", [("x", x), ("c", np.array([1, 0, 1, 1], bool))], {"axis": 0})
    compress_case(out, "compress_axis1_short", [("x", x), ("c", np.array([0, 1, 1], bool))], {"axis": 1})
    compress_case(out, "compress_axis_neg1", [("x", x), ("c", np.array([1, 0, 1], bool))], {"axis": -1})
    compress_case(out, "compress_flat", [("x", x), ("c", rng.random(60) < 0.3)])
    compress_case(out, "compress_flat_short", [("x", x), ("c", rng.random(17) < 0.5)])
    compress_case(out, "compress_all_false", [("x", x), ("c", np.zeros(5, bool))], {"axis": 1})
    for dtype in (np.int32, np.int64, np.bool_, np.uint8):
        compress_case(out, f"compress_{np.dtype(dtype).name}",
                      [("x", sparse((3, 6), dtype, 0.8)), ("c", rng.random(6) < 0.5)], {"axis": -1})
    compress_case(out, "compress_const_condition",
                  [("x", x), ("c", np.array([True, False, True, True, False]), "c")], {"axis": 1})


def boxes_corners(n, flip=False):
    y1, x1 = rng.random(n) * 10, rng.random(n) * 10
    h, w = rng.random(n) * 4 + 0.5, rng.random(n) * 4 + 0.5
    b = np.stack([y1, x1, y1 + h, x1 + w], axis=-1)
    if flip:
        b = b[:, [2, 3, 0, 1]]
    return np.ascontiguousarray(b, dtype=np.float32)


def gen_nms(out):
    n = 40
    scores = rng.random((1, 1, n)).astype(np.float32)
    write_node_case(out, "nms_basic", "NonMaxSuppression",
                    [("boxes", boxes_corners(n)[None]), ("scores", scores),
                     ("max", np.array([10], np.int64), "c"), ("iou", np.array([0.3], np.float32), "c")],
                    ["sel"])
    write_node_case(out, "nms_flipped_score_threshold", "NonMaxSuppression",
                    [("boxes", boxes_corners(n, flip=True)[None]), ("scores", scores),
                     ("max", np.array([100], np.int64), "c"), ("iou", np.array([0.5], np.float32), "c"),
                     ("thr", np.array([0.4], np.float32), "c")], ["sel"])
    centers = np.concatenate([rng.random((2, n, 2)) * 10, rng.random((2, n, 2)) * 3 + 0.5], -1)
    centers = centers.astype(np.float32)
    write_node_case(out, "nms_center_two_batches_classes", "NonMaxSuppression",
                    [("boxes", centers), ("scores", rng.random((2, 3, n)).astype(np.float32)),
                     ("max", np.array([5], np.int64), "c"), ("iou", np.array([0.2], np.float32), "c"),
                     ("thr", np.array([0.1], np.float32), "c")], ["sel"], {"center_point_box": 1})
    # Few distinct scores: ties are taken in box index order.
    ties = rng.integers(0, 3, (1, 2, n)).astype(np.float32)
    write_node_case(out, "nms_score_ties", "NonMaxSuppression",
                    [("boxes", boxes_corners(n)[None]), ("scores", ties),
                     ("max", np.array([8], np.int64), "c"), ("iou", np.array([0.1], np.float32), "c")],
                    ["sel"])
    write_node_case(out, "nms_no_max_is_empty", "NonMaxSuppression",
                    [("boxes", boxes_corners(8)[None]), ("scores", rng.random((1, 2, 8), np.float32))],
                    ["sel"])
    write_node_case(out, "nms_inputs_fed", "NonMaxSuppression",
                    [("boxes", boxes_corners(12)[None]),
                     ("scores", rng.random((1, 2, 12), np.float32)),
                     ("max", np.array([3], np.int64)), ("iou", np.array([0.4], np.float32)),
                     ("thr", np.array([0.2], np.float32))], ["sel"])


def gen_staged(out):
    F, I64, B = TensorProto.FLOAT, TensorProto.INT64, TensorProto.BOOL
    mk = helper.make_node
    x = rng.standard_normal((3, 4)).astype(np.float32)
    # Compiled ops before and after NonZero: indices of positive entries, transposed.
    chain = [mk("Constant", [], ["zero"], value=numpy_helper.from_array(np.float32(0), "zero")),
             mk("Greater", ["x", "zero"], ["mask"]), mk("NonZero", ["mask"], ["nz"]),
             mk("Transpose", ["nz"], ["y"])]
    write_graph_case(out, "staged_greater_nonzero_transpose", chain, [("x", x)], [("y", I64, 2)])
    write_graph_case(out, "staged_nonzero_empty_transpose", chain, [("x", -np.abs(x))], [("y", I64, 2)])
    # Mask indexing, x[x > 0]: GatherND(x, Transpose(NonZero(x > 0))).
    gather = chain + [mk("GatherND", ["x", "y"], ["vals"]), mk("Relu", ["vals"], ["r"])]
    write_graph_case(out, "staged_mask_gathernd", gather, [("x", x)], [("r", F, 1)])
    write_graph_case(out, "staged_mask_gathernd_empty", gather, [("x", -np.abs(x))], [("r", F, 1)])
    write_graph_case(out, "staged_nonzero_cast_add",
                     [mk("NonZero", ["x"], ["nz"]), mk("Cast", ["nz"], ["f"], to=F),
                      mk("Add", ["f", "x0"], ["y"])],
                     [("x", sparse((2, 5), np.int32))], [("y", F, 2)], [("x0", np.float32([[0.5], [1.5]]))])
    write_graph_case(out, "staged_nonzero_zero_cast_add",
                     [mk("NonZero", ["x"], ["nz"]), mk("Cast", ["nz"], ["f"], to=F),
                      mk("Add", ["f", "x0"], ["y"])],
                     [("x", np.zeros((2, 5), np.int32))], [("y", F, 2)], [("x0", np.float32([[0.5], [1.5]]))])
    compress_relu = [mk("Compress", ["x", "c"], ["s"], axis=1), mk("Relu", ["s"], ["y"])]
    write_graph_case(out, "staged_compress_relu", compress_relu,
                     [("x", x), ("c", np.array([1, 0, 1, 1], bool))], [("y", F, 2)])
    write_graph_case(out, "staged_compress_none_relu", compress_relu,
                     [("x", x), ("c", np.zeros(4, bool))], [("y", F, 2)])
    write_graph_case(out, "staged_unique_mul_reducesum",
                     [mk("Unique", ["x"], ["u", "", "", "cnt"]), mk("Cast", ["cnt"], ["cf"], to=F),
                      mk("Mul", ["u", "cf"], ["y"]), mk("ReduceSum", ["y"], ["s"], keepdims=0)],
                     [("x", repeats((10,), np.float32))], [("y", F, 1), ("s", F, 0)])
    write_graph_case(out, "staged_nms_then_gather",
                     [mk("NonMaxSuppression", ["boxes", "scores", "max", "iou"], ["sel"]),
                      mk("Gather", ["sel", "col"], ["idx"], axis=1),
                      mk("Gather", ["boxes2", "idx"], ["picked"], axis=0)],
                     [("boxes", boxes_corners(16)[None]), ("scores", rng.random((1, 1, 16), np.float32))],
                     [("picked", F, 2)],
                     [("max", np.array([4], np.int64)), ("iou", np.array([0.3], np.float32)),
                      ("col", np.int64(2)), ("boxes2", np.arange(64, dtype=np.float32).reshape(16, 4))])


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: gen_dynamic.py OUTDIR")
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    gen_nonzero(out)
    gen_unique(out)
    gen_compress(out)
    gen_nms(out)
    gen_staged(out)


if __name__ == "__main__":
    main()
