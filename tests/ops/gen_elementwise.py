#!/usr/bin/python3
"""Writes op test cases for Kiln's elementwise family (ir/ops.def) into OUTDIR.

    gen_elementwise.py OUTDIR

Each case is OUTDIR/<case>/model.onnx + input_<k>.npy (seeded random data),
checked against ONNX Runtime by run_cases.py. Cases cover every elementwise op,
broadcasting patterns (scalar, per-channel, middle dims, rank mismatch), sizes
around the vector width (1, 7, 16, 33 elements in the last dim), and dtypes.
"""

import json
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper

OPSET = 17
rng = np.random.RandomState(1234)

NP_TO_ONNX = {
    np.float32: TensorProto.FLOAT, np.float64: TensorProto.DOUBLE, np.int32: TensorProto.INT32,
    np.int64: TensorProto.INT64, np.uint8: TensorProto.UINT8, np.int8: TensorProto.INT8,
    np.bool_: TensorProto.BOOL,
}


def data(shape, dtype, low=-3.0, high=3.0):
    if dtype == np.bool_:
        return rng.rand(*shape) > 0.5
    if np.issubdtype(dtype, np.integer):
        info = np.iinfo(dtype)
        return rng.randint(max(info.min, -50), min(info.max, 50) + 1, size=shape).astype(dtype)
    return rng.uniform(low, high, size=shape).astype(dtype)


def write_case(outdir, name, op, inputs, attrs=None, out_dtype=None, tolerance=None):
    """inputs: list of numpy arrays (graph inputs). The output type is inferred by ONNX."""
    case = os.path.join(outdir, name)
    os.makedirs(case, exist_ok=True)
    names = [f"in{k}" for k in range(len(inputs))]
    graph_inputs = [helper.make_tensor_value_info(n, NP_TO_ONNX[a.dtype.type], a.shape)
                    for n, a in zip(names, inputs)]
    node = helper.make_node(op, names, ["out"], **(attrs or {}))
    graph = helper.make_graph([node], name, graph_inputs,
                              [helper.make_tensor_value_info("out", out_dtype or 0, None)])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])
    model.ir_version = 8
    model = onnx.shape_inference.infer_shapes(model)
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(case, "model.onnx"))
    for k, a in enumerate(inputs):
        np.save(os.path.join(case, f"input_{k}.npy"), a)
    if tolerance:
        with open(os.path.join(case, "tolerance.json"), "w") as f:
            json.dump(tolerance, f)


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    out = sys.argv[1]
    f32 = np.float32
    # Unary float ops, at widths below, at and above one AVX-512 vector.
    unary = {
        "Identity": {}, "Neg": {}, "Abs": {}, "Exp": {}, "Tanh": {}, "Erf": {}, "Floor": {}, "Ceil": {},
        "Relu": {}, "LeakyRelu": {"alpha": 0.1}, "Sigmoid": {}, "HardSigmoid": {"alpha": 1 / 6, "beta": 0.5},
        "HardSwish": {}, "Reciprocal": {},
    }
    for op, attrs in unary.items():
        for w in (1, 7, 16, 33):
            write_case(out, f"{op}_w{w}", op, [data((2, 3, w), f32)], attrs)
    write_case(out, "Sqrt", "Sqrt", [data((4, 17), f32, 0.0, 9.0)])
    write_case(out, "Log", "Log", [data((4, 17), f32, 0.01, 9.0)])
    write_case(out, "Exp_f64", "Exp", [data((3, 9), np.float64)])
    for t in (np.int32, np.int64, np.int8):
        write_case(out, f"Neg_{t.__name__}", "Neg", [data((5, 7), t)])
        write_case(out, f"Abs_{t.__name__}", "Abs", [data((5, 7), t)])
    write_case(out, "Relu_i32", "Relu", [data((5, 7), np.int32)])
    write_case(out, "Not", "Not", [data((3, 11), np.bool_)])

    # Casts between the dtypes the models use.
    for src, dst in [(f32, TensorProto.INT64), (f32, TensorProto.INT32), (np.int64, TensorProto.FLOAT),
                     (np.int32, TensorProto.INT64), (np.int64, TensorProto.INT32), (f32, TensorProto.BOOL),
                     (np.bool_, TensorProto.FLOAT), (f32, TensorProto.DOUBLE), (f32, TensorProto.UINT8)]:
        low = 0.0 if dst == TensorProto.UINT8 else -3.0
        write_case(out, f"Cast_{src.__name__}_to_{TensorProto.DataType.Name(dst)}", "Cast",
                   [data((4, 9), src, low, 3.0)], {"to": dst})

    # Clip with both, one and no bounds (bounds as graph inputs: scalars).
    x = data((2, 16, 9), f32, -10, 10)
    write_case(out, "Clip_min_max", "Clip", [x, np.array(0.0, f32), np.array(6.0, f32)])
    write_case(out, "Clip_i64", "Clip", [data((3, 8), np.int64), np.array(-5, np.int64), np.array(7, np.int64)])

    # Binary ops with every broadcasting pattern.
    shapes = {
        "same": ((2, 3, 4, 33), (2, 3, 4, 33)),
        "scalar": ((2, 3, 4, 5), ()),
        "scalar_lhs": ((), (2, 3, 16)),
        "channel": ((2, 8, 5, 7), (1, 8, 1, 1)),
        "lastdim": ((3, 4, 17), (17,)),
        "middle": ((2, 5, 3), (2, 1, 3)),
        "both": ((4, 1, 6), (1, 5, 1)),
        "rank_mismatch": ((7,), (3, 2, 7)),
    }
    for op in ("Add", "Sub", "Mul", "Div"):
        for tag, (sa, sb) in shapes.items():
            a, b = data(sa, f32), data(sb, f32)
            if op == "Div":
                b = np.where(np.abs(b) < 0.5, 1.5, b).astype(f32)
            write_case(out, f"{op}_{tag}", op, [a, b])
        for t in (np.int64, np.int32):
            a, b = data((4, 9), t), data((9,), t)
            if op == "Div":
                b = np.where(b == 0, 3, b).astype(t)
            write_case(out, f"{op}_{t.__name__}", op, [a, b])
    write_case(out, "Pow_square", "Pow", [data((3, 17), f32), np.array(2.0, f32)])
    write_case(out, "Pow_general", "Pow", [data((3, 17), f32, 0.1, 3.0), data((17,), f32, -2, 2)])
    for op in ("Equal", "Less", "Greater"):
        write_case(out, f"{op}_f32", op, [data((4, 9), f32).round(), data((9,), f32).round()])
        write_case(out, f"{op}_i64", op, [data((4, 9), np.int64), data((4, 1), np.int64)])
    write_case(out, "And", "And", [data((3, 8), np.bool_), data((8,), np.bool_)])
    write_case(out, "Or", "Or", [data((3, 8), np.bool_), data((3, 1), np.bool_)])
    write_case(out, "Where", "Where", [data((3, 1, 8), np.bool_), data((4, 8), f32), data((3, 4, 1), f32)])
    write_case(out, "Where_i64", "Where", [data((6,), np.bool_), data((6,), np.int64), data((), np.int64)])
    for op in ("Max", "Min"):
        write_case(out, f"{op}_3", op, [data((2, 9), f32), data((9,), f32), data((2, 1), f32)])
        write_case(out, f"{op}_1", op, [data((5,), f32)])
        write_case(out, f"{op}_i32", op, [data((2, 9), np.int32), data((9,), np.int32)])
    second_batch(out)
    return 0


