#!/usr/bin/python3
"""Writes single-op ONNX models for measuring Kiln's kernels against ONNX
Runtime on the same inputs (bench/compare_ort.py). Weights are random
(numpy seed 0) and stored as initializers, as a model's weights would be:

  sgemm_1024.onnx  MatMul a[1024, 1024] x W[1024, 1024] -> y[1024, 1024]
                   (2 * 1024^3 = 2.15 GFLOP per run)
  gemv_4096.onnx   MatMul a[1, 4096] x W[4096, 4096] -> y[1, 4096]
                   (LLM-decode shape: streams the 64 MiB weight once per run)

    bench/models/export_ops.py [--out build/bench_models] [--only NAME]

Needs only python3-onnx and python3-numpy.
"""

import argparse
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# name -> (M, K, N)
MATMULS = {"sgemm_1024": (1024, 1024, 1024), "gemv_4096": (1, 4096, 4096)}


def matmul_model(name, m, k, n):
    rng = np.random.default_rng(0)
    w = numpy_helper.from_array(rng.standard_normal((k, n), dtype=np.float32), "W")
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["a", "W"], ["y"])], name,
        [helper.make_tensor_value_info("a", TensorProto.FLOAT, [m, k])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [m, n])], [w])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(REPO, "build", "bench_models"))
    ap.add_argument("--only", choices=sorted(MATMULS))
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    for name, (m, k, n) in MATMULS.items():
        if args.only and name != args.only:
            continue
        path = os.path.join(args.out, name + ".onnx")
        onnx.save(matmul_model(name, m, k, n), path)
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
