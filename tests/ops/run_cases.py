#!/usr/bin/python3
"""Runs generated op test cases through ONNX Runtime (the oracle) and `kiln run`
and compares every output.

    run_cases.py CASEDIR --kiln PATH [--filter SUBSTR] [--rtol 1e-3] [--atol 1e-4]

A case is a directory CASEDIR/<case>/ holding `model.onnx` and `input_<k>.npy`
for the k-th graph input (graph input order, initializers excluded). A case may
hold `tolerance.json` ({"rtol": .., "atol": ..}) to override the tolerances for
ops whose results legitimately differ more (e.g. transcendental functions).

Outputs must agree in shape exactly and in dtype kind; floats within
|kiln - ort| <= atol + rtol * |ort| (NaN matches NaN, infinities match exactly),
integers and bools exactly. Prints one PASS/FAIL line per case, then
`N passed, M failed`; exits 1 if any case failed or no case was found.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np
import onnx

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(REPO_ROOT, "tests", "ort"))
from compare import Mismatch, compare_outputs, sanitize_name  # noqa: E402

ORT_RUN = os.path.join(REPO_ROOT, "tests", "ort", "ort_run.js")
CASE_TIMEOUT_S = 600


class CaseError(Exception):
    """A case that cannot be run or compared; the message is the FAIL reason."""


def graph_io_names(model_path):
    # Only the graph structure is needed, not the (possibly large) weights.
    model = onnx.load(model_path, load_external_data=False)
    initializers = {t.name for t in model.graph.initializer}
    inputs = [i.name for i in model.graph.input if i.name not in initializers]
    outputs = [o.name for o in model.graph.output]
    return inputs, outputs


def first_line(text):
    lines = [l for l in text.strip().splitlines() if l.strip()]
    return lines[-1] if lines else "(no message)"


def run_tool(what, cmd):
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=CASE_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        raise CaseError(f"{what} timed out after {CASE_TIMEOUT_S} s")
    except OSError as e:
        raise CaseError(f"cannot start {what}: {e}")
    if proc.returncode != 0:
        raise CaseError(f"{what} exited {proc.returncode}: {first_line(proc.stderr or proc.stdout)}")


def load_tolerance(case_dir, rtol, atol):
    path = os.path.join(case_dir, "tolerance.json")
    if not os.path.exists(path):
        return rtol, atol
    with open(path) as f:
        tol = json.load(f)
    return float(tol.get("rtol", rtol)), float(tol.get("atol", atol))


def run_case(case_dir, kiln, work_dir, rtol, atol, extra_kiln_args):
    model = os.path.join(case_dir, "model.onnx")
    try:
        inputs, outputs = graph_io_names(model)
    except Exception as e:  # onnx raises several exception types for bad files
        raise CaseError(f"cannot read model.onnx: {e}")
    feeds = []
    for k, name in enumerate(inputs):
        path = os.path.join(case_dir, f"input_{k}.npy")
        if not os.path.exists(path):
            raise CaseError(f"missing input_{k}.npy for graph input '{name}'")
        feeds += ["-i", f"{name}={path}"]

    ref_dir = os.path.join(work_dir, "ort")
    got_dir = os.path.join(work_dir, "kiln")
    run_tool("ort_run.js", ["node", ORT_RUN, model, *feeds, "-o", ref_dir])
    run_tool("kiln", [kiln, "run", model, *feeds, "-o", got_dir, *extra_kiln_args])

    rtol, atol = load_tolerance(case_dir, rtol, atol)
    pairs = []
    for name in outputs:
        file = sanitize_name(name) + ".npy"
        ref_path = os.path.join(ref_dir, file)
        got_path = os.path.join(got_dir, file)
        if not os.path.exists(ref_path):
            raise CaseError(f"ORT wrote no {file}")
        if not os.path.exists(got_path):
            raise CaseError(f"kiln wrote no {file} for output '{name}'")
        pairs.append((name, np.load(got_path), np.load(ref_path)))
    try:
        return compare_outputs(pairs, rtol, atol)
    except Mismatch as e:
        raise CaseError(str(e))


def find_cases(case_root, substr):
    if not os.path.isdir(case_root):
        sys.exit(f"run_cases: {case_root} is not a directory")
    for name in sorted(os.listdir(case_root)):
        case_dir = os.path.join(case_root, name)
        if os.path.isfile(os.path.join(case_dir, "model.onnx")) and (substr is None or substr in name):
            yield name, case_dir


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("case_dir")
    parser.add_argument("--kiln", required=True, help="path of the kiln binary")
    parser.add_argument("--filter", help="run only cases whose name contains this")
    parser.add_argument("--rtol", type=float, default=1e-3)
    parser.add_argument("--atol", type=float, default=1e-4)
    parser.add_argument("--opt-level", type=int, choices=range(4), help="pass -O<N> to kiln run")
    parser.add_argument("--threads", type=int, help="pass --threads N to kiln run")
    parser.add_argument("--sample", type=int, default=1,
                        help="run every Nth case only (in name order); the sanitizer CI pass uses this")
    args = parser.parse_args()

    if shutil.which("node") is None:
        sys.exit("run_cases: node is not on PATH (needed for the ONNX Runtime reference)")
    if not os.access(args.kiln, os.X_OK):
        sys.exit(f"run_cases: kiln binary {args.kiln} is not an executable file")
    kiln_args = []
    if args.opt_level is not None:
        kiln_args.append(f"-O{args.opt_level}")
    if args.threads is not None:
        kiln_args += ["--threads", str(args.threads)]

    passed = failed = 0
    if args.sample < 1:
        sys.exit("run_cases: --sample must be at least 1")
    for name, case_dir in list(find_cases(args.case_dir, args.filter))[::args.sample]:
        with tempfile.TemporaryDirectory(prefix="kiln_case_") as work_dir:
            try:
                detail = run_case(case_dir, args.kiln, work_dir, args.rtol, args.atol, kiln_args)
                print(f"PASS {name} ({detail})", flush=True)
                passed += 1
            except CaseError as e:
                print(f"FAIL {name}: {e}", flush=True)
                failed += 1
    print(f"{passed} passed, {failed} failed")
    if passed + failed == 0:
        print("run_cases: no cases found", file=sys.stderr)
        return 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
