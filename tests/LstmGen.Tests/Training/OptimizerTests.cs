using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using LstmGen.Training;
using Xunit;
using Xunit.Abstractions;
using LstmGen.Tests.Support;

namespace LstmGen.Tests.Training
{
    /// <summary>The optimizers against PyTorch, their checkpoints, their checks and their allocations.</summary>
    public sealed class OptimizerTests
    {
        /// <summary>|computed - expected| &lt;= Tolerance * max(1, |expected|).</summary>
        private const double Tolerance = 1e-6;

        private readonly ITestOutputHelper _output;

        public OptimizerTests(ITestOutputHelper output) => _output = output;

        public static TheoryData<string> ReferenceCases => new(OptimizerCase.Names);

        /// <summary>Every configuration worth checkpointing, by name: each optimizer with each kind of buffer.</summary>
        public static TheoryData<string> Configurations => new(s_configurations.Keys);

        private static readonly Dictionary<string, Func<IOptimizer>> s_configurations = new()
        {
            ["Sgd"] = () => new Sgd(0.1f),
            ["Sgd momentum dampening decay"] = () => new Sgd(0.05f, momentum: 0.9f, dampening: 0.1f, weightDecay: 0.01f),
            ["Sgd Nesterov"] = () => new Sgd(0.05f, momentum: 0.9f, nesterov: true),
            ["Adam"] = () => new Adam(0.01f),
            ["Adam decay"] = () => new Adam(0.01f, 0.8f, 0.99f, 1e-6f, weightDecay: 0.1f),
            ["AdamW"] = () => new AdamW(0.01f),
            ["RmsProp"] = () => new RmsProp(),
            ["RmsProp momentum"] = () => new RmsProp(0.01f, momentum: 0.5f),
            ["RmsProp centered"] = () => new RmsProp(0.01f, centered: true, weightDecay: 0.01f),
            ["RmsProp momentum centered"] = () => new RmsProp(0.01f, alpha: 0.9f, momentum: 0.9f, centered: true),
        };

        [Theory]
        [MemberData(nameof(ReferenceCases))]
        public void MatchesPyTorchAfterEveryStep(string name)
        {
            OptimizerCase reference = OptimizerCase.Load(name);
            IOptimizer optimizer = reference.CreateOptimizer();
            float[] parameters = OptimizerCase.ToSingle(reference.Start);
            double largestError = 0;
            for (int step = 0; step < reference.Gradients.Length; step++)
            {
                optimizer.Step(parameters, OptimizerCase.ToSingle(reference.Gradients[step]));
                Assert.Equal(step + 1, optimizer.StepCount);
                double[] expected = reference.ParametersAfterEachStep[step];
                Assert.Equal(expected.Length, parameters.Length);
                for (int i = 0; i < parameters.Length; i++)
                {
                    double error = Math.Abs(parameters[i] - expected[i]) / Math.Max(1.0, Math.Abs(expected[i]));
                    largestError = Math.Max(largestError, double.IsNaN(error) ? double.PositiveInfinity : error);
                    Assert.True(
                        error <= Tolerance,
                        $"{name}, step {step + 1}, element {i}: {parameters[i]:R} computed, {expected[i]:R} expected (relative error {error:E3}).");
                }
            }

            _output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name}: {reference.Gradients.Length} steps, largest relative error {largestError:E3}"));
        }

