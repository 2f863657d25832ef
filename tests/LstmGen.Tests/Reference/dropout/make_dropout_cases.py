"""Dropout reference cases computed by PyTorch, in float64 from values that are exact in float32, in the
format of ../README.md (the LSTM cases) plus "dropout": {"p", "seed"}.

PyTorch's own random masks cannot be reproduced, so the stacked layers are separate one-layer
torch.nn.LSTM / torch.nn.GRU modules, and between them the output of each layer but the last is multiplied
by the mask LstmGen draws (LstmGen.CompilerServices.DropoutMasks, reimplemented below): 0 for a dropped unit,
float32(1 / (1 - p)) for a kept one, as nn.LSTM(dropout=p) applies its own masks in training. The tensors are
those of the stacked module (lstm.weight_ih_l{k} = layer k's weight_ih_l0, ...).

Run with a Python that has torch (1.13 here): /usr/bin/python3 make_dropout_cases.py
It rewrites the dropout-*.json files beside it; the output is deterministic (fixed seeds).
"""
import json
import os

import torch

torch.set_default_dtype(torch.float64)

MASK64 = (1 << 64) - 1

# name, cell, input, hidden, layers, output, steps, p, dropout seed
CASES = [
    ("dropout-lstm", "lstm", 4, 6, 3, 2, 6, 0.4, 12345),
    ("dropout-gru", "gru", 3, 7, 2, 2, 5, 0.25, 987654321987),
]


def mix(value):
    """SplitMix64's step and finaliser, as DropoutMasks.Mix."""
    z = (value + 0x9E3779B97F4A7C15) & MASK64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
    return z ^ (z >> 31)


def mask(seed, step, layer, hidden, p32, scale32):
    """DropoutMasks.Apply's factors for one layer's output at one step."""
    key = mix(mix(seed) ^ step)
    factors = []
    for unit in range(hidden):
        bits = mix(key ^ ((layer << 32) | unit))
        # (bits >> 40) / 2^24 and p are both exact in float64, so the comparison is float32's.
        factors.append(scale32 if (bits >> 40) / 16777216.0 >= p32 else 0.0)
    return torch.tensor(factors)


def exact(t):
    """Rounded to float32 and back: values a float32 model holds exactly."""
    return t.to(torch.float32).to(torch.float64)


def tensor(t):
    return {"shape": list(t.shape), "data": [float(v) for v in t.detach().reshape(-1).tolist()]}


def make(name, cell, inputs, hidden, layers, outputs, steps, p, dropout_seed, seed):
    generator = torch.Generator().manual_seed(seed)
    bound = 1.0 / hidden ** 0.5
    p32 = torch.tensor(p, dtype=torch.float32).item()
    scale32 = (torch.tensor(1.0, dtype=torch.float32) / (1 - torch.tensor(p32, dtype=torch.float32))).item()

    def uniform(*shape, scale=bound):
        return exact((torch.rand(*shape, generator=generator) * 2 - 1) * scale)

    module = torch.nn.LSTM if cell == "lstm" else torch.nn.GRU
    stack = [module(inputs if k == 0 else hidden, hidden) for k in range(layers)]
    head = torch.nn.Linear(hidden, outputs)
    tensors = {}
    with torch.no_grad():
        for k, layer in enumerate(stack):
            for name_, parameter in layer.named_parameters():
                parameter.copy_(uniform(*parameter.shape))
                tensors[cell + "." + name_.replace("_l0", "_l" + str(k))] = parameter
        head.weight.copy_(uniform(outputs, hidden))
        head.bias.copy_(uniform(outputs))
        tensors["head.weight"] = head.weight
        tensors["head.bias"] = head.bias

    x = uniform(steps, 1, inputs, scale=1.0).requires_grad_(True)
    below = x
    finals = []
    for k, layer in enumerate(stack):
        out, state = layer(below)
        finals.append(state[0] if cell == "lstm" else state)
        if k < layers - 1:
            masks = torch.stack([mask(dropout_seed, t, k, hidden, p32, scale32) for t in range(steps)]).reshape(steps, 1, hidden)
            below = out * masks
        else:
            below = out
    y = head(below).reshape(steps, outputs)
    target = uniform(steps, outputs, scale=1.0)
    value = ((y - target) ** 2).mean()
    value.backward()

    gradients = {n: tensor(t.grad) for n, t in tensors.items()}
    gradients["input"] = tensor(x.grad.reshape(steps, inputs))
    return {
        "name": name,
        "source": "PyTorch " + torch.__version__ + " one-layer torch.nn." + module.__name__ + " modules with LstmGen's dropout masks between them, float64; tests/LstmGen.Tests/Reference/dropout/make_dropout_cases.py",
        "config": {
            "inputSize": inputs, "hiddenSize": hidden, "layers": layers, "outputSize": outputs,
            "outputActivation": "linear", "sequenceLength": steps, "loss": "mse", "lossOn": "all",
        },
        "dropout": {"p": p, "seed": dropout_seed},
        "tensors": {n: tensor(t) for n, t in tensors.items()},
        "input": tensor(x.reshape(steps, inputs)),
        "output": tensor(y),
        "h_n": tensor(torch.cat(finals).reshape(layers, hidden)),
        "target": tensor(target),
        "loss": float(value),
        "gradients": gradients,
    }


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    for seed, spec in enumerate(CASES):
        case = make(*spec, seed=2000 + seed)
        with open(os.path.join(here, spec[0] + ".json"), "w") as file:
            json.dump(case, file, indent=None, separators=(",", ":"))
            file.write("\n")


if __name__ == "__main__":
    main()
