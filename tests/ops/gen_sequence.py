#!/usr/bin/python3
"""Writes test cases for the sequence and string host ops (SequenceEmpty,
SequenceConstruct, SequenceInsert, SequenceAt, SequenceErase, SequenceLength,
SplitToSequence, ConcatFromSequence, Optional, OptionalHasElement,
OptionalGetElement, StringNormalizer, Cast to and from strings) for
tests/ops/run_cases.py.

    gen_sequence.py OUTDIR

The runner feeds and compares tensors only, so each case is a small graph
with tensor inputs and outputs whose inner values are sequences, optionals or
string tensors: a split and a read back, a built sequence concatenated, a cast
to strings normalized and cast back. Fixed seed.
"""

import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from op_case import OPSET, save_case  # noqa: E402

rng = np.random.default_rng(20240612)


def f32(shape):
    return rng.standard_normal(shape).astype(np.float32)


def write_graph_case(outdir, name, nodes, inputs, outputs, consts=None, rank=None):
    """`nodes`: helper.make_node(...) list; `inputs`: (name, array) graph
    inputs; `consts`: (name, array) initializers; `outputs`: graph output
    names, typed by ONNX shape inference; an output it leaves without a shape
    gets `rank` symbolic dims (the checker wants one)."""
    graph_inputs = [helper.make_tensor_value_info(n, helper.np_dtype_to_tensor_dtype(a.dtype)
                                                  if hasattr(helper, "np_dtype_to_tensor_dtype")
                                                  else onnx.mapping.NP_TYPE_TO_TENSOR_TYPE[a.dtype], a.shape)
                    for n, a in inputs]
    inits = [numpy_helper.from_array(np.asarray(a), n) for n, a in (consts or [])]
    graph_outputs = []
    for o in outputs:
        v = onnx.ValueInfoProto()
        v.name = o
        graph_outputs.append(v)
    graph = helper.make_graph(nodes, name, graph_inputs, graph_outputs, inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])
    model = onnx.shape_inference.infer_shapes(model, strict_mode=True)
    del model.graph.value_info[:]
    for o in model.graph.output:
        if not o.type.tensor_type.HasField("shape"):
            for d in range(rank):
                o.type.tensor_type.shape.dim.add().dim_param = f"{o.name}_{d}"
    save_case(outdir, name, model, [arr for _, arr in inputs])


def node(op, ins, outs, **attrs):
    return helper.make_node(op, ins, outs, **attrs)


