#!/usr/bin/env python3
"""Writes the importers' framework fixtures with PyTorch itself: state_dicts as people write them.

Run with an interpreter that has torch, numpy and h5py (Debian: python3-torch, python3-h5py):

    /usr/bin/python3 tests/LstmGen.Tests/Fixtures/Interop/make_fixtures.py

Each case is a torch module built and initialised by torch (seeded), whose state_dict() is written as it is,
names and all, to <case>.safetensors with samples/PyTorchInterop/safetensors_io.py (the format's rules; there
is no safetensors package here). <case>.io.safetensors holds inputs [B, T, in] and the module's own outputs
[B, T, out] on them (batch-major, whatever batch_first the module has), for the C# tests to compare with.

  split_stack   self.lstm = nn.LSTM(1, 8); self.lstm2 = nn.LSTM(8, 8, num_layers=3); self.fc = nn.Linear(8, 2);
                a registered buffer the model does not use (input_scale)          -> 4 layers, hidden 8, out 2
  rnn_decoder   self.rnn = nn.LSTM(3, 6, batch_first=True); self.decoder = nn.Linear(6, 4)
  seq_first     self.lstm = nn.LSTM(3, 6, num_layers=2) (batch_first=False); self.head = nn.Linear(6, 4)
  sequential    nn.Sequential(nn.LSTM(4, 5, batch_first=True), nn.Linear(5, 3)): names 0.weight_ih_l0, 1.weight
  ddp_wrapped   DistributedDataParallel(Net) (gloo, one process): every name starts with "module."
  bidirectional nn.LSTM(3, 6, bidirectional=True) named lstm (weights only): a one-direction model must refuse it
  torch_save.pt torch.save(state_dict) of seq_first: a zip archive, which LstmGen does not read (safetensors only)
  torch_save_legacy.pt  the same with _use_new_zipfile_serialization=False: a pickle, not read either

Keras layout, from seq_first's torch weights (Keras and TensorFlow are not installed here, so these are NOT files
written by Keras: they follow its documented layout, LSTM kernel [in, 4H] = W_ih^T, recurrent_kernel [H, 4H] =
W_hh^T, one bias [4H] = b_ih + b_hh, gates i, f, c, o, which are PyTorch's i, f, g, o; Dense kernel [H, O] = W^T):

  keras_seq_first.weights.h5     h5py, as Keras 3's model.save_weights names a Sequential([LSTM, LSTM, Dense]):
                                 layers/lstm/cell/vars/0..2, layers/lstm_1/cell/vars/0..2, layers/dense/vars/0..1
  keras_seq_first.safetensors    that .h5 walked with h5py and saved by its keys, as a user would convert it
                                 (KerasWeights reads safetensors, not HDF5)
  keras_tf2_seq_first.safetensors  the same arrays under TF 2 Keras' variable names (lstm/lstm_cell/kernel:0, ...)
"""

import os
import sys
import tempfile

import h5py
import numpy as np
import torch
import torch.distributed as dist
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "..", "samples", "PyTorchInterop"))
import safetensors_io  # noqa: E402

BATCH, STEPS = 3, 7


