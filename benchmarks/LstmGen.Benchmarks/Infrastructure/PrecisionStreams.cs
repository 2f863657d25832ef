using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace LstmGen.Benchmarks.Infrastructure
{
    /// <summary>
    /// <c>--weight-precisions [ROUNDS]</c>: whether int8 weights with a per-row scale would pay beside bfloat16. For the
    /// gate sums of one step of a shape (rows = inputs + hidden, columns = 4 x hidden), a tile of 128 columns (8
    /// Vector512 accumulators) sums every row from weights read strictly in order, kept as:
    /// float32; bfloat16 in row pairs, widened by a shift and a mask (the generated kernels' <c>BFloat16.Low/High</c>);
    /// int8 in row quads of a uint, widened by shifts and a conversion; int8 rows of 16 bytes, widened by
    /// <c>vpmovsxbd</c> and <c>vcvtdq2ps</c>; both int8 kernels scale each column once at the end. The four
    /// take their rounds in turn (<see cref="Survey.Fastest"/>). Needs AVX-512 (the 512-bit widening instructions).
    /// </summary>
    public static class PrecisionStreams
    {
        private const int Tile = 128;

        private static readonly (string Name, int Input, int Hidden)[] s_shapes =
        {
            ("i8h64", 8, 64), ("i8h128", 8, 128), ("i8h256", 8, 256), ("i32h256", 32, 256), ("i8h512", 8, 512),
        };

        /// <summary>Times the four kernels at each shape and writes the table.</summary>
        public static int Run(int rounds, TextWriter writer)
        {
            if (!Avx512F.IsSupported)
            {
                writer.WriteLine("--weight-precisions needs AVX-512 (its int8 kernel widens with vpmovsxbd on 512-bit vectors).");
                return 1;
            }

            writer.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Weight streams of one step's gate sums, fastest of {rounds} rounds of ~5 ms each, the kernels of a shape in turn; GMAC/s = rows x columns / time."));
            writer.WriteLine();
            writer.WriteLine("| Shape | Weights f32 / bf16 / int8 | float32 | bfloat16 pairs | int8 quads (shifts) | int8 rows (vpmovsxbd) | bf16 / f32 | int8 rows / bf16 |");
            writer.WriteLine("|---|---|---:|---:|---:|---:|---:|---:|");
            foreach (var (name, input, hidden) in s_shapes)
            {
                int rows = input + hidden;
                int columns = 4 * hidden;
                var random = new Random(1);
                float[] x = new float[rows];
                for (int i = 0; i < rows; i++)
                {
                    x[i] = (float)random.NextDouble();
                }

                float[] f32 = new float[rows * columns];
                for (int i = 0; i < f32.Length; i++)
                {
                    f32[i] = (float)random.NextDouble() - 0.5f;
                }

                // bfloat16 pairs of 1/128 to 1/2 in magnitude, int8 values of either sign: normal numbers throughout.
                uint[] pairs = new uint[rows / 2 * columns];
                for (int i = 0; i < pairs.Length; i++)
                {
                    pairs[i] = ((uint)random.Next() & 0x3F00_3F00u) | 0x3C00_3C00u;
                }

                uint[] quads = new uint[rows / 4 * columns];
                for (int i = 0; i < quads.Length; i++)
                {
                    quads[i] = (uint)random.Next();
                }

                sbyte[] bytes = new sbyte[rows * columns];
                for (int i = 0; i < bytes.Length; i++)
                {
                    bytes[i] = (sbyte)random.Next(-127, 128);
                }

                float[] scale = new float[columns];
                Array.Fill(scale, 1f / 127);
                float[] output = new float[columns];
                long macs = (long)rows * columns;
                var entries = new List<Survey.Entry>
                {
                    new(name, name, "float32", macs, n => Repeat(n, () => Float32(f32, x, output, rows, columns))),
                    new(name, name, "bfloat16", macs, n => Repeat(n, () => BFloat16Pairs(pairs, x, output, rows, columns))),
                    new(name, name, "int8 quads", macs, n => Repeat(n, () => Int8Quads(quads, scale, x, output, rows, columns))),
                    new(name, name, "int8 rows", macs, n => Repeat(n, () => Int8Rows(bytes, scale, x, output, rows, columns))),
                };
                double[] ns = Survey.Fastest(entries, rounds, 5);
                writer.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {name} | {f32.Length * 4 / 1024} / {pairs.Length * 4 / 1024} / {bytes.Length / 1024} KiB | {Rate(macs, ns[0])} | {Rate(macs, ns[1])} | {Rate(macs, ns[2])} | {Rate(macs, ns[3])} | {ns[0] / ns[1]:0.00}x | {ns[1] / ns[3]:0.00}x |"));
                writer.Flush();
            }

            return 0;
        }

        private static string Rate(long macs, double nanoseconds) =>
            string.Create(CultureInfo.InvariantCulture, $"{nanoseconds / 1000:0.00} us, {macs / nanoseconds:0.0} GMAC/s");

        private static void Repeat(long count, Action action)
        {
            for (long i = 0; i < count; i++)
            {
                action();
            }
        }

        private static void Store(ref float output, Vector512<float> a0, Vector512<float> a1, Vector512<float> a2, Vector512<float> a3, Vector512<float> a4, Vector512<float> a5, Vector512<float> a6, Vector512<float> a7)
        {
            a0.StoreUnsafe(ref output, 0);
            a1.StoreUnsafe(ref output, 16);
            a2.StoreUnsafe(ref output, 32);
            a3.StoreUnsafe(ref output, 48);
            a4.StoreUnsafe(ref output, 64);
            a5.StoreUnsafe(ref output, 80);
            a6.StoreUnsafe(ref output, 96);
            a7.StoreUnsafe(ref output, 112);
        }

        private static void StoreScaled(ref float output, ref float scale, Vector512<float> a0, Vector512<float> a1, Vector512<float> a2, Vector512<float> a3, Vector512<float> a4, Vector512<float> a5, Vector512<float> a6, Vector512<float> a7) =>
            Store(
                ref output,
                a0 * Vector512.LoadUnsafe(ref scale, 0),
                a1 * Vector512.LoadUnsafe(ref scale, 16),
                a2 * Vector512.LoadUnsafe(ref scale, 32),
                a3 * Vector512.LoadUnsafe(ref scale, 48),
                a4 * Vector512.LoadUnsafe(ref scale, 64),
                a5 * Vector512.LoadUnsafe(ref scale, 80),
                a6 * Vector512.LoadUnsafe(ref scale, 96),
                a7 * Vector512.LoadUnsafe(ref scale, 112));

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static void Float32(float[] weights, float[] x, float[] output, int rows, int columns)
        {
            for (int tile = 0; tile < columns / Tile; tile++)
            {
                Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
                ref float tileWeights = ref Unsafe.Add(ref weights[0], (nint)tile * rows * Tile);
                for (int k = 0; k < rows; k++)
                {
                    Vector512<float> xk = Vector512.Create(x[k]);
                    ref float row = ref Unsafe.Add(ref tileWeights, (nint)k * Tile);
                    a0 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref row, 0), xk, a0);
                    a1 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref row, 16), xk, a1);
                    a2 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref row, 32), xk, a2);
                    a3 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref row, 48), xk, a3);
                    a4 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref row, 64), xk, a4);
                    a5 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref row, 80), xk, a5);
                    a6 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref row, 96), xk, a6);
                    a7 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref row, 112), xk, a7);
                }

                Store(ref output[tile * Tile], a0, a1, a2, a3, a4, a5, a6, a7);
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector512<float> Pair(Vector512<uint> pair, Vector512<float> x0, Vector512<float> x1, Vector512<float> sum) =>
            Vector512.FusedMultiplyAdd((pair & Vector512.Create(0xFFFF_0000u)).AsSingle(), x1, Vector512.FusedMultiplyAdd(Vector512.ShiftLeft(pair, 16).AsSingle(), x0, sum));

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static void BFloat16Pairs(uint[] weights, float[] x, float[] output, int rows, int columns)
        {
            for (int tile = 0; tile < columns / Tile; tile++)
            {
                Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
                ref uint tileWeights = ref Unsafe.Add(ref weights[0], (nint)tile * (rows / 2) * Tile);
                for (int k = 0; k < rows; k += 2)
                {
                    Vector512<float> x0 = Vector512.Create(x[k]);
                    Vector512<float> x1 = Vector512.Create(x[k + 1]);
                    ref uint row = ref Unsafe.Add(ref tileWeights, (nint)(k / 2) * Tile);
                    a0 = Pair(Vector512.LoadUnsafe(ref row, 0), x0, x1, a0);
                    a1 = Pair(Vector512.LoadUnsafe(ref row, 16), x0, x1, a1);
                    a2 = Pair(Vector512.LoadUnsafe(ref row, 32), x0, x1, a2);
                    a3 = Pair(Vector512.LoadUnsafe(ref row, 48), x0, x1, a3);
                    a4 = Pair(Vector512.LoadUnsafe(ref row, 64), x0, x1, a4);
                    a5 = Pair(Vector512.LoadUnsafe(ref row, 80), x0, x1, a5);
                    a6 = Pair(Vector512.LoadUnsafe(ref row, 96), x0, x1, a6);
                    a7 = Pair(Vector512.LoadUnsafe(ref row, 112), x0, x1, a7);
                }

                Store(ref output[tile * Tile], a0, a1, a2, a3, a4, a5, a6, a7);
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector512<float> Byte(Vector512<int> quad, int shift) =>
            Vector512.ConvertToSingle(Vector512.ShiftRightArithmetic(Vector512.ShiftLeft(quad, shift), 24));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector512<float> Quad(Vector512<uint> quad, Vector512<float> x0, Vector512<float> x1, Vector512<float> x2, Vector512<float> x3, Vector512<float> sum)
        {
            Vector512<int> values = quad.AsInt32();
            sum = Vector512.FusedMultiplyAdd(Byte(values, 24), x0, sum);
            sum = Vector512.FusedMultiplyAdd(Byte(values, 16), x1, sum);
            sum = Vector512.FusedMultiplyAdd(Byte(values, 8), x2, sum);
            return Vector512.FusedMultiplyAdd(Vector512.ConvertToSingle(Vector512.ShiftRightArithmetic(values, 24)), x3, sum);
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static void Int8Quads(uint[] weights, float[] scale, float[] x, float[] output, int rows, int columns)
        {
            for (int tile = 0; tile < columns / Tile; tile++)
            {
                Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
                ref uint tileWeights = ref Unsafe.Add(ref weights[0], (nint)tile * (rows / 4) * Tile);
                for (int k = 0; k < rows; k += 4)
                {
                    Vector512<float> x0 = Vector512.Create(x[k]);
                    Vector512<float> x1 = Vector512.Create(x[k + 1]);
                    Vector512<float> x2 = Vector512.Create(x[k + 2]);
                    Vector512<float> x3 = Vector512.Create(x[k + 3]);
                    ref uint row = ref Unsafe.Add(ref tileWeights, (nint)(k / 4) * Tile);
                    a0 = Quad(Vector512.LoadUnsafe(ref row, 0), x0, x1, x2, x3, a0);
                    a1 = Quad(Vector512.LoadUnsafe(ref row, 16), x0, x1, x2, x3, a1);
                    a2 = Quad(Vector512.LoadUnsafe(ref row, 32), x0, x1, x2, x3, a2);
                    a3 = Quad(Vector512.LoadUnsafe(ref row, 48), x0, x1, x2, x3, a3);
                    a4 = Quad(Vector512.LoadUnsafe(ref row, 64), x0, x1, x2, x3, a4);
                    a5 = Quad(Vector512.LoadUnsafe(ref row, 80), x0, x1, x2, x3, a5);
                    a6 = Quad(Vector512.LoadUnsafe(ref row, 96), x0, x1, x2, x3, a6);
                    a7 = Quad(Vector512.LoadUnsafe(ref row, 112), x0, x1, x2, x3, a7);
                }

                StoreScaled(ref output[tile * Tile], ref scale[tile * Tile], a0, a1, a2, a3, a4, a5, a6, a7);
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector512<float> Widen(ref sbyte row, nuint at) =>
            Avx512F.ConvertToVector512Single(Avx512F.ConvertToVector512Int32(Vector128.LoadUnsafe(ref row, at)));

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static void Int8Rows(sbyte[] weights, float[] scale, float[] x, float[] output, int rows, int columns)
        {
            for (int tile = 0; tile < columns / Tile; tile++)
            {
                Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
                ref sbyte tileWeights = ref Unsafe.Add(ref weights[0], (nint)tile * rows * Tile);
                for (int k = 0; k < rows; k++)
                {
                    Vector512<float> xk = Vector512.Create(x[k]);
                    ref sbyte row = ref Unsafe.Add(ref tileWeights, (nint)k * Tile);
                    a0 = Vector512.FusedMultiplyAdd(Widen(ref row, 0), xk, a0);
                    a1 = Vector512.FusedMultiplyAdd(Widen(ref row, 16), xk, a1);
                    a2 = Vector512.FusedMultiplyAdd(Widen(ref row, 32), xk, a2);
                    a3 = Vector512.FusedMultiplyAdd(Widen(ref row, 48), xk, a3);
                    a4 = Vector512.FusedMultiplyAdd(Widen(ref row, 64), xk, a4);
                    a5 = Vector512.FusedMultiplyAdd(Widen(ref row, 80), xk, a5);
                    a6 = Vector512.FusedMultiplyAdd(Widen(ref row, 96), xk, a6);
                    a7 = Vector512.FusedMultiplyAdd(Widen(ref row, 112), xk, a7);
                }

                StoreScaled(ref output[tile * Tile], ref scale[tile * Tile], a0, a1, a2, a3, a4, a5, a6, a7);
            }
        }
    }
}
