using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using LstmGen.Tests.Reference;
using LstmGen.Training;
using Xunit;
using LstmGen.Tests.Support;

namespace LstmGen.Tests.Training
{
    /// <summary><see cref="GradientClipping"/> against <c>torch.nn.utils.clip_grad_norm_</c>.</summary>
    public sealed class GradientClippingTests
    {
        /// <summary>|computed - expected| &lt;= Tolerance * max(1, |expected|).</summary>
        private const double Tolerance = 1e-6;

        [Fact]
        public void MatchesPyTorch()
        {
            using JsonDocument document = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(ReferenceCase.Directory, "clip-global-norm.json")));
            JsonElement root = document.RootElement;
            float maxNorm = (float)root.GetProperty("maxNorm").GetDouble();
            float[] gradient = root.GetProperty("gradient").EnumerateArray().Select(e => (float)e.GetDouble()).ToArray();
            double expectedNorm = root.GetProperty("totalNorm").GetDouble();
            double[] expected = root.GetProperty("clipped").EnumerateArray().Select(e => e.GetDouble()).ToArray();

            float norm = GradientClipping.ClipByGlobalNorm(gradient, maxNorm);

            Assert.True(Math.Abs(norm - expectedNorm) <= Tolerance * Math.Max(1, expectedNorm), $"norm {norm:R}, PyTorch {expectedNorm:R}");
            Assert.Equal(expected.Length, gradient.Length);
            for (int i = 0; i < expected.Length; i++)
            {
                double error = Math.Abs(gradient[i] - expected[i]) / Math.Max(1, Math.Abs(expected[i]));
                Assert.True(error <= Tolerance, $"element {i}: {gradient[i]:R} computed, {expected[i]:R} expected");
            }
        }

        [Fact]
        public void LeavesGradientsWithinTheNormUntouched()
        {
            float[] gradient = { 0.3f, -0.4f, 0f, 1e-20f };
            float[] original = (float[])gradient.Clone();
            float norm = GradientClipping.ClipByGlobalNorm(gradient, 0.5000011f);
            Assert.Equal(0.5f, norm, 6);
            Assert.Equal(original, gradient);

            Assert.Equal(0f, GradientClipping.ClipByGlobalNorm(Span<float>.Empty, 1f));
            Assert.Equal(0f, GradientClipping.ClipByGlobalNorm(new float[5], 0f));
        }

        [Fact]
        public void ClipsANormEqualToTheMaximumByTheEpsilon()
        {
            // As in PyTorch: the coefficient maxNorm / (norm + 1e-6) is just below 1.
            float[] gradient = { 0.3f, -0.4f };
            float norm = GradientClipping.ClipByGlobalNorm(gradient, 0.5f);
            double normInDouble = Math.Sqrt((0.3f * (double)0.3f) + (0.4f * (double)0.4f));
            float coefficient = (float)(0.5 / (normInDouble + 1e-6));
            Assert.True(coefficient < 1f);
            Assert.Equal((float)normInDouble, norm);
            Assert.Equal(new[] { coefficient * 0.3f, coefficient * -0.4f }, gradient);
        }

        [Fact]
        public void NormIsSummedInDoubleInAFixedOrder()
        {
            // 1e4 and 37 times 1: in float, 1e8 + 1 + 1 + ... loses every 1; in double it does not.
            float[] gradient = Enumerable.Repeat(1f, 38).ToArray();
            gradient[0] = 1e4f;
            float norm = GradientClipping.ClipByGlobalNorm(gradient, float.PositiveInfinity);
            Assert.Equal((float)Math.Sqrt(1e8 + 37), norm);

            // Element i goes to lane i % 8, the lanes are added in a fixed tree: the same sum on every path.
            var random = new DeterministicRandom(11);
            float[] values = Enumerable.Range(0, 101).Select(_ => (float)(random.NextUInt32() / (double)uint.MaxValue) - 0.5f).ToArray();
            double[] lanes = new double[8];
            for (int i = 0; i < values.Length; i++)
            {
                lanes[i % 8] += (double)values[i] * values[i];
            }

            double sum = ((lanes[0] + lanes[4]) + (lanes[2] + lanes[6])) + ((lanes[1] + lanes[5]) + (lanes[3] + lanes[7]));
            Assert.Equal((float)Math.Sqrt(sum), GradientClipping.ClipByGlobalNorm(values, float.PositiveInfinity));
        }

        [Fact]
        public void ScalesEveryElementByTheSameFloatCoefficient()
        {
            float[] gradient = Enumerable.Range(1, 37).Select(i => (float)i).ToArray();
            double sum = gradient.Sum(value => (double)value * value);
            float coefficient = (float)(2.0 / (Math.Sqrt(sum) + 1e-6));
            float[] expected = gradient.Select(value => coefficient * value).ToArray();

            GradientClipping.ClipByGlobalNorm(gradient, 2f);
            Assert.Equal(expected, gradient);
        }

        [Fact]
        public void RejectsANegativeMaximum()
        {
            var exception = Assert.Throws<ArgumentOutOfRangeException>(() => GradientClipping.ClipByGlobalNorm(new float[3], -1f));
            Assert.Equal("maxNorm", exception.ParamName);
            Assert.Contains("but is -1.", exception.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void AllocatesNothing()
        {
            float[] gradient = Enumerable.Range(0, 1027).Select(i => (float)Math.Sin(i)).ToArray();
            Assert.Equal(0, Allocations.OfWarm(() =>
            {
                gradient[0] = 100f;
                GradientClipping.ClipByGlobalNorm(gradient, 1f);
            }));
        }
    }
}
