using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using LstmGen.Serialization;
using LstmGen.Tests.Reference;
using LstmGen.Training;
using Xunit;
using static LstmGen.Tests.Serialization.ModelAssert;

namespace LstmGen.Tests.Serialization
{
    /// <summary>Checkpoints: the weights plus an optimizer's state, restored exactly.</summary>
    public sealed class CheckpointTests
    {
        public static TheoryData<float> LearningRates => new()
        {
            1e-3f, 3e-4f, 0.1f, 1f / 3f, BitConverter.Int32BitsToSingle(0x3A83126F + 1), float.Epsilon, float.MaxValue, 0f, -0f,
        };

        private static float[] Buffer(int length, int seed)
        {
            var random = new DeterministicRandom(seed);
            float[] values = new float[length];
            for (int i = 0; i < length; i++)
            {
                values[i] = random.NextSingle(-1f, 1f) * MathF.Pow(10f, (i % 13) - 6);
            }

            values[0] = -0f;
            values[1] = -float.MaxValue;
            values[2] = 1e-42f; // subnormal
            return values;
        }

        private static OptimizerState AdamState(ILstmModel model, float learningRate = 3e-4f, long step = 1_234_567_890_123) => new(
            "Adam",
            learningRate,
            step,
            new[]
            {
                KeyValuePair.Create("exp_avg", Buffer(model.ParameterCount, 1)),
                KeyValuePair.Create("exp_avg_sq", Buffer(model.ParameterCount, 2)),
            });

        private static byte[] Checkpoint(ILstmModel model, OptimizerState state)
        {
            var stream = new MemoryStream();
            WeightFile.SaveCheckpoint(model, state, stream);
            return stream.ToArray();
        }

        private static void SameState(OptimizerState expected, OptimizerState actual)
        {
            Assert.Equal(expected.Kind, actual.Kind);
            Assert.Equal(BitConverter.SingleToInt32Bits(expected.LearningRate), BitConverter.SingleToInt32Bits(actual.LearningRate));
            Assert.Equal(expected.StepCount, actual.StepCount);
            Assert.Equal(expected.Buffers.Select(b => b.Key), actual.Buffers.Select(b => b.Key));
            for (int i = 0; i < expected.Buffers.Count; i++)
            {
                Assert.True(Bits(expected.Buffers[i].Value).SequenceEqual(Bits(actual.Buffers[i].Value)), $"Buffer '{expected.Buffers[i].Key}' differs.");
            }
        }

        [Fact]
        public void RoundTripsThroughAStream()
        {
            var model = new StackedModel(seed: 1);
            OptimizerState state = AdamState(model);
            var target = new StackedModel(seed: 2);
            OptimizerState loaded = WeightFile.LoadCheckpoint(target, new MemoryStream(Checkpoint(model, state)));
            SameWeights(model, target);
            SameState(state, loaded);

            var trickled = new StackedModel(seed: 3);
            SameState(state, WeightFile.LoadCheckpoint(trickled, new TrickleStream(Checkpoint(model, state))));
            SameWeights(model, trickled);
        }

        [Fact]
        public void RoundTripsThroughAFile()
        {
            using var directory = new TemporaryDirectory();
            string path = directory.File("checkpoint.safetensors");
            var model = new TinyModel(seed: 1);
            OptimizerState state = AdamState(model);
            WeightFile.SaveCheckpoint(new TinyModel(seed: 9), AdamState(model, step: 1), path);
            WeightFile.SaveCheckpoint(model, state, path);
            Assert.Equal(new[] { "checkpoint.safetensors" }, directory.Entries());

            var target = new TinyModel(seed: 2);
            SameState(state, WeightFile.LoadCheckpoint(target, path));
            SameWeights(model, target);
        }

        [Theory]
        [MemberData(nameof(LearningRates))]
        public void TheLearningRateSurvivesBitForBit(float learningRate)
        {
            var model = new TinyModel(seed: 1);
            OptimizerState state = AdamState(model, learningRate);
            SameState(state, WeightFile.LoadCheckpoint(new TinyModel(seed: 0), new MemoryStream(Checkpoint(model, state))));
        }

        [Fact]
        public void StoresBuffersAsF32TensorsAndTheRestAsMetadata()
        {
            var model = new TinyModel(seed: 1);
            SafeTensorsFile file = SafeTensorsFile.Read(new MemoryStream(Checkpoint(model, AdamState(model, 1e-3f, 42))));
            Assert.True(file.TryGetEntry("optimizer.exp_avg", out SafeTensorsEntry? expAvg));
            Assert.Equal(SafeTensorsDType.F32, expAvg.DType);
            Assert.Equal(new long[] { TinyModel.ParameterCount }, expAvg.Shape);
            Assert.True(file.TryGetEntry("optimizer.exp_avg_sq", out _));
            Assert.Equal("Adam", file.Metadata["lstmgen.optimizer.kind"]);
            Assert.Equal("0.001", file.Metadata["lstmgen.optimizer.learning_rate"]);
            Assert.Equal("42", file.Metadata["lstmgen.optimizer.step"]);
            Assert.Equal("exp_avg,exp_avg_sq", file.Metadata["lstmgen.optimizer.buffers"]);
            Assert.Equal("pt", file.Metadata["format"]);
        }

