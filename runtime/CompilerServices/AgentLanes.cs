using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;
#if NET8_0_OR_GREATER
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
#endif

namespace LstmGen.CompilerServices
{
    /// <summary>
    /// Moves the values of a group of agents into and out of the lanes of the group's vectors. Agent l's
    /// value k sits at <c>values[l * stride + k]</c> (each agent's values in a row); in the group's layout
    /// of <c>width</c> lanes it is element <c>k * width + l</c>, so that the vectors at position k hold value k
    /// of every agent. Both moves are transposes: 16 x 16 blocks with AVX-512 permutes, 8 x 8 blocks with
    /// AVX, and one value at a time for what is left (or on other processors). Only floats are moved, so no
    /// bit changes.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static class AgentLanes
    {
        /// <summary>
        /// Writes <paramref name="count"/> values of each of <paramref name="width"/> agents, the rows of
        /// <paramref name="values"/> (<paramref name="stride"/> floats apart), into the lanes of <paramref name="group"/>.
        /// </summary>
        public static void Gather(ref float values, int stride, int count, ref float group, int width) =>
            Move(ref values, stride, count, ref group, width, width, intoLanes: true);

        /// <summary>
        /// Writes <paramref name="count"/> values of each of <paramref name="agents"/> agents (at most <paramref name="width"/>),
        /// the rows of <paramref name="values"/> (<paramref name="stride"/> floats apart), into the first lanes of
        /// <paramref name="group"/>, and zeros into the lanes past them: a group that is not full computes on zeros.
        /// </summary>
        public static void Gather(ref float values, int stride, int count, ref float group, int width, int agents)
        {
            Move(ref values, stride, count, ref group, width, agents, intoLanes: true);
            for (int k = 0; k < count; k++)
            {
                for (int lane = agents; lane < width; lane++)
                {
                    Refs.Add(ref group, (k * width) + lane) = 0f;
                }
            }
        }

        /// <summary>
        /// Reads <paramref name="count"/> values of each of <paramref name="width"/> agents out of the lanes
        /// of <paramref name="group"/> into the rows of <paramref name="values"/> (<paramref name="stride"/> floats apart).
        /// </summary>
        public static void Scatter(ref float group, int width, int count, ref float values, int stride) =>
            Move(ref values, stride, count, ref group, width, width, intoLanes: false);

        /// <summary>
        /// Reads <paramref name="count"/> values of the agents in the first <paramref name="agents"/> lanes of
        /// <paramref name="group"/> (of <paramref name="width"/>) into the rows of <paramref name="values"/>
        /// (<paramref name="stride"/> floats apart); the lanes past them are left alone.
        /// </summary>
        public static void Scatter(ref float group, int width, int count, ref float values, int stride, int agents) =>
            Move(ref values, stride, count, ref group, width, agents, intoLanes: false);

        /// <summary>
        /// The rows of <paramref name="values"/> of <paramref name="agents"/> agents into the first lanes of
        /// <paramref name="group"/>, or back.
        /// </summary>
        private static void Move(ref float values, int stride, int count, ref float group, int width, int agents, bool intoLanes)
        {
            if ((uint)agents > (uint)width)
            {
                throw new ArgumentOutOfRangeException(nameof(agents), agents, $"A group of {width} lanes holds at most {width} agents.");
            }

            // Whole blocks of values of whole vectors of agents, transposed: the first `transposed` agents have their first `k` values moved.
            int k = 0;
            int transposed = 0;
#if NET8_0_OR_GREATER
            // Square blocks of 16 values of 16 agents with AVX-512, of 8 with AVX.
            int block = width % 16 == 0 && Avx512F.IsSupported ? 16 : width % 8 == 0 && Avx.IsSupported ? 8 : 0;
            if (block > 0)
            {
                k = count - (count % block);
                transposed = agents - (agents % block);
                for (int first = 0; first < transposed; first += block)
                {
                    for (int j = 0; j < k; j += block)
                    {
                        ref float rows = ref Refs.Add(ref values, (first * stride) + j);
                        ref float lanes = ref Refs.Add(ref group, (j * width) + first);
                        if (intoLanes)
                        {
                            Transpose(block, ref rows, stride, ref lanes, width);
                        }
                        else
                        {
                            Transpose(block, ref lanes, width, ref rows, stride);
                        }
                    }
                }
            }

#endif

            // The rest one at a time: the values past the last whole block of the agents transposed, every value of the others.
            for (int lane = 0; lane < agents; lane++)
            {
                ref float row = ref Refs.Add(ref values, lane * stride);
                for (int j = lane < transposed ? k : 0; j < count; j++)
                {
                    ref float value = ref Refs.Add(ref row, j);
                    ref float laneValue = ref Refs.Add(ref group, (j * width) + lane);
                    if (intoLanes)
                    {
                        laneValue = value;
                    }
                    else
                    {
                        value = laneValue;
                    }
                }
            }
        }

#if NET8_0_OR_GREATER
        /// <summary>The <paramref name="block"/> x <paramref name="block"/> block at <paramref name="source"/>, transposed (16: AVX-512, 8: AVX).</summary>
        private static void Transpose(int block, ref float source, int sourceStride, ref float destination, int destinationStride)
        {
            if (block == 16)
            {
                Transpose16x16(ref source, sourceStride, ref destination, destinationStride);
            }
            else
            {
                Transpose8x8(ref source, sourceStride, ref destination, destinationStride);
            }
        }

        /// <summary>
        /// Column c of the 16 x 16 block at <paramref name="source"/> (rows <paramref name="sourceStride"/>
        /// floats apart) becomes row c at <paramref name="destination"/>: pairs of rows interleaved, then
        /// pairs of pairs, then 128-bit lanes twice, 64 permutes in all.
        /// </summary>
        private static void Transpose16x16(ref float source, int sourceStride, ref float destination, int destinationStride)
        {
            nuint s = (nuint)sourceStride;
            Vector512<float> r0 = Vector512.LoadUnsafe(ref source);
            Vector512<float> r1 = Vector512.LoadUnsafe(ref source, s);
            Vector512<float> r2 = Vector512.LoadUnsafe(ref source, 2 * s);
            Vector512<float> r3 = Vector512.LoadUnsafe(ref source, 3 * s);
            Vector512<float> r4 = Vector512.LoadUnsafe(ref source, 4 * s);
            Vector512<float> r5 = Vector512.LoadUnsafe(ref source, 5 * s);
            Vector512<float> r6 = Vector512.LoadUnsafe(ref source, 6 * s);
            Vector512<float> r7 = Vector512.LoadUnsafe(ref source, 7 * s);
            Vector512<float> r8 = Vector512.LoadUnsafe(ref source, 8 * s);
            Vector512<float> r9 = Vector512.LoadUnsafe(ref source, 9 * s);
            Vector512<float> r10 = Vector512.LoadUnsafe(ref source, 10 * s);
            Vector512<float> r11 = Vector512.LoadUnsafe(ref source, 11 * s);
            Vector512<float> r12 = Vector512.LoadUnsafe(ref source, 12 * s);
            Vector512<float> r13 = Vector512.LoadUnsafe(ref source, 13 * s);
            Vector512<float> r14 = Vector512.LoadUnsafe(ref source, 14 * s);
            Vector512<float> r15 = Vector512.LoadUnsafe(ref source, 15 * s);

            // Rows 2i and 2i + 1 interleaved: in each 128-bit lane, elements 4L, 4L + 1 (low) or 4L + 2, 4L + 3 (high).
            Vector512<float> t0 = Avx512F.UnpackLow(r0, r1);
            Vector512<float> t1 = Avx512F.UnpackHigh(r0, r1);
            Vector512<float> t2 = Avx512F.UnpackLow(r2, r3);
            Vector512<float> t3 = Avx512F.UnpackHigh(r2, r3);
            Vector512<float> t4 = Avx512F.UnpackLow(r4, r5);
            Vector512<float> t5 = Avx512F.UnpackHigh(r4, r5);
            Vector512<float> t6 = Avx512F.UnpackLow(r6, r7);
            Vector512<float> t7 = Avx512F.UnpackHigh(r6, r7);
            Vector512<float> t8 = Avx512F.UnpackLow(r8, r9);
            Vector512<float> t9 = Avx512F.UnpackHigh(r8, r9);
            Vector512<float> t10 = Avx512F.UnpackLow(r10, r11);
            Vector512<float> t11 = Avx512F.UnpackHigh(r10, r11);
            Vector512<float> t12 = Avx512F.UnpackLow(r12, r13);
            Vector512<float> t13 = Avx512F.UnpackHigh(r12, r13);
            Vector512<float> t14 = Avx512F.UnpackLow(r14, r15);
            Vector512<float> t15 = Avx512F.UnpackHigh(r14, r15);

            // u[4q + j], lane L: element 4L + j of rows 4q to 4q + 3.
            Vector512<float> u0 = Avx512F.Shuffle(t0, t2, 0x44);
            Vector512<float> u1 = Avx512F.Shuffle(t0, t2, 0xEE);
            Vector512<float> u2 = Avx512F.Shuffle(t1, t3, 0x44);
            Vector512<float> u3 = Avx512F.Shuffle(t1, t3, 0xEE);
            Vector512<float> u4 = Avx512F.Shuffle(t4, t6, 0x44);
            Vector512<float> u5 = Avx512F.Shuffle(t4, t6, 0xEE);
            Vector512<float> u6 = Avx512F.Shuffle(t5, t7, 0x44);
            Vector512<float> u7 = Avx512F.Shuffle(t5, t7, 0xEE);
            Vector512<float> u8 = Avx512F.Shuffle(t8, t10, 0x44);
            Vector512<float> u9 = Avx512F.Shuffle(t8, t10, 0xEE);
            Vector512<float> u10 = Avx512F.Shuffle(t9, t11, 0x44);
            Vector512<float> u11 = Avx512F.Shuffle(t9, t11, 0xEE);
            Vector512<float> u12 = Avx512F.Shuffle(t12, t14, 0x44);
            Vector512<float> u13 = Avx512F.Shuffle(t12, t14, 0xEE);
            Vector512<float> u14 = Avx512F.Shuffle(t13, t15, 0x44);
            Vector512<float> u15 = Avx512F.Shuffle(t13, t15, 0xEE);

            // The 128-bit lanes: even lanes of u[j] and u[4 + j] (0x88), odd lanes (0xDD).
            Vector512<float> v0 = Avx512F.Shuffle4x128(u0, u4, 0x88);
            Vector512<float> v1 = Avx512F.Shuffle4x128(u1, u5, 0x88);
            Vector512<float> v2 = Avx512F.Shuffle4x128(u2, u6, 0x88);
            Vector512<float> v3 = Avx512F.Shuffle4x128(u3, u7, 0x88);
            Vector512<float> v4 = Avx512F.Shuffle4x128(u0, u4, 0xDD);
            Vector512<float> v5 = Avx512F.Shuffle4x128(u1, u5, 0xDD);
            Vector512<float> v6 = Avx512F.Shuffle4x128(u2, u6, 0xDD);
            Vector512<float> v7 = Avx512F.Shuffle4x128(u3, u7, 0xDD);
            Vector512<float> v8 = Avx512F.Shuffle4x128(u8, u12, 0x88);
            Vector512<float> v9 = Avx512F.Shuffle4x128(u9, u13, 0x88);
            Vector512<float> v10 = Avx512F.Shuffle4x128(u10, u14, 0x88);
            Vector512<float> v11 = Avx512F.Shuffle4x128(u11, u15, 0x88);
            Vector512<float> v12 = Avx512F.Shuffle4x128(u8, u12, 0xDD);
            Vector512<float> v13 = Avx512F.Shuffle4x128(u9, u13, 0xDD);
            Vector512<float> v14 = Avx512F.Shuffle4x128(u10, u14, 0xDD);
            Vector512<float> v15 = Avx512F.Shuffle4x128(u11, u15, 0xDD);

            // Column j: v[j] and v[8 + j], even lanes; column 4 + j: v[4 + j] and v[12 + j], even lanes;
            // columns 8 + j and 12 + j: the same pairs, odd lanes.
            nuint d = (nuint)destinationStride;
            Avx512F.Shuffle4x128(v0, v8, 0x88).StoreUnsafe(ref destination);
            Avx512F.Shuffle4x128(v1, v9, 0x88).StoreUnsafe(ref destination, d);
            Avx512F.Shuffle4x128(v2, v10, 0x88).StoreUnsafe(ref destination, 2 * d);
            Avx512F.Shuffle4x128(v3, v11, 0x88).StoreUnsafe(ref destination, 3 * d);
            Avx512F.Shuffle4x128(v4, v12, 0x88).StoreUnsafe(ref destination, 4 * d);
            Avx512F.Shuffle4x128(v5, v13, 0x88).StoreUnsafe(ref destination, 5 * d);
            Avx512F.Shuffle4x128(v6, v14, 0x88).StoreUnsafe(ref destination, 6 * d);
            Avx512F.Shuffle4x128(v7, v15, 0x88).StoreUnsafe(ref destination, 7 * d);
            Avx512F.Shuffle4x128(v0, v8, 0xDD).StoreUnsafe(ref destination, 8 * d);
            Avx512F.Shuffle4x128(v1, v9, 0xDD).StoreUnsafe(ref destination, 9 * d);
            Avx512F.Shuffle4x128(v2, v10, 0xDD).StoreUnsafe(ref destination, 10 * d);
            Avx512F.Shuffle4x128(v3, v11, 0xDD).StoreUnsafe(ref destination, 11 * d);
            Avx512F.Shuffle4x128(v4, v12, 0xDD).StoreUnsafe(ref destination, 12 * d);
            Avx512F.Shuffle4x128(v5, v13, 0xDD).StoreUnsafe(ref destination, 13 * d);
            Avx512F.Shuffle4x128(v6, v14, 0xDD).StoreUnsafe(ref destination, 14 * d);
            Avx512F.Shuffle4x128(v7, v15, 0xDD).StoreUnsafe(ref destination, 15 * d);
        }

        /// <summary>The 8 x 8 form of <see cref="Transpose16x16"/>: the same two steps, then 128-bit halves.</summary>
        private static void Transpose8x8(ref float source, int sourceStride, ref float destination, int destinationStride)
        {
            nuint s = (nuint)sourceStride;
            Vector256<float> r0 = Vector256.LoadUnsafe(ref source);
            Vector256<float> r1 = Vector256.LoadUnsafe(ref source, s);
            Vector256<float> r2 = Vector256.LoadUnsafe(ref source, 2 * s);
            Vector256<float> r3 = Vector256.LoadUnsafe(ref source, 3 * s);
            Vector256<float> r4 = Vector256.LoadUnsafe(ref source, 4 * s);
            Vector256<float> r5 = Vector256.LoadUnsafe(ref source, 5 * s);
            Vector256<float> r6 = Vector256.LoadUnsafe(ref source, 6 * s);
            Vector256<float> r7 = Vector256.LoadUnsafe(ref source, 7 * s);

            Vector256<float> t0 = Avx.UnpackLow(r0, r1);
            Vector256<float> t1 = Avx.UnpackHigh(r0, r1);
            Vector256<float> t2 = Avx.UnpackLow(r2, r3);
            Vector256<float> t3 = Avx.UnpackHigh(r2, r3);
            Vector256<float> t4 = Avx.UnpackLow(r4, r5);
            Vector256<float> t5 = Avx.UnpackHigh(r4, r5);
            Vector256<float> t6 = Avx.UnpackLow(r6, r7);
            Vector256<float> t7 = Avx.UnpackHigh(r6, r7);

            Vector256<float> u0 = Avx.Shuffle(t0, t2, 0x44);
            Vector256<float> u1 = Avx.Shuffle(t0, t2, 0xEE);
            Vector256<float> u2 = Avx.Shuffle(t1, t3, 0x44);
            Vector256<float> u3 = Avx.Shuffle(t1, t3, 0xEE);
            Vector256<float> u4 = Avx.Shuffle(t4, t6, 0x44);
            Vector256<float> u5 = Avx.Shuffle(t4, t6, 0xEE);
            Vector256<float> u6 = Avx.Shuffle(t5, t7, 0x44);
            Vector256<float> u7 = Avx.Shuffle(t5, t7, 0xEE);

            // Column j: the low halves of u[j] and u[4 + j]; column 4 + j: their high halves.
            nuint d = (nuint)destinationStride;
            Avx.Permute2x128(u0, u4, 0x20).StoreUnsafe(ref destination);
            Avx.Permute2x128(u1, u5, 0x20).StoreUnsafe(ref destination, d);
            Avx.Permute2x128(u2, u6, 0x20).StoreUnsafe(ref destination, 2 * d);
            Avx.Permute2x128(u3, u7, 0x20).StoreUnsafe(ref destination, 3 * d);
            Avx.Permute2x128(u0, u4, 0x31).StoreUnsafe(ref destination, 4 * d);
            Avx.Permute2x128(u1, u5, 0x31).StoreUnsafe(ref destination, 5 * d);
            Avx.Permute2x128(u2, u6, 0x31).StoreUnsafe(ref destination, 6 * d);
            Avx.Permute2x128(u3, u7, 0x31).StoreUnsafe(ref destination, 7 * d);
        }
#endif
    }
}
