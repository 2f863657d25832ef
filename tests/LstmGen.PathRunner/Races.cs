using System;
using System.Threading;
using System.Threading.Tasks;
using LstmGen.Tests.Reference;
using LstmGen.Training;

namespace LstmGen.PathRunner
{
    /// <summary>
    /// Misuse from several threads at once that once corrupted memory (issue 13): the tests run it in a child
    /// process, where a crash is the failure. Each race may throw InvalidOperationException or
    /// ArgumentException (a clear refusal); anything else, or a crash, fails.
    /// </summary>
    internal static class Races
    {
        public static int Run()
        {
            for (int round = 0; round < 3; round++)
            {
                TwoThreadsTrainOneModel();
                TwoThreadsShareOneOptimizer();
            }

            Console.WriteLine("races ok");
            return 0;
        }

        /// <summary>The reproduction: one thread trains ever longer sequences, another one long sequence.</summary>
        private static void TwoThreadsTrainOneModel()
        {
            var model = new TinyModel(seed: 1);
            var random = new Random(2);
            float[] inputs = new float[1500 * TinyModel.InputSize];
            float[] targets = new float[1500 * TinyModel.OutputSize];
            for (int i = 0; i < inputs.Length; i++)
            {
                inputs[i] = (float)(random.NextDouble() - 0.5);
            }

            Parallel.Invoke(
                () =>
                {
                    for (int k = 1; k <= 60; k++)
                    {
                        Refused(() => model.AccumulateGradients(inputs.AsSpan(0, 3 * k * TinyModel.InputSize), targets.AsSpan(0, 3 * k * TinyModel.OutputSize)));
                    }
                },
                () =>
                {
                    for (int k = 0; k < 5; k++)
                    {
                        Refused(() => model.AccumulateGradients(inputs, targets));
                        Refused(model.TrimBuffers);
                    }
                });
        }

        /// <summary>One optimizer stepped from two threads, one of them for parameters of another length.</summary>
        private static void TwoThreadsShareOneOptimizer()
        {
            var optimizer = new Adam(0.001f);
            float[] large = new float[1 << 16];
            float[] largeGradients = new float[1 << 16];
            float[] small = new float[16];
            float[] smallGradients = new float[16];
            using var stop = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
            Parallel.Invoke(
                () =>
                {
                    while (!stop.IsCancellationRequested)
                    {
                        Refused(() => optimizer.Step(large, largeGradients));
                    }
                },
                () =>
                {
                    while (!stop.IsCancellationRequested)
                    {
                        Refused(() =>
                        {
                            optimizer.Reset();
                            optimizer.Step(small, smallGradients);
                        });
                    }
                });
        }

        private static void Refused(Action action)
        {
            try
            {
                action();
            }
            catch (InvalidOperationException)
            {
            }
            catch (ArgumentException)
            {
            }
        }
    }
}