        [Fact]
        public void RoundTripsAStateWithoutBuffers()
        {
            var model = new TinyModel(seed: 1);
            var sgd = new OptimizerState("SGD", 0.01f, 0, Array.Empty<KeyValuePair<string, float[]>>());
            var target = new TinyModel(seed: 2);
            SameState(sgd, WeightFile.LoadCheckpoint(target, new MemoryStream(Checkpoint(model, sgd))));
            SameWeights(model, target);
        }

        [Fact]
        public void APlainLoadReadsTheWeightsOfACheckpoint()
        {
            var model = new TinyModel(seed: 1);
            var target = new TinyModel(seed: 2);
            WeightFile.Load(target, new MemoryStream(Checkpoint(model, AdamState(model))));
            SameWeights(model, target);
        }

        [Fact]
        public void ResumingFromACheckpointContinuesExactly()
        {
            // A test-only optimizer with state: ten steps straight equal five, a checkpoint, and five more.
            var straight = new TinyModel(seed: 1);
            var straightOptimizer = new MomentumFake(0.05f);
            for (int step = 0; step < 10; step++)
            {
                straightOptimizer.Step(straight.Parameters, Gradient(straight.Parameters, step));
            }

            var first = new TinyModel(seed: 1);
            var firstOptimizer = new MomentumFake(0.05f);
            for (int step = 0; step < 5; step++)
            {
                firstOptimizer.Step(first.Parameters, Gradient(first.Parameters, step));
            }

            byte[] checkpoint = Checkpoint(first, firstOptimizer.GetState());
            var resumed = new TinyModel(seed: 7);
            var resumedOptimizer = new MomentumFake(1f);
            resumedOptimizer.SetState(WeightFile.LoadCheckpoint(resumed, new MemoryStream(checkpoint)));
            for (int step = 5; step < 10; step++)
            {
                resumedOptimizer.Step(resumed.Parameters, Gradient(resumed.Parameters, step));
            }

            Assert.Equal(Bits(straight.Parameters), Bits(resumed.Parameters));
            Assert.Equal(straightOptimizer.StepCount, resumedOptimizer.StepCount);
        }

        private static float[] Gradient(ReadOnlySpan<float> parameters, int step)
        {
            float[] gradient = new float[parameters.Length];
            for (int i = 0; i < gradient.Length; i++)
            {
                gradient[i] = (parameters[i] * 0.3f) + (((i + step) % 5) * 0.01f);
            }

            return gradient;
        }

        // ---- Refusals ----

        [Fact]
        public void RefusesToSaveBuffersOfTheWrongLength()
        {
            var model = new TinyModel(seed: 1);
            var state = new OptimizerState("Adam", 1e-3f, 1, new[] { KeyValuePair.Create("exp_avg", new float[3]) });
            ArgumentException exception = Assert.Throws<ArgumentException>(() => WeightFile.SaveCheckpoint(model, state, new MemoryStream()));
            Assert.Contains("'exp_avg' has 3 floats", exception.Message, StringComparison.Ordinal);
            Assert.Contains("154 parameters", exception.Message, StringComparison.Ordinal);

            var twice = new OptimizerState("Adam", 1e-3f, 1, new[] { KeyValuePair.Create("m", new float[154]), KeyValuePair.Create("m", new float[154]) });
            Assert.Throws<ArgumentException>(() => WeightFile.SaveCheckpoint(model, twice, new MemoryStream()));
            var comma = new OptimizerState("Adam", 1e-3f, 1, new[] { KeyValuePair.Create("a,b", new float[154]) });
            Assert.Throws<ArgumentException>(() => WeightFile.SaveCheckpoint(model, comma, new MemoryStream()));
        }

        [Fact]
        public void RefusesAPlainWeightFileAsACheckpoint()
        {
            var model = new TinyModel(seed: 1);
            var stream = new MemoryStream();
            WeightFile.Save(model, stream);
            var target = new TinyModel(seed: 2);
            int[] before = Bits(target.Parameters);
            Refuses(
                () => WeightFile.LoadCheckpoint(target, new MemoryStream(stream.ToArray())),
                "not an LstmGen checkpoint",
                "lstmgen.optimizer.kind",
                $"({stream.Length} bytes)");
            Unchanged(before, target);
        }

