using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using LstmGen;

namespace LstmGen.Tests.Reference
{
    // One bfloat16 model per case of Fixtures/BFloat16 (make_bf16_cases.py), with the case's shape.

    [Lstm(InputSize = 3, HiddenSize = 4, OutputSize = 2, WeightPrecision = WeightPrecision.BFloat16)]
    internal partial class BFloat16TinyModel
    {
    }

    [Lstm(InputSize = 5, HiddenSize = 13, OutputSize = 3, OutputActivation = Activation.Tanh, WeightPrecision = WeightPrecision.BFloat16)]
    internal partial class BFloat16OddModel
    {
    }

    [Lstm(InputSize = 8, HiddenSize = 32, Layers = 2, OutputSize = 4, WeightPrecision = WeightPrecision.BFloat16)]
    internal partial class BFloat16StackedModel
    {
    }

    [Lstm(InputSize = 8, HiddenSize = 128, WeightPrecision = WeightPrecision.BFloat16)]
    internal partial class BFloat16WideModel
    {
    }

    [Lstm(InputSize = 128, HiddenSize = 128, OutputSize = 3, OutputActivation = Activation.Sigmoid, WeightPrecision = WeightPrecision.BFloat16)]
    internal partial class BFloat16ProjectedModel
    {
    }

    // Projections (proj_size): each layer's W_hr read from the bfloat16 copy too.
    [Lstm(InputSize = 5, HiddenSize = 7, ProjectionSize = 3, Layers = 2, OutputSize = 3, WeightPrecision = WeightPrecision.BFloat16)]
    internal partial class BFloat16ProjectionStackedModel
    {
    }

    [Lstm(InputSize = 8, HiddenSize = 32, ProjectionSize = 16, WeightPrecision = WeightPrecision.BFloat16)]
    internal partial class BFloat16ProjectionWideModel
    {
    }

    /// <summary>
    /// A bfloat16 case computed by PyTorch (Fixtures/BFloat16/make_bf16_cases.py): the weights and inputs come from
    /// the script's recipe, repeated here bit for bit; the outputs and final states are PyTorch's in float64 from the
    /// weights rounded by <c>.to(torch.bfloat16)</c>, and the float32 model's for comparison.
    /// </summary>
    internal sealed class BFloat16Case
    {
        public static readonly IReadOnlyDictionary<string, Func<ILstmModel>> Models = new Dictionary<string, Func<ILstmModel>>
        {
            ["tiny"] = () => new BFloat16TinyModel(seed: 0),
            ["odd"] = () => new BFloat16OddModel(seed: 0),
            ["stacked"] = () => new BFloat16StackedModel(seed: 0),
            ["wide"] = () => new BFloat16WideModel(seed: 0),
            ["projected"] = () => new BFloat16ProjectedModel(seed: 0),
            ["proj_stacked"] = () => new BFloat16ProjectionStackedModel(seed: 0),
            ["proj_wide"] = () => new BFloat16ProjectionWideModel(seed: 0),
        };

        private BFloat16Case(string name, JsonElement root)
        {
            Name = name;
            JsonElement config = root.GetProperty("config");
            InputSize = config.GetProperty("inputSize").GetInt32();
            HiddenSize = config.GetProperty("hiddenSize").GetInt32();
            ProjectionSize = config.TryGetProperty("projectionSize", out JsonElement projection) ? projection.GetInt32() : 0;
            Layers = config.GetProperty("layers").GetInt32();
            OutputSize = config.GetProperty("outputSize").GetInt32();
            SequenceLength = config.GetProperty("sequenceLength").GetInt32();
            BoundExponent = config.GetProperty("boundExponent").GetInt32();
            Ties = root.GetProperty("ties").GetInt32();
            Output = Doubles(root, "output");
            FinalHidden = Doubles(root, "h_n");
            FinalCell = Doubles(root, "c_n");
            Float32Output = Doubles(root, "float32Output");
            Input = Recipe(1000, SequenceLength * InputSize, 0, ties: false);
        }

        public static IEnumerable<string> Names => Models.Keys;

        public static string Directory { get; set; } = Path.Combine(AppContext.BaseDirectory, "Fixtures", "BFloat16");

        public string Name { get; }

        public int InputSize { get; }

        public int HiddenSize { get; }

        /// <summary>Values of each layer's projection (proj_size), 0 for none.</summary>
        public int ProjectionSize { get; }

