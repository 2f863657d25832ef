using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.ML.OnnxRuntime;
using Xunit;

namespace LstmGen.Onnx.Tests
{
    /// <summary>docs/onnx.md's config.pbtxt for Triton, read from the page, against the exported Predictor.</summary>
    public sealed class TritonConfigTests
    {
        private static readonly string RepositoryDirectory = typeof(TritonConfigTests).Assembly
            .GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(attribute => attribute.Key == "RepositoryDirectory").Value!;

        [Fact]
        public void TheDocumentedConfigNamesEveryInputAndOutputOfTheExportWithItsDimensions()
        {
            string config = DocumentedConfig();
            using var onnx = new OrtModel(OnnxExport.ToBytes(new Predictor(seed: 1)));

            Assert.Matches("(?m)^name: \"predictor\"$", config);
            Assert.Matches("(?m)^platform: \"onnxruntime_onnx\"$", config);
            Assert.Matches("(?m)^max_batch_size: 0$", config);
            AssertSection(config, "input", onnx.Inputs);
            AssertSection(config, "output", onnx.Outputs);
        }

        private static void AssertSection(string config, string section, IReadOnlyDictionary<string, NodeMetadata> exported)
        {
            Match block = Regex.Match(config, "(?ms)^" + section + @" \[\n(.*?)^\]$");
            Assert.True(block.Success, $"docs/onnx.md's config.pbtxt has no '{section} [ ... ]'.");
            var documented = Regex.Matches(block.Groups[1].Value, @"\{ name: ""(?<name>[^""]+)"", data_type: (?<type>\w+), dims: \[ (?<dims>[^\]]*) \] \}")
                .Select(entry => (
                    Name: entry.Groups["name"].Value,
                    Type: entry.Groups["type"].Value,
                    Dims: entry.Groups["dims"].Value.Split(',').Select(dim => int.Parse(dim.Trim(), System.Globalization.CultureInfo.InvariantCulture)).ToArray()))
                .ToArray();

            Assert.Equal(exported.Keys.ToArray(), documented.Select(entry => entry.Name).ToArray());
            foreach ((string name, string type, int[] dims) in documented)
            {
                Assert.Equal("TYPE_FP32", type);
                Assert.Equal(typeof(float), exported[name].ElementType);
                Assert.True(
                    exported[name].Dimensions.SequenceEqual(dims),
                    $"docs/onnx.md gives {section} '{name}' dims [{string.Join(", ", dims)}], the export [{string.Join(", ", exported[name].Dimensions)}].");
            }
        }

        private static string DocumentedConfig()
        {
            string page = File.ReadAllText(Path.Combine(RepositoryDirectory, "docs", "onnx.md")).Replace("\r\n", "\n", StringComparison.Ordinal);
            Match block = Regex.Match(page, "(?s)```protobuf\n(.*?)```");
            Assert.True(block.Success, "docs/onnx.md has no ```protobuf block (the config.pbtxt).");
            return block.Groups[1].Value;
        }
    }
}
