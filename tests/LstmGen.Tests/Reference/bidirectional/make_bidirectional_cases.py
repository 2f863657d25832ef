"""Bidirectional reference cases computed by PyTorch (torch.nn.LSTM / torch.nn.GRU with bidirectional=True,
torch.nn.Linear on the [T, 2H] output), in float64 from values that are exact in float32, in the format of
../README.md (the LSTM cases) with "bidirectional": true: the tensors include the *_reverse ones, h_n (and c_n)
are [2 * layers, H] (layer k's forward direction in row 2k, its reverse in row 2k + 1), the head reads 2H;
"gradients" also has "h0" (and "c0"), d loss / d the zero starting states in that layout.

A case with "dropout" is made as ../dropout/make_dropout_cases.py makes its cases: PyTorch's own random masks
cannot be reproduced, so each layer is a one-layer bidirectional module, and the [T, 2H] output of each layer but
the last is multiplied by the mask LstmGen draws (LstmGen.CompilerServices.DropoutMasks, reimplemented in
../pytorch_cases.py, over the 2H outputs of a step).

A case with "adam" also holds every tensor after one torch.optim.Adam step on those gradients ("after").

Each case also gets a Keras-layout weights file, <name>.keras.safetensors, for the cases in KERAS: the weights
of a Keras Bidirectional(LSTM(...)) / Bidirectional(GRU(..., reset_after=True)) and Dense, named as Keras 3 names
them (bidirectional/forward_lstm/lstm_cell/kernel, ...): kernel [in, G*H] = weight_ih^T, recurrent_kernel [H, G*H]
= weight_hh^T, gates i, f, c, o (LSTM: PyTorch's i, f, g, o) or z, r, h (GRU: PyTorch's r, z, n reordered); an LSTM's
one bias [4H] = bias_ih + bias_hh (so the file's biases are chosen with bias_hh = 0 to stay exact), a GRU's bias
[2, 3H] = [input bias, recurrent bias]. Keras computes the same function as PyTorch with these weights, so the
case's outputs are the expected outputs of the Keras file.

Run with a Python that has torch (1.13 here): /usr/bin/python3 make_bidirectional_cases.py
It rewrites the bi*.json, *.keras.safetensors and biproj-*.safetensors files beside it; the output is deterministic
(fixed seeds).

The biproj-* cases are of nn.LSTM(bidirectional=True, proj_size=P) (PROJECTED_CASES): each direction outputs and
carries P values, so h_n and "h0" are [2 * layers, P] (c_n and "c0" stay [2 * layers, H]), the layer output is
[T, 2P], an upper layer's weight_ih is [4H, 2P], the head reads 2P, and "config" has "projectionSize". For those in
STATE_DICT the script also writes <name>.safetensors: PyTorch's state_dict of the LSTM module (under "lstm.") and of
the head (under "head."), as a user saves a model.
"""
import json
import os
import struct
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from pytorch_cases import activate, fill, gradients, masks, rows, run, sampler, score, tensor, write  # noqa: E402

torch.set_default_dtype(torch.float64)

# name, cell, input, hidden, layers, output (0: no head), activation, steps, loss, lossOn, dropout (p, seed) or None, adam lr or None
CASES = [
    ("bilstm-tiny", "lstm", 3, 5, 1, 2, "linear", 5, "mse", "all", None, 0.01),
    ("bilstm-stacked-no-head", "lstm", 3, 7, 3, 0, "linear", 6, "mse", "last", None, None),
    ("bilstm-wide", "lstm", 8, 21, 2, 3, "tanh", 7, "mse", "all", None, None),
    ("bilstm-one-kernel", "lstm", 10, 5, 2, 1, "sigmoid", 4, "mse", "last", None, None),
    ("bigru-tiny", "gru", 3, 5, 1, 2, "linear", 5, "mse", "all", None, 0.01),
    ("bigru-stacked-softmax", "gru", 4, 13, 2, 4, "softmax", 6, "crossentropy", "all", None, None),
    ("bilstm-dropout", "lstm", 3, 5, 2, 2, "linear", 5, "mse", "all", (0.25, 4242), None),
    ("bigru-dropout", "gru", 3, 5, 2, 2, "linear", 5, "mse", "all", (0.25, 98765), None),
]

