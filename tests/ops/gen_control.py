#!/usr/bin/python3
"""Writes test cases for the control-flow family (If, Loop, Scan) for
tests/ops/run_cases.py: small graphs whose subgraphs hold a few nodes.

    gen_control.py OUTDIR

Covers both If branches (outputs of different shapes and dtypes), nested
control flow (If inside Loop, Loop inside Loop, If inside Scan), subgraphs
reading outer-scope values computed by outer nodes, Loop with only a trip
count, only a condition, or both, zero-trip Loops, a loop-carried value whose
shape changes every iteration, and Scan with reversed inputs and outputs and
non-zero (and negative) axes. Fixed seed.
"""

import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from op_case import OPSET, save_case  # noqa: E402

rng = np.random.default_rng(20240923)
F, I64, B = TensorProto.FLOAT, TensorProto.INT64, TensorProto.BOOL


def f32(*shape):
    return rng.standard_normal(shape).astype(np.float32)


def const(name, arr):
    return helper.make_node("Constant", [], [name], value=numpy_helper.from_array(np.asarray(arr), name))


def vi(name, elem, shape):
    return helper.make_tensor_value_info(name, elem, shape)


def sym(name, elem, rank):
    """A graph output typed with symbolic dims (ONNX shape inference leaves
    Loop's carried outputs without a shape, which the checker refuses)."""
    return vi(name, elem, [f"{name}_{d}" for d in range(rank)])


def graph(name, nodes, inputs, outputs):
    """A (sub)graph; `inputs`/`outputs` are ValueInfoProtos or bare names (left untyped)."""
    def info(v):
        if isinstance(v, str):
            p = onnx.ValueInfoProto()
            p.name = v
            return p
        return v
    return helper.make_graph(nodes, name, [info(v) for v in inputs], [info(v) for v in outputs])


def write(outdir, name, nodes, feeds, outputs, inits=()):
    """A model of `nodes`; `feeds` lists (name, array) graph inputs; `outputs`
    names the graph outputs (typed by ONNX shape inference) or gives them typed."""
    inputs = [vi(n, onnx.mapping.NP_TYPE_TO_TENSOR_TYPE[a.dtype], a.shape) for n, a in feeds]
    g = graph(name, nodes, inputs, outputs)
    g.initializer.extend(numpy_helper.from_array(np.asarray(a), n) for n, a in inits)
    model = helper.make_model(g, opset_imports=[helper.make_opsetid("", OPSET)])
    model = onnx.shape_inference.infer_shapes(model, strict_mode=True)
    del model.graph.value_info[:]
    save_case(outdir, name, model, [np.asarray(arr) for _, arr in feeds])


def gen_if(out):
    # Branches read the outer x; they return different shapes and dtypes.
    then_b = graph("then", [helper.make_node("Mul", ["x", "x"], ["t0"]),
                            helper.make_node("Shape", ["x"], ["t1"])], [], ["t0", "t1"])
    else_b = graph("else", [helper.make_node("Concat", ["x", "x"], ["e0"], axis=0),
                            helper.make_node("ArgMax", ["x"], ["e1"], axis=1, keepdims=0)], [], ["e0", "e1"])
    for cond in (True, False):
        write(out, f"if_{'then' if cond else 'else'}_shapes_differ",
              [helper.make_node("If", ["c"], ["y0", "y1"], then_branch=then_b, else_branch=else_b)],
              [("c", np.array(cond)), ("x", f32(2, 3))], ["y0", "y1"])
    # cond as a 1-element tensor computed by an outer node; branches capture an outer node's output.
    nodes = [helper.make_node("ReduceSum", ["x"], ["s"], keepdims=0),
             helper.make_node("Greater", ["s", "zero"], ["c"]),
             helper.make_node("Unsqueeze", ["c", "ax"], ["c1"]),
             helper.make_node("Relu", ["x"], ["r"]),
             helper.make_node("If", ["c1"], ["y"],
                              then_branch=graph("then", [helper.make_node("Add", ["r", "x"], ["t"])], [], ["t"]),
                              else_branch=graph("else", [helper.make_node("Sub", ["r", "x"], ["e"])], [], ["e"]))]
    for k in range(2):
        x = f32(3, 4) + (2.0 if k else -2.0)
        write(out, f"if_computed_cond_{k}", nodes, [("x", x)], ["y"],
              inits=[("zero", np.float32(0)), ("ax", np.array([0], np.int64))])
    # If nested in If.
    inner = helper.make_node("If", ["c2"], ["i"],
                             then_branch=graph("t2", [helper.make_node("Neg", ["x"], ["a"])], [], ["a"]),
                             else_branch=graph("e2", [helper.make_node("Abs", ["x"], ["b"])], [], ["b"]))
    outer = helper.make_node("If", ["c1"], ["y"],
                             then_branch=graph("t1", [inner], [], ["i"]),
                             else_branch=graph("e1", [helper.make_node("Exp", ["x"], ["e"])], [], ["e"]))
    for c1, c2 in ((True, True), (True, False), (False, True)):
        write(out, f"if_nested_{int(c1)}{int(c2)}", [outer],
              [("c1", np.array(c1)), ("c2", np.array(c2)), ("x", f32(4))], ["y"])


