using System;
using System.Globalization;
using System.Reflection;
using Microsoft.CodeAnalysis;

namespace LstmGen.Tests.Generator
{
    /// <summary>
    /// Source of a class compiled beside a generated model, in a namespace of its own and with every
    /// name fully qualified (so that a hostile consumer's types and aliases cannot reach it), that
    /// drives the model through its whole API and returns every number it produced, section by section.
    /// </summary>
    internal static class ModelDriver
    {
        /// <summary>The learning rate of the driver's one SGD step.</summary>
        public const float LearningRate = 0.01f;

        /// <summary>The sections <see cref="Run"/> returns, in order.</summary>
        public enum Section
        {
            /// <summary>Step(input, output) on the model's own state, every step's output.</summary>
            Steps,

            /// <summary>Forward over the same sequence from the zero state.</summary>
            Forward,

            /// <summary>The group step, Step(State[], inputs, outputs), twice over every agent.</summary>
            GroupSteps,

            /// <summary>The same agents stepped one at a time with Step(ref State, ...).</summary>
            SingleSteps,

            /// <summary>The loss of AccumulateGradients, then every stride-th gradient.</summary>
            Gradients,

            /// <summary>Every stride-th parameter before the SGD step.</summary>
            ParametersBefore,

            /// <summary>Every stride-th parameter after it.</summary>
            ParametersAfter,
        }

        /// <summary>The driver's source for the model <paramref name="modelType"/> (a name with <c>global::</c>).</summary>
        public static string Source(string modelType) => $$"""
            namespace LstmGenTestDriver
            {
                internal static class Driver
                {
                    public static float[][] Run(int seed, int steps, int agents, int stride)
                    {
                        const int inputSize = {{modelType}}.InputSize;
                        const int outputSize = {{modelType}}.OutputSize;
                        var model = new {{modelType}}(seed);
                        float[] inputs = Wave(steps * inputSize, 0.37);
                        float[] stepOutputs = new float[steps * outputSize];
                        for (int t = 0; t < steps; t++)
                        {
                            model.Step(new global::System.ReadOnlySpan<float>(inputs, t * inputSize, inputSize), new global::System.Span<float>(stepOutputs, t * outputSize, outputSize));
                        }

                        model.ResetState();
                        float[] forwardOutputs = new float[steps * outputSize];
                        model.Forward(inputs, forwardOutputs);

                        var groupStates = new {{modelType}}.State[agents];
                        var singleStates = new {{modelType}}.State[agents];
                        float[] groupInputs = Wave(agents * inputSize, 0.91);
                        float[] groupOutputs = new float[2 * agents * outputSize];
                        float[] singleOutputs = new float[2 * agents * outputSize];
                        for (int t = 0; t < 2; t++)
                        {
                            model.Step(groupStates, groupInputs, new global::System.Span<float>(groupOutputs, t * agents * outputSize, agents * outputSize));
                            for (int agent = 0; agent < agents; agent++)
                            {
                                model.Step(ref singleStates[agent], new global::System.ReadOnlySpan<float>(groupInputs, agent * inputSize, inputSize), new global::System.Span<float>(singleOutputs, ((t * agents) + agent) * outputSize, outputSize));
                            }
                        }

                        model.ResetState();
                        model.ZeroGradients();
                        float[] targets = Wave(steps * outputSize, 0.53);
                        float loss = model.AccumulateGradients(inputs, targets);
                        float[] gradients = Sample(model.Gradients, stride, loss);
                        float[] before = Sample(model.Parameters, stride, null);
                        new global::LstmGen.Training.Sgd({{LearningRate.ToString("R", CultureInfo.InvariantCulture)}}f).Step(model.Parameters, model.Gradients);
                        float[] after = Sample(model.Parameters, stride, null);
                        return new[] { stepOutputs, forwardOutputs, groupOutputs, singleOutputs, gradients, before, after };
                    }

                    private static float[] Wave(int length, double frequency)
                    {
                        float[] values = new float[length];
                        for (int i = 0; i < length; i++)
                        {
                            values[i] = (float)global::System.Math.Sin((frequency * i) + 0.1);
                        }

                        return values;
                    }

                    private static float[] Sample(global::System.Span<float> values, int stride, float? first)
                    {
                        int offset = first.HasValue ? 1 : 0;
                        float[] sample = new float[offset + ((values.Length + stride - 1) / stride)];
                        if (first.HasValue)
                        {
                            sample[0] = first.Value;
                        }

                        for (int i = 0; i < values.Length; i += stride)
                        {
                            sample[offset + (i / stride)] = values[i];
                        }

                        return sample;
                    }
                }
            }
            """;

        /// <summary>Loads <paramref name="compilation"/> (which holds the driver) and runs the driver.</summary>
        public static float[][] Run(Compilation compilation, int seed, int steps, int agents, int stride)
        {
            Assembly assembly = GeneratorHarness.Load(compilation);
            MethodInfo run = assembly.GetType("LstmGenTestDriver.Driver", throwOnError: true)!.GetMethod("Run")!;
            try
            {
                return (float[][])run.Invoke(null, new object[] { seed, steps, agents, stride })!;
            }
            catch (TargetInvocationException exception) when (exception.InnerException is not null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(exception.InnerException).Throw();
                throw;
            }
        }

        /// <summary>
        /// Every section of <paramref name="actual"/> has the bits of <paramref name="expected"/>'s, and the driver really ran
        /// the model: its outputs are not all zero, and the SGD step moved the weights.
        /// </summary>
        public static void AssertSameBits(float[][] expected, float[][] actual, string builds)
        {
            Xunit.Assert.Equal(expected.Length, actual.Length);
            for (int section = 0; section < expected.Length; section++)
            {
                Xunit.Assert.NotEmpty(expected[section]);
                Xunit.Assert.True(
                    System.Linq.Enumerable.SequenceEqual(Bits(expected[section]), Bits(actual[section])),
                    $"Section {(Section)section} differs between {builds}.");
            }

            Xunit.Assert.Contains(expected[(int)Section.Steps], value => value != 0f);
            Xunit.Assert.False(System.Linq.Enumerable.SequenceEqual(expected[(int)Section.ParametersBefore], expected[(int)Section.ParametersAfter]));
        }

        /// <summary>The bits of every value, for comparisons that tell -0 from 0 and one NaN from another.</summary>
        public static int[] Bits(float[] values) => Array.ConvertAll(values, BitConverter.SingleToInt32Bits);
    }
}
