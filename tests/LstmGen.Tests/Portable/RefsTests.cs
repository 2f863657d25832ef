using System;
using LstmGen.CompilerServices;
using Xunit;

namespace LstmGen.Tests.Portable
{
    /// <summary>Refs, the reference arithmetic generated code uses on every target (here the net10.0 build; PortableRuntimeTests runs it on netstandard2.1).</summary>
    public sealed class RefsTests
    {
        [Fact]
        public void AddReachesTheElementAtEveryOffsetType()
        {
            float[] values = new float[16];
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = i;
            }

            ref float start = ref Refs.GetArrayDataReference(values);
            ref float middle = ref Refs.Add(ref start, 8);
            Assert.Equal(8f, middle);
            Assert.Equal(5f, Refs.Add(ref middle, -3));
            Assert.Equal(0f, Refs.Add(ref middle, (nint)(-8)));
            Assert.Equal(15f, Refs.Add(ref middle, (nuint)7));

            Refs.Add(ref start, 2) = 42f;
            Refs.Add(ref middle, (nint)1) = 43f;
            Refs.Add(ref start, (nuint)15) = 44f;
            Assert.Equal(new[] { 42f, 43f, 44f }, new[] { values[2], values[9], values[15] });
        }

        [Fact]
        public void GetArrayDataReferenceOfAnEmptyArrayDoesNotThrow()
        {
            float[] empty = Array.Empty<float>();
            _ = ref Refs.GetArrayDataReference(empty);
            float[] one = { 7f };
            Assert.Equal(7f, Refs.GetArrayDataReference(one));
        }
    }
}