def loop_node(inputs, outputs, body_nodes, body_in, body_out):
    return helper.make_node("Loop", inputs, outputs, body=graph("body", body_nodes, body_in, body_out))


def gen_loop(out):
    iter_in, cond_in = vi("i", I64, []), vi("ci", B, [])
    # Trip count only: carried running sum and a scan output of the per-iteration value.
    body = [helper.make_node("Identity", ["ci"], ["co"]),
            helper.make_node("Cast", ["i"], ["fi"], to=F),
            helper.make_node("Mul", ["x", "fi"], ["xi"]),
            helper.make_node("Add", ["acc", "xi"], ["acc_o"]),
            helper.make_node("Identity", ["xi"], ["sc"])]
    write(out, "loop_trip_count",
          [loop_node(["m", "", "a0"], ["acc_f", "scan"], body, [iter_in, cond_in, vi("acc", F, [2, 3])],
                     ["co", "acc_o", "sc"])],
          [("m", np.array(5, np.int64)), ("a0", f32(2, 3)), ("x", f32(2, 3))], [sym("acc_f", F, 2), "scan"])
    # Condition only: stop when the carried counter reaches a bound read from outside.
    body = [helper.make_node("Add", ["n", "one"], ["n_o"]),
            helper.make_node("Less", ["n_o", "bound"], ["co"]),
            helper.make_node("Mul", ["p", "two"], ["p_o"]),
            helper.make_node("Identity", ["n"], ["sc"])]
    for bound in (4, 1):
        write(out, f"loop_cond_only_{bound}",
              [loop_node(["", "c", "n0", "p0"], ["n_f", "p_f", "scan"], body,
                         [iter_in, cond_in, vi("n", I64, []), vi("p", F, [3])], ["co", "n_o", "p_o", "sc"])],
              [("c", np.array(True)), ("n0", np.array(0, np.int64)), ("p0", f32(3)),
               ("bound", np.array(bound, np.int64))], [sym("n_f", I64, 0), sym("p_f", F, 1), "scan"],
              inits=[("one", np.array(1, np.int64)), ("two", np.float32(2))])
    # Both: the condition stops the loop before the trip count does, and vice versa.
    body = [helper.make_node("Less", ["i", "stop"], ["co"]),
            helper.make_node("Cast", ["i"], ["fi"], to=F),
            helper.make_node("Add", ["s", "fi"], ["s_o"]),
            helper.make_node("Identity", ["s_o"], ["sc"])]
    for m, stop in ((10, 3), (2, 7)):
        write(out, f"loop_trip_and_cond_m{m}_stop{stop}",
              [loop_node(["m", "c", "s0"], ["s_f", "scan"], body, [iter_in, cond_in, vi("s", F, [1])],
                         ["co", "s_o", "sc"])],
              [("m", np.array(m, np.int64)), ("c", np.array(True)), ("s0", f32(1)),
               ("stop", np.array(stop, np.int64))], [sym("s_f", F, 1), "scan"])
    # Zero trips (M = 0, or cond false on entry): the carried values come back unchanged.
    # The scan output is empty, shaped [0, 2, 2] from its declared per-iteration type.
    body = [helper.make_node("Identity", ["ci"], ["co"]),
            helper.make_node("Add", ["v", "v"], ["v_o"]),
            helper.make_node("Neg", ["v"], ["sc"])]
    for m, c in ((0, True), (3, False)):
        write(out, f"loop_zero_trip_m{m}_c{int(c)}",
              [loop_node(["m", "c", "v0"], ["v_f", "scan"], body, [iter_in, cond_in, vi("v", F, [2, 2])],
                         ["co", "v_o", "sc"])],
              [("m", np.array(m, np.int64)), ("c", np.array(c)), ("v0", f32(2, 2))], [sym("v_f", F, 2), "scan"])
    # If inside the body: even iterations add x, odd ones subtract it (x captured from outside).
    inner_if = helper.make_node(
        "If", ["even"], ["d"],
        then_branch=graph("then", [helper.make_node("Add", ["v", "x"], ["t"])], [], ["t"]),
        else_branch=graph("else", [helper.make_node("Sub", ["v", "xx"], ["e"])], [], ["e"]))
    body = [helper.make_node("Identity", ["ci"], ["co"]),
            helper.make_node("Mod", ["i", "two"], ["r"]),
            helper.make_node("Equal", ["r", "zero"], ["even"]),
            inner_if,
            helper.make_node("Identity", ["d"], ["v_o"]),
            helper.make_node("Identity", ["d"], ["sc"])]
    write(out, "loop_if_inside",
          [helper.make_node("Mul", ["x", "x"], ["xx"]),
           loop_node(["m", "", "v0"], ["v_f", "scan"], body, [iter_in, cond_in, vi("v", F, [3])],
                     ["co", "v_o", "sc"])],
          [("m", np.array(5, np.int64)), ("v0", f32(3)), ("x", f32(3))], [sym("v_f", F, 1), "scan"],
          inits=[("two", np.array(2, np.int64)), ("zero", np.array(0, np.int64))])
    # A carried value that grows every iteration: its shape changes (no scan outputs,
    # which would need equal shapes).
    body = [helper.make_node("Identity", ["ci"], ["co"]),
            helper.make_node("Cast", ["i"], ["fi"], to=F),
            helper.make_node("Reshape", ["fi", "shp"], ["fi1"]),
            helper.make_node("Concat", ["g", "fi1"], ["g_o"], axis=0)]
    write(out, "loop_growing_carried",
          [loop_node(["m", "", "g0"], ["g_f"], body, [iter_in, cond_in, vi("g", F, ["n"])], ["co", "g_o"])],
          [("m", np.array(6, np.int64)), ("g0", f32(2))], [sym("g_f", F, 1)],
          inits=[("shp", np.array([1], np.int64))])
    # Loop inside Loop: the inner trip count is the outer iteration number; the
    # inner body reads the outer body's iteration number and an outer-graph value.
    inner_body = [helper.make_node("Identity", ["cj"], ["cjo"]),
                  helper.make_node("Add", ["j", "i"], ["ij"]),
                  helper.make_node("Cast", ["ij"], ["fij"], to=F),
                  helper.make_node("Mul", ["fij", "w"], ["t"]),
                  helper.make_node("Add", ["u", "t"], ["u_o"])]
    inner = loop_node(["i", "", "v"], ["v_in"], inner_body, [vi("j", I64, []), vi("cj", B, []), vi("u", F, [2])],
                      ["cjo", "u_o"])
    body = [helper.make_node("Identity", ["ci"], ["co"]), inner,
            helper.make_node("Identity", ["v_in"], ["v_o"]),
            helper.make_node("ReduceSum", ["v_in"], ["sc"], keepdims=1)]
    write(out, "loop_nested_loop",
          [loop_node(["m", "", "v0"], ["v_f", "scan"], body, [iter_in, cond_in, vi("v", F, [2])],
                     ["co", vi("v_o", F, [2]), vi("sc", F, [1])])],
          [("m", np.array(4, np.int64)), ("v0", f32(2)), ("w", f32(2))], [sym("v_f", F, 1), "scan"])
    # int32 carried values and two scan outputs of different dtypes.
    body = [helper.make_node("Identity", ["ci"], ["co"]),
            helper.make_node("Mul", ["q", "k"], ["q_o"]),
            helper.make_node("Cast", ["q_o"], ["q_f"], to=F),
            helper.make_node("Identity", ["q_o"], ["sc0"]),
            helper.make_node("Sqrt", ["q_f"], ["sc1"])]
    write(out, "loop_int32_two_scans",
          [loop_node(["m", "", "q0"], ["q_fin", "s0", "s1"], body,
                     [iter_in, cond_in, vi("q", TensorProto.INT32, [2])], ["co", "q_o", "sc0", "sc1"])],
          [("m", np.array(4, np.int64)), ("q0", np.array([1, 2], np.int32)), ("k", np.array([2, 3], np.int32))],
          [sym("q_fin", TensorProto.INT32, 1), "s0", "s1"])


