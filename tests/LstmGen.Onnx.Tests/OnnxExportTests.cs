using System;
using System.IO;
using System.Linq;
using Xunit;
using Xunit.Abstractions;

namespace LstmGen.Onnx.Tests
{
    /// <summary>
    /// Exported models, LSTMs and GRUs, run in ONNX Runtime against the models' own outputs and states: a sequence
    /// (Forward), step by step with the state carried through hn/cn (hn alone for a GRU), a batch of sequences, and
    /// sequences of different lengths through one file.
    /// </summary>
    public sealed class OnnxExportTests
    {
        private const float Tolerance = 1e-6f;

        private readonly ITestOutputHelper _output;

        public OnnxExportTests(ITestOutputHelper output) => _output = output;

        public static TheoryData<string> Models => Tests.Models.Names;

        [Theory]
        [MemberData(nameof(Models))]
        public void ASequenceFromTheZeroStateGivesTheModelsOutputsAndState(string name)
        {
            ILstmModel model = Tests.Models.Create(name);
            AssertSequence(name, model, Random(40 * model.InputSize, seed: 1, scale: 3f), new float[model.Layers * model.HiddenSize], new float[Tests.Models.CellStateLength(model)]);
        }

        [Theory]
        [MemberData(nameof(Models))]
        public void ASequenceFromAGivenStateGivesTheModelsOutputsAndState(string name)
        {
            ILstmModel model = Tests.Models.Create(name, seed: 11);
            float[] h0 = Random(model.Layers * model.HiddenSize, seed: 3, scale: 0.9f);
            float[] c0 = Random(Tests.Models.CellStateLength(model), seed: 4, scale: 2f);
            AssertSequence(name, model, Random(9 * model.InputSize, seed: 2, scale: 2f), h0, c0);
        }

        [Theory]
        [MemberData(nameof(Models))]
        public void StepsWithTheStateFedBackGiveTheModelsSteps(string name)
        {
            ILstmModel model = Tests.Models.Create(name, seed: 5);
            using var onnx = new OrtModel(OnnxExport.ToBytes(model));
            const int steps = 25;
            float[] inputs = Random(steps * model.InputSize, seed: 6, scale: 3f);

            model.ResetState();
            float[] hidden = new float[model.Layers * model.HiddenSize], cell = new float[Tests.Models.CellStateLength(model)];
            var expected = new float[model.OutputSize];
            float worst = 0;
            for (int step = 0; step < steps; step++)
            {
                float[] input = inputs.AsSpan(step * model.InputSize, model.InputSize).ToArray();
                model.Step(input, expected);
                (float[] output, hidden, cell) = onnx.Run(input, 1, 1, hidden, cell);
                worst = Math.Max(worst, AssertClose(name, $"output of step {step}", expected, output, log: false));
            }

            _output.WriteLine($"{name}: {steps} steps, max |difference| of the outputs {worst:G3}");
            (float[] modelHidden, float[] modelCell) = State(model);
            AssertClose(name, "hn after the last step", modelHidden, hidden);
            AssertCellClose(name, "cn after the last step", modelCell, cell);
        }

        [Theory]
        [MemberData(nameof(Models))]
        public void ABatchOfSequencesGivesEachSequencesOutputs(string name)
        {
            ILstmModel model = Tests.Models.Create(name, seed: 8);
            using var onnx = new OrtModel(OnnxExport.ToBytes(model));
            const int steps = 6, batch = 3;
            int stateLength = model.Layers * model.HiddenSize;
            float[] inputs = Random(steps * batch * model.InputSize, seed: 9, scale: 2f);
            float[] h0 = Random(model.Layers * batch * model.HiddenSize, seed: 10, scale: 0.5f);
            float[] c0 = Random(Tests.Models.CellStateLength(model, batch), seed: 12, scale: 1f);

            (float[] output, float[] finalHidden, float[] finalCell) = onnx.Run(inputs, steps, batch, h0, c0);

            for (int sequence = 0; sequence < batch; sequence++)
            {
                // [steps, batch, n] and [layers, batch, n] hold sequence b's values at every (row, b).
                model.SetState(Column(h0, model.Layers, batch, sequence), Column(c0, model.Layers, batch, sequence));
                var expected = new float[steps * model.OutputSize];
                model.Forward(Column(inputs, steps, batch, sequence), expected);
                (float[] hidden, float[] cell) = State(model);

                AssertClose(name, $"output of sequence {sequence}", expected, Column(output, steps, batch, sequence));
                AssertClose(name, $"hn of sequence {sequence}", hidden, Column(finalHidden, model.Layers, batch, sequence));
                AssertCellClose(name, $"cn of sequence {sequence}", cell, Column(finalCell, model.Layers, batch, sequence));
                Assert.Equal(stateLength, hidden.Length);
            }
        }

