"""What the PyTorch reference case scripts share: drawing parameters exact in float32, running a stack of modules
with LstmGen's dropout masks between them, the head's activation and the loss, recording the gradients, and
writing a case in the format of README.md (the LSTM cases).

The scripts beside the fixtures import it (the ones in sub-folders put this folder on sys.path first):
make_wide_cases.py, gru/make_gru_cases.py, dropout/make_dropout_cases.py, projection/make_projection_cases.py,
bidirectional/make_bidirectional_cases.py.
It sets no global state (the scripts choose torch's default dtype and seeds); it only reads and writes what it is
given, so a script's output stays a function of its own seeds.
"""
import json
import os

import torch

MASK64 = (1 << 64) - 1


def exact(t):
    """Rounded to float32 and back: values a float32 model holds exactly."""
    return t.to(torch.float32).to(torch.float64)


def sampler(generator, bound):
    """uniform(*shape, scale=bound): values in [-scale, scale) from generator (None: torch's global one), exact in
    float32, in torch's default dtype's precision rounded to float32."""

    def uniform(*shape, scale=bound):
        return exact((torch.rand(*shape, generator=generator) * 2 - 1) * scale)

    return uniform


def tensor(t, digits=None):
    """A tensor as a case holds it: its shape and its values in row-major order (with digits, each value rounded to
    that many significant digits)."""
    values = t.detach().reshape(-1).tolist()
    if digits is None:
        return {"shape": list(t.shape), "data": [float(v) for v in values]}
    return {"shape": list(t.shape), "data": [float(f"{v:.{digits}g}") for v in values]}


def rows(t):
    """A sequence [T, 1, N] or a state [L, 1, N] (batch 1) as the rows a case holds: [T, N], [L, N]."""
    return t.reshape(-1, t.shape[-1])


def fill(prefix, stack, uniform, head=None, zero=None):
    """Draws every parameter of the modules in stack (one stacked module, or one one-layer module per layer), then
    the head's weight and bias, from uniform, in that order; a parameter for which zero(name) holds is set to zero
    instead (and draws nothing). Returns the tensors by their state_dict names: prefix + the module's name with
    module k's layer 0 renamed layer k (weight_ih_l0 of the second module is prefix.weight_ih_l1), then
    head.weight and head.bias."""
    tensors = {}
    with torch.no_grad():
        for k, module in enumerate(stack):
            for name, parameter in module.named_parameters():
                if zero is not None and zero(name):
                    parameter.zero_()
                else:
                    parameter.copy_(uniform(*parameter.shape))
                tensors[prefix + name.replace("_l0", "_l" + str(k))] = parameter
        if head is not None:
            head.weight.copy_(uniform(*head.weight.shape))
            head.bias.copy_(uniform(*head.bias.shape))
            tensors["head.weight"] = head.weight
            tensors["head.bias"] = head.bias
    return tensors


def mix(value):
    """SplitMix64's step and finaliser, as DropoutMasks.Mix."""
    z = (value + 0x9E3779B97F4A7C15) & MASK64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
    return z ^ (z >> 31)


def mask(seed, step, layer, width, p32, scale32):
    """DropoutMasks.Apply's factors for one layer's output (width values) at one step."""
    key = mix(mix(seed) ^ step)
    factors = []
    for unit in range(width):
        bits = mix(key ^ ((layer << 32) | unit))
        # (bits >> 40) / 2^24 and p are both exact in float64, so the comparison is float32's.
        factors.append(scale32 if (bits >> 40) / 16777216.0 >= p32 else 0.0)
    return torch.tensor(factors)


def masks(dropout, layer, steps, width):
    """LstmGen's dropout masks (dropout: (p, seed)) over layer's output, [steps, 1, width]: 0 for a dropped value,
    float32(1 / (1 - p)) for a kept one, as nn.LSTM(dropout=p) applies its own masks in training."""
    p, seed = dropout
    p32 = torch.tensor(p, dtype=torch.float32).item()
    scale32 = (torch.tensor(1.0, dtype=torch.float32) / (1 - torch.tensor(p32, dtype=torch.float32))).item()
    return torch.stack([mask(seed, t, layer, width, p32, scale32) for t in range(steps)]).reshape(steps, 1, width)


