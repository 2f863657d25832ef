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
    /// What one activation costs when nothing waits on it: <see cref="LstmMath"/>'s sigmoid and tanh over 2,560
    /// independent floats (the five activations of a group of 16 agents of a hidden-32 layer) in vectors of the native
    /// width (<see cref="NativeWidth"/>), 64-byte aligned as a model's scratch is. Given in nanoseconds per vector and in
    /// the FMAs the peak loop runs in that time: with <see cref="FmaLoops"/>, the port budget of a step
    /// (<see cref="PortBudget"/>), which bounds a step and a group of agents stepped together.
    /// </summary>
    public static class ActivationThroughput
    {
        private const int Floats = 2560;

        /// <summary>Nanoseconds per native vector for the logistic function and for tanh, each the best of <paramref name="rounds"/>.</summary>
        public static (double Sigmoid, double Tanh) Measure(int rounds = 40)
        {
            float[] storage = ParameterStorage.Allocate(2 * Floats, out int offset);
            Memory<float> values = storage.AsMemory(offset, Floats);
            Memory<float> results = storage.AsMemory(offset + Floats, Floats);
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

                    best = Math.Min(best, Stopwatch.GetElapsedTime(start).TotalNanoseconds / passes / (Floats / NativeWidth.Lanes));
                }

                return best;
            }
        }

        /// <summary>A report for the console: each time also as FMAs of the native width at <paramref name="peakGmacs"/>.</summary>
        public static string Describe((double Sigmoid, double Tanh) nanoseconds, double peakGmacs) =>
            string.Create(CultureInfo.InvariantCulture,
                $"Activations (independent {NativeWidth.Bits}-bit vectors): sigmoid {nanoseconds.Sigmoid:0.00} ns = {nanoseconds.Sigmoid * peakGmacs / NativeWidth.Lanes:0.0} FMAs at peak; tanh {nanoseconds.Tanh:0.00} ns = {nanoseconds.Tanh * peakGmacs / NativeWidth.Lanes:0.0} FMAs");

        private static void Pass<TActivation>(Memory<float> values, Memory<float> results)
            where TActivation : struct, IActivation
        {
            switch (NativeWidth.Bits)
            {
                case 512:
                    Pass<TActivation, Width512, Vector512<float>>(values, results);
                    break;
                case 256:
                    Pass<TActivation, Width256, Vector256<float>>(values, results);
                    break;
                default:
                    Pass<TActivation, Width128, Vector128<float>>(values, results);
                    break;
            }
        }

        /// <summary>One activation function, as a type, so that each pass is compiled for its own.</summary>
        private interface IActivation
        {
            static abstract TVector Apply<TWidth, TVector>(TVector x)
                where TWidth : struct, IVectorWidth<TVector>
                where TVector : struct;
        }

        private readonly struct Sigmoid : IActivation
        {
            public static TVector Apply<TWidth, TVector>(TVector x)
                where TWidth : struct, IVectorWidth<TVector>
                where TVector : struct => TWidth.Sigmoid(x);
        }

        private readonly struct Tanh : IActivation
        {
            public static TVector Apply<TWidth, TVector>(TVector x)
                where TWidth : struct, IVectorWidth<TVector>
                where TVector : struct => TWidth.Tanh(x);
        }

        [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
        private static void Pass<TActivation, TWidth, TVector>(Memory<float> values, Memory<float> results)
            where TActivation : struct, IActivation
            where TWidth : struct, IVectorWidth<TVector>
            where TVector : struct
        {
            ref float input = ref MemoryMarshal.GetReference(values.Span);
            ref float output = ref MemoryMarshal.GetReference(results.Span);
            nuint lanes = (nuint)TWidth.Lanes;
            for (nuint i = 0; i < Floats; i += lanes)
            {
                TWidth.Store(TActivation.Apply<TWidth, TVector>(TWidth.Load(ref input, i)), ref output, i);
            }
        }
    }
}
