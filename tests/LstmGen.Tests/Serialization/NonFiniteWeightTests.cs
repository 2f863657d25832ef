using System;
using System.Buffers.Binary;
using System.IO;
using System.Linq;
using LstmGen.Serialization;
using LstmGen.Tests.Reference;
using Xunit;
using static LstmGen.Tests.Serialization.ModelAssert;

namespace LstmGen.Tests.Serialization
{
    /// <summary>NaN and infinite weights: one rule for every dtype, refused unless <see cref="WeightLoadOptions.AllowNonFinite"/>.</summary>
    public sealed class NonFiniteWeightTests
    {
        private const string Poisoned = "lstm.bias_hh_l0";
        private const int Element = 5;

        /// <summary>A <see cref="TinyModel"/>'s weights as a file of <paramref name="dtype"/>, with one value replaced.</summary>
        internal static byte[] FileWith(SafeTensorsDType dtype, float value, string tensor = Poisoned, int element = Element)
        {
            var source = new TinyModel(seed: 3);
            var output = new MemoryStream();
            SafeTensorsFile.Write(output, TinyModel.Tensors.Select(info =>
            {
                float[] values = new float[info.Length];
                source.GetTensor(info.Name, values);
                if (info.Name == tensor)
                {
                    values[element] = value;
                }

                return new SafeTensorsTensor(info.Name, dtype, info.Shape.Select(d => (long)d).ToArray(), Encode(values, dtype));
            }).ToList());
            return output.ToArray();
        }

        internal static byte[] Encode(float[] values, SafeTensorsDType dtype)
        {
            int size = dtype.GetBitSize() / 8;
            byte[] data = new byte[values.Length * size];
            for (int i = 0; i < values.Length; i++)
            {
                Span<byte> slot = data.AsSpan(i * size, size);
                switch (dtype)
                {
                    case SafeTensorsDType.F16:
                        BinaryPrimitives.WriteHalfLittleEndian(slot, (Half)values[i]);
                        break;
                    case SafeTensorsDType.BF16:
                        BinaryPrimitives.WriteUInt16LittleEndian(slot, (ushort)(BitConverter.SingleToUInt32Bits(values[i]) >> 16));
                        break;
                    case SafeTensorsDType.F64:
                        BinaryPrimitives.WriteDoubleLittleEndian(slot, values[i]);
                        break;
                    default:
                        BinaryPrimitives.WriteSingleLittleEndian(slot, values[i]);
                        break;
                }
            }

            return data;
        }

        public static TheoryData<SafeTensorsDType, float> Cases()
        {
            var cases = new TheoryData<SafeTensorsDType, float>();
            foreach (SafeTensorsDType dtype in new[] { SafeTensorsDType.F32, SafeTensorsDType.F16, SafeTensorsDType.BF16, SafeTensorsDType.F64 })
            {
                foreach (float value in new[] { float.NaN, float.PositiveInfinity, float.NegativeInfinity })
                {
                    cases.Add(dtype, value);
                }
            }

            return cases;
        }

        [Theory]
        [MemberData(nameof(Cases))]
        public void RefusesNonFiniteWeightsOfEveryDTypeNamingTheTensorAndTheElement(SafeTensorsDType dtype, float value)
        {
            byte[] file = FileWith(dtype, value);
            var model = new TinyModel(seed: 1);
            int[] before = Bits(model.Parameters);
            foreach (Stream stream in new Stream[] { new MemoryStream(file), new TrickleStream(file) })
            {
                WeightFileException exception = Refuses(() => WeightFile.Load(model, stream), $"'{Poisoned}'", dtype.GetName(), $"element {Element}", "AllowNonFinite");
                Assert.Equal(Poisoned, exception.TensorName);
                Unchanged(before, model);
            }

            WeightFile.Load(model, new MemoryStream(file), new WeightLoadOptions { AllowNonFinite = true });
            float[] loaded = new float[4 * TinyModel.HiddenSize];
            model.GetTensor(Poisoned, loaded);
            Assert.Equal(value, loaded[Element]); // xunit's equality takes NaN as equal to NaN
        }