# Bidirectional LSTMs with projections (nn.LSTM(bidirectional=True, proj_size=P)): the fields of CASES, then P. Each
# direction's output and h_n rows are P values (the layer output [T, 2P], forward half first), c_n rows stay H; an upper
# layer's weight_ih is [4H, 2P], the head reads 2P. Their seeds follow on from 3100, so that CASES' files do not change.
PROJECTED_CASES = [
    ("biproj-tiny", "lstm", 3, 5, 1, 2, "linear", 5, "mse", "all", None, None, 2),
    ("biproj-stacked-softmax", "lstm", 4, 9, 2, 3, "softmax", 6, "crossentropy", "all", None, None, 3),
    ("biproj-dropout-no-head", "lstm", 5, 7, 2, 0, "linear", 5, "mse", "last", (0.25, 777), None, 3),
    ("biproj-wide", "lstm", 8, 21, 2, 1, "tanh", 7, "mse", "all", None, None, 4),
]

# The projected cases whose PyTorch state_dict (the LSTM module's under "lstm.", the head's under "head.") is also
# written as <name>.safetensors, a weights file as a PyTorch user writes it.
STATE_DICT = {"biproj-stacked-softmax", "biproj-wide"}

# The cases whose weights are also written in Keras' layout (their bias_hh tensors are zero, so that an LSTM's one
# Keras bias is exact).
KERAS = {"bilstm-wide", "bigru-stacked-softmax"}


def make(name, cell, inputs, hidden, layers, outputs, activation, steps, loss, loss_on, dropout, adam, projection=0, seed=0):
    generator = torch.Generator().manual_seed(seed)
    # What each direction outputs and carries: P values with a projection, else H.
    width = projection if projection > 0 else hidden
    options = {"proj_size": projection} if projection > 0 else {}
    uniform = sampler(generator, 1.0 / hidden ** 0.5)
    zero_hidden_bias = name in KERAS and cell == "lstm"

    module = torch.nn.LSTM if cell == "lstm" else torch.nn.GRU
    # One module of every layer, or (with dropout) a one-layer module per layer with the masks between them.
    if dropout is None:
        stack = [module(inputs, hidden, num_layers=layers, bidirectional=True, **options)]
    else:
        stack = [module(inputs if k == 0 else 2 * width, hidden, bidirectional=True, **options) for k in range(layers)]
    head = torch.nn.Linear(2 * width, outputs) if outputs > 0 else None
    tensors = fill(cell + ".", stack, uniform, head, zero=lambda n: zero_hidden_bias and n.startswith("bias_hh"))

    # PyTorch's state_dict order: each layer's forward tensors, then its reverse ones, then the head.
    order = []
    for k in range(layers):
        for suffix in ("", "_reverse"):
            for kind in ("weight_ih", "weight_hh", "bias_ih", "bias_hh") + (("weight_hr",) if projection > 0 else ()):
                order.append(cell + "." + kind + "_l" + str(k) + suffix)
    if head is not None:
        order += ["head.weight", "head.bias"]
    assert sorted(order) == sorted(tensors)
    tensors = {n: tensors[n] for n in order}

    x = uniform(steps, 1, inputs, scale=1.0).requires_grad_(True)
    # Zero starting states that require a gradient: d loss / d h0 (and c0), [2 * layers, H] as LstmGen gives them.
    module_layers = layers if dropout is None else 1
    h0s = [torch.zeros(2 * module_layers, 1, width, requires_grad=True) for _ in stack]
    c0s = [torch.zeros(2 * module_layers, 1, hidden, requires_grad=True) for _ in stack]
    states = [(h0s[k], c0s[k]) if cell == "lstm" else h0s[k] for k in range(len(stack))]
    below, h_n, c_n = run(stack, x, states, dropout)
    logits = head(below) if head is not None else below
    outputs_width = outputs if outputs > 0 else 2 * width
    y = activate(logits, activation).reshape(steps, outputs_width)
    logits = logits.reshape(steps, outputs_width)
    target, value = score(logits, y, loss, loss_on, uniform, generator)

    grads = gradients(tensors, x)
    grads["h0"] = tensor(rows(torch.cat([h.grad for h in h0s])))
    if cell == "lstm":
        grads["c0"] = tensor(rows(torch.cat([c.grad for c in c0s])))
    case = {
        "name": name,
        "source": "PyTorch " + torch.__version__ + " torch.nn." + module.__name__ + ("(bidirectional=True, proj_size=" + str(projection) + ")" if projection > 0 else "(bidirectional=True)") + ", float64; tests/LstmGen.Tests/Reference/bidirectional/make_bidirectional_cases.py",
        "config": {
            "inputSize": inputs, "hiddenSize": hidden, "layers": layers, "outputSize": outputs,
            "outputActivation": activation, "sequenceLength": steps, "loss": loss, "lossOn": loss_on,
        },
        "bidirectional": True,
        "tensors": {n: tensor(t) for n, t in tensors.items()},
        "input": tensor(rows(x)),
        "output": tensor(y),
        "h_n": tensor(rows(h_n)),
        "target": tensor(target),
        "loss": float(value),
        "gradients": grads,
    }
    if projection > 0:
        case["config"]["projectionSize"] = projection
    if cell == "lstm":
        case["c_n"] = tensor(rows(c_n))
    if dropout is not None:
        case["dropout"] = {"p": dropout[0], "seed": dropout[1]}
    if adam is not None:
        parameters = list(tensors.values())
        optimizer = torch.optim.Adam(parameters, lr=adam)
        optimizer.step()
        case["adam"] = {"lr": adam, "after": {n: tensor(t) for n, t in tensors.items()}}
    # PyTorch's own state_dicts of the modules, as a user saves them (one module of every layer: the cases without dropout).
    state_dict = None
    if dropout is None:
        state_dict = {cell + "." + n: t for n, t in stack[0].state_dict().items()}
        if head is not None:
            state_dict.update({"head." + n: t for n, t in head.state_dict().items()})
    return case, tensors, state_dict


