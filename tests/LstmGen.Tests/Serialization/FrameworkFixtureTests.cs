using System;
using System.IO;
using System.Linq;
using LstmGen.Serialization;
using Xunit;
using Xunit.Abstractions;
using static LstmGen.Tests.Serialization.ModelAssert;

namespace LstmGen.Tests.Serialization
{
    /// <summary>Fixtures/Interop's rnn_decoder: <c>self.rnn = nn.LSTM(3, 6, batch_first=True)</c>, <c>self.decoder = nn.Linear(6, 4)</c>.</summary>
    [Lstm(InputSize = 3, HiddenSize = 6, OutputSize = 4)]
    internal partial class RnnDecoderModel
    {
    }

    /// <summary>Fixtures/Interop's seq_first: <c>nn.LSTM(3, 6, num_layers=2)</c> (batch_first=False) named lstm, <c>nn.Linear(6, 4)</c> named head.</summary>
    [Lstm(InputSize = 3, HiddenSize = 6, Layers = 2, OutputSize = 4)]
    internal partial class SeqFirstModel
    {
    }

    /// <summary>Fixtures/Interop's sequential: <c>nn.Sequential(nn.LSTM(4, 5, batch_first=True), nn.Linear(5, 3))</c>.</summary>
    [Lstm(InputSize = 4, HiddenSize = 5, OutputSize = 3)]
    internal partial class SequentialModel
    {
    }

    /// <summary>Fixtures/Interop's ddp_wrapped: <c>DistributedDataParallel</c> around <c>nn.LSTM(2, 4)</c> + <c>nn.Linear(4, 1)</c>.</summary>
    [Lstm(InputSize = 2, HiddenSize = 4, OutputSize = 1)]
    internal partial class DdpModel
    {
    }

    /// <summary>Fixtures/Interop's bidirectional: an <c>nn.LSTM(3, 6)</c>, one direction, no head.</summary>
    [Lstm(InputSize = 3, HiddenSize = 6)]
    internal partial class OneDirectionModel
    {
    }

    /// <summary>
    /// State_dicts that PyTorch itself wrote (Fixtures/Interop/make_fixtures.py: torch modules, seeded torch
    /// initialisation, <c>state_dict()</c> saved name for name), each with inputs and the module's own outputs.
    /// Each loads through <see cref="WeightLoadOptions"/>' maps and must reproduce PyTorch's outputs.
    /// </summary>
    public sealed class FrameworkFixtureTests(ITestOutputHelper output)
    {
        /// <summary>
        /// The largest difference to PyTorch's outputs that passes: float rounding of a few sums of products (PyTorch's
        /// kernels sum in another order and use libm's tanh), far below any mistake in layout, gate order or mapping.
        /// </summary>
        private const float Tolerance = 1e-6f;

        /// <summary>Keras' single bias is b_ih + b_hh rounded to float once, which adds a rounding per gate.</summary>
        private const float KerasTolerance = 1e-5f;

        private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "Interop", name);

