using System;
using System.Linq;
using LstmGen.Tests.Reference;
using Xunit;
using Xunit.Abstractions;

namespace LstmGen.Tests.BFloat16
{
    /// <summary>
    /// Models with <see cref="WeightPrecision.BFloat16"/> against PyTorch's LSTM on the same float32 weights rounded by
    /// <c>.to(torch.bfloat16)</c> (Fixtures/BFloat16), and against the float32 model, to state the price of bfloat16.
    /// </summary>
    public sealed class BFloat16AccuracyTests
    {
        /// <summary>
        /// The largest difference allowed from PyTorch's float64 run of the rounded weights: float32 sums (as the
        /// float32 models, which the reference cases hold to 1e-5) of up to 256 products.
        /// </summary>
        private const double Tolerance = 1e-6;

        private readonly ITestOutputHelper _output;

        public BFloat16AccuracyTests(ITestOutputHelper output) => _output = output;

        public static TheoryData<string> Cases => new(BFloat16Case.Names);

        [Theory]
        [MemberData(nameof(Cases))]
        public void ForwardMatchesPyTorchOnTheRoundedWeights(string name)
        {
            BFloat16Case reference = BFloat16Case.Load(name);
            ILstmModel model = reference.CreateModel();
            Assert.Equal(WeightPrecision.BFloat16, model.WeightPrecision);
            var (outputs, hidden, cell) = reference.Run(model);

            double error = Math.Max(
                ReferenceComparison.MaxAbsoluteError(outputs, reference.Output),
                Math.Max(ReferenceComparison.MaxAbsoluteError(hidden, reference.FinalHidden), ReferenceComparison.MaxAbsoluteError(cell, reference.FinalCell)));
            double fromFloat32 = ReferenceComparison.MaxAbsoluteError(outputs, reference.Float32Output);
            _output.WriteLine($"{name}: largest difference from PyTorch's bfloat16 model {error:E2}; from the float32 model's outputs {fromFloat32:E2}; {reference.Ties} ties");
            Assert.True(error <= Tolerance, $"{name}: largest difference from PyTorch {error:E3}");

            // The weights really are rounded: the outputs move away from the float32 model's by far more than the
            // tolerance, and stay within the stated accuracy of bfloat16 weights (docs/performance.md: below 1e-3).
            Assert.True(fromFloat32 > 10 * Tolerance, $"{name}: the outputs are within {fromFloat32:E3} of the float32 model's, as if unrounded");
            Assert.True(fromFloat32 < 1e-3, $"{name}: the outputs are {fromFloat32:E3} from the float32 model's");
        }

        [Theory]
        [MemberData(nameof(Cases))]
        public void StepAndTheGroupStepGiveForwardsBits(string name)
        {
            var result = BFloat16Case.Load(name).PathResult();
            Assert.True(result.StepsSame, $"{name}: Step's bits differ from Forward's");
            Assert.True(result.AgentsSame, $"{name}: the group step's bits differ from single steps'");
        }

        [Theory]
        [MemberData(nameof(Cases))]
        public void TiesRoundToEven(string name)
        {
            // Rounding half up would give another model: the case's ties decide between the two.
            BFloat16Case reference = BFloat16Case.Load(name);
            Assert.True(reference.Ties > 0);
            ILstmModel halfUp = reference.CreateModel();
            foreach ((string tensor, float[] values) in reference.Weights(halfUp))
            {
                halfUp.SetTensor(tensor, values.Select(v => BitConverter.UInt32BitsToSingle((BitConverter.SingleToUInt32Bits(v) + 0x8000u) & 0xFFFF0000u)).ToArray());
            }

            double error = ReferenceComparison.MaxAbsoluteError(reference.Run(halfUp).Outputs, reference.Output);
            Assert.True(error > 10 * Tolerance, $"{name}: rounding half up gives PyTorch's outputs too ({error:E3}): the case cannot tell");
        }
    }
}