class SplitStack(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(1, 8)
        self.lstm2 = nn.LSTM(8, 8, num_layers=3)
        self.fc = nn.Linear(8, 2)
        self.register_buffer("input_scale", torch.tensor([0.5, 2.0]))  # saved in the state_dict, never used

    def forward(self, x):  # [T, B, 1]
        return self.fc(self.lstm2(self.lstm(x)[0])[0])


class RnnDecoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = nn.LSTM(3, 6, batch_first=True)
        self.decoder = nn.Linear(6, 4)

    def forward(self, x):  # [B, T, 3]
        return self.decoder(self.rnn(x)[0])


class SeqFirst(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(3, 6, num_layers=2)
        self.head = nn.Linear(6, 4)

    def forward(self, x):  # [T, B, 3]
        return self.head(self.lstm(x)[0])


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(2, 4, batch_first=True)
        self.head = nn.Linear(4, 1)

    def forward(self, x):  # [B, T, 2]
        return self.head(self.lstm(x)[0])


def write_case(name, state_dict, inputs, outputs):
    safetensors_io.save_file(state_dict, os.path.join(HERE, name + ".safetensors"), {"format": "pt"})
    safetensors_io.save_file({"inputs": inputs, "outputs": outputs}, os.path.join(HERE, name + ".io.safetensors"))
    print(f"{name}: {', '.join(state_dict)}")


def run(module, inputs, batch_first):
    """The module's outputs, [B, T, out], on inputs [B, T, in]."""
    with torch.no_grad():
        if batch_first:
            return module(inputs)
        return module(inputs.transpose(0, 1)).transpose(0, 1)


def inputs_of(size, seed):
    return torch.randn(BATCH, STEPS, size, generator=torch.Generator().manual_seed(seed))


def keras_layers(seq_first):
    """seq_first's weights in Keras' layout: [(kernel, recurrent_kernel, bias)] per layer, (kernel, bias) of Dense."""
    state = {k: v.detach().numpy().astype(np.float32) for k, v in seq_first.state_dict().items()}
    lstms = []
    for k in range(seq_first.lstm.num_layers):
        kernel = np.ascontiguousarray(state[f"lstm.weight_ih_l{k}"].T)
        recurrent = np.ascontiguousarray(state[f"lstm.weight_hh_l{k}"].T)
        bias = state[f"lstm.bias_ih_l{k}"] + state[f"lstm.bias_hh_l{k}"]
        lstms.append((kernel, recurrent, bias))
    return lstms, (np.ascontiguousarray(state["head.weight"].T), state["head.bias"])


def write_keras(seq_first):
    lstms, (dense_kernel, dense_bias) = keras_layers(seq_first)
    names = ["lstm" if k == 0 else f"lstm_{k}" for k in range(len(lstms))]

    # Keras 3's .weights.h5 layout (its h5py keys), written with h5py.
    h5_path = os.path.join(HERE, "keras_seq_first.weights.h5")
    with h5py.File(h5_path, "w") as h5:
        for name, arrays in zip(names, lstms):
            for i, array in enumerate(arrays):
                h5.create_dataset(f"layers/{name}/cell/vars/{i}", data=array)
        h5.create_dataset("layers/dense/vars/0", data=dense_kernel)
        h5.create_dataset("layers/dense/vars/1", data=dense_bias)

    # What a user does to get safetensors out of it: every dataset, by its key.
    tensors = {}
    with h5py.File(h5_path, "r") as h5:
        h5.visititems(lambda key, item: tensors.__setitem__(key, torch.from_numpy(item[()])) if isinstance(item, h5py.Dataset) else None)
    safetensors_io.save_file(tensors, os.path.join(HERE, "keras_seq_first.safetensors"))
    print(f"keras_seq_first: {', '.join(sorted(tensors))}")

    # TF 2 Keras' variable names (w.name), the same arrays.
    tf2 = {}
    for name, (kernel, recurrent, bias) in zip(names, lstms):
        tf2[f"{name}/lstm_cell/kernel:0"] = torch.from_numpy(kernel)
        tf2[f"{name}/lstm_cell/recurrent_kernel:0"] = torch.from_numpy(recurrent)
        tf2[f"{name}/lstm_cell/bias:0"] = torch.from_numpy(bias)
    tf2["dense/kernel:0"] = torch.from_numpy(dense_kernel)
    tf2["dense/bias:0"] = torch.from_numpy(dense_bias)
    safetensors_io.save_file(tf2, os.path.join(HERE, "keras_tf2_seq_first.safetensors"))
    print(f"keras_tf2_seq_first: {', '.join(sorted(tf2))}")


def main():
    torch.manual_seed(2026)

    split = SplitStack()
    x = inputs_of(1, 1)
    write_case("split_stack", split.state_dict(), x, run(split, x, batch_first=False))

    rnn = RnnDecoder()
    x = inputs_of(3, 2)
    write_case("rnn_decoder", rnn.state_dict(), x, run(rnn, x, batch_first=True))

    seq_first = SeqFirst()
    x = inputs_of(3, 3)
    write_case("seq_first", seq_first.state_dict(), x, run(seq_first, x, batch_first=False))
    torch.save(seq_first.state_dict(), os.path.join(HERE, "torch_save.pt"))
    torch.save(seq_first.state_dict(), os.path.join(HERE, "torch_save_legacy.pt"), _use_new_zipfile_serialization=False)
    write_keras(seq_first)

    sequential = nn.Sequential(nn.LSTM(4, 5, batch_first=True), nn.Linear(5, 3))
    x = inputs_of(4, 4)
    with torch.no_grad():
        y = sequential[1](sequential[0](x)[0])  # nn.LSTM returns (output, (h, c)): the Sequential is not called as a whole
    write_case("sequential", sequential.state_dict(), x, y)

    with tempfile.TemporaryDirectory() as rendezvous:
        dist.init_process_group("gloo", init_method="file://" + os.path.join(rendezvous, "store"), rank=0, world_size=1)
        ddp = nn.parallel.DistributedDataParallel(Net())
        x = inputs_of(2, 5)
        write_case("ddp_wrapped", ddp.state_dict(), x, run(ddp.module, x, batch_first=True))
        dist.destroy_process_group()

    # Last, so that the cases above keep their seeded weights.
    bidirectional = nn.LSTM(3, 6, bidirectional=True)
    safetensors_io.save_file({"lstm." + k: v for k, v in bidirectional.state_dict().items()}, os.path.join(HERE, "bidirectional.safetensors"), {"format": "pt"})


if __name__ == "__main__":
    main()