        [Fact]
        public void RefusesAnOptimizerBufferOfTheWrongShape()
        {
            var model = new TinyModel(seed: 1);
            byte[] bytes = SafeTensorsBytes.Rewrite(
                Checkpoint(model, AdamState(model)),
                tensors => tensors.Select(t => t.Name == "optimizer.exp_avg_sq" ? SafeTensorsTensor.FromSingles(t.Name, new long[] { 2, 77 }, new float[154]) : t));
            var target = new TinyModel(seed: 2);
            int[] before = Bits(target.Parameters);
            Refuses(
                () => WeightFile.LoadCheckpoint(target, new MemoryStream(bytes)),
                "Tensor 'optimizer.exp_avg_sq' has shape [2, 77]",
                "expects [154]",
                "data offsets [1232, 1848]");
            Unchanged(before, target);
        }

        [Fact]
        public void RefusesMissingAndUnlistedOptimizerBuffers()
        {
            var model = new TinyModel(seed: 1);
            byte[] checkpoint = Checkpoint(model, AdamState(model));
            byte[] missing = SafeTensorsBytes.Rewrite(checkpoint, tensors => tensors.Where(t => t.Name != "optimizer.exp_avg"));
            Refuses(() => WeightFile.LoadCheckpoint(new TinyModel(seed: 2), new MemoryStream(missing)), "no tensor 'optimizer.exp_avg' [154]", "'exp_avg,exp_avg_sq'");

            byte[] extra = SafeTensorsBytes.Rewrite(checkpoint, tensors => tensors.Append(SafeTensorsTensor.FromSingles("optimizer.momentum", new long[] { 154 }, new float[154])));
            Refuses(() => WeightFile.LoadCheckpoint(new TinyModel(seed: 2), new MemoryStream(extra)), "does not list", "'optimizer.momentum' F32 [154]");
        }

        [Fact]
        public void RefusesUnreadableMetadata()
        {
            var model = new TinyModel(seed: 1);
            byte[] checkpoint = Checkpoint(model, AdamState(model));
            SafeTensorsFile file = SafeTensorsFile.Read(new MemoryStream(checkpoint));

            byte[] WithMetadata(string key, string? value)
            {
                var metadata = file.Metadata.Where(p => p.Key != key).ToList();
                if (value is not null)
                {
                    metadata.Add(KeyValuePair.Create(key, value));
                }

                var stream = new MemoryStream();
                SafeTensorsFile.Write(stream, file.Entries.Select(e => new SafeTensorsTensor(e.Name, e.DType, e.Shape, file.GetData(e))), metadata);
                return stream.ToArray();
            }

            Refuses(() => WeightFile.LoadCheckpoint(new TinyModel(seed: 2), new MemoryStream(WithMetadata("lstmgen.optimizer.learning_rate", "fast"))), "'lstmgen.optimizer.learning_rate' is 'fast'");
            Refuses(() => WeightFile.LoadCheckpoint(new TinyModel(seed: 2), new MemoryStream(WithMetadata("lstmgen.optimizer.step", "-1"))), "'lstmgen.optimizer.step' is '-1'");
            Refuses(() => WeightFile.LoadCheckpoint(new TinyModel(seed: 2), new MemoryStream(WithMetadata("lstmgen.optimizer.buffers", null))), "no 'lstmgen.optimizer.buffers'");
        }

        [Fact]
        public void ACheckpointOfAnotherModelIsRefusedOnItsWeights()
        {
            var model = new OddSizesModel(seed: 1);
            byte[] checkpoint = Checkpoint(model, AdamState(model));
            var target = new TinyModel(seed: 2);
            int[] before = Bits(target.Parameters);
            Refuses(() => WeightFile.LoadCheckpoint(target, new MemoryStream(checkpoint)), "'lstm.weight_ih_l0' has shape [52, 5]", "expects [16, 3]");
            Unchanged(before, target);
        }

        /// <summary>SGD with momentum, enough to show that a checkpoint resumes an optimizer exactly.</summary>
        private sealed class MomentumFake : IOptimizer
        {
            private float[]? _velocity;

            public MomentumFake(float learningRate) => LearningRate = learningRate;

            public float LearningRate { get; set; }

            public long StepCount { get; private set; }

            public void Step(Span<float> parameters, ReadOnlySpan<float> gradients)
            {
                _velocity ??= new float[parameters.Length];
                for (int i = 0; i < parameters.Length; i++)
                {
                    _velocity[i] = (0.9f * _velocity[i]) + gradients[i];
                    parameters[i] -= LearningRate * _velocity[i];
                }

                StepCount++;
            }

            public void Reset()
            {
                _velocity = null;
                StepCount = 0;
            }

            public OptimizerState GetState() => new(
                "MomentumFake",
                LearningRate,
                StepCount,
                _velocity is null ? Array.Empty<KeyValuePair<string, float[]>>() : new[] { KeyValuePair.Create("momentum_buffer", (float[])_velocity.Clone()) });

            public void SetState(OptimizerState state)
            {
                Assert.Equal("MomentumFake", state.Kind);
                LearningRate = state.LearningRate;
                StepCount = state.StepCount;
                _velocity = state.Buffers.Count == 0 ? null : (float[])state.Buffers[0].Value.Clone();
            }
        }
    }
}
