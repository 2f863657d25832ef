using System;
using System.Linq;
using Microsoft.CodeAnalysis;
using Xunit;

namespace LstmGen.Tests.Generator
{
    /// <summary>
    /// Models in odd but legal places: keyword names escaped with '@', names the generated code also
    /// uses, names a hint name cannot hold, [Lstm] twice on one class. Each is generated (or refused
    /// with a diagnostic), compiles without a warning, and never takes the other models down.
    /// </summary>
    public sealed class UnusualCodeTests
    {
        [Fact]
        public void KeywordNamespaceIsEscapedAndTheOtherModelsStay()
        {
            const string source = """
                namespace @class.S
                {
                    [LstmGen.Lstm(InputSize = 2, HiddenSize = 4)]
                    public partial class Model { }
                }

                namespace App
                {
                    [LstmGen.Lstm(InputSize = 3, HiddenSize = 5)]
                    public partial class Other { }
                }
                """;
            var (result, output) = GeneratorHarness.Run(source);
            Assert.Null(result.Exception);
            Assert.Empty(result.Diagnostics);
            GeneratorHarness.AssertCompilesCleanly(output);
            Assert.Equal(2, GeneratorHarness.ModelSources(result).Length);
            Assert.Contains(result.GeneratedSources, generated => generated.SourceText.ToString().Contains("namespace @class.S\n", StringComparison.Ordinal));
            Assert.NotNull(output.GetTypeByMetadataName("class.S.Model")!.GetTypeMembers("State").SingleOrDefault());
            Assert.NotNull(output.GetTypeByMetadataName("App.Other")!.GetTypeMembers("State").SingleOrDefault());
        }

        [Fact]
        public void KeywordNamesAreEscapedEverywhere()
        {
            const string source = """
                namespace @namespace.@struct
                {
                    public partial class @base
                    {
                        internal partial struct @record
                        {
                            [LstmGen.Lstm(InputSize = 2, HiddenSize = 4, OutputSize = 1)]
                            internal partial class @event { }
                        }
                    }
                }
                """;
            string generated = GeneratorHarness.Generate(source);
            Assert.Contains("namespace @namespace.@struct", generated);
            Assert.Contains("partial class @base", generated);
            Assert.Contains("partial struct @record", generated);
            Assert.Contains("partial class @event : global::LstmGen.ILstmModel", generated);
            Assert.Contains("public @event(int seed)", generated);
        }

        [Theory]
        [InlineData("Math")]
        [InlineData("Span")]
        [InlineData("Unsafe")]
        [InlineData("Vector128")]
        [InlineData("LstmMath")]
        [InlineData("TensorInfo")]
        [InlineData("ILstmModel")]
        [InlineData("System")]
        [InlineData("LstmGen")]
        public void ClassNamedAsATypeTheGeneratedCodeUsesWorks(string name)
        {
            string source = $"namespace App {{ [global::LstmGen.Lstm(InputSize = 2, HiddenSize = 4, OutputSize = 2)] public partial class {name} {{ }} }}";
            var (result, output) = GeneratorHarness.Run(source);
            Assert.Empty(result.Diagnostics);
            GeneratorHarness.AssertCompilesCleanly(output);
            Assert.Contains(output.GetTypeByMetadataName("App." + name)!.AllInterfaces, type => type.ToDisplayString() == "LstmGen.ILstmModel");
        }

        [Fact]
        public void NamesAHintNameCannotHoldGetDistinctFiles()
        {
            // Non-ASCII letters are replaced in the hint name; the hash of the full name keeps the files apart.
            const string source = """
                namespace Модели
                {
                    [LstmGen.Lstm(InputSize = 2, HiddenSize = 4)] public partial class Ä { }
                    [LstmGen.Lstm(InputSize = 2, HiddenSize = 4)] public partial class Ö { }
                    [LstmGen.Lstm(InputSize = 2, HiddenSize = 4)] public partial class Ü { }
                }
                """;
            var (result, output) = GeneratorHarness.Run(source);
            Assert.Null(result.Exception);
            Assert.Empty(result.Diagnostics);
            GeneratorHarness.AssertCompilesCleanly(output);
            string[] hintNames = result.GeneratedSources.Select(generated => generated.HintName).ToArray();
            Assert.Equal(4, hintNames.Distinct(StringComparer.OrdinalIgnoreCase).Count()); // three models and LstmModels.g.cs
            Assert.All(hintNames, name => Assert.Matches("^[A-Za-z0-9_.]+$", name));
        }

        [Fact]
        public void LstmOnTwoPartsOfOneClassGeneratesItOnce()
        {
            const string source = """
                [LstmGen.Lstm(InputSize = 2, HiddenSize = 4)] public partial class Model { }
                [LstmGen.Lstm(InputSize = 2, HiddenSize = 4)] public partial class Model { }
                """;
            var (result, output) = GeneratorHarness.Run(source);
            Assert.Null(result.Exception);
            Assert.Single(GeneratorHarness.ModelSources(result));

            // The compiler's own error, not a generator crash (CS8785) or a duplicate hint name.
            Assert.Equal(new[] { "CS0579" }, output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.Id).Distinct());
        }

        [Fact]
        public void LstmOnAStructIsTheCompilersError()
        {
            var (result, output) = GeneratorHarness.Run("[LstmGen.Lstm(InputSize = 2, HiddenSize = 4)] public partial struct Model { }");
            Assert.Null(result.Exception);
            Assert.Empty(result.GeneratedSources);
            Assert.Contains(output.GetDiagnostics(), diagnostic => diagnostic.Id == "CS0592");
        }
    }
}
