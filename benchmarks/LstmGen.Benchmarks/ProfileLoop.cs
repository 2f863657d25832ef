using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using LstmGen.Benchmarks.Infrastructure;

namespace LstmGen.Benchmarks
{
    /// <summary>
    /// <c>--loop WHAT SHAPE SECONDS</c>: one operation in a loop for a while, for a profiler to sample
    /// (<c>DOTNET_PerfMapEnabled=1 perf record -e cpu-clock -F 20000 -- dotnet LstmGen.Benchmarks.dll --loop step i8h32 4</c>).
    /// WHAT is <c>step</c> (one sequence, state carried), <c>forward</c> (100 steps from the zero state)
    /// or <c>agents</c> (the 1,000-agent frame as one group step; the shape is i8h32). It prints the fastest
    /// of its rounds, so the loop is also a quick timing without BenchmarkDotNet.
    /// </summary>
    public static class ProfileLoop
    {
        /// <summary>Runs the loop and writes the fastest round's time per operation.</summary>
        public static int Run(string what, string shapeName, double seconds, TextWriter writer)
        {
            Action operation = Create(what, shapeName);
            for (int i = 0; i < 1000; i++)
            {
                operation(); // Warm up: tier-1 code.
            }

            double best = double.MaxValue;
            long operations = 0;
            var total = Stopwatch.StartNew();
            while (total.Elapsed.TotalSeconds < seconds)
            {
                long start = Stopwatch.GetTimestamp();
                for (int i = 0; i < 100; i++)
                {
                    operation();
                }

                best = Math.Min(best, Stopwatch.GetElapsedTime(start).TotalNanoseconds / 100);
                operations += 100;
            }

            writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{what} {shapeName}: fastest round {best:0.0} ns per operation, {operations} operations"));
            return 0;
        }

        private static Action Create(string what, string shapeName)
        {
            Shape shape = Shapes.Get(shapeName);
            ILstmModel model = shape.Create();
            float[] input = Data.Uniform(shape.InputSize * 100, seed: 3);
            float[] output = new float[shape.OutputSize * 100];
            switch (what)
            {
                case "step":
                    return () => model.Step(input.AsSpan(0, shape.InputSize), output.AsSpan(0, shape.OutputSize));
                case "forward":
                    return () =>
                    {
                        model.ResetState();
                        model.Forward(input, output);
                    };
                case "agents":
                    var frame = new ManyAgentsBenchmarks();
                    frame.Setup();
                    return frame.GeneratedGroups;
                default:
                    throw new ArgumentException($"--loop takes step, forward or agents, not '{what}'.", nameof(what));
            }
        }
    }
}
