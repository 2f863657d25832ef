using System;
using System.Diagnostics;
using System.Threading;
using LstmGen;
using LstmGen.Training;

namespace GameAgents
{
    /// <summary>
    /// Learns on a background thread from the replay buffer and swaps the new weights in at frame boundaries,
    /// with the README's swap pattern: train a model of its own, copy its parameters into a spare model that no
    /// thread steps, publish the spare with <see cref="Volatile.Write{T}(ref T, T)"/>; the frame loop reads
    /// <see cref="Live"/> once per frame.
    /// </summary>
    /// <remarks>
    /// <para>
    /// Lockstep: a round starts at a fixed frame (<see cref="StartRound"/>, every <c>swapEvery</c> frames), on a
    /// copy of the replay buffer taken at that frame, and its weights go live at the next boundary
    /// (<see cref="SwapIfDue"/>), never earlier or later. If the round is not done by then, that one frame waits
    /// for it (counted in <see cref="Waits"/>): the result never depends on how fast the trainer ran. The trainer
    /// draws its windows from a generator of its own seed, and the model and Adam give the same bits on every
    /// machine, so two runs with one seed swap in the same weights at the same frames.
    /// </para>
    /// <para>
    /// No allocation after the first round: the snapshot is preallocated, <c>AccumulateGradients</c> keeps its
    /// buffers and Adam its moments, and the thread waits on semaphores.
    /// </para>
    /// </remarks>
    public sealed class OnlineLearner : IDisposable
    {
        /// <summary>Frames in a training window.</summary>
        public const int Window = 32;

        /// <summary>Windows per optimizer step.</summary>
        public const int BatchSize = 16;

        /// <summary>Optimizer steps per round.</summary>
        public const int StepsPerRound = 8;

        private const float LearningRate = 5e-3f;

        private readonly AgentBrain _trained;
        private readonly Adam _adam = new(LearningRate);
        private readonly DeterministicRandom _random;
        private readonly int _agents;
        private readonly int _frames;
        private readonly float[] _observations;
        private readonly float[] _truth;
        private readonly float[] _roundLoss;
        private readonly SemaphoreSlim _work = new(0);
        private readonly SemaphoreSlim _done = new(0);
        private readonly Thread _thread;
        private AgentBrain _live;
        private AgentBrain _spare;
        private bool _roundPending;
        private volatile bool _stopping;
        private long _waitTicks;
        private long _allocatedAfterFirstRound;
        private long _trainingTicks;
        private int _roundsFinished;

        /// <summary>Creates the learner and starts its thread; the live model starts with <paramref name="initial"/>'s weights.</summary>
        /// <param name="initial">The weights the agents start with; the learner trains its own copy.</param>
        /// <param name="replay">The buffer it learns from (for its sizes).</param>
        /// <param name="maxRounds">The most rounds a run can have (for the preallocated loss record).</param>
        /// <param name="seed">The seed of the windows' order.</param>
        public OnlineLearner(AgentBrain initial, ReplayBuffer replay, int maxRounds, long seed)
        {
            ArgumentNullException.ThrowIfNull(initial);
            ArgumentNullException.ThrowIfNull(replay);
            _live = initial;
            _spare = new AgentBrain();
            _trained = new AgentBrain();
            _trained.CopyParametersFrom(initial);
            _random = new DeterministicRandom(seed);
            _agents = replay.Agents;
            _frames = replay.Frames;
            _observations = new float[_agents * _frames * AgentBrain.Inputs];
            _truth = new float[_agents * _frames * AgentBrain.Outputs];
            _roundLoss = new float[maxRounds];
            WarmUp();
            _thread = new Thread(Run) { IsBackground = true, Name = "OnlineLearner" };
            _thread.Start();
        }

        /// <summary>The model the agents step; read it once per frame.</summary>
        public AgentBrain Live => Volatile.Read(ref _live);

        /// <summary>Rounds started.</summary>
        public int Rounds { get; private set; }

        /// <summary>Weights swapped in.</summary>
        public int Swaps { get; private set; }

        /// <summary>Frames that had to wait for a round to finish.</summary>
        public int Waits { get; private set; }

        /// <summary>The time frames spent waiting for rounds.</summary>
        public TimeSpan WaitTime => Stopwatch.GetElapsedTime(0, _waitTicks);

