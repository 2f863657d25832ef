using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using LstmGen.CompilerServices;
using LstmGen.Benchmarks.Baselines;
using LstmGen.Benchmarks.Infrastructure;

namespace LstmGen.Benchmarks
{
    /// <summary>The operations of the BenchmarkDotNet classes, for the quick <c>--survey</c>.</summary>
    public static class SurveyEntries
    {
        /// <summary>Step, Forward (100 steps) and AccumulateGradients (50 steps) of every selected shape, then the 1,000-agent frame and a Trainer epoch on 1 and 2 threads.</summary>
        public static IEnumerable<Survey.Entry> All()
        {
            foreach (string name in Shapes.Selected)
            {
                Shape shape = Shapes.Get(name);
                Verification.Require(shape);
                ILstmModel model = shape.Create();
                var baselines = new (string Name, BaselineLstm Lstm)[]
                {
                    ("Naive", new NaiveLstm(model)),
                    ("TensorPrimitivesDot", new TensorPrimitivesLstm(model, GateFormulation.RowDot)),
                    ("TensorPrimitivesAxpy", new TensorPrimitivesLstm(model, GateFormulation.TransposedAxpy)),
                };

                float[] input = Data.Uniform(shape.InputSize, seed: 1);
                float[] output = new float[shape.OutputSize];
                yield return new Survey.Entry("Step", name, "Generated", shape.StepMacs, n =>
                {
                    for (long i = 0; i < n; i++)
                    {
                        model.Step(input, output);
                    }
                }, Steps: 1);
                foreach ((string baselineName, BaselineLstm baseline) in baselines)
                {
                    yield return new Survey.Entry("Step", name, baselineName, shape.StepMacs, n =>
                    {
                        for (long i = 0; i < n; i++)
                        {
                            baseline.Step(input, output);
                        }
                    }, Steps: 1);
                }

                float[] inputs = Data.Uniform(ForwardBenchmarks.Steps * shape.InputSize, seed: 2);
                float[] outputs = new float[ForwardBenchmarks.Steps * shape.OutputSize];
                long forwardMacs = shape.StepMacs * ForwardBenchmarks.Steps;
                yield return new Survey.Entry("Forward100", name, "Generated", forwardMacs, n =>
                {
                    for (long i = 0; i < n; i++)
                    {
                        model.ResetState();
                        model.Forward(inputs, outputs);
                    }
                }, Steps: ForwardBenchmarks.Steps);
                foreach ((string baselineName, BaselineLstm baseline) in baselines)
                {
                    yield return new Survey.Entry("Forward100", name, baselineName, forwardMacs, n =>
                    {
                        for (long i = 0; i < n; i++)
                        {
                            baseline.ResetState();
                            baseline.Forward(inputs, outputs);
                        }
                    }, Steps: ForwardBenchmarks.Steps);
                }

                float[] trainingInputs = Data.Uniform(TrainingBenchmarks.Steps * shape.InputSize, seed: 3);
                float[] targets = Data.Uniform(TrainingBenchmarks.Steps * shape.OutputSize, seed: 4);
                yield return new Survey.Entry("Train50", name, "Generated", 3 * shape.StepMacs * TrainingBenchmarks.Steps, n =>
                {
                    for (long i = 0; i < n; i++)
                    {
                        model.ResetState();
                        model.AccumulateGradients(trainingInputs, targets);
                    }
                });
            }

            foreach (Survey.Entry entry in Agents())
            {
                yield return entry;
            }

            yield return LongSequence();

            foreach (Survey.Entry entry in Trainer())
            {
                yield return entry;
            }
        }

        /// <summary>Steps of <see cref="LongSequence"/>.</summary>
        public const int LongSequenceSteps = 500;

