#!/usr/bin/python3
"""Writes the malformed files check_cli_errors.sh feeds to `kiln`, into OUTDIR:
a truncated model, random bytes, a model with an op from an unknown domain,
input tensors with the wrong dtype and rank, and a truncated .npy."""

import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper


def main():
    out, model_path = sys.argv[1], sys.argv[2]
    data = open(model_path, "rb").read()
    open(os.path.join(out, "truncated.onnx"), "wb").write(data[: len(data) // 2])
    open(os.path.join(out, "garbage.onnx"), "wb").write(np.random.RandomState(0).bytes(4096))
    open(os.path.join(out, "empty.onnx"), "wb").close()

    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 3])
    node = helper.make_node("Frobnicate", ["x"], ["y"], name="weird_node", domain="com.example")
    graph = helper.make_graph([node], "g", [x], [y])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13),
                                                    helper.make_opsetid("com.example", 1)])
    onnx.save(model, os.path.join(out, "unsupported.onnx"))

    good = np.random.RandomState(1).rand(1, 3, 48, 192).astype(np.float32)
    np.save(os.path.join(out, "good.npy"), good)
    np.save(os.path.join(out, "wrong_dtype.npy"), good.astype(np.int64))
    np.save(os.path.join(out, "wrong_rank.npy"), good[0])
    np.save(os.path.join(out, "wrong_channels.npy"), np.zeros((1, 4, 48, 192), np.float32))
    raw = open(os.path.join(out, "good.npy"), "rb").read()
    open(os.path.join(out, "truncated.npy"), "wb").write(raw[: len(raw) // 3])


if __name__ == "__main__":
    main()
