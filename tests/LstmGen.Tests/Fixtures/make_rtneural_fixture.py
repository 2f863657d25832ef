#!/usr/bin/env python3
"""Writes rtneural_lstm1x4_dense1.json, the RTNeural fixture of the tests, with Python's standard library only.

The file is what RTNeural's PyTorch exporter (python/model_utils_torch.py, save_model) writes for

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.lstm = nn.LSTM(1, 4, batch_first=True)
            self.dense = nn.Linear(4, 1)

    save_model(net, "model.json", input_shape=(1,))

whose state_dict holds value(k, i) below (k: the tensor's index in the state_dict, i: the element's
row-major index). As that exporter does, it writes the LSTM's kernel as weight_ih_l0 flattened (one
row, right for one input), the recurrent kernel as the columns of weight_hh_l0, the bias as
bias_ih_l0 alone (it drops bias_hh_l0), the dense kernel as [[w] for w in weight.view(-1)] (right for
one output), "tanh" as the LSTM's activation and "" as the dense layer's. The C# tests recompute
value(k, i). Run from anywhere:

    python3 tests/LstmGen.Tests/Fixtures/make_rtneural_fixture.py
"""

import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
H = 4


def value(k, i):
    return ((k + 1) * 0.125) + ((((i * 7) % 19) - 9) * 0.01)


def tensor(k, rows, cols):
    return [[value(k, r * cols + c) for c in range(cols)] for r in range(rows)]


weight_ih = tensor(0, 4 * H, 1)       # lstm.weight_ih_l0 [4H, 1]
weight_hh = tensor(1, 4 * H, H)       # lstm.weight_hh_l0 [4H, H]
bias_ih = [value(2, i) for i in range(4 * H)]  # lstm.bias_ih_l0; bias_hh_l0 (k = 3) is not exported
dense_weight = tensor(4, 1, H)        # dense.weight [1, H]
dense_bias = [value(5, i) for i in range(1)]

model = {
    "in_shape": [None, 1],
    "layers": [
        {
            "name": "lstm",
            "type": "lstm",
            "activation": "tanh",
            "shape": [None, 1, H],
            "weights": [
                [[w for row in weight_ih for w in row]],
                [[weight_hh[r][c] for r in range(4 * H)] for c in range(H)],
                bias_ih,
            ],
        },
        {
            "name": "dense",
            "type": "dense",
            "activation": "",
            "shape": [None, 1, 1],
            "weights": [[[w] for row in dense_weight for w in row], dense_bias],
        },
    ],
}

with open(os.path.join(HERE, "rtneural_lstm1x4_dense1.json"), "w") as out:
    json.dump(model, out, indent=4)
