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
    /// <summary>docs/onnx.md's config.pbtxt blocks for Triton, read from the page, against the exported Predictor (an LSTM) and GruPredictor.</summary>
    public sealed class TritonConfigTests
    {
        private static readonly string RepositoryDirectory = typeof(TritonConfigTests).Assembly
            .GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(attribute => attribute.Key == "RepositoryDirectory").Value!;

        [Fact]
        public void TheDocumentedConfigNamesEveryInputAndOutputOfTheExportWithItsDimensions()
        {
            AssertDocumentedConfig("predictor", new Predictor(seed: 1)).Dispose();
        }

        [Fact]
        public void TheDocumentedGruConfigNamesEveryInputAndOutputOfTheGruExportWithItsDimensions()
        {
            using OrtModel onnx = AssertDocumentedConfig("gru_predictor", new GruPredictor(seed: 1));

            // What the page says of a GRU's graph: no cell state in or out.
            Assert.DoesNotContain(OnnxExport.InitialCellName, onnx.Inputs.Keys);
            Assert.DoesNotContain(OnnxExport.FinalCellName, onnx.Outputs.Keys);
        }

        /// <summary>
        /// The page's config.pbtxt for <paramref name="name"/> against <paramref name="model"/>'s export: the name, the
        /// platform, no batcher, and every input and output in the export's order with its type and dimensions.
        /// Returns the exported model, opened in ONNX Runtime.
        /// </summary>
        private static OrtModel AssertDocumentedConfig(string name, ILstmModel model)
        {
            string config = DocumentedConfig(name);
            var onnx = new OrtModel(OnnxExport.ToBytes(model));

            Assert.Matches("(?m)^platform: \"onnxruntime_onnx\"$", config);
            Assert.Matches("(?m)^max_batch_size: 0$", config);
            AssertSection(config, "input", onnx.Inputs);
            AssertSection(config, "output", onnx.Outputs);
            return onnx;
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

        /// <summary>The one ```protobuf block of docs/onnx.md (a config.pbtxt) whose first line is name: "<paramref name="name"/>".</summary>
        private static string DocumentedConfig(string name)
        {
            string page = File.ReadAllText(Path.Combine(RepositoryDirectory, "docs", "onnx.md")).Replace("\r\n", "\n", StringComparison.Ordinal);
            string[] blocks = Regex.Matches(page, "(?s)```protobuf\n(.*?)```").Select(block => block.Groups[1].Value).ToArray();
            Assert.True(blocks.Length > 0, "docs/onnx.md has no ```protobuf block (a config.pbtxt).");
            return Assert.Single(blocks, block => block.StartsWith($"name: \"{name}\"\n", StringComparison.Ordinal));
        }
    }
}
