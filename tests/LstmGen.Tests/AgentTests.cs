using System;
using System.Linq;
using LstmGen.Tests.Reference;
using LstmGen.Tests.Training;
using Xunit;
using LstmGen.Tests.Support;

namespace LstmGen.Tests
{
    /// <summary>
    /// Many agents stepped at once give, bit for bit, what stepping each agent alone gives: for every
    /// group size, the agents left over, several layers, odd sizes, and every output activation.
    /// </summary>
    public sealed class AgentTests
    {
        public static TheoryData<string, int> Cases
        {
            get
            {
                var cases = new TheoryData<string, int>();
                foreach (string model in new[] { "stacked", "odd-sizes", "classifier-softmax", "no-head", "long-audio", "deep-odd-tanh", "headless-sigmoid", "wide-classifier" })
                {
                    foreach (int agents in new[] { 1, 3, 16, 20, 37, 48, 64 })
                    {
                        cases.Add(model, agents);
                    }
                }

                return cases;
            }
        }

        [Theory]
        [MemberData(nameof(Cases))]
        public void ManyAgentsGiveTheBitsOfOneAtATime(string model, int agents)
        {
            switch (model)
            {
                case "stacked":
                    Check<StackedModel, StackedModel.State>(new StackedModel(seed: 1), agents, (m, s, i, o) => m.Step(s, i, o), (StackedModel m, ref StackedModel.State s, ReadOnlySpan<float> i, Span<float> o) => m.Step(ref s, i, o));
                    break;
                case "odd-sizes":
                    Check<OddSizesModel, OddSizesModel.State>(new OddSizesModel(seed: 2), agents, (m, s, i, o) => m.Step(s, i, o), (OddSizesModel m, ref OddSizesModel.State s, ReadOnlySpan<float> i, Span<float> o) => m.Step(ref s, i, o));
                    break;
                case "classifier-softmax":
                    Check<ClassifierSoftmaxModel, ClassifierSoftmaxModel.State>(new ClassifierSoftmaxModel(seed: 3), agents, (m, s, i, o) => m.Step(s, i, o), (ClassifierSoftmaxModel m, ref ClassifierSoftmaxModel.State s, ReadOnlySpan<float> i, Span<float> o) => m.Step(ref s, i, o));
                    break;
                case "no-head":
                    Check<NoHeadModel, NoHeadModel.State>(new NoHeadModel(seed: 4), agents, (m, s, i, o) => m.Step(s, i, o), (NoHeadModel m, ref NoHeadModel.State s, ReadOnlySpan<float> i, Span<float> o) => m.Step(ref s, i, o));
                    break;
                case "long-audio":
                    Check<LongAudioModel, LongAudioModel.State>(new LongAudioModel(seed: 5), agents, (m, s, i, o) => m.Step(s, i, o), (LongAudioModel m, ref LongAudioModel.State s, ReadOnlySpan<float> i, Span<float> o) => m.Step(ref s, i, o));
                    break;
                case "deep-odd-tanh":
                    Check<DeepOddTanhModel, DeepOddTanhModel.State>(new DeepOddTanhModel(seed: 6), agents, (m, s, i, o) => m.Step(s, i, o), (DeepOddTanhModel m, ref DeepOddTanhModel.State s, ReadOnlySpan<float> i, Span<float> o) => m.Step(ref s, i, o));
                    break;
                case "headless-sigmoid":
                    Check<HeadlessSigmoidModel, HeadlessSigmoidModel.State>(new HeadlessSigmoidModel(seed: 7), agents, (m, s, i, o) => m.Step(s, i, o), (HeadlessSigmoidModel m, ref HeadlessSigmoidModel.State s, ReadOnlySpan<float> i, Span<float> o) => m.Step(ref s, i, o));
                    break;
                case "wide-classifier":
                    Check<WideClassifierModel, WideClassifierModel.State>(new WideClassifierModel(seed: 8), agents, (m, s, i, o) => m.Step(s, i, o), (WideClassifierModel m, ref WideClassifierModel.State s, ReadOnlySpan<float> i, Span<float> o) => m.Step(ref s, i, o));
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(model), model, "No such model.");
            }
        }

