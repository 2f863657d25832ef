using System;
using System.IO;
using LstmGen.Serialization;
using Xunit;

namespace LstmGen.Tests.Serialization
{
    [Gru(InputSize = 3, HiddenSize = 6, Layers = 2, OutputSize = 4)]
    internal partial class GruSeqFirstModel
    {
    }

    /// <summary>
    /// GRU weights from outside: a state_dict PyTorch saved from an nn.GRU (Fixtures/Interop/make_gru_fixtures.py, with the
    /// module's own outputs), the same weights in Keras' GRU layout (written by that script with h5py from the torch weights,
    /// following Keras' documented layout: Keras itself is not installable here), and what is refused.
    /// </summary>
    public sealed partial class GruInteropTests
    {
        /// <summary>
        /// PyTorch's nn.GRU weights compiled in, every size taken from the file (gru.weight_ih_l0 [18, 3], ...); private, so
        /// that the registry, which lists the classes the assembly can name, has one model for the file.
        /// </summary>
        [Gru(Weights = "Fixtures/Interop/gru_seq_first.safetensors")]
        private partial class CompiledGruModel
        {
        }

        /// <summary>Keras' GRU keeps PyTorch's two biases apart (reset_after = True), so the weights are PyTorch's bits.</summary>
        private const float Tolerance = 1e-6f;

        private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "Interop", name);

        [Fact]
        public void APyTorchGruStateDictLoadsAndReproducesTheModulesOutputs()
        {
            var model = new GruSeqFirstModel(seed: 1);
            model.Load(Fixture("gru_seq_first.safetensors"));
            Assert.True(FrameworkFixtureTests.MaxDifferenceToPyTorch(model, "gru_seq_first") <= Tolerance);

            // Saved and loaded back: the same tensors, under PyTorch's names.
            using var stream = new MemoryStream();
            model.Save(stream);
            stream.Position = 0;
            var copy = new GruSeqFirstModel(seed: 2);
            copy.Load(stream);
            Assert.Equal(model.Parameters.ToArray(), copy.Parameters.ToArray());
        }

        [Fact]
        public void CompiledInGruWeightsAreTheFilesWithTheSizesReadFromIt()
        {
            Assert.Equal((3, 6, 2, 4), (CompiledGruModel.InputSize, CompiledGruModel.HiddenSize, CompiledGruModel.Layers, CompiledGruModel.OutputSize));
            var compiled = new CompiledGruModel();
            var loaded = new GruSeqFirstModel(seed: 9);
            loaded.Load(Fixture("gru_seq_first.safetensors"));
            Assert.Equal(loaded.Parameters.ToArray(), compiled.Parameters.ToArray());
            Assert.True(FrameworkFixtureTests.MaxDifferenceToPyTorch(compiled, "gru_seq_first") <= Tolerance);
        }

