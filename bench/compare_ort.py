#!/usr/bin/python3
"""Kiln vs ONNX Runtime latency on the PP-OCRv4 models, two transformers and
two single-MatMul models (SGEMM 1024^3 and the GEMV of LLM decode), same shapes and thread counts, measured alternately in one run (machines are
noisy: compare ratios).

    bench/compare_ort.py --kiln build/kiln [--threads 1,2] [--iters 20] [--rounds 3] [--only TAG]

For each model and thread count it runs `kiln bench --json` and
`tests/ort/ort_bench.js --json` alternately `--rounds` times and reports the
median of the per-round medians, plus Kiln's compile time and kernel count.
Prints a Markdown table (the README's results table comes from here).

The transformer models (bert, gpt) have random weights and are exported by
bench/models/export_transformer.py into build/bench_models/ when missing
(that needs python3-torch; without it their rows are skipped with a note);
the MatMul models come from bench/models/export_ops.py. For those the
"Kiln rate" column gives GFLOP/s (sgemm) or weight GB/s (gemv) from Kiln's
median.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OCR_MODELS = os.path.join(REPO, "node_modules", "@gutenye", "ocr-models", "assets")
BENCH_MODELS = os.path.join(REPO, "build", "bench_models")
TRANSFORMERS = os.path.join(REPO, "bench", "models", "export_transformer.py")
OPS = os.path.join(REPO, "bench", "models", "export_ops.py")
# (tag, model file, input name, input shape, exporter script or None, (amount, unit) per run or None)
CASES = [
    ("det", os.path.join(OCR_MODELS, "ch_PP-OCRv4_det_infer.onnx"), "x", "1x3x640x640", None, None),
    ("rec", os.path.join(OCR_MODELS, "ch_PP-OCRv4_rec_infer.onnx"), "x", "1x3x48x320", None, None),
    ("cls", os.path.join(OCR_MODELS, "ch_ppocr_mobile_v2.0_cls_infer.onnx"), "x", "1x3x48x192", None, None),
    # BERT-style encoder, 4 layers, d_model 256, 4 heads, ff 1024, seq 128 (float embeddings in).
    ("bert", os.path.join(BENCH_MODELS, "bert_encoder.onnx"), "x", "1x128x256", TRANSFORMERS, None),
    # GPT-style causal decoder, 4 layers, d_model 256, vocab 1000, seq 64 (int64 token ids in).
    ("gpt", os.path.join(BENCH_MODELS, "gpt_decoder.onnx"), "input_ids", "1x64", TRANSFORMERS, None),
    # MatMul 1024^3 with constant weights: 2 * 1024^3 flops.
    ("sgemm", os.path.join(BENCH_MODELS, "sgemm_1024.onnx"), "a", "1024x1024", OPS, (2 * 1024**3 / 1e9, "GFLOP/s")),
    # MatMul 1x4096 by a constant 4096x4096: the 64 MiB weight read once.
    ("gemv", os.path.join(BENCH_MODELS, "gemv_4096.onnx"), "a", "1x4096", OPS, (4096 * 4096 * 4 / 1e9, "GB/s")),
]


def run_json(cmd):
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def ensure_exported(model, exporter):
    """Runs `exporter` if `model` is missing; False when that is impossible."""
    if os.path.exists(model):
        return True
    name = os.path.splitext(os.path.basename(model))[0]
    r = subprocess.run(["/usr/bin/python3", exporter, "--out", os.path.dirname(model), "--only", name],
                       capture_output=True, text=True)
    if r.returncode != 0:
        last = (r.stderr.strip().splitlines() or ["?"])[-1]
        print(f"compare_ort: cannot export {model}: {last}", file=sys.stderr)
        return False
    return True


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kiln", required=True)
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--iters", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--only", help="run only this model tag (" + ", ".join(c[0] for c in CASES) + ")")
    args = ap.parse_args()

    if args.only and args.only not in [c[0] for c in CASES]:
        ap.error(f"--only: no model tag '{args.only}'")

    print("| model | input | threads | Kiln median ms | ORT median ms | Kiln/ORT | Kiln rate | Kiln compile ms "
          "| kernels |")
    print("|---|---|---|---|---|---|---|---|---|")
    status = 0
    for tag, model, input_name, shape, exporter, work in CASES:
        if args.only and tag != args.only:
            continue
        if exporter and not ensure_exported(model, exporter):
            status = 1
            continue
        for threads in [int(t) for t in args.threads.split(",")]:
            common = ["--shape", f"{input_name}={shape}", "--threads", str(threads), "--iters", str(args.iters),
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
            rate = f"{work[0] / (km / 1e3):.1f} {work[1]}" if work else ""
            print(f"| {tag} | {shape} | {threads} | {km:.2f} | {om:.2f} | {km / om:.2f} | {rate} | "
                  f"{statistics.median(compile_ms):.0f} | {kernels} |", flush=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
