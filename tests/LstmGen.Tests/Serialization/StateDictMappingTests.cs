using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using LstmGen.Serialization;
using Xunit;
using static LstmGen.Tests.Serialization.ModelAssert;

namespace LstmGen.Tests.Serialization
{
    /// <summary>A 4-layer LSTM that PyTorch code often writes as two modules: nn.LSTM(1, 8) then nn.LSTM(8, 8, num_layers=3).</summary>
    [Lstm(InputSize = 1, HiddenSize = 8, Layers = 4, OutputSize = 2)]
    internal partial class SplitStackModel
    {
    }

    /// <summary>
    /// State_dicts as people write them, loaded with <see cref="WeightLoadOptions"/>' maps: an LSTM split
    /// across modules (layer offsets), a head under any name, tensors the model does not use. The files are
    /// written here with known, distinct values in PyTorch's layout, and read back with GetTensor.
    /// </summary>
    public sealed class StateDictMappingTests
    {
        private const int Hidden = 8;

        /// <summary>
        /// The tensors of <c>nn.LSTM</c> modules (name, input size, layers) and an <c>nn.Linear(8, 2)</c>, in
        /// PyTorch's shapes; element i of the t-th tensor is t * 1000 + i, so that every value says where it came from.
        /// </summary>
        private static Dictionary<string, (long[] Shape, float[] Values)> StateDict(string head, params (string Module, int Input, int Layers)[] lstms)
        {
            var tensors = new Dictionary<string, (long[] Shape, float[] Values)>(StringComparer.Ordinal);
            void Add(string name, params long[] shape)
            {
                int t = tensors.Count + 1;
                float[] values = Enumerable.Range(0, (int)shape.Aggregate(1L, (a, b) => a * b)).Select(i => (float)(t * 1000 + i)).ToArray();
                tensors.Add(name, (shape, values));
            }

            foreach ((string module, int input, int layers) in lstms)
            {
                for (int k = 0; k < layers; k++)
                {
                    Add($"{module}.weight_ih_l{k}", 4 * Hidden, k == 0 ? input : Hidden);
                    Add($"{module}.weight_hh_l{k}", 4 * Hidden, Hidden);
                    Add($"{module}.bias_ih_l{k}", 4 * Hidden);
                    Add($"{module}.bias_hh_l{k}", 4 * Hidden);
                }
            }

            Add($"{head}.weight", 2, Hidden);
            Add($"{head}.bias", 2);
            return tensors;
        }

        private static byte[] Write(Dictionary<string, (long[] Shape, float[] Values)> tensors)
        {
            var stream = new MemoryStream();
            SafeTensorsFile.Write(stream, tensors.Select(t => new SafeTensorsTensor(t.Key, SafeTensorsDType.F32, t.Value.Shape, SafeTensorsBytes.F32(t.Value.Values))).ToList());
            return stream.ToArray();
        }

        private static float[] Read(ILstmModel model, string name)
        {
            float[] values = new float[model.Tensors.Single(t => t.Name == name).Length];
            model.GetTensor(name, values);
            return values;
        }

        [Theory]
        [InlineData("lstm", "lstm2", "fc")]
        [InlineData("encoder.rnn", "encoder.rnn_stack", "decoder.0")]
        public void LoadsAStackSplitAcrossTwoModulesWithAHeadUnderAnyName(string first, string second, string head)
        {
            Dictionary<string, (long[] Shape, float[] Values)> file = StateDict(head, (first, 1, 1), (second, Hidden, 3));
            ILstmModel model = new SplitStackModel(seed: 1);
            WeightFile.Load(model, new MemoryStream(Write(file)), new WeightLoadOptions().MapLayers(first, 0).MapLayers(second, 1).MapHead(head));

            // The module's layer k is the model's layer 1 + k; written out, not derived from the options.
            var expected = new Dictionary<string, string>
            {
                ["lstm.weight_ih_l0"] = $"{first}.weight_ih_l0", ["lstm.bias_hh_l0"] = $"{first}.bias_hh_l0",
                ["lstm.weight_ih_l1"] = $"{second}.weight_ih_l0", ["lstm.weight_hh_l1"] = $"{second}.weight_hh_l0",
                ["lstm.bias_ih_l2"] = $"{second}.bias_ih_l1", ["lstm.bias_hh_l2"] = $"{second}.bias_hh_l1",
                ["lstm.weight_ih_l3"] = $"{second}.weight_ih_l2", ["lstm.weight_hh_l3"] = $"{second}.weight_hh_l2",
                ["lstm.bias_ih_l3"] = $"{second}.bias_ih_l2", ["lstm.bias_hh_l3"] = $"{second}.bias_hh_l2",
                ["head.weight"] = $"{head}.weight", ["head.bias"] = $"{head}.bias",
            };
            foreach ((string modelName, string fileName) in expected)
            {
                Assert.Equal(file[fileName].Values, Read(model, modelName));
            }

            // Every tensor of the model came from the file, each from a different one.
            var seen = new HashSet<float>();
            foreach (TensorInfo tensor in model.Tensors)
            {
                float first0 = Read(model, tensor.Name)[0];
                Assert.Equal(0f, first0 % 1000);
                Assert.True(seen.Add(first0), $"'{tensor.Name}' repeats another tensor's values.");
            }
        }

