using System;
using System.Collections.Generic;
using LstmGen;

namespace LstmGen.Tests.Reference
{
    // One generated model per PyTorch reference case, with the case's shape.

    [Lstm(InputSize = 3, HiddenSize = 4, OutputSize = 2)]
    internal partial class TinyModel
    {
    }

    [Lstm(InputSize = 5, HiddenSize = 13, OutputSize = 3)]
    internal partial class OddSizesModel
    {
    }

    [Lstm(InputSize = 8, HiddenSize = 32, Layers = 2, OutputSize = 4)]
    internal partial class StackedModel
    {
    }

    [Lstm(InputSize = 6, HiddenSize = 16)]
    internal partial class NoHeadModel
    {
    }

    [Lstm(InputSize = 4, HiddenSize = 8, Layers = 2, OutputSize = 2)]
    internal partial class InitialStateModel
    {
    }

    [Lstm(InputSize = 10, HiddenSize = 20, OutputSize = 1, OutputActivation = Activation.Sigmoid)]
    internal partial class SequenceToOneSigmoidModel
    {
    }

    [Lstm(InputSize = 12, HiddenSize = 24, OutputSize = 6, OutputActivation = Activation.Softmax, Loss = LossFunction.CrossEntropy)]
    internal partial class ClassifierSoftmaxModel
    {
    }

    [Lstm(InputSize = 1, HiddenSize = 64, OutputSize = 1, OutputActivation = Activation.Tanh)]
    internal partial class LongAudioModel
    {
    }

    [Lstm(InputSize = 4, HiddenSize = 16, OutputSize = 2)]
    internal partial class LargeWeightsModel
    {
    }

    /// <summary>The reference cases and the generated model each one runs on.</summary>
    internal static class ReferenceModels
    {
        public static readonly IReadOnlyDictionary<string, Func<ILstmModel>> ByCase = new Dictionary<string, Func<ILstmModel>>
        {
            ["tiny"] = () => new TinyModel(seed: 0),
            ["odd-sizes"] = () => new OddSizesModel(seed: 0),
            ["stacked"] = () => new StackedModel(seed: 0),
            ["no-head"] = () => new NoHeadModel(seed: 0),
            ["initial-state"] = () => new InitialStateModel(seed: 0),
            ["sequence-to-one-sigmoid"] = () => new SequenceToOneSigmoidModel(seed: 0),
            ["classifier-softmax"] = () => new ClassifierSoftmaxModel(seed: 0),
            ["long-audio"] = () => new LongAudioModel(seed: 0),
            ["large-weights"] = () => new LargeWeightsModel(seed: 0),
        };

        /// <summary>
        /// Loads a case into its model (weights, and the initial state where the case has one),
        /// runs Forward over the case's input, and returns the outputs and final states.
        /// </summary>
        public static (ILstmModel Model, float[] Outputs, float[] Hidden, float[] Cell) Run(ReferenceCase reference)
        {
            ILstmModel model = ByCase[reference.Name]();
            reference.LoadInto(model);
            float[] outputs = new float[reference.SequenceLength * model.OutputSize];
            model.Forward(reference.Input, outputs);
            float[] hidden = new float[model.Layers * model.HiddenSize];
            float[] cell = new float[hidden.Length];
            model.GetState(hidden, cell);
            return (model, outputs, hidden, cell);
        }

        /// <summary>
        /// Loads a case into a fresh model and runs AccumulateGradients on it; returns a digest of the
        /// exact bits of the loss, every gradient, and d loss / d the inputs and the initial state.
        /// </summary>
        public static string GradientDigest(ReferenceCase reference)
        {
            ILstmModel model = ByCase[reference.Name]();
            reference.LoadInto(model);
            float[] inputGradients = new float[reference.Input.Length];
            float[] hiddenGradients = new float[model.Layers * model.HiddenSize];
            float[] cellGradients = new float[hiddenGradients.Length];
            float loss = model.AccumulateGradients(reference.Input, reference.Target.ToSingle(), inputGradients, hiddenGradients, cellGradients);
            return ReferenceComparison.Digest(new[] { loss }, model.Gradients.ToArray(), inputGradients, hiddenGradients, cellGradients);
        }
    }
}