        [Theory]
        [InlineData(nameof(SoftmaxHead))]
        [InlineData(nameof(GruSoftmaxHead))]
        public void OneFileRunsSequencesOfDifferentLengths(string name)
        {
            ILstmModel model = Tests.Models.Create(name, seed: 3);
            using var onnx = new OrtModel(OnnxExport.ToBytes(model));
            var zeros = new float[model.Layers * model.HiddenSize];
            var cellZeros = new float[Tests.Models.CellStateLength(model)];
            foreach (int steps in new[] { 1, 3, 57 })
            {
                float[] inputs = Random(steps * model.InputSize, seed: steps, scale: 2f);
                model.ResetState();
                var expected = new float[steps * model.OutputSize];
                model.Forward(inputs, expected);

                (float[] output, _, _) = onnx.Run(inputs, steps, 1, zeros, cellZeros);

                Assert.Equal(expected.Length, output.Length);
                AssertClose(name, $"output of {steps} steps", expected, output);
            }
        }

        [Fact]
        public void TheGraphHasTheDocumentedInputsAndOutputsWithDynamicAxes()
        {
            ILstmModel model = new SigmoidHead(seed: 1);
            using var onnx = new OrtModel(OnnxExport.ToBytes(model));

            Assert.Equal(new[] { "input", "h0", "c0" }, onnx.Inputs.Keys.ToArray());
            Assert.Equal(new[] { "output", "hn", "cn" }, onnx.Outputs.Keys.ToArray());
            Assert.Equal(new[] { -1, -1, 6 }, onnx.Inputs["input"].Dimensions);
            Assert.Equal(new[] { 2, -1, 13 }, onnx.Inputs["h0"].Dimensions);
            Assert.Equal(new[] { 2, -1, 13 }, onnx.Inputs["c0"].Dimensions);
            Assert.Equal(new[] { -1, -1, 3 }, onnx.Outputs["output"].Dimensions);
            Assert.Equal(new[] { 2, -1, 13 }, onnx.Outputs["hn"].Dimensions);
            Assert.Equal(new[] { 2, -1, 13 }, onnx.Outputs["cn"].Dimensions);
            Assert.Equal(new[] { "sequence", "batch", string.Empty }, onnx.Inputs["input"].SymbolicDimensions);
            Assert.Equal("LstmGen.Onnx", onnx.Metadata.ProducerName);
            Assert.Equal(nameof(SigmoidHead), onnx.Metadata.GraphName);
        }

        [Fact]
        public void AGrusGraphHasNoCellState()
        {
            ILstmModel model = new GruSigmoidHead(seed: 1);
            using var onnx = new OrtModel(OnnxExport.ToBytes(model));

            Assert.Equal(new[] { "input", "h0" }, onnx.Inputs.Keys.ToArray());
            Assert.Equal(new[] { "output", "hn" }, onnx.Outputs.Keys.ToArray());
            Assert.Equal(new[] { -1, -1, 6 }, onnx.Inputs["input"].Dimensions);
            Assert.Equal(new[] { 2, -1, 19 }, onnx.Inputs["h0"].Dimensions);
            Assert.Equal(new[] { -1, -1, 3 }, onnx.Outputs["output"].Dimensions);
            Assert.Equal(new[] { 2, -1, 19 }, onnx.Outputs["hn"].Dimensions);
            Assert.Equal(nameof(GruSigmoidHead), onnx.Metadata.GraphName);
        }

        [Fact]
        public void AGruIsWrittenAsOnnxsGruOperatorWithPyTorchsResetGate()
        {
            // ONNX's GRU with linear_before_reset = 1 is PyTorch's nn.GRU; = 0 (the default) applies the reset gate to
            // h before R_h, another GRU, which the comparisons with ONNX Runtime above would catch.
            global::Onnx.GraphProto graph = global::Onnx.ModelProto.Parser.ParseFrom(OnnxExport.ToBytes(new GruStackedNoHead(seed: 1))).Graph;

            global::Onnx.NodeProto[] grus = graph.Node.Where(node => node.OpType == "GRU").ToArray();
            Assert.Equal(3, grus.Length);
            Assert.DoesNotContain(graph.Node, node => node.OpType == "LSTM");
            foreach (global::Onnx.NodeProto gru in grus)
            {
                Assert.Equal(new[] { ("hidden_size", 7L), ("linear_before_reset", 1L) }, gru.Attribute.Select(a => (a.Name, a.I)).ToArray());
                Assert.Equal(6, gru.Input.Count);
                Assert.Equal(2, gru.Output.Count);
            }

            // W [1, 3H, in], R [1, 3H, H], B [1, 6H].
            Assert.Equal(new long[] { 1, 21, 4 }, graph.Initializer.Single(t => t.Name == "W_l0").Dims);
            Assert.Equal(new long[] { 1, 21, 7 }, graph.Initializer.Single(t => t.Name == "W_l1").Dims);
            Assert.Equal(new long[] { 1, 21, 7 }, graph.Initializer.Single(t => t.Name == "R_l2").Dims);
            Assert.Equal(new long[] { 1, 42 }, graph.Initializer.Single(t => t.Name == "B_l2").Dims);
        }