        /// <summary>
        /// max |model - PyTorch| over the case's inputs [B, T, in] and outputs [B, T, out], each sequence from the zero
        /// state as nn.LSTM without an initial state.
        /// </summary>
        internal static float MaxDifferenceToPyTorch(ILstmModel model, string fixtureCase)
        {
            SafeTensorsFile io = SafeTensorsFile.Read(Fixture(fixtureCase + ".io.safetensors"));
            float[] Read(string name, int lastDimension)
            {
                Assert.True(io.TryGetEntry(name, out SafeTensorsEntry? entry), $"{fixtureCase}: no '{name}'");
                Assert.Equal(3, entry.Shape.Count);
                Assert.Equal(lastDimension, entry.Shape[2]);
                float[] values = new float[entry.ElementCount];
                io.ReadSingles(entry, values);
                return values;
            }

            float[] inputs = Read("inputs", model.InputSize);
            float[] expected = Read("outputs", model.OutputSize);
            Assert.True(io.TryGetEntry("inputs", out SafeTensorsEntry? shape));
            int sequences = (int)shape.Shape[0];
            int steps = (int)shape.Shape[1];
            Assert.Equal(inputs.Length / model.InputSize, expected.Length / model.OutputSize);
            float max = 0;
            float[] outputs = new float[steps * model.OutputSize];
            for (int s = 0; s < sequences; s++)
            {
                model.ResetState();
                model.Forward(inputs.AsSpan(s * steps * model.InputSize, steps * model.InputSize), outputs);
                for (int i = 0; i < outputs.Length; i++)
                {
                    float difference = Math.Abs(outputs[i] - expected[(s * outputs.Length) + i]);
                    Assert.False(float.IsNaN(difference), $"{fixtureCase}: a NaN at sequence {s}, element {i}");
                    max = Math.Max(max, difference);
                }
            }

            Assert.True(sequences > 0 && steps > 0, $"{fixtureCase}: no data");
            return max;
        }

        private void AssertMatchesPyTorch(ILstmModel model, string fixtureCase, float tolerance = Tolerance)
        {
            float difference = MaxDifferenceToPyTorch(model, fixtureCase);
            output.WriteLine($"{fixtureCase}: max |C# - PyTorch| = {difference:G3}");
            Assert.True(difference <= tolerance, $"{fixtureCase}: max |C# - PyTorch| = {difference:G9}, above {tolerance:G3}");
        }

        [Fact]
        public void SplitStackWithAnUnusedBufferLoadsWithTheReadmesOneLine()
        {
            // self.lstm = nn.LSTM(1, 8); self.lstm2 = nn.LSTM(8, 8, num_layers=3); self.fc = nn.Linear(8, 2); a buffer.
            var model = new SplitStackModel(seed: 1);
            var options = new WeightLoadOptions { IgnoreUnexpected = true }.MapLayers("lstm2", firstLayer: 1).MapHead("fc");
            WeightFile.Load(model, Fixture("split_stack.safetensors"), options);
            AssertMatchesPyTorch(model, "split_stack");
        }

        [Fact]
        public void SplitStackBufferIsRefusedUnlessAsked()
        {
            var model = new SplitStackModel(seed: 1);
            var before = TensorBits(model);
            var options = new WeightLoadOptions().MapLayers("lstm2", firstLayer: 1).MapHead("fc");
            WeightFileException error = Assert.Throws<WeightFileException>(() => WeightFile.Load(model, Fixture("split_stack.safetensors"), options));
            Assert.Contains("input_scale", error.Message, StringComparison.Ordinal);
            Assert.Equal(before, TensorBits(model));
        }

        [Fact]
        public void HeadUnderAnotherNameAndRenamedLstmLoad()
        {
            var model = new RnnDecoderModel(seed: 1);
            WeightFile.Load(model, Fixture("rnn_decoder.safetensors"), new WeightLoadOptions().MapLayers("rnn", 0).MapHead("decoder"));
            AssertMatchesPyTorch(model, "rnn_decoder");

            var renamed = new RnnDecoderModel(seed: 2);
            WeightFile.Load(renamed, Fixture("rnn_decoder.safetensors"), new WeightLoadOptions().MapPrefix("rnn.", "lstm.").MapHead("decoder"));
            SameWeights(model, renamed);
        }

        [Fact]
        public void SequenceFirstStackLoadsAsItIs()
        {
            // batch_first=False changes the inputs' layout, not the state_dict: the names are the model's.
            var model = new SeqFirstModel(seed: 1);
            WeightFile.Load(model, Fixture("seq_first.safetensors"));
            AssertMatchesPyTorch(model, "seq_first");
        }

