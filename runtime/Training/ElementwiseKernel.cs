using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
#if NET8_0_OR_GREATER
using System.Runtime.Intrinsics;
#endif

namespace LstmGen.Training
{
    /// <summary>
    /// The element-wise update of one optimizer step (or of gradient clipping), written once for
    /// every width of <c>ILanes</c> (one float at a time on .NET Standard 2.1).
    /// </summary>
    /// <remarks>
    /// A rule reads and writes its streams at <c>index</c> only. <c>values</c> is updated in place;
    /// <c>input</c> is only read; <c>state0</c> to <c>state2</c> are the optimizer's buffers, in
    /// the rule's own order, and a rule must not touch a buffer it was not given (an empty one).
    /// Implementations are readonly structs whose <see cref="Apply"/> is aggressively inlined, so
    /// that the loops of <see cref="ElementwiseKernel"/> compile to straight vector code.
    /// </remarks>
    internal interface IElementwiseRule
    {
#if NET8_0_OR_GREATER
        /// <summary>Updates the group of <typeparamref name="TLanes"/> floats at <paramref name="index"/>.</summary>
        void Apply<TLanes>(ref float values, ref float input, ref float state0, ref float state1, ref float state2, nuint index)
            where TLanes : struct, ILanes<TLanes>;
#else
        /// <summary>Updates the float at <paramref name="index"/>.</summary>
        void Apply(ref float values, ref float input, ref float state0, ref float state1, ref float state2, nuint index);
#endif
    }

    /// <summary>
    /// Runs an <see cref="IElementwiseRule"/> over whole spans: with the widest accelerated vectors
    /// first, then narrower ones, then one float at a time.
    /// </summary>
    internal static class ElementwiseKernel
    {
        /// <summary>
        /// Applies <paramref name="rule"/> to every element of <paramref name="values"/>. The caller
        /// has checked that <paramref name="input"/> and the buffers are as long as
        /// <paramref name="values"/>, or empty where the rule does not use them. The rule is passed
        /// by reference, not <c>in</c>: the compiler cannot know that a type parameter is a readonly
        /// struct, and would copy it before every call.
        /// </summary>
        public static void Run<TRule>(ref TRule rule, Span<float> values, ReadOnlySpan<float> input, Span<float> state0, Span<float> state1, Span<float> state2)
            where TRule : struct, IElementwiseRule
        {
            ref float valuesStart = ref MemoryMarshal.GetReference(values);
            ref float inputStart = ref MemoryMarshal.GetReference(input);
            ref float state0Start = ref MemoryMarshal.GetReference(state0);
            ref float state1Start = ref MemoryMarshal.GetReference(state1);
            ref float state2Start = ref MemoryMarshal.GetReference(state2);
            nuint length = (nuint)values.Length;
            nuint index = 0;

#if NET8_0_OR_GREATER
            // IsHardwareAccelerated is a constant to the JIT: the paths a machine lacks are not compiled.
            if (Vector512.IsHardwareAccelerated)
            {
                index = RunLanes<TRule, Lanes512>(ref rule, ref valuesStart, ref inputStart, ref state0Start, ref state1Start, ref state2Start, index, length);
            }

            if (Vector256.IsHardwareAccelerated)
            {
                index = RunLanes<TRule, Lanes256>(ref rule, ref valuesStart, ref inputStart, ref state0Start, ref state1Start, ref state2Start, index, length);
            }

            if (Vector128.IsHardwareAccelerated)
            {
                index = RunLanes<TRule, Lanes128>(ref rule, ref valuesStart, ref inputStart, ref state0Start, ref state1Start, ref state2Start, index, length);
            }

            RunLanes<TRule, Lanes1>(ref rule, ref valuesStart, ref inputStart, ref state0Start, ref state1Start, ref state2Start, index, length);
#else
            // Without System.Runtime.Intrinsics: one float at a time (the same bits as every width).
            for (; index < length; index++)
            {
                rule.Apply(ref valuesStart, ref inputStart, ref state0Start, ref state1Start, ref state2Start, index);
            }
#endif
        }

#if NET8_0_OR_GREATER
        /// <summary>Applies the rule to whole groups from <paramref name="index"/> on; returns the first element left.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static nuint RunLanes<TRule, TLanes>(
            ref TRule rule, ref float values, ref float input, ref float state0, ref float state1, ref float state2, nuint index, nuint length)
            where TRule : struct, IElementwiseRule
            where TLanes : struct, ILanes<TLanes>
        {
            nuint count = (nuint)TLanes.Count;
            for (; length - index >= count; index += count)
            {
                rule.Apply<TLanes>(ref values, ref input, ref state0, ref state1, ref state2, index);
            }

            return index;
        }
#endif
    }
}
