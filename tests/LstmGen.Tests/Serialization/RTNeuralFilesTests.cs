using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json.Nodes;
using LstmGen.Serialization;
using Xunit;
using Xunit.Abstractions;
using static LstmGen.Tests.Serialization.ModelAssert;

namespace LstmGen.Tests.Serialization
{
    /// <summary>RTNeural's torch_lstm_test model: nn.LSTM(1, 8) then nn.LSTM(8, 8, num_layers=3) then nn.Linear(8, 1), as one 4-layer model.</summary>
    [Lstm(InputSize = 1, HiddenSize = 8, Layers = 4, OutputSize = 1)]
    internal partial class RTNeuralTorchModel
    {
    }

    /// <summary>RTNeural's lstm_1d model: an lstm of 8 units and a dense of 1.</summary>
    [Lstm(InputSize = 1, HiddenSize = 8, OutputSize = 1)]
    internal partial class RTNeuralLstm1dModel
    {
    }

    /// <summary>
    /// RTNeural's own test files (Fixtures/RTNeural, from RTNeural at 1fb1f075): its PyTorch state_dict as JSON
    /// and its Keras-exported model, each stepped over RTNeural's inputs and compared with the framework's outputs
    /// within 1e-6, the tolerance of RTNeural's own tests; and a state_dict's bad inputs, each refused with the
    /// model left as it was.
    /// </summary>
    public sealed class RTNeuralFilesTests
    {
        /// <summary>RTNeural's own tolerance (torch_lstm_test.cpp, model_test.cpp compare within 1e-6).</summary>
        private const double Tolerance = 1e-6;

        private readonly ITestOutputHelper _output;

        public RTNeuralFilesTests(ITestOutputHelper output) => _output = output;

        private static string FixturePath(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "RTNeural", name);

        private static float[] Column(string name) => File.ReadAllLines(FixturePath(name))
            .Where(line => line.Trim().Length > 0)
            .Select(line => (float)double.Parse(line, NumberStyles.Float, CultureInfo.InvariantCulture))
            .ToArray();

        private static WeightLoadOptions TorchOptions() => new WeightLoadOptions().MapLayers("lstm2", firstLayer: 1).MapHead("dense");

        /// <summary>The model stepped over the inputs, state carried; the largest difference from the expected outputs.</summary>
        private static double MaxDifference(ILstmModel model, float[] inputs, float[] expected)
        {
            Assert.Equal(expected.Length, inputs.Length);
            model.ResetState();
            double max = 0;
            float[] output = new float[1];
            for (int t = 0; t < inputs.Length; t++)
            {
                model.Step(new[] { inputs[t] }, output);
                max = Math.Max(max, Math.Abs(output[0] - (double)expected[t]));
            }

            return max;
        }

        [Fact]
        public void LoadsRTNeuralsTorchStateDictAndMatchesPyTorchsOutputs()
        {
            var model = new RTNeuralTorchModel(seed: 1);
            RTNeuralModel.LoadStateDict(model, FixturePath("lstm_torch.json"), TorchOptions());

            double max = MaxDifference(model, Column("lstm_torch_x_python.csv"), Column("lstm_torch_y_python.csv"));
            _output.WriteLine($"lstm_torch: max |LstmGen - PyTorch| over 1000 steps = {max:G3}");
            Assert.True(max <= Tolerance, $"The largest difference from PyTorch's outputs is {max:G3}, more than RTNeural's tolerance {Tolerance:G3}.");
        }

        [Fact]
        public void LoadsRTNeuralsKerasModelAndMatchesKerassOutputs()
        {
            var model = new RTNeuralLstm1dModel(seed: 1);
            RTNeuralModel.Load(model, FixturePath("lstm_1d.json"));

            double max = MaxDifference(model, Column("lstm_1d_x_python.csv"), Column("lstm_1d_y_python.csv"));
            _output.WriteLine($"lstm_1d: max |LstmGen - Keras| over 100 steps = {max:G3}");
            Assert.True(max <= Tolerance, $"The largest difference from Keras' outputs is {max:G3}, more than RTNeural's tolerance {Tolerance:G3}.");
        }

