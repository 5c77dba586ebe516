"""Shared by the op-case generators (tests/ops/gen_*.py): writes one test case,
a one-node ONNX model plus its input arrays, in the layout run_cases.py reads."""

import os

import numpy as np
import onnx
from onnx import helper, numpy_helper

OPSET = 17  # the newest opset the installed onnx (1.12) checks


def i64(values):
    return np.array(values, dtype=np.int64)


def shape_name(shape):
    """Case-name spelling of a shape: "2x3", or "scalar"."""
    return "x".join(str(d) for d in shape) if shape else "scalar"


def dtype_name(dtype):
    return np.dtype(dtype).name


def write_case(outdir, name, op, inputs, attrs=None, consts=None, opset=OPSET, outputs=("y",)):
    """One-node model. `inputs` lists (name, array) graph inputs in node-input
    order; `consts` maps node-input position -> (name, array) initializers
    (a name of "" leaves that optional input absent). `outputs` names the node's
    outputs, each a graph output ("" leaves that optional output absent)."""
    consts = consts or {}
    node_inputs, graph_inputs, inits = [], [], []
    feeds = list(inputs)
    for pos in range(len(inputs) + len(consts)):
        if pos in consts:
            cname, arr = consts[pos]
            node_inputs.append(cname)
            if cname:
                inits.append(numpy_helper.from_array(np.asarray(arr), cname))
        else:
            iname, arr = feeds.pop(0)
            node_inputs.append(iname)
            graph_inputs.append(helper.make_tensor_value_info(
                iname, onnx.mapping.NP_TYPE_TO_TENSOR_TYPE[arr.dtype], arr.shape))
    node = helper.make_node(op, node_inputs, list(outputs), **(attrs or {}))
    graph_outputs = []
    for o in filter(None, outputs):
        v = onnx.ValueInfoProto()
        v.name = o  # typed by ONNX shape inference below
        graph_outputs.append(v)
    graph = helper.make_graph([node], name, graph_inputs, graph_outputs, inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    model = onnx.shape_inference.infer_shapes(model, strict_mode=True)
    del model.graph.value_info[:]
    save_case(outdir, name, model, [arr for _, arr in inputs])


def save_case(outdir, name, model, arrays):
    """Checks `model` and writes OUTDIR/NAME/model.onnx with input_K.npy for each of `arrays`
    (the graph inputs in order): the case layout tests/ops/run_cases.py reads."""
    onnx.checker.check_model(model)
    case_dir = os.path.join(outdir, name)
    os.makedirs(case_dir, exist_ok=True)
    onnx.save(model, os.path.join(case_dir, "model.onnx"))
    for k, arr in enumerate(arrays):
        np.save(os.path.join(case_dir, f"input_{k}.npy"), arr)
