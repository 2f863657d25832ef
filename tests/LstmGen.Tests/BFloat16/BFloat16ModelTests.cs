using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using LstmGen.Serialization;
using LstmGen.Tests.Reference;
using LstmGen.Tests.Support;
using LstmGen.Training;
using Xunit;
using BF16 = LstmGen.CompilerServices.BFloat16;

namespace LstmGen.Tests.BFloat16
{
    /// <summary>bfloat16 weights compiled in: the file's F32 values, rounded for the steps.</summary>
    [Lstm(Weights = "Fixtures/tiny_f32.safetensors", WeightPrecision = WeightPrecision.BFloat16)]
    public partial class CompiledTinyBFloat16 { }

    /// <summary>The float32 twin of <see cref="BFloat16ProjectionWideModel"/> (input 8, hidden 32, projections of 16, no head).</summary>
    [Lstm(InputSize = 8, HiddenSize = 32, ProjectionSize = 16)]
    public partial class ProjectionWideFloat32Model { }

    /// <summary>
    /// A bfloat16 model (<see cref="BFloat16StackedModel"/>: input 8, hidden 32, 2 layers, head of 4) beside its float32
    /// twin (<see cref="StackedModel"/>, the same shape): the copy that steps read follows every change of the weights,
    /// training stays float32, and the weight files hold what each model computes with.
    /// </summary>
    public sealed class BFloat16ModelTests
    {
        private static readonly float[] s_inputs = BFloat16Case.Recipe(3000, 9 * StackedModel.InputSize, 0, ties: false);

        private static readonly float[] s_targets = BFloat16Case.Recipe(3001, 9 * StackedModel.OutputSize, 0, ties: false);

        /// <summary>Every way the weights change, each followed by the same kind of check.</summary>
        public static TheoryData<string> Writers => new() { "optimizer", "SetTensor", "Load", "CopyParametersFrom", "Trainer", "span kept from before the step, read again" };

        [Theory]
        [MemberData(nameof(Writers))]
        public void EveryWeightChangeReachesTheNextStepForwardAndGroupStep(string writer)
        {
            var model = new BFloat16StackedModel(seed: 1);
            float[] before = Forward(model);

            Change(model, writer);

            // A model built from the changed parameters computes what the changed model does, and not what it did.
            var rebuilt = new BFloat16StackedModel(seed: 2);
            model.Parameters.CopyTo(rebuilt.Parameters);
            float[] after = Forward(model);
            Assert.False(after.AsSpan().SequenceEqual(before), $"{writer}: the outputs did not change");
            Assert.True(after.AsSpan().SequenceEqual(Forward(rebuilt)), $"{writer}: Forward read a stale copy");
            Assert.True(Steps(model).AsSpan().SequenceEqual(Steps(rebuilt)), $"{writer}: Step read a stale copy");
            Assert.True(GroupStep(model).AsSpan().SequenceEqual(GroupStep(rebuilt)), $"{writer}: the group step read a stale copy");
        }

        private static void Change(BFloat16StackedModel model, string writer)
        {
            switch (writer)
            {
                case "optimizer":
                    model.ZeroGradients();
                    model.ResetState();
                    model.AccumulateGradients(s_inputs, s_targets);
                    new Sgd(0.5f).Step(model.Parameters, model.Gradients);
                    break;
                case "SetTensor":
                    model.SetTensor("lstm.weight_hh_l1", BFloat16Case.Recipe(7, 4 * 32 * 32, -3, ties: true));
                    break;
                case "Load":
                    using (var stream = new MemoryStream())
                    {
                        new StackedModel(seed: 5).Save(stream);
                        stream.Position = 0;
                        model.Load(stream);
                    }

                    break;
                case "CopyParametersFrom":
                    model.CopyParametersFrom(new BFloat16StackedModel(seed: 6));
                    break;
                case "Trainer":
                    var sequences = Enumerable.Range(0, 4).Select(i => new TrainingSequence(
                        BFloat16Case.Recipe(4000 + i, 9 * StackedModel.InputSize, 0, ties: false),
                        BFloat16Case.Recipe(4100 + i, 9 * StackedModel.OutputSize, 0, ties: false))).ToArray();
                    new Trainer<BFloat16StackedModel>(model, new Adam(1e-2f), new TrainerOptions { Epochs = 2, BatchSize = 2, Threads = 1 }).Fit(sequences);
                    break;
                default:
                    // The documented way to write through a span across steps: read Parameters again after the step.
                    Span<float> parameters = model.Parameters;
                    parameters[0] += 0.25f;
                    Forward(model);
                    parameters = model.Parameters;
                    parameters[1] -= 0.25f;
                    break;
            }
        }

