#!/usr/bin/python3
"""GEMV (M=1, K=N=4096, constant weights) against this machine's read
bandwidth: a GEMV reads each 4-byte weight once per run, so it can at best run
at the bandwidth of a plain sum over a large array. Runs both benchmarks of
kiln_bench_kernels alternately and prints their GB/s and the ratio per thread
count; "within 1.2x" means bandwidth / GEMV <= 1.2.

    bench/gemv_vs_bandwidth.py [--bench build/bench/kiln_bench_kernels] [--rounds 3]
"""

import argparse
import json
import os
import statistics
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def gbps(bench, pattern):
    """{threads: GB/s} of the benchmarks matching `pattern`."""
    out = subprocess.run([bench, f"--benchmark_filter={pattern}", "--benchmark_format=json",
                          "--benchmark_min_time=0.5"], check=True, capture_output=True, text=True).stdout
    result = {}
    for b in json.loads(out)["benchmarks"]:
        threads = int(b["name"].split("threads:")[1].split("/")[0])
        result[threads] = b["GB"]
    return result


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bench", default=os.path.join(REPO, "build", "bench", "kiln_bench_kernels"))
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    gemv, bw = {}, {}
    for _ in range(args.rounds):
        for t, v in gbps(args.bench, "^GEMV/").items():
            gemv.setdefault(t, []).append(v)
        for t, v in gbps(args.bench, "^ReadBandwidth/").items():
            bw.setdefault(t, []).append(v)
    print("| threads | GEMV GB/s | read bandwidth GB/s | bandwidth / GEMV | within 1.2x |")
    print("|---|---|---|---|---|")
    for t in sorted(gemv):
        g, b = statistics.median(gemv[t]), statistics.median(bw[t])
        print(f"| {t} | {g:.1f} | {b:.1f} | {b / g:.2f} | {'yes' if b / g <= 1.2 else 'no'} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
