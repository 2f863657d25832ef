using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using LstmGen.Serialization;
using LstmGen.Tests.Reference;
using Xunit;
using static LstmGen.Tests.Serialization.ModelAssert;

namespace LstmGen.Tests.Serialization
{
    /// <summary>Saving and loading generated models: round trips, refusals, truncation and atomic saves.</summary>
    public sealed class WeightFileTests
    {
        public static TheoryData<string> Models => new(ReferenceModels.ByCase.Keys);

        private static ILstmModel Create(string name, int seed)
        {
            ILstmModel model = ReferenceModels.ByCase[name]();
            Initializers.PyTorchDefault(model, seed);
            return model;
        }

        private static byte[] Saved(ILstmModel model)
        {
            var stream = new MemoryStream();
            WeightFile.Save(model, stream);
            return stream.ToArray();
        }

        // ---- Round trips ----

        [Theory]
        [MemberData(nameof(Models))]
        public void RoundTripsThroughAStream(string name)
        {
            ILstmModel source = Create(name, seed: 1);
            ILstmModel target = Create(name, seed: 2);
            byte[] bytes = Saved(source);
            WeightFile.Load(target, new MemoryStream(bytes));
            SameWeights(source, target);

            // And through a stream that cannot seek.
            ILstmModel third = Create(name, seed: 3);
            WeightFile.Load(third, new TrickleStream(bytes, chunk: 5));
            SameWeights(source, third);
        }

        [Theory]
        [MemberData(nameof(Models))]
        public void RoundTripsThroughAFile(string name)
        {
            using var directory = new TemporaryDirectory();
            ILstmModel source = Create(name, seed: 1);
            ILstmModel target = Create(name, seed: 2);
            string path = directory.File("model.safetensors");
            WeightFile.Save(source, path);
            WeightFile.Load(target, path);
            SameWeights(source, target);
            Assert.Equal(new[] { "model.safetensors" }, directory.Entries());
        }

        [Fact]
        public void RoundTripsSpecialValuesBitForBit()
        {
            var source = new TinyModel(seed: 0);
            float[] special = { float.NaN, -0f, float.Epsilon, -float.Epsilon, float.MaxValue, float.NegativeInfinity, 1e-40f, BitConverter.Int32BitsToSingle(0x7FC12345) };
            float[] weights = new float[48];
            for (int i = 0; i < weights.Length; i++)
            {
                weights[i] = special[i % special.Length];
            }

            source.SetTensor("lstm.weight_ih_l0", weights);
            var target = new TinyModel(seed: 1);
            WeightFile.Load(target, new MemoryStream(Saved(source)), new WeightLoadOptions { AllowNonFinite = true });
            SameWeights(source, target);
        }

        [Fact]
        public void WritesF32TensorsInStateDictOrderWithTheModelsShapeInTheMetadata()
        {
            ILstmModel model = new StackedModel(seed: 0);
            SafeTensorsFile file = SafeTensorsFile.Read(new MemoryStream(Saved(model)));
            Assert.Equal(model.Tensors.Select(t => t.Name), file.Entries.Select(e => e.Name));
            Assert.All(file.Entries, e => Assert.Equal(SafeTensorsDType.F32, e.DType));
            Assert.Equal(model.Tensors.Select(t => string.Join(",", t.Shape)), file.Entries.Select(e => string.Join(",", e.Shape)));
            Assert.Equal("pt", file.Metadata["format"]);
            Assert.Equal("8", file.Metadata["lstmgen.input_size"]);
            Assert.Equal("32", file.Metadata["lstmgen.hidden_size"]);
            Assert.Equal("2", file.Metadata["lstmgen.layers"]);
            Assert.Equal("4", file.Metadata["lstmgen.output_size"]);
            Assert.Equal("true", file.Metadata["lstmgen.head"]);
            Assert.Equal(StackedModel.ParameterCount.ToString(System.Globalization.CultureInfo.InvariantCulture), file.Metadata["lstmgen.parameter_count"]);

            float[] expected = new float[model.Tensors[0].Length];
            model.GetTensor(model.Tensors[0].Name, expected);
            float[] actual = new float[expected.Length];
            file.ReadSingles(file.Entries[0], actual);
            Assert.Equal(Bits(expected), Bits(actual));

            Assert.Equal("false", SafeTensorsFile.Read(new MemoryStream(Saved(new NoHeadModel(seed: 0)))).Metadata["lstmgen.head"]);
        }

        [Fact]
        public void SavingTheSameModelTwiceGivesTheSameBytes()
        {
            Assert.Equal(Saved(new OddSizesModel(seed: 4)), Saved(new OddSizesModel(seed: 4)));
        }