def scan_node(inputs, outputs, body_nodes, body_in, body_out, **attrs):
    return helper.make_node("Scan", inputs, outputs, body=graph("body", body_nodes, body_in, body_out), **attrs)


def gen_scan(out):
    # Running sum (state) and running product-free scan output, per attribute mix.
    body = [helper.make_node("Add", ["s", "xt"], ["s_o"]),
            helper.make_node("Mul", ["s_o", "xt"], ["sc"])]
    body_in, body_out = [vi("s", F, [3]), vi("xt", F, [3])], ["s_o", "sc"]
    variants = [
        ("scan_forward", (5, 3), {}),
        ("scan_reverse_input", (5, 3), {"scan_input_directions": [1]}),
        ("scan_reverse_output", (5, 3), {"scan_output_directions": [1]}),
        ("scan_input_axis1", (3, 5), {"scan_input_axes": [1]}),
        ("scan_input_axis_neg1_output_axis1", (3, 4), {"scan_input_axes": [-1], "scan_output_axes": [1]}),
        ("scan_output_axis_neg1_reversed", (6, 3), {"scan_output_axes": [-1], "scan_output_directions": [1],
                                                    "scan_input_directions": [1]}),
    ]
    for name, shape, attrs in variants:
        write(out, name, [scan_node(["s0", "x"], ["s_f", "y"], body, body_in, body_out, num_scan_inputs=1, **attrs)],
              [("s0", f32(3)), ("x", f32(*shape))], ["s_f", "y"])
    # Two scan inputs on different axes and directions, two states, a captured outer value.
    body = [helper.make_node("MatMul", ["a", "w"], ["aw"]),
            helper.make_node("Add", ["aw", "b"], ["h"]),
            helper.make_node("Add", ["h", "s"], ["s_o"]),
            helper.make_node("Add", ["cnt", "one"], ["cnt_o"]),
            helper.make_node("Tanh", ["s_o"], ["y0"]),
            helper.make_node("ReduceMax", ["h"], ["y1"], keepdims=0)]
    write(out, "scan_two_inputs_capture",
          [helper.make_node("Transpose", ["w0"], ["w"], perm=[1, 0]),
           scan_node(["s0", "cnt0", "xa", "xb"], ["s_f", "cnt_f", "ya", "yb"], body,
                     [vi("s", F, [4]), vi("cnt", I64, []), vi("a", F, [3]), vi("b", F, [4])],
                     ["s_o", "cnt_o", "y0", "y1"], num_scan_inputs=2, scan_input_axes=[0, 1],
                     scan_input_directions=[0, 1], scan_output_axes=[1, 0])],
          [("s0", f32(4)), ("cnt0", np.array(0, np.int64)), ("xa", f32(5, 3)), ("xb", f32(4, 5)),
           ("w0", f32(4, 3))], ["s_f", "cnt_f", "ya", "yb"], inits=[("one", np.array(1, np.int64))])
    # No state at all, rank-3 scan input scanned along axis 2, output stacked along axis 2.
    body = [helper.make_node("Softmax", ["xt"], ["y"], axis=-1)]
    write(out, "scan_stateless_axis2",
          [scan_node(["x"], ["out"], body, [vi("xt", F, [2, 3])], ["y"], num_scan_inputs=1,
                     scan_input_axes=[2], scan_output_axes=[2])],
          [("x", f32(2, 3, 4))], ["out"])
    # If inside the Scan body, choosing on the sign of each element's sum.
    inner_if = helper.make_node(
        "If", ["pos"], ["d"],
        then_branch=graph("then", [helper.make_node("Add", ["s", "xt"], ["t"])], [], ["t"]),
        else_branch=graph("else", [helper.make_node("Sub", ["s", "xt"], ["e"])], [], ["e"]))
    body = [helper.make_node("ReduceSum", ["xt"], ["sum"], keepdims=0),
            helper.make_node("Greater", ["sum", "zero"], ["pos"]),
            inner_if,
            helper.make_node("Identity", ["d"], ["s_o"]),
            helper.make_node("Identity", ["d"], ["sc"])]
    write(out, "scan_if_inside",
          [scan_node(["s0", "x"], ["s_f", "y"], body, [vi("s", F, [2]), vi("xt", F, [2])], ["s_o", "sc"],
                     num_scan_inputs=1)],
          [("s0", f32(2)), ("x", f32(7, 2))], ["s_f", "y"], inits=[("zero", np.float32(0))])


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: gen_control.py OUTDIR")
    out = sys.argv[1]
    gen_if(out)
    gen_loop(out)
    gen_scan(out)


if __name__ == "__main__":
    main()