        /// <summary>
        /// AccumulateGradients over 500 steps of i8h32 with the loss on the last step only: the gradients
        /// vanish back through time, which is where subnormal floats used to slow the backward pass down.
        /// </summary>
        private static Survey.Entry LongSequence()
        {
            Shape shape = Shapes.Get("i8h32");
            ILstmModel model = shape.Create();
            float[] inputs = Data.Uniform(LongSequenceSteps * shape.InputSize, seed: 5);
            float[] target = Data.Uniform(shape.OutputSize, seed: 6);
            return new Survey.Entry($"Train{LongSequenceSteps}LastStep", "i8h32", "Generated", 3 * shape.StepMacs * LongSequenceSteps, n => Repeat(n, () =>
            {
                model.ResetState();
                model.AccumulateGradients(inputs, target);
            }));
        }

        /// <summary>One <c>Fit</c> of <see cref="TrainerBenchmarks"/> (<see cref="TrainerBenchmarks.Epochs"/> epochs) on 1 thread ("Generated", the reference) and on 2.</summary>
        private static IEnumerable<Survey.Entry> Trainer()
        {
            long macs = 3 * Shapes.Get("i8h32").StepMacs * TrainerBenchmarks.Steps * TrainerBenchmarks.Sequences * TrainerBenchmarks.Epochs;
            foreach (int threads in new[] { 1, 2 })
            {
                var epoch = new TrainerBenchmarks { Threads = threads };
                epoch.Setup();
                yield return new Survey.Entry($"TrainerFit{TrainerBenchmarks.Epochs}", "i8h32", threads == 1 ? "Generated" : "Generated2Threads", macs, n => Repeat(n, () => epoch.Epoch()));
            }
        }

        private static IEnumerable<Survey.Entry> Agents()
        {
            // The N = 64 (every state in L1) and a frame of 1,000 (the states in L2).
            foreach (int agents in new[] { 64, ManyAgentsBenchmarks.DefaultAgents })
            {
                var frame = new ManyAgentsBenchmarks(agents);
                frame.Setup();
                long macs = Shapes.Get("i8h32").StepMacs * agents;
                string group = $"Agents{agents}";
                yield return new Survey.Entry(group, "i8h32", "Generated", macs, n => Repeat(n, frame.Generated), Steps: agents);
                yield return new Survey.Entry(group, "i8h32", "GeneratedGroups", macs, n => Repeat(n, frame.GeneratedGroups), Steps: agents);
                yield return new Survey.Entry(group, "i8h32", "Naive", macs, n => Repeat(n, frame.Naive), Steps: agents);
                yield return new Survey.Entry(group, "i8h32", "TensorPrimitivesAxpy", macs, n => Repeat(n, frame.TensorPrimitivesAxpy), Steps: agents);
            }

            // The group-step table: 64 agents of models whose weights leave L1 (hidden 64), fill L2 (128) and
            // pass it (256), single steps against the group step.
            const int many = 64;
            var h64 = new In8H64(Shapes.Seed);
            var h128 = new In8H128(Shapes.Seed);
            var h256 = new In8H256(Shapes.Seed);
            var i32h256 = new In32H256(Shapes.Seed);
            IEnumerable<Survey.Entry>[] frames =
            {
                AgentFrames<In8H64.State>("i8h64", many, h64.Step, h64.Step),
                AgentFrames<In8H128.State>("i8h128", many, h128.Step, h128.Step),
                AgentFrames<In8H256.State>("i8h256", many, h256.Step, h256.Step),
                AgentFrames<In32H256.State>("i32h256", many, i32h256.Step, i32h256.Step),
            };
            foreach (Survey.Entry entry in frames.SelectMany(frame => frame))
            {
                yield return entry;
            }
        }

        /// <summary>One agent's step: the generated <c>Step(ref State, input, output)</c>.</summary>
        private delegate void AgentStep<TState>(ref TState state, ReadOnlySpan<float> input, Span<float> output);

        /// <summary>The group step: the generated <c>Step(Span&lt;State&gt;, inputs, outputs)</c>.</summary>
        private delegate void GroupStep<TState>(Span<TState> states, ReadOnlySpan<float> inputs, Span<float> outputs);

