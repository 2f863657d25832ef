"""GRU reference cases computed by PyTorch (torch.nn.GRU, torch.nn.Linear), in float64 from
values that are exact in float32, in the format of ../README.md (the LSTM cases) without the
cell state: no c0 / c_n, tensors gru.* with the gates r, z, n along 3H.

Run with a Python that has torch (1.13 here): /usr/bin/python3 make_gru_cases.py
It rewrites the gru-*.json files beside it; the output is deterministic (fixed seeds).
"""
import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
import pytorch_cases as cases  # noqa: E402

torch.set_default_dtype(torch.float64)

# name, input, hidden, layers, output (0: no head), activation, steps, loss, lossOn, initial state
CASES = [
    ("gru-tiny", 3, 5, 1, 2, "linear", 5, "mse", "all", False),
    ("gru-single-unit", 1, 1, 1, 1, "linear", 7, "mse", "all", False),
    ("gru-stacked", 8, 16, 2, 4, "linear", 6, "mse", "all", True),
    ("gru-odd-no-head", 3, 33, 2, 0, "linear", 4, "mse", "last", False),
    ("gru-sigmoid", 8, 5, 1, 1, "sigmoid", 6, "mse", "last", False),
    ("gru-softmax", 3, 16, 1, 4, "softmax", 5, "crossentropy", "all", False),
    ("gru-initial-state", 8, 33, 1, 3, "tanh", 5, "mse", "all", True),
    ("gru-wide", 1, 16, 2, 1, "linear", 9, "mse", "all", True),
]


def make(name, inputs, hidden, layers, outputs, activation, steps, loss, loss_on, initial, seed):
    generator = torch.Generator().manual_seed(seed)
    uniform = cases.sampler(generator, 1.0 / hidden ** 0.5)
    gru = torch.nn.GRU(inputs, hidden, num_layers=layers)
    head = torch.nn.Linear(hidden, outputs) if outputs > 0 else None
    tensors = cases.fill("gru.", [gru], uniform, head)

    x = uniform(steps, 1, inputs, scale=1.0).requires_grad_(True)
    h0 = uniform(layers, 1, hidden, scale=0.5).requires_grad_(True) if initial else torch.zeros(layers, 1, hidden, requires_grad=True)
    out, h_n, _ = cases.run([gru], x, [h0])
    width = outputs if outputs > 0 else hidden
    logits = (head(out) if head is not None else out).reshape(steps, width)
    y = cases.activate(logits, activation)
    target, value = cases.score(logits, y, loss, loss_on, uniform, generator)

    config = {
        "inputSize": inputs, "hiddenSize": hidden, "layers": layers, "outputSize": outputs,
        "outputActivation": activation, "sequenceLength": steps, "loss": loss, "lossOn": loss_on,
    }
    source = "PyTorch " + torch.__version__ + " torch.nn.GRU, float64; tests/LstmGen.Tests/Reference/gru/make_gru_cases.py"
    case = cases.document(name, source, config, tensors, x, y, [("h_n", h_n)], target, value, cases.gradients(tensors, x))
    if initial:
        cases.starting_states(case, h0=h0)
    return case


if __name__ == "__main__":
    cases.write_all(HERE, CASES, make, 1000)
