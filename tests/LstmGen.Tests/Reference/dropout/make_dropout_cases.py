"""Dropout reference cases computed by PyTorch, in float64 from values that are exact in float32, in the
format of ../README.md (the LSTM cases) plus "dropout": {"p", "seed"}.

PyTorch's own random masks cannot be reproduced, so the stacked layers are separate one-layer
torch.nn.LSTM / torch.nn.GRU modules, and between them the output of each layer but the last is multiplied
by the mask LstmGen draws (LstmGen.CompilerServices.DropoutMasks, reimplemented in ../pytorch_cases.py): 0 for a dropped unit,
float32(1 / (1 - p)) for a kept one, as nn.LSTM(dropout=p) applies its own masks in training. The tensors are
those of the stacked module (lstm.weight_ih_l{k} = layer k's weight_ih_l0, ...).

Run with a Python that has torch (1.13 here): /usr/bin/python3 make_dropout_cases.py
It rewrites the dropout-*.json files beside it; the output is deterministic (fixed seeds).
"""
import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
import pytorch_cases as cases  # noqa: E402

torch.set_default_dtype(torch.float64)

# name, cell, input, hidden, layers, output, steps, p, dropout seed
CASES = [
    ("dropout-lstm", "lstm", 4, 6, 3, 2, 6, 0.4, 12345),
    ("dropout-gru", "gru", 3, 7, 2, 2, 5, 0.25, 987654321987),
]


def make(name, cell, inputs, hidden, layers, outputs, steps, p, dropout_seed, seed):
    generator = torch.Generator().manual_seed(seed)
    uniform = cases.sampler(generator, 1.0 / hidden ** 0.5)
    module = torch.nn.LSTM if cell == "lstm" else torch.nn.GRU
    stack = [module(inputs if k == 0 else hidden, hidden) for k in range(layers)]
    head = torch.nn.Linear(hidden, outputs)
    tensors = cases.fill(cell + ".", stack, uniform, head)

    x = uniform(steps, 1, inputs, scale=1.0).requires_grad_(True)
    out, h_n, _ = cases.run(stack, x, dropout=(p, dropout_seed))
    y = head(out).reshape(steps, outputs)
    target, value = cases.score(y, y, "mse", "all", uniform, generator)

    config = {
        "inputSize": inputs, "hiddenSize": hidden, "layers": layers, "outputSize": outputs,
        "outputActivation": "linear", "sequenceLength": steps, "loss": "mse", "lossOn": "all",
    }
    source = "PyTorch " + torch.__version__ + " one-layer torch.nn." + module.__name__ + " modules with LstmGen's dropout masks between them, float64; tests/LstmGen.Tests/Reference/dropout/make_dropout_cases.py"
    return cases.document(name, source, config, tensors, x, y, [("h_n", h_n)], target, value, cases.gradients(tensors, x),
                          marks={"dropout": {"p": p, "seed": dropout_seed}})


if __name__ == "__main__":
    cases.write_all(HERE, CASES, make, 2000)