        [Fact]
        public void TheParametersKeepFloat32AndTheStepsReadThemRounded()
        {
            var model = new BFloat16StackedModel(seed: 1);
            float[] values = BFloat16Case.Recipe(8, 4 * 32 * 8, -3, ties: true);
            model.SetTensor("lstm.weight_ih_l0", values);
            float[] back = new float[values.Length];
            model.GetTensor("lstm.weight_ih_l0", back);
            Assert.Equal(values, back);
            Assert.Contains(values, value => BF16.RoundToSingle(value) != value);

            // The float32 twin given the rounded parameters computes the same bits: the kernels sum in the same order.
            AssertTwinOfRoundedParametersGivesTheSameBits(model, new StackedModel(seed: 2));
        }

        /// <summary>The writers that change a projected model's W_hr, which its copy must round again.</summary>
        public static TheoryData<string> ProjectionWriters => new() { "optimizer", "SetTensor", "Load" };

        [Theory]
        [MemberData(nameof(ProjectionWriters))]
        public void EveryChangeOfAProjectionReachesTheNextStepForwardAndGroupStep(string writer)
        {
            var model = new BFloat16ProjectionWideModel(seed: 1);
            float[] before = Forward(model);
            switch (writer)
            {
                case "optimizer":
                    float[] targets = BFloat16Case.Recipe(3002, 9 * BFloat16ProjectionWideModel.OutputSize, 0, ties: false);
                    model.ZeroGradients();
                    model.ResetState();
                    model.AccumulateGradients(s_inputs, targets);
                    new Sgd(0.5f).Step(model.Parameters, model.Gradients);
                    break;
                case "SetTensor":
                    // W_hr alone: only a copy that rounds the projections again sees it.
                    model.SetTensor("lstm.weight_hr_l0", BFloat16Case.Recipe(9, 16 * 32, -3, ties: true));
                    break;
                default:
                    using (var stream = new MemoryStream())
                    {
                        new ProjectionWideFloat32Model(seed: 5).Save(stream);
                        stream.Position = 0;
                        model.Load(stream);
                    }

                    break;
            }

            var rebuilt = new BFloat16ProjectionWideModel(seed: 2);
            model.Parameters.CopyTo(rebuilt.Parameters);
            float[] after = Forward(model);
            Assert.False(after.AsSpan().SequenceEqual(before), $"{writer}: the outputs did not change");
            Assert.True(after.AsSpan().SequenceEqual(Forward(rebuilt)), $"{writer}: Forward read a stale copy");
            Assert.True(Steps(model).AsSpan().SequenceEqual(Steps(rebuilt)), $"{writer}: Step read a stale copy");
            Assert.True(GroupStep(model).AsSpan().SequenceEqual(GroupStep(rebuilt)), $"{writer}: the group step read a stale copy");
        }

