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

    [Lstm(InputSize = 5, HiddenSize = 70, Layers = 3, OutputSize = 3, OutputActivation = Activation.Tanh)]
    internal partial class WideOddModel
    {
    }

    [Lstm(InputSize = 3, HiddenSize = 81, OutputSize = 2)]
    internal partial class Wide81Model
    {
    }

    // One generated GRU per PyTorch GRU case (Reference/gru/make_gru_cases.py).

    [Gru(InputSize = 3, HiddenSize = 5, OutputSize = 2)]
    internal partial class GruTinyModel
    {
    }

    [Gru(InputSize = 1, HiddenSize = 1, OutputSize = 1)]
    internal partial class GruSingleUnitModel
    {
    }

    [Gru(InputSize = 8, HiddenSize = 16, Layers = 2, OutputSize = 4)]
    internal partial class GruStackedModel
    {
    }

    [Gru(InputSize = 3, HiddenSize = 33, Layers = 2)]
    internal partial class GruOddNoHeadModel
    {
    }

    [Gru(InputSize = 8, HiddenSize = 5, OutputSize = 1, OutputActivation = Activation.Sigmoid)]
    internal partial class GruSigmoidModel
    {
    }

    [Gru(InputSize = 3, HiddenSize = 16, OutputSize = 4, OutputActivation = Activation.Softmax, Loss = LossFunction.CrossEntropy)]
    internal partial class GruSoftmaxModel
    {
    }

    [Gru(InputSize = 8, HiddenSize = 33, OutputSize = 3, OutputActivation = Activation.Tanh)]
    internal partial class GruInitialStateModel
    {
    }

    [Gru(InputSize = 1, HiddenSize = 16, Layers = 2, OutputSize = 1)]
    internal partial class GruWideModel
    {
    }

    // One generated LSTM with projections per PyTorch case (Reference/projection/make_projection_cases.py).

    [Lstm(InputSize = 3, HiddenSize = 7, OutputSize = 2, ProjectionSize = 3)]
    internal partial class ProjectionTinyModel
    {
    }

    [Lstm(InputSize = 5, HiddenSize = 13, Layers = 2, OutputSize = 3, OutputActivation = Activation.Tanh, ProjectionSize = 5)]
    internal partial class ProjectionStackedModel
    {
    }

    [Lstm(InputSize = 4, HiddenSize = 37, Layers = 3, ProjectionSize = 11)]
    internal partial class ProjectionDeepNoHeadModel
    {
    }

    [Lstm(InputSize = 6, HiddenSize = 20, OutputSize = 4, OutputActivation = Activation.Softmax, Loss = LossFunction.CrossEntropy, ProjectionSize = 16)]
    internal partial class ProjectionSoftmaxModel
    {
    }

    [Lstm(InputSize = 2, HiddenSize = 40, Layers = 2, OutputSize = 1, ProjectionSize = 17)]
    internal partial class ProjectionWideModel
    {
    }

    [Lstm(InputSize = 3, HiddenSize = 9, Layers = 3, OutputSize = 2, ProjectionSize = 4, Dropout = 0.3)]
    internal partial class ProjectionDropoutModel
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
            ["wide-odd"] = () => new WideOddModel(seed: 0),
            ["wide-81"] = () => new Wide81Model(seed: 0),
            ["gru-tiny"] = () => new GruTinyModel(seed: 0),
            ["gru-single-unit"] = () => new GruSingleUnitModel(seed: 0),
            ["gru-stacked"] = () => new GruStackedModel(seed: 0),
            ["gru-odd-no-head"] = () => new GruOddNoHeadModel(seed: 0),
            ["gru-sigmoid"] = () => new GruSigmoidModel(seed: 0),
            ["gru-softmax"] = () => new GruSoftmaxModel(seed: 0),
            ["gru-initial-state"] = () => new GruInitialStateModel(seed: 0),
            ["gru-wide"] = () => new GruWideModel(seed: 0),
            ["projection-tiny"] = () => new ProjectionTinyModel(seed: 0),
            ["projection-stacked"] = () => new ProjectionStackedModel(seed: 0),
            ["projection-deep-no-head"] = () => new ProjectionDeepNoHeadModel(seed: 0),
            ["projection-softmax"] = () => new ProjectionSoftmaxModel(seed: 0),
            ["projection-wide"] = () => new ProjectionWideModel(seed: 0),
            ["projection-dropout"] = () => new ProjectionDropoutModel(seed: 0),
        };

        /// <summary>The cell values of a case's model: [Layers, HiddenSize] for an LSTM (with projections too), none for a GRU.</summary>
        private static float[] CellValues(ReferenceCase reference, ILstmModel model) =>
            reference.FinalCell is null ? Array.Empty<float>() : new float[model.Layers * model.HiddenSize];

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
            float[] hidden = new float[reference.FinalHidden.Data.Length];
            float[] cell = CellValues(reference, model);
            model.GetState(hidden, cell);
            return (model, outputs, hidden, cell);
        }

        /// <summary>
        /// Steps 53 agents of the case's model together (whole groups on every path; with AVX-512, a last group of 21 in
        /// 32 lanes; on narrower paths, 5 left over, stepped one at a time) through the case's input, each agent from its own starting state, and returns a
        /// digest of the exact bits of every output and final state.
        /// </summary>
        public static string AgentDigest(ReferenceCase reference) => reference.Name switch
        {
            "tiny" => Agents<TinyModel, TinyModel.State>(reference, (m, s, i, o) => m.Step(s, i, o)),
            "odd-sizes" => Agents<OddSizesModel, OddSizesModel.State>(reference, (m, s, i, o) => m.Step(s, i, o)),
            "stacked" => Agents<StackedModel, StackedModel.State>(reference, (m, s, i, o) => m.Step(s, i, o)),
            "no-head" => Agents<NoHeadModel, NoHeadModel.State>(reference, (m, s, i, o) => m.Step(s, i, o)),
            "initial-state" => Agents<InitialStateModel, InitialStateModel.State>(reference, (m, s, i, o) => m.Step(s, i, o)),
            "sequence-to-one-sigmoid" => Agents<SequenceToOneSigmoidModel, SequenceToOneSigmoidModel.State>(reference, (m, s, i, o) => m.Step(s, i, o)),
            "classifier-softmax" => Agents<ClassifierSoftmaxModel, ClassifierSoftmaxModel.State>(reference, (m, s, i, o) => m.Step(s, i, o)),
            "long-audio" => Agents<LongAudioModel, LongAudioModel.State>(reference, (m, s, i, o) => m.Step(s, i, o)),
            "large-weights" => Agents<LargeWeightsModel, LargeWeightsModel.State>(reference, (m, s, i, o) => m.Step(s, i, o)),
            "wide-odd" => Agents<WideOddModel, WideOddModel.State>(reference, (m, s, i, o) => m.Step(s, i, o)),
            "wide-81" => Agents<Wide81Model, Wide81Model.State>(reference, (m, s, i, o) => m.Step(s, i, o)),
            "gru-tiny" => Agents<GruTinyModel, GruTinyModel.State>(reference, (m, s, i, o) => m.Step(s, i, o)),
            "gru-single-unit" => Agents<GruSingleUnitModel, GruSingleUnitModel.State>(reference, (m, s, i, o) => m.Step(s, i, o)),
            "gru-stacked" => Agents<GruStackedModel, GruStackedModel.State>(reference, (m, s, i, o) => m.Step(s, i, o)),
            "gru-odd-no-head" => Agents<GruOddNoHeadModel, GruOddNoHeadModel.State>(reference, (m, s, i, o) => m.Step(s, i, o)),
            "gru-sigmoid" => Agents<GruSigmoidModel, GruSigmoidModel.State>(reference, (m, s, i, o) => m.Step(s, i, o)),
            "gru-softmax" => Agents<GruSoftmaxModel, GruSoftmaxModel.State>(reference, (m, s, i, o) => m.Step(s, i, o)),
            "gru-initial-state" => Agents<GruInitialStateModel, GruInitialStateModel.State>(reference, (m, s, i, o) => m.Step(s, i, o)),
            "gru-wide" => Agents<GruWideModel, GruWideModel.State>(reference, (m, s, i, o) => m.Step(s, i, o)),
            "projection-tiny" => Agents<ProjectionTinyModel, ProjectionTinyModel.State>(reference, (m, s, i, o) => m.Step(s, i, o)),
            "projection-stacked" => Agents<ProjectionStackedModel, ProjectionStackedModel.State>(reference, (m, s, i, o) => m.Step(s, i, o)),
            "projection-deep-no-head" => Agents<ProjectionDeepNoHeadModel, ProjectionDeepNoHeadModel.State>(reference, (m, s, i, o) => m.Step(s, i, o)),
            "projection-softmax" => Agents<ProjectionSoftmaxModel, ProjectionSoftmaxModel.State>(reference, (m, s, i, o) => m.Step(s, i, o)),
            "projection-wide" => Agents<ProjectionWideModel, ProjectionWideModel.State>(reference, (m, s, i, o) => m.Step(s, i, o)),
            "projection-dropout" => Agents<ProjectionDropoutModel, ProjectionDropoutModel.State>(reference, (m, s, i, o) => m.Step(s, i, o)),
            _ => throw new ArgumentOutOfRangeException(nameof(reference), reference.Name, "No model for this case."),
        };

        private delegate void GroupStep<TModel, TState>(TModel model, Span<TState> states, ReadOnlySpan<float> inputs, Span<float> outputs);

        private static string Agents<TModel, TState>(ReferenceCase reference, GroupStep<TModel, TState> step)
            where TModel : ILstmModel
            where TState : unmanaged
        {
            const int agents = 53;
            var model = (TModel)ByCase[reference.Name]();
            reference.LoadInto(model);
            var states = new TState[agents];
            int inputSize = model.InputSize;
            float[] inputs = new float[agents * inputSize];
            float[] outputs = new float[agents * model.OutputSize];
            var digest = new List<float[]>();
            for (int t = 0; t < reference.SequenceLength; t++)
            {
                // Agent a sees the case's input at step t, scaled by a factor of its own.
                for (int agent = 0; agent < agents; agent++)
                {
                    for (int k = 0; k < inputSize; k++)
                    {
                        inputs[(agent * inputSize) + k] = reference.Input[(t * inputSize) + k] * (1f + (agent / 16f));
                    }
                }

                step(model, states, inputs, outputs);
                digest.Add((float[])outputs.Clone());
            }

            digest.Add(System.Runtime.InteropServices.MemoryMarshal.Cast<TState, float>(states.AsSpan()).ToArray());
            return ReferenceComparison.Digest(digest.ToArray());
        }

        /// <summary>
        /// Loads a case into a fresh model and runs AccumulateGradients on it; returns a digest of the
        /// exact bits of the loss, every gradient, and d loss / d the inputs and the initial state.
        /// </summary>
        public static string GradientDigest(ReferenceCase reference)
        {
            var (model, loss, inputGradients, hiddenGradients, cellGradients) = AccumulateGradients(reference);
            return ReferenceComparison.Digest(new[] { loss }, model.Gradients.ToArray(), inputGradients, hiddenGradients, cellGradients);
        }

        /// <summary>
        /// Loads a case into a fresh model (with the case's dropout seed where the model drops) and runs
        /// AccumulateGradients on the case's input and target; returns the model (holding the gradients), the loss, and
        /// d loss / d the inputs, the initial hidden state and the initial cell state (none for a GRU).
        /// </summary>
        public static (ILstmModel Model, float Loss, float[] InputGradients, float[] HiddenGradients, float[] CellGradients) AccumulateGradients(ReferenceCase reference)
        {
            ILstmModel model = ByCase[reference.Name]();
            reference.LoadInto(model);
            if (model is LstmGen.Training.IDropoutModel dropout)
            {
                dropout.DropoutSeed = reference.DropoutSeed;
            }

            float[] inputGradients = new float[reference.Input.Length];
            float[] hiddenGradients = new float[reference.FinalHidden.Data.Length];
            float[] cellGradients = CellValues(reference, model);
            float loss = model.AccumulateGradients(reference.Input, reference.Target.ToSingle(), inputGradients, hiddenGradients, cellGradients);
            return (model, loss, inputGradients, hiddenGradients, cellGradients);
        }
    }
}
