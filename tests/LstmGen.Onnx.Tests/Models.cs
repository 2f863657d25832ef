using System;
using System.Collections.Generic;
using LstmGen;
using Xunit;

namespace LstmGen.Onnx.Tests
{
    // The shapes exported: one layer, stacked layers without a head, every head activation, odd hidden
    // sizes (19 = blocks of 16 and 3 units, 13 = 8, 4 and 1) and a wider model; the same for GRUs (ONNX's
    // GRU operator, no cell state).

    [Lstm(InputSize = 3, HiddenSize = 5, OutputSize = 2)]
    public partial class OneLayer { }

    [Lstm(InputSize = 4, HiddenSize = 7, Layers = 3)]
    public partial class StackedNoHead { }

    [Lstm(InputSize = 5, HiddenSize = 19, Layers = 2, OutputSize = 4, OutputActivation = Activation.Softmax, Loss = LossFunction.CrossEntropy)]
    public partial class SoftmaxHead { }

    [Lstm(InputSize = 1, HiddenSize = 33, OutputSize = 1, OutputActivation = Activation.Tanh)]
    public partial class TanhHead { }

    [Lstm(InputSize = 6, HiddenSize = 13, Layers = 2, OutputSize = 3, OutputActivation = Activation.Sigmoid)]
    public partial class SigmoidHead { }

    [Lstm(InputSize = 16, HiddenSize = 64, Layers = 2, OutputSize = 8)]
    public partial class Wide { }

    /// <summary>bfloat16 weights: the export holds the rounded weights the model computes with.</summary>
    [Lstm(InputSize = 16, HiddenSize = 64, Layers = 2, OutputSize = 8, WeightPrecision = WeightPrecision.BFloat16)]
    public partial class WideBFloat16 { }

    /// <summary>Projections (PyTorch's proj_size): ONNX's LSTM operator has none, so the export refuses it.</summary>
    [Lstm(InputSize = 3, HiddenSize = 7, Layers = 2, OutputSize = 2, ProjectionSize = 3)]
    public partial class Projected { }

    /// <summary>A bidirectional LSTM with projections: each direction's projection is refused as a one-direction model's.</summary>
    [Lstm(InputSize = 3, HiddenSize = 7, Layers = 2, OutputSize = 2, ProjectionSize = 3, Bidirectional = true)]
    public partial class BidirectionalProjected { }

    /// <summary>The README's and docs/onnx.md's example model: its config.pbtxt there is checked against the export.</summary>
    [Lstm(InputSize = 8, HiddenSize = 32, Layers = 2, OutputSize = 4)]
    public partial class Predictor { }

    // GRUs: one layer with and without a head, stacked layers with and without a head, odd sizes, a wider model
    // (GRUs have no bfloat16 weights).

    [Gru(InputSize = 3, HiddenSize = 5, OutputSize = 2)]
    public partial class GruLayer { }

    [Gru(InputSize = 1, HiddenSize = 33)]
    public partial class GruNoHead { }

    [Gru(InputSize = 4, HiddenSize = 7, Layers = 3)]
    public partial class GruStackedNoHead { }

    [Gru(InputSize = 6, HiddenSize = 19, Layers = 2, OutputSize = 3, OutputActivation = Activation.Sigmoid)]
    public partial class GruSigmoidHead { }

    [Gru(InputSize = 5, HiddenSize = 13, Layers = 2, OutputSize = 4, OutputActivation = Activation.Softmax, Loss = LossFunction.CrossEntropy)]
    public partial class GruSoftmaxHead { }

    [Gru(InputSize = 16, HiddenSize = 64, Layers = 2, OutputSize = 8, OutputActivation = Activation.Tanh)]
    public partial class GruWide { }

    /// <summary>docs/onnx.md's GRU of Predictor's sizes: its config.pbtxt there is checked against the export.</summary>
    [Gru(InputSize = 8, HiddenSize = 32, Layers = 2, OutputSize = 4)]
    public partial class GruPredictor { }

    internal static class Models
    {
        private static readonly Dictionary<string, Func<int, ILstmModel>> Factories = new()
        {
            [nameof(OneLayer)] = seed => new OneLayer(seed),
            [nameof(StackedNoHead)] = seed => new StackedNoHead(seed),
            [nameof(SoftmaxHead)] = seed => new SoftmaxHead(seed),
            [nameof(TanhHead)] = seed => new TanhHead(seed),
            [nameof(SigmoidHead)] = seed => new SigmoidHead(seed),
            [nameof(Wide)] = seed => new Wide(seed),
            [nameof(WideBFloat16)] = seed => new WideBFloat16(seed),
            [nameof(Predictor)] = seed => new Predictor(seed),
            [nameof(GruLayer)] = seed => new GruLayer(seed),
            [nameof(GruNoHead)] = seed => new GruNoHead(seed),
            [nameof(GruStackedNoHead)] = seed => new GruStackedNoHead(seed),
            [nameof(GruSigmoidHead)] = seed => new GruSigmoidHead(seed),
            [nameof(GruSoftmaxHead)] = seed => new GruSoftmaxHead(seed),
            [nameof(GruWide)] = seed => new GruWide(seed),
            [nameof(GruPredictor)] = seed => new GruPredictor(seed),
        };

        /// <summary>Every model's name.</summary>
        public static IEnumerable<string> All => Factories.Keys;

        /// <summary>Every model's name, for a theory.</summary>
        public static TheoryData<string> Names => new(Factories.Keys);

        /// <summary>The model <paramref name="name"/> with PyTorch's default initialisation from <paramref name="seed"/>.</summary>
        public static ILstmModel Create(string name, int seed = 7) => Factories[name](seed);

        /// <summary>
        /// How many values the model's cell state has for <paramref name="batch"/> sequences: Layers x batch x HiddenSize
        /// for an LSTM, none for a GRU (whose graph has no c0 and cn).
        /// </summary>
        public static int CellStateLength(ILstmModel model, int batch = 1) =>
            RecurrentCells.Of(model) == RecurrentCell.Lstm ? model.Layers * batch * model.HiddenSize : 0;
    }
}