        [Fact]
        public void TakesTheFirstModuleByItsOwnNameWithoutAMap()
        {
            Dictionary<string, (long[] Shape, float[] Values)> file = StateDict("fc", ("lstm", 1, 1), ("lstm2", Hidden, 3));
            var model = new SplitStackModel(seed: 1);
            WeightFile.Load(model, new MemoryStream(Write(file)), new WeightLoadOptions().MapLayers("lstm2", 1).MapHead("fc"));
            Assert.Equal(file["lstm.weight_ih_l0"].Values, Read(model, "lstm.weight_ih_l0"));
            Assert.Equal(file["lstm2.weight_hh_l1"].Values, Read(model, "lstm.weight_hh_l2"));
            Assert.Equal(file["fc.bias"].Values, Read(model, "head.bias"));
        }

        [Fact]
        public void IgnoresTensorsTheModelDoesNotUseOnlyWhenAsked()
        {
            Dictionary<string, (long[] Shape, float[] Values)> file = StateDict("fc", ("lstm", 1, 1), ("lstm2", Hidden, 3));
            file.Add("embedding.weight", (new long[] { 3, 4 }, new float[12]));
            byte[] bytes = Write(file);

            var model = new SplitStackModel(seed: 1);
            Dictionary<string, int[]> before = TensorBits(model);
            Refuses(
                () => WeightFile.Load(model, new MemoryStream(bytes), new WeightLoadOptions().MapLayers("lstm2", 1).MapHead("fc")),
                "tensors the model does not: 'embedding.weight'",
                "IgnoreUnexpected");
            Assert.Equal(before, TensorBits(model));

            WeightFile.Load(model, new MemoryStream(bytes), new WeightLoadOptions { IgnoreUnexpected = true }.MapLayers("lstm2", 1).MapHead("fc"));
            Assert.Equal(file["lstm2.bias_ih_l2"].Values, Read(model, "lstm.bias_ih_l3"));
        }

        [Fact]
        public void RefusesALayerMappedTwiceAndLeavesTheModel()
        {
            // lstm has 2 layers, so its layer 1 and lstm2's layer 0 both claim the model's layer 1.
            byte[] bytes = Write(StateDict("fc", ("lstm", 1, 2), ("lstm2", Hidden, 2)));
            var model = new SplitStackModel(seed: 1);
            Dictionary<string, int[]> before = TensorBits(model);
            Refuses(
                () => WeightFile.Load(model, new MemoryStream(bytes), new WeightLoadOptions { IgnoreUnexpected = true }.MapLayers("lstm2", 1).MapHead("fc")),
                "The model's layer 1 is mapped twice",
                "(by its own name)",
                "(by MapLayers(\"lstm2\", 1))",
                "MapLayers(\"lstm2\", 1) gives the model's layers 1, 2");
            Assert.Equal(before, TensorBits(model));
        }

        [Fact]
        public void RefusesAMissingLayerAndLeavesTheModel()
        {
            byte[] bytes = Write(StateDict("fc", ("lstm", 1, 1), ("lstm2", Hidden, 2)));
            var model = new SplitStackModel(seed: 1);
            Dictionary<string, int[]> before = TensorBits(model);
            Refuses(
                () => WeightFile.Load(model, new MemoryStream(bytes), new WeightLoadOptions().MapLayers("lstm2", 2).MapHead("fc")),
                "No tensor of the weight file is the model's layer 1 (the model has layers 0 to 3;",
                "MapLayers(\"lstm2\", 2) gives the model's layers 2, 3");
            Assert.Equal(before, TensorBits(model));
        }

