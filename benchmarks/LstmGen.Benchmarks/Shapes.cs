using System;
using System.Collections.Generic;
using System.Linq;

namespace LstmGen.Benchmarks
{
    /// <summary>A benchmarked model shape: its sizes, its generated class, and the work one step does.</summary>
    /// <param name="Name">The shape's name, as the benchmarks' Shape parameter shows it: i{input}h{hidden}[x{layers}].</param>
    /// <param name="InputSize">Features per step.</param>
    /// <param name="HiddenSize">Units per layer.</param>
    /// <param name="Layers">Stacked LSTM layers.</param>
    /// <param name="OutputSize">Outputs of the dense head.</param>
    /// <param name="Create">Creates the generated model with the benchmarks' fixed seed.</param>
    public sealed record Shape(string Name, int InputSize, int HiddenSize, int Layers, int OutputSize, Func<ILstmModel> Create)
    {
        /// <summary>
        /// Multiply-adds of one forward step: 4H(in + H) for each layer (the gate pre-activations; the
        /// first layer's "in" is InputSize, an upper layer's is H), plus H * O for the head. Biases,
        /// activations and the element-wise cell update are not counted.
        /// </summary>
        public long StepMacs
        {
            get
            {
                long h = HiddenSize;
                long macs = 4 * h * (InputSize + h);
                macs += (Layers - 1) * 4 * h * (h + h);
                return macs + (h * OutputSize);
            }
        }
    }

    /// <summary>Every benchmarked shape, by name.</summary>
    public static class Shapes
    {
        /// <summary>The seed of every benchmarked model's weights.</summary>
        public const int Seed = 12345;

        private static readonly List<Shape> s_list = new();

        /// <summary>The shapes by name.</summary>
        public static readonly IReadOnlyDictionary<string, Shape> All = Build();

        /// <summary>
        /// The environment variable that restricts the benchmarked shapes: names separated by commas (set by
        /// the --shapes option; BenchmarkDotNet's benchmark processes inherit it).
        /// </summary>
        public const string SelectionVariable = "LSTMGEN_BENCH_SHAPES";

        /// <summary>Every shape name in grid order (input-major, then hidden).</summary>
        public static IEnumerable<string> Names => s_list.Select(shape => shape.Name);

        /// <summary>The shape names the benchmarks run: <see cref="Names"/>, or those --shapes selected.</summary>
        public static IEnumerable<string> Selected => Select(Names);

        /// <summary>The names of <paramref name="names"/> that --shapes selected (all when it was not given).</summary>
        public static IEnumerable<string> Select(IEnumerable<string> names)
        {
            string? selection = Environment.GetEnvironmentVariable(SelectionVariable);
            if (string.IsNullOrWhiteSpace(selection))
            {
                return names;
            }

            var chosen = new HashSet<string>(selection.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), StringComparer.Ordinal);
            return names.Where(chosen.Contains);
        }

        /// <summary>The shape of a name.</summary>
        public static Shape Get(string name) => All.TryGetValue(name, out Shape? shape)
            ? shape
            : throw new ArgumentException($"Unknown shape '{name}'. Known: {string.Join(", ", Names)}.", nameof(name));

        private static Dictionary<string, Shape> Build()
        {
            Add("i1h8", 1, 8, 1, () => new In1H8(Seed));
            Add("i1h16", 1, 16, 1, () => new In1H16(Seed));
            Add("i1h32", 1, 32, 1, () => new In1H32(Seed));
            Add("i1h64", 1, 64, 1, () => new In1H64(Seed));
            Add("i1h128", 1, 128, 1, () => new In1H128(Seed));
            Add("i1h256", 1, 256, 1, () => new In1H256(Seed));
            Add("i8h8", 8, 8, 1, () => new In8H8(Seed));
            Add("i8h16", 8, 16, 1, () => new In8H16(Seed));
            Add("i8h32", 8, 32, 1, () => new In8H32(Seed));
            Add("i8h64", 8, 64, 1, () => new In8H64(Seed));
            Add("i8h128", 8, 128, 1, () => new In8H128(Seed));
            Add("i8h256", 8, 256, 1, () => new In8H256(Seed));
            Add("i32h8", 32, 8, 1, () => new In32H8(Seed));
            Add("i32h16", 32, 16, 1, () => new In32H16(Seed));
            Add("i32h32", 32, 32, 1, () => new In32H32(Seed));
            Add("i32h64", 32, 64, 1, () => new In32H64(Seed));
            Add("i32h128", 32, 128, 1, () => new In32H128(Seed));
            Add("i32h256", 32, 256, 1, () => new In32H256(Seed));
            Add("i8h64x2", 8, 64, 2, () => new In8H64L2(Seed));
            return s_list.ToDictionary(shape => shape.Name, StringComparer.Ordinal);
        }

        private static void Add(string name, int input, int hidden, int layers, Func<ILstmModel> create) =>
            s_list.Add(new Shape(name, input, hidden, layers, 1, create));
    }
}
