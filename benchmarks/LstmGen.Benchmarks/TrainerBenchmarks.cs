using System;
using BenchmarkDotNet.Attributes;
using LstmGen.Benchmarks.Infrastructure;
using LstmGen.Training;

namespace LstmGen.Benchmarks
{
    /// <summary>
    /// Training throughput of the Trainer with 1 and 2 threads: one <c>Fit</c> of <see cref="Epochs"/> epochs
    /// of <see cref="Sequences"/> sequences of <see cref="Steps"/> steps (input 8, hidden 32, head 1; a target on every step), in
    /// mini-batches of 32 over 8 shards, SGD. Times are per sequence (OperationsPerInvoke), so
    /// sequences/s = 1e9 / Mean[ns]; the GMAC/s column counts a sequence as 3 forward passes.
    /// </summary>
    [MemoryDiagnoser]
    public class TrainerBenchmarks
    {
        /// <summary>Sequences in the epoch.</summary>
        public const int Sequences = 256;

        /// <summary>Steps per sequence.</summary>
        public const int Steps = 50;

        /// <summary>Epochs per <c>Fit</c> call, so that starting the worker threads is a small part of it.</summary>
        public const int Epochs = 4;

        private Trainer<In8H32> _trainer = null!;
        private TrainingSequence[] _data = null!;

        /// <summary>Threads computing gradients (the calling thread included).</summary>
        [Params(1, 2)]
        public int Threads { get; set; }

        /// <summary>Creates the model, the data set and the trainer, and runs one warm-up epoch.</summary>
        [GlobalSetup]
        public void Setup()
        {
            float[] inputs = Data.Uniform(Sequences * Steps * In8H32.InputSize, seed: 6);
            float[] targets = Data.Uniform(Sequences * Steps * In8H32.OutputSize, seed: 7);
            _data = new TrainingSequence[Sequences];
            for (int s = 0; s < Sequences; s++)
            {
                _data[s] = new TrainingSequence(
                    inputs.AsMemory(s * Steps * In8H32.InputSize, Steps * In8H32.InputSize),
                    targets.AsMemory(s * Steps * In8H32.OutputSize, Steps * In8H32.OutputSize));
            }

            var options = new TrainerOptions { Epochs = Epochs, BatchSize = 32, Shards = 8, Threads = Threads, Seed = 1 };
            _trainer = new Trainer<In8H32>(new In8H32(Shapes.Seed), new Sgd(learningRate: 1e-3f), options);
            _trainer.Fit(_data);
        }

        /// <summary>One <c>Fit</c> of <see cref="Epochs"/> epochs; reported per sequence.</summary>
        [Benchmark(OperationsPerInvoke = Sequences * Epochs), Macs(Shape = "i8h32", Steps = Steps, Passes = 3)]
        public TrainingResult Epoch() => _trainer.Fit(_data);
    }
}