        [Theory]
        [InlineData(nameof(OneLayer))]
        [InlineData(nameof(GruLayer))]
        public void ExportingToAPathAndToAStreamWritesTheSameBytes(string name)
        {
            ILstmModel model = Tests.Models.Create(name, seed: 2);
            using var directory = new TemporaryDirectory();
            string path = directory.File("model.onnx");
            File.WriteAllText(path, "an older file");

            OnnxExport.Export(model, path);
            using var stream = new MemoryStream();
            OnnxExport.Export(model, stream);

            byte[] bytes = OnnxExport.ToBytes(model);
            Assert.Equal(bytes, File.ReadAllBytes(path));
            Assert.Equal(bytes, stream.ToArray());
            Assert.Equal(new[] { "model.onnx" }, directory.Files());

            // The file runs as the bytes do.
            using var onnx = new OrtModel(path);
            float[] input = Random(model.InputSize, seed: 1, scale: 1f);
            var zeros = new float[model.HiddenSize];
            var expected = new float[model.OutputSize];
            model.ResetState();
            model.Step(input, expected);
            AssertClose(name, "output", expected, onnx.Run(input, 1, 1, zeros, new float[Tests.Models.CellStateLength(model)]).Output);
        }

        [Fact]
        public void TheWeightsAreCopiedWhenTheModelIsExported()
        {
            var model = new OneLayer(seed: 4);
            byte[] before = OnnxExport.ToBytes(model);
            float[] weight = new float[OneLayer.OutputSize * OneLayer.HiddenSize];
            model.GetTensor("head.weight", weight);
            weight[0] += 1;
            model.SetTensor("head.weight", weight);

            byte[] after = OnnxExport.ToBytes(model);

            Assert.NotEqual(before, after);
        }

        // ---- Helpers ----

        /// <summary>The model's Forward from the state (h0, c0) against ONNX Runtime's run of the exported model: outputs and final state.</summary>
        private void AssertSequence(string name, ILstmModel model, float[] inputs, float[] h0, float[] c0)
        {
            using var onnx = new OrtModel(OnnxExport.ToBytes(model));
            int steps = inputs.Length / model.InputSize;

            model.SetState(h0, c0);
            var expected = new float[steps * model.OutputSize];
            model.Forward(inputs, expected);
            (float[] hidden, float[] cell) = State(model);

            (float[] output, float[] finalHidden, float[] finalCell) = onnx.Run(inputs, steps, 1, h0, c0);

            AssertClose(name, $"output of {steps} steps", expected, output);
            AssertClose(name, "hn", hidden, finalHidden);
            AssertCellClose(name, "cn", cell, finalCell);
        }

        private float AssertClose(string model, string what, float[] expected, float[] actual, bool log = true)
        {
            Assert.Equal(expected.Length, actual.Length);
            float worst = 0;
            int worstIndex = 0;
            for (int i = 0; i < expected.Length; i++)
            {
                float difference = Math.Abs(expected[i] - actual[i]);
                if (!(difference <= worst))
                {
                    worst = difference;
                    worstIndex = i;
                }
            }

            if (log)
            {
                _output.WriteLine($"{model}: {what}, max |difference| {worst:G3} over {expected.Length} values");
            }

            Assert.True(
                worst <= Tolerance,
                $"{model}: {what} differs from ONNX Runtime's by {worst:G9} at index {worstIndex} (model {expected[worstIndex]:G9}, ONNX Runtime {actual[worstIndex]:G9}).");

            // A comparison of zeros with zeros would prove nothing.
            Assert.Contains(expected, value => Math.Abs(value) > 1e-3f);
            return worst;
        }

        /// <summary>The cell states compared as <see cref="AssertClose"/> does; a GRU has none, in the model and in the graph.</summary>
        private void AssertCellClose(string model, string what, float[] expected, float[] actual)
        {
            if (expected.Length == 0)
            {
                Assert.Empty(actual);
                return;
            }

            AssertClose(model, what, expected, actual);
        }

        private static (float[] Hidden, float[] Cell) State(ILstmModel model)
        {
            float[] hidden = new float[model.Layers * model.HiddenSize], cell = new float[Tests.Models.CellStateLength(model)];
            model.GetState(hidden, cell);
            return (hidden, cell);
        }

        /// <summary>The values of column <paramref name="column"/> of a [rows, columns, n] tensor, as [rows, n].</summary>
        private static float[] Column(float[] values, int rows, int columns, int column)
        {
            int n = values.Length / (rows * columns);
            var result = new float[rows * n];
            for (int row = 0; row < rows; row++)
            {
                Array.Copy(values, (row * columns + column) * n, result, row * n, n);
            }

            return result;
        }

        private static float[] Random(int length, int seed, float scale)
        {
            var random = new Random(seed);
            var values = new float[length];
            for (int i = 0; i < length; i++)
            {
                values[i] = (float)(random.NextDouble() * 2 - 1) * scale;
            }

            return values;
        }
    }
}
