using System;
using System.IO;
using LstmGen.Serialization;
using Xunit;

namespace LstmGen.Tests.Serialization
{
    [Lstm(InputSize = 3, HiddenSize = 10, Layers = 3, OutputSize = 2, ProjectionSize = 4)]
    internal partial class ProjectionSplitModel
    {
    }

    /// <summary>
    /// An LSTM with projections from outside: a state_dict PyTorch saved from nn.LSTM(proj_size=4) modules split as people
    /// write them (Fixtures/Interop/make_projection_fixtures.py, with the module's own outputs), loaded through the maps.
    /// </summary>
    public sealed class ProjectionInteropTests
    {
        private const float Tolerance = 1e-6f;

        private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "Interop", name);

        /// <summary>self.rnn = nn.LSTM(3, 10, proj_size=4); self.rnn2 = nn.LSTM(4, 10, num_layers=2, proj_size=4); self.fc = nn.Linear(4, 2).</summary>
        private static WeightLoadOptions SplitMaps() => new WeightLoadOptions().MapLayers("rnn", 0).MapLayers("rnn2", firstLayer: 1).MapHead("fc");

        [Fact]
        public void APyTorchStateDictWithProjectionsLoadsThroughTheMapsAndReproducesTheModulesOutputs()
        {
            var model = new ProjectionSplitModel(seed: 1);
            model.Load(Fixture("projection_split.safetensors"), SplitMaps());
            Assert.True(FrameworkFixtureTests.MaxDifferenceToPyTorch(model, "projection_split") <= Tolerance);

            // The registry finds the model with projections that the file fits.
            ISequenceModel found = LstmModels.Load(Fixture("projection_split.safetensors"), SplitMaps());
            Assert.IsType<ProjectionSplitModel>(found);
            Assert.Equal(model.Parameters.ToArray(), found.Parameters.ToArray());

            // Without the second module's layers the model's layers 1 and 2 are missing, weight_hr among them: refused, model unchanged.
            float[] before = model.Parameters.ToArray();
            WeightFileException missing = Assert.Throws<WeightFileException>(() => model.Load(Fixture("projection_split.safetensors"), new WeightLoadOptions { IgnoreUnexpected = true }.MapLayers("rnn", 0).MapHead("fc")));
            Assert.Contains("1, 2", missing.Message, StringComparison.Ordinal);
            Assert.Equal(before, model.Parameters.ToArray());
        }
    }
}
