using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using LstmGen.Serialization;
using LstmGen.Tests.Reference;
using Xunit;
using static LstmGen.Tests.Serialization.ModelAssert;

namespace LstmGen.Tests.Serialization
{
    /// <summary>
    /// Files that Fixtures/make_safetensors_fixture.py wrote, with Python's standard library, by
    /// the format's rules and as <c>safetensors.torch.save_file(module.state_dict())</c> lays them
    /// out. The expected values are recomputed here from the script's formula.
    /// </summary>
    public sealed class WeightFileFixtureTests
    {
        private static readonly string[] s_stateDict =
        {
            "lstm.weight_ih_l0", "lstm.weight_hh_l0", "lstm.bias_ih_l0", "lstm.bias_hh_l0", "head.weight", "head.bias",
        };

        private static readonly string[] s_mixedDTypes = { "F64", "F16", "BF16", "F32", "F32", "F64" };

        public static TheoryData<string, string> UniformFiles => new()
        {
            { "tiny_f32.safetensors", "F32" },
            { "tiny_f16.safetensors", "F16" },
            { "tiny_bf16.safetensors", "BF16" },
            { "tiny_f64.safetensors", "F64" },
        };

        private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

        /// <summary>The script's value(k, i), in double, with the same operations in the same order.</summary>
        private static double Value(int k, int i) => ((k + 1) * 0.125) + ((((i * 7) % 19) - 9) * 0.01);

        /// <summary>What a float tensor holds after the value went through <paramref name="dtype"/>.</summary>
        private static float Expected(string dtype, double value) => dtype switch
        {
            "F32" or "F64" => (float)value,
            "F16" => (float)(Half)value,
            "BF16" => ToBFloat16((float)value),
            _ => throw new ArgumentOutOfRangeException(nameof(dtype)),
        };

        /// <summary>
        /// The bfloat16 nearest a float (ties to an even last bit), chosen by comparing distances:
        /// not the script's bit trick.
        /// </summary>
        private static float ToBFloat16(float value)
        {
            int bits = BitConverter.SingleToInt32Bits(value);
            float down = BitConverter.Int32BitsToSingle(bits & unchecked((int)0xFFFF0000));
            float up = BitConverter.Int32BitsToSingle((bits & unchecked((int)0xFFFF0000)) + 0x10000);
            double toDown = Math.Abs((double)value - down);
            double toUp = Math.Abs((double)up - value);
            if (toDown != toUp)
            {
                return toDown < toUp ? down : up;
            }

            return (BitConverter.SingleToInt32Bits(down) & 0x10000) == 0 ? down : up;
        }

        private static void AssertFixtureValues(ILstmModel model, Func<int, string> dtypeOf)
        {
            for (int k = 0; k < s_stateDict.Length; k++)
            {
                TensorInfo tensor = model.Tensors[k];
                Assert.Equal(s_stateDict[k], tensor.Name);
                float[] actual = new float[tensor.Length];
                model.GetTensor(tensor.Name, actual);
                float[] expected = Enumerable.Range(0, tensor.Length).Select(i => Expected(dtypeOf(k), Value(k, i))).ToArray();
                Assert.True(Bits(expected).SequenceEqual(Bits(actual)), $"{tensor.Name}: expected {string.Join(", ", expected)}; got {string.Join(", ", actual)}");
            }
        }

        [Theory]
        [MemberData(nameof(UniformFiles))]
        public void LoadsAFileOfEachDType(string file, string dtype)
        {
            var model = new TinyModel(seed: 0);
            WeightFile.Load(model, Fixture(file));
            AssertFixtureValues(model, _ => dtype);

            // The same from a stream that cannot seek.
            var fromStream = new TinyModel(seed: 1);
            WeightFile.Load(fromStream, new TrickleStream(File.ReadAllBytes(Fixture(file))));
            SameWeights(model, fromStream);
        }

        [Fact]
        public void TheFixturesAreLaidOutAsTheReferenceWriterDoes()
        {
            SafeTensorsFile f32 = SafeTensorsFile.Read(Fixture("tiny_f32.safetensors"));
            Assert.Equal(s_stateDict.OrderBy(n => n, StringComparer.Ordinal), f32.Entries.Select(e => e.Name));
            Assert.Equal("pt", Assert.Single(f32.Metadata).Value);
            Assert.Equal(0, f32.HeaderLength % 8);
            Assert.False(SafeTensorsFile.Read(Fixture("tiny_f64.safetensors")).HasMetadata);

            // Largest dtype first, then by name.
            SafeTensorsFile mixed = SafeTensorsFile.Read(Fixture("tiny_mixed.safetensors"));
            Assert.Equal(
                new[] { "head.bias", "lstm.weight_ih_l0", "head.weight", "lstm.bias_hh_l0", "lstm.bias_ih_l0", "lstm.weight_hh_l0" },
                mixed.Entries.Select(e => e.Name));
        }

