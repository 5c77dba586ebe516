#!/usr/bin/python3
"""Kiln vs ONNX Runtime latency on the PP-OCRv4 models, same shapes and thread
counts, measured alternately in one run (machines are noisy: compare ratios).

    bench/compare_ort.py --kiln build/kiln [--threads 1,2] [--iters 20] [--rounds 3]

For each model and thread count it runs `kiln bench --json` and
`tests/ort/ort_bench.js --json` alternately `--rounds` times and reports the
median of the per-round medians, plus Kiln's compile time and kernel count.
Prints a Markdown table (the README's results table comes from here).
"""

import argparse
import json
import os
import statistics
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODELS = os.path.join(REPO, "node_modules", "@gutenye", "ocr-models", "assets")
CASES = [
    ("det", "ch_PP-OCRv4_det_infer.onnx", "1x3x640x640"),
    ("rec", "ch_PP-OCRv4_rec_infer.onnx", "1x3x48x320"),
    ("cls", "ch_ppocr_mobile_v2.0_cls_infer.onnx", "1x3x48x192"),
]


def run_json(cmd):
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kiln", required=True)
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--iters", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--only", help="run only this model tag (det, rec, cls)")
    args = ap.parse_args()

    print(f"| model | input | threads | Kiln median ms | ORT median ms | Kiln/ORT | Kiln compile ms | kernels |")
    print(f"|---|---|---|---|---|---|---|---|")
    for tag, file, shape in CASES:
        if args.only and tag != args.only:
            continue
        model = os.path.join(MODELS, file)
        for threads in [int(t) for t in args.threads.split(",")]:
            common = ["--shape", f"x={shape}", "--threads", str(threads), "--iters", str(args.iters),
                      "--warmup", str(args.warmup), "--json"]
            kiln_meds, ort_meds, compile_ms, kernels = [], [], [], 0
            for _ in range(args.rounds):
                k = run_json([args.kiln, "bench", model] + common)
                o = run_json(["node", os.path.join(REPO, "tests", "ort", "ort_bench.js"), model] + common)
                kiln_meds.append(k["latency_ms"]["median"])
                ort_meds.append(o["latency_ms"]["median"])
                compile_ms.append(k["compile_ms"])
                kernels = k["kernels"]
            km, om = statistics.median(kiln_meds), statistics.median(ort_meds)
            print(f"| {tag} | {shape} | {threads} | {km:.2f} | {om:.2f} | {km / om:.2f} | "
                  f"{statistics.median(compile_ms):.0f} | {kernels} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