        [Fact]
        public void LeavesTheStreamOpenAndReadsFromItsPosition()
        {
            var model = new TinyModel(seed: 5);
            var stream = new MemoryStream();
            stream.Write(new byte[] { 1, 2, 3 });
            WeightFile.Save(model, stream);
            stream.Position = 3;
            var target = new TinyModel(seed: 6);
            WeightFile.Load(target, stream);
            SameWeights(model, target);
            Assert.True(stream.CanRead);
        }

        // ---- Refusals that concern the model ----

        [Fact]
        public void RefusesAMissingTensor()
        {
            byte[] bytes = SafeTensorsBytes.Rewrite(Saved(new TinyModel(seed: 1)), tensors => tensors.Where(t => t.Name != "head.bias"));
            var model = new TinyModel(seed: 0);
            int[] before = Bits(model.Parameters);
            WeightFileException exception = Refuses(
                () => WeightFile.Load(model, new MemoryStream(bytes)),
                "no tensor for the model's 'head.bias' [2]",
                "InputSize = 3, HiddenSize = 4, Layers = 1, OutputSize = 2",
                $"The file ({bytes.Length} bytes) has:",
                "'head.weight' F32 [2, 4] at data offsets [576, 608]");
            Assert.Equal("head.bias", exception.TensorName);
            Unchanged(before, model);
        }

        [Fact]
        public void RefusesTheFileOfAShallowerModelWithoutAHead()
        {
            // One layer and no head: the second layer's and the head's tensors are missing.
            var noHead = new NoHeadModel(seed: 1);
            var model = new StackedModel(seed: 0);
            Refuses(
                () => WeightFile.Load(model, new MemoryStream(Saved(noHead))),
                "no tensor for the model's 'lstm.weight_ih_l1' [128, 32]",
                "'head.weight' [4, 32], 'head.bias' [4]",
                "saved by LstmGen from a model with InputSize = 6, HiddenSize = 16, Layers = 1, OutputSize = 16");
        }

        [Fact]
        public void RefusesAnUnexpectedTensorUnlessToldToIgnoreIt()
        {
            byte[] bytes = SafeTensorsBytes.Rewrite(
                Saved(new TinyModel(seed: 1)),
                tensors => tensors.Append(SafeTensorsTensor.FromSingles("extra.scale", new long[] { 3 }, new[] { 1f, 2f, 3f })));
            var model = new TinyModel(seed: 0);
            int[] before = Bits(model.Parameters);
            WeightFileException exception = Refuses(
                () => WeightFile.Load(model, new MemoryStream(bytes)),
                "tensors the model does not: 'extra.scale' F32 [3] at data offsets [616, 628]",
                $"file size {bytes.Length} bytes",
                "lstm.weight_ih_l0 [16, 3]",
                "IgnoreUnexpected");
            Assert.Equal("extra.scale", exception.TensorName);
            Assert.DoesNotContain("saved by LstmGen", exception.Message, StringComparison.Ordinal); // same shape: no hint
            Unchanged(before, model);

            WeightFile.Load(model, new MemoryStream(bytes), new WeightLoadOptions { IgnoreUnexpected = true });
            SameWeights(new TinyModel(seed: 1), model);
        }

        [Fact]
        public void RefusesAWrongShapeNamingBothShapes()
        {
            // An odd-sizes model's file: the same names, other shapes.
            byte[] bytes = Saved(new OddSizesModel(seed: 1));
            var model = new TinyModel(seed: 0);
            int[] before = Bits(model.Parameters);
            WeightFileException exception = Refuses(
                () => WeightFile.Load(model, new MemoryStream(bytes)),
                "Tensor 'lstm.weight_ih_l0' has shape [52, 5] in the weight file, but the model expects [16, 3]",
                "InputSize = 3, HiddenSize = 4, Layers = 1, OutputSize = 2",
                "F32, data offsets [0, 1040]",
                $"file size {bytes.Length} bytes",
                "saved by LstmGen from a model with InputSize = 5, HiddenSize = 13, Layers = 1, OutputSize = 3");
            Assert.Equal("lstm.weight_ih_l0", exception.TensorName);
            Unchanged(before, model);
        }

        [Fact]
        public void RefusesAShapeWithTheRightElementCountButWrongDimensions()
        {
            byte[] bytes = SafeTensorsBytes.Rewrite(
                Saved(new TinyModel(seed: 1)),
                tensors => tensors.Select(t => t.Name == "head.weight" ? new SafeTensorsTensor(t.Name, t.DType, new long[] { 4, 2 }, t.Data) : t));
            Refuses(() => WeightFile.Load(new TinyModel(seed: 0), new MemoryStream(bytes)), "'head.weight' has shape [4, 2]", "expects [2, 4]", "data offsets [576, 608]");
        }

