#!/usr/bin/python3
"""Generates op test cases for the conv family: Conv, ConvTranspose,
BatchNormalization, MaxPool, AveragePool, GlobalAveragePool, GlobalMaxPool and
Resize, and the spatial ops: DepthToSpace, SpaceToDepth, GridSample, RoiAlign.

    gen_conv.py OUTDIR

Writes OUTDIR/<case>/model.onnx and OUTDIR/<case>/input_<k>.npy (one per graph
input, numpy random data with a fixed seed). Weights, scales and sizes are
initializers, i.e. compile-time constants, as in real models. Run the cases
with tests/ops/run_cases.py, which compares kiln against ONNX Runtime.

Sizes are chosen around the vector width (1, 7, 16, 33 elements per row) and
the kernels' channel block (output channel counts that leave a tail).
"""

import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

RNG = np.random.default_rng(20240607)
CASES = {}  # name -> (model, [input arrays])


def rand(*shape, dtype=np.float32, low=-1.0, high=1.0):
    return RNG.uniform(low, high, size=shape).astype(dtype)


def add_case(name, op, x, attrs=None, inits=(), opset=13, dtype=np.float32, runtime_inputs=()):
    """One node `op` reading graph input X (array x) followed by `inits`, a list of
    (name, array or None); None makes an absent optional input (''). Then
    `runtime_inputs`, (name, array) pairs fed as graph inputs (not constants)."""
    assert name not in CASES, name
    elem = onnx.mapping.NP_TYPE_TO_TENSOR_TYPE[np.dtype(dtype)]
    initializers, names = [], ["X"]
    for init_name, value in inits:
        if value is None:
            names.append("")
            continue
        names.append(init_name)
        initializers.append(numpy_helper.from_array(value, init_name))
    names += [n for n, _ in runtime_inputs]
    node = helper.make_node(op, names, ["Y"], **(attrs or {}))
    graph = helper.make_graph(
        [node], name,
        [helper.make_tensor_value_info("X", elem, list(x.shape))] +
        [helper.make_tensor_value_info(n, elem, list(a.shape)) for n, a in runtime_inputs],
        [helper.make_tensor_value_info("Y", elem, None)],
        initializer=initializers)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = 8
    # Fills in Y's shape (the checker requires one) and validates the node.
    model = onnx.shape_inference.infer_shapes(model, check_type=True, strict_mode=True)
    onnx.checker.check_model(model)
    # Kiln must infer Y's dims itself (onnx 1.12's rules lag ONNX Runtime's in corners).
    for out in model.graph.output:
        for k, dim in enumerate(out.type.tensor_type.shape.dim):
            dim.dim_param = f"y{k}"
    del model.graph.value_info[:]
    CASES[name] = (model, [x] + [a for _, a in runtime_inputs])


# ---------------------------------------------------------------- Conv

def conv(name, x_shape, w_shape, bias=True, **attrs):
    x = rand(*x_shape)
    w = rand(*w_shape, low=-0.5, high=0.5)
    inits = [("W", w)]
    if bias:
        inits.append(("B", rand(w_shape[0])))
    add_case(name, "Conv", x, attrs, inits)


conv("conv2d_3x3_pad1", (1, 3, 8, 8), (4, 3, 3, 3), pads=[1, 1, 1, 1], kernel_shape=[3, 3])
conv("conv2d_3x3_nobias", (1, 3, 8, 8), (4, 3, 3, 3), bias=False, pads=[1, 1, 1, 1])
conv("conv2d_no_kernel_shape_attr", (1, 2, 6, 7), (3, 2, 3, 2))
conv("conv2d_stride2_pad1", (1, 3, 17, 16), (16, 3, 3, 3), pads=[1, 1, 1, 1], strides=[2, 2])
conv("conv2d_stride_2x1", (1, 4, 9, 10), (4, 4, 3, 3), pads=[1, 1, 1, 1], strides=[2, 1])
conv("conv2d_stride_1x2", (1, 4, 9, 10), (4, 4, 3, 3), pads=[1, 1, 1, 1], strides=[1, 2])
conv("conv2d_stride3_nopad", (1, 2, 11, 13), (3, 2, 3, 3), strides=[3, 3])
conv("conv2d_dilation2", (1, 3, 12, 11), (5, 3, 3, 3), pads=[2, 2, 2, 2], dilations=[2, 2])
conv("conv2d_dilation_2x3_stride2", (1, 2, 15, 16), (3, 2, 3, 3), pads=[1, 2, 3, 0], dilations=[2, 3],
     strides=[2, 2])
