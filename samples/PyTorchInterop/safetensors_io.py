"""A small safetensors reader and writer for torch tensors (there is no `safetensors` package here).

The format (https://github.com/huggingface/safetensors): 8 bytes, N, the header's length, unsigned
little-endian; N bytes of JSON, {"__metadata__": {str: str}} (optional) and one entry per tensor,
{"dtype", "shape", "data_offsets": [begin, end]} with offsets into the data that follows; then the
tensors' row-major, little-endian bytes. Written as safetensors' own writer does: compact JSON, padded
with spaces to a multiple of 8 bytes, tensors back to back in the header's order. Used by every script
of this sample and by tests/LstmGen.Tests/Fixtures/Interop/make_fixtures.py.
"""

import json
import struct

import numpy as np
import torch

_DTYPES = {
    "F64": (torch.float64, "<f8"),
    "F32": (torch.float32, "<f4"),
    "F16": (torch.float16, "<f2"),
    "I64": (torch.int64, "<i8"),
    "I32": (torch.int32, "<i4"),
}
_BY_TORCH = {torch_dtype: name for name, (torch_dtype, _) in _DTYPES.items()}


def save_file(tensors, path, metadata=None):
    """Writes {name: tensor} (float64/32/16, int64/32; any device, contiguous or not) to path."""
    header = {}
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    blobs = []
    offset = 0
    for name in sorted(tensors):
        tensor = tensors[name].detach().cpu().contiguous()
        if tensor.dtype not in _BY_TORCH:
            raise ValueError(f"{name}: dtype {tensor.dtype} is not supported by this writer")
        dtype = _BY_TORCH[tensor.dtype]
        data = tensor.numpy().astype(_DTYPES[dtype][1], copy=False).tobytes()
        header[name] = {"dtype": dtype, "shape": list(tensor.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for data in blobs:
            f.write(data)


def load_file(path):
    """Reads a safetensors file into {name: torch tensor} (the dtypes save_file writes)."""
    with open(path, "rb") as f:
        raw = f.read()
    if len(raw) < 8:
        raise ValueError(f"{path}: {len(raw)} bytes, shorter than the 8-byte header length")
    (length,) = struct.unpack("<Q", raw[:8])
    if 8 + length > len(raw):
        raise ValueError(f"{path}: the header says {length} bytes, the file has {len(raw) - 8} after the length")
    header = json.loads(raw[8:8 + length].decode("utf-8"))
    header.pop("__metadata__", None)
    data = raw[8 + length:]
    tensors = {}
    for name, entry in header.items():
        begin, end = entry["data_offsets"]
        if entry["dtype"] not in _DTYPES:
            raise ValueError(f"{path}: {name} has dtype {entry['dtype']}, which this reader does not read")
        torch_dtype, numpy_dtype = _DTYPES[entry["dtype"]]
        array = np.frombuffer(data[begin:end], dtype=numpy_dtype).reshape(entry["shape"])
        tensors[name] = torch.from_numpy(array.astype(numpy_dtype[1:], copy=True)).to(torch_dtype)
    return tensors
