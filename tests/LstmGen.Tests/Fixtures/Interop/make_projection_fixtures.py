#!/usr/bin/env python3
"""Writes the projection importers' fixtures with PyTorch itself (the companion of make_fixtures.py, whose files it
leaves alone).

Run with an interpreter that has torch (Debian: python3-torch):

    /usr/bin/python3 tests/LstmGen.Tests/Fixtures/Interop/make_projection_fixtures.py

  projection_split  self.rnn = nn.LSTM(3, 10, proj_size=4) (batch_first=False); self.rnn2 = nn.LSTM(4, 10,
                    num_layers=2, proj_size=4); self.fc = nn.Linear(4, 2): its state_dict() as it is (rnn.weight_hr_l0
                    [4, 10], rnn2.weight_hh_l1 [40, 4], ...), written with samples/PyTorchInterop/safetensors_io.py, and
                    projection_split.io.safetensors with inputs [B, T, 3] and the module's own outputs [B, T, 2]
"""

import os
import sys

import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "..", "samples", "PyTorchInterop"))
import safetensors_io  # noqa: E402

BATCH, STEPS = 3, 7


class ProjectionSplit(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = nn.LSTM(3, 10, proj_size=4)
        self.rnn2 = nn.LSTM(4, 10, num_layers=2, proj_size=4)
        self.fc = nn.Linear(4, 2)

    def forward(self, x):  # [T, B, 3]
        return self.fc(self.rnn2(self.rnn(x)[0])[0])


def main():
    torch.manual_seed(2028)
    model = ProjectionSplit()
    x = torch.randn(BATCH, STEPS, 3, generator=torch.Generator().manual_seed(6))
    with torch.no_grad():
        y = model(x.transpose(0, 1)).transpose(0, 1).contiguous()
    safetensors_io.save_file(model.state_dict(), os.path.join(HERE, "projection_split.safetensors"), {"format": "pt"})
    safetensors_io.save_file({"inputs": x, "outputs": y}, os.path.join(HERE, "projection_split.io.safetensors"))
    print(f"projection_split: {', '.join(model.state_dict())}")


if __name__ == "__main__":
    main()