conv("conv2d_asym_pads", (1, 3, 7, 9), (4, 3, 3, 3), pads=[0, 1, 2, 0])
conv("conv2d_big_pads", (1, 2, 4, 5), (3, 2, 3, 3), pads=[2, 3, 2, 3])
conv("conv2d_auto_same_upper_s2", (1, 3, 9, 10), (4, 3, 4, 3), auto_pad="SAME_UPPER", strides=[2, 2])
conv("conv2d_auto_same_lower_s2", (1, 3, 9, 10), (4, 3, 4, 3), auto_pad="SAME_LOWER", strides=[2, 2])
conv("conv2d_auto_same_upper_s1", (1, 3, 7, 8), (4, 3, 2, 2), auto_pad="SAME_UPPER")
conv("conv2d_auto_valid", (1, 3, 9, 10), (4, 3, 3, 2), auto_pad="VALID", strides=[2, 1])
conv("conv2d_group2", (1, 4, 8, 9), (6, 2, 3, 3), group=2, pads=[1, 1, 1, 1])
conv("conv2d_group3_tail", (1, 6, 7, 7), (9, 2, 3, 3), group=3, pads=[1, 1, 1, 1])
conv("conv2d_depthwise_3x3", (1, 8, 10, 12), (8, 1, 3, 3), group=8, pads=[1, 1, 1, 1])
conv("conv2d_depthwise_3x3_s2", (1, 8, 11, 12), (8, 1, 3, 3), group=8, pads=[1, 1, 1, 1], strides=[2, 2])
conv("conv2d_depthwise_5x5", (1, 6, 9, 16), (6, 1, 5, 5), group=6, pads=[2, 2, 2, 2])
conv("conv2d_depthwise_5x5_s2x1", (1, 6, 9, 33), (6, 1, 5, 5), group=6, pads=[2, 2, 2, 2], strides=[2, 1])
conv("conv2d_depthwise_multiplier2", (1, 4, 7, 7), (8, 1, 3, 3), group=4, pads=[1, 1, 1, 1])
conv("conv2d_5x5", (1, 3, 10, 11), (5, 3, 5, 5), pads=[2, 2, 2, 2])
conv("conv2d_oc5_tail", (1, 3, 6, 6), (5, 3, 3, 3), pads=[1, 1, 1, 1])
conv("conv2d_oc1", (1, 3, 6, 6), (1, 3, 3, 3), pads=[1, 1, 1, 1])
conv("conv2d_1x3_pad01", (1, 4, 1, 20), (6, 4, 1, 3), pads=[0, 1, 0, 1])
conv("conv2d_batch2", (2, 3, 7, 8), (4, 3, 3, 3), pads=[1, 1, 1, 1])
conv("conv2d_kernel_eq_input", (1, 2, 3, 3), (4, 2, 3, 3))
conv("conv2d_long_row", (1, 2, 3, 1100), (3, 2, 3, 3), pads=[1, 1, 1, 1])
for width in (1, 7, 16, 33):
    conv(f"conv2d_1x1_w{width}", (1, 8, 3, width), (12, 8, 1, 1))
    conv(f"conv2d_3x3_w{width}", (1, 3, 4, width), (4, 3, 3, 3), pads=[1, 1, 1, 1])
    conv(f"conv2d_dw3x3_w{width}", (1, 5, 3, width), (5, 1, 3, 3), group=5, pads=[1, 1, 1, 1])