        [Fact]
        public void AProjectedModelReadsItsProjectionsRoundedAndTrainsInFloat32()
        {
            var model = new BFloat16ProjectionWideModel(seed: 1);
            var twin = new ProjectionWideFloat32Model(seed: 2);
            int projection = TensorOffset(model, "lstm.weight_hr_l0");

            // The float32 twin given the rounded parameters computes the same bits on Step, Forward and the group step.
            AssertTwinOfRoundedParametersGivesTheSameBits(model, twin);

            // With W_hr alone left unrounded the twin computes something else: the model reads W_hr rounded.
            Span<float> unroundedProjection = twin.Parameters.Slice(projection, 16 * 32);
            model.Parameters.Slice(projection, 16 * 32).CopyTo(unroundedProjection);
            Assert.Contains(unroundedProjection.ToArray(), value => BF16.RoundToSingle(value) != value);
            Assert.False(Forward(model).AsSpan().SequenceEqual(Forward(twin)));
            Assert.False(Steps(model).AsSpan().SequenceEqual(Steps(twin)));
            Assert.False(GroupStep(model).AsSpan().SequenceEqual(GroupStep(twin)));

            // Training reads the float32 parameters, W_hr too: the float32 model's bits on the unrounded parameters.
            model.Parameters.CopyTo(twin.Parameters);
            model.ResetState();
            twin.ResetState();
            float[] targets = BFloat16Case.Recipe(3002, 9 * BFloat16ProjectionWideModel.OutputSize, 0, ties: false);
            float loss = model.AccumulateGradients(s_inputs, targets);
            float twinLoss = twin.AccumulateGradients(s_inputs, targets);
            Assert.Equal(BitConverter.SingleToUInt32Bits(twinLoss), BitConverter.SingleToUInt32Bits(loss));
            Assert.True(model.Gradients.SequenceEqual(twin.Gradients));
        }

        private static int TensorOffset(ILstmModel model, string name) => model.Tensors.Single(tensor => tensor.Name == name).Offset;

        [Fact]
        public void TrainingIsTheFloat32ModelsBitForBit()
        {
            var model = new BFloat16StackedModel(seed: 1);
            var twin = new StackedModel(seed: 2);
            model.Parameters.CopyTo(twin.Parameters);
            float loss = model.AccumulateGradients(s_inputs, s_targets);
            float twinLoss = twin.AccumulateGradients(s_inputs, s_targets);
            Assert.Equal(BitConverter.SingleToUInt32Bits(twinLoss), BitConverter.SingleToUInt32Bits(loss));
            Assert.True(model.Gradients.SequenceEqual(twin.Gradients));
        }

        [Fact]
        public void SaveWritesTheRoundedWeightsAsBF16AndLoadingThemIsExact()
        {
            var model = new BFloat16StackedModel(seed: 1);
            BFloat16Case.Load("stacked").LoadInto(model);
            using var stream = new MemoryStream();
            model.Save(stream);

            stream.Position = 0;
            SafeTensorsFile file = SafeTensorsFile.Read(stream);
            Assert.Equal(BFloat16StackedModel.Tensors.Count, file.Entries.Count);
            foreach (TensorInfo tensor in BFloat16StackedModel.Tensors)
            {
                Assert.True(file.TryGetEntry(tensor.Name, out SafeTensorsEntry? entry));
                Assert.Equal(SafeTensorsDType.BF16, entry.DType);
                Assert.Equal(2L * tensor.Length, entry.ByteLength);
                float[] master = new float[tensor.Length];
                model.GetTensor(tensor.Name, master);
                float[] saved = new float[tensor.Length];
                file.ReadSingles(entry, saved);
                Assert.Equal(master.Select(BF16.RoundToSingle), saved);
            }

            // The float32 twin loads the BF16 file and computes the bfloat16 model's bits; a bfloat16 model loads it exactly.
            stream.Position = 0;
            var twin = new StackedModel(seed: 2);
            twin.Load(stream);
            stream.Position = 0;
            var reloaded = new BFloat16StackedModel(seed: 3);
            reloaded.Load(stream);
            Assert.True(reloaded.Parameters.SequenceEqual(twin.Parameters));
            float[] expected = Forward(model);
            Assert.True(Forward(twin).AsSpan().SequenceEqual(expected));
            Assert.True(Forward(reloaded).AsSpan().SequenceEqual(expected));
        }

