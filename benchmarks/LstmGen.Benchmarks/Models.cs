using LstmGen;

namespace LstmGen.Benchmarks
{
    // One generated model per benchmarked shape: the generator specialises the code for each.
    // Every model is one LSTM layer (two for In8H64L2) followed by a dense head of one output.

    [Lstm(InputSize = 1, HiddenSize = 8, OutputSize = 1)]
    public sealed partial class In1H8 { }

    [Lstm(InputSize = 1, HiddenSize = 16, OutputSize = 1)]
    public sealed partial class In1H16 { }

    [Lstm(InputSize = 1, HiddenSize = 32, OutputSize = 1)]
    public sealed partial class In1H32 { }

    [Lstm(InputSize = 1, HiddenSize = 64, OutputSize = 1)]
    public sealed partial class In1H64 { }

    [Lstm(InputSize = 1, HiddenSize = 128, OutputSize = 1)]
    public sealed partial class In1H128 { }

    [Lstm(InputSize = 1, HiddenSize = 256, OutputSize = 1)]
    public sealed partial class In1H256 { }

    [Lstm(InputSize = 8, HiddenSize = 8, OutputSize = 1)]
    public sealed partial class In8H8 { }

    [Lstm(InputSize = 8, HiddenSize = 16, OutputSize = 1)]
    public sealed partial class In8H16 { }

    [Lstm(InputSize = 8, HiddenSize = 32, OutputSize = 1)]
    public sealed partial class In8H32 { }

    [Lstm(InputSize = 8, HiddenSize = 64, OutputSize = 1)]
    public sealed partial class In8H64 { }

    [Lstm(InputSize = 8, HiddenSize = 128, OutputSize = 1)]
    public sealed partial class In8H128 { }

    [Lstm(InputSize = 8, HiddenSize = 256, OutputSize = 1)]
    public sealed partial class In8H256 { }

    [Lstm(InputSize = 32, HiddenSize = 8, OutputSize = 1)]
    public sealed partial class In32H8 { }

    [Lstm(InputSize = 32, HiddenSize = 16, OutputSize = 1)]
    public sealed partial class In32H16 { }

    [Lstm(InputSize = 32, HiddenSize = 32, OutputSize = 1)]
    public sealed partial class In32H32 { }

    [Lstm(InputSize = 32, HiddenSize = 64, OutputSize = 1)]
    public sealed partial class In32H64 { }

    [Lstm(InputSize = 32, HiddenSize = 128, OutputSize = 1)]
    public sealed partial class In32H128 { }

    [Lstm(InputSize = 32, HiddenSize = 256, OutputSize = 1)]
    public sealed partial class In32H256 { }

    [Lstm(InputSize = 8, HiddenSize = 64, Layers = 2, OutputSize = 1)]
    public sealed partial class In8H64L2 { }

    // The same shapes at hidden 128 and 256 with bfloat16 weights (--vs-bf16): half the bytes per step.

    [Lstm(InputSize = 1, HiddenSize = 128, OutputSize = 1, WeightPrecision = WeightPrecision.BFloat16)]
    public sealed partial class In1H128BFloat16 { }

    [Lstm(InputSize = 1, HiddenSize = 256, OutputSize = 1, WeightPrecision = WeightPrecision.BFloat16)]
    public sealed partial class In1H256BFloat16 { }

    [Lstm(InputSize = 8, HiddenSize = 128, OutputSize = 1, WeightPrecision = WeightPrecision.BFloat16)]
    public sealed partial class In8H128BFloat16 { }

    [Lstm(InputSize = 8, HiddenSize = 256, OutputSize = 1, WeightPrecision = WeightPrecision.BFloat16)]
    public sealed partial class In8H256BFloat16 { }

    [Lstm(InputSize = 32, HiddenSize = 128, OutputSize = 1, WeightPrecision = WeightPrecision.BFloat16)]
    public sealed partial class In32H128BFloat16 { }

    [Lstm(InputSize = 32, HiddenSize = 256, OutputSize = 1, WeightPrecision = WeightPrecision.BFloat16)]
    public sealed partial class In32H256BFloat16 { }
}