# Rows wide enough for several register tiles (up to 6 vectors x 16 lanes) and
# a leftover, with strides that take the wide-load-and-shuffle path.
conv("conv2d_dw3x3_w100", (1, 4, 3, 100), (4, 1, 3, 3), group=4, pads=[1, 1, 1, 1])
conv("conv2d_dw5x5_s2_w121", (1, 3, 5, 121), (3, 1, 5, 5), group=3, pads=[2, 2, 2, 2], strides=[2, 2])
conv("conv2d_3x3_s2_w83_oc5", (1, 3, 5, 83), (5, 3, 3, 3), pads=[1, 1, 1, 1], strides=[2, 2])
conv("conv2d_3x3_s3_d2_w100", (1, 2, 7, 100), (4, 2, 3, 3), pads=[2, 2, 2, 2], strides=[3, 3],
     dilations=[2, 2])
conv("conv2d_3x3_oc6_w60", (1, 3, 4, 60), (6, 3, 3, 3), pads=[1, 1, 1, 1])
conv("conv2d_1x1_w200_oc7", (1, 5, 2, 200), (7, 5, 1, 1))
conv("conv1d_k5_s2_w300", (1, 2, 300), (3, 2, 5), pads=[2, 2], strides=[2])
conv("conv3d_k3_w50", (1, 2, 3, 3, 50), (3, 2, 3, 3, 3), pads=[1, 1, 1, 1, 1, 1])
# Weights that are not constants (fed at run time).
add_case("conv2d_weights_as_inputs", "Conv", rand(1, 3, 6, 20), dict(pads=[1, 1, 1, 1]),
         runtime_inputs=[("W", rand(5, 3, 3, 3)), ("B", rand(5))])
add_case("convT2d_weights_as_inputs", "ConvTranspose", rand(1, 3, 4, 9), dict(strides=[2, 2]),
         runtime_inputs=[("W", rand(3, 2, 3, 3)), ("B", rand(2))])
add_case("batchnorm_params_as_inputs", "BatchNormalization", rand(1, 3, 4, 9), opset=15,
         runtime_inputs=[("scale", rand(3)), ("B", rand(3)), ("mean", rand(3)),
                         ("var", rand(3, low=0.1, high=2.0))])

# Wide kernels (taps looped at run time), edges longer than a few tiles (masks
# computed at run time) and strides above 4 (gathers).
conv("conv1d_k20_p10_w100", (1, 2, 100), (3, 2, 20), pads=[10, 9])
conv("conv1d_k257_p128_w300", (1, 2, 300), (4, 2, 257), pads=[128, 128])
conv("conv1d_k21_s2_p10_w200", (1, 2, 200), (5, 2, 21), pads=[10, 10], strides=[2])
conv("conv1d_k3_s5_w100", (1, 3, 100), (4, 3, 3), pads=[1, 1], strides=[5])
conv("conv2d_3x3_s5_w60", (1, 2, 7, 60), (3, 2, 3, 3), pads=[1, 1, 1, 1], strides=[5, 5])
conv("conv2d_dw3x3_s6_w130", (1, 3, 4, 130), (3, 1, 3, 3), group=3, pads=[1, 1, 1, 1], strides=[1, 6])
conv("conv2d_1x1_large_chunked", (1, 48, 40, 33), (24, 48, 1, 1))
conv("conv2d_1x1_stride2", (1, 8, 9, 10), (6, 8, 1, 1), strides=[2, 2])
conv("conv2d_1x1_pad1", (1, 4, 5, 6), (3, 4, 1, 1), pads=[1, 1, 1, 1])
conv("conv1d_k3", (1, 3, 20), (4, 3, 3), pads=[1, 1])
conv("conv1d_s2_d2", (2, 4, 33), (6, 4, 3), pads=[2, 1], strides=[2], dilations=[2])
conv("conv1d_depthwise", (1, 6, 17), (6, 1, 5), group=6, pads=[2, 2])
conv("conv3d_k3", (1, 2, 5, 6, 7), (3, 2, 3, 3, 3), pads=[1, 1, 1, 1, 1, 1])
conv("conv3d_s2_asym", (1, 2, 7, 6, 9), (4, 2, 3, 2, 3), pads=[0, 1, 1, 1, 0, 1], strides=[2, 1, 2])
conv("conv3d_1x1", (1, 4, 3, 4, 5), (5, 4, 1, 1, 1))

