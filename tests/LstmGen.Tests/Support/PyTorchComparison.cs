using System;
using System.Collections.Generic;
using System.Linq;
using LstmGen.Tests.Reference;
using Xunit;

namespace LstmGen.Tests.Support
{
    /// <summary>
    /// A model's numbers against a PyTorch case's (Reference/): value by value within 1e-6 relative plus 1e-6 absolute
    /// (the GRU, projection, dropout and bidirectional cases), within an absolute bound on the largest difference, or
    /// within a fraction of the largest expected magnitude (the LSTM cases of the shared reference set); and the
    /// comparison of every gradient a training pass gives.
    /// </summary>
    internal static class PyTorchComparison
    {
        /// <summary>The relative part of <see cref="AssertClose(double[], float[], string)"/>'s bound.</summary>
        public const double Relative = 1e-6;

        /// <summary>The absolute part, for values near zero.</summary>
        public const double Absolute = 1e-6;

        /// <summary>Asserts the lengths are equal and every |expected - actual| is at most Absolute + Relative x |expected|.</summary>
        public static void AssertClose(double[] expected, float[] actual, string what)
        {
            Assert.Equal(expected.Length, actual.Length);
            for (int i = 0; i < expected.Length; i++)
            {
                double difference = Math.Abs(expected[i] - actual[i]);
                Assert.True(difference <= Absolute + (Relative * Math.Abs(expected[i])), $"{what}[{i}]: expected {expected[i]:R}, got {actual[i]:R} (difference {difference:E3})");
            }
        }

        /// <summary>One value (a loss) as <see cref="AssertClose(double[], float[], string)"/> compares each.</summary>
        public static void AssertClose(double expected, float actual, string what) => AssertClose(new[] { expected }, new[] { actual }, what);

        /// <summary>Asserts the lengths are equal and the largest |expected - actual| (NaN: infinite) is at most <paramref name="tolerance"/>.</summary>
        public static void AssertWithin(double[] expected, float[] actual, double tolerance, string what)
        {
            double error = ReferenceComparison.MaxAbsoluteError(actual, expected);
            Assert.True(error <= tolerance, $"{what}: largest difference from PyTorch is {error:E3}, over the tolerance {tolerance:E0}.");
        }

        /// <summary>
        /// Asserts the lengths are equal and the largest |expected - actual| is at most <paramref name="fraction"/> of the
        /// largest |expected|: for gradients, whose scale varies from tensor to tensor.
        /// </summary>
        public static void AssertWithinFractionOfLargest(double[] expected, float[] actual, double fraction, string what)
        {
            Assert.Equal(expected.Length, actual.Length);
            double largest = expected.Max(Math.Abs);
            double error = ReferenceComparison.MaxAbsoluteError(actual, expected);
            Assert.True(error <= fraction * largest, $"{what}: largest difference {error:E3}, over {fraction:E0} x the largest magnitude {largest:E3}.");
        }

        /// <summary>
        /// After a training pass on <paramref name="reference"/>: the model's gradient of every tensor it has against the
        /// case's, then d loss / d input, and d loss / d h0 and c0 where given (null: not compared), each with
        /// <paramref name="assertClose"/> (expected, actual, what; <see cref="AssertClose(double[], float[], string)"/>
        /// when null), "what" being "{case} d loss / d {tensor}".
        /// </summary>
        public static void AssertGradients(
            ReferenceCase reference,
            ISequenceModel model,
            float[] inputGradients,
            float[]? hiddenGradients = null,
            float[]? cellGradients = null,
            Action<double[], float[], string>? assertClose = null)
        {
            assertClose ??= AssertClose;
            foreach (TensorInfo tensor in model.Tensors)
            {
                float[] gradient = new float[tensor.Length];
                model.GetGradient(tensor.Name, gradient);
                assertClose(reference.Gradients[tensor.Name].Data, gradient, $"{reference.Name} d loss / d {tensor.Name}");
            }

            assertClose(reference.Gradients["input"].Data, inputGradients, reference.Name + " d loss / d input");
            if (hiddenGradients is not null)
            {
                assertClose(reference.Gradients["h0"].Data, hiddenGradients, reference.Name + " d loss / d h0");
            }

            if (cellGradients is not null)
            {
                assertClose(reference.Gradients["c0"].Data, cellGradients, reference.Name + " d loss / d c0");
            }
        }

        /// <summary>
        /// Every tensor of the model against <paramref name="expected"/>'s of the same name (the case's tensors after an
        /// optimizer's step), as <see cref="AssertClose(double[], float[], string)"/> compares; "what" is "{name} {tensor} {when}".
        /// </summary>
        public static void AssertTensors(IReadOnlyDictionary<string, ReferenceTensor> expected, ISequenceModel model, string name, string when)
        {
            foreach (TensorInfo tensor in model.Tensors)
            {
                float[] values = new float[tensor.Length];
                model.GetTensor(tensor.Name, values);
                AssertClose(expected[tensor.Name].Data, values, $"{name} {tensor.Name} {when}");
            }
        }
    }
}
