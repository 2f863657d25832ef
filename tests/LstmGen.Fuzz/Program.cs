using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using LstmGen.Serialization;
using LstmGen.Training;
using SharpFuzz;

namespace LstmGen.Fuzz
{
    /// <summary>
    /// <c>LstmGen.Fuzz</c>: the AFL++ target (no arguments: run by <c>afl-fuzz</c> on an instrumented
    /// LstmGen.dll), <c>--seed DIR</c> writes the seed corpus, <c>--replay FILE...</c> runs inputs once.
    /// </summary>
    public static class Program
    {
        public static int Main(string[] args)
        {
            if (args.Length == 2 && args[0] == "--seed")
            {
                WriteSeeds(args[1]);
                return 0;
            }

            if (args.Length >= 1 && args[0] == "--replay")
            {
                foreach (string path in args.Skip(1))
                {
                    SafeTensorsTarget.Run(File.ReadAllBytes(path));
                }

                return 0;
            }

            Fuzzer.OutOfProcess.Run(stream =>
            {
                using var buffer = new MemoryStream();
                stream.CopyTo(buffer);
                SafeTensorsTarget.Run(buffer.ToArray());
            });
            return 0;
        }

        /// <summary>Small valid and broken files: each dtype, a checkpoint, truncations, bad headers.</summary>
        private static void WriteSeeds(string directory)
        {
            Directory.CreateDirectory(directory);
            var model = new FuzzModel(seed: 1);
            byte[] weights = Bytes(stream => WeightFile.Save(model, stream));
            Write(directory, "weights-f32", weights);

            var optimizer = new Adam(0.01f);
            float[] gradients = Enumerable.Range(0, FuzzModel.ParameterCount).Select(i => (i % 7) * 0.01f).ToArray();
            optimizer.Step(model.Parameters, gradients);
            Write(directory, "checkpoint-adam", Bytes(stream => WeightFile.SaveCheckpoint(model, optimizer.GetState(), stream)));
            Write(directory, "checkpoint-sgd", Bytes(stream => WeightFile.SaveCheckpoint(model, new Sgd(0.1f).GetState(), stream)));

            // The same tensors in each floating-point dtype, renamed as PyTorch's 'rnn' module for one of them.
            SafeTensorsFile file = SafeTensorsFile.Read(new MemoryStream(weights));
            foreach (SafeTensorsDType dtype in new[] { SafeTensorsDType.F16, SafeTensorsDType.BF16, SafeTensorsDType.F64 })
            {
                Write(directory, "weights-" + dtype.GetName().ToLowerInvariant(), Bytes(stream => SafeTensorsFile.Write(stream, Convert(file, dtype, string.Empty))));
            }

            Write(directory, "weights-rnn-prefix", Bytes(stream => SafeTensorsFile.Write(stream, Convert(file, SafeTensorsDType.F32, "rnn."))));

            // Non-finite weights, an integer tensor, an empty tensor, metadata.
            float[] poisoned = new float[FuzzModel.InputSize * 4 * FuzzModel.HiddenSize];
            poisoned[1] = float.NaN;
            poisoned[2] = float.PositiveInfinity;
            Write(directory, "nan-weights", Bytes(stream => SafeTensorsFile.Write(
                stream,
                file.Entries.Select(e => e.Name == "lstm.weight_ih_l0" ? SafeTensorsTensor.FromSingles(e.Name, e.Shape, poisoned) : new SafeTensorsTensor(e.Name, e.DType, e.Shape, file.GetData(e))))));
            Write(directory, "int-and-empty", Bytes(stream => SafeTensorsFile.Write(
                stream,
                new[]
                {
                    new SafeTensorsTensor("steps", SafeTensorsDType.I64, new long[] { 1 }, new byte[8]),
                    new SafeTensorsTensor("empty", SafeTensorsDType.F32, new long[] { 0, 3 }, Array.Empty<byte>()),
                    new SafeTensorsTensor("flags", SafeTensorsDType.Bool, new long[] { 2 }, new byte[] { 0, 1 }),
                },
                new[] { KeyValuePair.Create("format", "pt") })));

            // Broken files.
            Write(directory, "truncated", weights.AsSpan(0, weights.Length / 2).ToArray());
            Write(directory, "empty", Array.Empty<byte>());
            Write(directory, "length-only", new byte[8]);
            Write(directory, "header-unterminated", Raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}", 4));
            Write(directory, "header-overlap", Raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[2,6]}}", 6));
            Write(directory, "header-huge-length", BitConverter.GetBytes(ulong.MaxValue).Concat(new byte[] { (byte)'{', (byte)'}' }).ToArray());
            Write(directory, "header-metadata", Raw("{\"__metadata__\":{\"lstmgen.optimizer.kind\":\"Adam\",\"lstmgen.optimizer.learning_rate\":\"1e39\"}}", 0));
        }

        private static IEnumerable<SafeTensorsTensor> Convert(SafeTensorsFile file, SafeTensorsDType dtype, string prefix)
        {
            foreach (SafeTensorsEntry entry in file.Entries)
            {
                float[] values = new float[entry.ElementCount];
                file.ReadSingles(entry, values);
                int size = dtype.GetBitSize() / 8;
                byte[] data = new byte[values.Length * size];
                for (int i = 0; i < values.Length; i++)
                {
                    Span<byte> slot = data.AsSpan(i * size, size);
                    switch (dtype)
                    {
                        case SafeTensorsDType.F16:
                            BitConverter.TryWriteBytes(slot, BitConverter.HalfToUInt16Bits((Half)values[i]));
                            break;
                        case SafeTensorsDType.BF16:
                            BitConverter.TryWriteBytes(slot, (ushort)(BitConverter.SingleToUInt32Bits(values[i]) >> 16));
                            break;
                        case SafeTensorsDType.F64:
                            BitConverter.TryWriteBytes(slot, (double)values[i]);
                            break;
                        default:
                            BitConverter.TryWriteBytes(slot, values[i]);
                            break;
                    }
                }

                string name = entry.Name.StartsWith("lstm.", StringComparison.Ordinal) ? prefix + entry.Name.Substring(5) : entry.Name;
                yield return new SafeTensorsTensor(prefix.Length == 0 ? entry.Name : name, dtype, entry.Shape, data);
            }
        }

        private static byte[] Raw(string header, int dataBytes) =>
            BitConverter.GetBytes((ulong)header.Length).Concat(System.Text.Encoding.UTF8.GetBytes(header)).Concat(new byte[dataBytes]).ToArray();

        private static byte[] Bytes(Action<Stream> write)
        {
            var stream = new MemoryStream();
            write(stream);
            return stream.ToArray();
        }

        private static void Write(string directory, string name, byte[] bytes) =>
            File.WriteAllBytes(Path.Combine(directory, name + ".safetensors"), bytes);
    }
}
