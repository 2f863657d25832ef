using System;
using System.Linq;
using LstmGen.Tests.Reference;
using LstmGen.Tests.Support;
using Xunit;

namespace LstmGen.Tests.Training
{
    /// <summary>Backpropagation through time of the generated models against PyTorch's autograd.</summary>
    public sealed class GradientTests
    {
        private const double LossTolerance = 1e-5;
        private const double GradientTolerance = 1e-4;

        public static TheoryData<string> Cases => new(ReferenceCase.LstmCaseNames);

        [Theory]
        [MemberData(nameof(Cases))]
        public void LossAndEveryGradientMatchPyTorch(string name)
        {
            ReferenceCase reference = ReferenceCase.Load(name);
            var (model, loss, inputGradients, hiddenGradients, cellGradients) = ReferenceModels.AccumulateGradients(reference);

            double relativeLossError = Math.Abs(loss - reference.ExpectedLoss) / Math.Abs(reference.ExpectedLoss);
            Assert.True(relativeLossError <= LossTolerance, $"loss {loss:R}, PyTorch {reference.ExpectedLoss:R}: relative error {relativeLossError:E2}");
            bool initial = reference.InitialHidden is not null;
            PyTorchComparison.AssertGradients(
                reference,
                model,
                inputGradients,
                initial ? hiddenGradients : null,
                initial ? cellGradients : null,
                (expected, actual, what) => PyTorchComparison.AssertWithinFractionOfLargest(expected, actual, GradientTolerance, what));
        }

        [Theory]
        [MemberData(nameof(Cases))]
        public void TrainingLeavesTheStateAndOutputsOfForward(string name)
        {
            ReferenceCase reference = ReferenceCase.Load(name);
            var (_, _, forwardHidden, forwardCell) = ReferenceModels.Run(reference);
            ILstmModel model = ReferenceModels.ByCase[name]();
            reference.LoadInto(model);

            model.AccumulateGradients(reference.Input, reference.Target.ToSingle());

            float[] hidden = new float[forwardHidden.Length];
            float[] cell = new float[forwardCell.Length];
            model.GetState(hidden, cell);
            Assert.Equal(forwardHidden, hidden);
            Assert.Equal(forwardCell, cell);
        }

        [Fact]
        public void GradientsAccumulateUntilZeroed()
        {
            ReferenceCase reference = ReferenceCase.Load("stacked");
            ILstmModel model = ReferenceModels.ByCase["stacked"]();
            reference.LoadInto(model);
            float[] targets = reference.Target.ToSingle();

            model.AccumulateGradients(reference.Input, targets);
            float[] once = model.Gradients.ToArray();
            model.ResetState();
            model.AccumulateGradients(reference.Input, targets);
            float[] twice = model.Gradients.ToArray();
            // Each call adds to what is there (summed in another order, so equal up to rounding).
            float largest = once.Max(MathF.Abs);
            Assert.All(once.Zip(twice), pair => Assert.True(Math.Abs((2 * pair.First) - pair.Second) <= 1e-6 * largest, $"{pair.Second} is not twice {pair.First}"));

            model.ZeroGradients();
            Assert.All(model.Gradients.ToArray(), g => Assert.Equal(0f, g));
        }

        [Fact]
        public void WrongLengthsNameWhatWasExpected()
        {
            var model = new StackedModel(seed: 1);
            float[] inputs = new float[5 * StackedModel.InputSize];
            var error = Assert.Throws<ArgumentException>(() => model.AccumulateGradients(inputs, new float[7]));
            Assert.Equal("targets", error.ParamName);
            Assert.Contains("[5, 4]", error.Message);
            Assert.Contains("has 7", error.Message);

            error = Assert.Throws<ArgumentException>(() => model.AccumulateGradients(new float[3], new float[4]));
            Assert.Equal("inputs", error.ParamName);
            Assert.Contains("InputSize = 8", error.Message);

            error = Assert.Throws<ArgumentException>(() => model.AccumulateGradients(inputs, new float[4], new float[3], new float[64], new float[64]));
            Assert.Equal("inputGradients", error.ParamName);
            Assert.Contains("40", error.Message);

            error = Assert.Throws<ArgumentException>(() => model.AccumulateGradients(inputs, new float[4], new float[40], new float[32], new float[64]));
            Assert.Equal("initialHiddenGradients", error.ParamName);

            error = Assert.Throws<ArgumentException>(() => model.GetGradient("lstm.weight_ih_l9", new float[1]));
            Assert.Contains("lstm.weight_ih_l9", error.Message);
        }

        [Fact]
        public void VanishingGradientsBecomeZeroWithoutPassingThroughSubnormals()
        {
            // With the loss on the last step only, the gradients shrink step by step back through time. Subnormal
            // floats would cost a microcode assist per operation; the backward pass flushes gradients below 2^-60
            // to zero instead, so no step's d loss / d x is subnormal, and the early steps' are exactly zero.
            const int Steps = 600;
            var model = new TinyModel(seed: 0);
            var random = new Random(7);
            float[] inputs = Enumerable.Range(0, Steps * TinyModel.InputSize).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();
            float[] target = { 0.5f, -0.5f };
            float[] inputGradients = new float[inputs.Length];
            float[] hiddenGradients = new float[TinyModel.HiddenSize];
            float[] cellGradients = new float[TinyModel.HiddenSize];

            model.AccumulateGradients(inputs, target, inputGradients, hiddenGradients, cellGradients);

            float[] subnormal = inputGradients.Concat(hiddenGradients).Concat(cellGradients).Where(float.IsSubnormal).ToArray();
            Assert.True(subnormal.Length == 0, $"{subnormal.Length} subnormal gradients, such as {subnormal.FirstOrDefault():E3}");
            Assert.All(inputGradients.Take(TinyModel.InputSize), gradient => Assert.Equal(0f, gradient));
            Assert.Contains(inputGradients.Skip((Steps - 1) * TinyModel.InputSize), gradient => gradient != 0f);
            Assert.All(model.Gradients.ToArray(), gradient => Assert.True(float.IsNormal(gradient) || gradient == 0f, $"weight gradient {gradient:E3}"));
        }
    }
}
