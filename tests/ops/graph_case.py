"""Writes a one-node test case with any number of outputs (for ops such as LSTM
or DynamicQuantizeLinear), in the layout run_cases.py reads. Used by
gen_quant.py, gen_rnn.py and gen_signal.py; op_case.write_case covers the
single-output ops."""

import os
import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from op_case import OPSET, save_case  # noqa: E402,F401  (OPSET is re-exported to the generators)


def write_node_case(outdir, name, op, inputs, outputs, attrs=None, opset=OPSET, output_types=None):
    """`inputs` lists, in node-input order, one entry per node input:
    ("name", array) for a graph input, ("name", array, "const") for an
    initializer, or None for an absent optional input. `outputs` names the node
    outputs ("" for an absent one); every named one becomes a graph output,
    typed by ONNX shape inference, or, when `output_types` maps it to
    (elem_type, rank), declared with that type and symbolic dims (for ops whose
    ONNX 1.12 shape inference is wrong, e.g. STFT's onesided bins)."""
    node_inputs, graph_inputs, inits, feeds = [], [], [], []
    for entry in inputs:
        if entry is None:
            node_inputs.append("")
            continue
        iname, arr = entry[0], np.asarray(entry[1])
        node_inputs.append(iname)
        if len(entry) > 2:
            inits.append(numpy_helper.from_array(arr, iname))
        else:
            graph_inputs.append(helper.make_tensor_value_info(
                iname, onnx.mapping.NP_TYPE_TO_TENSOR_TYPE[arr.dtype], arr.shape))
            feeds.append(arr)
    while node_inputs and node_inputs[-1] == "":
        node_inputs.pop()
    node = helper.make_node(op, node_inputs, list(outputs), **(attrs or {}))
    graph_outputs = []
    for o in outputs:
        if o and output_types:
            elem, rank = output_types[o]
            graph_outputs.append(helper.make_tensor_value_info(o, elem, [f"{o}_{d}" for d in range(rank)]))
        elif o:
            v = onnx.ValueInfoProto()
            v.name = o  # typed by ONNX shape inference below
            graph_outputs.append(v)
    graph = helper.make_graph([node], name, graph_inputs, graph_outputs, inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    if not output_types:
        model = onnx.shape_inference.infer_shapes(model, strict_mode=True)
        del model.graph.value_info[:]
    save_case(outdir, name, model, feeds)