        [Fact]
        public void SequentialNamesLoad()
        {
            // nn.Sequential numbers its modules: 0.weight_ih_l0, ..., 1.weight, 1.bias.
            var model = new SequentialModel(seed: 1);
            WeightFile.Load(model, Fixture("sequential.safetensors"), new WeightLoadOptions().MapLayers("0", 0).MapHead("1"));
            AssertMatchesPyTorch(model, "sequential");
        }

        [Fact]
        public void DistributedDataParallelPrefixIsDropped()
        {
            var model = new DdpModel(seed: 1);
            WeightFile.Load(model, Fixture("ddp_wrapped.safetensors"), new WeightLoadOptions().MapPrefix("module.", string.Empty));
            AssertMatchesPyTorch(model, "ddp_wrapped");
        }

        [Fact]
        public void DistributedDataParallelNamesWithoutAMapAreRefusedNamingThem()
        {
            var model = new DdpModel(seed: 1);
            var before = TensorBits(model);
            WeightFileException error = Assert.Throws<WeightFileException>(() => WeightFile.Load(model, Fixture("ddp_wrapped.safetensors")));
            Assert.Contains("module.lstm.weight_ih_l0", error.Message, StringComparison.Ordinal);
            Assert.Equal(before, TensorBits(model));
        }

        [Theory]
        [InlineData(false)]
        [InlineData(true)]
        public void BidirectionalLstmIsRefusedEvenWhenUnexpectedTensorsAreSkipped(bool ignoreUnexpected)
        {
            // nn.LSTM(3, 6, bidirectional=True): its forward direction has the model's names and shapes, but its outputs are
            // [forward; backward]. Skipping the _reverse tensors as "unexpected" used to load the forward half silently.
            var model = new OneDirectionModel(seed: 1);
            var before = TensorBits(model);
            var options = new WeightLoadOptions { IgnoreUnexpected = ignoreUnexpected };
            WeightFileException error = Assert.Throws<WeightFileException>(() => WeightFile.Load(model, Fixture("bidirectional.safetensors"), options));
            Assert.Contains("_reverse' is the reverse direction of a bidirectional nn.LSTM", error.Message, StringComparison.Ordinal);
            Assert.Equal(before, TensorBits(model));
        }

        [Theory]
        [InlineData("Interop/torch_save.pt", "a zip archive, as torch.save writes a .pt or .pth file")]
        [InlineData("Interop/torch_save_legacy.pt", "a Python pickle, as torch.save writes a .pt or .pth file in its legacy format")]
        [InlineData("Interop/keras_seq_first.weights.h5", "HDF5, as Keras writes .h5 and .weights.h5 files")]
        [InlineData("rtneural_lstm1x4_dense1.json", "an RTNeural model loads with RTNeuralModel.Load")]
        public void OtherFormatsAreRefusedSayingWhatTheyAre(string file, string expected)
        {
            // Files people pass by mistake: the message says what the file is and what LstmGen reads instead.
            var model = new SeqFirstModel(seed: 1);
            var before = TensorBits(model);
            string path = Path.Combine(AppContext.BaseDirectory, "Fixtures", file);
            WeightFileException error = Assert.Throws<WeightFileException>(() => WeightFile.Load(model, path));
            Assert.Contains(expected, error.Message, StringComparison.Ordinal);
            Assert.Contains("not a safetensors file", error.Message, StringComparison.Ordinal);
            Assert.Equal(before, TensorBits(model));
        }

        [Theory]
        [InlineData("keras_seq_first.safetensors")]
        [InlineData("keras_tf2_seq_first.safetensors")]
        public void KerasLayoutOfTheSameWeightsReproducesPyTorch(string file)
        {
            // seq_first's torch weights converted to Keras' layout (kernel = W_ih^T, one bias = b_ih + b_hh), under Keras 3
            // .weights.h5 keys (through h5py) or TF 2 variable names. Written by the script, not by Keras (not installed).
            var model = new SeqFirstModel(seed: 1);
            KerasWeights.Load(model, Fixture(file));
            AssertMatchesPyTorch(model, "seq_first", KerasTolerance);
        }
    }
}