# ---------------------------------------------------------------- ConvTranspose


def conv_t(name, x_shape, w_shape, bias=True, **attrs):
    x = rand(*x_shape)
    w = rand(*w_shape, low=-0.5, high=0.5)
    inits = [("W", w)]
    if bias:
        group = attrs.get("group", 1)
        inits.append(("B", rand(w_shape[1] * group)))
    add_case(name, "ConvTranspose", x, attrs, inits)


conv_t("convT2d_k2_s2", (1, 4, 5, 6), (4, 3, 2, 2), strides=[2, 2])
conv_t("convT2d_k2_s2_nobias", (1, 4, 5, 6), (4, 3, 2, 2), bias=False, strides=[2, 2])
conv_t("convT2d_k3_s1_pad1", (1, 3, 6, 7), (3, 5, 3, 3), pads=[1, 1, 1, 1])
conv_t("convT2d_k3_s2_pad1_outpad1", (1, 3, 5, 6), (3, 4, 3, 3), strides=[2, 2], pads=[1, 1, 1, 1],
       output_padding=[1, 1])
conv_t("convT2d_k4_s2_asym_pads", (1, 2, 4, 5), (2, 3, 4, 4), strides=[2, 2], pads=[1, 0, 2, 1])
conv_t("convT2d_k3_s3", (1, 2, 4, 4), (2, 2, 3, 3), strides=[3, 3])
conv_t("convT2d_dilation2", (1, 2, 5, 5), (2, 3, 3, 3), dilations=[2, 2], pads=[1, 1, 1, 1])
conv_t("convT2d_group2", (1, 4, 5, 6), (4, 3, 3, 3), group=2, strides=[2, 2], pads=[1, 1, 1, 1])
conv_t("convT2d_depthwise", (1, 4, 5, 6), (4, 1, 2, 2), group=4, strides=[2, 2])
conv_t("convT2d_output_shape", (1, 3, 5, 6), (3, 2, 3, 3), strides=[2, 2], output_shape=[10, 12])
conv_t("convT2d_output_shape_odd", (1, 3, 5, 6), (3, 2, 3, 3), strides=[2, 2], output_shape=[9, 12])
conv_t("convT2d_auto_same_upper", (1, 3, 5, 6), (3, 2, 3, 3), strides=[2, 2], auto_pad="SAME_UPPER")
conv_t("convT2d_auto_same_lower", (1, 3, 5, 6), (3, 2, 3, 3), strides=[2, 2], auto_pad="SAME_LOWER")
conv_t("convT2d_oc5_tail", (1, 3, 4, 5), (3, 5, 2, 2), strides=[2, 2])
for width in (1, 7, 16, 33):
    conv_t(f"convT2d_k2_s2_w{width}", (1, 3, 2, width), (3, 4, 2, 2), strides=[2, 2])
conv_t("convT2d_k3_s2_w70", (1, 3, 3, 70), (3, 5, 3, 3), strides=[2, 2], pads=[1, 1, 1, 1])
conv_t("convT2d_k5_s3_d2_w40", (1, 2, 3, 40), (2, 3, 5, 5), strides=[3, 3], dilations=[2, 2],
       pads=[2, 1, 3, 4], output_padding=[1, 2])
conv_t("convT1d_k3_s2", (1, 3, 9), (3, 2, 3), strides=[2], pads=[1, 0])
conv_t("convT3d_k2_s2", (1, 2, 3, 4, 5), (2, 3, 2, 2, 2), strides=[2, 2, 2])

# ---------------------------------------------------------------- BatchNormalization


def batchnorm(name, x_shape, **attrs):
    c = x_shape[1]
    inits = [("scale", rand(c)), ("B", rand(c)), ("mean", rand(c)),
             ("var", rand(c, low=0.1, high=2.0))]
    add_case(name, "BatchNormalization", rand(*x_shape), attrs, inits, opset=15)


