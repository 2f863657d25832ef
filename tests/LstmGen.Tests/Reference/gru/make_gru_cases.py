"""GRU reference cases computed by PyTorch (torch.nn.GRU, torch.nn.Linear), in float64 from
values that are exact in float32, in the format of ../README.md (the LSTM cases) without the
cell state: no c0 / c_n, tensors gru.* with the gates r, z, n along 3H.

Run with a Python that has torch (1.13 here): /usr/bin/python3 make_gru_cases.py
It rewrites the gru-*.json files beside it; the output is deterministic (fixed seeds).
"""
import json
import os

import torch

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


def exact(t):
    """Rounded to float32 and back: values a float32 model holds exactly."""
    return t.to(torch.float32).to(torch.float64)


def tensor(t):
    return {"shape": list(t.shape), "data": [float(v) for v in t.detach().reshape(-1).tolist()]}


def make(name, inputs, hidden, layers, outputs, activation, steps, loss, loss_on, initial, seed):
    generator = torch.Generator().manual_seed(seed)
    bound = 1.0 / hidden ** 0.5

    def uniform(*shape, scale=bound):
        return exact((torch.rand(*shape, generator=generator) * 2 - 1) * scale)

    gru = torch.nn.GRU(inputs, hidden, num_layers=layers)
    head = torch.nn.Linear(hidden, outputs) if outputs > 0 else None
    tensors = {}
    with torch.no_grad():
        for name_, parameter in gru.named_parameters():
            parameter.copy_(uniform(*parameter.shape))
            tensors["gru." + name_] = parameter
        if head is not None:
            head.weight.copy_(uniform(outputs, hidden))
            head.bias.copy_(uniform(outputs))
            tensors["head.weight"] = head.weight
            tensors["head.bias"] = head.bias

    x = uniform(steps, 1, inputs, scale=1.0).requires_grad_(True)
    h0 = uniform(layers, 1, hidden, scale=0.5).requires_grad_(True) if initial else torch.zeros(layers, 1, hidden, requires_grad=True)
    out, h_n = gru(x, h0)
    logits = head(out) if head is not None else out
    width = outputs if outputs > 0 else hidden
    if activation == "sigmoid":
        y = torch.sigmoid(logits)
    elif activation == "tanh":
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
    case = {
        "name": name,
        "source": "PyTorch " + torch.__version__ + " torch.nn.GRU, float64; tests/LstmGen.Tests/Reference/gru/make_gru_cases.py",
        "config": {
            "inputSize": inputs, "hiddenSize": hidden, "layers": layers, "outputSize": outputs,
            "outputActivation": activation, "sequenceLength": steps, "loss": loss, "lossOn": loss_on,
        },
        "tensors": {n: tensor(t) for n, t in tensors.items()},
        "input": tensor(x.reshape(steps, inputs)),
        "output": tensor(y),
        "h_n": tensor(h_n.reshape(layers, hidden)),
        "target": tensor(target),
        "loss": float(value),
        "gradients": gradients,
    }
    if initial:
        case["h0"] = tensor(h0.reshape(layers, hidden))
        gradients["h0"] = tensor(h0.grad.reshape(layers, hidden))
    return case


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    for seed, spec in enumerate(CASES):
        case = make(*spec, seed=1000 + seed)
        with open(os.path.join(here, spec[0] + ".json"), "w") as file:
            json.dump(case, file, indent=None, separators=(",", ":"))
            file.write("\n")


if __name__ == "__main__":
    main()
