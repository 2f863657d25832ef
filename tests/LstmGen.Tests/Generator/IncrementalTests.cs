using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using LstmGen.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace LstmGen.Tests.Generator
{
    /// <summary>The generator's pipeline caches: an unrelated edit regenerates nothing.</summary>
    public sealed class IncrementalTests
    {
        private const string ModelSource = """
            namespace App
            {
                [LstmGen.Lstm(InputSize = 4, HiddenSize = 8, OutputSize = 2)]
                public partial class Model { }
            }
            """;

        private const string OtherSource = """
            namespace App
            {
                public static class Helper { public static int Twice(int x) => 2 * x; }
            }
            """;

        private static readonly string[] s_trackedSteps =
        {
            LstmGenerator.Steps.Parse, LstmGenerator.Steps.Spec, LstmGenerator.Steps.Plan, LstmGenerator.Steps.Tier,
        };

        [Theory]
        [InlineData("LstmGen.Lstm")]
        [InlineData("LstmGen.Gru")]
        [InlineData("LstmGen.Lstm", "Bidirectional = true, ")]
        [InlineData("LstmGen.Gru", "Layers = 2, Dropout = 0.5, Bidirectional = true, ")]
        [InlineData("LstmGen.Lstm", "Layers = 2, ProjectionSize = 2, Bidirectional = true, ")]
        public void UnrelatedEditKeepsEveryStepCached(string attribute, string settings = "")
        {
            string model = ModelSource.Replace("LstmGen.Lstm", attribute, StringComparison.Ordinal).Replace("OutputSize = 2", settings + "OutputSize = 2", StringComparison.Ordinal);
            CSharpCompilation compilation = GeneratorHarness.CreateCompilation(model, OtherSource);
            GeneratorDriver driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
            string firstSource = GeneratorHarness.ModelSource(driver.GetRunResult().Results.Single());

            // Edit the other file, and add a new one: neither touches the model.
            SyntaxTree other = compilation.SyntaxTrees.Single(tree => tree.FilePath == "Source1.cs");
            CSharpCompilation edited = compilation
                .ReplaceSyntaxTree(other, CSharpSyntaxTree.ParseText(OtherSource.Replace("2 * x", "x + x", StringComparison.Ordinal), GeneratorHarness.ParseOptions, "Source1.cs"))
                .AddSyntaxTrees(CSharpSyntaxTree.ParseText("namespace App { public class Extra { } }", GeneratorHarness.ParseOptions, "Source2.cs"));
            driver = driver.RunGenerators(edited);
            GeneratorRunResult result = driver.GetRunResult().Results.Single();

            foreach (string step in s_trackedSteps)
            {
                IncrementalStepRunReason[] reasons = result.TrackedSteps[step].SelectMany(run => run.Outputs).Select(output => output.Reason).ToArray();
                Assert.NotEmpty(reasons);
                Assert.All(reasons, reason => Assert.True(
                    reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged,
                    $"Step {step} ran again ({reason}) after an unrelated edit."));
            }

            IncrementalStepRunReason[] outputs = result.TrackedOutputSteps.SelectMany(pair => pair.Value).SelectMany(run => run.Outputs).Select(output => output.Reason).ToArray();
            Assert.All(outputs, reason => Assert.Equal(IncrementalStepRunReason.Cached, reason));
            Assert.Equal(firstSource, GeneratorHarness.ModelSource(result));
        }

        [Fact]
        public void TierIsAValueThatChangesOnlyWithTheLanguageVersionOrTheFramework()
        {
            CSharpCompilation compilation = GeneratorHarness.CreateCompilation(ModelSource, OtherSource);
            GeneratorDriver driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
            Assert.Equal(LstmGen.Generator.Model.Tier.Full, TierOutput(driver.GetRunResult().Results.Single()).Value);

            // An edit: the compilation is new, the tier the same value, so the model is not generated again.
            SyntaxTree other = compilation.SyntaxTrees.Single(tree => tree.FilePath == "Source1.cs");
            CSharpCompilation edited = compilation.ReplaceSyntaxTree(other, CSharpSyntaxTree.ParseText(OtherSource.Replace("2 * x", "x + x", StringComparison.Ordinal), GeneratorHarness.ParseOptions, "Source1.cs"));
            driver = driver.RunGenerators(edited);
            GeneratorRunResult result = driver.GetRunResult().Results.Single();
            var (tier, reason) = TierOutput(result);
            Assert.Equal(LstmGen.Generator.Model.Tier.Full, tier);
            Assert.True(reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"The tier step ran again ({reason}).");
            Assert.All(result.TrackedSteps[LstmGenerator.Steps.Plan].SelectMany(run => run.Outputs), output => Assert.Equal(IncrementalStepRunReason.Cached, output.Reason));

            // C# 9 (as Unity compiles): the tier changes, and with it the model's source.
            var csharp9 = new CSharpParseOptions(LanguageVersion.CSharp9);
            CSharpCompilation unity = edited.RemoveAllSyntaxTrees().AddSyntaxTrees(edited.SyntaxTrees.Select(tree => tree.WithRootAndOptions(tree.GetRoot(), csharp9)));
            driver = driver.WithUpdatedParseOptions(csharp9).RunGenerators(unity);
            result = driver.GetRunResult().Results.Single();
            (tier, reason) = TierOutput(result);
            Assert.Equal(LstmGen.Generator.Model.Tier.Portable, tier);
            Assert.Equal(IncrementalStepRunReason.Modified, reason);
            Assert.Contains("the portable tier", GeneratorHarness.ModelSource(result), StringComparison.Ordinal);
        }

        private static (LstmGen.Generator.Model.Tier Value, IncrementalStepRunReason Reason) TierOutput(GeneratorRunResult result)
        {
            var (value, reason) = result.TrackedSteps[LstmGenerator.Steps.Tier].Single().Outputs.Single();
            return ((LstmGen.Generator.Model.Tier)value, reason);
        }

        [Fact]
        public void MovingTheClassInItsFileRegeneratesNothing()
        {
            // The parse result holds where the class is (for a diagnostic from a later stage), but the
            // plan and the source depend on the spec alone.
            GeneratorRunResult result = RunAfterEditingTheModel("// A comment that moves the class down.\n\n" + ModelSource);

            Assert.Contains(result.TrackedSteps[LstmGenerator.Steps.Parse].SelectMany(run => run.Outputs), output => output.Reason == IncrementalStepRunReason.Modified);
            foreach (string step in new[] { LstmGenerator.Steps.Spec, LstmGenerator.Steps.Plan })
            {
                Assert.NotEmpty(result.TrackedSteps[step].SelectMany(run => run.Outputs));
                Assert.All(result.TrackedSteps[step].SelectMany(run => run.Outputs), output => Assert.True(
                    output.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged,
                    $"Step {step} ran again ({output.Reason}) after the class moved."));
            }
        }

        [Fact]
        public void ChangingTheAttributeRegenerates()
        {
            GeneratorRunResult result = RunAfterEditingTheModel(ModelSource.Replace("HiddenSize = 8", "HiddenSize = 9", StringComparison.Ordinal));
            Assert.Contains(result.TrackedSteps[LstmGenerator.Steps.Plan].SelectMany(run => run.Outputs), output => output.Reason == IncrementalStepRunReason.Modified);
            Assert.Contains("public const int HiddenSize = 9;", GeneratorHarness.ModelSource(result));
        }

        /// <summary>Runs the generator, replaces the model's file with <paramref name="editedModel"/>, and runs it again.</summary>
        private static GeneratorRunResult RunAfterEditingTheModel(string editedModel)
        {
            CSharpCompilation compilation = GeneratorHarness.CreateCompilation(ModelSource, OtherSource);
            GeneratorDriver driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
            SyntaxTree model = compilation.SyntaxTrees.Single(tree => tree.FilePath == "Source0.cs");
            CSharpCompilation edited = compilation.ReplaceSyntaxTree(model, CSharpSyntaxTree.ParseText(editedModel, GeneratorHarness.ParseOptions, "Source0.cs"));
            return driver.RunGenerators(edited).GetRunResult().Results.Single();
        }

        [Fact]
        public void PipelineOutputsHoldNoCompilerObjects()
        {
            // Walk every value each tracked step produced, and every type those values can hold.
            CSharpCompilation compilation = GeneratorHarness.CreateCompilation(ModelSource + "\nnamespace App { [LstmGen.Lstm(InputSize = 0, HiddenSize = 8)] public class Broken { } }");
            GeneratorRunResult result = GeneratorHarness.CreateDriver().RunGenerators(compilation).GetRunResult().Results.Single();
            var forbidden = new[] { typeof(ISymbol), typeof(Compilation), typeof(SyntaxNode), typeof(SyntaxTree), typeof(SemanticModel), typeof(Location) };

            foreach (var (step, runs) in result.TrackedSteps.Where(pair => s_trackedSteps.Contains(pair.Key) || pair.Key == LstmGenerator.Steps.Diagnostics))
            {
                foreach (object value in runs.SelectMany(run => run.Outputs).Select(output => output.Value))
                {
                    foreach (Type type in ReachableTypes(value.GetType()))
                    {
                        Assert.False(forbidden.Any(f => f.IsAssignableFrom(type)), $"Step {step} outputs a {value.GetType().Name} that can hold a {type.Name}.");
                    }
                }
            }
        }

        /// <summary>The type and the types of all its fields, recursively (generic arguments included).</summary>
        private static IEnumerable<Type> ReachableTypes(Type root)
        {
            var seen = new HashSet<Type>();
            var pending = new Stack<Type>();
            pending.Push(root);
            while (pending.Count > 0)
            {
                Type type = pending.Pop();
                if (!seen.Add(type) || type.IsPrimitive || type == typeof(string) || type.IsEnum)
                {
                    continue;
                }

                yield return type;
                foreach (Type argument in type.IsGenericType ? type.GetGenericArguments() : Type.EmptyTypes)
                {
                    pending.Push(argument);
                }

                if (type.IsArray)
                {
                    pending.Push(type.GetElementType()!);
                }

                // Immutable collections and other BCL types are containers: their element types were pushed above.
                if (type.Namespace?.StartsWith("System", StringComparison.Ordinal) == true)
                {
                    continue;
                }

                foreach (FieldInfo field in type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
                {
                    pending.Push(field.FieldType);
                }
            }
        }
    }
}
