using System;
using System.Collections.Generic;
using System.Linq;
using LstmGen;
using LstmGen.Training;

namespace LstmGen.Tests.Reference
{
    // One bidirectional model per PyTorch case of Reference/bidirectional (make_bidirectional_cases.py), with its shape.

    [Lstm(InputSize = 3, HiddenSize = 5, OutputSize = 2, Bidirectional = true)]
    internal partial class BiLstmTinyModel
    {
    }

    [Lstm(InputSize = 3, HiddenSize = 7, Layers = 3, Bidirectional = true)]
    internal partial class BiLstmStackedNoHeadModel
    {
    }

    [Lstm(InputSize = 8, HiddenSize = 21, Layers = 2, OutputSize = 3, OutputActivation = Activation.Tanh, Bidirectional = true)]
    internal partial class BiLstmWideModel
    {
    }

    // InputSize = 2 x HiddenSize: one layer kernel serves every layer.
    [Lstm(InputSize = 10, HiddenSize = 5, Layers = 2, OutputSize = 1, OutputActivation = Activation.Sigmoid, Bidirectional = true)]
    internal partial class BiLstmOneKernelModel
    {
    }

    [Gru(InputSize = 3, HiddenSize = 5, OutputSize = 2, Bidirectional = true)]
    internal partial class BiGruTinyModel
    {
    }

    [Gru(InputSize = 4, HiddenSize = 13, Layers = 2, OutputSize = 4, OutputActivation = Activation.Softmax, Loss = LossFunction.CrossEntropy, Bidirectional = true)]
    internal partial class BiGruStackedSoftmaxModel
    {
    }

    [Lstm(InputSize = 3, HiddenSize = 5, Layers = 2, OutputSize = 2, Dropout = 0.25, Bidirectional = true)]
    internal partial class BiLstmDropoutModel
    {
    }

    [Gru(InputSize = 3, HiddenSize = 5, Layers = 2, OutputSize = 2, Dropout = 0.25, Bidirectional = true)]
    internal partial class BiGruDropoutModel
    {
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

        /// <summary>Forward's outputs of the case's input.</summary>
        public static float[] Forward(ReferenceCase reference)
        {
            ISequenceModel model = Create(reference);
            float[] outputs = new float[reference.Output.Data.Length];
            model.Forward(reference.Input, outputs);
            return outputs;
        }

        /// <summary>The loss, the gradients, d loss / d input and d loss / d the initial states of the case's sequence.</summary>
        public static (float Loss, float[] Gradients, float[] InputGradients, float[] HiddenGradients, float[] CellGradients, ISequenceModel Model) Gradients(ReferenceCase reference)
        {
            ISequenceModel model = Create(reference);
            float[] inputGradients = new float[reference.Input.Length];
            float[] hiddenGradients = new float[2 * model.Layers * model.HiddenSize];
            float[] cellGradients = reference.FinalCell is null ? Array.Empty<float>() : new float[hiddenGradients.Length];
            float loss = model.AccumulateGradients(reference.Input, reference.Target.ToSingle(), inputGradients, hiddenGradients, cellGradients);
            return (loss, model.Gradients.ToArray(), inputGradients, hiddenGradients, cellGradients, model);
        }

        /// <summary>
        /// What the path runner prints for a case: the largest difference of Forward's outputs, the loss and the gradients from
        /// PyTorch's, and digests of the bits of Forward's outputs and of AccumulateGradients' results.
        /// </summary>
        public static (double Error, string Forward, string Gradients) PathResult(string name)
        {
            ReferenceCase reference = ReferenceCase.Load(name);
            float[] outputs = Forward(reference);
            var (loss, gradients, inputGradients, hiddenGradients, cellGradients, model) = Gradients(reference);
            // A dropout case's outputs are training's (with the masks, which Forward never applies): its loss and gradients tell.
            double error = reference.DropoutProbability > 0 ? 0 : ReferenceComparison.MaxAbsoluteError(outputs, reference.Output.Data);
            error = Math.Max(error, ReferenceComparison.MaxAbsoluteError(new[] { loss }, new[] { reference.ExpectedLoss }));
            error = Math.Max(error, ReferenceComparison.MaxAbsoluteError(inputGradients, reference.Gradients["input"].Data));
            foreach (TensorInfo tensor in model.Tensors)
            {
                float[] gradient = new float[tensor.Length];
                model.GetGradient(tensor.Name, gradient);
                error = Math.Max(error, ReferenceComparison.MaxAbsoluteError(gradient, reference.Gradients[tensor.Name].Data));
            }

            return (error, ReferenceComparison.Digest(outputs), ReferenceComparison.Digest(new[] { loss }, gradients, inputGradients, hiddenGradients, cellGradients));
        }
    }
}