        [Fact]
        public void LoadingAFloat32FileRoundsToNearestEven()
        {
            // The case's float32 weights (a quarter of them ties) saved by the float32 twin as F32, loaded into the bfloat16 model.
            BFloat16Case reference = BFloat16Case.Load("stacked");
            var twin = new StackedModel(seed: 2);
            reference.LoadInto(twin);
            using var stream = new MemoryStream();
            twin.Save(stream);
            stream.Position = 0;
            Assert.All(SafeTensorsFile.Read(stream).Entries, entry => Assert.Equal(SafeTensorsDType.F32, entry.DType));

            stream.Position = 0;
            var model = new BFloat16StackedModel(seed: 1);
            model.Load(stream);
            var (outputs, hidden, cell) = reference.Run(model);
            Assert.True(ReferenceComparison.MaxAbsoluteError(outputs, reference.Output) <= 1e-6);
            Assert.True(ReferenceComparison.MaxAbsoluteError(hidden, reference.FinalHidden) <= 1e-6);
            Assert.True(ReferenceComparison.MaxAbsoluteError(cell, reference.FinalCell) <= 1e-6);
        }

        [Fact]
        public void ACheckpointKeepsTheFloat32Parameters()
        {
            var model = new BFloat16StackedModel(seed: 1);
            var optimizer = new Adam(1e-3f);
            model.AccumulateGradients(s_inputs, s_targets);
            optimizer.Step(model.Parameters, model.Gradients);
            using var stream = new MemoryStream();
            WeightFile.SaveCheckpoint(model, optimizer.GetState(), stream);
            stream.Position = 0;
            Assert.All(SafeTensorsFile.Read(stream).Entries, entry => Assert.Equal(SafeTensorsDType.F32, entry.DType));
            stream.Position = 0;
            var resumed = new BFloat16StackedModel(seed: 2);
            WeightFile.LoadCheckpoint(resumed, stream);
            Assert.True(resumed.Parameters.SequenceEqual(model.Parameters));
        }

        [Fact]
        public void CompiledWeightsAreTheFilesAndTheStepsReadThemRounded()
        {
            var compiled = new CompiledTinyBFloat16();
            var loaded = new Serialization.CompiledTinyF32();
            Assert.True(compiled.Parameters.SequenceEqual(loaded.Parameters));
            Assert.Contains(loaded.Parameters.ToArray(), value => BF16.RoundToSingle(value) != value);
            foreach (ref float value in loaded.Parameters)
            {
                value = BF16.RoundToSingle(value);
            }

            float[] input = BFloat16Case.Recipe(5000, 6 * CompiledTinyBFloat16.InputSize, 0, ties: false);
            float[] expected = new float[6 * CompiledTinyBFloat16.OutputSize];
            float[] actual = new float[expected.Length];
            loaded.Forward(input, expected);
            compiled.Forward(input, actual);
            Assert.Equal(expected, actual);
        }

        [Fact]
        public void ThePrecisionIsTheAttributes()
        {
            Assert.Equal(WeightPrecision.BFloat16, ((ILstmModel)new BFloat16StackedModel(seed: 1)).WeightPrecision);
            Assert.Equal(WeightPrecision.Float32, ((ILstmModel)new StackedModel(seed: 1)).WeightPrecision);
        }

        [Fact]
        public void StepsAllocateNothingEvenWhenTheyRoundTheCopyAgain() =>
            AssertStepsAllocateNothing(new BFloat16WideModel(seed: 1), new BFloat16WideModel.State[19], (model, states, inputs, outputs) => model.Step(states, inputs, outputs));

        [Fact]
        public void ProjectedStepsAllocateNothingEvenWhenTheyRoundTheCopyAgain() =>
            AssertStepsAllocateNothing(new BFloat16ProjectionWideModel(seed: 1), new BFloat16ProjectionWideModel.State[19], (model, states, inputs, outputs) => model.Step(states, inputs, outputs));

        private delegate void GroupStepOf<TModel, TState>(TModel model, Span<TState> states, ReadOnlySpan<float> inputs, Span<float> outputs);

