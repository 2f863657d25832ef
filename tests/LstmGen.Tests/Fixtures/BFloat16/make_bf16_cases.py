#!/usr/bin/python3
"""The bfloat16 reference cases: PyTorch's LSTM (and head) on weights rounded to bfloat16.

Run with Debian's PyTorch 1.13 (/usr/bin/python3 make_bf16_cases.py); it writes one JSON file per case beside
itself. Every weight and input comes from a recipe that the C# tests repeat bit for bit (BFloat16Cases.cs):
an integer hash of (tensor, element) gives a 24-bit integer times a power of two, exact in float32; a quarter
of the weights then get their lower 16 bits set to 0x8000, an exact tie between two bfloat16 values, so that
rounding to nearest even and rounding half up give different models. The weights are rounded with
tensor.to(torch.bfloat16) (to nearest, ties to even) and widened back; the model then runs in float64 from
those values (as the project's other reference cases), so the outputs are the exact result of the bfloat16
model up to float64 rounding. The same model on the float32 weights is recorded too ("float32Output"), to
state how far bfloat16 weights move the outputs.
"""
import json
import math
import os
import struct

import torch

MASK = 0xFFFFFFFF


def hash32(tensor, index):
    x = (tensor * 0x9E3779B1 + index * 0x85EBCA77 + 0x165667B1) & MASK
    x ^= x >> 15
    x = (x * 0x2C1B3C6D) & MASK
    x ^= x >> 12
    x = (x * 0x297A2D39) & MASK
    x ^= x >> 15
    return x


def recipe(tensor, count, bound_exponent, ties):
    """count float32 values in [-2^e, 2^e): (m - 2^23) * 2^(e - 23) for a 24-bit m; with ties, a quarter tie."""
    values = []
    for i in range(count):
        x = hash32(tensor, i)
        value = ((x >> 8) - (1 << 23)) * 2.0 ** (bound_exponent - 23)
        if ties and (x & 3) == 0 and value != 0.0:
            bits = struct.unpack('<I', struct.pack('<f', value))[0]
            bits = (bits & 0xFFFF0000) | 0x8000
            value = struct.unpack('<f', struct.pack('<I', bits))[0]
        values.append(value)
    return values


def bound_exponent(hidden):
    # The power of two nearest to PyTorch's default bound 1/sqrt(hidden), rounded down.
    return math.floor(math.log2(1.0 / math.sqrt(hidden)))


CASES = [
    # name, input, hidden, layers, outputs (0: no head), activation, steps, projection (proj_size, 0: none)
    ("tiny", 3, 4, 1, 2, "linear", 7, 0),
    ("odd", 5, 13, 1, 3, "tanh", 9, 0),
    ("stacked", 8, 32, 2, 4, "linear", 12, 0),
    ("wide", 8, 128, 1, 0, "linear", 6, 0),
    ("projected", 128, 128, 1, 3, "sigmoid", 40, 0),
    # proj_size: W_hr [P, H] of every layer rounded too (an odd P and H, a head; then 16 of 32, the lanes of the sums).
    ("proj_stacked", 5, 7, 2, 3, "linear", 11, 3),
    ("proj_wide", 8, 32, 1, 0, "linear", 10, 16),
]


def tensor_shapes(inputs, hidden, layers, outputs, projection):
    # With projections the hidden state is P values (what W_hh, the layers above and the head read), and each
    # layer's weight_hr [P, H] follows its biases, as in PyTorch's state_dict.
    width = projection if projection > 0 else hidden
    shapes = []
    for k in range(layers):
        columns = inputs if k == 0 else width
        shapes += [(f"lstm.weight_ih_l{k}", [4 * hidden, columns]), (f"lstm.weight_hh_l{k}", [4 * hidden, width]),
                   (f"lstm.bias_ih_l{k}", [4 * hidden]), (f"lstm.bias_hh_l{k}", [4 * hidden])]
        if projection > 0:
            shapes += [(f"lstm.weight_hr_l{k}", [projection, hidden])]
    if outputs > 0:
        shapes += [("head.weight", [outputs, width]), ("head.bias", [outputs])]
    return shapes


