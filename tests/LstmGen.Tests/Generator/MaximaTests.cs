using System;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace LstmGen.Tests.Generator
{
    /// <summary>
    /// The largest models the attribute accepts work end to end, not only in the JIT: built, loaded
    /// and run, they construct, step, step a State[] of agents as a group (a State just under 64 KiB,
    /// the most .NET allows in an array), accumulate gradients and take an optimizer step. One shape
    /// has the most units with the most layers they allow, the other the most layers with the most
    /// units they allow (and the widest input and head).
    /// </summary>
    public sealed class MaximaTests
    {
        private const int Steps = 3;

        // More than one group of the widest vectors (16 lanes), and a remainder stepped one at a time.
        private const int Agents = 17;

        // Gradients and parameters are compared at every 997th value.
        private const int Stride = 997;

        /// <summary>Both shapes on both tiers (C# 9 gets the portable tier, whose State is 2 x Layers x HiddenSize float fields).</summary>
        [Theory]
        [InlineData("InputSize = 8, HiddenSize = 1024, Layers = 7, OutputSize = 4", LanguageVersion.Latest)]
        [InlineData("InputSize = 8192, HiddenSize = 511, Layers = 16, OutputSize = 8192", LanguageVersion.Latest)]
        [InlineData("InputSize = 8, HiddenSize = 1024, Layers = 7, OutputSize = 4", LanguageVersion.CSharp9)]
        [InlineData("InputSize = 8192, HiddenSize = 511, Layers = 16, OutputSize = 8192", LanguageVersion.CSharp9)]
        public void LargestAllowedModelWorksEndToEnd(string arguments, LanguageVersion version)
        {
            string model = $"namespace Maxima {{ [global::LstmGen.Lstm({arguments})] internal partial class Largest {{ }} }}";
            var (result, compilation) = GeneratorHarness.Run(GeneratorHarness.CreateCompilation(version, model, ModelDriver.Source("global::Maxima.Largest")));
            Assert.Equal(version == LanguageVersion.CSharp9, GeneratorHarness.ModelSource(result).Contains("the portable tier", StringComparison.Ordinal));
            Assert.Empty(result.Diagnostics);
            GeneratorHarness.AssertCompilesCleanly(compilation);

            float[][] sections = ModelDriver.Run(compilation, seed: 3, Steps, Agents, Stride);
            float[] Section(ModelDriver.Section section) => sections[(int)section];

            float[] steps = Section(ModelDriver.Section.Steps);
            Assert.All(steps, value => Assert.True(float.IsFinite(value)));
            Assert.Contains(steps, value => value != 0f);
            Assert.Equal(ModelDriver.Bits(steps), ModelDriver.Bits(Section(ModelDriver.Section.Forward)));

            float[] group = Section(ModelDriver.Section.GroupSteps);
            Assert.Contains(group, value => value != 0f);
            Assert.Equal(ModelDriver.Bits(Section(ModelDriver.Section.SingleSteps)), ModelDriver.Bits(group));

            float[] gradients = Section(ModelDriver.Section.Gradients);
            float loss = gradients[0];
            Assert.True(float.IsFinite(loss) && loss > 0f, $"loss {loss}");
            Assert.All(gradients, value => Assert.True(float.IsFinite(value)));
            Assert.Contains(gradients.Skip(1), value => value != 0f);

            // One SGD step moved each sampled parameter by -learning rate x its gradient.
            float[] before = Section(ModelDriver.Section.ParametersBefore);
            float[] after = Section(ModelDriver.Section.ParametersAfter);
            Assert.Equal(before.Length, gradients.Length - 1);
            for (int i = 0; i < before.Length; i++)
            {
                float expected = before[i] - (ModelDriver.LearningRate * gradients[i + 1]);
                Assert.True(MathF.Abs(after[i] - expected) <= 1e-6f * (1f + MathF.Abs(expected)), $"parameter {i * Stride}: {after[i]}, expected {expected}");
            }

            Assert.Contains(Enumerable.Range(0, before.Length), i => after[i] != before[i]);
        }
    
        /// <summary>
        /// Why LSTM013 stops at Layers x HiddenSize = 8191: a struct of 2 x 8192 floats (64 KiB) cannot be an
        /// array element (TypeLoadException), one of 2 x 8191 floats can.
        /// </summary>
        [Theory]
        [InlineData(2 * 8191, true)]
        [InlineData(2 * 8192, false)]
        public void AnArrayElementMustBeUnder64KiB(int floats, bool allowed)
        {
            string source = $$"""
                namespace Probe
                {
                    [global::System.Runtime.CompilerServices.InlineArray({{floats}})]
                    internal struct Values { private float _element0; }

                    internal static class Arrays
                    {
                        public static int Make() => new Values[3].Length;
                    }
                }
                """;
            var (_, compilation) = GeneratorHarness.Run(source);
            GeneratorHarness.AssertCompilesCleanly(compilation);
            var make = (Func<int>)GeneratorHarness.Load(compilation).GetType("Probe.Arrays", throwOnError: true)!
                .GetMethod("Make")!.CreateDelegate(typeof(Func<int>));
            if (allowed)
            {
                Assert.Equal(3, make());
            }
            else
            {
                Assert.Throws<TypeLoadException>(() => make());
            }

            Assert.Equal(8191, LstmGen.Generator.DiagnosticDescriptors.MaxLayerUnits);
        }
    }
}