batchnorm("batchnorm_4d", (1, 5, 7, 9))
batchnorm("batchnorm_4d_batch2_eps", (2, 3, 4, 33), epsilon=1e-3)
batchnorm("batchnorm_2d", (4, 6))
batchnorm("batchnorm_3d", (2, 4, 16))
batchnorm("batchnorm_5d", (1, 3, 2, 3, 4))

# ---------------------------------------------------------------- pools


def pool(name, op, x_shape, dtype=np.float32, **attrs):
    add_case(name, op, rand(*x_shape, dtype=dtype), attrs, opset=13 if op != "AveragePool" else 11,
             dtype=dtype)


pool("maxpool_2x2_s2", "MaxPool", (1, 3, 8, 10), kernel_shape=[2, 2], strides=[2, 2])
pool("maxpool_2x2_s2_odd", "MaxPool", (1, 3, 9, 11), kernel_shape=[2, 2], strides=[2, 2])
pool("maxpool_3x3_s2_pad1", "MaxPool", (1, 4, 9, 12), kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1])
pool("maxpool_3x3_s1_pad1", "MaxPool", (2, 2, 7, 16), kernel_shape=[3, 3], pads=[1, 1, 1, 1])
pool("maxpool_asym_pads", "MaxPool", (1, 2, 7, 9), kernel_shape=[3, 2], pads=[0, 1, 2, 1])
pool("maxpool_ceil_mode", "MaxPool", (1, 2, 10, 11), kernel_shape=[3, 3], strides=[2, 2], ceil_mode=1)
pool("maxpool_ceil_mode_pad", "MaxPool", (1, 2, 9, 8), kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1],
     ceil_mode=1)
pool("maxpool_dilation2", "MaxPool", (1, 2, 10, 11), kernel_shape=[2, 3], dilations=[2, 2])
pool("maxpool_same_upper", "MaxPool", (1, 2, 9, 10), kernel_shape=[3, 3], strides=[2, 2],
     auto_pad="SAME_UPPER")
pool("maxpool_same_lower", "MaxPool", (1, 2, 9, 10), kernel_shape=[2, 2], strides=[2, 2],
     auto_pad="SAME_LOWER")
pool("maxpool_valid", "MaxPool", (1, 2, 9, 10), kernel_shape=[3, 3], strides=[2, 2], auto_pad="VALID")
pool("maxpool_1d", "MaxPool", (1, 3, 33), kernel_shape=[3], strides=[2], pads=[1, 1])
pool("maxpool_3d", "MaxPool", (1, 2, 5, 6, 7), kernel_shape=[2, 2, 2], strides=[2, 2, 2])
pool("maxpool_f64", "MaxPool", (1, 3, 8, 7), dtype=np.float64, kernel_shape=[3, 3], pads=[1, 1, 1, 1])
for width in (1, 7, 16, 33):
    pool(f"maxpool_3x3_w{width}", "MaxPool", (1, 2, 5, width), kernel_shape=[3, 3], pads=[1, 1, 1, 1])
    pool(f"avgpool_3x3_w{width}", "AveragePool", (1, 2, 5, width), kernel_shape=[3, 3], pads=[1, 1, 1, 1])

pool("avgpool_2x2_s2", "AveragePool", (1, 3, 8, 10), kernel_shape=[2, 2], strides=[2, 2])
pool("avgpool_3x2_s3x2", "AveragePool", (1, 4, 12, 40), kernel_shape=[3, 2], strides=[3, 2])
pool("avgpool_pad_exclude", "AveragePool", (1, 2, 7, 9), kernel_shape=[3, 3], pads=[1, 1, 1, 1],
     count_include_pad=0)
pool("avgpool_pad_include", "AveragePool", (1, 2, 7, 9), kernel_shape=[3, 3], pads=[1, 1, 1, 1],
     count_include_pad=1)
pool("avgpool_asym_pad_include", "AveragePool", (1, 2, 7, 9), kernel_shape=[3, 3], pads=[0, 2, 1, 0],
     count_include_pad=1, strides=[2, 2])
