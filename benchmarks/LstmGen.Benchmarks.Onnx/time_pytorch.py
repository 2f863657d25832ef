#!/usr/bin/env python3
"""Times PyTorch's own nn.LSTM + nn.Linear for the benchmarks' shapes, one thread, no autograd.

For each shape it prints the microseconds of
  step      one step of one sequence, the (h, c) state carried from call to call
            (lstm(x[1, 1, in], (h, c)) then head(y)), as the C# Step benchmarks do;
  forward   a sequence of 100 steps from the zero state in one call (lstm(x[100, 1, in]) + head);
and the best of several repeats (the machine may be shared: the best is the least disturbed).
The weights are lstm_weights.py's, the same as the ONNX models'; the speed does not depend on them.

Needs Debian's python3-torch: /usr/bin/python3 benchmarks/LstmGen.Benchmarks.Onnx/time_pytorch.py
Options: --all for the whole grid (inputs 1, 8, 32), --threads N (default 1), --repeats N (default 7).
Note: on some processors OPENBLAS_CORETYPE is set in this environment; unset it for this command
(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE ...) to time the best kernels.
"""

import argparse
import os
import sys
import time

import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lstm_weights  # noqa: E402

HIDDEN = (8, 16, 32, 64, 128, 256)


def shapes(everything):
    inputs = (1, 8, 32) if everything else (8,)
    grid = [("i%dh%d" % (i, h), i, h, 1) for i in inputs for h in HIDDEN]
    return grid + [("i8h64x2", 8, 64, 2)]


def macs(inputs, hidden, layers, outputs=1):
    return 4 * hidden * (inputs + hidden) + (layers - 1) * 8 * hidden * hidden + hidden * outputs


def best_of(repeats, run, count):
    """Best time per call (seconds) of count calls, over repeats."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(count):
            run()
        best = min(best, (time.perf_counter() - start) / count)
    return best


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--all", action="store_true")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    # Warm the allocator and the kernels up once, so that the first shape is not penalised.
    with torch.no_grad():
        warm = nn.LSTM(8, 32)
        start = time.perf_counter()
        while time.perf_counter() - start < 0.5:
            warm(torch.zeros(10, 1, 8))

    print("# PyTorch %s, %d thread(s), float32, torch.no_grad(), batch 1" % (torch.__version__, torch.get_num_threads()))
    print("# %-8s %12s %10s %16s %10s" % ("shape", "step [us]", "GMAC/s", "forward100 [us]", "GMAC/s"))
    for name, inputs, hidden, layers in shapes(args.all):
        lstm = nn.LSTM(inputs, hidden, layers).eval()
        head = nn.Linear(hidden, 1).eval()
        model = nn.ModuleDict({"lstm": lstm, "head": head})
        lstm_weights.fill(model, hidden)

        x = torch.rand(1, 1, inputs) * 2 - 1
        sequence = torch.rand(100, 1, inputs) * 2 - 1
        state = [torch.zeros(layers, 1, hidden), torch.zeros(layers, 1, hidden)]

        def step():
            y, (h, c) = lstm(x, (state[0], state[1]))
            state[0], state[1] = h, c
            return head(y)

        def forward():
            y, _ = lstm(sequence)
            return head(y)

        with torch.no_grad():
            for _ in range(200):
                step()
            forward()
            step_count = max(200, int(20000 / (1 + hidden // 16)))
            step_time = best_of(args.repeats, step, step_count)
            forward_time = best_of(args.repeats, forward, max(5, step_count // 100))

        work = macs(inputs, hidden, layers)
        print("  %-8s %12.2f %10.2f %16.1f %10.2f" % (
            name, step_time * 1e6, work / step_time / 1e9, forward_time * 1e6, 100 * work / forward_time / 1e9))


if __name__ == "__main__":
    main()
