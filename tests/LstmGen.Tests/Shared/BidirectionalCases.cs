using System;
using System.Collections.Generic;
using System.Linq;
using LstmGen;
using LstmGen.Training;

namespace LstmGen.Tests.Reference
{
    // One bidirectional model per PyTorch case of Reference/bidirectional (make_bidirectional_cases.py), with its shape.

    [Lstm(InputSize = 3, HiddenSize = 5, OutputSize = 2, Bidirectional = true)]
    internal partial class BiLstmTinyModel : IFinalStates
    {
    }

    [Lstm(InputSize = 3, HiddenSize = 7, Layers = 3, Bidirectional = true)]
    internal partial class BiLstmStackedNoHeadModel : IFinalStates
    {
    }

    [Lstm(InputSize = 8, HiddenSize = 21, Layers = 2, OutputSize = 3, OutputActivation = Activation.Tanh, Bidirectional = true)]
    internal partial class BiLstmWideModel : IFinalStates
    {
    }

    // InputSize = 2 x HiddenSize: one layer kernel serves every layer.
    [Lstm(InputSize = 10, HiddenSize = 5, Layers = 2, OutputSize = 1, OutputActivation = Activation.Sigmoid, Bidirectional = true)]
    internal partial class BiLstmOneKernelModel : IFinalStates
    {
    }

    [Gru(InputSize = 3, HiddenSize = 5, OutputSize = 2, Bidirectional = true)]
    internal partial class BiGruTinyModel : IFinalStates
    {
    }

    [Gru(InputSize = 4, HiddenSize = 13, Layers = 2, OutputSize = 4, OutputActivation = Activation.Softmax, Loss = LossFunction.CrossEntropy, Bidirectional = true)]
    internal partial class BiGruStackedSoftmaxModel : IFinalStates
    {
    }

    [Lstm(InputSize = 3, HiddenSize = 5, Layers = 2, OutputSize = 2, Dropout = 0.25, Bidirectional = true)]
    internal partial class BiLstmDropoutModel : IFinalStates
    {
    }

    [Gru(InputSize = 3, HiddenSize = 5, Layers = 2, OutputSize = 2, Dropout = 0.25, Bidirectional = true)]
    internal partial class BiGruDropoutModel : IFinalStates
    {
    }

    // LSTMs with projections (nn.LSTM(bidirectional=True, proj_size=P)): each direction outputs and carries P values.
    [Lstm(InputSize = 3, HiddenSize = 5, ProjectionSize = 2, OutputSize = 2, Bidirectional = true)]
    internal partial class BiProjectedTinyModel : IFinalStates
    {
    }

    [Lstm(InputSize = 4, HiddenSize = 9, ProjectionSize = 3, Layers = 2, OutputSize = 3, OutputActivation = Activation.Softmax, Loss = LossFunction.CrossEntropy, Bidirectional = true)]
    internal partial class BiProjectedStackedSoftmaxModel : IFinalStates
    {
    }

    [Lstm(InputSize = 5, HiddenSize = 7, ProjectionSize = 3, Layers = 2, Dropout = 0.25, Bidirectional = true)]
    internal partial class BiProjectedDropoutNoHeadModel : IFinalStates
    {
    }

    // InputSize = 2 x ProjectionSize: one layer kernel serves every layer; HiddenSize 21 > 16, not a multiple of 16.
    [Lstm(InputSize = 8, HiddenSize = 21, ProjectionSize = 4, Layers = 2, OutputSize = 1, OutputActivation = Activation.Tanh, Bidirectional = true)]
    internal partial class BiProjectedWideModel : IFinalStates
    {
    }

    /// <summary>
    /// The Forward of a generated bidirectional model that also writes PyTorch's h_n and c_n: the models above declare it,
    /// and their generated Forward implements it (ISequenceModel does not have it: a model that steps has a state of its own).
    /// </summary>
    internal interface IFinalStates
    {
        void Forward(ReadOnlySpan<float> inputs, Span<float> outputs, Span<float> finalHidden, Span<float> finalCell);
    }

    /// <summary>The bidirectional cases, their models, and what a run of one gives (for the tests and the path runner).</summary>
    internal static class BidirectionalCases
    {
        public static readonly IReadOnlyDictionary<string, Func<ISequenceModel>> ByCase = new Dictionary<string, Func<ISequenceModel>>
        {
            ["bilstm-tiny"] = () => new BiLstmTinyModel(seed: 1),
            ["bilstm-stacked-no-head"] = () => new BiLstmStackedNoHeadModel(seed: 1),
            ["bilstm-wide"] = () => new BiLstmWideModel(seed: 1),
            ["bilstm-one-kernel"] = () => new BiLstmOneKernelModel(seed: 1),
            ["bigru-tiny"] = () => new BiGruTinyModel(seed: 1),
            ["bigru-stacked-softmax"] = () => new BiGruStackedSoftmaxModel(seed: 1),
            ["bilstm-dropout"] = () => new BiLstmDropoutModel(seed: 1),
            ["bigru-dropout"] = () => new BiGruDropoutModel(seed: 1),
            ["biproj-tiny"] = () => new BiProjectedTinyModel(seed: 1),
            ["biproj-stacked-softmax"] = () => new BiProjectedStackedSoftmaxModel(seed: 1),
            ["biproj-dropout-no-head"] = () => new BiProjectedDropoutNoHeadModel(seed: 1),
            ["biproj-wide"] = () => new BiProjectedWideModel(seed: 1),
        };