def run(inputs, hidden, layers, outputs, activation, tensors, x, projection):
    lstm = torch.nn.LSTM(inputs, hidden, num_layers=layers, batch_first=True, proj_size=projection).double()
    head = torch.nn.Linear(projection if projection > 0 else hidden, outputs).double() if outputs > 0 else None
    with torch.no_grad():
        for name, value in tensors.items():
            module, parameter = name.split(".")
            getattr(lstm if module == "lstm" else head, parameter).copy_(value)
        y, (h, c) = lstm(x.unsqueeze(0))
        y = y.squeeze(0)
        if head is not None:
            y = head(y)
            if activation == "sigmoid":
                y = torch.sigmoid(y)
            elif activation == "tanh":
                y = torch.tanh(y)
    return y, h.squeeze(1), c.squeeze(1)


def flat(t):
    return [float(v) for v in t.reshape(-1).tolist()]


def rounding_cases(folder):
    """rounding.json: float32 bit patterns and the bfloat16 bits PyTorch rounds them to (NaN left out: PyTorch
    gives every NaN one canonical pattern; LstmGen keeps its sign and payload, both NaN)."""
    patterns = [0x00000000, 0x80000000, 0x00000001, 0x00008000, 0x00018000, 0x007FFFFF, 0x00800000, 0x3F800000,
                0x3F808000, 0x3F818000, 0x3F808001, 0x3F807FFF, 0xBF818000, 0xBF808000, 0x7F7F7FFF, 0x7F7F8000,
                0x7F7FFFFF, 0xFF7FFFFF, 0x7F800000, 0xFF800000, 0x7F7EFFFF, 0x7F7E8000]
    patterns += [hash32(2000, i) for i in range(4000)]
    patterns += [(hash32(2001, i) & 0xFFFF0000) | 0x8000 for i in range(1000)]
    patterns = [p for p in patterns if not ((p & 0x7F800000) == 0x7F800000 and (p & 0x007FFFFF) != 0)]
    values = torch.tensor(patterns, dtype=torch.int64).to(torch.int32).view(torch.float32)
    rounded = values.to(torch.bfloat16).view(torch.int16).to(torch.int64) & 0xFFFF
    with open(os.path.join(folder, "rounding.json"), "w") as f:
        json.dump({"source": f"PyTorch {torch.__version__} tensor.to(torch.bfloat16)",
                   "float32": patterns, "bfloat16": rounded.tolist()}, f)


def main():
    folder = os.path.dirname(os.path.abspath(__file__))
    rounding_cases(folder)
    for name, inputs, hidden, layers, outputs, activation, steps, projection in CASES:
        exponent = bound_exponent(hidden)
        float32 = {}
        for index, (tensor, shape) in enumerate(tensor_shapes(inputs, hidden, layers, outputs, projection)):
            count = math.prod(shape)
            float32[tensor] = torch.tensor(recipe(index, count, exponent, ties=True), dtype=torch.float32).reshape(shape)
        rounded = {k: v.to(torch.bfloat16).to(torch.float32) for k, v in float32.items()}
        x = torch.tensor(recipe(1000, steps * inputs, 0, ties=False), dtype=torch.float32).reshape(steps, inputs)
        y, h, c = run(inputs, hidden, layers, outputs, activation, {k: v.double() for k, v in rounded.items()}, x.double(), projection)
        y32, h32, c32 = run(inputs, hidden, layers, outputs, activation, {k: v.double() for k, v in float32.items()}, x.double(), projection)
        ties = sum(int(((v.view(torch.int32) & 0xFFFF) == 0x8000).sum()) for v in float32.values())
        config = {"inputSize": inputs, "hiddenSize": hidden, "layers": layers, "outputSize": outputs,
                  "outputActivation": activation, "sequenceLength": steps, "boundExponent": exponent}
        if projection > 0:
            config["projectionSize"] = projection
        case = {
            "name": name,
            "source": f"PyTorch {torch.__version__} nn.LSTM + nn.Linear in float64 on weights rounded by .to(torch.bfloat16)",
            "config": config,
            "ties": ties,
            "output": flat(y), "h_n": flat(h), "c_n": flat(c),
            "float32Output": flat(y32), "float32H_n": flat(h32), "float32C_n": flat(c32),
        }
        with open(os.path.join(folder, f"{name}.json"), "w") as f:
            json.dump(case, f)
        print(name, "ties", ties, "largest |bf16 - f32| output", float((y - y32).abs().max()))


if __name__ == "__main__":
    main()
