using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.IO;
using System.Linq;
using BenchmarkDotNet.Attributes;
using LstmGen.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace LstmGen.Benchmarks
{
    /// <summary>
    /// The generator's own cost, driven in memory as the compiler drives it (as the tests' GeneratorHarness
    /// does): a compilation of <see cref="ModelCount"/> files with one [Lstm] class each (assorted shapes)
    /// and one unrelated file, referencing the .NET framework and the LstmGen runtime.
    /// </summary>
    [MemoryDiagnoser]
    public class GeneratorBenchmarks
    {
        /// <summary>[Lstm] classes in the compilation.</summary>
        public const int ModelCount = 20;

        private static readonly CSharpParseOptions s_parseOptions = new(LanguageVersion.Latest);

        private const string OtherSource = """
            namespace App
            {
                public static class Helper
                {
                    public static int Twice(int x) => 2 * x;
                }
            }
            """;

        private ImmutableArray<MetadataReference> _references;
        private ImmutableArray<SyntaxTree> _trees;
        private CSharpCompilation _compilation = null!;
        private GeneratorDriver _warmDriver = null!;
        private SyntaxTree _otherTree = null!;
        private SyntaxTree _firstModelTree = null!;
        private int _edit;

        /// <summary>Parses the sources, loads the references and runs the generator once for the cached cases.</summary>
        [GlobalSetup]
        public void Setup()
        {
            // The framework assemblies this process runs on, plus the LstmGen runtime.
            string trusted = (string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!;
            string framework = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
            _references = trusted.Split(Path.PathSeparator)
                .Where(path => string.Equals(Path.GetDirectoryName(path), framework, StringComparison.Ordinal))
                .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))
                .Append(MetadataReference.CreateFromFile(typeof(LstmAttribute).Assembly.Location))
                .ToImmutableArray();

            _trees = Enumerable.Range(0, ModelCount)
                .Select(index => CSharpSyntaxTree.ParseText(ModelSource(index, hiddenExtra: 0), s_parseOptions, path: $"Model{index}.cs"))
                .Append(CSharpSyntaxTree.ParseText(OtherSource, s_parseOptions, path: "Other.cs"))
                .ToImmutableArray();
            _compilation = CreateCompilation(_trees);
            _otherTree = _trees[^1];
            _firstModelTree = _trees[0];

            _warmDriver = CreateDriver().RunGenerators(_compilation);
            GeneratorRunResult result = _warmDriver.GetRunResult().Results.Single();
            if (result.GeneratedSources.Length != ModelCount || !result.Diagnostics.IsEmpty)
            {
                throw new InvalidOperationException($"Expected {ModelCount} generated sources and no diagnostics; got {result.GeneratedSources.Length} and {result.Diagnostics.Length}.");
            }
        }

        /// <summary>
        /// A first run, as in a clean build: a new compilation of the parsed files (its semantic caches
        /// empty) and a new driver, generating all <see cref="ModelCount"/> models.
        /// </summary>
        [Benchmark(Baseline = true)]
        public GeneratorDriver ColdRun() => CreateDriver().RunGenerators(CreateCompilation(_trees));

        /// <summary>
        /// The IDE's case: the unrelated file is edited (a new text each time) and the warm driver runs again;
        /// every step of the pipeline should come from its cache and nothing is emitted again.
        /// </summary>
        [Benchmark]
        public GeneratorDriver CachedRunAfterUnrelatedEdit()
        {
            string text = OtherSource.Replace("2 * x", "x + " + (_edit++ & 1023).ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);
            SyntaxTree edited = CSharpSyntaxTree.ParseText(text, s_parseOptions, path: "Other.cs");
            return _warmDriver.RunGenerators(_compilation.ReplaceSyntaxTree(_otherTree, edited));
        }

        /// <summary>One model's attribute is edited (its hidden size): that model alone is planned and emitted again.</summary>
        [Benchmark]
        public GeneratorDriver RunAfterOneModelEdit()
        {
            int extra = 1 + (_edit++ & 7);
            SyntaxTree edited = CSharpSyntaxTree.ParseText(ModelSource(0, extra), s_parseOptions, path: "Model0.cs");
            return _warmDriver.RunGenerators(_compilation.ReplaceSyntaxTree(_firstModelTree, edited));
        }

        private static string ModelSource(int index, int hiddenExtra)
        {
            int[] inputs = { 1, 4, 8, 16, 32 };
            int[] hidden = { 8, 16, 24, 32, 48, 64, 96, 128 };
            int input = inputs[index % inputs.Length];
            int units = hidden[index % hidden.Length] + hiddenExtra;
            int layers = 1 + (index % 3);
            int outputs = 1 + (index % 4);
            return string.Create(CultureInfo.InvariantCulture, $$"""
                namespace App.Models
                {
                    [LstmGen.Lstm(InputSize = {{input}}, HiddenSize = {{units}}, Layers = {{layers}}, OutputSize = {{outputs}})]
                    public partial class Model{{index}} { }
                }
                """);
        }

        private CSharpCompilation CreateCompilation(IEnumerable<SyntaxTree> trees) => CSharpCompilation.Create(
            "GeneratorBenchmark",
            trees,
            _references,
            new CSharpCompilationOptions(
                OutputKind.DynamicallyLinkedLibrary,
                nullableContextOptions: NullableContextOptions.Enable,
                optimizationLevel: OptimizationLevel.Release));

        private static GeneratorDriver CreateDriver() => CSharpGeneratorDriver.Create(
            new[] { new LstmGenerator().AsSourceGenerator() },
            parseOptions: s_parseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: false));
    }
}