def run(stack, x, states=None, dropout=None):
    """x [T, 1, I] through the modules of stack in turn, the output of each but the last multiplied by LstmGen's
    dropout masks over its whole width (2H for a bidirectional module) when dropout (p, seed) is given; states:
    each module's starting state (h0, or (h0, c0)), or None for zeros. Returns the last module's output and the
    final states of all, h_n and c_n (None for a GRU), [rows of every module, 1, N] in PyTorch's layout."""
    below = x
    hidden, cells = [], []
    for k, module in enumerate(stack):
        out, state = module(below, None if states is None else states[k])
        if isinstance(state, tuple):
            hidden.append(state[0])
            cells.append(state[1])
        else:
            hidden.append(state)
        below = out * masks(dropout, k, out.shape[0], out.shape[-1]) if dropout is not None and k < len(stack) - 1 else out
    return below, torch.cat(hidden), torch.cat(cells) if cells else None


def activate(logits, activation):
    """The head's activation ("linear", "sigmoid", "tanh", "softmax" over the last dimension)."""
    if activation == "sigmoid":
        return torch.sigmoid(logits)
    if activation == "tanh":
        return torch.tanh(logits)
    if activation == "softmax":
        return torch.softmax(logits, dim=-1)
    return logits


def score(logits, y, loss, loss_on, uniform, generator, target=None):
    """The loss of the outputs y [T, W] (logits: the head's outputs before the activation) over every step
    (loss_on "all") or the last: "mse" against target (drawn from uniform in [-1, 1) when None) or "crossentropy"
    on the logits against classes drawn from generator. Returns the target (one-hot for cross-entropy) and the
    loss, with the gradients of everything it depends on computed (backward)."""
    steps, width = y.shape
    scored = steps if loss_on == "all" else 1
    if loss == "crossentropy":
        classes = torch.randint(0, width, (scored,), generator=generator)
        target = torch.nn.functional.one_hot(classes, width).to(torch.float64)
        picked = logits if loss_on == "all" else logits[-1:]
        value = torch.nn.functional.cross_entropy(picked, classes)
    else:
        if target is None:
            target = uniform(scored, width, scale=1.0)
        picked = y if loss_on == "all" else y[-1:]
        value = ((picked - target) ** 2).mean()
    value.backward()
    return target, value


def gradients(tensors, x, digits=None):
    """d loss / d every tensor, then d loss / d the input ("input", [T, I]), as a case holds them."""
    result = {n: tensor(t.grad, digits) for n, t in tensors.items()}
    result["input"] = tensor(rows(x.grad), digits)
    return result


def document(name, source, config, tensors, x, y, states, target, loss, grads, marks=None, digits=None, exact_digits=None):
    """A case: name, source, config, then marks (keys such as "dropout" or "bidirectional", in their order), tensors,
    input, output, states (("h_n", h_n), ("c_n", c_n) ..., as rows), target, loss, gradients. Values drawn exact in
    float32 (the tensors, the input, the target) keep exact_digits, computed ones digits (None: every digit)."""
    case = {"name": name, "source": source, "config": config}
    case.update(marks or {})
    case["tensors"] = {n: tensor(t, exact_digits) for n, t in tensors.items()}
    case["input"] = tensor(rows(x), exact_digits)
    case["output"] = tensor(y, digits)
    for key, state in states:
        case[key] = tensor(rows(state), digits)
    case["target"] = tensor(target, exact_digits)
    case["loss"] = float(loss)
    case["gradients"] = grads
    return case


def starting_states(case, **states):
    """Adds the starting states (h0=..., c0=..., [L, 1, N] tensors that required a gradient) to a case and their
    gradients to its gradients, in the order given."""
    for key, state in states.items():
        case[key] = tensor(rows(state))
    for key, state in states.items():
        case["gradients"][key] = tensor(rows(state.grad))


def write(path, case, compact=True):
    """Writes a case as JSON: compact (no spaces) with a final newline, or (compact=False) as json.dump's default
    writes it, the wide cases' form."""
    with open(path, "w") as file:
        if compact:
            json.dump(case, file, indent=None, separators=(",", ":"))
            file.write("\n")
        else:
            json.dump(case, file)


def write_all(directory, cases, make, first_seed):
    """make(*spec, seed=first_seed + i) for the i-th spec of cases, each written to directory/<its name>.json."""
    for i, spec in enumerate(cases):
        case = make(*spec, seed=first_seed + i)
        write(os.path.join(directory, case["name"] + ".json"), case)
