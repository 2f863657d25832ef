#!/usr/bin/env python3
"""Exports the ONNX models that LstmGen.Benchmarks.Onnx times with ONNX Runtime.

Each model is PyTorch's nn.LSTM (batch_first=False) followed by nn.Linear(hidden, 1), exported with
torch.onnx.export as one ONNX LSTM operator (+ MatMul/Add for the head):

    inputs   x [steps, 1, input] (steps is a dynamic axis), h0 [layers, 1, hidden], c0 [layers, 1, hidden]
    outputs  y [steps, 1, 1], hn [layers, 1, hidden], cn [layers, 1, hidden]

The weights come from lstm_weights.py (a formula that the C# side repeats bit for bit). Beside each
model, models/<shape>.reference.json holds a short input sequence and PyTorch's outputs for it, which
the C# program checks ONNX Runtime and the generated model against (--verify).

Needs Debian's python3-torch and python3-onnx (apt-get install python3-torch python3-onnx):
    /usr/bin/python3 benchmarks/LstmGen.Benchmarks.Onnx/export_onnx.py
"""

import json
import os
import sys

import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lstm_weights  # noqa: E402

# (name, input, hidden, layers): hidden grid at input 8, one layer, and two layers of 64.
SHAPES = [("i8h%d" % h, 8, h, 1) for h in (8, 16, 32, 64, 128, 256)] + [("i8h64x2", 8, 64, 2)]
OPSET = 14
REFERENCE_STEPS = 5


class LstmWithHead(nn.Module):
    def __init__(self, inputs, hidden, layers, outputs=1):
        super().__init__()
        self.lstm = nn.LSTM(inputs, hidden, layers)
        self.head = nn.Linear(hidden, outputs)

    def forward(self, x, h0, c0):
        y, (hn, cn) = self.lstm(x, (h0, c0))
        return self.head(y), hn, cn


def export(directory, name, inputs, hidden, layers):
    model = LstmWithHead(inputs, hidden, layers).eval()
    lstm_weights.fill(model, hidden)

    x = torch.zeros(3, 1, inputs)
    h0 = torch.zeros(layers, 1, hidden)
    c0 = torch.zeros(layers, 1, hidden)
    path = os.path.join(directory, name + ".onnx")
    torch.onnx.export(
        model, (x, h0, c0), path,
        input_names=["x", "h0", "c0"], output_names=["y", "hn", "cn"],
        dynamic_axes={"x": {0: "steps"}, "y": {0: "steps"}},
        opset_version=OPSET, do_constant_folding=True)

    # A reference sequence: x[t][j] = sin(0.7 t + 0.3 j + 0.1), from the zero state.
    steps = torch.arange(REFERENCE_STEPS, dtype=torch.float64).reshape(-1, 1)
    features = torch.arange(inputs, dtype=torch.float64).reshape(1, -1)
    sequence = torch.sin(0.7 * steps + 0.3 * features + 0.1).float()
    with torch.no_grad():
        y, hn, cn = model(sequence.reshape(REFERENCE_STEPS, 1, inputs), h0, c0)
    reference = {
        "shape": name, "input": inputs, "hidden": hidden, "layers": layers, "output": 1,
        "torch": torch.__version__, "opset": OPSET,
        "inputs": sequence.flatten().tolist(),
        "outputs": y.flatten().tolist(),
        "hidden_state": hn.flatten().tolist(),
        "cell_state": cn.flatten().tolist(),
    }
    with open(os.path.join(directory, name + ".reference.json"), "w") as f:
        json.dump(reference, f, indent=1)
        f.write("\n")
    print("%-8s %s (%d bytes)" % (name, path, os.path.getsize(path)))


def main():
    directory = os.path.join(os.path.dirname(os.path.abspath(__file__)), "models")
    os.makedirs(directory, exist_ok=True)
    torch.manual_seed(0)
    for name, inputs, hidden, layers in SHAPES:
        export(directory, name, inputs, hidden, layers)

    import onnx
    for name, *_ in SHAPES:
        model = onnx.load(os.path.join(directory, name + ".onnx"))
        onnx.checker.check_model(model)
        ops = sorted({node.op_type for node in model.graph.node})
        print("%-8s checked: opset %d, operators %s" % (name, model.opset_import[0].version, ", ".join(ops)))


if __name__ == "__main__":
    main()