        [Fact]
        public void RefusesAMapThatMatchesNothing()
        {
            byte[] bytes = Write(StateDict("fc", ("lstm", 1, 1), ("lstm2", Hidden, 3)));
            var model = new SplitStackModel(seed: 1);
            Dictionary<string, int[]> before = TensorBits(model);
            Refuses(
                () => WeightFile.Load(model, new MemoryStream(bytes), new WeightLoadOptions { IgnoreUnexpected = true }.MapLayers("rnn2", 1).MapHead("fc")),
                "No tensor of the weight file is the model's layer 1, 2, 3",
                "MapLayers(\"rnn2\", 1) matches no tensor of the file",
                "'lstm2.weight_ih_l0'");
            Assert.Equal(before, TensorBits(model));
        }

        [Fact]
        public void RefusesALayerPastTheModelsLastEvenWhenIgnoringUnexpectedTensors()
        {
            byte[] bytes = Write(StateDict("fc", ("lstm", 1, 1), ("lstm2", Hidden, 3)));
            var model = new SplitStackModel(seed: 1);
            Dictionary<string, int[]> before = TensorBits(model);
            Refuses(
                () => WeightFile.Load(model, new MemoryStream(bytes), new WeightLoadOptions { IgnoreUnexpected = true }.MapLayers("lstm2", 2).MapHead("fc")),
                "MapLayers(\"lstm2\", 2) makes the weight file's 'lstm2.",
                "_l2' the model's 'lstm.",
                "_l4', but the model has 4 layers (0 to 3;");
            Assert.Equal(before, TensorBits(model));
        }

        [Fact]
        public void MapsNamesInTheOrderTheMapsWereAdded()
        {
            var options = new WeightLoadOptions().MapPrefix("model.rnn.", "lstm.").MapLayers("model.rnn2", 1).MapLayers("stack.", 3).MapHead("model.fc");
            Assert.Equal("lstm.weight_ih_l0", options.MapName("model.rnn.weight_ih_l0"));
            Assert.Equal("lstm.weight_ih_l1", options.MapName("model.rnn2.weight_ih_l0"));
            Assert.Equal("lstm.bias_hh_l13_reverse", options.MapName("model.rnn2.bias_hh_l12_reverse"));
            Assert.Equal("lstm.weight_hh_l4", options.MapName("stack.weight_hh_l1"));
            Assert.Equal("head.bias", options.MapName("model.fc.bias"));

            // Only the module itself, and only names shaped as nn.LSTM's parameters.
            Assert.Equal("model.rnn20.weight_ih_l0", options.MapName("model.rnn20.weight_ih_l0"));
            Assert.Equal("model.rnn2.proj.weight", options.MapName("model.rnn2.proj.weight"));
            Assert.Equal("model.rnn2.weight_ih", options.MapName("model.rnn2.weight_ih"));
            Assert.Equal("model.rnn2.weight_ih_l99999999999", options.MapName("model.rnn2.weight_ih_l99999999999"));

            Assert.Equal(new[] { "model.rnn2", "stack" }, options.LayerMappings.Select(m => m.FileModule));
            Assert.Equal(new[] { 1, 3 }, options.LayerMappings.Select(m => m.FirstLayer));
            Assert.Equal(new[] { "model.rnn.", "model.fc." }, options.PrefixMappings.Select(m => m.Key));
        }

        [Fact]
        public void RefusesBadMapsWhenTheyAreMade()
        {
            Assert.Throws<ArgumentOutOfRangeException>(() => new WeightLoadOptions().MapLayers("lstm2", -1));
            ArgumentException twice = Assert.Throws<ArgumentException>(() => new WeightLoadOptions().MapLayers("lstm2", 1).MapLayers("lstm2.", 2));
            Assert.Contains("'lstm2' is mapped twice: MapLayers(\"lstm2\", 1) and MapLayers(\"lstm2.\", 2)", twice.Message, StringComparison.Ordinal);
            Assert.Throws<ArgumentException>(() => new WeightLoadOptions().MapHead("."));
            Assert.Throws<ArgumentNullException>(() => new WeightLoadOptions().MapLayers(null!, 0));
        }
    }
}