        /// <summary>The hidden state's values per layer: the projection's, or HiddenSize.</summary>
        public int RecurrentWidth => ProjectionSize > 0 ? ProjectionSize : HiddenSize;

        public int Layers { get; }

        /// <summary>The head's outputs, 0 without a head (the model then outputs its hidden state).</summary>
        public int OutputSize { get; }

        public int SequenceLength { get; }

        /// <summary>The weights lie in [-2^e, 2^e) for this e.</summary>
        public int BoundExponent { get; }

        /// <summary>How many float32 weights lie exactly halfway between two bfloat16 values.</summary>
        public int Ties { get; }

        public float[] Input { get; }

        public double[] Output { get; }

        public double[] FinalHidden { get; }

        public double[] FinalCell { get; }

        /// <summary>The outputs of the same model on the float32 weights, unrounded.</summary>
        public double[] Float32Output { get; }

        public static BFloat16Case Load(string name)
        {
            using JsonDocument document = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Directory, name + ".json")));
            return new BFloat16Case(name, document.RootElement);
        }

        /// <summary>The case's float32 weights (before rounding), tensor by tensor in state_dict order.</summary>
        public IEnumerable<(string Name, float[] Values)> Weights(ILstmModel model) =>
            model.Tensors.Select((tensor, index) => (tensor.Name, Recipe(index, tensor.Length, BoundExponent, ties: true)));

        /// <summary>Sets every tensor of the case (float32: a bfloat16 model rounds them).</summary>
        public void LoadInto(ILstmModel model)
        {
            foreach ((string name, float[] values) in Weights(model))
            {
                model.SetTensor(name, values);
            }
        }

        /// <summary>A new model of the case, its weights set and its state zero.</summary>
        public ILstmModel CreateModel()
        {
            ILstmModel model = Models[Name]();
            LoadInto(model);
            return model;
        }

        /// <summary>Forward over the case's input from the zero state: the outputs and final states.</summary>
        public (float[] Outputs, float[] Hidden, float[] Cell) Run(ILstmModel model)
        {
            float[] outputs = new float[SequenceLength * model.OutputSize];
            model.Forward(Input, outputs);
            float[] hidden = new float[Layers * RecurrentWidth];
            float[] cell = new float[Layers * HiddenSize];
            model.GetState(hidden, cell);
            return (outputs, hidden, cell);
        }

        /// <summary>
        /// What a code path computes on the case: the largest difference of Forward from PyTorch, a digest of the bits
        /// of Forward's outputs and final states, whether Step(input, output) step by step gave those bits, a digest of
        /// 37 agents stepped together (the group step) and whether that matched each agent stepped alone.
        /// </summary>
        public (double Error, string Forward, bool StepsSame, string Agents, bool AgentsSame) PathResult()
        {
            var (outputs, hidden, cell) = Run(CreateModel());
            double error = Math.Max(
                ReferenceComparison.MaxAbsoluteError(outputs, Output),
                Math.Max(ReferenceComparison.MaxAbsoluteError(hidden, FinalHidden), ReferenceComparison.MaxAbsoluteError(cell, FinalCell)));
            string forward = ReferenceComparison.Digest(outputs, hidden, cell);

            // Step by step on the model's own state: the bits of Forward.
            ILstmModel stepped = CreateModel();
            float[] stepOutputs = new float[outputs.Length];
            for (int t = 0; t < SequenceLength; t++)
            {
                stepped.Step(Input.AsSpan(t * InputSize, InputSize), stepOutputs.AsSpan(t * stepped.OutputSize, stepped.OutputSize));
            }

            float[] stepHidden = new float[hidden.Length];
            float[] stepCell = new float[cell.Length];
            stepped.GetState(stepHidden, stepCell);
            bool stepsSame = ReferenceComparison.Digest(stepOutputs, stepHidden, stepCell) == forward;

            var (agents, agentsSame) = Name switch
            {
                "tiny" => Agents<BFloat16TinyModel, BFloat16TinyModel.State>((m, s, i, o) => m.Step(s, i, o), (m, ref s, i, o) => m.Step(ref s, i, o)),
                "odd" => Agents<BFloat16OddModel, BFloat16OddModel.State>((m, s, i, o) => m.Step(s, i, o), (m, ref s, i, o) => m.Step(ref s, i, o)),
                "stacked" => Agents<BFloat16StackedModel, BFloat16StackedModel.State>((m, s, i, o) => m.Step(s, i, o), (m, ref s, i, o) => m.Step(ref s, i, o)),
                "wide" => Agents<BFloat16WideModel, BFloat16WideModel.State>((m, s, i, o) => m.Step(s, i, o), (m, ref s, i, o) => m.Step(ref s, i, o)),
                "projected" => Agents<BFloat16ProjectedModel, BFloat16ProjectedModel.State>((m, s, i, o) => m.Step(s, i, o), (m, ref s, i, o) => m.Step(ref s, i, o)),
                "proj_stacked" => Agents<BFloat16ProjectionStackedModel, BFloat16ProjectionStackedModel.State>((m, s, i, o) => m.Step(s, i, o), (m, ref s, i, o) => m.Step(ref s, i, o)),
                "proj_wide" => Agents<BFloat16ProjectionWideModel, BFloat16ProjectionWideModel.State>((m, s, i, o) => m.Step(s, i, o), (m, ref s, i, o) => m.Step(ref s, i, o)),
                _ => throw new InvalidOperationException($"No model for the case {Name}."),
            };
            return (error, forward, stepsSame, agents, agentsSame);
        }

        private delegate void GroupStep<TModel, TState>(TModel model, Span<TState> states, ReadOnlySpan<float> inputs, Span<float> outputs);

        private delegate void SingleStep<TModel, TState>(TModel model, ref TState state, ReadOnlySpan<float> input, Span<float> output);

        /// <summary>37 agents (whole groups on every path, and some left over), agent a's input the case's times 1 + a / 16.</summary>
        private (string Digest, bool Same) Agents<TModel, TState>(GroupStep<TModel, TState> group, SingleStep<TModel, TState> single)
            where TModel : ILstmModel
            where TState : unmanaged
        {
            const int count = 37;
            var model = (TModel)CreateModel();
            var states = new TState[count];
            var alone = new TState[count];
            int outputSize = model.OutputSize;
            float[] inputs = new float[count * InputSize];
            float[] outputs = new float[count * outputSize];
            float[] aloneOutputs = new float[outputs.Length];
            var digest = new List<float[]>();
            bool same = true;
            for (int t = 0; t < SequenceLength; t++)
            {
                for (int agent = 0; agent < count; agent++)
                {
                    for (int k = 0; k < InputSize; k++)
                    {
                        inputs[(agent * InputSize) + k] = Input[(t * InputSize) + k] * (1f + (agent / 16f));
                    }

                    single(model, ref alone[agent], inputs.AsSpan(agent * InputSize, InputSize), aloneOutputs.AsSpan(agent * outputSize, outputSize));
                }

                group(model, states, inputs, outputs);
                same &= outputs.AsSpan().SequenceEqual(aloneOutputs);
                digest.Add((float[])outputs.Clone());
            }

            float[] groupStates = System.Runtime.InteropServices.MemoryMarshal.Cast<TState, float>(states.AsSpan()).ToArray();
            same &= groupStates.AsSpan().SequenceEqual(System.Runtime.InteropServices.MemoryMarshal.Cast<TState, float>(alone.AsSpan()));
            digest.Add(groupStates);
            return (ReferenceComparison.Digest(digest.ToArray()), same);
        }

        /// <summary>make_bf16_cases.py's recipe: (m - 2^23) * 2^(e - 23) for a 24-bit hash m; with ties, a quarter made exact ties.</summary>
        public static float[] Recipe(int tensor, int count, int boundExponent, bool ties)
        {
            float[] values = new float[count];
            for (int i = 0; i < count; i++)
            {
                uint x = Hash((uint)tensor, (uint)i);
                float value = (float)(((int)(x >> 8) - (1 << 23)) * Math.Pow(2, boundExponent - 23));
                if (ties && (x & 3) == 0 && value != 0f)
                {
                    uint bits = (BitConverter.SingleToUInt32Bits(value) & 0xFFFF0000u) | 0x8000u;
                    value = BitConverter.UInt32BitsToSingle(bits);
                }

                values[i] = value;
            }

            return values;
        }

        private static uint Hash(uint tensor, uint index)
        {
            unchecked
            {
                uint x = (tensor * 0x9E3779B1u) + (index * 0x85EBCA77u) + 0x165667B1u;
                x ^= x >> 15;
                x *= 0x2C1B3C6Du;
                x ^= x >> 12;
                x *= 0x297A2D39u;
                x ^= x >> 15;
                return x;
            }
        }

        private static double[] Doubles(JsonElement root, string name) => root.GetProperty(name).EnumerateArray().Select(e => e.GetDouble()).ToArray();
    }
}
