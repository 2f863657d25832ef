using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace LstmGen.Benchmarks.Infrastructure
{
    /// <summary>
    /// One vector width as a type, for the yardsticks (<see cref="FmaLoops"/>, <see cref="WeightStream"/>,
    /// <see cref="ActivationThroughput"/>): each loop is written once, generic over the width, and the JIT compiles it
    /// for each (the pattern of TensorPrimitives' operator structs), so that a yardstick runs at the width the
    /// processor runs natively (<see cref="NativeWidth"/>) instead of an emulated one. The loops are compiled with
    /// <see cref="System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization"/>: fully optimized from their
    /// first call, so that no measurement catches tier-0 code (a short measurement in a busy process did, reading tanh 5x slow).
    /// </summary>
    /// <typeparam name="TVector">The vector type (<see cref="Vector512{T}"/> of float, ...).</typeparam>
    public interface IVectorWidth<TVector>
        where TVector : struct
    {
        /// <summary>Floats per vector.</summary>
        static abstract int Lanes { get; }

        /// <summary>Every lane <paramref name="value"/>.</summary>
        static abstract TVector Create(float value);

        /// <summary><paramref name="a"/> * <paramref name="b"/> + <paramref name="c"/>, rounded once.</summary>
        static abstract TVector FusedMultiplyAdd(TVector a, TVector b, TVector c);

        /// <summary>Lane-wise sum.</summary>
        static abstract TVector Add(TVector a, TVector b);

        /// <summary>The sum of the lanes.</summary>
        static abstract float Sum(TVector value);

        /// <summary>The vector at <paramref name="source"/> + <paramref name="index"/> floats.</summary>
        static abstract TVector Load(ref float source, nuint index);

        /// <summary>Stores <paramref name="value"/> at <paramref name="destination"/> + <paramref name="index"/> floats.</summary>
        static abstract void Store(TVector value, ref float destination, nuint index);

        /// <summary>The model's logistic function (<see cref="LstmMath"/>) at this width.</summary>
        static abstract TVector Sigmoid(TVector x);

        /// <summary>The model's tanh (<see cref="LstmMath"/>) at this width.</summary>
        static abstract TVector Tanh(TVector x);
    }

    /// <summary>512-bit vectors (AVX-512).</summary>
    public readonly struct Width512 : IVectorWidth<Vector512<float>>
    {
        /// <inheritdoc/>
        public static int Lanes => Vector512<float>.Count;

        /// <inheritdoc/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Create(float value) => Vector512.Create(value);

        /// <inheritdoc/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> FusedMultiplyAdd(Vector512<float> a, Vector512<float> b, Vector512<float> c) => Vector512.FusedMultiplyAdd(a, b, c);

        /// <inheritdoc/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Add(Vector512<float> a, Vector512<float> b) => a + b;

        /// <inheritdoc/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Sum(Vector512<float> value) => Vector512.Sum(value);

        /// <inheritdoc/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Load(ref float source, nuint index) => Vector512.LoadUnsafe(ref source, index);

        /// <inheritdoc/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Store(Vector512<float> value, ref float destination, nuint index) => value.StoreUnsafe(ref destination, index);

        /// <inheritdoc/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Sigmoid(Vector512<float> x) => LstmMath.Sigmoid(x);

        /// <inheritdoc/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Tanh(Vector512<float> x) => LstmMath.Tanh(x);
    }

    /// <summary>256-bit vectors (AVX2).</summary>
    public readonly struct Width256 : IVectorWidth<Vector256<float>>
    {
        /// <inheritdoc/>
        public static int Lanes => Vector256<float>.Count;

        /// <inheritdoc/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Create(float value) => Vector256.Create(value);

        /// <inheritdoc/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> FusedMultiplyAdd(Vector256<float> a, Vector256<float> b, Vector256<float> c) => Vector256.FusedMultiplyAdd(a, b, c);

        /// <inheritdoc/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Add(Vector256<float> a, Vector256<float> b) => a + b;

        /// <inheritdoc/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Sum(Vector256<float> value) => Vector256.Sum(value);

        /// <inheritdoc/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Load(ref float source, nuint index) => Vector256.LoadUnsafe(ref source, index);

        /// <inheritdoc/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Store(Vector256<float> value, ref float destination, nuint index) => value.StoreUnsafe(ref destination, index);

        /// <inheritdoc/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Sigmoid(Vector256<float> x) => LstmMath.Sigmoid(x);

        /// <inheritdoc/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Tanh(Vector256<float> x) => LstmMath.Tanh(x);
    }

    /// <summary>128-bit vectors (SSE, ARM64's AdvSimd).</summary>
    public readonly struct Width128 : IVectorWidth<Vector128<float>>
    {
        /// <inheritdoc/>
        public static int Lanes => Vector128<float>.Count;

        /// <inheritdoc/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> Create(float value) => Vector128.Create(value);

        /// <inheritdoc/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> FusedMultiplyAdd(Vector128<float> a, Vector128<float> b, Vector128<float> c) => Vector128.FusedMultiplyAdd(a, b, c);

        /// <inheritdoc/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> Add(Vector128<float> a, Vector128<float> b) => a + b;

        /// <inheritdoc/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Sum(Vector128<float> value) => Vector128.Sum(value);

        /// <inheritdoc/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> Load(ref float source, nuint index) => Vector128.LoadUnsafe(ref source, index);

        /// <inheritdoc/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Store(Vector128<float> value, ref float destination, nuint index) => value.StoreUnsafe(ref destination, index);

        /// <inheritdoc/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> Sigmoid(Vector128<float> x) => LstmMath.Sigmoid(x);

        /// <inheritdoc/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> Tanh(Vector128<float> x) => LstmMath.Tanh(x);
    }

    /// <summary>
    /// The widest vector this processor runs natively: 512 bits where <see cref="Vector512.IsHardwareAccelerated"/>
    /// (AVX-512, also on 256-bit units as Zen 4 has), else 256 (AVX2), else 128 (SSE, ARM64). A yardstick at a wider
    /// width than this is emulated (two 256-bit halves on AVX2) and reads low; at a narrower one it reads low too.
    /// The runtime's switches (<c>DOTNET_EnableAVX512=0</c> and the like) narrow it, as they narrow the model's own paths.
    /// </summary>
    public static class NativeWidth
    {
        /// <summary>512, 256 or 128.</summary>
        public static int Bits { get; } = Vector512.IsHardwareAccelerated ? 512 : Vector256.IsHardwareAccelerated ? 256 : 128;

        /// <summary>Floats per native vector.</summary>
        public static int Lanes => Bits / 32;

        /// <summary>Whether fused multiply-add is an instruction here (x86's FMA3, ARM64's AdvSimd); without it, it is computed in software.</summary>
        public static bool HasFusedMultiplyAdd => System.Runtime.Intrinsics.X86.Fma.IsSupported || System.Runtime.Intrinsics.Arm.AdvSimd.IsSupported;

        /// <summary>The name of a loop at the native width, e.g. "FmaLoops.Throughput (512-bit)".</summary>
        public static string Describe(string loop) => $"{loop} ({Bits}-bit)";
    }
}
