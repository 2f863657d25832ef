using System;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using LstmGen.CompilerServices;

namespace LstmGen.Benchmarks.Infrastructure
{
    /// <summary>
    /// What one activation costs when nothing waits on it: <see cref="LstmMath.Sigmoid(Vector512{float})"/> and
    /// <see cref="LstmMath.Tanh(Vector512{float})"/> over 160 independent 512-bit vectors (a group of 16 agents of a
    /// hidden-32 layer has 160: five per unit), 64-byte aligned as a model's scratch is. Given in nanoseconds per
    /// vector and in the 512-bit FMAs the peak loop runs in that time: with <see cref="FmaLoops"/>, the port budget of a
    /// step (its multiply-adds plus its activations), which bounds a group of agents stepped together.
    /// </summary>
    public static class ActivationThroughput
    {
        private const int Vectors = 160;

        /// <summary>Nanoseconds per vector for the logistic function and for tanh, each the best of <paramref name="rounds"/>.</summary>
        public static (double Sigmoid, double Tanh) Measure(int rounds = 40)
        {
            int length = Vectors * 16;
            float[] storage = ParameterStorage.Allocate(2 * length, out int offset);
            Memory<float> values = storage.AsMemory(offset, length);
            Memory<float> results = storage.AsMemory(offset + length, length);
            Span<float> span = values.Span;
            for (int i = 0; i < span.Length; i++)
            {
                span[i] = 8f * ((i * 0.618034f) % 1f) - 4f; // spread over [-4, 4), where neither function saturates
            }

            return (Best(() => Pass<Sigmoid>(values, results)), Best(() => Pass<Tanh>(values, results)));

            double Best(Action pass)
            {
                const int passes = 2000;
                pass(); // Warm up: tier-1 code, the arrays in L1.
                double best = double.MaxValue;
                for (int round = 0; round < rounds; round++)
                {
                    long start = Stopwatch.GetTimestamp();
                    for (int i = 0; i < passes; i++)
                    {
                        pass();
                    }

                    best = Math.Min(best, Stopwatch.GetElapsedTime(start).TotalNanoseconds / passes / Vectors);
                }

                return best;
            }
        }

        /// <summary>A report for the console: each time also as 512-bit FMAs at <paramref name="peakGmacs"/> (16 MACs each).</summary>
        public static string Describe((double Sigmoid, double Tanh) nanoseconds, double peakGmacs) =>
            string.Create(CultureInfo.InvariantCulture,
                $"Activations (independent 512-bit vectors): sigmoid {nanoseconds.Sigmoid:0.00} ns = {nanoseconds.Sigmoid * peakGmacs / 16:0.0} FMAs at peak; tanh {nanoseconds.Tanh:0.00} ns = {nanoseconds.Tanh * peakGmacs / 16:0.0} FMAs");

        /// <summary>One activation function, as a type, so that each pass is compiled for its own.</summary>
        private interface IActivation
        {
            static abstract Vector512<float> Apply(Vector512<float> x);
        }

        private readonly struct Sigmoid : IActivation
        {
            public static Vector512<float> Apply(Vector512<float> x) => LstmMath.Sigmoid(x);
        }

        private readonly struct Tanh : IActivation
        {
            public static Vector512<float> Apply(Vector512<float> x) => LstmMath.Tanh(x);
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static void Pass<TActivation>(Memory<float> values, Memory<float> results)
            where TActivation : struct, IActivation
        {
            ref float input = ref MemoryMarshal.GetReference(values.Span);
            ref float output = ref MemoryMarshal.GetReference(results.Span);
            for (nuint i = 0; i < Vectors * 16; i += 16)
            {
                TActivation.Apply(Vector512.LoadUnsafe(ref input, i)).StoreUnsafe(ref output, i);
            }
        }
    }
}
