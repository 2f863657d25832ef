using System;
using System.ComponentModel;
using System.Diagnostics;
using System.Threading;
using Spectre.Console;
using Spectre.Console.Cli;

namespace GameAgents
{
    /// <summary>The sample's options.</summary>
    public sealed class GameAgentsSettings : CommandSettings
    {
        /// <summary>Agents in the world.</summary>
        [CommandOption("--agents <N>")]
        [Description("Agents, all stepped by one model in one group step per frame.")]
        [DefaultValue(1000)]
        public int Agents { get; init; } = 1000;

        /// <summary>Frames to simulate.</summary>
        [CommandOption("--frames <N>")]
        [Description("Frames to simulate.")]
        [DefaultValue(12000)]
        public int Frames { get; init; } = 12000;

        /// <summary>The seed of the world and of the trainer.</summary>
        [CommandOption("--seed <SEED>")]
        [Description("Seed of the world, the initial weights and the trainer: one seed, one final state hash.")]
        [DefaultValue(1)]
        public int Seed { get; init; } = 1;

        /// <summary>Frames between weight swaps.</summary>
        [CommandOption("--swap-every <N>")]
        [Description("Frames between two weight swaps (a training round runs in between, on a background thread).")]
        [DefaultValue(240)]
        public int SwapEvery { get; init; } = 240;

        /// <inheritdoc/>
        public override ValidationResult Validate()
        {
            if (Agents < 1)
            {
                return ValidationResult.Error("--agents must be at least 1.");
            }

            if (Frames < 10)
            {
                return ValidationResult.Error("--frames must be at least 10.");
            }

            return SwapEvery < 1 ? ValidationResult.Error("--swap-every must be at least 1.") : ValidationResult.Success();
        }
    }

    /// <summary>Runs the simulation and prints what it measured.</summary>
    public sealed class GameAgentsCommand : Command<GameAgentsSettings>
    {
        /// <summary>Frames kept in the replay buffer.</summary>
        private const int ReplayFrames = 128;

        /// <summary>Agents recorded in the replay buffer (at most).</summary>
        private const int ReplayAgents = 64;

        /// <inheritdoc/>
        public override int Execute(CommandContext context, GameAgentsSettings settings, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(settings);
            int agents = settings.Agents;
            int frames = settings.Frames;
            var world = new World(agents, settings.Seed);
            int recorded = Math.Min(ReplayAgents, agents);
            var replay = new ReplayBuffer(ReplayFrames, recorded, agents / recorded);
            var brain = new AgentBrain(seed: settings.Seed);
            AnsiConsole.MarkupLineInterpolated($"[bold]GameAgents[/]: {agents} agents share one {nameof(AgentBrain)} (hidden {AgentBrain.HiddenSize}, {AgentBrain.ParameterCount} parameters), each with its own state; {frames} frames, seed {settings.Seed}.");
            AnsiConsole.WriteLine("Each agent sees its target through noise, predicts where it will be next frame and steers there.");
            AnsiConsole.WriteLine(FormattableString.Invariant($"A background thread trains on the last {ReplayFrames} frames of {recorded} agents and swaps new weights in every {settings.SwapEvery} frames."));

            // One group step on scratch states before the loop, so that one-time initialisation (static tables, the
            // JIT) is not counted in it; the world's own states are untouched, so the run stays the same.
            brain.Step(new AgentBrain.State[agents], new float[agents * AgentBrain.Inputs], new float[agents * AgentBrain.Outputs]);
            var record = new FrameRecord(frames);
            FrameLoopResult result;
            using (var learner = new OnlineLearner(brain, replay, maxRounds: (frames / settings.SwapEvery) + 1, seed: settings.Seed + 1))
            {
                result = RunFrames(world, replay, learner, record, settings.SwapEvery);
                learner.Dispose();
                var hash = new StateHash();
                world.AddTo(ref hash);
                hash.Add(learner.Live.Parameters);
                Report.Print(settings, record, result, learner, hash.Value);
            }

            return 0;
        }

        // The frame loop: everything it needs is allocated before it starts, and it prints nothing.
        private static FrameLoopResult RunFrames(World world, ReplayBuffer replay, OnlineLearner learner, FrameRecord record, int swapEvery)
        {
            int gen0 = GC.CollectionCount(0);
            int gen1 = GC.CollectionCount(1);
            int gen2 = GC.CollectionCount(2);
            long allocated = GC.GetAllocatedBytesForCurrentThread();
            long loopStart = Stopwatch.GetTimestamp();
            for (int frame = 0; frame < record.Frames; frame++)
            {
                long frameStart = Stopwatch.GetTimestamp();

                // At a boundary: the weights of the round started at the previous boundary go live, and a new round starts.
                if (frame > 0 && frame % swapEvery == 0)
                {
                    learner.SwapIfDue();
                    if (replay.IsFull)
                    {
                        learner.StartRound(replay);
                    }
                }

                world.MoveTargets();
                if (frame > 0)
                {
                    (record.ModelError[frame], record.ObservationError[frame]) = world.MeasurePredictions();
                }

                replay.Record(world);

                // The swap pattern: read the published model once per frame, step every agent with it.
                AgentBrain brain = learner.Live;
                world.Think(brain);
                record.Distance[frame] = world.Steer();
                record.Version[frame] = learner.Swaps;
                record.Ticks[frame] = Stopwatch.GetTimestamp() - frameStart;
            }

            TimeSpan elapsed = Stopwatch.GetElapsedTime(loopStart);
            return new FrameLoopResult(
                elapsed,
                GC.CollectionCount(0) - gen0,
                GC.CollectionCount(1) - gen1,
                GC.CollectionCount(2) - gen2,
                GC.GetAllocatedBytesForCurrentThread() - allocated);
        }
    }

    /// <summary>What the frame loop measured about itself.</summary>
    /// <param name="Elapsed">The loop's wall-clock time.</param>
    /// <param name="Gen0">Generation-0 collections during the loop (in the whole process, the trainer's thread included).</param>
    /// <param name="Gen1">Generation-1 collections during the loop.</param>
    /// <param name="Gen2">Generation-2 collections during the loop.</param>
    /// <param name="AllocatedBytes">Bytes the frame loop's thread allocated.</param>
    public readonly record struct FrameLoopResult(TimeSpan Elapsed, int Gen0, int Gen1, int Gen2, long AllocatedBytes);

    /// <summary>Per-frame measurements, preallocated so that recording them allocates nothing.</summary>
    /// <param name="frames">The frames to record.</param>
    public sealed class FrameRecord(int frames)
    {
        /// <summary>The frames.</summary>
        public int Frames { get; } = frames;

        /// <summary>Each frame's time, in <see cref="Stopwatch"/> ticks.</summary>
        public long[] Ticks { get; } = new long[frames];

        /// <summary>The mean distance between the previous frame's predictions and the targets (0 on frame 0).</summary>
        public double[] ModelError { get; } = new double[frames];

        /// <summary>The same for the raw observations, the naive prediction.</summary>
        public double[] ObservationError { get; } = new double[frames];

        /// <summary>The mean distance between the agents and their targets.</summary>
        public double[] Distance { get; } = new double[frames];

        /// <summary>The weights the frame was stepped with: the number of swaps before it.</summary>
        public int[] Version { get; } = new int[frames];
    }
}