def second_batch(out):
    """The ops of ir/ops.def's second elementwise batch."""
    f32, f64 = np.float32, np.float64
    unary = {
        "Sin": {}, "Cos": {}, "Tan": {}, "Atan": {}, "Sinh": {}, "Cosh": {}, "Asinh": {}, "Sign": {},
        "Round": {}, "Softsign": {}, "Softplus": {}, "Selu": {}, "Elu": {"alpha": 0.7},
        "Celu": {"alpha": 1.5}, "ThresholdedRelu": {"alpha": 0.3}, "Shrink": {"lambd": 0.8, "bias": 0.3},
    }
    for op, attrs in unary.items():
        write_case(out, f"{op}_w33", op, [data((2, 3, 33), f32, -4.0, 4.0)], attrs)
    write_case(out, "Round_halves", "Round", [(np.arange(-12, 12, dtype=f32) * 0.5).reshape(4, 6)])
    for op in ("Asin", "Acos", "Atanh"):
        write_case(out, f"{op}_w17", op, [data((3, 17), f32, -0.99, 0.99)])
    write_case(out, "Acosh_w17", "Acosh", [data((3, 17), f32, 1.0, 9.0)])
    write_case(out, "Sin_f64", "Sin", [data((3, 9), f64)])
    write_case(out, "Softplus_large", "Softplus", [data((3, 9), f32, -100.0, 100.0)])
    write_case(out, "Sign_i32", "Sign", [data((5, 7), np.int32)])
    special = np.array([[1.0, -np.inf, np.nan, np.inf, 0.0, -2.5]], f32)
    write_case(out, "IsNaN", "IsNaN", [special])
    write_case(out, "IsInf", "IsInf", [special])
    write_case(out, "IsInf_negative", "IsInf", [special], {"detect_positive": 0})
    write_case(out, "PRelu_channel", "PRelu", [data((2, 4, 3, 5), f32), data((4, 1, 1), f32)])
    write_case(out, "PRelu_scalar", "PRelu", [data((3, 7), f32), data((1,), f32)])
    for t in (np.int32, np.int64, np.int8):
        a, b = data((4, 9), t), data((9,), t)
        b = np.where(b == 0, 7, b).astype(t)
        write_case(out, f"Mod_{t.__name__}", "Mod", [a, b])
        write_case(out, f"Mod_fmod_{t.__name__}", "Mod", [a, b], {"fmod": 1})
    write_case(out, "Mod_fmod_f32", "Mod", [data((4, 9), f32, -9, 9), data((9,), f32, 0.5, 4)], {"fmod": 1})
    divisor = data((9,), np.uint8)
    divisor = np.where(divisor == 0, 3, divisor).astype(np.uint8)
    write_case(out, "Mod_uint8", "Mod", [data((4, 9), np.uint8), divisor])
    for direction in ("LEFT", "RIGHT"):
        write_case(out, f"BitShift_{direction}", "BitShift",
                   [data((3, 8), np.uint8), rng.randint(0, 8, size=(8,)).astype(np.uint8)],
                   {"direction": direction})
    write_case(out, "Xor", "Xor", [data((3, 8), np.bool_), data((8,), np.bool_)])
    for op in ("GreaterOrEqual", "LessOrEqual"):
        write_case(out, f"{op}_f32", op, [data((4, 9), f32).round(), data((9,), f32).round()])
        write_case(out, f"{op}_i64", op, [data((4, 9), np.int64), data((4, 1), np.int64)])
    for op in ("Sum", "Mean"):
        write_case(out, f"{op}_3", op, [data((2, 9), f32), data((9,), f32), data((2, 1), f32)])
        write_case(out, f"{op}_1", op, [data((5,), f32)])
    write_case(out, "CastLike_f32_to_i32", "CastLike", [data((4, 9), f32), data((1,), np.int32)])


if __name__ == "__main__":
    sys.exit(main())
