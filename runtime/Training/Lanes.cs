using System;
using System.Runtime.CompilerServices;
#if NET8_0_OR_GREATER
using System.Runtime.Intrinsics;
#endif
using LstmGen.CompilerServices;

namespace LstmGen.Training
{
#if NET8_0_OR_GREATER
    /// <summary>
    /// A group of floats processed together: one float, or a 128-, 256- or 512-bit vector. The
    /// element-wise update rules of the optimizers are written once against this interface and
    /// compiled by the JIT for each width (the type arguments are structs, so every call is
    /// specialised and inlined).
    /// </summary>
    /// <remarks>
    /// Only correctly rounded IEEE operations are offered (+, -, *, /, square root; no fused
    /// multiply-add), so a rule gives the same bits on every width: a parameter vector is updated
    /// identically whether its elements fall in a vector or in the scalar remainder, on a machine
    /// with AVX-512, with AVX2, with SSE or NEON only, or with no SIMD at all.
    /// </remarks>
    /// <typeparam name="TSelf">The implementing type.</typeparam>
    internal interface ILanes<TSelf>
        where TSelf : struct, ILanes<TSelf>
    {
        /// <summary>How many floats a group holds.</summary>
        static abstract int Count { get; }

        /// <summary>Loads the group that starts <paramref name="index"/> floats after <paramref name="source"/>.</summary>
        static abstract TSelf Load(ref float source, nuint index);

        /// <summary>Every float of the group set to <paramref name="value"/>.</summary>
        static abstract TSelf Create(float value);

        /// <summary>The square root of each float.</summary>
        static abstract TSelf Sqrt(TSelf value);

        static abstract TSelf operator +(TSelf left, TSelf right);

        static abstract TSelf operator -(TSelf left, TSelf right);

        static abstract TSelf operator *(TSelf left, TSelf right);

        static abstract TSelf operator *(float left, TSelf right);

        static abstract TSelf operator /(TSelf left, TSelf right);

        /// <summary>Stores the group at <paramref name="index"/> floats after <paramref name="destination"/>.</summary>
        void Store(ref float destination, nuint index);
    }

#endif

    /// <summary>One float: the scalar remainder, and every element where no SIMD is accelerated.</summary>
    internal readonly struct Lanes1
#if NET8_0_OR_GREATER
        : ILanes<Lanes1>
#endif
    {
        private readonly float _value;

        private Lanes1(float value) => _value = value;

        public static int Count => 1;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Lanes1 Load(ref float source, nuint index) => new(Refs.Add(ref source, index));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Lanes1 Create(float value) => new(value);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Lanes1 Sqrt(Lanes1 value) => new(MathF.Sqrt(value._value));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Lanes1 operator +(Lanes1 left, Lanes1 right) => new(left._value + right._value);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Lanes1 operator -(Lanes1 left, Lanes1 right) => new(left._value - right._value);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Lanes1 operator *(Lanes1 left, Lanes1 right) => new(left._value * right._value);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Lanes1 operator *(float left, Lanes1 right) => new(left * right._value);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Lanes1 operator /(Lanes1 left, Lanes1 right) => new(left._value / right._value);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Store(ref float destination, nuint index) => Refs.Add(ref destination, index) = _value;
    }

#if NET8_0_OR_GREATER
    /// <summary>Four floats in a <see cref="Vector128{T}"/>.</summary>
    internal readonly struct Lanes128 : ILanes<Lanes128>
    {
        private readonly Vector128<float> _value;

        private Lanes128(Vector128<float> value) => _value = value;

        public static int Count => Vector128<float>.Count;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Lanes128 Load(ref float source, nuint index) => new(Vector128.LoadUnsafe(ref source, index));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Lanes128 Create(float value) => new(Vector128.Create(value));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Lanes128 Sqrt(Lanes128 value) => new(Vector128.Sqrt(value._value));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Lanes128 operator +(Lanes128 left, Lanes128 right) => new(left._value + right._value);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Lanes128 operator -(Lanes128 left, Lanes128 right) => new(left._value - right._value);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Lanes128 operator *(Lanes128 left, Lanes128 right) => new(left._value * right._value);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Lanes128 operator *(float left, Lanes128 right) => new(Vector128.Create(left) * right._value);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Lanes128 operator /(Lanes128 left, Lanes128 right) => new(left._value / right._value);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Store(ref float destination, nuint index) => _value.StoreUnsafe(ref destination, index);
    }

    /// <summary>Eight floats in a <see cref="Vector256{T}"/>.</summary>
    internal readonly struct Lanes256 : ILanes<Lanes256>
    {
        private readonly Vector256<float> _value;

        private Lanes256(Vector256<float> value) => _value = value;

        public static int Count => Vector256<float>.Count;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Lanes256 Load(ref float source, nuint index) => new(Vector256.LoadUnsafe(ref source, index));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Lanes256 Create(float value) => new(Vector256.Create(value));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Lanes256 Sqrt(Lanes256 value) => new(Vector256.Sqrt(value._value));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Lanes256 operator +(Lanes256 left, Lanes256 right) => new(left._value + right._value);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Lanes256 operator -(Lanes256 left, Lanes256 right) => new(left._value - right._value);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Lanes256 operator *(Lanes256 left, Lanes256 right) => new(left._value * right._value);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Lanes256 operator *(float left, Lanes256 right) => new(Vector256.Create(left) * right._value);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Lanes256 operator /(Lanes256 left, Lanes256 right) => new(left._value / right._value);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Store(ref float destination, nuint index) => _value.StoreUnsafe(ref destination, index);
    }

    /// <summary>Sixteen floats in a <see cref="Vector512{T}"/>.</summary>
    internal readonly struct Lanes512 : ILanes<Lanes512>
    {
        private readonly Vector512<float> _value;

        private Lanes512(Vector512<float> value) => _value = value;

        public static int Count => Vector512<float>.Count;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Lanes512 Load(ref float source, nuint index) => new(Vector512.LoadUnsafe(ref source, index));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Lanes512 Create(float value) => new(Vector512.Create(value));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Lanes512 Sqrt(Lanes512 value) => new(Vector512.Sqrt(value._value));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Lanes512 operator +(Lanes512 left, Lanes512 right) => new(left._value + right._value);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Lanes512 operator -(Lanes512 left, Lanes512 right) => new(left._value - right._value);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Lanes512 operator *(Lanes512 left, Lanes512 right) => new(left._value * right._value);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Lanes512 operator *(float left, Lanes512 right) => new(Vector512.Create(left) * right._value);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Lanes512 operator /(Lanes512 left, Lanes512 right) => new(left._value / right._value);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Store(ref float destination, nuint index) => _value.StoreUnsafe(ref destination, index);
    }
#endif
}
