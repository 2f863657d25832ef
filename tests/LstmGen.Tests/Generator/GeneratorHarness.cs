using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using LstmGen.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Emit;
using Xunit;

namespace LstmGen.Tests.Generator
{
    /// <summary>Runs the generator in memory, as the compiler does, on sources given as text.</summary>
    internal static class GeneratorHarness
    {
        public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

        private static readonly Lazy<ImmutableArray<MetadataReference>> s_references = new(() =>
        {
            // The framework this test runs on, plus the LstmGen runtime.
            string trusted = (string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!;
            return trusted.Split(Path.PathSeparator)
                .Where(path => !Path.GetFileName(path).StartsWith("LstmGen", StringComparison.Ordinal))
                .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))
                .Append(MetadataReference.CreateFromFile(typeof(LstmAttribute).Assembly.Location))
                .ToImmutableArray();
        });

        public static CSharpCompilation CreateCompilation(params string[] sources) => CSharpCompilation.Create(
            "GeneratorTest",
            sources.Select((source, index) => CSharpSyntaxTree.ParseText(source, ParseOptions, path: $"Source{index}.cs")),
            s_references.Value,
            new CSharpCompilationOptions(
                OutputKind.DynamicallyLinkedLibrary,
                nullableContextOptions: NullableContextOptions.Enable,
                optimizationLevel: OptimizationLevel.Release,
                warningLevel: 9999));

        /// <summary>The compilation of <see cref="CreateCompilation(string[])"/>, parsed as <paramref name="version"/>.</summary>
        public static CSharpCompilation CreateCompilation(LanguageVersion version, params string[] sources)
        {
            CSharpCompilation compilation = CreateCompilation(sources);
            CSharpParseOptions options = ParseOptions.WithLanguageVersion(version);
            return compilation.RemoveAllSyntaxTrees().AddSyntaxTrees(compilation.SyntaxTrees.Select(tree => tree.WithRootAndOptions(tree.GetRoot(), options)));
        }

        public static GeneratorDriver CreateDriver(CSharpParseOptions? parseOptions = null) => CSharpGeneratorDriver.Create(
            new[] { new LstmGenerator().AsSourceGenerator() },
            parseOptions: parseOptions ?? ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

        /// <summary>Runs the generator; returns its result and the compilation with the generated sources added.</summary>
        public static (GeneratorRunResult Result, Compilation Output) Run(params string[] sources) => Run(CreateCompilation(sources));

        /// <summary>Runs the generator on <paramref name="compilation"/>, parsing its output as the compilation's own trees are parsed.</summary>
        public static (GeneratorRunResult Result, Compilation Output) Run(CSharpCompilation compilation)
        {
            var parseOptions = (CSharpParseOptions?)compilation.SyntaxTrees.FirstOrDefault()?.Options;
            GeneratorDriver driver = CreateDriver(parseOptions).RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out _);
            return (driver.GetRunResult().Results.Single(), output);
        }

        /// <summary>
        /// Emits <paramref name="compilation"/> and loads it into a collectible context of its own (the
        /// LstmGen runtime resolves to the test's copy, so its types are shared with the test).
        /// </summary>
        public static Assembly Load(Compilation compilation)
        {
            using var stream = new MemoryStream();
            EmitResult emitted = compilation.Emit(stream);
            Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics));
            stream.Position = 0;
            var context = new AssemblyLoadContext(compilation.AssemblyName + "-" + Guid.NewGuid().ToString("N"), isCollectible: true);
            return context.LoadFromStream(stream);
        }

        /// <summary>The source generated for one model of <paramref name="source"/>.</summary>
        public static string Generate(string source)
        {
            var (result, output) = Run(source);
            Assert.Empty(result.Diagnostics);
            AssertCompilesCleanly(output);
            return ModelSource(result);
        }

        /// <summary>The sources of the models (each model's .Lstm.g.cs or .Gru.g.cs), without the registry or compiled-in weights.</summary>
        public static GeneratedSourceResult[] ModelSources(GeneratorRunResult result) =>
            result.GeneratedSources.Where(generated => generated.HintName.EndsWith(".Lstm.g.cs", StringComparison.Ordinal) || generated.HintName.EndsWith(".Gru.g.cs", StringComparison.Ordinal)).ToArray();

        /// <summary>The source of the one model of <paramref name="result"/>.</summary>
        public static string ModelSource(GeneratorRunResult result) => ModelSources(result).Single().SourceText.ToString();

        /// <summary>The generated code compiles with every warning on, and raises none.</summary>
        public static void AssertCompilesCleanly(Compilation compilation)
        {
            List<Diagnostic> problems = compilation.GetDiagnostics()
                .Where(diagnostic => diagnostic.Severity >= DiagnosticSeverity.Warning)
                .ToList();
            Assert.True(problems.Count == 0, $"{problems.Count} diagnostics, the first:\n" + string.Join("\n", problems.Take(20)));
        }
    }
}