pool("avgpool_ceil_exclude", "AveragePool", (1, 2, 10, 11), kernel_shape=[3, 3], strides=[2, 2], ceil_mode=1)
pool("avgpool_ceil_include_pad", "AveragePool", (1, 2, 10, 11), kernel_shape=[3, 3], strides=[2, 2],
     pads=[1, 1, 1, 1], ceil_mode=1, count_include_pad=1)
pool("avgpool_same_upper", "AveragePool", (1, 2, 9, 10), kernel_shape=[3, 3], strides=[2, 2],
     auto_pad="SAME_UPPER")
pool("avgpool_same_lower_include", "AveragePool", (1, 2, 9, 10), kernel_shape=[2, 2], strides=[2, 2],
     auto_pad="SAME_LOWER", count_include_pad=1)
pool("avgpool_1d", "AveragePool", (1, 3, 33), kernel_shape=[4], strides=[3], pads=[1, 2])
pool("avgpool_3d", "AveragePool", (1, 2, 5, 6, 7), kernel_shape=[2, 3, 2], strides=[1, 2, 2],
     pads=[1, 1, 0, 0, 1, 1])

for op in ("GlobalAveragePool", "GlobalMaxPool"):
    short = "gap" if op == "GlobalAveragePool" else "gmp"
    for shape in [(1, 8, 7, 9), (2, 3, 1, 1), (1, 4, 2, 33), (1, 16, 64, 48), (1, 5, 17), (1, 2, 3, 4, 5)]:
        add_case(f"{short}_{'x'.join(map(str, shape))}", op, rand(*shape))

# ---------------------------------------------------------------- Resize


def resize(name, x_shape, scales=None, sizes=None, opset=13, **attrs):
    inits = [("roi", None)]
    inits.append(("scales", None if scales is None else np.array(scales, np.float32)))
    if sizes is not None:
        inits.append(("sizes", np.array(sizes, np.int64)))
    add_case(name, "Resize", rand(*x_shape), attrs, inits, opset=opset)


# With scales, scale * input length is an integer in these cases: for align_corners ONNX defines
# length_resized = scale * length_original (onnx/onnx#2462, pinned by the conformance tests), where
# ONNX Runtime uses the integer output length; the two agree only when the product is whole.

# The PP-OCRv4 detector's FPN upsampling (opset 11 form: X, roi, scales).
add_case("resize_ppocr_nearest_asym_floor_x2", "Resize", rand(1, 4, 5, 7),
         dict(mode="nearest", coordinate_transformation_mode="asymmetric", nearest_mode="floor"),
         [("roi", np.array([], np.float32)), ("scales", np.array([1, 1, 2, 2], np.float32))], opset=11)
for nm in ("round_prefer_floor", "round_prefer_ceil", "floor", "ceil"):
    for ctm in ("half_pixel", "asymmetric", "align_corners", "pytorch_half_pixel"):
        tag = f"{nm}_{ctm}"
        resize(f"resize_nearest_{tag}_up2", (1, 2, 4, 5), [1, 1, 2, 2], mode="nearest",
               coordinate_transformation_mode=ctm, nearest_mode=nm)
        resize(f"resize_nearest_{tag}_up1.5", (1, 2, 4, 6), [1, 1, 1.5, 1.5], mode="nearest",
               coordinate_transformation_mode=ctm, nearest_mode=nm)
        resize(f"resize_nearest_{tag}_down", (1, 2, 8, 12), [1, 1, 0.75, 0.5], mode="nearest",
               coordinate_transformation_mode=ctm, nearest_mode=nm)
for ctm in ("half_pixel", "asymmetric", "align_corners", "pytorch_half_pixel"):
    resize(f"resize_linear_{ctm}_up2", (1, 2, 4, 5), [1, 1, 2, 2], mode="linear",
           coordinate_transformation_mode=ctm)
    resize(f"resize_linear_{ctm}_up_odd", (1, 3, 4, 6), [1, 1, 1.75, 2.5], mode="linear",
           coordinate_transformation_mode=ctm)
    resize(f"resize_linear_{ctm}_down", (1, 2, 10, 15), [1, 1, 0.5, 0.4], mode="linear",
           coordinate_transformation_mode=ctm)
    resize(f"resize_linear_{ctm}_sizes", (1, 2, 5, 7), sizes=[1, 2, 9, 16], mode="linear",
           coordinate_transformation_mode=ctm)
    resize(f"resize_linear_{ctm}_to_w1", (1, 2, 4, 6), sizes=[1, 2, 3, 1], mode="linear",
           coordinate_transformation_mode=ctm)
