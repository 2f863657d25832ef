using System;
using System.Collections.Generic;

namespace LstmGen.Serialization
{
    /// <summary>
    /// How <see cref="WeightFile.Load(ILstmModel, string, WeightLoadOptions?)"/> matches a file's
    /// tensors to the model's: prefix renames for modules PyTorch named differently (for example an
    /// <c>nn.LSTM</c> called <c>rnn</c> and an <c>nn.Linear</c> called <c>fc</c>), and whether tensors
    /// the model does not have are an error.
    /// </summary>
    /// <example>
    /// <code>
    /// var options = new WeightLoadOptions().MapPrefix("rnn.", "lstm.").MapPrefix("fc.", "head.");
    /// WeightFile.Load(model, "model.safetensors", options);
    /// </code>
    /// </example>
    public sealed class WeightLoadOptions
    {
        private readonly List<KeyValuePair<string, string>> _prefixes = new();

        /// <summary>The prefix renames, file prefix to model prefix, in the order they are tried.</summary>
        public IReadOnlyList<KeyValuePair<string, string>> PrefixMappings => _prefixes;

        /// <summary>
        /// Whether tensors of the file that match none of the model's are skipped (<see langword="true"/>)
        /// or refused (<see langword="false"/>, the default).
        /// </summary>
        public bool IgnoreUnexpected { get; set; }

        /// <summary>
        /// Whether weights (and a checkpoint's optimizer buffers) that are NaN or infinite are loaded
        /// (<see langword="true"/>) or refused with a <see cref="WeightFileException"/> that names the tensor
        /// and the element (<see langword="false"/>, the default). The rule is the same for every dtype: F32,
        /// F16, BF16 and F64. A finite F64 value beyond float's range is refused either way, since it would
        /// not load as itself.
        /// </summary>
        public bool AllowNonFinite { get; set; }

        /// <summary>
        /// Renames the file's tensors that start with <paramref name="filePrefix"/> to start with
        /// <paramref name="modelPrefix"/> instead. A name takes the first mapping whose prefix it
        /// starts with; names that match none keep their name.
        /// </summary>
        /// <returns>These options, to chain calls.</returns>
        public WeightLoadOptions MapPrefix(string filePrefix, string modelPrefix)
        {
            ArgumentNullException.ThrowIfNull(filePrefix);
            ArgumentNullException.ThrowIfNull(modelPrefix);
            _prefixes.Add(new KeyValuePair<string, string>(filePrefix, modelPrefix));
            return this;
        }

        /// <summary>The model's name for a tensor the file calls <paramref name="fileName"/>.</summary>
        public string MapName(string fileName)
        {
            ArgumentNullException.ThrowIfNull(fileName);
            foreach (KeyValuePair<string, string> mapping in _prefixes)
            {
                if (fileName.StartsWith(mapping.Key, StringComparison.Ordinal))
                {
                    return string.Concat(mapping.Value, fileName.AsSpan(mapping.Key.Length));
                }
            }

            return fileName;
        }
    }
}