        [Fact]
        public void AFiniteDoubleBeyondFloatIsRefusedEvenWhenNonFiniteValuesAreAllowed()
        {
            byte[] file = FileWith(SafeTensorsDType.F64, 0f);
            SafeTensorsFile read = SafeTensorsFile.Read(new MemoryStream(file));
            SafeTensorsEntry entry = read.Entries.Single(e => e.Name == Poisoned);
            long offset = file.Length - read.DataLength + entry.Begin + (Element * 8);
            BinaryPrimitives.WriteDoubleLittleEndian(file.AsSpan((int)offset), 1e300);
            var model = new TinyModel(seed: 1);
            Refuses(() => WeightFile.Load(model, new MemoryStream(file), new WeightLoadOptions { AllowNonFinite = true }), $"'{Poisoned}'", "1E+300", $"element {Element}", "beyond the range of float");
        }

        [Fact]
        public void ACheckpointWithANonFiniteOptimizerBufferIsRefusedUnlessAllowed()
        {
            var model = new TinyModel(seed: 2);
            float[] expAvg = new float[TinyModel.ParameterCount];
            expAvg[7] = float.NaN;
            var state = new LstmGen.Training.OptimizerState("Adam", 0.01f, 3, new[]
            {
                System.Collections.Generic.KeyValuePair.Create("exp_avg", expAvg),
                System.Collections.Generic.KeyValuePair.Create("exp_avg_sq", new float[TinyModel.ParameterCount]),
            });
            var stream = new MemoryStream();
            WeightFile.SaveCheckpoint(model, state, stream);
            var target = new TinyModel(seed: 4);
            int[] before = Bits(target.Parameters);
            Refuses(() => WeightFile.LoadCheckpoint(target, new MemoryStream(stream.ToArray())), "'optimizer.exp_avg'", "element 7");
            Unchanged(before, target);
            var loaded = WeightFile.LoadCheckpoint(target, new MemoryStream(stream.ToArray()), new WeightLoadOptions { AllowNonFinite = true });
            Assert.True(float.IsNaN(loaded.Buffers[0].Value[7]));
        }

        [Fact]
        public void SavingNonFiniteWeightsIsAllowedAndTheFileNeedsAllowNonFiniteToLoad()
        {
            var model = new TinyModel(seed: 1);
            model.Parameters[0] = float.PositiveInfinity;
            var stream = new MemoryStream();
            WeightFile.Save(model, stream);
            Refuses(() => WeightFile.Load(new TinyModel(seed: 2), new MemoryStream(stream.ToArray())), "+infinity");
            var target = new TinyModel(seed: 2);
            WeightFile.Load(target, new MemoryStream(stream.ToArray()), new WeightLoadOptions { AllowNonFinite = true });
            SameWeights(model, target);
        }

        [Fact]
        public void ConvertsEveryHalfExactlyAsSystemHalfDoes()
        {
            byte[] data = new byte[65536 * 2];
            for (int i = 0; i < 65536; i++)
            {
                BinaryPrimitives.WriteUInt16LittleEndian(data.AsSpan(i * 2), (ushort)i);
            }

            var output = new MemoryStream();
            SafeTensorsFile.Write(output, new[] { new SafeTensorsTensor("all", SafeTensorsDType.F16, new long[] { 65536 }, data) });
            SafeTensorsFile file = SafeTensorsFile.Read(new MemoryStream(output.ToArray()));
            float[] values = new float[65536];
            file.ReadSingles(file.Entries[0], values);
            for (int i = 0; i < 65536; i++)
            {
                float expected = (float)BitConverter.UInt16BitsToHalf((ushort)i);
                Assert.True(BitConverter.SingleToInt32Bits(expected) == BitConverter.SingleToInt32Bits(values[i]), $"Half 0x{i:X4}: {expected} expected, {values[i]} read.");
            }
        }
    }
}
