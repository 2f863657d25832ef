"""Reference cases for hidden sizes beyond one cache-resident block run: PyTorch 1.13 in float64.

Writes wide-odd.json (input 5, hidden 70 = four blocks of 16, one of 4 and one of 2; three layers (404 KiB of parameters: the step kernels alternate their tiles' order), a tanh head) and
wide-81.json (input 3, hidden 81 = five blocks of 16 and one of 1; a linear head), in the format of README.md, beside this script.
Run with Debian's python3-torch: /usr/bin/python3 make_wide_cases.py. The shared code is pytorch_cases.py beside it.
"""
import os

import torch

import pytorch_cases as cases

HERE = os.path.dirname(os.path.abspath(__file__))

# Values exact in float32 round-trip with 9 significant digits; computed ones keep 12 (the tests compare to 1e-6).
EXACT_DIGITS = 9
DIGITS = 12

torch.manual_seed(20261207)


def case(name, inputs, hidden, layers, outputs, activation, steps):
    lstm = torch.nn.LSTM(inputs, hidden, layers).double()
    head = torch.nn.Linear(hidden, outputs).double()
    # torch's global generator, drawing in float32 (the default dtype here).
    uniform = cases.sampler(None, 1.0 / hidden ** 0.5)
    tensors = cases.fill("lstm.", [lstm], uniform, head)
    x = uniform(steps, inputs, scale=1.0).requires_grad_(True)
    target = uniform(steps, outputs, scale=0.8)
    out, h_n, c_n = cases.run([lstm], x.unsqueeze(1))
    y = cases.activate(head(out.squeeze(1)), activation)
    _, loss = cases.score(y, y, "mse", "all", None, None, target)

    config = {"inputSize": inputs, "hiddenSize": hidden, "layers": layers, "outputSize": outputs,
              "outputActivation": activation, "sequenceLength": steps, "loss": "mse", "lossOn": "all"}
    source = "PyTorch " + torch.__version__ + ", float64, tests/LstmGen.Tests/Reference/make_wide_cases.py"
    document = cases.document(name, source, config, tensors, x, y, [("h_n", h_n), ("c_n", c_n)], target, loss,
                              cases.gradients(tensors, x, DIGITS), digits=DIGITS, exact_digits=EXACT_DIGITS)
    cases.write(os.path.join(HERE, name + ".json"), document, compact=False)


case("wide-odd", inputs=5, hidden=70, layers=3, outputs=3, activation="tanh", steps=7)
case("wide-81", inputs=3, hidden=81, layers=1, outputs=2, activation="linear", steps=5)
