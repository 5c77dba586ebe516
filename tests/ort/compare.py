"""Comparison of kiln outputs with ONNX Runtime reference outputs, shared by the
op-case runner (tests/ops/run_cases.py) and the model checks (tests/models/)."""

import re

import numpy as np


class Mismatch(Exception):
    """An output that differs from the reference; the message says where and how much."""


def sanitize_name(name):
    """The file-name rule of `kiln run` and ort_run.js: outside [A-Za-z0-9_.-] becomes '_'."""
    return re.sub(r"[^A-Za-z0-9_.-]", "_", name)


def _compare_floats(name, got, ref, rtol, atol):
    got64 = got.astype(np.float64)
    ref64 = ref.astype(np.float64)
    got_nan, ref_nan = np.isnan(got64), np.isnan(ref64)
    if (got_nan != ref_nan).any():
        idx = np.unravel_index(np.argmax(got_nan != ref_nan), got.shape)
        raise Mismatch(f"output '{name}': NaN mismatch at {idx}: kiln {got[idx]}, ort {ref[idx]}")
    # Infinities must match exactly (sign included); their difference is NaN otherwise.
    inf = np.isinf(ref64) | np.isinf(got64)
    if (inf & (got64 != ref64)).any():
        idx = np.unravel_index(np.argmax(inf & (got64 != ref64)), got.shape)
        raise Mismatch(f"output '{name}': infinity mismatch at {idx}: kiln {got[idx]}, ort {ref[idx]}")
    finite = ~(got_nan | inf)
    with np.errstate(invalid="ignore"):  # inf - inf where both are inf; masked out
        err = np.where(finite, np.abs(got64 - ref64), 0.0)
    allowed = atol + rtol * np.abs(np.where(finite, ref64, 0.0))
    # How far past (>1) or within (<=1) the tolerance each element is.
    ratio = err / allowed
    worst = np.unravel_index(np.argmax(ratio), got.shape) if got.size else None
    max_err = float(err.max()) if got.size else 0.0
    if got.size and ratio[worst] > 1.0:
        bad = int((ratio > 1.0).sum())
        raise Mismatch(
            f"output '{name}': {bad}/{got.size} elements outside tolerance; worst at {worst}: "
            f"kiln {got[worst]!r}, ort {ref[worst]!r} (|diff| {err[worst]:.3g}, max |diff| {max_err:.3g})")
    return max_err


def compare_array(name, got, ref, rtol, atol):
    """Checks one output; returns the largest absolute difference, raises Mismatch."""
    if got.shape != ref.shape:
        raise Mismatch(f"output '{name}': shape {got.shape}, ORT gives {ref.shape}")
    if got.dtype.kind != ref.dtype.kind:
        raise Mismatch(f"output '{name}': dtype {got.dtype}, ORT gives {ref.dtype}")
    if ref.dtype.kind in "fc":
        return _compare_floats(name, got, ref, rtol, atol)
    diff = got != ref
    if diff.any():
        idx = np.unravel_index(np.argmax(diff), got.shape)
        raise Mismatch(f"output '{name}': {int(diff.sum())}/{got.size} elements differ; "
                       f"first at {idx}: kiln {got[idx]!r}, ort {ref[idx]!r}")
    return 0.0


def compare_outputs(pairs, rtol, atol):
    """Checks (name, kiln array, ort array) triples; returns a one-line summary."""
    worst = 0.0
    for name, got, ref in pairs:
        worst = max(worst, compare_array(name, got, ref, rtol, atol))
    return f"{len(pairs)} output(s), max |diff| {worst:.3g}"
