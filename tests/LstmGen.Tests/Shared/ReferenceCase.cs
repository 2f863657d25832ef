using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;

namespace LstmGen.Tests.Reference
{
    /// <summary>A tensor of a reference file: its shape and its values, row-major.</summary>
    internal sealed record ReferenceTensor(int[] Shape, double[] Data)
    {
        public float[] ToSingle() => Data.Select(value => (float)value).ToArray();

        public static ReferenceTensor Read(JsonElement element) => new(
            element.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()).ToArray(),
            element.GetProperty("data").EnumerateArray().Select(e => e.GetDouble()).ToArray());
    }

    /// <summary>One LSTM case computed by PyTorch (see Reference/README.md).</summary>
    internal sealed class ReferenceCase
    {
        public static readonly string[] LstmCaseNames =
        {
            "tiny", "odd-sizes", "stacked", "no-head", "initial-state",
            "sequence-to-one-sigmoid", "classifier-softmax", "long-audio", "large-weights", "wide-odd", "wide-81",
        };

        private ReferenceCase(string name, JsonElement root)
        {
            Name = name;
            JsonElement config = root.GetProperty("config");
            InputSize = config.GetProperty("inputSize").GetInt32();
            HiddenSize = config.GetProperty("hiddenSize").GetInt32();
            Layers = config.GetProperty("layers").GetInt32();
            OutputSize = config.GetProperty("outputSize").GetInt32();
            OutputActivation = config.GetProperty("outputActivation").GetString()!;
            SequenceLength = config.GetProperty("sequenceLength").GetInt32();
            Loss = config.GetProperty("loss").GetString()!;
            LossOnLastStepOnly = config.GetProperty("lossOn").GetString() == "last";
            Tensors = root.GetProperty("tensors").EnumerateObject().ToDictionary(p => p.Name, p => ReferenceTensor.Read(p.Value));
            Input = ReferenceTensor.Read(root.GetProperty("input")).ToSingle();
            Output = ReferenceTensor.Read(root.GetProperty("output"));
            FinalHidden = ReferenceTensor.Read(root.GetProperty("h_n"));
            FinalCell = root.TryGetProperty("c_n", out JsonElement cellState) ? ReferenceTensor.Read(cellState) : null;
            Target = ReferenceTensor.Read(root.GetProperty("target"));
            ExpectedLoss = root.GetProperty("loss").GetDouble();
            Gradients = root.GetProperty("gradients").EnumerateObject().ToDictionary(p => p.Name, p => ReferenceTensor.Read(p.Value));
            InitialHidden = root.TryGetProperty("h0", out JsonElement h0) ? ReferenceTensor.Read(h0) : null;
            InitialCell = root.TryGetProperty("c0", out JsonElement c0) ? ReferenceTensor.Read(c0) : null;
            ProjectionSize = config.TryGetProperty("projectionSize", out JsonElement projection) ? projection.GetInt32() : 0;
            if (root.TryGetProperty("sgd", out JsonElement sgd))
            {
                SgdLearningRate = sgd.GetProperty("lr").GetDouble();
                AfterSgdStep = sgd.GetProperty("tensors").EnumerateObject().ToDictionary(p => p.Name, p => ReferenceTensor.Read(p.Value));
            }

            if (root.TryGetProperty("dropout", out JsonElement dropout))
            {
                DropoutProbability = dropout.GetProperty("p").GetDouble();
                DropoutSeed = dropout.GetProperty("seed").GetUInt64();
            }
        }

        /// <summary>The projection of a case with projections (Reference/projection), 0 otherwise.</summary>
        public int ProjectionSize { get; }

        /// <summary>The learning rate of the case's SGD step (Reference/projection), 0 where it has none.</summary>
        public double SgdLearningRate { get; }

        /// <summary>Every tensor after one torch.optim.SGD step from the case's gradients, or null.</summary>
        public IReadOnlyDictionary<string, ReferenceTensor>? AfterSgdStep { get; }

        /// <summary>The dropout probability of a dropout case (Reference/dropout), 0 otherwise.</summary>
        public double DropoutProbability { get; }

        /// <summary>The seed of a dropout case's masks.</summary>
        public ulong DropoutSeed { get; }

        public string Name { get; }

        public int InputSize { get; }

        public int HiddenSize { get; }

        public int Layers { get; }

        public int OutputSize { get; }

        public string OutputActivation { get; }

        public int SequenceLength { get; }

        public string Loss { get; }

        public bool LossOnLastStepOnly { get; }

        public IReadOnlyDictionary<string, ReferenceTensor> Tensors { get; }

        public float[] Input { get; }

        public ReferenceTensor Output { get; }

        public ReferenceTensor FinalHidden { get; }

        /// <summary>The cell state after the last step; null for a GRU, which has none.</summary>
        public ReferenceTensor? FinalCell { get; }

        public ReferenceTensor Target { get; }

        public double ExpectedLoss { get; }

        public IReadOnlyDictionary<string, ReferenceTensor> Gradients { get; }

        public ReferenceTensor? InitialHidden { get; }

        public ReferenceTensor? InitialCell { get; }

        /// <summary>The folder of the reference files: beside the test binaries, or given explicitly.</summary>
        public static string Directory { get; set; } = Path.Combine(AppContext.BaseDirectory, "Reference");

        /// <summary>The GRU cases (Reference/gru/make_gru_cases.py), in the folder gru beside the LSTM cases.</summary>
        public static readonly string[] GruCaseNames =
        {
            "gru-tiny", "gru-single-unit", "gru-stacked", "gru-odd-no-head", "gru-sigmoid", "gru-softmax", "gru-initial-state", "gru-wide",
        };

        /// <summary>
        /// The cases of LSTMs with projections (Reference/projection/make_projection_cases.py), in the folder projection; without
        /// projection-dropout, whose outputs are training's (dropped), which Forward's are not.
        /// </summary>
        public static readonly string[] ProjectionCaseNames =
        {
            "projection-tiny", "projection-stacked", "projection-deep-no-head", "projection-softmax", "projection-wide",
        };

        public static ReferenceCase Load(string name)
        {
            if (name.StartsWith("dropout-", StringComparison.Ordinal))
            {
                using JsonDocument dropout = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Directory, "dropout", name + ".json")));
                return new ReferenceCase(name, dropout.RootElement);
            }

            if (name.StartsWith("projection-", StringComparison.Ordinal))
            {
                using JsonDocument projection = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Directory, "projection", name + ".json")));
                return new ReferenceCase(name, projection.RootElement);
            }

            if (name.StartsWith("bilstm-", StringComparison.Ordinal) || name.StartsWith("bigru-", StringComparison.Ordinal) || name.StartsWith("biproj-", StringComparison.Ordinal))
            {
                using JsonDocument bidirectional = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Directory, "bidirectional", name + ".json")));
                return new ReferenceCase(name, bidirectional.RootElement);
            }

            if (name.StartsWith("gru-", StringComparison.Ordinal))
            {
                using JsonDocument gru = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Directory, "gru", name + ".json")));
                return new ReferenceCase(name, gru.RootElement);
            }

            using JsonDocument document = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Directory, name + ".json")));
            return new ReferenceCase(name, document.RootElement);
        }

        /// <summary>Sets every tensor of the case, and its initial state where it has one.</summary>
        public void LoadInto(ILstmModel model)
        {
            foreach ((string name, ReferenceTensor tensor) in Tensors)
            {
                model.SetTensor(name, tensor.ToSingle());
            }

            if (InitialHidden is not null && InitialCell is not null)
            {
                model.SetState(InitialHidden.ToSingle(), InitialCell.ToSingle());
            }
            else if (InitialHidden is not null)
            {
                // A GRU: no cell state, so the cell span is empty.
                model.SetState(InitialHidden.ToSingle(), default);
            }
        }
    }
}
