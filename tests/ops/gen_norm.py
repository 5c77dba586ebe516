#!/usr/bin/python3
"""Writes op test cases for the softmax-like, normalization and loss ops
(LogSoftmax, Hardmax, LayerNormalization, InstanceNormalization,
MeanVarianceNormalization, LRN, NegativeLogLikelihoodLoss,
SoftmaxCrossEntropyLoss) for tests/ops/run_cases.py.

    gen_norm.py OUTDIR

Each case is OUTDIR/<case>/model.onnx (one node) plus input_<k>.npy per graph
input, from a fixed seed. Ops with optional extra outputs (LayerNormalization's
Mean and InvStdDev, SoftmaxCrossEntropyLoss's log_prob) are also checked with
those outputs present.
"""

import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from op_case import OPSET, shape_name, write_case  # noqa: E402

rng = np.random.default_rng(20240611)


def rand(shape, dtype=np.float32, scale=1.0):
    return (rng.standard_normal(shape) * scale).astype(dtype)


def labels(shape, classes, ignore=None, ignore_frac=0.25):
    t = rng.integers(0, classes, size=shape).astype(np.int64)
    if ignore is not None:
        t[rng.random(shape) < ignore_frac] = ignore
    return t


def write_multi(outdir, name, op, inputs, outputs, attrs=None, consts=None, opset=OPSET):
    """op_case.write_case for a node with several outputs."""
    write_case(outdir, name, op, inputs, attrs, consts, opset, outputs=outputs)


def gen_logsoftmax(out):
    cases = [((1,), -1), ((7,), 0), ((3, 16), -1), ((2, 3, 33), -1), ((2, 3, 33), 1), ((2, 3, 33), 0),
             ((2, 5, 7, 3), 1), ((2, 5, 7, 3), -3), ((2, 4, 300), 1), ((64, 1000), -1)]
    for shape, axis in cases:
        write_case(out, f"logsoftmax_{shape_name(shape)}_axis{axis}", "LogSoftmax",
                   [("x", rand(shape, scale=3.0))], {"axis": axis})
    write_case(out, "logsoftmax_large_logits", "LogSoftmax", [("x", rand((5, 17), scale=200.0))])
    write_case(out, "logsoftmax_f64", "LogSoftmax", [("x", rand((3, 11), np.float64))], {"axis": 0})
    # Before opset 13 the input is coerced to 2-D at `axis`.
    for axis in (1, 2, -1):
        write_case(out, f"logsoftmax_opset11_3x4x5_axis{axis}", "LogSoftmax", [("x", rand((3, 4, 5)))],
                   {"axis": axis}, opset=11)
    write_case(out, "logsoftmax_opset11_default_axis", "LogSoftmax", [("x", rand((2, 3, 7)))], opset=11)


def gen_hardmax(out):
    for shape, axis in [((7,), 0), ((3, 16), -1), ((2, 3, 33), 1), ((2, 3, 33), 0), ((2, 5, 7, 3), 2)]:
        write_case(out, f"hardmax_{shape_name(shape)}_axis{axis}", "Hardmax", [("x", rand(shape))],
                   {"axis": axis})
    # Ties: the first maximum wins.
    ties = rng.integers(0, 3, size=(4, 6, 5)).astype(np.float32)
    for axis in (0, 1, 2):
        write_case(out, f"hardmax_ties_axis{axis}", "Hardmax", [("x", ties)], {"axis": axis})
    for axis in (0, 1, 2):
        write_case(out, f"hardmax_opset11_3x4x5_axis{axis}", "Hardmax", [("x", rand((3, 4, 5)))],
                   {"axis": axis}, opset=11)


def gen_layernorm(out):
    for shape, axis in [((4, 33), -1), ((2, 3, 16), -1), ((2, 3, 16), 1), ((2, 3, 4, 5), 0),
                        ((2, 3, 4, 5), 2), ((3, 1000), 1), ((1, 7), -2)]:
        norm = shape[axis:] if axis >= 0 else shape[len(shape) + axis:]
        write_multi(out, f"layernorm_{shape_name(shape)}_axis{axis}", "LayerNormalization",
                    [("x", rand(shape, scale=2.0) + 3.0), ("scale", rand(norm)), ("bias", rand(norm))],
                    ["y", "mean", "inv_std_dev"], {"axis": axis})
    write_case(out, "layernorm_y_only", "LayerNormalization",
               [("x", rand((5, 12)))], {"epsilon": 0.1},
               consts={1: ("scale", rand((12,))), 2: ("bias", rand((12,)))})
    write_case(out, "layernorm_no_bias", "LayerNormalization", [("x", rand((3, 4, 9))), ("scale", rand((9,)))])
    # Only the last optional output: Mean is absent.
    write_multi(out, "layernorm_inv_std_dev_only", "LayerNormalization",
                [("x", rand((6, 20))), ("scale", rand((20,))), ("bias", rand((20,)))], ["y", "", "inv_std_dev"])
    write_multi(out, "layernorm_f64", "LayerNormalization",
                [("x", rand((3, 10), np.float64)), ("scale", rand((10,), np.float64)),
                 ("bias", rand((10,), np.float64))], ["y", "mean", "inv_std_dev"])