def keras_tensors(cell, layers, hidden, tensors):
    """The weights in Keras 3's names and layout (see the module's docstring), as float32 arrays."""
    result = {}
    gates = 4 if cell == "lstm" else 3

    def blocks(t):
        return list(torch.split(t, hidden, dim=0))

    def keras_order(t):
        parts = blocks(t)
        if cell == "lstm":
            return torch.cat(parts)  # i, f, g (Keras' c), o: the same order
        r, z, n = parts
        return torch.cat([z, r, n])  # Keras' z, r, h

    for k in range(layers):
        layer_name = "bidirectional" if k == 0 else "bidirectional_" + str(k)
        for suffix, direction in (("", "forward"), ("_reverse", "backward")):
            prefix = layer_name + "/" + direction + "_" + cell + "/" + cell + "_cell/"
            w_ih = tensors[cell + ".weight_ih_l" + str(k) + suffix]
            w_hh = tensors[cell + ".weight_hh_l" + str(k) + suffix]
            b_ih = tensors[cell + ".bias_ih_l" + str(k) + suffix]
            b_hh = tensors[cell + ".bias_hh_l" + str(k) + suffix]
            result[prefix + "kernel"] = keras_order(w_ih).t().contiguous()
            result[prefix + "recurrent_kernel"] = keras_order(w_hh).t().contiguous()
            if cell == "lstm":
                assert torch.all(b_hh == 0)
                result[prefix + "bias"] = keras_order(b_ih + b_hh)
            else:
                result[prefix + "bias"] = torch.stack([keras_order(b_ih), keras_order(b_hh)])
    if "head.weight" in tensors:
        result["dense/kernel"] = tensors["head.weight"].t().contiguous()
        result["dense/bias"] = tensors["head.bias"]
    assert all(v.shape[-1] % gates == 0 or k.startswith("dense") for k, v in result.items())
    return result


def save_safetensors(path, arrays):
    """A safetensors file of F32 tensors (the format is a JSON header and the raw data), without the safetensors package."""
    header = {}
    data = bytearray()
    for name in sorted(arrays):
        values = arrays[name].detach().to(torch.float32).reshape(-1).tolist()
        raw = struct.pack("<%df" % len(values), *values)
        header[name] = {"dtype": "F32", "shape": list(arrays[name].shape), "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as file:
        file.write(struct.pack("<Q", len(text)))
        file.write(text)
        file.write(bytes(data))


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    for first, cases in ((3000, CASES), (3100, PROJECTED_CASES)):
        for seed, spec in enumerate(cases):
            case, tensors, state_dict = make(*spec, seed=first + seed)
            write(os.path.join(here, spec[0] + ".json"), case)
            if spec[0] in KERAS:
                save_safetensors(os.path.join(here, spec[0] + ".keras.safetensors"), keras_tensors(spec[1], spec[4], spec[3], tensors))
            if spec[0] in STATE_DICT:
                save_safetensors(os.path.join(here, spec[0] + ".safetensors"), state_dict)


if __name__ == "__main__":
    main()
