#!/usr/bin/python3
"""What the graph passes do to kernels launched and latency, per model: the
table in the README's "Passes" section.

    bench/pass_table.py --kiln build/kiln [--threads 1] [--iters 20] [--rounds 3] [--only TAG]

For each model (PP-OCRv4 det/rec/cls, the BERT-style encoder of
bench/models/export_transformer.py) it runs `kiln bench --json` with
  -O0                 no graph passes, LLVM -O0
  -O3 --passes=       no graph passes, LLVM -O3 (the baseline of the rows below)
  -O3 --passes=P      each fusion pass P alone (then dce)
  -O3                 the default -O3 pipeline
and prints kernels launched, the median latency (median over --rounds of each
run's median) and the latency relative to the `--passes=` row. Rows are run
round-robin, so machine noise spreads over all of them.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OCR = os.path.join(REPO, "node_modules", "@gutenye", "ocr-models", "assets")
BENCH_MODELS = os.path.join(REPO, "build", "bench_models")
MODELS = [
    ("det", os.path.join(OCR, "ch_PP-OCRv4_det_infer.onnx"), "x=1x3x640x640"),
    ("rec", os.path.join(OCR, "ch_PP-OCRv4_rec_infer.onnx"), "x=1x3x48x320"),
    ("cls", os.path.join(OCR, "ch_ppocr_mobile_v2.0_cls_infer.onnx"), "x=1x3x48x192"),
    ("bert", os.path.join(BENCH_MODELS, "bert_encoder.onnx"), "x=1x128x256"),
]


def fusion_passes(kiln):
    """The registered passes whose names start with fuse- or fold- (kiln opt --list-passes)."""
    out = subprocess.run([kiln, "opt", "--list-passes"], check=True, capture_output=True, text=True).stdout
    names = [line.split()[0] for line in out.splitlines() if line.strip()]
    return [n for n in names if n.startswith(("fuse-", "fold-"))]


def bench(kiln, model, shape, threads, iters, flags):
    cmd = [kiln, "bench", model, "--shape", shape, "--threads", str(threads), "--iters", str(iters),
           "--warmup", "2", "--json"] + flags
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kiln", required=True)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--iters", type=int, default=20)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--only", choices=[m[0] for m in MODELS])
    args = ap.parse_args()

    configs = [("-O0", ["-O0"]), ("-O3 --passes=", ["-O3", "--passes="])]
    configs += [(f"-O3 --passes={p}", ["-O3", f"--passes={p},dce"]) for p in fusion_passes(args.kiln)]
    configs.append(("-O3", ["-O3"]))

    print(f"| model | pipeline | kernels | median ms ({args.threads} thread{'s' if args.threads > 1 else ''}) "
          "| vs no passes |")
    print("|---|---|---|---|---|")
    status = 0
    for tag, model, shape in MODELS:
        if args.only and tag != args.only:
            continue
        if not os.path.exists(model):
            print(f"pass_table: {model} is missing (bench/models/export_transformer.py writes it)", file=sys.stderr)
            status = 1
            continue
        medians = {name: [] for name, _ in configs}
        kernels = {}
        for _ in range(args.rounds):
            for name, flags in configs:
                r = bench(args.kiln, model, shape, args.threads, args.iters, flags)
                medians[name].append(r["latency_ms"]["median"])
                kernels[name] = r["kernels"]
        base = statistics.median(medians["-O3 --passes="])
        for name, _ in configs:
            m = statistics.median(medians[name])
            print(f"| {tag} | `{name}` | {kernels[name]} | {m:.2f} | {m / base:.2f} |", flush=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
