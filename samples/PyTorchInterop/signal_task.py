"""The sample's task and model, shared by train_ddp.py and evaluate.py.

A sensor reads a sine wave through noise; at every step the model predicts the wave's next clean value.
Each sequence has its own period, amplitude and phase: x[t] = a sin(2 pi t / p + phi) + noise (sd 0.1),
target[t] = a sin(2 pi (t + 1) / p + phi). PyTorch trains on slow waves (periods of 16 to 48 steps);
the C# program (Program.cs, SignalTask.cs generates the same kind of data) fine-tunes on the device's
faster waves (periods of 6 to 16 steps), and the held-out set is of those.
"""

import math

import torch
from torch import nn

INPUT_SIZE, HIDDEN_SIZE, LAYERS, OUTPUT_SIZE = 1, 16, 2, 1
NOISE = 0.1
PRETRAIN_PERIODS = (16.0, 48.0)
DEVICE_PERIODS = (6.0, 16.0)


class SignalModel(nn.Module):
    """nn.LSTM + nn.Linear, the shape of the C# program's [Lstm(InputSize = 1, HiddenSize = 16, Layers = 2, OutputSize = 1)]."""

    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(INPUT_SIZE, HIDDEN_SIZE, num_layers=LAYERS, batch_first=True)
        self.head = nn.Linear(HIDDEN_SIZE, OUTPUT_SIZE)

    def forward(self, inputs):  # [B, T, 1] -> [B, T, 1], every sequence from the zero state
        hidden, _ = self.lstm(inputs)
        return self.head(hidden)


def make_sequences(count, length, periods, seed):
    """count sequences of length steps: inputs and targets, each [count, length, 1], float32."""
    generator = torch.Generator().manual_seed(seed)
    low, high = periods
    period = low + (high - low) * torch.rand(count, 1, generator=generator, dtype=torch.float64)
    amplitude = 0.5 + torch.rand(count, 1, generator=generator, dtype=torch.float64)
    phase = 2 * math.pi * torch.rand(count, 1, generator=generator, dtype=torch.float64)
    steps = torch.arange(length + 1, dtype=torch.float64).unsqueeze(0)
    wave = amplitude * torch.sin(2 * math.pi * steps / period + phase)
    noise = NOISE * torch.randn(count, length, generator=generator, dtype=torch.float64)
    inputs = (wave[:, :length] + noise).float().unsqueeze(-1)
    targets = wave[:, 1:].float().unsqueeze(-1)
    return inputs, targets


def mse(outputs, targets):
    """The mean squared error over every step and output: the difference in float, its square summed in double (as the C# program's)."""
    return torch.mean((outputs - targets).double() ** 2).item()
