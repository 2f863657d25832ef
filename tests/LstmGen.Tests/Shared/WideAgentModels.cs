using System;
using System.Collections.Generic;
using LstmGen;

namespace LstmGen.Tests.Reference
{
    // Layers of more than KernelPlan.MaxAgentRowsInOnePass rows of W_ih and W_hh (160), whose group steps sum their tiles
    // in passes over 64 rows of each block, keeping the sums in the gate row between passes: the first layer's 170 rows in
    // passes of 64, 64 and 42, the upper layer's 200 in 64, 64, 64 and 8; blocks of 16 units and a last one of 4 (LSTM) or
    // 2 (GRU), each in parts. The group step must give the bits of single steps on every path.

    [Lstm(InputSize = 70, HiddenSize = 100, Layers = 2, OutputSize = 3)]
    internal partial class WideAgentsLstmModel
    {
    }

    [Gru(InputSize = 40, HiddenSize = 130, OutputSize = 2, OutputActivation = Activation.Tanh)]
    internal partial class WideAgentsGruModel
    {
    }

    /// <summary>The group step against single steps on the models above.</summary>
    internal static class WideAgentModels
    {
        /// <summary>Agents: with AVX-512 one whole group of 32 and a last one of 21; on narrower paths, whole groups and some left over.</summary>
        public const int Agents = 53;

        /// <summary>Steps of each agent's sequence.</summary>
        public const int Steps = 3;

        public static readonly IReadOnlyDictionary<string, Func<ILstmModel>> ByName = new Dictionary<string, Func<ILstmModel>>
        {
            ["lstm-i70h100x2"] = () => new WideAgentsLstmModel(seed: 21),
            ["gru-i40h130"] = () => new WideAgentsGruModel(seed: 22),
        };

        /// <summary>
        /// Steps <see cref="Agents"/> agents of one model together and, from the same states (not zero), one at a time, for
        /// <see cref="Steps"/> steps of inputs from a fixed formula; returns whether the two gave the same bits (outputs
        /// and final states) and a digest of the group step's bits.
        /// </summary>
        public static (bool Same, string Digest) Compare(string name) => ByName[name]() switch
        {
            WideAgentsLstmModel lstm => Compare<WideAgentsLstmModel, WideAgentsLstmModel.State>(lstm, (m, s, i, o) => m.Step(s, i, o), (WideAgentsLstmModel m, ref WideAgentsLstmModel.State s, ReadOnlySpan<float> i, Span<float> o) => m.Step(ref s, i, o)),
            WideAgentsGruModel gru => Compare<WideAgentsGruModel, WideAgentsGruModel.State>(gru, (m, s, i, o) => m.Step(s, i, o), (WideAgentsGruModel m, ref WideAgentsGruModel.State s, ReadOnlySpan<float> i, Span<float> o) => m.Step(ref s, i, o)),
            _ => throw new ArgumentOutOfRangeException(nameof(name), name, "No such model."),
        };

        private delegate void GroupStep<TModel, TState>(TModel model, Span<TState> states, ReadOnlySpan<float> inputs, Span<float> outputs);

        private delegate void SingleStep<TModel, TState>(TModel model, ref TState state, ReadOnlySpan<float> input, Span<float> output);

        private static (bool Same, string Digest) Compare<TModel, TState>(TModel model, GroupStep<TModel, TState> group, SingleStep<TModel, TState> single)
            where TModel : ILstmModel
            where TState : unmanaged
        {
            var together = new TState[Agents];
            var alone = new TState[Agents];
            Span<float> start = System.Runtime.InteropServices.MemoryMarshal.Cast<TState, float>(together.AsSpan());
            for (int i = 0; i < start.Length; i++)
            {
                start[i] = MathF.Cos(0.7f * i) * 0.5f;
            }

            together.AsSpan().CopyTo(alone);
            int inputSize = model.InputSize;
            int outputSize = model.OutputSize;
            float[] inputs = new float[Agents * inputSize];
            float[] groupOutputs = new float[Agents * outputSize];
            float[] singleOutputs = new float[Agents * outputSize];
            var groupBits = new List<float[]>();
            var singleBits = new List<float[]>();
            for (int step = 0; step < Steps; step++)
            {
                for (int i = 0; i < inputs.Length; i++)
                {
                    inputs[i] = MathF.Sin((0.37f * i) + step) * 1.5f;
                }

                group(model, together, inputs, groupOutputs);
                for (int agent = 0; agent < Agents; agent++)
                {
                    single(model, ref alone[agent], inputs.AsSpan(agent * inputSize, inputSize), singleOutputs.AsSpan(agent * outputSize, outputSize));
                }

                groupBits.Add((float[])groupOutputs.Clone());
                singleBits.Add((float[])singleOutputs.Clone());
            }

            groupBits.Add(System.Runtime.InteropServices.MemoryMarshal.Cast<TState, float>(together.AsSpan()).ToArray());
            singleBits.Add(System.Runtime.InteropServices.MemoryMarshal.Cast<TState, float>(alone.AsSpan()).ToArray());
            string digest = ReferenceComparison.Digest(groupBits.ToArray());
            return (digest == ReferenceComparison.Digest(singleBits.ToArray()), digest);
        }
    }
}