        [Fact]
        public void AStateDictLoadsFromAStreamAsFromAFileAndIsTheSafeTensorsLoadOfTheSameTensors()
        {
            var fromFile = new RTNeuralTorchModel(seed: 1);
            RTNeuralModel.LoadStateDict(fromFile, FixturePath("lstm_torch.json"), TorchOptions());
            var fromStream = new RTNeuralTorchModel(seed: 2);
            using (FileStream stream = File.OpenRead(FixturePath("lstm_torch.json")))
            {
                RTNeuralModel.LoadStateDict(fromStream, stream, TorchOptions());
            }

            SameWeights(fromFile, fromStream);

            // The same tensors as a safetensors file (F32, as PyTorch holds them) through WeightFile.Load.
            JsonObject root = TorchJson();
            var tensors = root.Select(member => SafeTensorsTensor.FromSingles(member.Key, ShapeOf(member.Value!), Flatten(member.Value!))).ToList();
            var safetensors = new MemoryStream();
            SafeTensorsFile.Write(safetensors, tensors);
            safetensors.Position = 0;
            var viaSafeTensors = new RTNeuralTorchModel(seed: 3);
            WeightFile.Load(viaSafeTensors, safetensors, TorchOptions());
            SameWeights(viaSafeTensors, fromFile);
        }

        // ---- Bad state_dicts: each refused, naming the tensor, with the model left as it was ----

        private static JsonObject TorchJson() => (JsonObject)JsonNode.Parse(File.ReadAllText(FixturePath("lstm_torch.json")))!;

        private static long[] ShapeOf(JsonNode node)
        {
            var shape = new System.Collections.Generic.List<long>();
            while (node is JsonArray array)
            {
                shape.Add(array.Count);
                node = array[0]!;
            }

            return shape.ToArray();
        }

        private static float[] Flatten(JsonNode node) => node is JsonArray array
            ? array.SelectMany(item => Flatten(item!)).ToArray()
            : new[] { (float)node.GetValue<double>() };

        private static WeightFileException Refused(string json, WeightLoadOptions? options = null)
        {
            var model = new RTNeuralTorchModel(seed: 7);
            int[] before = Bits(model.Parameters);
            var exception = Assert.Throws<WeightFileException>(() => RTNeuralModel.LoadStateDict(model, new MemoryStream(Encoding.UTF8.GetBytes(json)), options ?? TorchOptions()));
            Unchanged(before, model);
            return exception;
        }

