#!/usr/bin/env python3
"""Writes the GRU importers' fixtures with PyTorch itself (the companion of make_fixtures.py, whose files it leaves alone).

Run with an interpreter that has torch, numpy and h5py (Debian: python3-torch, python3-h5py):

    /usr/bin/python3 tests/LstmGen.Tests/Fixtures/Interop/make_gru_fixtures.py

  gru_seq_first   self.gru = nn.GRU(3, 6, num_layers=2) (batch_first=False); self.head = nn.Linear(6, 4): its
                  state_dict() as it is (gru.weight_ih_l0 [18, 3], ...), and gru_seq_first.io.safetensors with inputs
                  [B, T, 3] and the module's own outputs [B, T, 4]

Keras layout, from gru_seq_first's torch weights (Keras and TensorFlow are not installed here, so these are NOT files
written by Keras: they follow its documented layout of a GRU with reset_after=True, TF 2's default: kernel [in, 3H],
recurrent_kernel [H, 3H] with the gates in Keras' order z, r, h (PyTorch's are r, z, n), and a bias [2, 3H] whose
first row is the input bias and second the recurrent one; Dense kernel [H, O] = W^T):

  keras_gru_seq_first.weights.h5       h5py, as Keras 3's model.save_weights names a Sequential([GRU, GRU, Dense]):
                                       layers/gru/cell/vars/0..2, layers/gru_1/cell/vars/0..2, layers/dense/vars/0..1
  keras_gru_seq_first.safetensors      that .h5 walked with h5py and saved by its keys (KerasWeights reads safetensors)
  keras_tf2_gru_seq_first.safetensors  the same arrays under TF 2 Keras' variable names (gru/gru_cell/kernel:0, ...)
"""

import os
import sys

import h5py
import numpy as np
import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "..", "samples", "PyTorchInterop"))
import safetensors_io  # noqa: E402

BATCH, STEPS = 3, 7


class SeqFirstGru(nn.Module):
    def __init__(self):
        super().__init__()
        self.gru = nn.GRU(3, 6, num_layers=2)
        self.head = nn.Linear(6, 4)

    def forward(self, x):  # [T, B, 3]
        return self.head(self.gru(x)[0])


def keras_gates(torch_rows, hidden):
    """PyTorch's gate blocks r, z, n (H rows each) in Keras' order z, r, h."""
    r, z, n = torch_rows[:hidden], torch_rows[hidden:2 * hidden], torch_rows[2 * hidden:]
    return np.concatenate([z, r, n], axis=0)


def keras_layers(model):
    state = {k: v.detach().numpy().astype(np.float32) for k, v in model.state_dict().items()}
    hidden = model.gru.hidden_size
    grus = []
    for k in range(model.gru.num_layers):
        kernel = np.ascontiguousarray(keras_gates(state[f"gru.weight_ih_l{k}"], hidden).T)
        recurrent = np.ascontiguousarray(keras_gates(state[f"gru.weight_hh_l{k}"], hidden).T)
        bias = np.stack([keras_gates(state[f"gru.bias_ih_l{k}"], hidden), keras_gates(state[f"gru.bias_hh_l{k}"], hidden)])
        grus.append((kernel, recurrent, np.ascontiguousarray(bias)))
    return grus, (np.ascontiguousarray(state["head.weight"].T), state["head.bias"])


def main():
    torch.manual_seed(2027)
    model = SeqFirstGru()
    x = torch.randn(BATCH, STEPS, 3, generator=torch.Generator().manual_seed(5))
    with torch.no_grad():
        y = model(x.transpose(0, 1)).transpose(0, 1).contiguous()
    safetensors_io.save_file(model.state_dict(), os.path.join(HERE, "gru_seq_first.safetensors"), {"format": "pt"})
    safetensors_io.save_file({"inputs": x, "outputs": y}, os.path.join(HERE, "gru_seq_first.io.safetensors"))
    print(f"gru_seq_first: {', '.join(model.state_dict())}")

    grus, (dense_kernel, dense_bias) = keras_layers(model)
    names = ["gru" if k == 0 else f"gru_{k}" for k in range(len(grus))]
    h5_path = os.path.join(HERE, "keras_gru_seq_first.weights.h5")
    with h5py.File(h5_path, "w") as h5:
        for name, arrays in zip(names, grus):
            for i, array in enumerate(arrays):
                h5.create_dataset(f"layers/{name}/cell/vars/{i}", data=array)
        h5.create_dataset("layers/dense/vars/0", data=dense_kernel)
        h5.create_dataset("layers/dense/vars/1", data=dense_bias)

    tensors = {}
    with h5py.File(h5_path, "r") as h5:
        h5.visititems(lambda key, item: tensors.__setitem__(key, torch.from_numpy(item[()])) if isinstance(item, h5py.Dataset) else None)
    safetensors_io.save_file(tensors, os.path.join(HERE, "keras_gru_seq_first.safetensors"))
    print(f"keras_gru_seq_first: {', '.join(sorted(tensors))}")

    tf2 = {}
    for name, (kernel, recurrent, bias) in zip(names, grus):
        tf2[f"{name}/gru_cell/kernel:0"] = torch.from_numpy(kernel)
        tf2[f"{name}/gru_cell/recurrent_kernel:0"] = torch.from_numpy(recurrent)
        tf2[f"{name}/gru_cell/bias:0"] = torch.from_numpy(bias)
    tf2["dense/kernel:0"] = torch.from_numpy(dense_kernel)
    tf2["dense/bias:0"] = torch.from_numpy(dense_bias)
    safetensors_io.save_file(tf2, os.path.join(HERE, "keras_tf2_gru_seq_first.safetensors"))
    print(f"keras_tf2_gru_seq_first: {', '.join(sorted(tf2))}")


if __name__ == "__main__":
    main()