        [Fact]
        public void LayerAndHeadMapsNameAGrusModule()
        {
            // The file's own module names given as maps: MapLayers gives the model's gru.* tensors (an LSTM's lstm.*).
            var model = new GruSeqFirstModel(seed: 1);
            model.Load(Fixture("gru_seq_first.safetensors"), new WeightLoadOptions().MapLayers("gru", 0).MapHead("head"));
            Assert.True(FrameworkFixtureTests.MaxDifferenceToPyTorch(model, "gru_seq_first") <= Tolerance);

            // Layer 1 of the file as the model's layer 0 (and nothing for layer 1): refused, naming what is missing.
            WeightFileException missing = Assert.Throws<WeightFileException>(() => new GruSeqFirstModel(seed: 1).Load(Fixture("gru_seq_first.safetensors"), new WeightLoadOptions().MapLayers("gru", 1)));
            Assert.Contains("gru.", missing.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void TheRegistryFindsTheGruModelOfAFile()
        {
            // This assembly has bidirectional models too, so its registry returns ISequenceModel; a GRU that steps is an ILstmModel.
            var model = (ILstmModel)LstmModels.Load(Fixture("gru_seq_first.safetensors"));
            Assert.IsType<GruSeqFirstModel>(model);
            Assert.Equal(RecurrentCell.Gru, RecurrentCells.Of(model));
            Assert.True(FrameworkFixtureTests.MaxDifferenceToPyTorch(model, "gru_seq_first") <= Tolerance);

            // With a layer map, which the registry resolves per model type (gru.* for a GRU).
            ISequenceModel mapped = LstmModels.Load(Fixture("gru_seq_first.safetensors"), new WeightLoadOptions().MapLayers("gru", 0));
            Assert.IsType<GruSeqFirstModel>(mapped);
        }

        [Theory]
        [InlineData("keras_gru_seq_first.safetensors")]
        [InlineData("keras_tf2_gru_seq_first.safetensors")]
        public void KerasGruLayoutOfTheSameWeightsReproducesPyTorch(string file)
        {
            // Keras 3 .weights.h5 keys (layers/gru/cell/vars/0..2) or TF 2 names (gru/gru_cell/kernel:0): kernel [in, 3H] and
            // recurrent_kernel [H, 3H] with the gates z, r, h, a bias [2, 3H]; loaded into PyTorch's r, z, n.
            var model = new GruSeqFirstModel(seed: 1);
            KerasWeights.Load(model, Fixture(file));
            Assert.True(FrameworkFixtureTests.MaxDifferenceToPyTorch(model, "gru_seq_first") <= Tolerance);

            var fromTorch = new GruSeqFirstModel(seed: 3);
            fromTorch.Load(Fixture("gru_seq_first.safetensors"));
            Assert.Equal(fromTorch.Parameters.ToArray(), model.Parameters.ToArray());
        }

        [Fact]
        public void WhatAGruCannotTakeIsRefusedAndTheModelLeftAsItWas()
        {
            var model = new GruSeqFirstModel(seed: 1);
            float[] before = model.Parameters.ToArray();

            // reset_after = False computes another GRU.
            WeightFileException resetBefore = Assert.Throws<WeightFileException>(() => KerasWeights.Load(model, Fixture("keras_gru_seq_first.safetensors"), new KerasLstmConfig { ResetAfter = false }));
            Assert.Contains("reset_after = False", resetBefore.Message, StringComparison.Ordinal);

            // A reset_after = False bias [3H], given by hand.
            var keras = new KerasWeights(model);
            WeightFileException bias = Assert.Throws<WeightFileException>(() => keras.SetGru(0, new float[3 * 18], new float[6 * 18], new float[18]));
            Assert.Contains("reset_after = False", bias.Message, StringComparison.Ordinal);

            // LSTM weights: SetLstm is refused, and a Keras LSTM file does not fit.
            WeightFileException lstm = Assert.Throws<WeightFileException>(() => keras.SetLstm(0, new float[3 * 24], new float[6 * 24], new float[24]));
            Assert.Contains("SetGru", lstm.Message, StringComparison.Ordinal);
            Assert.Throws<WeightFileException>(() => KerasWeights.Load(model, Fixture("keras_seq_first.safetensors")));

            // A PyTorch LSTM's state_dict of the same sizes: its lstm.* tensors are not the model's.
            Assert.Throws<WeightFileException>(() => model.Load(Fixture("seq_first.safetensors")));

            // A GRU's messages name a GRU: an activation it does not compute, and a layer not given.
            WeightFileException activation = Assert.Throws<WeightFileException>(() => KerasWeights.Load(model, Fixture("keras_gru_seq_first.safetensors"), new KerasLstmConfig { Activation = "relu" }));
            Assert.Contains("Keras GRU activation 'relu'", activation.Message, StringComparison.Ordinal);
            Assert.Contains("nn.GRU", activation.Message, StringComparison.Ordinal);
            WeightFileException missing = Assert.Throws<WeightFileException>(() => new KerasWeights(model).Apply());
            Assert.Contains("GRU layer 0 was not given (SetGru)", missing.Message, StringComparison.Ordinal);

            // RTNeural's model files: this loader reads LSTM layers only.
            Assert.Throws<NotSupportedException>(() => RTNeuralModel.Load(model, Fixture("../rtneural_lstm1x4_dense1.json")));

            Assert.Equal(before, model.Parameters.ToArray());
        }
    }
}