        /// <summary>A frame of <paramref name="agents"/> agents of one model: one step per agent ("Generated"), and one group step ("GeneratedGroups").</summary>
        private static IEnumerable<Survey.Entry> AgentFrames<TState>(string name, int agents, AgentStep<TState> step, GroupStep<TState> group)
            where TState : struct
        {
            Shape shape = Shapes.Get(name);
            var states = new TState[agents];
            float[] inputs = Data.Uniform(agents * shape.InputSize, seed: 5);
            float[] outputs = new float[agents * shape.OutputSize];
            string frame = $"Agents{agents}";
            yield return new Survey.Entry(frame, name, "Generated", shape.StepMacs * agents, n =>
            {
                for (long i = 0; i < n; i++)
                {
                    for (int agent = 0; agent < agents; agent++)
                    {
                        step(ref states[agent], inputs.AsSpan(agent * shape.InputSize, shape.InputSize), outputs.AsSpan(agent * shape.OutputSize, shape.OutputSize));
                    }
                }
            }, Steps: agents);
            yield return new Survey.Entry(frame, name, "GeneratedGroups", shape.StepMacs * agents, n =>
            {
                for (long i = 0; i < n; i++)
                {
                    group(states, inputs, outputs);
                }
            }, Steps: agents);

            // The group step's moves alone: what StepAgents does around its kernels (each agent's input and
            // state into the lanes of a group, the new states and the outputs back out), without the kernels. Its
            // time against GeneratedGroups' is the transposes' share, the most a container that kept the
            // agents lane-major between frames could save.
            int groupWidth = Vector512.IsHardwareAccelerated ? 32 : Vector256.IsHardwareAccelerated ? 16 : 8;
            int stateFloats = 2 * shape.Layers * shape.HiddenSize;
            int stateStride = Unsafe.SizeOf<TState>() / sizeof(float);
            float[] lanes = new float[(shape.InputSize + stateFloats + shape.OutputSize) * groupWidth];
            yield return new Survey.Entry(frame, name, "GroupTransposes", 0, n =>
            {
                ref float input = ref lanes[0];
                ref float state = ref lanes[shape.InputSize * groupWidth];
                ref float output = ref lanes[(shape.InputSize + stateFloats) * groupWidth];
                for (long i = 0; i < n; i++)
                {
                    for (int first = 0; first < agents; first += groupWidth)
                    {
                        int count = Math.Min(groupWidth, agents - first);
                        ref float groupStates = ref Unsafe.As<TState, float>(ref states[first]);
                        AgentLanes.Gather(ref inputs[first * shape.InputSize], shape.InputSize, shape.InputSize, ref input, groupWidth, count);
                        AgentLanes.Gather(ref groupStates, stateStride, stateFloats, ref state, groupWidth, count);
                        AgentLanes.Scatter(ref state, groupWidth, stateFloats, ref groupStates, stateStride, count);
                        AgentLanes.Scatter(ref output, groupWidth, shape.OutputSize, ref outputs[first * shape.OutputSize], shape.OutputSize, count);
                    }
                }
            }, Steps: agents);

            // Both cores: a group step of each half of the agents, one on a second thread (the weights are only read).
            int half = agents / 2;
            var worker = new PairedWorker(() => group(states.AsSpan(0, half), inputs.AsSpan(0, half * shape.InputSize), outputs.AsSpan(0, half * shape.OutputSize)));
            Action own = () => group(states.AsSpan(half), inputs.AsSpan(half * shape.InputSize), outputs.AsSpan(half * shape.OutputSize));
            yield return new Survey.Entry(frame, name, "GeneratedGroups2Threads", shape.StepMacs * agents, n =>
            {
                for (long i = 0; i < n; i++)
                {
                    worker.Run(own);
                }
            }, Steps: agents);
        }

        private static void Repeat(long count, Action action)
        {
            for (long i = 0; i < count; i++)
            {
                action();
            }
        }
    }
}
