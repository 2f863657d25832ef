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
    /// <summary>
    /// <see cref="WeightFile.LoadCheckpoint(ILstmModel, IOptimizer, Stream, WeightLoadOptions?)"/> checks the
    /// whole checkpoint and the optimizer's acceptance before it changes either; learning rates that no
    /// optimizer takes are refused on load.
    /// </summary>
    public sealed class CheckpointAllOrNothingTests
    {
        private static byte[] AdamCheckpoint(ILstmModel model)
        {
            var optimizer = new Adam(0.01f);
            optimizer.Step(model.Parameters.ToArray(), Enumerable.Range(0, model.ParameterCount).Select(i => (i % 5) * 0.1f).ToArray());
            var stream = new MemoryStream();
            WeightFile.SaveCheckpoint(model, optimizer.GetState(), stream);
            return stream.ToArray();
        }

        /// <summary>The checkpoint with one metadata value written as <paramref name="text"/>.</summary>
        private static byte[] WithMetadata(byte[] checkpoint, string key, string text)
        {
            SafeTensorsFile file = SafeTensorsFile.Read(new MemoryStream(checkpoint));
            var metadata = file.Metadata.Select(pair => pair.Key == key ? KeyValuePair.Create(key, text) : pair).ToList();
            var output = new MemoryStream();
            SafeTensorsFile.Write(output, file.Entries.Select(e => new SafeTensorsTensor(e.Name, e.DType, e.Shape, file.GetData(e))), metadata);
            return output.ToArray();
        }

        private static void SameOptimizer(OptimizerState expected, IOptimizer optimizer)
        {
            OptimizerState actual = optimizer.GetState();
            Assert.Equal(expected.Kind, actual.Kind);
            Assert.Equal(expected.LearningRate, actual.LearningRate);
            Assert.Equal(expected.StepCount, actual.StepCount);
            Assert.Equal(expected.Buffers.Select(b => b.Key), actual.Buffers.Select(b => b.Key));
            for (int i = 0; i < expected.Buffers.Count; i++)
            {
                Assert.Equal(Bits(expected.Buffers[i].Value), Bits(actual.Buffers[i].Value));
            }
        }

        [Fact]
        public void LoadsTheModelAndTheOptimizerTogether()
        {
            var source = new TinyModel(seed: 1);
            byte[] checkpoint = AdamCheckpoint(source);
            var target = new TinyModel(seed: 2);
            var optimizer = new Adam(0.5f);
            WeightFile.LoadCheckpoint(target, optimizer, new MemoryStream(checkpoint));
            SameWeights(source, target);
            Assert.Equal(1, optimizer.StepCount);
            Assert.Equal(0.01f, optimizer.LearningRate);
        }

        public static TheoryData<IOptimizer> OtherOptimizers => new() { new Sgd(0.1f, momentum: 0.9f), new RmsProp(0.01f), new AdamW(0.01f) };

        [Theory]
        [MemberData(nameof(OtherOptimizers))]
        public void AnOptimizerThatRefusesTheStateLeavesTheModelAndTheOptimizerAsTheyWere(IOptimizer optimizer)
        {
            byte[] checkpoint = AdamCheckpoint(new TinyModel(seed: 1));
            var model = new TinyModel(seed: 2);
            optimizer.Step(model.Parameters, new float[TinyModel.ParameterCount]);
            int[] before = Bits(model.Parameters);
            OptimizerState state = optimizer.GetState();

            WeightFileException exception = Refuses(() => WeightFile.LoadCheckpoint(model, optimizer, new MemoryStream(checkpoint)), "'Adam'", "Neither the model nor the optimizer was changed");
            Assert.IsAssignableFrom<ArgumentException>(exception.InnerException);
            Unchanged(before, model);
            SameOptimizer(state, optimizer);
        }

        [Theory]
        [InlineData("NaN")]
        [InlineData("-1")]
        [InlineData("1e39")]
        [InlineData("-Infinity")]
        [InlineData("∞")]
        public void ALearningRateNoOptimizerTakesIsRefusedBeforeAnythingChanges(string text)
        {
            byte[] checkpoint = WithMetadata(AdamCheckpoint(new TinyModel(seed: 1)), "lstmgen.optimizer.learning_rate", text);
            var model = new TinyModel(seed: 2);
            int[] before = Bits(model.Parameters);
            Refuses(() => WeightFile.LoadCheckpoint(model, new MemoryStream(checkpoint)), "lstmgen.optimizer.learning_rate", text);
            Unchanged(before, model);

            var optimizer = new Adam(0.5f);
            Refuses(() => WeightFile.LoadCheckpoint(model, optimizer, new MemoryStream(checkpoint)), "lstmgen.optimizer.learning_rate");
            Unchanged(before, model);
            Assert.Equal(0.5f, optimizer.LearningRate);
            Assert.Equal(0, optimizer.StepCount);
        }

        [Fact]
        public void OptimizersAndSchedulesRefuseAnInfiniteLearningRate()
        {
            Assert.Throws<ArgumentOutOfRangeException>(() => new Adam(float.PositiveInfinity));
            Assert.Throws<ArgumentOutOfRangeException>(() => new AdamW(float.PositiveInfinity));
            Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd(float.PositiveInfinity));
            Assert.Throws<ArgumentOutOfRangeException>(() => new RmsProp(float.PositiveInfinity));
            Assert.Throws<ArgumentOutOfRangeException>(() => new ConstantSchedule(float.PositiveInfinity));
            var adam = new Adam();
            Assert.Throws<ArgumentOutOfRangeException>(() => adam.LearningRate = float.PositiveInfinity);
            Assert.Throws<ArgumentOutOfRangeException>(() => adam.SetState(new OptimizerState("Adam", float.PositiveInfinity, 0, Array.Empty<KeyValuePair<string, float[]>>())));
            Assert.Equal(1e-3f, adam.LearningRate);
            Assert.Throws<ArgumentException>(() => WeightFile.SaveCheckpoint(new TinyModel(), new OptimizerState("Adam", float.NaN, 0, Array.Empty<KeyValuePair<string, float[]>>()), new MemoryStream()));
        }
    }
}
