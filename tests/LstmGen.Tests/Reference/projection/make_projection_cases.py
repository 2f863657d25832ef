"""LSTM-with-projections reference cases computed by PyTorch (torch.nn.LSTM(proj_size=P), torch.nn.Linear), in
float64 from values that are exact in float32, in the format of ../README.md (the LSTM cases) plus
"config.projectionSize", the tensors lstm.weight_hr_l{k} [P, H], h0 / h_n of [L, P] (c0 / c_n stay [L, H]), and
"sgd": the tensors after one torch.optim.SGD step from the gradients (an optimizer's step over every tensor; SGD's,
because Adam's first step, lr * g / (|g| + eps), turns the float32 rounding of a gradient near zero into a change of
the step itself).

The dropout case stacks one-layer torch.nn.LSTM(proj_size=P) modules and multiplies each output but the last by
the masks LstmGen draws (as ../dropout/make_dropout_cases.py, whose mask function it imports): PyTorch's own random
masks cannot be reproduced.

Run with a Python that has torch (1.13 here): /usr/bin/python3 make_projection_cases.py
It rewrites the projection-*.json files beside it; the output is deterministic (fixed seeds).
"""
import json
import os
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "dropout"))
from make_dropout_cases import mask  # noqa: E402

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


def exact(t):
    """Rounded to float32 and back: values a float32 model holds exactly."""
    return t.to(torch.float32).to(torch.float64)


def tensor(t):
    return {"shape": list(t.shape), "data": [float(v) for v in t.detach().reshape(-1).tolist()]}


def make(name, inputs, hidden, projection, layers, outputs, activation, steps, loss, loss_on, initial, dropout, seed):
    generator = torch.Generator().manual_seed(seed)
    bound = 1.0 / hidden ** 0.5

    def uniform(*shape, scale=bound):
        return exact((torch.rand(*shape, generator=generator) * 2 - 1) * scale)

    # With dropout, one module per layer (the masks go between them); else one stacked module.
    if dropout is None:
        stack = [torch.nn.LSTM(inputs, hidden, num_layers=layers, proj_size=projection)]
    else:
        stack = [torch.nn.LSTM(inputs if k == 0 else projection, hidden, proj_size=projection) for k in range(layers)]
    head = torch.nn.Linear(projection, outputs) if outputs > 0 else None
    tensors = {}
    with torch.no_grad():
        for k, module in enumerate(stack):
            for name_, parameter in module.named_parameters():
                parameter.copy_(uniform(*parameter.shape))
                tensors["lstm." + (name_ if dropout is None else name_.replace("_l0", "_l" + str(k)))] = parameter
        if head is not None:
            head.weight.copy_(uniform(outputs, projection))
            head.bias.copy_(uniform(outputs))
            tensors["head.weight"] = head.weight
            tensors["head.bias"] = head.bias

    x = uniform(steps, 1, inputs, scale=1.0).requires_grad_(True)
    h0 = (uniform(layers, 1, projection, scale=0.5) if initial else torch.zeros(layers, 1, projection)).requires_grad_(True)
    c0 = (uniform(layers, 1, hidden, scale=0.5) if initial else torch.zeros(layers, 1, hidden)).requires_grad_(True)
    if dropout is None:
        out, (h_n, c_n) = stack[0](x, (h0, c0))
    else:
        p, dropout_seed = dropout
        p32 = torch.tensor(p, dtype=torch.float32).item()
        scale32 = (torch.tensor(1.0, dtype=torch.float32) / (1 - torch.tensor(p32, dtype=torch.float32))).item()
        below, finals, cells = x, [], []
        for k, module in enumerate(stack):
            out, (h, c) = module(below, (h0[k:k + 1], c0[k:k + 1]))
            finals.append(h)
            cells.append(c)
            if k < layers - 1:
                masks = torch.stack([mask(dropout_seed, t, k, projection, p32, scale32) for t in range(steps)]).reshape(steps, 1, projection)
                below = out * masks
        h_n, c_n = torch.cat(finals), torch.cat(cells)
    logits = head(out) if head is not None else out
    width = outputs if outputs > 0 else projection
    if activation == "tanh":
        y = torch.tanh(logits)
    elif activation == "softmax":
        y = torch.softmax(logits, dim=-1)
    else:
        y = logits
    y = y.reshape(steps, width)
    logits = logits.reshape(steps, width)
    scored = steps if loss_on == "all" else 1
    if loss == "crossentropy":
        classes = torch.randint(0, width, (scored,), generator=generator)
        target = torch.nn.functional.one_hot(classes, width).to(torch.float64)
        picked = logits if loss_on == "all" else logits[-1:]
        value = torch.nn.functional.cross_entropy(picked, classes)
    else:
        target = uniform(scored, width, scale=1.0)
        picked = y if loss_on == "all" else y[-1:]
        value = ((picked - target) ** 2).mean()
    value.backward()

    gradients = {n: tensor(t.grad) for n, t in tensors.items()}
    gradients["input"] = tensor(x.grad.reshape(steps, inputs))

    # One SGD step from these gradients.
    names = list(tensors)
    parameters = [tensors[n].detach().clone().requires_grad_(True) for n in names]
    for parameter, n in zip(parameters, names):
        parameter.grad = tensors[n].grad.clone()
    torch.optim.SGD(parameters, lr=SGD_LR).step()

    case = {
        "name": name,
        "source": "PyTorch " + torch.__version__ + " torch.nn.LSTM(proj_size), float64; tests/LstmGen.Tests/Reference/projection/make_projection_cases.py",
        "config": {
            "inputSize": inputs, "hiddenSize": hidden, "projectionSize": projection, "layers": layers, "outputSize": outputs,
            "outputActivation": activation, "sequenceLength": steps, "loss": loss, "lossOn": loss_on,
        },
        "tensors": {n: tensor(t) for n, t in tensors.items()},
        "input": tensor(x.reshape(steps, inputs)),
        "output": tensor(y),
        "h_n": tensor(h_n.reshape(layers, projection)),
        "c_n": tensor(c_n.reshape(layers, hidden)),
        "target": tensor(target),
        "loss": float(value),
        "gradients": gradients,
        "sgd": {"lr": SGD_LR, "tensors": {n: tensor(p) for n, p in zip(names, parameters)}},
    }
    if dropout is not None:
        case["dropout"] = {"p": dropout[0], "seed": dropout[1]}
    if initial:
        case["h0"] = tensor(h0.reshape(layers, projection))
        case["c0"] = tensor(c0.reshape(layers, hidden))
        gradients["h0"] = tensor(h0.grad.reshape(layers, projection))
        gradients["c0"] = tensor(c0.grad.reshape(layers, hidden))
    return case


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    for seed, spec in enumerate(CASES):
        case = make(*spec, seed=3000 + seed)
        with open(os.path.join(here, spec[0] + ".json"), "w") as file:
            json.dump(case, file, indent=None, separators=(",", ":"))
            file.write("\n")


if __name__ == "__main__":
    main()
