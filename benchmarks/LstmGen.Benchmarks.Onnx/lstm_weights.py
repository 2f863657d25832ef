"""The benchmarks' deterministic weights, shared by export_onnx.py and time_pytorch.py.

Every tensor of the model (in PyTorch's state_dict order: lstm.weight_ih_l0, lstm.weight_hh_l0,
lstm.bias_ih_l0, lstm.bias_hh_l0, ..., head.weight, head.bias) is filled from a SplitMix64 stream:
element k of tensor t is

    z = splitmix64_mix((t + 1) * G + (k + 1) * G mod 2^64),  G = 0x9E3779B97F4A7C15
    u = (z >> 40) / 2^24                       (24 bits: exact in float and double)
    w = float32((2u - 1) * (1 / sqrt(hidden)))  (computed in double, rounded once to float32)

so that LstmGen.Benchmarks.Onnx (WeightFormula.cs) makes bit-identical tensors without a weight file.
This is PyTorch's default range, U(-1/sqrt(H), 1/sqrt(H)), from a different generator.
"""

import math

import numpy as np

GOLDEN = np.uint64(0x9E3779B97F4A7C15)


def mix(z):
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def tensor_values(tensor_index, count, hidden):
    with np.errstate(over="ignore"):
        k = np.arange(1, count + 1, dtype=np.uint64)
        z = np.uint64(tensor_index + 1) * GOLDEN + k * GOLDEN
        z = mix(z)
    u = (z >> np.uint64(40)).astype(np.float64) / float(1 << 24)
    return ((2.0 * u - 1.0) * (1.0 / math.sqrt(hidden))).astype(np.float32)


def fill(module, hidden):
    """Overwrites every parameter of module (state_dict order) with the formula's values."""
    import torch

    with torch.no_grad():
        for index, (name, tensor) in enumerate(module.state_dict().items()):
            values = tensor_values(index, tensor.numel(), hidden).reshape(tuple(tensor.shape))
            tensor.copy_(torch.from_numpy(values))
