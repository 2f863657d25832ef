using System;
using System.IO;
using LstmGen.Serialization;
using LstmGen.Tests.Serialization;
using LstmGen.Training;

namespace LstmGen.Fuzz
{
    /// <summary>A small model for the fuzz target to load files into.</summary>
    [Lstm(InputSize = 2, HiddenSize = 3, OutputSize = 1)]
    public partial class FuzzModel
    {
    }

    /// <summary>
    /// What the fuzzer (and the test that replays its corpus) runs on every input: the safetensors reader
    /// and every loader, from a seekable stream and from one that cannot seek. Each either succeeds or
    /// throws <see cref="WeightFileException"/>; any other exception escapes and is a finding.
    /// </summary>
    public static class SafeTensorsTarget
    {
        /// <summary>Runs every reader on <paramref name="data"/>.</summary>
        public static void Run(byte[] data)
        {
            Expect(() =>
            {
                SafeTensorsFile file = SafeTensorsFile.Read(new MemoryStream(data, writable: false));
                foreach (SafeTensorsEntry entry in file.Entries)
                {
                    _ = file.GetData(entry);
                    if (SafeTensorsFile.ConvertsToSingle(entry.DType))
                    {
                        file.ReadSingles(entry, new float[entry.ElementCount]);
                    }
                }
            });

            var model = new FuzzModel();
            Expect(() => WeightFile.Load(model, new MemoryStream(data, writable: false)));
            Expect(() => WeightFile.Load(model, new TrickleStream(data), new WeightLoadOptions { IgnoreUnexpected = true, AllowNonFinite = true }.MapPrefix("rnn.", "lstm.")));
            Expect(() => WeightFile.LoadCheckpoint(model, new MemoryStream(data, writable: false)));
            Expect(() => WeightFile.LoadCheckpoint(model, new Adam(), new TrickleStream(data), new WeightLoadOptions { AllowNonFinite = true }));
        }

        private static void Expect(Action read)
        {
            try
            {
                read();
            }
            catch (WeightFileException)
            {
                // A refusal with a message: what the reader must do with a bad file.
            }
        }
    }
}
