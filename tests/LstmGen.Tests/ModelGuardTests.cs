using System;
using LstmGen.CompilerServices;
using Xunit;

namespace LstmGen.Tests
{
    /// <summary>The checks of generated models on sizes near the limits of an int.</summary>
    public sealed class ModelGuardTests
    {
        [Fact]
        public void ATrainingRecordTooLargeForOneArrayIsRefusedWithAWayOut()
        {
            // Hidden 1024 and 16 layers record about 100,000 floats per step.
            var error = Assert.Throws<ArgumentException>(() => ModelGuard.RecordLength(30_000, 100_352, "inputs"));
            Assert.Equal("inputs", error.ParamName);
            Assert.Contains("30000 steps", error.Message);
            Assert.Contains("3010660352 floats", error.Message);
            Assert.Contains("truncated backpropagation through time", error.Message);
            Assert.Equal(11 * 100_352, ModelGuard.RecordLength(10, 100_352, "inputs"));
        }

        [Fact]
        public void RowCountsDoNotWrapAround()
        {
            // 2^30 rows of 4 floats would wrap to 0 in 32 bits.
            var error = Assert.Throws<ArgumentException>(() => ModelGuard.Rows(0, 1 << 30, 4, "inputs", "[N, InputSize] for N states"));
            Assert.Contains("4294967296 floats", error.Message);
            ModelGuard.Rows(12, 3, 4, "inputs", "[N, InputSize] for N states");
        }
    }
}