def gen_instancenorm(out):
    for shape in [(1, 2, 1, 3), (2, 3, 4, 5), (2, 5, 33), (1, 4, 2, 3, 5), (2, 8, 64, 64)]:
        c = shape[1]
        write_case(out, f"instancenorm_{shape_name(shape)}", "InstanceNormalization",
                   [("x", rand(shape) + 1.0), ("scale", rand((c,))), ("bias", rand((c,)))], {"epsilon": 1e-3})


def gen_mvn(out):
    write_case(out, "mvn_default_axes", "MeanVarianceNormalization", [("x", rand((3, 3, 3, 1)))])
    write_case(out, "mvn_2x5x7x3_default", "MeanVarianceNormalization", [("x", rand((2, 5, 7, 3), scale=4.0))])
    write_case(out, "mvn_2x5x7x3_axes23", "MeanVarianceNormalization", [("x", rand((2, 5, 7, 3)) + 2.0)],
               {"axes": [2, 3]})


def gen_lrn(out):
    for size in (1, 3, 5):  # ONNX Runtime rejects even sizes
        write_case(out, f"lrn_size{size}", "LRN", [("x", rand((2, 7, 5, 6)))], {"size": size})
    write_case(out, "lrn_attrs", "LRN", [("x", rand((1, 16, 9, 9)))],
               {"size": 5, "alpha": 0.01, "beta": 0.6, "bias": 2.0})


def gen_batchnorm_training(out):
    for shape in [(2, 3, 4, 5), (4, 16, 33), (1, 2, 1)]:
        c = shape[1]
        write_multi(out, f"batchnorm_training_{shape_name(shape)}", "BatchNormalization",
                    [("x", rand(shape) + 1.0), ("scale", rand((c,))), ("bias", rand((c,))),
                     ("mean", rand((c,))), ("var", rng.random(c).astype(np.float32) + 0.5)],
                    ["y", "running_mean", "running_var"], {"training_mode": 1, "momentum": 0.8})


def loss_cases(out, op):
    prefix = "nll" if op == "NegativeLogLikelihoodLoss" else "sce"
    cases = [((3, 5), None), ((3, 5, 2), 1), ((4, 6, 3, 5), -1), ((8, 10), 0), ((2, 7, 4, 3, 2), -5)]
    for shape, ignore in cases:
        c = shape[1]
        target = labels((shape[0],) + shape[2:], c, ignore)
        scores = rand(shape)
        if op == "NegativeLogLikelihoodLoss":
            # NLL takes log-probabilities.
            scores = (scores - np.log(np.exp(scores).sum(axis=1, keepdims=True))).astype(np.float32)
        for reduction in ("none", "sum", "mean"):
            for weighted in (False, True):
                attrs = {"reduction": reduction}
                if ignore is not None:
                    attrs["ignore_index"] = ignore
                inputs = [("x", scores), ("target", target)]
                if weighted:
                    inputs.append(("w", rng.random(c).astype(np.float32) + 0.1))
                name = f"{prefix}_{shape_name(shape)}_{reduction}{'_w' if weighted else ''}" + \
                       (f"_ii{ignore}" if ignore is not None else "")
                write_case(out, name, op, inputs, attrs)
                if op == "SoftmaxCrossEntropyLoss" and reduction != "sum":
                    write_multi(out, name + "_log_prob", op, inputs, ["y", "log_prob"], attrs)
    write_case(out, f"{prefix}_i32_target", op, [("x", rand((4, 3))), ("t", labels((4,), 3).astype(np.int32))])
    write_case(out, f"{prefix}_f64", op, [("x", rand((4, 3), np.float64)), ("t", labels((4,), 3))],
               {"reduction": "sum"})


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    gen_logsoftmax(out)
    gen_hardmax(out)
    gen_layernorm(out)
    gen_instancenorm(out)
    gen_mvn(out)
    gen_lrn(out)
    gen_batchnorm_training(out)
    loss_cases(out, "NegativeLogLikelihoodLoss")
    loss_cases(out, "SoftmaxCrossEntropyLoss")
    return 0


if __name__ == "__main__":
    sys.exit(main())
