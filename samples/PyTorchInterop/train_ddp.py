"""Trains the sample's nn.LSTM + nn.Linear with DistributedDataParallel and writes the fixtures of the C# program.

    torchrun --standalone --nproc_per_node 2 train_ddp.py --out Fixtures

Two processes on one machine stand in for two nodes (gloo backend, CPU): each holds a replica of the model,
a DistributedSampler gives each its half of every epoch, and DDP averages the gradients across them at every
step, so both replicas stay equal. Rank 0 writes, as people save a DDP model:

  pytorch_ddp.safetensors  ddp_model.state_dict(): the names carry DDP's "module." prefix
                           (module.lstm.weight_ih_l0, ..., module.head.bias)
  heldout.safetensors      inputs, targets [N, T, 1] of held-out sequences (the device's faster waves)
                           and outputs: PyTorch's outputs on them, for the C# program to compare with
"""

import argparse
import os
import time

import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader, DistributedSampler, TensorDataset

import safetensors_io
import signal_task


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "Fixtures"), help="folder for the two files (default: Fixtures next to this script)")
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--sequences", type=int, default=2048, help="training sequences (slow waves), split across the processes")
    parser.add_argument("--heldout", type=int, default=256, help="held-out sequences (the device's faster waves)")
    parser.add_argument("--length", type=int, default=48, help="steps per sequence")
    parser.add_argument("--batch", type=int, default=32, help="sequences per process per step (the global batch is this times the processes)")
    parser.add_argument("--lr", type=float, default=1e-2)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    dist.init_process_group("gloo")  # torchrun sets RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT
    rank, world = dist.get_rank(), dist.get_world_size()
    torch.set_num_threads(1)
    torch.manual_seed(args.seed)  # the same initial weights on every rank (DDP also broadcasts rank 0's)

    inputs, targets = signal_task.make_sequences(args.sequences, args.length, signal_task.PRETRAIN_PERIODS, seed=args.seed)
    dataset = TensorDataset(inputs, targets)
    sampler = DistributedSampler(dataset, num_replicas=world, rank=rank, shuffle=True, seed=args.seed)
    loader = DataLoader(dataset, batch_size=args.batch, sampler=sampler)

    model = DistributedDataParallel(signal_task.SignalModel())
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    loss_function = torch.nn.MSELoss()
    started = time.perf_counter()
    for epoch in range(args.epochs):
        sampler.set_epoch(epoch)  # a different shuffle each epoch, the same on every rank
        total, batches = 0.0, 0
        for batch_inputs, batch_targets in loader:
            optimizer.zero_grad()
            loss = loss_function(model(batch_inputs), batch_targets)
            loss.backward()  # DDP all-reduces (averages) the gradients across the ranks here
            optimizer.step()
            total, batches = total + loss.item(), batches + 1
        mean = torch.tensor([total / batches])
        dist.all_reduce(mean)  # the epoch's loss over both ranks' halves
        if rank == 0 and (epoch == 0 or (epoch + 1) % 5 == 0 or epoch + 1 == args.epochs):
            print(f"epoch {epoch + 1:3d}: training loss {mean.item() / world:.5f} (mean over {world} processes, {len(sampler)} sequences each)", flush=True)

    # Both replicas hold the same weights: DDP kept them in step.
    flat = torch.cat([p.detach().flatten() for p in model.parameters()])
    replicas = [torch.zeros_like(flat) for _ in range(world)]
    dist.all_gather(replicas, flat)
    if rank == 0:
        spread = max((r - replicas[0]).abs().max().item() for r in replicas)
        print(f"trained in {time.perf_counter() - started:.1f} s on {world} processes (gloo); largest difference between the replicas' weights: {spread:g}")
        os.makedirs(args.out, exist_ok=True)
        weights = os.path.join(args.out, "pytorch_ddp.safetensors")
        safetensors_io.save_file(model.state_dict(), weights, {"format": "pt"})
        held_inputs, held_targets = signal_task.make_sequences(args.heldout, args.length, signal_task.DEVICE_PERIODS, seed=args.seed + 1000)
        with torch.no_grad():
            held_outputs = model.module(held_inputs)
        slow_inputs, slow_targets = signal_task.make_sequences(args.heldout, args.length, signal_task.PRETRAIN_PERIODS, seed=args.seed + 2000)
        with torch.no_grad():
            slow_loss = signal_task.mse(model.module(slow_inputs), slow_targets)
        heldout = os.path.join(args.out, "heldout.safetensors")
        safetensors_io.save_file({"inputs": held_inputs, "targets": held_targets, "outputs": held_outputs}, heldout, {"format": "pt"})
        print(f"held-out loss (MSE): {slow_loss:.5f} on slow waves like the training set's, {signal_task.mse(held_outputs, held_targets):.5f} on the device's faster waves")
        print(f"wrote {weights} ({len(model.state_dict())} tensors, names {next(iter(model.state_dict()))}, ...) and {heldout} ({args.heldout} sequences of {args.length} steps)")
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
