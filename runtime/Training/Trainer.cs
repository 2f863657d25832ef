using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Threading;
using LstmGen.CompilerServices;

namespace LstmGen.Training
{
    /// <summary>
    /// Trains a generated model on independent sequences with mini-batches, on several threads, with the
    /// same bits whatever the number of threads.
    /// </summary>
    /// <remarks>
    /// <para>Each epoch of <see cref="Fit"/>:</para>
    /// <list type="number">
    /// <item>Shuffles the training set with a <see cref="DeterministicRandom"/> seeded from
    /// <see cref="TrainerOptions.Seed"/> and the epoch, and cuts it into mini-batches of
    /// <see cref="TrainerOptions.BatchSize"/> (the last one takes what is left).</item>
    /// <item>For each mini-batch of B sequences: each sequence starts from the zero state (its own
    /// <see cref="ILstmModel.ResetState"/> for a model that steps; a bidirectional model starts every sequence from
    /// zero; sequences carry nothing to each other) and adds its gradient;
    /// the batch's gradient is the mean of the sequences' gradients, as PyTorch's with a loss averaged over
    /// the batch. It is clipped by <see cref="TrainerOptions.ClipNorm"/>, the learning rate is set from
    /// <see cref="TrainerOptions.Schedule"/>, and the optimizer takes one step on the model's parameters.</item>
    /// <item>Before the step, checks every sequence's loss and the norm of the batch's mean gradient (the one
    /// clipping computes): a NaN or an infinity throws a <see cref="NonFiniteTrainingException"/> naming the
    /// epoch, the batch and the sequence, or, with <see cref="TrainerOptions.SkipNonFiniteBatches"/>, skips the
    /// batch; either way the parameters and the optimizer are left as they were before it.</item>
    /// <item>With a validation set, computes the validation loss (<see cref="Evaluate"/>), keeps the best
    /// parameters and stops early as <see cref="TrainerOptions.EarlyStoppingPatience"/> says.</item>
    /// </list>
    /// <para>
    /// Determinism: a batch of B sequences is cut into S = min(<see cref="TrainerOptions.Shards"/>, B)
    /// contiguous shards, shard k holding batch positions [k B / S, (k + 1) B / S). Each shard runs on a
    /// replica of the model (a <c>new TModel()</c> given the model's parameters), which zeroes its gradients,
    /// then accumulates its sequences in order into them. The shards' gradients are added in shard order,
    /// ((g0 + g1) + g2) + ..., into the model's <see cref="ISequenceModel.Gradients"/>, which is then divided by
    /// B. Nothing of this depends on <see cref="TrainerOptions.Threads"/>, or on which thread runs a shard:
    /// 1, 2 or 16 threads give the same bits. With one shard, the gradient is exactly what the model
    /// accumulates over the batch in order, divided by B.
    /// </para>
    /// <para>
    /// The model's own state is neither used nor changed: the sequences run on the replicas. Its
    /// <see cref="ISequenceModel.Gradients"/> receive each batch's mean gradient (clipped), which the optimizer
    /// steps on; after <see cref="Fit"/> they hold the last batch's. Memory: a replica of the model for each of min(Threads, S) workers and a gradient buffer
    /// for each of S shards, kept from call to call. Each call of <see cref="Fit"/> or
    /// <see cref="Evaluate"/> starts min(Threads, S) - 1 threads and stops them before it returns; once
    /// warm (after the first batch and the first validation) training allocates nothing per batch, and
    /// per epoch only the shuffle's <see cref="DeterministicRandom"/>.
    /// </para>
    /// <para>
    /// A trainer is not thread-safe: call <see cref="Fit"/> and <see cref="Evaluate"/> one at a time, and
    /// not from a progress report.
    /// </para>
    /// </remarks>
    /// <typeparam name="TModel">The generated model; replicas are made with its parameterless constructor.</typeparam>
    public sealed class Trainer<TModel>
        where TModel : class, ISequenceModel, new()
    {
        private readonly TModel _model;
        private readonly IOptimizer _optimizer;
        private readonly TrainerOptions _options;
        private readonly TrainShards _trainShards;
        private readonly EvaluateShards _evaluateShards;
        private readonly SumShards _sumShards;

        // Replica w serves worker w; its parameters are the model's as of generation _replicaGenerations[w].
        // Every buffer grows to what a call needs and is kept for the next.
        private TModel[] _replicas = Array.Empty<TModel>();
        private long[] _replicaGenerations = Array.Empty<long>();
        private long _generation;

        // Training: the shards' gradients, and each batch position's loss.
        private float[]?[] _shardGradients = Array.Empty<float[]?>();
        private float[] _batchLosses = Array.Empty<float>();

        // Evaluation: each worker's outputs, and each sequence's loss.
        private float[][] _evaluationOutputs = Array.Empty<float[]>();
        private double[] _sequenceLosses = Array.Empty<double>();

        private WorkerPool? _pool;
        private int _busy;

        /// <summary>Creates a trainer of <paramref name="model"/> with <paramref name="optimizer"/>.</summary>
        /// <param name="model">The model to train; its parameters are updated in place.</param>
        /// <param name="optimizer">The optimizer, which keeps its state (and step count) from one <see cref="Fit"/> to the next.</param>
        /// <param name="options">How to train; <see langword="null"/> for the defaults of <see cref="TrainerOptions"/>.</param>
        /// <exception cref="ArgumentNullException"><paramref name="model"/> or <paramref name="optimizer"/> is <see langword="null"/>.</exception>
        public Trainer(TModel model, IOptimizer optimizer, TrainerOptions? options = null)
        {
            ArgumentNullException.ThrowIfNull(model);
            ArgumentNullException.ThrowIfNull(optimizer);
            _model = model;
            _optimizer = optimizer;
            _options = options ?? new TrainerOptions();
            _trainShards = new TrainShards(this);
            _evaluateShards = new EvaluateShards(this);
            _sumShards = new SumShards(this);
        }

        /// <summary>The model being trained.</summary>
        public TModel Model => _model;

        /// <summary>The optimizer that updates the model's parameters.</summary>
        public IOptimizer Optimizer => _optimizer;

        /// <summary>The options of training.</summary>
        public TrainerOptions Options => _options;

        /// <summary>
        /// Trains the model for <see cref="TrainerOptions.Epochs"/> epochs, or until early stopping or
        /// cancellation (see the remarks of <see cref="Trainer{TModel}"/>).
        /// </summary>
        /// <param name="training">The training sequences; at least one.</param>
        /// <param name="validation">
        /// Sequences to compute the loss on after each epoch, for early stopping and the best parameters;
        /// <see langword="null"/> for none.
        /// </param>
        /// <param name="progress">
        /// Receives a report after each optimizer step, and one at the end of each epoch (with the
        /// validation loss), synchronously on the calling thread: <see cref="Progress{T}"/> passes them on
        /// to its synchronization context.
        /// </param>
        /// <param name="cancellationToken">
        /// Checked before each mini-batch: once it is cancelled, training stops between two optimizer steps
        /// (never inside one) and the result says <see cref="TrainingResult.Cancelled"/>; nothing is thrown.
        /// A cancelled epoch is not counted, and best parameters are restored as after any other end.
        /// </param>
        /// <returns>The losses of each epoch and how training ended.</returns>
        /// <exception cref="ArgumentNullException"><paramref name="training"/> is <see langword="null"/>.</exception>
        /// <exception cref="ArgumentException">
        /// A set is empty, a sequence has lengths the model cannot train on (the message names its index and
        /// the shapes expected), or early stopping is asked for without a validation set.
        /// </exception>
        /// <exception cref="InvalidOperationException">The trainer is already running.</exception>
        /// <exception cref="NonFiniteTrainingException">
        /// A mini-batch's loss or gradient is NaN or infinite (without <see cref="TrainerOptions.SkipNonFiniteBatches"/>):
        /// the model keeps the parameters of before that batch (best weights are not restored) and the optimizer its state.
        /// </exception>
        public TrainingResult Fit(
            IReadOnlyList<TrainingSequence> training,
            IReadOnlyList<TrainingSequence>? validation = null,
            IProgress<TrainingProgress>? progress = null,
            CancellationToken cancellationToken = default)
        {
            ArgumentNullException.ThrowIfNull(training);
            Check(training, nameof(training));
            int longestValidation = validation is null ? 0 : Check(validation, nameof(validation));
            int batchSize = Math.Min(_options.BatchSize, training.Count);
            int shards = Math.Max(Math.Min(_options.Shards, batchSize), validation is null ? 0 : Math.Min(_options.Shards, validation.Count));
            if (_options.EarlyStoppingPatience > 0 && validation is null)
            {
                throw new ArgumentException(
                    string.Create(CultureInfo.InvariantCulture, $"Early stopping (EarlyStoppingPatience = {_options.EarlyStoppingPatience}) needs a validation set."),
                    nameof(validation));
            }

            Enter();
            try
            {
                int workers = Prepare(shards, batchSize, validation?.Count ?? 0, longestValidation);
                _pool = workers > 1 ? new WorkerPool(workers) : null;
                return Train(training, validation, batchSize, progress, cancellationToken);
            }
            finally
            {
                _pool?.Dispose();
                _pool = null;
                Exit();
            }
        }

        /// <summary>
        /// The mean loss of the model over <paramref name="sequences"/>, each from the zero state, without
        /// a gradient: the mean over the sequences of the loss that
        /// <see cref="ISequenceModel.AccumulateGradients(ReadOnlySpan{float}, ReadOnlySpan{float})"/> would
        /// return (up to rounding), computed from <see cref="ISequenceModel.Forward"/>'s outputs with
        /// <see cref="Losses.EvaluateStep"/>.
        /// </summary>
        /// <remarks>
        /// It runs on replicas: the model's parameters, state and gradients are untouched. Each sequence's
        /// loss is computed on its own and the losses are added in double in the order of
        /// <paramref name="sequences"/>: the same bits with any number of threads.
        /// </remarks>
        /// <param name="sequences">The sequences; at least one.</param>
        /// <returns>The mean loss.</returns>
        /// <exception cref="ArgumentNullException"><paramref name="sequences"/> is <see langword="null"/>.</exception>
        /// <exception cref="ArgumentException">The set is empty, or a sequence has lengths the model cannot train on.</exception>
        /// <exception cref="InvalidOperationException">The trainer is already running.</exception>
        public float Evaluate(IReadOnlyList<TrainingSequence> sequences)
        {
            ArgumentNullException.ThrowIfNull(sequences);
            int longest = Check(sequences, nameof(sequences));
            Enter();
            try
            {
                int workers = Prepare(Math.Min(_options.Shards, sequences.Count), 0, sequences.Count, longest);
                _pool = workers > 1 ? new WorkerPool(workers) : null;
                return EvaluateCore(sequences);
            }
            finally
            {
                _pool?.Dispose();
                _pool = null;
                Exit();
            }
        }

        private TrainingResult Train(
            IReadOnlyList<TrainingSequence> training,
            IReadOnlyList<TrainingSequence>? validation,
            int batchSize,
            IProgress<TrainingProgress>? progress,
            CancellationToken cancellationToken)
        {
            long started = Stopwatch.GetTimestamp();
            int count = training.Count;
            int batches = (count + batchSize - 1) / batchSize;
            int[] order = new int[count];
            var trainingLosses = new List<float>(_options.Epochs);
            var validationLosses = new List<float>(validation is null ? 0 : _options.Epochs);
            float[]? bestParameters = null;
            int? bestEpoch = null;
            float? bestLoss = null;
            bool changedSinceBest = false;
            int epochsWithoutImprovement = 0;
            bool stoppedEarly = false;
            bool cancelled = false;
            long steps = 0;
            long skipped = 0;

            for (int epoch = 0; epoch < _options.Epochs && !cancelled && !stoppedEarly; epoch++)
            {
                for (int i = 0; i < count; i++)
                {
                    order[i] = i;
                }

                new DeterministicRandom(ShuffleSeed(_options.Seed, epoch)).Shuffle(order.AsSpan());
                long epochStarted = Stopwatch.GetTimestamp();
                double lossSum = 0;
                int seen = 0;
                int trained = 0;
                for (int batch = 0; batch < batches; batch++)
                {
                    if (cancellationToken.IsCancellationRequested)
                    {
                        cancelled = true;
                        break;
                    }

                    int start = batch * batchSize;
                    int size = Math.Min(batchSize, count - start);
                    seen += size;
                    if (Step(training, order, start, size, epoch, batch) is double batchLoss)
                    {
                        lossSum += batchLoss;
                        trained += size;
                        steps++;
                        changedSinceBest = true;
                    }
                    else
                    {
                        skipped++;
                    }

                    progress?.Report(new TrainingProgress(
                        epoch + 1, _options.Epochs, batch + 1, batches, (float)(lossSum / trained), null, PerSecond(seen, epochStarted), Stopwatch.GetElapsedTime(started), false));
                }

                if (cancelled)
                {
                    break;
                }

                double sequencesPerSecond = PerSecond(count, epochStarted);
                float trainingLoss = (float)(lossSum / trained);
                trainingLosses.Add(trainingLoss);
                float? validationLoss = null;
                if (validation is not null)
                {
                    float loss = EvaluateCore(validation);
                    validationLoss = loss;
                    validationLosses.Add(loss);
                    if (!float.IsNaN(loss) && (bestLoss is null || loss < bestLoss.Value - _options.MinimumImprovement))
                    {
                        bestLoss = loss;
                        bestEpoch = epoch + 1;
                        epochsWithoutImprovement = 0;
                        if (_options.RestoreBestWeights)
                        {
                            bestParameters ??= new float[_model.ParameterCount];
                            _model.Parameters.CopyTo(bestParameters);
                            changedSinceBest = false;
                        }
                    }
                    else
                    {
                        epochsWithoutImprovement++;
                        stoppedEarly = _options.EarlyStoppingPatience > 0 && epochsWithoutImprovement >= _options.EarlyStoppingPatience && epoch + 1 < _options.Epochs;
                    }
                }

                progress?.Report(new TrainingProgress(
                    epoch + 1, _options.Epochs, batches, batches, trainingLoss, validationLoss, sequencesPerSecond, Stopwatch.GetElapsedTime(started), true));
            }

            bool restored = bestParameters is not null && changedSinceBest;
            if (restored)
            {
                bestParameters.CopyTo(_model.Parameters);
            }

            return new TrainingResult(
                trainingLosses, validationLosses, bestEpoch, bestLoss, restored, stoppedEarly, cancelled, steps, skipped, Stopwatch.GetElapsedTime(started));
        }

        /// <summary>
        /// One mini-batch: the shards' gradients, their sum in shard order divided by the batch size,
        /// the checks for NaN and infinity, clipping, the learning rate, the optimizer's step. Returns the sum
        /// of the sequences' losses, or <see langword="null"/> when the batch is skipped as not finite.
        /// </summary>
        private double? Step(IReadOnlyList<TrainingSequence> training, int[] order, int start, int size, int epoch, int batch)
        {
            int shards = Math.Min(_options.Shards, size);
            _generation++;
            _trainShards.Set(training, order, start, size, shards, epoch);
            Run(_trainShards, shards);
            _trainShards.Clear();

            // The mean of the shards' gradients, a slice of the parameters per worker. The gradients are taken
            // here first, on this thread: the first access allocates them, which the workers must not race to do.
            Span<float> gradients = _model.Gradients;
            int slices = _pool?.Workers ?? 1;
            _sumShards.Set(shards, size, slices);
            Run(_sumShards, slices);

            // The batch's losses, in batch order; a NaN or an infinity stops the batch before anything changes.
            double lossSum = 0;
            ReadOnlySpan<float> losses = _batchLosses.AsSpan(0, size);
            for (int position = 0; position < losses.Length; position++)
            {
                float loss = losses[position];
                if (!float.IsFinite(loss))
                {
                    return NotFinite(new NonFiniteTrainingException(epoch + 1, batch + 1, order[start + position], loss, null));
                }

                lossSum += loss;
            }

            // The norm clipping computes anyway, or the same computation without clipping.
            float norm = _options.ClipNorm is float clipNorm
                ? GradientClipping.ClipByGlobalNorm(gradients, clipNorm)
                : (float)GradientClipping.GlobalNorm(gradients);
            if (!float.IsFinite(norm))
            {
                return NotFinite(new NonFiniteTrainingException(epoch + 1, batch + 1, null, null, norm));
            }

            if (_options.Schedule is ILearningRateSchedule schedule)
            {
                _optimizer.LearningRate = schedule.LearningRate(_optimizer.StepCount);
            }

            _optimizer.Step(_model.Parameters, gradients);
            return lossSum;
        }

        /// <summary>A batch that is not finite: skipped (<see langword="null"/>) or thrown, as the options say.</summary>
        private double? NotFinite(NonFiniteTrainingException exception) =>
            _options.SkipNonFiniteBatches ? null : throw exception;

        private float EvaluateCore(IReadOnlyList<TrainingSequence> sequences)
        {
            int count = sequences.Count;
            int shards = Math.Min(_options.Shards, count);
            _generation++;
            _evaluateShards.Set(sequences, shards);
            Run(_evaluateShards, shards);
            _evaluateShards.Clear();

            double sum = 0;
            foreach (double loss in _sequenceLosses.AsSpan(0, count))
            {
                sum += loss;
            }

            return (float)(sum / count);
        }

        private void Run(IShardWork work, int shards)
        {
            if (_pool is null)
            {
                for (int shard = 0; shard < shards; shard++)
                {
                    work.Run(shard, 0);
                }
            }
            else
            {
                _pool.Run(work, shards);
            }
        }

        /// <summary>The replica of <paramref name="worker"/>, with the model's current parameters.</summary>
        private TModel Replica(int worker)
        {
            TModel replica = _replicas[worker];
            if (_replicaGenerations[worker] != _generation)
            {
                _model.Parameters.CopyTo(replica.Parameters);
                _replicaGenerations[worker] = _generation;
            }

            return replica;
        }

        /// <summary>
        /// Grows the replicas and buffers to what a call needs: <paramref name="shards"/> at most in one run,
        /// batches of <paramref name="batchSize"/>, <paramref name="evaluated"/> sequences of at most
        /// <paramref name="longestSteps"/> steps to evaluate. Returns the workers to use.
        /// </summary>
        private int Prepare(int shards, int batchSize, int evaluated, int longestSteps)
        {
            int workers = Math.Min(_options.Threads, shards);
            if (_replicas.Length < workers)
            {
                int existing = _replicas.Length;
                Array.Resize(ref _replicas, workers);
                Array.Resize(ref _replicaGenerations, workers);
                Array.Resize(ref _evaluationOutputs, workers);
                for (int worker = existing; worker < workers; worker++)
                {
                    _replicas[worker] = new TModel();
                    _replicaGenerations[worker] = -1;
                    _evaluationOutputs[worker] = Array.Empty<float>();
                }
            }

            // The shards' gradient buffers are made by the first worker that needs each one.
            if (_shardGradients.Length < shards)
            {
                Array.Resize(ref _shardGradients, shards);
            }

            if (_batchLosses.Length < batchSize)
            {
                _batchLosses = new float[batchSize];
            }

            if (_sequenceLosses.Length < evaluated)
            {
                _sequenceLosses = new double[evaluated];
            }

            int outputLength = longestSteps * _model.OutputSize;
            for (int worker = 0; worker < workers; worker++)
            {
                if (_evaluationOutputs[worker].Length < outputLength)
                {
                    _evaluationOutputs[worker] = new float[outputLength];
                }
            }

            return workers;
        }

        private void Enter()
        {
            if (Interlocked.Exchange(ref _busy, 1) != 0)
            {
                throw new InvalidOperationException("The trainer is already running Fit or Evaluate; call them one at a time.");
            }
        }

        private void Exit() => Volatile.Write(ref _busy, 0);

        /// <summary>Checks every sequence's lengths against the model; returns the most steps of any.</summary>
        private int Check(IReadOnlyList<TrainingSequence> sequences, string parameterName)
        {
            if (sequences.Count == 0)
            {
                throw new ArgumentException($"{parameterName} has no sequences.", parameterName);
            }

            int inputSize = _model.InputSize;
            int outputSize = _model.OutputSize;
            int longest = 0;
            for (int i = 0; i < sequences.Count; i++)
            {
                TrainingSequence sequence = sequences[i];
                int inputLength = sequence.Inputs.Length;
                int targetLength = sequence.Targets.Length;
                if (inputLength == 0 || inputLength % inputSize != 0)
                {
                    throw new ArgumentException(
                        string.Create(
                            CultureInfo.InvariantCulture,
                            $"{parameterName}[{i}].Inputs has {inputLength} floats; the model expects [T, {inputSize}] row-major with T >= 1 (a multiple of InputSize = {inputSize})."),
                        parameterName);
                }

                int steps = inputLength / inputSize;
                if (targetLength != (long)steps * outputSize && targetLength != outputSize)
                {
                    throw new ArgumentException(
                        string.Create(
                            CultureInfo.InvariantCulture,
                            $"{parameterName}[{i}].Targets has {targetLength} floats; for its {steps} steps the model expects [{steps}, {outputSize}] ({(long)steps * outputSize} floats, every step) or [{outputSize}] (the last step only)."),
                        parameterName);
                }

                longest = Math.Max(longest, steps);
            }

            return longest;
        }

        private static long ShuffleSeed(int seed, int epoch) => ((long)seed << 32) | (uint)epoch;

        private static double PerSecond(int sequences, long since)
        {
            double seconds = Stopwatch.GetElapsedTime(since).TotalSeconds;
            return seconds > 0 ? sequences / seconds : 0;
        }

        /// <summary>total[i] += values[i]: element by element, so the same bits at any vector width.</summary>
        private static void Add(Span<float> total, ReadOnlySpan<float> values)
        {
            int i = 0;
            if (Vector.IsHardwareAccelerated)
            {
                Span<Vector<float>> totalVectors = MemoryMarshal.Cast<float, Vector<float>>(total);
                ReadOnlySpan<Vector<float>> valueVectors = MemoryMarshal.Cast<float, Vector<float>>(values);
                for (int v = 0; v < totalVectors.Length; v++)
                {
                    totalVectors[v] += valueVectors[v];
                }

                i = totalVectors.Length * Vector<float>.Count;
            }

            for (; i < total.Length; i++)
            {
                total[i] += values[i];
            }
        }

        /// <summary>values[i] /= divisor: element by element, so the same bits at any vector width.</summary>
        private static void Divide(Span<float> values, int divisor)
        {
            float d = divisor;
            int i = 0;
            if (Vector.IsHardwareAccelerated)
            {
                Span<Vector<float>> vectors = MemoryMarshal.Cast<float, Vector<float>>(values);
                var dv = new Vector<float>(d);
                for (int v = 0; v < vectors.Length; v++)
                {
                    vectors[v] /= dv;
                }

                i = vectors.Length * Vector<float>.Count;
            }

            for (; i < values.Length; i++)
            {
                values[i] /= d;
            }
        }

        /// <summary>
        /// The mean of a mini-batch's shard gradients into the model's gradients, one slice of the parameters
        /// per run: each element adds the shards in shard order, then is divided by the batch size, so the
        /// slicing leaves its bits as they are.
        /// </summary>
        private sealed class SumShards : IShardWork
        {
            private readonly Trainer<TModel> _trainer;
            private int _shards;
            private int _size;
            private int _slices;

            public SumShards(Trainer<TModel> trainer) => _trainer = trainer;

            public void Set(int shards, int size, int slices)
            {
                _shards = shards;
                _size = size;
                _slices = slices;
            }

            public void Run(int slice, int worker)
            {
                int first = Boundary(slice);
                int length = Boundary(slice + 1) - first;
                Span<float> gradients = _trainer._model.Gradients.Slice(first, length);
                float[]?[] shardGradients = _trainer._shardGradients;
                shardGradients[0].AsSpan(first, length).CopyTo(gradients);
                for (int shard = 1; shard < _shards; shard++)
                {
                    Add(gradients, shardGradients[shard].AsSpan(first, length));
                }

                Divide(gradients, _size);
            }

            /// <summary>Where a slice starts: a multiple of 16 floats, so that the slices keep whole vectors.</summary>
            private int Boundary(int slice)
            {
                int count = _trainer._model.ParameterCount;
                return slice == _slices ? count : (int)((long)count * slice / _slices) & ~15;
            }
        }

        /// <summary>The shards of one mini-batch: each on a replica, its gradient into its own buffer.</summary>
        private sealed class TrainShards : IShardWork
        {
            private readonly Trainer<TModel> _trainer;
            private IReadOnlyList<TrainingSequence>? _training;
            private int[]? _order;
            private int _start;
            private int _size;
            private int _shards;
            private int _epoch;

            public TrainShards(Trainer<TModel> trainer) => _trainer = trainer;

            public void Set(IReadOnlyList<TrainingSequence> training, int[] order, int start, int size, int shards, int epoch)
            {
                _training = training;
                _order = order;
                _start = start;
                _epoch = epoch;
                _size = size;
                _shards = shards;
            }

            public void Clear()
            {
                _training = null;
                _order = null;
            }

            public void Run(int shard, int worker)
            {
                TModel replica = _trainer.Replica(worker);
                float[] losses = _trainer._batchLosses;
                replica.ZeroGradients();
                int first = (int)((long)shard * _size / _shards);
                int end = (int)((long)(shard + 1) * _size / _shards);
                for (int position = first; position < end; position++)
                {
                    TrainingSequence sequence = _training![_order![_start + position]];
                    (replica as ILstmModel)?.ResetState();
                    if (replica is IDropoutModel dropout)
                    {
                        // The masks of a sequence depend on the seed, the epoch and its place in the epoch, not on the worker.
                        dropout.DropoutSeed = DropoutMasks.SequenceSeed(_trainer._options.Seed, _epoch, _start + position);
                    }

                    losses[position] = replica.AccumulateGradients(sequence.Inputs.Span, sequence.Targets.Span);
                }

                float[] buffer = _trainer._shardGradients[shard] ??= new float[replica.ParameterCount];
                replica.Gradients.CopyTo(buffer);
            }
        }

        /// <summary>The shards of an evaluation: each sequence's loss from Forward's outputs, on a replica.</summary>
        private sealed class EvaluateShards : IShardWork
        {
            private readonly Trainer<TModel> _trainer;
            private IReadOnlyList<TrainingSequence>? _sequences;
            private int _shards;

            public EvaluateShards(Trainer<TModel> trainer) => _trainer = trainer;

            public void Set(IReadOnlyList<TrainingSequence> sequences, int shards)
            {
                _sequences = sequences;
                _shards = shards;
            }

            public void Clear() => _sequences = null;

            public void Run(int shard, int worker)
            {
                TModel replica = _trainer.Replica(worker);
                float[] outputBuffer = _trainer._evaluationOutputs[worker];
                double[] sequenceLosses = _trainer._sequenceLosses;
                LossFunction lossFunction = replica.Loss;
                int outputSize = replica.OutputSize;
                int count = _sequences!.Count;
                int first = (int)((long)shard * count / _shards);
                int end = (int)((long)(shard + 1) * count / _shards);
                for (int index = first; index < end; index++)
                {
                    TrainingSequence sequence = _sequences[index];
                    int steps = sequence.Inputs.Length / replica.InputSize;
                    Span<float> outputs = outputBuffer.AsSpan(0, steps * outputSize);
                    ReadOnlySpan<float> targets = sequence.Targets.Span;
                    (replica as ILstmModel)?.ResetState();
                    replica.Forward(sequence.Inputs.Span, outputs);

                    // Every step scored when there is a target per step; otherwise the last step only.
                    bool lastStepOnly = targets.Length != outputs.Length;
                    int firstScored = lastStepOnly ? steps - 1 : 0;
                    double sum = 0;
                    for (int step = firstScored; step < steps; step++)
                    {
                        ReadOnlySpan<float> target = lastStepOnly ? targets : targets.Slice(step * outputSize, outputSize);
                        sum += Losses.EvaluateStep(lossFunction, outputs.Slice(step * outputSize, outputSize), target);
                    }

                    int scoredSteps = steps - firstScored;
                    sequenceLosses[index] = sum / (lossFunction == LossFunction.CrossEntropy ? scoredSteps : (double)scoredSteps * outputSize);
                }
            }
        }
    }
}
