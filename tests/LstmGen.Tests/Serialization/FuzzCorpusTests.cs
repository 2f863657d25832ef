using System;
using System.IO;
using System.Linq;
using LstmGen.Fuzz;
using LstmGen.Serialization;
using Xunit;

namespace LstmGen.Tests.Serialization
{
    /// <summary>
    /// Replays the fuzzer's corpus (tests/LstmGen.Fuzz/corpus: seeds and every input the fuzzer kept or
    /// found) through every reader: each file loads or is refused with a <see cref="WeightFileException"/>,
    /// never another exception.
    /// </summary>
    public sealed class FuzzCorpusTests
    {
        public static TheoryData<string> CorpusFiles()
        {
            var files = new TheoryData<string>();
            foreach (string path in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "FuzzCorpus")).OrderBy(p => p, StringComparer.Ordinal))
            {
                files.Add(Path.GetFileName(path));
            }

            return files;
        }

        [Theory]
        [MemberData(nameof(CorpusFiles))]
        public void EveryCorpusFileLoadsOrIsRefusedWithAWeightFileException(string name)
        {
            byte[] bytes = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "FuzzCorpus", name));
            SafeTensorsTarget.Run(bytes);
        }

        [Fact]
        public void TheCorpusHasValidFilesOfEveryDTypeAndBrokenOnes()
        {
            string directory = Path.Combine(AppContext.BaseDirectory, "FuzzCorpus");
            Assert.True(Directory.GetFiles(directory).Length >= 20);
            foreach (string name in new[] { "weights-f32", "weights-f16", "weights-bf16", "weights-f64" })
            {
                WeightFile.Load(new FuzzModel(), Path.Combine(directory, name + ".safetensors"));
            }

            WeightFile.LoadCheckpoint(new FuzzModel(), new LstmGen.Training.Adam(), Path.Combine(directory, "checkpoint-adam.safetensors"));
            foreach (string name in new[] { "truncated", "empty", "header-unterminated", "header-overlap", "header-huge-length", "nan-weights" })
            {
                Assert.Throws<WeightFileException>(() => WeightFile.Load(new FuzzModel(), Path.Combine(directory, name + ".safetensors")));
            }
        }
    }
}

namespace LstmGen.Tests.Serialization
{
    /// <summary>
    /// The generator's own safetensors header reader (compiled-in weights) against the runtime's, on the fuzzer's
    /// corpus: both accept a file or both refuse it, and where they accept, they read the same tensors.
    /// </summary>
    public sealed class GeneratorHeaderCorpusTests
    {
        [Theory]
        [MemberData(nameof(FuzzCorpusTests.CorpusFiles), MemberType = typeof(FuzzCorpusTests))]
        public void TheGeneratorReadsEveryCorpusFileAsTheRuntimeDoes(string name)
        {
            byte[] bytes = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "FuzzCorpus", name));
            LstmGen.Generator.Weights.WeightFileContents generator = LstmGen.Generator.Weights.SafeTensorsHeader.Parse(name, bytes);
            SafeTensorsFile? runtime = null;
            string? refusal = null;
            try
            {
                runtime = SafeTensorsFile.Read(new MemoryStream(bytes));
            }
            catch (WeightFileException exception)
            {
                refusal = exception.Message;
            }

            Assert.True((runtime is null) == (generator.Error is not null), $"runtime: {refusal ?? "read"}; generator: {generator.Error ?? "read"}");
            if (runtime is not null)
            {
                Assert.Equal(
                    runtime.Entries.Select(e => $"{e.Name} {e.DType.GetName()} {e.ShapeText} {e.Begin} {e.End}").OrderBy(s => s, StringComparer.Ordinal),
                    generator.Entries.Select(e => $"{e.Name} {e.DType} {e.ShapeText} {e.Begin} {e.End}").OrderBy(s => s, StringComparer.Ordinal));
            }
        }
    }
}