        [Theory]
        [InlineData(SafeTensorsDType.I64)]
        [InlineData(SafeTensorsDType.I32)]
        [InlineData(SafeTensorsDType.U8)]
        [InlineData(SafeTensorsDType.F8E4M3)]
        public void RefusesAnUnsupportedDType(SafeTensorsDType dtype)
        {
            byte[] bytes = SafeTensorsBytes.Rewrite(
                Saved(new TinyModel(seed: 1)),
                tensors => tensors.Select(t => t.Name == "head.bias" ? new SafeTensorsTensor(t.Name, dtype, t.Shape, new byte[2 * dtype.GetBitSize() / 8]) : t));
            var model = new TinyModel(seed: 0);
            int[] before = Bits(model.Parameters);
            Refuses(
                () => WeightFile.Load(model, new MemoryStream(bytes)),
                $"Tensor 'head.bias' has dtype {dtype.GetName()} in the weight file",
                "F32, F16, BF16 or F64",
                "shape [2]",
                "data offsets [608, ",
                $"file size {bytes.Length} bytes");
            Unchanged(before, model);
        }

        [Fact]
        public void RefusesTwoTensorsThatMapToTheSameName()
        {
            byte[] bytes = SafeTensorsBytes.Rewrite(
                Saved(new TinyModel(seed: 1)),
                tensors => tensors.Concat(tensors.Where(t => t.Name.StartsWith("head.", StringComparison.Ordinal)).Select(t => new SafeTensorsTensor("fc." + t.Name[5..], t.DType, t.Shape, t.Data))).ToList());
            Refuses(
                () => WeightFile.Load(new TinyModel(seed: 0), new MemoryStream(bytes), new WeightLoadOptions().MapPrefix("fc.", "head.")),
                "'head.weight' (data offsets [576, 608]) and 'fc.weight'",
                "both map to the model's 'head.weight'");
        }

        [Fact]
        public void NamesTheMappedTensorInShapeErrors()
        {
            byte[] bytes = SafeTensorsBytes.Rewrite(
                Saved(new OddSizesModel(seed: 1)),
                tensors => tensors.Select(t => new SafeTensorsTensor(t.Name.Replace("lstm.", "rnn.", StringComparison.Ordinal), t.DType, t.Shape, t.Data)).ToList());
            Refuses(
                () => WeightFile.Load(new TinyModel(seed: 0), new MemoryStream(bytes), new WeightLoadOptions().MapPrefix("rnn.", "lstm.")),
                "Tensor 'rnn.weight_ih_l0' (the model's 'lstm.weight_ih_l0') has shape [52, 5]");
        }

        [Fact]
        public void PrefixMappingsApplyInOrderAndKeepOtherNames()
        {
            var options = new WeightLoadOptions().MapPrefix("model.rnn.", "lstm.").MapPrefix("model.", string.Empty).MapPrefix("fc.", "head.");
            Assert.Equal("lstm.weight_ih_l0", options.MapName("model.rnn.weight_ih_l0"));
            Assert.Equal("head.bias", options.MapName("model.head.bias"));
            Assert.Equal("head.weight", options.MapName("fc.weight"));
            Assert.Equal("lstm.bias_hh_l0", options.MapName("lstm.bias_hh_l0"));
            Assert.Equal(3, options.PrefixMappings.Count);
        }

        [Fact]
        public void PrefixesTheMessageOfAFileWithItsPath()
        {
            using var directory = new TemporaryDirectory();
            string path = directory.File("broken.safetensors");
            File.WriteAllBytes(path, new byte[] { 1, 2, 3 });
            Refuses(() => WeightFile.Load(new TinyModel(seed: 0), path), path + ": ", "truncated", "3 bytes");
            Assert.Throws<FileNotFoundException>(() => WeightFile.Load(new TinyModel(seed: 0), directory.File("absent.safetensors")));
        }

        [Fact]
        public void RestoresTheModelIfSettingATensorFails()
        {
            byte[] bytes = Saved(new TinyModel(seed: 1));
            var inner = new TinyModel(seed: 0);
            int[] before = Bits(inner.Parameters);
            var model = new FaultyModel(inner, failSet: "lstm.bias_hh_l0");
            Assert.Throws<InvalidOperationException>(() => WeightFile.Load(model, new MemoryStream(bytes)));
            Unchanged(before, inner);
        }

        // ---- Truncation ----

