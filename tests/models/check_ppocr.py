#!/usr/bin/python3
"""Checks `kiln run` against ONNX Runtime on the PP-OCR models at the shapes the
OCR example uses.

    check_ppocr.py --kiln PATH [--threads N] [--models DIR] [--rtol 1e-3] [--atol 1e-4]

Inputs are the OCR test images (examples/ocr/testdata) prepared as PaddleOCR
does: for detection, the images laid out on a page of the model's input size and
normalized with the ImageNet mean/std in BGR order; for recognition and
classification, a text line resized to height 48, scaled to [-1, 1] and
zero-padded. The ORT reference is computed on every run, never stored.
Prints PASS/FAIL per model and shape, then `N passed, M failed`.
"""

import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np
from PIL import Image

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(REPO_ROOT, "tests", "ort"))
from compare import Mismatch, compare_outputs, sanitize_name  # noqa: E402

ORT_RUN = os.path.join(REPO_ROOT, "tests", "ort", "ort_run.js")
TESTDATA = os.path.join(REPO_ROOT, "examples", "ocr", "testdata")
DEFAULT_MODELS = os.path.join(REPO_ROOT, "node_modules", "@gutenye", "ocr-models", "assets")

DET = "ch_PP-OCRv4_det_infer.onnx"
REC = "ch_PP-OCRv4_rec_infer.onnx"
CLS = "ch_ppocr_mobile_v2.0_cls_infer.onnx"

# (model file, input kind, N x C x H x W)
CHECKS = [
    (DET, "page", (1, 3, 640, 640)),
    (DET, "page", (1, 3, 960, 544)),
    (REC, "line", (1, 3, 48, 320)),
    (CLS, "line", (1, 3, 48, 192)),
]


def load_bgr(path):
    return np.asarray(Image.open(path).convert("RGB"))[:, :, ::-1]


def test_images():
    names = sorted(f for f in os.listdir(TESTDATA) if f.endswith(".png"))
    if not names:
        sys.exit(f"check_ppocr: no test images in {TESTDATA}")
    return [load_bgr(os.path.join(TESTDATA, n)) for n in names]


def page_input(shape):
    """The test images tiled row by row on an off-white page, det-normalized."""
    _, _, height, width = shape
    page = np.full((height, width, 3), 250, np.uint8)
    x = y = row_height = 0
    for image in test_images() * 4:
        h, w = min(image.shape[0], height), min(image.shape[1], width)
        if x + w > width:
            x, y, row_height = 0, y + row_height, 0
        if y + h > height:
            break
        page[y:y + h, x:x + w] = image[:h, :w]
        x, row_height = x + w, max(row_height, h)
    mean = np.array([0.485, 0.456, 0.406], np.float32)  # applied to B, G, R as PaddleOCR does
    std = np.array([0.229, 0.224, 0.225], np.float32)
    normalized = (page.astype(np.float32) / 255.0 - mean) / std
    return normalized.transpose(2, 0, 1)[None].astype(np.float32)


def line_input(shape):
    """The single-line test image at height H, width <= W, zero-padded, in [-1, 1]."""
    _, _, height, width = shape
    image = load_bgr(os.path.join(TESTDATA, "single_line.png"))
    resized_w = min(width, int(np.ceil(height * image.shape[1] / image.shape[0])))
    resized = np.asarray(Image.fromarray(np.ascontiguousarray(image)).resize((resized_w, height), Image.BILINEAR))
    tensor = np.zeros((1, 3, height, width), np.float32)
    tensor[0, :, :, :resized_w] = ((resized.astype(np.float32) / 255.0 - 0.5) / 0.5).transpose(2, 0, 1)
    return tensor


def run_tool(what, cmd):
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        lines = (proc.stderr or proc.stdout).strip().splitlines()
        raise Mismatch(f"{what} exited {proc.returncode}: {lines[-1] if lines else '(no message)'}")


def check(model, shape, make_input, args, work_dir):
    input_path = os.path.join(work_dir, "x.npy")
    np.save(input_path, make_input(shape))
    threads = ["--threads", str(args.threads)]
    ref_dir, got_dir = os.path.join(work_dir, "ort"), os.path.join(work_dir, "kiln")
    run_tool("ort_run.js", ["node", ORT_RUN, model, "-i", f"x={input_path}", "-o", ref_dir, *threads])
    run_tool("kiln", [args.kiln, "run", model, "-i", f"x={input_path}", "-o", got_dir, *threads])
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
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--models", default=DEFAULT_MODELS, help="directory holding the PP-OCR .onnx files")
    parser.add_argument("--rtol", type=float, default=1e-3)
    parser.add_argument("--atol", type=float, default=1e-4)
    args = parser.parse_args()
    if not os.access(args.kiln, os.X_OK):
        sys.exit(f"check_ppocr: kiln binary {args.kiln} is not an executable file")

    passed = failed = 0
    for model_file, kind, shape in CHECKS:
        label = f"{model_file} {'x'.join(map(str, shape))}"
        model = os.path.join(args.models, model_file)
        make_input = page_input if kind == "page" else line_input
        with tempfile.TemporaryDirectory(prefix="kiln_ppocr_") as work_dir:
            try:
                if not os.path.exists(model):
                    raise Mismatch(f"missing model {model}")
                detail = check(model, shape, make_input, args, work_dir)
                print(f"PASS {label} ({detail})", flush=True)
                passed += 1
            except Mismatch as e:
                print(f"FAIL {label}: {e}", flush=True)
                failed += 1
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