def main(outdir):
    os.makedirs(outdir, exist_ok=True)
    i64 = lambda *v: np.array(v, dtype=np.int64)  # noqa: E731
    scalar = lambda v: np.array(v, dtype=np.int64)  # noqa: E731

    # SplitToSequence, read back with SequenceAt / SequenceLength / ConcatFromSequence.
    x = f32((4, 6))
    write_graph_case(outdir, "split_lengths_at", [
        node("SplitToSequence", ["x", "split"], ["s"], axis=1),
        node("SequenceAt", ["s", "pos"], ["y"])], [("x", x)], ["y"],
        consts=[("split", i64(1, 2, 3)), ("pos", scalar(-2))])
    write_graph_case(outdir, "split_scalar_at_last", [
        node("SplitToSequence", ["x", "split"], ["s"], axis=-1),
        node("SequenceAt", ["s", "pos"], ["y"])], [("x", x)], ["y"],
        consts=[("split", scalar(4)), ("pos", scalar(1))])
    write_graph_case(outdir, "split_graph_input_lengths", [
        node("SplitToSequence", ["x", "split"], ["s"], axis=0),
        node("SequenceAt", ["s", "pos"], ["y"])], [("x", x), ("split", i64(3, 0, 1))], ["y"],
        consts=[("pos", scalar(0))])
    write_graph_case(outdir, "split_ones_keepdims0_stack", [
        node("SplitToSequence", ["x"], ["s"], axis=0, keepdims=0),
        node("ConcatFromSequence", ["s"], ["y"], axis=1, new_axis=1)], [("x", x)], ["y"])
    write_graph_case(outdir, "split_ones_concat_back", [
        node("SplitToSequence", ["x"], ["s"], axis=1),
        node("ConcatFromSequence", ["s"], ["y"], axis=1)], [("x", f32((2, 3, 4)))], ["y"])
    write_graph_case(outdir, "split_length", [
        node("SplitToSequence", ["x", "split"], ["s"], axis=1),
        node("SequenceLength", ["s"], ["y"])], [("x", x)], ["y"], consts=[("split", scalar(4))])
    write_graph_case(outdir, "split_then_add", [
        node("Relu", ["x"], ["r"]),
        node("SplitToSequence", ["r"], ["s"], axis=0, keepdims=0),
        node("SequenceAt", ["s", "pos"], ["a"]),
        node("Add", ["a", "b"], ["y"])], [("x", x), ("b", f32((6,)))], ["y"], consts=[("pos", scalar(3))])

    # Sequences built, edited and concatenated.
    a, b, c = f32((2, 3)), f32((1, 3)), f32((4, 3))
    write_graph_case(outdir, "construct_insert_at", [
        node("SequenceConstruct", ["a", "b"], ["s"]),
        node("SequenceInsert", ["s", "c", "pos"], ["t"]),
        node("SequenceAt", ["t", "at"], ["y"])], [("a", a), ("b", b), ("c", c)], ["y"],
        consts=[("pos", scalar(1)), ("at", scalar(-2))])
    write_graph_case(outdir, "construct_insert_concat", [
        node("SequenceConstruct", ["a", "b"], ["s"]),
        node("SequenceInsert", ["s", "c", "pos"], ["t"]),
        node("ConcatFromSequence", ["t"], ["y"], axis=0)], [("a", a), ("b", b), ("c", c)], ["y"],
        consts=[("pos", scalar(-2))])
    write_graph_case(outdir, "construct_erase_concat", [
        node("SequenceConstruct", ["a", "b", "c"], ["s"]),
        node("SequenceErase", ["s", "pos"], ["t"]),
        node("ConcatFromSequence", ["t"], ["y"], axis=-2)], [("a", a), ("b", b), ("c", c)], ["y"],
        consts=[("pos", scalar(0))])
    write_graph_case(outdir, "construct_erase_last_length", [
        node("SequenceConstruct", ["a", "b", "c"], ["s"]),
        node("SequenceErase", ["s"], ["t"]),
        node("SequenceLength", ["t"], ["y"])], [("a", a), ("b", b), ("c", c)], ["y"])
    write_graph_case(outdir, "empty_insert_concat_i64", [
        node("SequenceEmpty", [], ["e"], dtype=TensorProto.INT64),
        node("SequenceInsert", ["e", "a"], ["s"]),
        node("SequenceInsert", ["s", "b", "pos"], ["t"]),
        node("ConcatFromSequence", ["t"], ["y"], axis=-1)],
        [("a", rng.integers(-9, 9, (2, 3))), ("b", rng.integers(-9, 9, (2, 2)))], ["y"],
        consts=[("pos", scalar(0))], rank=2)
    for dt in (np.int32, np.float64, np.uint8, np.bool_):  # (the ORT runner reads no f16 .npy)
        p = rng.integers(0, 2, (3, 2)).astype(dt) if dt == np.bool_ else (f32((3, 2)) * 9).astype(dt)
        q = rng.integers(0, 2, (3, 2)).astype(dt) if dt == np.bool_ else (f32((3, 2)) * 9).astype(dt)
        write_graph_case(outdir, f"construct_stack_{np.dtype(dt).name}", [
            node("SequenceConstruct", ["p", "q"], ["s"]),
            node("ConcatFromSequence", ["s"], ["y"], axis=1, new_axis=1)], [("p", p), ("q", q)], ["y"])

    # Optionals.
    write_graph_case(outdir, "optional_get", [
        node("Optional", ["x"], ["o"]),
        node("OptionalGetElement", ["o"], ["y"])], [("x", x)], ["y"])
    write_graph_case(outdir, "optional_has", [
        node("Optional", ["x"], ["o"]),
        node("OptionalHasElement", ["o"], ["y"])], [("x", x)], ["y"])
    write_graph_case(outdir, "optional_sequence_get_at", [
        node("SplitToSequence", ["x"], ["s"], axis=1, keepdims=0),
        node("Optional", ["s"], ["o"]),
        node("OptionalGetElement", ["o"], ["t"]),
        node("SequenceAt", ["t", "pos"], ["y"])], [("x", x)], ["y"], consts=[("pos", scalar(5))])

    # Strings: numbers cast to strings and back, normalized in between.
    write_graph_case(outdir, "cast_f32_string_roundtrip", [
        node("Cast", ["x"], ["s"], to=TensorProto.STRING),
        node("Cast", ["s"], ["y"], to=TensorProto.FLOAT)],
        [("x", np.concatenate([f32((20,)), f32((20,)) * 1e-6, f32((20,)) * 1e20]))], ["y"])
    write_graph_case(outdir, "cast_f64_string_roundtrip", [
        node("Cast", ["x"], ["s"], to=TensorProto.STRING),
        node("Cast", ["s"], ["y"], to=TensorProto.DOUBLE)], [("x", rng.standard_normal((3, 5)))], ["y"])
    write_graph_case(outdir, "cast_i32_string_i64", [
        node("Cast", ["x"], ["s"], to=TensorProto.STRING),
        node("Cast", ["s"], ["y"], to=TensorProto.INT64)],
        [("x", rng.integers(-2**31, 2**31, (4, 4)).astype(np.int32))], ["y"])
    write_graph_case(outdir, "castlike_u8_string_f32", [
        node("CastLike", ["x", "like_s"], ["s"]),
        node("CastLike", ["s", "like_f"], ["y"])],
        [("x", rng.integers(0, 256, (6,)).astype(np.uint8))], ["y"],
        consts=[("like_s", np.array(["?"], dtype=object)), ("like_f", np.zeros((1,), np.float32))])
    words = np.array([1, 3, 5, 3, 7, 30], dtype=np.int64)
    write_graph_case(outdir, "strnorm_stopwords_via_cast", [
        node("Cast", ["x"], ["s"], to=TensorProto.STRING),
        # (case-sensitive, no case change: else ORT needs an installed en_US.UTF-8 locale)
        node("StringNormalizer", ["s"], ["t"], stopwords=["3", "7"], is_case_sensitive=1),
        node("Cast", ["t"], ["y"], to=TensorProto.INT64)], [("x", words)], ["y"])
    write_graph_case(outdir, "strnorm_2d_via_cast", [
        node("Cast", ["x"], ["s"], to=TensorProto.STRING),
        node("StringNormalizer", ["s"], ["t"], stopwords=["-1"], is_case_sensitive=1),
        node("Cast", ["t"], ["y"], to=TensorProto.FLOAT)],
        [("x", np.array([[-1, 2.5, -1, 4e-5]], dtype=np.float32))], ["y"])


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