        /// <summary>The mean time of a finished round on the trainer's thread.</summary>
        public TimeSpan MeanRoundTime
        {
            get
            {
                int finished = Volatile.Read(ref _roundsFinished);
                return finished == 0 ? TimeSpan.Zero : Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _trainingTicks) / finished);
            }
        }

        /// <summary>The mean training loss of the last step of each round whose weights went live.</summary>
        public ReadOnlySpan<float> RoundLosses => _roundLoss.AsSpan(0, Swaps);

        /// <summary>Bytes the trainer thread allocated after its first round (which sizes the model's and Adam's buffers).</summary>
        public long AllocatedAfterFirstRound => Interlocked.Read(ref _allocatedAfterFirstRound);

        /// <summary>Frame loop, at a boundary: copies the replay buffer and starts a round on it.</summary>
        public void StartRound(ReplayBuffer replay)
        {
            ArgumentNullException.ThrowIfNull(replay);
            if (_roundPending || Rounds == _roundLoss.Length)
            {
                return;
            }

            replay.CopyTo(_observations, _truth);
            _roundPending = true;
            Rounds++;
            _work.Release();
        }

        /// <summary>Frame loop, at a boundary: publishes the weights of the round started at the previous boundary, waiting for it if needed.</summary>
        /// <returns>Whether new weights went live.</returns>
        public bool SwapIfDue()
        {
            if (!_roundPending)
            {
                return false;
            }

            if (!_done.Wait(0))
            {
                Waits++;
                long start = Stopwatch.GetTimestamp();
                _done.Wait();
                _waitTicks += Stopwatch.GetTimestamp() - start;
            }

            _roundPending = false;

            // The spare holds the round's weights and no thread steps it: publish it. The old live model becomes the
            // spare, written only by the next round, which starts after this frame has stopped stepping it.
            AgentBrain next = _spare;
            _spare = _live;
            Volatile.Write(ref _live, next);
            Swaps++;
            return true;
        }

        /// <summary>Waits for a round in progress and stops the thread (once; later calls do nothing).</summary>
        public void Dispose()
        {
            if (_stopping)
            {
                return;
            }

            if (_roundPending)
            {
                _done.Wait();
                _roundPending = false;
            }

            _stopping = true;
            _work.Release();
            _thread.Join();
            _work.Dispose();
            _done.Dispose();
        }

        // One training step of a scratch model with a scratch optimizer, so that the JIT compiles the training
        // code before the frame loop starts (the first round would otherwise be late for its swap).
        private static void WarmUp()
        {
            var scratch = new AgentBrain();
            var inputs = new float[Window * AgentBrain.Inputs];
            var targets = new float[Window * AgentBrain.Outputs];
            scratch.AccumulateGradients(inputs, targets);
            GradientClipping.ClipByGlobalNorm(scratch.Gradients, 1f);
            new Adam(LearningRate).Step(scratch.Parameters, scratch.Gradients);
            new AgentBrain().CopyParametersFrom(scratch);
        }

        private void Run()
        {
            int round = 0;
            while (true)
            {
                _work.Wait();
                if (_stopping)
                {
                    return;
                }

                long before = GC.GetAllocatedBytesForCurrentThread();
                long start = Stopwatch.GetTimestamp();
                _roundLoss[round] = TrainRound();
                _spare.CopyParametersFrom(_trained);
                Interlocked.Add(ref _trainingTicks, Stopwatch.GetTimestamp() - start);
                if (round > 0)
                {
                    Interlocked.Add(ref _allocatedAfterFirstRound, GC.GetAllocatedBytesForCurrentThread() - before);
                }

                round++;
                Volatile.Write(ref _roundsFinished, round);
                _done.Release();
            }
        }

        // StepsPerRound steps of Adam, each on the mean gradient of BatchSize windows drawn from the snapshot:
        // a window's inputs are Window frames of one agent's observations, its targets the true positions one frame later.
        private float TrainRound()
        {
            float loss = 0;
            for (int step = 0; step < StepsPerRound; step++)
            {
                _trained.ZeroGradients();
                loss = 0;
                for (int b = 0; b < BatchSize; b++)
                {
                    int agent = _random.NextInt32(_agents);
                    int start = _random.NextInt32(_frames - Window);
                    int inputs = ((agent * _frames) + start) * AgentBrain.Inputs;
                    int targets = ((agent * _frames) + start + 1) * AgentBrain.Outputs;
                    _trained.ResetState();
                    loss += _trained.AccumulateGradients(
                        _observations.AsSpan(inputs, Window * AgentBrain.Inputs),
                        _truth.AsSpan(targets, Window * AgentBrain.Outputs));
                }

                Span<float> gradients = _trained.Gradients;
                for (int i = 0; i < gradients.Length; i++)
                {
                    gradients[i] *= 1f / BatchSize;
                }

                GradientClipping.ClipByGlobalNorm(gradients, 1f);
                _adam.Step(_trained.Parameters, gradients);
                loss /= BatchSize;
            }

            return loss;
        }
    }
}