        /// <summary>Step, Forward and the group step allocate nothing, nor does a step that rounds the copy again.</summary>
        private static void AssertStepsAllocateNothing<TModel, TState>(TModel model, TState[] states, GroupStepOf<TModel, TState> groupStep)
            where TModel : ILstmModel
        {
            float[] input = new float[model.InputSize];
            float[] output = new float[model.OutputSize];
            float[] inputs = new float[5 * model.InputSize];
            float[] outputs = new float[5 * model.OutputSize];
            float[] groupInputs = new float[states.Length * model.InputSize];
            float[] groupOutputs = new float[states.Length * model.OutputSize];
            model.Forward(inputs, outputs);
            groupStep(model, states, groupInputs, groupOutputs);
            Assert.Equal(0, Allocations.OfWarm(() => model.Step(input, output)));
            Assert.Equal(0, Allocations.OfWarm(() => model.Forward(inputs, outputs)));
            Assert.Equal(0, Allocations.OfWarm(() => groupStep(model, states, groupInputs, groupOutputs)));
            Assert.Equal(0, Allocations.OfWarm(() =>
            {
                model.Parameters[0] += 0f; // marks the copy stale: the step rounds it again
                model.Step(input, output);
            }, measured: 20));
        }

        /// <summary>
        /// Gives <paramref name="twin"/> (a float32 model of the same shape) the bfloat16 model's parameters rounded to
        /// bfloat16, and asserts that Forward, steps and the group step of both give the same bits.
        /// </summary>
        private static void AssertTwinOfRoundedParametersGivesTheSameBits(ILstmModel model, ILstmModel twin)
        {
            Span<float> rounded = twin.Parameters;
            model.Parameters.CopyTo(rounded);
            foreach (ref float value in rounded)
            {
                value = BF16.RoundToSingle(value);
            }

            Assert.True(Forward(model).AsSpan().SequenceEqual(Forward(twin)));
            Assert.True(Steps(model).AsSpan().SequenceEqual(Steps(twin)));
            Assert.True(GroupStep(model).AsSpan().SequenceEqual(GroupStep(twin)));
        }

        private static float[] Forward(ILstmModel model)
        {
            model.ResetState();
            float[] outputs = new float[9 * model.OutputSize];
            model.Forward(s_inputs, outputs);
            return outputs;
        }

        private static float[] Steps(ILstmModel model)
        {
            model.ResetState();
            float[] outputs = new float[9 * model.OutputSize];
            for (int t = 0; t < 9; t++)
            {
                model.Step(s_inputs.AsSpan(t * model.InputSize, model.InputSize), outputs.AsSpan(t * model.OutputSize, model.OutputSize));
            }

            return outputs;
        }

        /// <summary>19 agents (whole groups and some left over) one step each, agent a's input the first row times 1 + a.</summary>
        private static float[] GroupStep(ILstmModel model)
        {
            const int agents = 19;
            float[] inputs = new float[agents * model.InputSize];
            for (int i = 0; i < inputs.Length; i++)
            {
                inputs[i] = s_inputs[i % model.InputSize] * (1 + (i / model.InputSize));
            }

            float[] outputs = new float[agents * model.OutputSize];
            switch (model)
            {
                case BFloat16StackedModel narrow:
                    narrow.Step(new BFloat16StackedModel.State[agents], inputs, outputs);
                    break;
                case StackedModel wide:
                    wide.Step(new StackedModel.State[agents], inputs, outputs);
                    break;
                case BFloat16ProjectionWideModel narrowProjected:
                    narrowProjected.Step(new BFloat16ProjectionWideModel.State[agents], inputs, outputs);
                    break;
                case ProjectionWideFloat32Model projected:
                    projected.Step(new ProjectionWideFloat32Model.State[agents], inputs, outputs);
                    break;
                default:
                    throw new ArgumentException(model.GetType().Name, nameof(model));
            }

            return outputs;
        }
    }
}
