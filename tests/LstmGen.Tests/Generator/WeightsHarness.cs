using System;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Threading;
using LstmGen.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;

namespace LstmGen.Tests.Generator
{
    /// <summary>
    /// An additional file on disk, as the compiler passes a binary one: the generator reads its bytes through
    /// the path, and must never ask for its text (the compiler would report a binary file as CS2015), so
    /// <see cref="GetText"/> throws.
    /// </summary>
    internal sealed class BinaryAdditionalText : AdditionalText
    {
        public BinaryAdditionalText(string path) => Path = path;

        public override string Path { get; }

        public override SourceText GetText(CancellationToken cancellationToken = default) =>
            throw new InvalidOperationException($"The generator asked for the text of the binary file {Path}.");
    }

    /// <summary>A folder of weight files for one test, deleted with it.</summary>
    internal sealed class WeightsFolder : IDisposable
    {
        public WeightsFolder() => Root = Directory.CreateTempSubdirectory("lstmgen-weights-").FullName;

        public string Root { get; }

        /// <summary>Writes <paramref name="bytes"/> at <paramref name="relative"/> under the folder; returns the full path.</summary>
        public string Write(string relative, byte[] bytes)
        {
            string path = System.IO.Path.Combine(Root, relative);
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, bytes);
            return path;
        }

        public void Dispose() => Directory.Delete(Root, recursive: true);
    }

    internal static class WeightsHarness
    {
        /// <summary>A driver with the files as AdditionalFiles, as GeneratorHarness.CreateDriver.</summary>
        public static GeneratorDriver CreateDriver(CSharpParseOptions? parseOptions, params string[] files) =>
            CreateDriver(parseOptions, files.Select(file => (AdditionalText)new BinaryAdditionalText(file)).ToArray());

        public static GeneratorDriver CreateDriver(CSharpParseOptions? parseOptions, params AdditionalText[] files) => CSharpGeneratorDriver.Create(
            new[] { new LstmGenerator().AsSourceGenerator() },
            files,
            parseOptions ?? GeneratorHarness.ParseOptions,
            optionsProvider: null,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

        /// <summary>Runs the generator on <paramref name="source"/> with <paramref name="files"/> as AdditionalFiles.</summary>
        public static (GeneratorRunResult Result, Compilation Output) Run(string source, params string[] files) =>
            Run(GeneratorHarness.CreateCompilation(source), files);

        public static (GeneratorRunResult Result, Compilation Output) Run(CSharpCompilation compilation, params string[] files)
        {
            var parseOptions = (CSharpParseOptions?)compilation.SyntaxTrees.FirstOrDefault()?.Options;
            GeneratorDriver driver = CreateDriver(parseOptions, files).RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out ImmutableArray<Diagnostic> _);
            return (driver.GetRunResult().Results.Single(), output);
        }

        /// <summary>The safetensors bytes that <c>Save</c> writes for a model of the given sizes, seeded.</summary>
        public static byte[] SavedModel(int inputSize, int hiddenSize, int layers, int outputSize, int seed = 5, int projectionSize = 0)
        {
            string projection = projectionSize == 0 ? string.Empty : $", ProjectionSize = {projectionSize}";
            string source = $"[LstmGen.Lstm(InputSize = {inputSize}, HiddenSize = {hiddenSize}, Layers = {layers}, OutputSize = {outputSize}{projection})] public partial class Saved {{ }}";
            var (_, output) = GeneratorHarness.Run(source);
            System.Reflection.Assembly assembly = GeneratorHarness.Load(output);
            var model = (ILstmModel)Activator.CreateInstance(assembly.GetType("Saved")!, seed)!;
            var stream = new MemoryStream();
            LstmGen.Serialization.WeightFile.Save(model, stream);
            return stream.ToArray();
        }
    }
}