        public static IEnumerable<string> Names => ByCase.Keys;

        /// <summary>A new model of the case with the case's tensors (and its dropout seed).</summary>
        public static ISequenceModel Create(ReferenceCase reference)
        {
            ISequenceModel model = ByCase[reference.Name]();
            foreach ((string name, ReferenceTensor tensor) in reference.Tensors)
            {
                model.SetTensor(name, tensor.ToSingle());
            }

            if (model is IDropoutModel dropout)
            {
                dropout.DropoutSeed = reference.DropoutSeed;
            }

            return model;
        }

        /// <summary>Whether the case's outputs and final states are Forward's: not a dropout case's, which are training's (with the masks).</summary>
        public static bool HasForwardResults(ReferenceCase reference) => reference.DropoutProbability == 0;

        /// <summary>The width of a direction's hidden state: the projection's, or the hidden size.</summary>
        public static int RecurrentWidth(ReferenceCase reference) => reference.ProjectionSize > 0 ? reference.ProjectionSize : reference.HiddenSize;

        /// <summary>Forward's outputs of the case's input.</summary>
        public static float[] Forward(ReferenceCase reference)
        {
            ISequenceModel model = Create(reference);
            float[] outputs = new float[reference.Output.Data.Length];
            model.Forward(reference.Input, outputs);
            return outputs;
        }

        /// <summary>Forward's outputs of the case's input, with the final states: h_n [2 x Layers, RecurrentWidth] and c_n [2 x Layers, HiddenSize] (empty for a GRU).</summary>
        public static (float[] Outputs, float[] Hidden, float[] Cell) ForwardWithFinalStates(ReferenceCase reference)
        {
            ISequenceModel model = Create(reference);
            float[] outputs = new float[reference.Output.Data.Length];
            float[] hidden = new float[2 * reference.Layers * RecurrentWidth(reference)];
            float[] cell = reference.FinalCell is null ? Array.Empty<float>() : new float[2 * reference.Layers * reference.HiddenSize];
            ((IFinalStates)model).Forward(reference.Input, outputs, hidden, cell);
            return (outputs, hidden, cell);
        }

        /// <summary>The loss, the gradients, d loss / d input and d loss / d the initial states of the case's sequence.</summary>
        public static (float Loss, float[] Gradients, float[] InputGradients, float[] HiddenGradients, float[] CellGradients, ISequenceModel Model) Gradients(ReferenceCase reference)
        {
            ISequenceModel model = Create(reference);
            float[] inputGradients = new float[reference.Input.Length];
            float[] hiddenGradients = new float[2 * model.Layers * RecurrentWidth(reference)];
            float[] cellGradients = reference.FinalCell is null ? Array.Empty<float>() : new float[2 * model.Layers * model.HiddenSize];
            float loss = model.AccumulateGradients(reference.Input, reference.Target.ToSingle(), inputGradients, hiddenGradients, cellGradients);
            return (loss, model.Gradients.ToArray(), inputGradients, hiddenGradients, cellGradients, model);
        }

        /// <summary>
        /// What the path runner prints for a case: the largest difference of Forward's outputs and final states, the loss and the
        /// gradients from PyTorch's, and digests of the bits of Forward's outputs and final states and of AccumulateGradients'
        /// results.
        /// </summary>
        public static (double Error, string Forward, string Gradients) PathResult(string name)
        {
            ReferenceCase reference = ReferenceCase.Load(name);
            var (outputs, finalHidden, finalCell) = ForwardWithFinalStates(reference);
            var (loss, gradients, inputGradients, hiddenGradients, cellGradients, model) = Gradients(reference);
            // A dropout case's outputs and states are training's (with the masks, which Forward never applies): its loss and gradients tell.
            double error = 0;
            if (HasForwardResults(reference))
            {
                error = ReferenceComparison.MaxAbsoluteError(outputs, reference.Output.Data);
                error = Math.Max(error, ReferenceComparison.MaxAbsoluteError(finalHidden, reference.FinalHidden.Data));
                error = Math.Max(error, reference.FinalCell is null ? 0 : ReferenceComparison.MaxAbsoluteError(finalCell, reference.FinalCell.Data));
            }

            error = Math.Max(error, ReferenceComparison.MaxAbsoluteError(new[] { loss }, new[] { reference.ExpectedLoss }));
            error = Math.Max(error, ReferenceComparison.MaxAbsoluteError(inputGradients, reference.Gradients["input"].Data));
            error = Math.Max(error, ReferenceComparison.MaxAbsoluteError(hiddenGradients, reference.Gradients["h0"].Data));
            error = Math.Max(error, reference.FinalCell is null ? 0 : ReferenceComparison.MaxAbsoluteError(cellGradients, reference.Gradients["c0"].Data));
            foreach (TensorInfo tensor in model.Tensors)
            {
                float[] gradient = new float[tensor.Length];
                model.GetGradient(tensor.Name, gradient);
                error = Math.Max(error, ReferenceComparison.MaxAbsoluteError(gradient, reference.Gradients[tensor.Name].Data));
            }

            return (error, ReferenceComparison.Digest(outputs, finalHidden, finalCell), ReferenceComparison.Digest(new[] { loss }, gradients, inputGradients, hiddenGradients, cellGradients));
        }
    }
}
