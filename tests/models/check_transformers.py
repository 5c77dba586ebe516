#!/usr/bin/python3
"""Checks `kiln run` against ONNX Runtime on transformer attention:

  bert_encoder, gpt_decoder  the bench transformers (bench/models/export_transformer.py,
                             exported into --out), at -O3 (where fuse-attention makes
                             one Attention per layer) and at -O0 (no graph passes);
  attention_opset23          a model using ONNX's Attention (opset 23) directly:
                             grouped-query heads, Sq != Skv, a bool mask with one
                             row excluding every key (ORT gives 0 there) and a
                             causal variant.

    check_transformers.py --kiln PATH [--out DIR] [--threads N] [--rtol 1e-3] [--atol 1e-4]

Inputs are random (fixed seeds); the ORT reference is computed on every run,
never stored. Tolerance: |kiln - ort| <= atol + rtol |ort| per element (kiln and
ORT sum dot products and softmax denominators in different orders; observed
differences are about 2e-6 on outputs of magnitude 1..5). Prints PASS/FAIL per
model and level, then `N passed, M failed`.
"""

import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import TensorProto, helper

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(REPO_ROOT, "tests", "ort"))
from compare import Mismatch, compare_outputs  # noqa: E402

ORT_RUN = os.path.join(REPO_ROOT, "tests", "ort", "ort_run.js")
EXPORT = os.path.join(REPO_ROOT, "bench", "models", "export_transformer.py")


def run_tool(what, cmd):
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        lines = (proc.stderr or proc.stdout).strip().splitlines()
        raise Mismatch(f"{what} exited {proc.returncode}: {lines[-1] if lines else '(no message)'}")


def attention_model(path, causal):
    """Attention(Q [2,4,5,8], K [2,2,7,8], V [2,2,7,6], mask bool [2,1,5,7]) at opset 23."""
    inputs = [helper.make_tensor_value_info(name, elem, shape) for name, elem, shape in [
        ("q", TensorProto.FLOAT, [2, 4, 5, 8]), ("k", TensorProto.FLOAT, [2, 2, 7, 8]),
        ("v", TensorProto.FLOAT, [2, 2, 7, 6]), ("mask", TensorProto.BOOL, [2, 1, 5, 7])]]
    node = helper.make_node("Attention", ["q", "k", "v", "mask"], ["y"], is_causal=int(causal), scale=0.4)
    graph = helper.make_graph([node], "attention", inputs,
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 4, 5, 6])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 23)])
    model.ir_version = 10
    onnx.save(model, path)  # the installed onnx (1.12) cannot check opset 23


def attention_inputs():
    rng = np.random.default_rng(3)
    mask = rng.random((2, 1, 5, 7)) < 0.7
    mask[0, 0, 2, :] = False  # a query row that attends to nothing
    mask[:, :, :, 0] = True  # causal rows keep key 0, so only row 2 of batch 0 is fully masked
    mask[0, 0, 2, 0] = False
    return {"q": rng.standard_normal((2, 4, 5, 8)).astype(np.float32),
            "k": rng.standard_normal((2, 2, 7, 8)).astype(np.float32),
            "v": rng.standard_normal((2, 2, 7, 6)).astype(np.float32), "mask": mask}


def check(model, inputs, level, args, work_dir):
    input_args = []
    for name, value in inputs.items():
        path = os.path.join(work_dir, f"{name}.npy")
        np.save(path, value)
        input_args += ["-i", f"{name}={path}"]
    threads = ["--threads", str(args.threads)]
    ref_dir, got_dir = os.path.join(work_dir, "ort"), os.path.join(work_dir, f"kiln_O{level}")
    run_tool("ort_run.js", ["node", ORT_RUN, model, *input_args, "-o", ref_dir, *threads])
    run_tool("kiln", [args.kiln, "run", model, *input_args, "-o", got_dir, "-O", str(level), *threads])
    pairs = []
    for file in sorted(os.listdir(ref_dir)):
        got_path = os.path.join(got_dir, file)
        if not os.path.exists(got_path):
            raise Mismatch(f"kiln wrote no {file}")
        pairs.append((file[:-len(".npy")], np.load(got_path), np.load(os.path.join(ref_dir, file))))
    if not pairs:
        raise Mismatch("ORT wrote no outputs")
    return compare_outputs(pairs, args.rtol, args.atol)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kiln", required=True, help="path of the kiln binary")
    parser.add_argument("--out", default=os.path.join(REPO_ROOT, "build", "transformer_models"),
                        help="directory the models are exported into")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--rtol", type=float, default=1e-3)
    parser.add_argument("--atol", type=float, default=1e-4)
    args = parser.parse_args()
    if not os.access(args.kiln, os.X_OK):
        sys.exit(f"check_transformers: kiln binary {args.kiln} is not an executable file")
    os.makedirs(args.out, exist_ok=True)
    subprocess.run([sys.executable, EXPORT, "--out", args.out], check=True, stdout=subprocess.DEVNULL)
    for causal in (False, True):
        attention_model(os.path.join(args.out, f"attention_opset23{'_causal' if causal else ''}.onnx"), causal)

    rng = np.random.default_rng(1)
    checks = [
        ("bert_encoder", {"x": rng.standard_normal((1, 128, 256)).astype(np.float32)}, (3, 0)),
        ("gpt_decoder", {"input_ids": rng.integers(0, 1000, (1, 64)).astype(np.int64)}, (3, 0)),
        ("attention_opset23", attention_inputs(), (3,)),
        ("attention_opset23_causal", attention_inputs(), (3,)),
    ]
    passed = failed = 0
    for name, inputs, levels in checks:
        for level in levels:
            label = f"{name} -O{level}"
            with tempfile.TemporaryDirectory(prefix="kiln_transformers_") as work_dir:
                try:
                    detail = check(os.path.join(args.out, f"{name}.onnx"), inputs, level, args, work_dir)
                    print(f"PASS {label} ({detail})", flush=True)
                    passed += 1
                except Mismatch as e:
                    print(f"FAIL {label}: {e}", flush=True)
                    failed += 1
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
