"""Reference cases for hidden sizes beyond one cache-resident block run: PyTorch 1.13 in float64.

Writes wide-odd.json (input 5, hidden 70 = four blocks of 16, one of 4 and one of 2; three layers (404 KiB of parameters: the step kernels alternate their tiles' order), a tanh head) and
wide-81.json (input 3, hidden 81 = five blocks of 16 and one of 1; a linear head), in the format of README.md.
Run with Debian's python3-torch: /usr/bin/python3 make_wide_cases.py (from this folder).
"""
import json

import torch

torch.manual_seed(20261207)


def tensor(t, digits=12):
    # Values exact in float32 round-trip with 9 significant digits; computed ones keep 12 (the tests compare to 1e-6).
    return {"shape": list(t.shape), "data": [float(f"{v:.{digits}g}") for v in t.detach().reshape(-1).tolist()]}


def exact(*shape, scale):
    # Values exact in float32, kept in float64 for the computation.
    return ((torch.rand(*shape) * 2 - 1) * scale).to(torch.float32).to(torch.float64)


def case(name, inputs, hidden, layers, outputs, activation, steps):
    lstm = torch.nn.LSTM(inputs, hidden, layers).double()
    head = torch.nn.Linear(hidden, outputs).double()
    bound = 1.0 / hidden ** 0.5
    with torch.no_grad():
        for p in list(lstm.parameters()) + list(head.parameters()):
            p.copy_(exact(*p.shape, scale=bound))
    x = exact(steps, inputs, scale=1.0).requires_grad_(True)
    target = exact(steps, outputs, scale=0.8)
    out, (h_n, c_n) = lstm(x.unsqueeze(1))
    y = head(out.squeeze(1))
    y = {"linear": y, "tanh": torch.tanh(y), "sigmoid": torch.sigmoid(y)}[activation]
    loss = ((y - target) ** 2).mean()
    loss.backward()

    tensors = {}
    gradients = {}
    for k in range(layers):
        for kind in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            p = getattr(lstm, f"{kind}_l{k}")
            tensors[f"lstm.{kind}_l{k}"] = tensor(p, 9)
            gradients[f"lstm.{kind}_l{k}"] = tensor(p.grad)
    tensors["head.weight"] = tensor(head.weight, 9)
    tensors["head.bias"] = tensor(head.bias, 9)
    gradients["head.weight"] = tensor(head.weight.grad)
    gradients["head.bias"] = tensor(head.bias.grad)
    gradients["input"] = tensor(x.grad)
    document = {
        "name": name,
        "source": "PyTorch " + torch.__version__ + ", float64, tests/LstmGen.Tests/Reference/make_wide_cases.py",
        "config": {"inputSize": inputs, "hiddenSize": hidden, "layers": layers, "outputSize": outputs,
                   "outputActivation": activation, "sequenceLength": steps, "loss": "mse", "lossOn": "all"},
        "tensors": tensors,
        "input": tensor(x, 9),
        "output": tensor(y),
        "h_n": tensor(h_n.squeeze(1)),
        "c_n": tensor(c_n.squeeze(1)),
        "target": tensor(target, 9),
        "loss": float(loss),
        "gradients": gradients,
    }
    with open(f"{name}.json", "w") as f:
        json.dump(document, f)


case("wide-odd", inputs=5, hidden=70, layers=3, outputs=3, activation="tanh", steps=7)
case("wide-81", inputs=3, hidden=81, layers=1, outputs=2, activation="linear", steps=5)
