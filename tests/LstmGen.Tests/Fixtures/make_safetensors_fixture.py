#!/usr/bin/env python3
"""Writes the safetensors fixtures of the weight-file tests, with Python's standard library only.

Each file is byte for byte what

    safetensors.torch.save_file(module.state_dict(), path, metadata={"format": "pt"})

writes for a module with an ``nn.LSTM(3, 4)`` named ``lstm`` and an ``nn.Linear(4, 2)`` named
``head`` (the shape of the tests' TinyModel), following the rules of the format and of its
reference writer (safetensors/src/tensor.rs):

* 8 bytes: N, the header's length, unsigned little-endian;
* N bytes: compact JSON (no spaces), "__metadata__" first when there is metadata, then one entry
  {"dtype", "shape", "data_offsets"} per tensor, padded with spaces to a multiple of 8 bytes;
* the tensors' little-endian, row-major bytes, back to back.

The writer orders tensors by dtype, largest first in the library's Dtype order, then by name,
so data offsets follow that order, not the state_dict's.

Every value is value(k, i) below: k is the tensor's index in the state_dict, i the element's
row-major index. The C# tests recompute it. Run from anywhere:

    python3 tests/LstmGen.Tests/Fixtures/make_safetensors_fixture.py
"""

import json
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))

INPUT, HIDDEN, OUTPUT = 3, 4, 2

# The state_dict of the module: (name, shape) in PyTorch's order.
STATE_DICT = [
    ("lstm.weight_ih_l0", [4 * HIDDEN, INPUT]),
    ("lstm.weight_hh_l0", [4 * HIDDEN, HIDDEN]),
    ("lstm.bias_ih_l0", [4 * HIDDEN]),
    ("lstm.bias_hh_l0", [4 * HIDDEN]),
    ("head.weight", [OUTPUT, HIDDEN]),
    ("head.bias", [OUTPUT]),
]

# safetensors::Dtype's declaration order (it derives Ord); the writer sorts by it, descending.
DTYPE_ORDER = [
    "BOOL", "F4", "F6_E2M3", "F6_E3M2", "U8", "I8", "F8_E5M2", "F8_E4M3", "F8_E8M0",
    "F8_E4M3FNUZ", "F8_E5M2FNUZ", "I16", "U16", "F16", "BF16", "I32", "U32", "F32", "C64",
    "F64", "I64", "U64",
]


def value(k, i):
    """The fixture's value of element i of the k-th tensor, as a Python float (a double)."""
    return (k + 1) * 0.125 + ((i * 7) % 19 - 9) * 0.01


def bf16_bits(x):
    """torch's float32 -> bfloat16: round the float's bits to the nearest upper half, ties to even."""
    bits = struct.unpack("<I", struct.pack("<f", x))[0]
    return (bits + 0x7FFF + ((bits >> 16) & 1)) >> 16


def encode(dtype, values):
    if dtype == "F32":
        return struct.pack("<%df" % len(values), *values)
    if dtype == "F64":
        return struct.pack("<%dd" % len(values), *values)
    if dtype == "F16":
        return struct.pack("<%de" % len(values), *values)  # IEEE half, rounded to nearest even
    if dtype == "BF16":
        return struct.pack("<%dH" % len(values), *[bf16_bits(v) for v in values])
    raise ValueError(dtype)


def save_file(tensors, path, metadata=None):
    """tensors: {name: (dtype, shape, bytes)}. Writes what safetensors' serialize_file writes."""
    order = sorted(tensors, key=lambda name: (-DTYPE_ORDER.index(tensors[name][0]), name))
    header = {}
    if metadata is not None:
        header["__metadata__"] = metadata
    offset = 0
    for name in order:
        dtype, shape, data = tensors[name]
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
    text = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for name in order:
            f.write(tensors[name][2])


def state_dict(dtypes, rename=None):
    """The module's state_dict with a dtype per tensor; rename maps a module prefix to another."""
    tensors = {}
    for k, (name, shape) in enumerate(STATE_DICT):
        count = 1
        for dimension in shape:
            count *= dimension
        values = [value(k, i) for i in range(count)]
        for old, new in (rename or {}).items():
            if name.startswith(old):
                name = new + name[len(old):]
        tensors[name] = (dtypes[k], shape, encode(dtypes[k], values))
    return tensors


def main():
    pt = {"format": "pt"}
    every = lambda dtype: [dtype] * len(STATE_DICT)
    # module.state_dict()
    save_file(state_dict(every("F32")), os.path.join(HERE, "tiny_f32.safetensors"), pt)
    # the same module with nn.LSTM named rnn and nn.Linear named fc
    save_file(state_dict(every("F32"), {"lstm.": "rnn.", "head.": "fc."}), os.path.join(HERE, "tiny_rnn_fc_f32.safetensors"), pt)
    # module.half(), module.bfloat16()
    save_file(state_dict(every("F16")), os.path.join(HERE, "tiny_f16.safetensors"), pt)
    save_file(state_dict(every("BF16")), os.path.join(HERE, "tiny_bf16.safetensors"), pt)
    # module.double(), saved without metadata
    save_file(state_dict(every("F64")), os.path.join(HERE, "tiny_f64.safetensors"))
    # one dtype per tensor: the writer orders F64, F32, BF16, F16, not as the state_dict
    save_file(state_dict(["F64", "F16", "BF16", "F32", "F32", "F64"]), os.path.join(HERE, "tiny_mixed.safetensors"), pt)


if __name__ == "__main__":
    main()