        [Theory]
        [MemberData(nameof(Configurations))]
        public void RestoredOptimizerContinuesWithTheSameBits(string configuration)
        {
            const int Length = 37; // vectors of every width, and a scalar remainder
            const int Steps = 12;
            const int Checkpoint = 5;
            float[][] gradients = RandomVectors(seed: 1, Steps, Length);
            float[] start = RandomVectors(seed: 2, 1, Length)[0];

            IOptimizer uninterrupted = s_configurations[configuration]();
            float[] expected = (float[])start.Clone();
            for (int step = 0; step < Steps; step++)
            {
                uninterrupted.LearningRate = 0.01f * (1 + step); // the learning rate travels with the state
                uninterrupted.Step(expected, gradients[step]);
            }

            IOptimizer first = s_configurations[configuration]();
            float[] parameters = (float[])start.Clone();
            for (int step = 0; step < Checkpoint; step++)
            {
                first.LearningRate = 0.01f * (1 + step);
                first.Step(parameters, gradients[step]);
            }

            first.LearningRate = 0.01f * (1 + Checkpoint);
            OptimizerState state = first.GetState();
            first.Step(new float[Length], new float[Length]); // the state is a copy: changing the optimizer later does not change it

            IOptimizer restored = s_configurations[configuration]();
            restored.SetState(state);
            Assert.Equal(Checkpoint, restored.StepCount);
            Assert.Equal(first.GetType().Name, state.Kind);
            for (int step = Checkpoint; step < Steps; step++)
            {
                restored.Step(parameters, gradients[step]);
                restored.LearningRate = 0.01f * (2 + step);
            }

            Assert.Equal(Bits(expected), Bits(parameters));
        }

        [Fact]
        public void StateBufferNamesAreThoseOfPyTorch()
        {
            Assert.Equal(Array.Empty<string>(), BufferNames(new Sgd(0.1f)));
            Assert.Equal(new[] { "momentum_buffer" }, BufferNames(new Sgd(0.1f, momentum: 0.9f)));
            Assert.Equal(new[] { "exp_avg", "exp_avg_sq" }, BufferNames(new Adam()));
            Assert.Equal(new[] { "exp_avg", "exp_avg_sq" }, BufferNames(new AdamW()));
            Assert.Equal(new[] { "square_avg" }, BufferNames(new RmsProp()));
            Assert.Equal(new[] { "square_avg", "momentum_buffer", "grad_avg" }, BufferNames(new RmsProp(momentum: 0.9f, centered: true)));
            Assert.Equal(new[] { "square_avg", "grad_avg" }, BufferNames(new RmsProp(centered: true)));

            var adam = new Adam();
            OptimizerState before = adam.GetState();
            Assert.Equal("Adam", before.Kind);
            Assert.Equal(0, before.StepCount);
            Assert.Empty(before.Buffers);
            Assert.Equal(1e-3f, before.LearningRate);

            static string[] BufferNames(IOptimizer optimizer)
            {
                optimizer.Step(new float[3], new float[] { 1, 2, 3 });
                OptimizerState state = optimizer.GetState();
                Assert.All(state.Buffers, buffer => Assert.Equal(3, buffer.Value.Length));
                return state.Buffers.Select(buffer => buffer.Key).ToArray();
            }
        }

        [Fact]
        public void DefaultsAreThoseOfPyTorch()
        {
            var sgd = new Sgd(0.1f);
            Assert.Equal((0f, 0f, false, 0f), (sgd.Momentum, sgd.Dampening, sgd.Nesterov, sgd.WeightDecay));
            var adam = new Adam();
            Assert.Equal((1e-3f, 0.9f, 0.999f, 1e-8f, 0f), (adam.LearningRate, adam.Beta1, adam.Beta2, adam.Epsilon, adam.WeightDecay));
            var adamW = new AdamW();
            Assert.Equal((1e-3f, 0.9f, 0.999f, 1e-8f, 1e-2f), (adamW.LearningRate, adamW.Beta1, adamW.Beta2, adamW.Epsilon, adamW.WeightDecay));
            var rmsProp = new RmsProp();
            Assert.Equal((1e-2f, 0.99f, 1e-8f, 0f, 0f, false), (rmsProp.LearningRate, rmsProp.Alpha, rmsProp.Epsilon, rmsProp.WeightDecay, rmsProp.Momentum, rmsProp.Centered));
        }