for width in (1, 7, 16, 33):
    resize(f"resize_nearest_sizes_w{width}", (1, 3, 4, 5), sizes=[1, 3, 6, width], mode="nearest")
    resize(f"resize_linear_sizes_w{width}", (1, 3, 4, 5), sizes=[1, 3, 3, width], mode="linear")
resize("resize_nearest_width_only", (2, 3, 4, 8), [1, 1, 1, 0.5], mode="nearest")
resize("resize_linear_height_only", (1, 2, 6, 7), [1, 1, 2, 1], mode="linear")
resize("resize_nearest_channels", (1, 4, 3, 3), [1, 0.5, 1, 1], mode="nearest")
resize("resize_nearest_3d_tensor", (2, 3, 10), [1, 1, 1.6], mode="nearest")
resize("resize_linear_3d_tensor", (2, 3, 10), [1, 1, 1.6], mode="linear")
resize("resize_linear_5d_trilinear", (1, 2, 3, 4, 5), [1, 1, 2, 1.5, 0.8], mode="linear",
       coordinate_transformation_mode="align_corners")
resize("resize_nearest_identity", (1, 2, 3, 4), [1, 1, 1, 1], mode="nearest")
resize("resize_nearest_1d", (9,), [2.5], mode="nearest", nearest_mode="floor",
       coordinate_transformation_mode="asymmetric")


# ---------------------------------------------------------------- Resize: cubic, tf_crop_and_resize

for ctm in ("half_pixel", "asymmetric", "align_corners", "pytorch_half_pixel"):
    resize(f"resize_cubic_{ctm}_up", (1, 2, 5, 6), [1, 1, 2, 1.5], mode="cubic",
           coordinate_transformation_mode=ctm)
    resize(f"resize_cubic_{ctm}_down", (1, 2, 10, 12), [1, 1, 0.5, 0.75], mode="cubic",
           coordinate_transformation_mode=ctm)
resize("resize_cubic_exclude_outside", (1, 3, 6, 7), [1, 1, 1.5, 0.5], mode="cubic", cubic_coeff_a=-0.5,
       exclude_outside=1)
resize("resize_cubic_sizes_w33", (1, 2, 4, 5), sizes=[1, 2, 7, 33], mode="cubic")
resize("resize_linear_5d_half_pixel", (1, 2, 3, 4, 5), [1, 1, 2, 1.5, 0.8], mode="linear")


def resize_crop(name, x_shape, roi, sizes, **attrs):
    add_case(name, "Resize", rand(*x_shape), dict(coordinate_transformation_mode="tf_crop_and_resize", **attrs),
             [("roi", np.array(roi, np.float32)), ("scales", None), ("sizes", np.array(sizes, np.int64))])


resize_crop("resize_crop_linear", (1, 2, 6, 7), [0, 0, 0.2, 0.3, 1, 1, 0.9, 1.2], [1, 2, 5, 6], mode="linear",
            extrapolation_value=-2.0)
resize_crop("resize_crop_nearest", (1, 2, 6, 7), [0, 0, -0.1, 0.4, 1, 1, 0.8, 0.9], [1, 2, 4, 9],
            mode="nearest")
resize_crop("resize_crop_cubic", (1, 1, 8, 8), [0, 0, 0.1, 0.1, 1, 1, 1.1, 0.7], [1, 1, 5, 4], mode="cubic")

# ---------------------------------------------------------------- MaxPool: integers, Indices