        [Fact]
        public void AFileTruncatedAnywhereNeverLoadsAndLeavesTheModelUnchanged()
        {
            byte[] bytes = Saved(new TinyModel(seed: 1));
            var model = new TinyModel(seed: 0);
            int[] before = Bits(model.Parameters);
            for (int length = 0; length < bytes.Length; length++)
            {
                byte[] cut = bytes[..length];
                WeightFileException seekable = Assert.Throws<WeightFileException>(() => WeightFile.Load(model, new MemoryStream(cut)));
                WeightFileException trickle = Assert.Throws<WeightFileException>(() => WeightFile.Load(model, new TrickleStream(cut, chunk: 3)));
                Assert.True(seekable.Message.Contains("truncated", StringComparison.Ordinal), $"At {length} bytes: {seekable.Message}");
                Assert.True(trickle.Message.Contains("truncated", StringComparison.Ordinal), $"At {length} bytes: {trickle.Message}");
                Unchanged(before, model);
            }

            // Every cut past the header is reported as a truncation with the file's size.
            long dataStart = bytes.Length - (TinyModel.ParameterCount * 4);
            for (long length = dataStart; length < bytes.Length; length += 37)
            {
                byte[] cut = bytes[..(int)length];
                Refuses(() => WeightFile.Load(model, new MemoryStream(cut)), "truncated", $"The file has {length} bytes; it should have {bytes.Length}");
                Refuses(() => WeightFile.Load(model, new TrickleStream(cut)), "truncated", $"The file has {length} bytes; it should have {bytes.Length}");
            }

            // Even a cut inside the header, where the JSON is cut short.
            Refuses(() => WeightFile.Load(model, new MemoryStream(bytes[..100])), "truncated", "only 92 bytes follow it", "file size 100 bytes");
        }

        [Fact]
        public void EveryByteFlippedInTheLengthOrHeaderIsRefusedOrHarmless()
        {
            // Corrupting the header must end in a clear refusal or in a still-valid file: never another exception.
            byte[] bytes = Saved(new TinyModel(seed: 1));
            long headerEnd = bytes.Length - (TinyModel.ParameterCount * 4);
            var model = new TinyModel(seed: 0);
            for (int position = 0; position < headerEnd; position++)
            {
                foreach (byte replacement in new byte[] { 0x00, (byte)'9', (byte)'"', (byte)'[', 0xFF })
                {
                    byte[] corrupt = (byte[])bytes.Clone();
                    corrupt[position] = replacement;
                    try
                    {
                        WeightFile.Load(model, new MemoryStream(corrupt));
                    }
                    catch (WeightFileException)
                    {
                    }
                }
            }
        }

        // ---- Atomic saves ----

        [Fact]
        public void SavingOverAFileReplacesItAndLeavesNoTemporaryFile()
        {
            using var directory = new TemporaryDirectory();
            string path = directory.File("model.safetensors");
            WeightFile.Save(new TinyModel(seed: 1), path);
            var newer = new TinyModel(seed: 2);
            WeightFile.Save(newer, path);
            Assert.Equal(new[] { "model.safetensors" }, directory.Entries());
            var loaded = new TinyModel(seed: 0);
            WeightFile.Load(loaded, path);
            SameWeights(newer, loaded);
        }

        [Fact]
        public void AFailureWhileSavingLeavesTheOldFileIntact()
        {
            using var directory = new TemporaryDirectory();
            string path = directory.File("model.safetensors");
            WeightFile.Save(new TinyModel(seed: 1), path);
            byte[] old = File.ReadAllBytes(path);

            // The third tensor cannot be read: the header and two tensors are already written.
            var failing = new FaultyModel(new TinyModel(seed: 2), failGet: "lstm.bias_ih_l0");
            Assert.Throws<InvalidOperationException>(() => WeightFile.Save(failing, path));
            Assert.Equal(old, File.ReadAllBytes(path));
            Assert.Equal(new[] { "model.safetensors" }, directory.Entries());

            // A new file is not created either.
            string fresh = directory.File("fresh.safetensors");
            Assert.Throws<InvalidOperationException>(() => WeightFile.Save(failing, fresh));
            Assert.Equal(new[] { "model.safetensors" }, directory.Entries());
        }

        [Fact]
        public void AStreamThatFailsMidwayPassesTheErrorOn()
        {
            var model = new TinyModel(seed: 1);
            int total = Saved(model).Length;
            foreach (int limit in new[] { 0, 8, 100, total - 1 })
            {
                Assert.Throws<IOException>(() => WeightFile.Save(model, new FailingStream(limit)));
            }

            WeightFile.Save(model, new FailingStream(total));
        }

        [Fact]
        public void SavingIntoAMissingDirectoryFailsWithoutCreatingAnything()
        {
            using var directory = new TemporaryDirectory();
            Assert.Throws<DirectoryNotFoundException>(() => WeightFile.Save(new TinyModel(seed: 1), directory.File(Path.Combine("missing", "model.safetensors"))));
            Assert.Empty(directory.Entries());
        }
    }
}