        [Fact]
        public void LoadsAFileWhoseTensorsHaveDifferentDTypesInTheWritersOrder()
        {
            var model = new TinyModel(seed: 0);
            WeightFile.Load(model, Fixture("tiny_mixed.safetensors"));
            AssertFixtureValues(model, k => s_mixedDTypes[k]);
        }

        [Fact]
        public void LoadsAModuleWithOtherNamesThroughPrefixMappings()
        {
            var model = new TinyModel(seed: 0);
            int[] before = Bits(model.Parameters);
            Refuses(
                () => WeightFile.Load(model, Fixture("tiny_rnn_fc_f32.safetensors")),
                "tiny_rnn_fc_f32.safetensors: ",
                "no tensor for the model's 'lstm.weight_ih_l0' [16, 3]",
                "'head.bias' [2]",
                "'rnn.weight_ih_l0' F32 [16, 3] at data offsets",
                "MapPrefix(\"rnn.\", \"lstm.\")");
            Unchanged(before, model);

            WeightFile.Load(model, Fixture("tiny_rnn_fc_f32.safetensors"), new WeightLoadOptions().MapPrefix("rnn.", "lstm.").MapPrefix("fc.", "head."));
            AssertFixtureValues(model, _ => "F32");
        }

        [Fact]
        public void WriterReproducesTheFixturesByteForByte()
        {
            // The reference writer's order and padding, with data encoded here independently.
            var pt = new Dictionary<string, string> { ["format"] = "pt" };
            Assert.Equal(File.ReadAllBytes(Fixture("tiny_f32.safetensors")), WriteFixture(_ => "F32", pt));
            Assert.Equal(File.ReadAllBytes(Fixture("tiny_f16.safetensors")), WriteFixture(_ => "F16", pt));
            Assert.Equal(File.ReadAllBytes(Fixture("tiny_bf16.safetensors")), WriteFixture(_ => "BF16", pt));
            Assert.Equal(File.ReadAllBytes(Fixture("tiny_f64.safetensors")), WriteFixture(_ => "F64", null));
            Assert.Equal(File.ReadAllBytes(Fixture("tiny_mixed.safetensors")), WriteFixture(k => s_mixedDTypes[k], pt));
        }

        private static byte[] WriteFixture(Func<int, string> dtypeOf, Dictionary<string, string>? metadata)
        {
            var tensors = new List<(int Rank, SafeTensorsTensor Tensor)>();
            IReadOnlyList<TensorInfo> infos = TinyModel.Tensors;
            for (int k = 0; k < infos.Count; k++)
            {
                string dtype = dtypeOf(k);
                Assert.True(SafeTensorsDTypes.TryParse(dtype, out SafeTensorsDType parsed));
                int size = parsed.GetBitSize() / 8;
                byte[] data = new byte[infos[k].Length * size];
                for (int i = 0; i < infos[k].Length; i++)
                {
                    double value = Value(k, i);
                    Span<byte> slot = data.AsSpan(i * size, size);
                    switch (dtype)
                    {
                        case "F32":
                            BinaryPrimitives.WriteSingleLittleEndian(slot, (float)value);
                            break;
                        case "F64":
                            BinaryPrimitives.WriteDoubleLittleEndian(slot, value);
                            break;
                        case "F16":
                            BinaryPrimitives.WriteHalfLittleEndian(slot, (Half)value);
                            break;
                        default:
                            BinaryPrimitives.WriteUInt16LittleEndian(slot, (ushort)(BitConverter.SingleToInt32Bits(ToBFloat16((float)value)) >>> 16));
                            break;
                    }
                }

                tensors.Add(((int)parsed, new SafeTensorsTensor(infos[k].Name, parsed, infos[k].Shape.Select(d => (long)d).ToArray(), data)));
            }

            var stream = new MemoryStream();
            SafeTensorsFile.Write(
                stream,
                tensors.OrderByDescending(t => t.Rank).ThenBy(t => t.Tensor.Name, StringComparer.Ordinal).Select(t => t.Tensor),
                metadata);
            return stream.ToArray();
        }
    }
}