        /// <summary>Layers of more rows than a group step sums in one pass (WideAgentModels): the bits of single steps.</summary>
        [Theory]
        [InlineData("lstm-i70h100x2")]
        [InlineData("gru-i40h130")]
        public void GroupStepsInPassesOverTheRowsGiveTheBitsOfOneAtATime(string model)
        {
            Assert.True(WideAgentModels.ByName[model]().ParameterCount * sizeof(float) >= AgentGroups.MinimumParameterBytes, "the model is stepped in groups");
            Assert.True(WideAgentModels.Compare(model).Same, $"{model}: the group step's bits differ from single steps'.");
        }

        [Fact]
        public void WrongLengthsNameWhatWasExpected()
        {
            var model = new StackedModel(seed: 1);
            var states = new StackedModel.State[5];
            var error = Assert.Throws<ArgumentException>(() => model.Step(states, new float[39], new float[20]));
            Assert.Equal("inputs", error.ParamName);
            Assert.Contains("40", error.Message);
            error = Assert.Throws<ArgumentException>(() => model.Step(states, new float[40], new float[21]));
            Assert.Equal("outputs", error.ParamName);
        }

        [Fact]
        public void AWarmGroupStepAllocatesNothing()
        {
            var model = new StackedModel(seed: 1);
            var states = new StackedModel.State[64];
            float[] inputs = new float[64 * StackedModel.InputSize];
            float[] outputs = new float[64 * StackedModel.OutputSize];
            Assert.Equal(0, Allocations.OfWarm(() => model.Step(states, inputs, outputs)));
        }

        private delegate void GroupStep<TModel, TState>(TModel model, Span<TState> states, ReadOnlySpan<float> inputs, Span<float> outputs);

        private delegate void SingleStep<TModel, TState>(TModel model, ref TState state, ReadOnlySpan<float> input, Span<float> output);

        [Fact]
        public void TheLaneThresholdIsASizeInBytes()
        {
            Assert.Equal(32 * 1024, AgentGroups.DefaultMinimumParameterBytes);
            Assert.Throws<ArgumentOutOfRangeException>(() => AgentGroups.MinimumParameterBytes = -1);
        }

        /// <summary>
        /// Steps the agents together and one by one, from the same states, for a few steps: with the agents in vector
        /// lanes (what the tests set, <see cref="AgentGroupsInLanes"/>) and stepped one at a time by the group step (what a
        /// model smaller than <see cref="AgentGroups.MinimumParameterBytes"/> does). The setting is global, and the other
        /// tests' group steps give the same bits either way.
        /// </summary>
        private static void Check<TModel, TState>(TModel model, int agents, GroupStep<TModel, TState> group, SingleStep<TModel, TState> single)
            where TModel : ILstmModel
            where TState : unmanaged
        {
            lock (s_settingLock)
            {
                Check(model, agents, group, single, inLanes: true);
                AgentGroups.MinimumParameterBytes = int.MaxValue;
                try
                {
                    Check(model, agents, group, single, inLanes: false);
                }
                finally
                {
                    AgentGroups.MinimumParameterBytes = 0;
                }
            }
        }

        private static readonly object s_settingLock = new();

        private static void Check<TModel, TState>(TModel model, int agents, GroupStep<TModel, TState> group, SingleStep<TModel, TState> single, bool inLanes)
            where TModel : ILstmModel
            where TState : unmanaged
        {
            var random = new Random(agents + (inLanes ? 0 : 1000));
            var together = new TState[agents];
            var alone = new TState[agents];
            for (int step = 0; step < 4; step++)
            {
                float[] inputs = Enumerable.Range(0, agents * model.InputSize).Select(_ => (float)((random.NextDouble() * 4) - 2)).ToArray();
                float[] groupOutputs = new float[agents * model.OutputSize];
                float[] singleOutputs = new float[groupOutputs.Length];
                group(model, together, inputs, groupOutputs);
                for (int agent = 0; agent < agents; agent++)
                {
                    single(model, ref alone[agent], inputs.AsSpan(agent * model.InputSize, model.InputSize), singleOutputs.AsSpan(agent * model.OutputSize, model.OutputSize));
                }

                Assert.Equal(Bits(singleOutputs), Bits(groupOutputs));
                Assert.True(
                    System.Runtime.InteropServices.MemoryMarshal.AsBytes(together.AsSpan()).SequenceEqual(System.Runtime.InteropServices.MemoryMarshal.AsBytes(alone.AsSpan())),
                    $"step {step} ({(inLanes ? "agents in lanes" : "one at a time")}): the states differ");
            }
        }

        private static int[] Bits(float[] values) => values.Select(BitConverter.SingleToInt32Bits).ToArray();
    }
}