        [Fact]
        public void ARaggedArrayIsRefusedNamingTheTensor()
        {
            JsonObject root = TorchJson();
            ((JsonArray)root["lstm.weight_hh_l0"]![3]!).RemoveAt(7);
            WeightFileException exception = Refused(root.ToJsonString());
            Assert.Equal("lstm.weight_hh_l0", exception.TensorName);
            Assert.Contains("'lstm.weight_hh_l0' is ragged", exception.Message, StringComparison.Ordinal);
            Assert.Contains("[3]", exception.Message, StringComparison.Ordinal);
            Assert.Contains("array of 7", exception.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void ANumberBesideArraysIsRefusedAsRagged()
        {
            JsonObject root = TorchJson();
            ((JsonArray)root["lstm.weight_ih_l0"]!)[5] = 0.5;
            WeightFileException exception = Refused(root.ToJsonString());
            Assert.Equal("lstm.weight_ih_l0", exception.TensorName);
            Assert.Contains("ragged", exception.Message, StringComparison.Ordinal);
            Assert.Contains("element [5] is a number 1 deep, where the tensor's first numbers are 2 deep", exception.Message, StringComparison.Ordinal);

            // An array where the first elements were numbers.
            exception = Refused("{\"dense.bias\": [0.5, [1]]}");
            Assert.Contains("'dense.bias' is ragged, not a tensor: element [1] is an array 1 deep, where the tensor's first numbers are 1 deep", exception.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void AWrongShapeIsRefusedNamingTheTensorAndBothShapes()
        {
            JsonObject root = TorchJson();
            foreach (JsonNode? row in (JsonArray)root["lstm2.weight_ih_l0"]!)
            {
                ((JsonArray)row!).RemoveAt(7);
            }

            WeightFileException exception = Refused(root.ToJsonString());
            Assert.Equal("lstm2.weight_ih_l0", exception.TensorName);
            Assert.Contains("'lstm2.weight_ih_l0' (the model's 'lstm.weight_ih_l1')", exception.Message, StringComparison.Ordinal);
            Assert.Contains("[32, 7]", exception.Message, StringComparison.Ordinal);
            Assert.Contains("[32, 8]", exception.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void AnUnknownTensorIsRefusedUnlessIgnoreUnexpected()
        {
            JsonObject root = TorchJson();
            root["norm.scale"] = new JsonArray(1.0, 2.0);
            WeightFileException exception = Refused(root.ToJsonString());
            Assert.Equal("norm.scale", exception.TensorName);
            Assert.Contains("'norm.scale'", exception.Message, StringComparison.Ordinal);
            Assert.Contains("IgnoreUnexpected", exception.Message, StringComparison.Ordinal);

            var model = new RTNeuralTorchModel(seed: 1);
            WeightLoadOptions options = TorchOptions();
            options.IgnoreUnexpected = true;
            RTNeuralModel.LoadStateDict(model, new MemoryStream(Encoding.UTF8.GetBytes(root.ToJsonString())), options);
            var expected = new RTNeuralTorchModel(seed: 2);
            RTNeuralModel.LoadStateDict(expected, FixturePath("lstm_torch.json"), TorchOptions());
            SameWeights(expected, model);
        }

        [Fact]
        public void AMissingTensorIsRefusedNamingTheModelsTensor()
        {
            JsonObject root = TorchJson();
            Assert.True(root.Remove("lstm2.bias_hh_l2"));
            WeightFileException exception = Refused(root.ToJsonString());
            Assert.Equal("lstm.bias_hh_l3", exception.TensorName);
            Assert.Contains("'lstm.bias_hh_l3' [32]", exception.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void AStateDictWithoutTheMapsIsRefused()
        {
            // Without MapLayers/MapHead, the lstm2.* and dense.* tensors are not the model's.
            WeightFileException exception = Refused(File.ReadAllText(FixturePath("lstm_torch.json")), new WeightLoadOptions());
            Assert.Contains("no tensor for the model's 'lstm.weight_ih_l1'", exception.Message, StringComparison.Ordinal);
        }

        [Theory]
        [InlineData("\"0.5\"", "a string, not a number")]
        [InlineData("null", "null, not a number")]
        [InlineData("true", "a boolean, not a number")]
        [InlineData("{\"a\": 1}", "an object, not a number")]
        [InlineData("1e999", "not a finite number")]
        public void AnElementThatIsNotAFiniteNumberIsRefused(string element, string problem)
        {
            JsonObject root = TorchJson();
            string json = root.ToJsonString().Replace("\"dense.bias\":[", "\"dense.bias\":[" + element + ",", StringComparison.Ordinal);
            WeightFileException exception = Refused(json);
            Assert.Equal("dense.bias", exception.TensorName);
            Assert.Contains("'dense.bias', element [0]", exception.Message, StringComparison.Ordinal);
            Assert.Contains(problem, exception.Message, StringComparison.Ordinal);
        }

        [Theory]
        [InlineData("NaN")]
        [InlineData("Infinity")]
        [InlineData("-Infinity")]
        public void PythonsNaNAndInfinityAreRefusedNamingTheTensor(string token)
        {
            JsonObject root = TorchJson();
            string json = root.ToJsonString().Replace("\"dense.bias\":[", "\"dense.bias\":[" + token + ",", StringComparison.Ordinal);
            WeightFileException exception = Refused(json);
            Assert.Equal("dense.bias", exception.TensorName);
            Assert.Contains("not valid JSON in tensor 'dense.bias'", exception.Message, StringComparison.Ordinal);
            Assert.Contains("NaN and Infinity", exception.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void ArraysNestedTooDeepAreRefused()
        {
            string deep = new string('[', RTNeuralModel.MaxStateDictDimensions + 1) + "1" + new string(']', RTNeuralModel.MaxStateDictDimensions + 1);
            WeightFileException exception = Refused("{\"lstm.weight_ih_l0\": " + deep + "}");
            Assert.Equal("lstm.weight_ih_l0", exception.TensorName);
            Assert.Contains($"more than {RTNeuralModel.MaxStateDictDimensions} deep", exception.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void ATensorTwiceAndAJsonThatIsNotAnObjectAreRefused()
        {
            Assert.Contains("'dense.bias' twice", Refused("{\"dense.bias\": [1], \"dense.bias\": [2]}").Message, StringComparison.Ordinal);
            Assert.Contains("is an array, not an object", Refused("[1, 2]").Message, StringComparison.Ordinal);
        }

        [Fact]
        public void RTNeuralModelLoadPointsAStateDictToLoadStateDict()
        {
            var model = new RTNeuralTorchModel(seed: 1);
            int[] before = Bits(model.Parameters);
            var exception = Assert.Throws<WeightFileException>(() => RTNeuralModel.Load(model, FixturePath("lstm_torch.json")));
            Unchanged(before, model);
            Assert.Contains("RTNeuralModel.LoadStateDict", exception.Message, StringComparison.Ordinal);
        }
    }
}
