"""LSTM-with-projections reference cases computed by PyTorch (torch.nn.LSTM(proj_size=P), torch.nn.Linear), in
float64 from values that are exact in float32, in the format of ../README.md (the LSTM cases) plus
"config.projectionSize", the tensors lstm.weight_hr_l{k} [P, H], h0 / h_n of [L, P] (c0 / c_n stay [L, H]), and
"sgd": the tensors after one torch.optim.SGD step from the gradients (an optimizer's step over every tensor; SGD's,
because Adam's first step, lr * g / (|g| + eps), turns the float32 rounding of a gradient near zero into a change of
the step itself).

The dropout case stacks one-layer torch.nn.LSTM(proj_size=P) modules and multiplies each output but the last by
the masks LstmGen draws (as ../dropout/make_dropout_cases.py, with ../pytorch_cases.py's masks): PyTorch's own random
masks cannot be reproduced.

Run with a Python that has torch (1.13 here): /usr/bin/python3 make_projection_cases.py
It rewrites the projection-*.json files beside it; the output is deterministic (fixed seeds).
"""
import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
import pytorch_cases as cases  # noqa: E402

torch.set_default_dtype(torch.float64)

SGD_LR = 0.1

# name, input, hidden, projection, layers, output (0: no head), activation, steps, loss, lossOn, initial state, dropout (p, seed)
CASES = [
    ("projection-tiny", 3, 7, 3, 1, 2, "linear", 5, "mse", "all", False, None),
    ("projection-stacked", 5, 13, 5, 2, 3, "tanh", 6, "mse", "all", True, None),
    ("projection-deep-no-head", 4, 37, 11, 3, 0, "linear", 5, "mse", "last", True, None),
    ("projection-softmax", 6, 20, 16, 1, 4, "softmax", 5, "crossentropy", "all", False, None),
    ("projection-wide", 2, 40, 17, 2, 1, "linear", 7, "mse", "all", True, None),
    ("projection-dropout", 3, 9, 4, 3, 2, "linear", 6, "mse", "all", False, (0.3, 424242)),
]


def make(name, inputs, hidden, projection, layers, outputs, activation, steps, loss, loss_on, initial, dropout, seed):
    generator = torch.Generator().manual_seed(seed)
    uniform = cases.sampler(generator, 1.0 / hidden ** 0.5)
    # With dropout, one module per layer (the masks go between them); else one stacked module.
    if dropout is None:
        stack = [torch.nn.LSTM(inputs, hidden, num_layers=layers, proj_size=projection)]
    else:
        stack = [torch.nn.LSTM(inputs if k == 0 else projection, hidden, proj_size=projection) for k in range(layers)]
    head = torch.nn.Linear(projection, outputs) if outputs > 0 else None
    tensors = cases.fill("lstm.", stack, uniform, head)

    x = uniform(steps, 1, inputs, scale=1.0).requires_grad_(True)
    h0 = (uniform(layers, 1, projection, scale=0.5) if initial else torch.zeros(layers, 1, projection)).requires_grad_(True)
    c0 = (uniform(layers, 1, hidden, scale=0.5) if initial else torch.zeros(layers, 1, hidden)).requires_grad_(True)
    if dropout is None:
        states = [(h0, c0)]
    else:
        states = [(h0[k:k + 1], c0[k:k + 1]) for k in range(layers)]
    out, h_n, c_n = cases.run(stack, x, states, dropout)
    width = outputs if outputs > 0 else projection
    logits = (head(out) if head is not None else out).reshape(steps, width)
    y = cases.activate(logits, activation)
    target, value = cases.score(logits, y, loss, loss_on, uniform, generator)
    gradients = cases.gradients(tensors, x)

    # One SGD step from these gradients.
    names = list(tensors)
    parameters = [tensors[n].detach().clone().requires_grad_(True) for n in names]
    for parameter, n in zip(parameters, names):
        parameter.grad = tensors[n].grad.clone()
    torch.optim.SGD(parameters, lr=SGD_LR).step()

    config = {
        "inputSize": inputs, "hiddenSize": hidden, "projectionSize": projection, "layers": layers, "outputSize": outputs,
        "outputActivation": activation, "sequenceLength": steps, "loss": loss, "lossOn": loss_on,
    }
    source = "PyTorch " + torch.__version__ + " torch.nn.LSTM(proj_size), float64; tests/LstmGen.Tests/Reference/projection/make_projection_cases.py"
    case = cases.document(name, source, config, tensors, x, y, [("h_n", h_n), ("c_n", c_n)], target, value, gradients)
    case["sgd"] = {"lr": SGD_LR, "tensors": {n: cases.tensor(p) for n, p in zip(names, parameters)}}
    if dropout is not None:
        case["dropout"] = {"p": dropout[0], "seed": dropout[1]}
    if initial:
        cases.starting_states(case, h0=h0, c0=c0)
    return case


if __name__ == "__main__":
    cases.write_all(HERE, CASES, make, 3000)