        [Theory]
        [MemberData(nameof(Configurations))]
        public void VectorAndScalarElementsGetTheSameBits(string configuration)
        {
            // One optimizer over 37 elements (vectors of the widest accelerated width, then narrower,
            // then scalars) against one optimizer per element (scalar code only).
            const int Length = 37;
            float[][] gradients = RandomVectors(seed: 3, 6, Length);
            float[] together = RandomVectors(seed: 4, 1, Length)[0];
            float[] apart = (float[])together.Clone();
            IOptimizer whole = s_configurations[configuration]();
            IOptimizer[] perElement = Enumerable.Range(0, Length).Select(_ => s_configurations[configuration]()).ToArray();
            foreach (float[] gradient in gradients)
            {
                whole.Step(together, gradient);
                for (int i = 0; i < Length; i++)
                {
                    perElement[i].Step(apart.AsSpan(i, 1), gradient.AsSpan(i, 1));
                }
            }

            Assert.Equal(Bits(apart), Bits(together));
        }

        [Theory]
        [MemberData(nameof(Configurations))]
        public void ResetStartsOverAndAcceptsAnotherLength(string configuration)
        {
            float[][] gradients = RandomVectors(seed: 5, 3, 20);
            float[] start = RandomVectors(seed: 6, 1, 20)[0];
            IOptimizer optimizer = s_configurations[configuration]();
            optimizer.Step(new float[7], new float[7]);
            optimizer.Step(new float[7], RandomVectors(seed: 7, 1, 7)[0]);
            optimizer.Reset();
            Assert.Equal(0, optimizer.StepCount);

            IOptimizer fresh = s_configurations[configuration]();
            float[] afterReset = (float[])start.Clone();
            float[] fromFresh = (float[])start.Clone();
            foreach (float[] gradient in gradients)
            {
                optimizer.Step(afterReset, gradient);
                fresh.Step(fromFresh, gradient);
            }

            Assert.Equal(Bits(fromFresh), Bits(afterReset));
        }

        [Theory]
        [MemberData(nameof(Configurations))]
        public void StepsAllocateNothingAfterTheFirst(string configuration)
        {
            const int Length = 1027;
            float[] parameters = RandomVectors(seed: 8, 1, Length)[0];
            float[] gradient = RandomVectors(seed: 9, 1, Length)[0];
            IOptimizer optimizer = s_configurations[configuration]();
            Assert.Equal(0, Allocations.OfWarm(() => optimizer.Step(parameters, gradient)));
        }

