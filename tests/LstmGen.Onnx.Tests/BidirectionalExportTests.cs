using System;
using System.Collections.Generic;
using System.Linq;
using LstmGen.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace LstmGen.Onnx.Tests
{
    [Lstm(InputSize = 3, HiddenSize = 5, Layers = 2, OutputSize = 2, Bidirectional = true)]
    public partial class BidirectionalLstm { }

    [Lstm(InputSize = 4, HiddenSize = 19, Layers = 3, OutputSize = 3, OutputActivation = Activation.Softmax, Loss = LossFunction.CrossEntropy, Bidirectional = true)]
    public partial class BidirectionalLstmClassifier { }

    [Gru(InputSize = 3, HiddenSize = 5, Bidirectional = true)]
    public partial class BidirectionalGru { }

    [Gru(InputSize = 6, HiddenSize = 17, Layers = 2, OutputSize = 1, OutputActivation = Activation.Sigmoid, Bidirectional = true)]
    public partial class BidirectionalGruStacked { }

    /// <summary>
    /// A bidirectional model exports as ONNX LSTM / GRU operators with direction="bidirectional" (W, R, B of [2, ...]: the
    /// forward direction, then the *_reverse tensors), each layer's Y [T, 2, batch, H] made [T, batch, 2H] for the layer above
    /// and the head; h0 and c0 are [2 x Layers, batch, H]. Run in ONNX Runtime from zero states, it gives Forward's outputs.
    /// </summary>
    public sealed class BidirectionalExportTests
    {
        private readonly ITestOutputHelper _output;

        public BidirectionalExportTests(ITestOutputHelper output) => _output = output;

        public static TheoryData<string> Names => new() { "lstm", "lstm-classifier", "gru", "gru-stacked" };

        private static ISequenceModel Create(string name) => name switch
        {
            "lstm" => new BidirectionalLstm(seed: 3),
            "lstm-classifier" => new BidirectionalLstmClassifier(seed: 4),
            "gru" => new BidirectionalGru(seed: 5),
            _ => new BidirectionalGruStacked(seed: 6),
        };

        [Theory]
        [MemberData(nameof(Names))]
        public void ABatchOfSequencesFromZeroStatesGivesForwardsOutputs(string name)
        {
            ISequenceModel model = Create(name);
            using var onnx = new OrtModel(OnnxExport.ToBytes(model));
            Assert.Equal(2 * model.Layers, onnx.Inputs[OnnxExport.InitialHiddenName].Dimensions[0]);
            Assert.Equal(2 * model.Layers, onnx.Outputs[OnnxExport.FinalHiddenName].Dimensions[0]);

            const int steps = 37, batch = 3;
            var random = new Random(7);
            float[][] sequences = Enumerable.Range(0, batch).Select(_ => Enumerable.Range(0, steps * model.InputSize).Select(_ => (float)((random.NextDouble() * 4) - 2)).ToArray()).ToArray();

            // ONNX's input is [sequence, batch, InputSize].
            float[] input = new float[steps * batch * model.InputSize];
            for (int t = 0; t < steps; t++)
            {
                for (int b = 0; b < batch; b++)
                {
                    sequences[b].AsSpan(t * model.InputSize, model.InputSize).CopyTo(input.AsSpan(((t * batch) + b) * model.InputSize));
                }
            }

            int states = 2 * model.Layers * batch * model.HiddenSize;
            bool hasCell = RecurrentCells.Of(model) == RecurrentCell.Lstm;
            (float[] output, float[] hidden, _) = onnx.Run(input, steps, batch, new float[states], new float[hasCell ? states : 0]);
            Assert.Equal(states, hidden.Length);

            float worst = 0;
            for (int b = 0; b < batch; b++)
            {
                float[] expected = new float[steps * model.OutputSize];
                model.Forward(sequences[b], expected);
                for (int t = 0; t < steps; t++)
                {
                    for (int o = 0; o < model.OutputSize; o++)
                    {
                        float actual = output[(((t * batch) + b) * model.OutputSize) + o];
                        float difference = Math.Abs(actual - expected[(t * model.OutputSize) + o]);
                        worst = Math.Max(worst, difference);
                        Assert.True(difference <= 1e-6f, $"{name}: sequence {b}, step {t}, output {o}: ONNX Runtime {actual:R}, Forward {expected[(t * model.OutputSize) + o]:R}");
                    }
                }
            }

            _output.WriteLine($"{name}: {batch} sequences of {steps} steps, max |difference| {worst:G3}");
        }

        [OnnxCheckerFact]
        public void OnnxsCheckerAcceptsTheBidirectionalGraphs()
        {
            using var directory = new TemporaryDirectory();
            var paths = new List<string>();
            foreach (string name in new[] { "lstm", "lstm-classifier", "gru", "gru-stacked" })
            {
                paths.Add(directory.File(name + ".onnx"));
                OnnxExport.Export(Create(name), paths[^1]);
            }

            (int exitCode, string output, string error) = ChildProcess.Run(
                OnnxCheckerFactAttribute.Python!, new[] { "-c", OnnxCheckerTests.Script }.Concat(paths), null, null, TimeSpan.FromMinutes(2));
            Assert.True(exitCode == 0, $"ONNX's checker refused an exported model:\n{output}\n{error}");
            string[] lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Contains("BidirectionalLstm opset 17: Split Split LSTM Transpose Reshape LSTM Transpose Reshape Concat Concat MatMul Add; output[sequence,batch,2] hn[4,batch,5] cn[4,batch,5]", lines);
            Assert.Contains("BidirectionalGru opset 17: GRU Transpose Reshape; output[sequence,batch,10] hn[2,batch,5]", lines);
        }
    }
}
