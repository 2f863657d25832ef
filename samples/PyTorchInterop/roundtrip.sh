#!/usr/bin/env bash
# The whole round trip: PyTorch trains with DistributedDataParallel (2 processes, gloo), C# loads the weights,
# compares its outputs with PyTorch's, fine-tunes and saves, and PyTorch loads the C# file back and evaluates it.
#
#   samples/PyTorchInterop/roundtrip.sh [WORK_DIR] [train_ddp.py options, e.g. --epochs 5]
#
# Needs torch (Debian: apt-get install python3-torch) and the .NET SDK. PYTHON picks the interpreter (default: the
# first of python3 on PATH and /usr/bin/python3 that imports torch). The committed Fixtures are not touched.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=${1:-$(mktemp -d)}
shift || true
if [ -z "${PYTHON:-}" ]; then
  for candidate in python3 /usr/bin/python3; do
    if "$candidate" -c "import torch" >/dev/null 2>&1; then PYTHON=$candidate; break; fi
  done
fi
: "${PYTHON:?no python3 with torch found (apt-get install python3-torch, or set PYTHON)}"

echo "== 1. PyTorch: train_ddp.py on 2 processes -> $work/pytorch"
# torchrun (python -m torch.distributed.run). --redirects 2 --tee 2: torch 1.13's torchrun cannot parse its own
# default "0" on Python 3.11 (Debian 12's python3-torch; fixed in PyTorch 2.0); with these the workers' stdout
# stays on the console and their stderr is shown too.
"$PYTHON" -m torch.distributed.run --standalone --nproc_per_node 2 --redirects 2 --tee 2 \
  "$here/train_ddp.py" --out "$work/pytorch" "$@"

echo "== 2. C#: load, compare, fine-tune, save -> $work/csharp"
dotnet run --project "$here" -c Release -- --fixtures "$work/pytorch" --output "$work/csharp"

echo "== 3. PyTorch: load the C# file, evaluate"
"$PYTHON" "$here/evaluate.py" --fixtures "$work/pytorch" --csharp "$work/csharp"