        [Fact]
        public void RestoringTheSameLengthReusesTheBuffers()
        {
            var adam = new Adam();
            float[] parameters = new float[64];
            float[] gradient = RandomVectors(seed: 10, 1, 64)[0];
            adam.Step(parameters, gradient);
            OptimizerState state = adam.GetState();
            adam.SetState(state); // compiled and warmed up

            long before = GC.GetAllocatedBytesForCurrentThread();
            adam.SetState(state);
            adam.Step(parameters, gradient);
            Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        // ---- Errors ----

        [Theory]
        [MemberData(nameof(Configurations))]
        public void StepRejectsSpansOfDifferentLengths(string configuration)
        {
            IOptimizer optimizer = s_configurations[configuration]();
            var mismatch = Assert.Throws<ArgumentException>(() => optimizer.Step(new float[5], new float[4]));
            Assert.Contains("5", mismatch.Message, StringComparison.Ordinal);
            Assert.Contains("4", mismatch.Message, StringComparison.Ordinal);
            Assert.Equal(0, optimizer.StepCount);

            optimizer.Step(new float[6], new float[6]);
            var changed = Assert.Throws<ArgumentException>(() => optimizer.Step(new float[9], new float[9]));
            Assert.Contains("9", changed.Message, StringComparison.Ordinal);
            Assert.Contains("6", changed.Message, StringComparison.Ordinal);
            Assert.Contains("Reset()", changed.Message, StringComparison.Ordinal);
            Assert.Equal(1, optimizer.StepCount);
        }

        public static TheoryData<string, string, string> BadHyperparameters => new()
        {
            { "Sgd lr", "learningRate", "-0.1" },
            { "Sgd momentum", "momentum", "-0.5" },
            { "Sgd weight decay", "weightDecay", "-0.01" },
            { "Sgd NaN lr", "learningRate", "NaN" },
            { "Adam lr", "learningRate", "-1" },
            { "Adam eps", "epsilon", "-1E-08" },
            { "Adam beta1", "beta1", "1" },
            { "Adam beta2", "beta2", "-0.5" },
            { "Adam weight decay", "weightDecay", "-0.1" },
            { "AdamW beta1", "beta1", "1.5" },
            { "AdamW weight decay", "weightDecay", "-0.01" },
            { "RmsProp lr", "learningRate", "-0.01" },
            { "RmsProp alpha", "alpha", "-0.99" },
            { "RmsProp eps", "epsilon", "-1" },
            { "RmsProp momentum", "momentum", "-0.9" },
            { "RmsProp weight decay", "weightDecay", "-0.5" },
            { "Sgd lr setter", "value", "-2" },
            { "Adam lr setter", "value", "-3" },
        };

        [Theory]
        [MemberData(nameof(BadHyperparameters))]
        public void BadHyperparametersAreRejectedWithTheirValue(string construction, string parameterName, string value)
        {
            Action create = construction switch
            {
                "Sgd lr" => () => _ = new Sgd(-0.1f),
                "Sgd momentum" => () => _ = new Sgd(0.1f, momentum: -0.5f),
                "Sgd weight decay" => () => _ = new Sgd(0.1f, weightDecay: -0.01f),
                "Sgd NaN lr" => () => _ = new Sgd(float.NaN),
                "Adam lr" => () => _ = new Adam(-1f),
                "Adam eps" => () => _ = new Adam(epsilon: -1e-8f),
                "Adam beta1" => () => _ = new Adam(beta1: 1f),
                "Adam beta2" => () => _ = new Adam(beta2: -0.5f),
                "Adam weight decay" => () => _ = new Adam(weightDecay: -0.1f),
                "AdamW beta1" => () => _ = new AdamW(beta1: 1.5f),
                "AdamW weight decay" => () => _ = new AdamW(weightDecay: -0.01f),
                "RmsProp lr" => () => _ = new RmsProp(-0.01f),
                "RmsProp alpha" => () => _ = new RmsProp(alpha: -0.99f),
                "RmsProp eps" => () => _ = new RmsProp(epsilon: -1f),
                "RmsProp momentum" => () => _ = new RmsProp(momentum: -0.9f),
                "RmsProp weight decay" => () => _ = new RmsProp(weightDecay: -0.5f),
                "Sgd lr setter" => () => new Sgd(0.1f).LearningRate = -2f,
                "Adam lr setter" => () => new Adam().LearningRate = -3f,
                _ => throw new ArgumentOutOfRangeException(nameof(construction)),
            };

            var exception = Assert.Throws<ArgumentOutOfRangeException>(create);
            Assert.Equal(parameterName, exception.ParamName);
            Assert.Contains($"{parameterName} must be", exception.Message, StringComparison.Ordinal);
            Assert.Contains($"but is {value}.", exception.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void NesterovNeedsMomentumAndNoDampening()
        {
            var noMomentum = Assert.Throws<ArgumentException>(() => new Sgd(0.1f, nesterov: true));
            Assert.Equal("nesterov", noMomentum.ParamName);
            Assert.Contains("momentum is 0 and dampening is 0", noMomentum.Message, StringComparison.Ordinal);

            var dampening = Assert.Throws<ArgumentException>(() => new Sgd(0.1f, momentum: 0.9f, dampening: 0.1f, nesterov: true));
            Assert.Contains("momentum is 0.9 and dampening is 0.1", dampening.Message, StringComparison.Ordinal);

            _ = new Sgd(0.1f, momentum: 0.9f, nesterov: true);
            _ = new Sgd(0.1f, momentum: 0.9f, dampening: 0.1f); // dampening without Nesterov is fine
        }

        [Fact]
        public void SetStateRejectsAnotherKind()
        {
            var adam = new Adam();
            adam.Step(new float[4], new float[] { 1, 2, 3, 4 });
            var adamW = new AdamW();
            var exception = Assert.Throws<ArgumentException>(() => adamW.SetState(adam.GetState()));
            Assert.Equal("state", exception.ParamName);
            Assert.Contains("'Adam'", exception.Message, StringComparison.Ordinal);
            Assert.Contains("'AdamW'", exception.Message, StringComparison.Ordinal);
            Assert.Equal(0, adamW.StepCount);
        }

        [Fact]
        public void SetStateRejectsBuffersOfDifferentLengths()
        {
            var state = new OptimizerState("Adam", 0.01f, 3, new[]
            {
                new KeyValuePair<string, float[]>("exp_avg", new float[5]),
                new KeyValuePair<string, float[]>("exp_avg_sq", new float[4]),
            });
            var adam = new Adam();
            var exception = Assert.Throws<ArgumentException>(() => adam.SetState(state));
            Assert.Contains("'exp_avg_sq'", exception.Message, StringComparison.Ordinal);
            Assert.Contains("has 4 floats", exception.Message, StringComparison.Ordinal);
            Assert.Contains("'exp_avg' has 5", exception.Message, StringComparison.Ordinal);
            Assert.Equal(0, adam.StepCount);
        }

        [Fact]
        public void SetStateRejectsBuffersForOtherParameters()
        {
            var source = new RmsProp();
            source.Step(new float[8], new float[8]);
            var sized = new RmsProp();
            sized.Step(new float[10], new float[10]);
            var exception = Assert.Throws<ArgumentException>(() => sized.SetState(source.GetState()));
            Assert.Contains("8 floats", exception.Message, StringComparison.Ordinal);
            Assert.Contains("sized for 10", exception.Message, StringComparison.Ordinal);
            Assert.Equal(1, sized.StepCount);

            sized.Reset();
            sized.SetState(source.GetState());
            Assert.Equal(1, sized.StepCount);
            sized.Step(new float[8], new float[8]);
        }

        [Fact]
        public void SetStateRejectsMissingOrUnknownBuffers()
        {
            var withMomentum = new Sgd(0.1f, momentum: 0.9f);
            var missing = new OptimizerState("Sgd", 0.1f, 2, Array.Empty<KeyValuePair<string, float[]>>());
            var exception = Assert.Throws<ArgumentException>(() => withMomentum.SetState(missing));
            Assert.Contains("[momentum_buffer]", exception.Message, StringComparison.Ordinal);
            Assert.Contains("[none]", exception.Message, StringComparison.Ordinal);

            var unknown = new OptimizerState("Adam", 0.1f, 2, new[]
            {
                new KeyValuePair<string, float[]>("exp_avg", new float[3]),
                new KeyValuePair<string, float[]>("max_exp_avg_sq", new float[3]),
            });
            exception = Assert.Throws<ArgumentException>(() => new Adam().SetState(unknown));
            Assert.Contains("[exp_avg, exp_avg_sq]", exception.Message, StringComparison.Ordinal);
            Assert.Contains("[exp_avg, max_exp_avg_sq]", exception.Message, StringComparison.Ordinal);

            var negativeRate = new OptimizerState("Adam", -0.1f, 0, Array.Empty<KeyValuePair<string, float[]>>());
            Assert.Throws<ArgumentOutOfRangeException>(() => new Adam().SetState(negativeRate));
        }

        private static float[][] RandomVectors(long seed, int count, int length)
        {
            var random = new DeterministicRandom(seed);
            return Enumerable.Range(0, count)
                .Select(_ => Enumerable.Range(0, length).Select(_ => (float)((random.NextUInt32() / (double)uint.MaxValue * 4.0) - 2.0)).ToArray())
                .ToArray();
        }

        private static int[] Bits(float[] values) => values.Select(BitConverter.SingleToInt32Bits).ToArray();
    }
}
