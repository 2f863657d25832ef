"""Loads the C# program's fine-tuned weights back into PyTorch and evaluates them: the round trip.

    python3 evaluate.py --fixtures Fixtures --csharp <the C# program's output folder>

Reads pytorch_ddp.safetensors (what train_ddp.py trained) and heldout.safetensors from --fixtures, and
finetuned.safetensors (written by the C# program with WeightFile.Save) and csharp_outputs.safetensors (the
C# model's outputs on the held-out inputs) from --csharp. The C# file loads into the same nn.Module with
load_state_dict(strict=True): every name and shape must match, nothing missing, nothing extra.
Exits with 1 if PyTorch's outputs of the C# weights differ from C#'s by more than --tolerance.
"""

import argparse
import os
import sys

import torch
from torch.nn.modules.utils import consume_prefix_in_state_dict_if_present

import safetensors_io
import signal_task


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--fixtures", default=os.path.join(here, "Fixtures"), help="folder of pytorch_ddp.safetensors and heldout.safetensors")
    parser.add_argument("--csharp", required=True, help="the C# program's output folder (finetuned.safetensors, csharp_outputs.safetensors)")
    parser.add_argument("--tolerance", type=float, default=1e-5)
    args = parser.parse_args()

    heldout = safetensors_io.load_file(os.path.join(args.fixtures, "heldout.safetensors"))
    inputs, targets = heldout["inputs"], heldout["targets"]

    # Before: the DDP-trained weights, as train_ddp.py saved them (DDP's "module." prefix removed, as people do).
    pretrained = safetensors_io.load_file(os.path.join(args.fixtures, "pytorch_ddp.safetensors"))
    consume_prefix_in_state_dict_if_present(pretrained, "module.")
    before = signal_task.SignalModel()
    before.load_state_dict(pretrained, strict=True)

    # After: the file the C# program saved after fine-tuning, loaded strictly into the same module.
    finetuned = safetensors_io.load_file(os.path.join(args.csharp, "finetuned.safetensors"))
    after = signal_task.SignalModel()
    after.load_state_dict(finetuned, strict=True)
    csharp_outputs = safetensors_io.load_file(os.path.join(args.csharp, "csharp_outputs.safetensors"))["outputs"]

    with torch.no_grad():
        loss_before = signal_task.mse(before(inputs), targets)
        outputs_after = after(inputs)
    loss_after = signal_task.mse(outputs_after, targets)
    difference = (outputs_after - csharp_outputs).abs().max().item()
    print(f"PyTorch loaded the C# file with load_state_dict(strict=True): {len(finetuned)} tensors ({', '.join(sorted(finetuned)[:2])}, ...)")
    print(f"held-out loss (MSE, {inputs.shape[0]} sequences of {inputs.shape[1]} steps), evaluated by PyTorch:")
    print(f"  before fine-tuning (DDP-trained weights):   {loss_before:.5f}")
    print(f"  after fine-tuning in C# (C#-saved weights):  {loss_after:.5f}")
    print(f"max |PyTorch outputs - C# outputs| of the fine-tuned model: {difference:.3g} (tolerance {args.tolerance:g})")
    if not difference <= args.tolerance:
        print("round trip FAILED: PyTorch and C# disagree on the fine-tuned model", file=sys.stderr)
        return 1
    print(f"round trip: OK, loss {loss_before:.5f} -> {loss_after:.5f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