def maxpool_indices(name, x, **attrs):
    """MaxPool with both outputs (Y and the int64 Indices)."""
    elem = onnx.mapping.NP_TYPE_TO_TENSOR_TYPE[x.dtype]
    node = helper.make_node("MaxPool", ["X"], ["Y", "I"], **attrs)
    graph = helper.make_graph([node], name, [helper.make_tensor_value_info("X", elem, list(x.shape))],
                              [helper.make_tensor_value_info("Y", elem, None),
                               helper.make_tensor_value_info("I", TensorProto.INT64, None)])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 12)])
    model.ir_version = 8
    model = onnx.shape_inference.infer_shapes(model, check_type=True, strict_mode=True)
    onnx.checker.check_model(model)
    del model.graph.value_info[:]
    CASES[name] = (model, [x])


pool("maxpool_int8", "MaxPool", (1, 2, 7, 9), dtype=np.int8, kernel_shape=[3, 3], strides=[2, 2],
     pads=[1, 1, 1, 1])
pool("maxpool_uint8", "MaxPool", (1, 2, 7, 9), dtype=np.uint8, kernel_shape=[2, 3], dilations=[2, 1])
maxpool_indices("maxpool_indices_2d", rand(2, 3, 7, 9), kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1])
maxpool_indices("maxpool_indices_colmajor", rand(1, 2, 6, 7), kernel_shape=[2, 2], strides=[2, 1],
                storage_order=1)
maxpool_indices("maxpool_indices_3d", rand(1, 2, 4, 5, 6), kernel_shape=[2, 2, 3], strides=[2, 2, 2])
maxpool_indices("maxpool_indices_1d_ceil", rand(1, 3, 10), kernel_shape=[3], strides=[2], ceil_mode=1)

# ---------------------------------------------------------------- spatial rearrangement and sampling

for mode in ("DCR", "CRD"):
    add_case(f"depthtospace_{mode.lower()}", "DepthToSpace", rand(2, 12, 3, 5), dict(blocksize=2, mode=mode))
add_case("depthtospace_b3", "DepthToSpace", rand(1, 18, 4, 2), dict(blocksize=3))
add_case("spacetodepth_b2", "SpaceToDepth", rand(2, 3, 6, 8), dict(blocksize=2))
add_case("spacetodepth_b3", "SpaceToDepth", rand(1, 2, 9, 3), dict(blocksize=3))

for mode in ("bilinear", "nearest", "bicubic"):
    for padding in ("zeros", "border", "reflection"):
        for align in (0, 1):
            add_case(f"gridsample_{mode}_{padding}_a{align}", "GridSample", rand(2, 3, 5, 6),
                     dict(mode=mode, padding_mode=padding, align_corners=align),
                     runtime_inputs=[("grid", rand(2, 4, 7, 2, low=-1.3, high=1.3))], opset=16)


def roi_align(name, x_shape, rois, batch_indices, **attrs):
    add_case(name, "RoiAlign", rand(*x_shape, low=0.0, high=1.0), attrs,
             [("rois", np.array(rois, np.float32)), ("batch_indices", np.array(batch_indices, np.int64))],
             opset=16)


ROIS = [[0, 0, 9, 9], [0, 5, 4, 9], [5, 5, 9, 9], [1.5, 2.25, 7.5, 3.5], [-2, -1, 3, 12]]
for mode in ("avg", "max"):
    for ctm in ("half_pixel", "output_half_pixel"):
        roi_align(f"roialign_{mode}_{ctm}", (2, 3, 10, 11), ROIS, [0, 1, 0, 1, 1], mode=mode,
                  coordinate_transformation_mode=ctm, output_height=3, output_width=4, sampling_ratio=2)
roi_align("roialign_adaptive_grid", (1, 2, 12, 10), ROIS, [0] * 5, output_height=2, output_width=3,
          spatial_scale=0.75)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: gen_conv.py OUTDIR")
    out_dir = sys.argv[1]
    for name, (model, inputs) in CASES.items():
        case_dir = os.path.join(out_dir, name)
        os.makedirs(case_dir, exist_ok=True)
        onnx.save(model, os.path.join(case_dir, "model.onnx"))
        for k, arr in enumerate(inputs):
            np.save(os.path.join(case_dir, f"input_{k}.npy"), arr)
    print(f"wrote {len(CASES)} cases to {out_dir}")


if __name__ == "__main__":
    main()
