using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using LstmGen.Training;

namespace LstmGen.Serialization
{
    /// <summary>
    /// Saves and loads a model's weights as safetensors files that PyTorch reads and writes
    /// (<c>safetensors.torch.save_file(module.state_dict())</c>, <c>load_file</c>): one F32 tensor
    /// per state_dict entry, under PyTorch's names and shapes. Checkpoints add the optimizer's state.
    /// </summary>
    /// <remarks>
    /// <para>
    /// <b>Saving</b> writes the tensors in state_dict order and a <c>__metadata__</c> map with
    /// <c>format</c> = <c>pt</c> and the model's shape (<c>lstmgen.input_size</c>,
    /// <c>lstmgen.hidden_size</c>, <c>lstmgen.layers</c>, <c>lstmgen.output_size</c>,
    /// <c>lstmgen.head</c>, <c>lstmgen.output_activation</c>, <c>lstmgen.loss</c>,
    /// <c>lstmgen.parameter_count</c>). Saving to a path writes a temporary file beside it, flushes
    /// it to disk and renames it over the target, so a crash leaves either the old file or the new one.
    /// </para>
    /// <para>
    /// <b>Loading</b> accepts F32, F16, BF16 and F64 tensors, in any order, and is all-or-nothing: the
    /// whole file is validated and converted first, and the model changes only if everything fits.
    /// A missing or unexpected tensor, a wrong shape, an unsupported dtype or a damaged file throws a
    /// <see cref="WeightFileException"/> that names the tensor, the shapes, the offsets and the file's size.
    /// </para>
    /// <para>
    /// <b>Checkpoints</b> hold the weights plus each optimizer buffer as an F32 tensor
    /// <c>optimizer.{name}</c> of shape [ParameterCount], with the optimizer's kind, learning rate
    /// (round-trip formatted) and step count in the metadata. <see cref="Load(ILstmModel, Stream, WeightLoadOptions?)"/>
    /// reads the weights of a checkpoint and skips its optimizer tensors.
    /// </para>
    /// </remarks>
    public static class WeightFile
    {
        /// <summary>The name prefix of a checkpoint's optimizer buffers, for example <c>optimizer.exp_avg</c>.</summary>
        public const string OptimizerPrefix = "optimizer.";

        private const string FormatKey = "format";
        private const string InputSizeKey = "lstmgen.input_size";
        private const string HiddenSizeKey = "lstmgen.hidden_size";
        private const string LayersKey = "lstmgen.layers";
        private const string OutputSizeKey = "lstmgen.output_size";
        private const string HeadKey = "lstmgen.head";
        private const string OutputActivationKey = "lstmgen.output_activation";
        private const string LossKey = "lstmgen.loss";
        private const string ParameterCountKey = "lstmgen.parameter_count";
        private const string OptimizerKindKey = "lstmgen.optimizer.kind";
        private const string LearningRateKey = "lstmgen.optimizer.learning_rate";
        private const string StepCountKey = "lstmgen.optimizer.step";
        private const string BuffersKey = "lstmgen.optimizer.buffers";

        private static readonly WeightLoadOptions s_defaultOptions = new();

        /// <summary>Saves the model's weights to a file, atomically: the file is either the old one or the complete new one.</summary>
        /// <exception cref="IOException">The file cannot be written; an existing file is left as it was.</exception>
        public static void Save(ILstmModel model, string path)
        {
            ArgumentNullException.ThrowIfNull(model);
            SaveAtomically(path, stream => Write(model, null, stream));
        }

        /// <summary>Writes the model's weights to a stream at its current position; the stream is left open.</summary>
        public static void Save(ILstmModel model, Stream stream)
        {
            ArgumentNullException.ThrowIfNull(model);
            ArgumentNullException.ThrowIfNull(stream);
            Write(model, null, stream);
        }

        /// <summary>Loads weights from a safetensors file into the model; on any error the model is unchanged.</summary>
        /// <exception cref="WeightFileException">The file is damaged or does not fit the model; the message starts with the path.</exception>
        /// <exception cref="IOException">The file cannot be read.</exception>
        public static void Load(ILstmModel model, string path, WeightLoadOptions? options = null)
        {
            ArgumentNullException.ThrowIfNull(model);
            ReadFile(path, stream =>
            {
                Load(model, stream, options);
                return 0;
            });
        }

        /// <summary>
        /// Loads weights from a safetensors file read from the stream's current position to its end
        /// (it need not be seekable); on any error the model is unchanged. The stream is left open.
        /// </summary>
        /// <exception cref="WeightFileException">The file is damaged or does not fit the model.</exception>
        public static void Load(ILstmModel model, Stream stream, WeightLoadOptions? options = null)
        {
            ArgumentNullException.ThrowIfNull(model);
            ArgumentNullException.ThrowIfNull(stream);
            options ??= s_defaultOptions;
            SafeTensorsFile file = SafeTensorsFile.Read(stream);
            float[][] weights = StageWeights(model, file, options);
            Apply(model, weights);
        }

        /// <summary>Saves the model's weights and an optimizer's state to a file, atomically.</summary>
        /// <exception cref="ArgumentException">A buffer's length is not the model's <see cref="ILstmModel.ParameterCount"/>, or buffer names repeat, are empty or contain a comma.</exception>
        /// <exception cref="IOException">The file cannot be written; an existing file is left as it was.</exception>
        public static void SaveCheckpoint(ILstmModel model, OptimizerState optimizer, string path)
        {
            ArgumentNullException.ThrowIfNull(model);
            ArgumentNullException.ThrowIfNull(optimizer);
            CheckOptimizer(model, optimizer);
            SaveAtomically(path, stream => Write(model, optimizer, stream));
        }

        /// <summary>Writes the model's weights and an optimizer's state to a stream; the stream is left open.</summary>
        /// <exception cref="ArgumentException">A buffer's length is not the model's <see cref="ILstmModel.ParameterCount"/>, or buffer names repeat, are empty or contain a comma.</exception>
        public static void SaveCheckpoint(ILstmModel model, OptimizerState optimizer, Stream stream)
        {
            ArgumentNullException.ThrowIfNull(model);
            ArgumentNullException.ThrowIfNull(optimizer);
            ArgumentNullException.ThrowIfNull(stream);
            CheckOptimizer(model, optimizer);
            Write(model, optimizer, stream);
        }

        /// <summary>
        /// Loads a checkpoint: sets the model's weights and returns the optimizer's state, to pass to
        /// <see cref="IOptimizer.SetState"/>. On any error the model is unchanged.
        /// </summary>
        /// <exception cref="WeightFileException">The file is damaged, is not a checkpoint, or does not fit the model; the message starts with the path.</exception>
        /// <exception cref="IOException">The file cannot be read.</exception>
        public static OptimizerState LoadCheckpoint(ILstmModel model, string path)
        {
            ArgumentNullException.ThrowIfNull(model);
            return ReadFile(path, stream => LoadCheckpoint(model, stream));
        }

        /// <summary>
        /// Loads a checkpoint from a stream: sets the model's weights and returns the optimizer's
        /// state. On any error the model is unchanged. The stream is left open.
        /// </summary>
        /// <exception cref="WeightFileException">The file is damaged, is not a checkpoint, or does not fit the model.</exception>
        public static OptimizerState LoadCheckpoint(ILstmModel model, Stream stream)
        {
            ArgumentNullException.ThrowIfNull(model);
            ArgumentNullException.ThrowIfNull(stream);
            SafeTensorsFile file = SafeTensorsFile.Read(stream);
            if (!file.Metadata.TryGetValue(OptimizerKindKey, out string? kind))
            {
                string keys = file.Metadata.Count == 0 ? "no metadata" : "metadata " + string.Join(", ", file.Metadata.Keys);
                throw new WeightFileException(
                    $"The file ({file.FileLength} bytes) is not an LstmGen checkpoint: it has {keys}, without '{OptimizerKindKey}'. Use WeightFile.Load for a plain weight file.");
            }

            string learningRateText = RequireMetadata(file, LearningRateKey);
            if (!float.TryParse(learningRateText, NumberStyles.Float, CultureInfo.InvariantCulture, out float learningRate))
            {
                throw new WeightFileException($"The checkpoint's '{LearningRateKey}' is '{learningRateText}', which is not a number.");
            }

            string stepText = RequireMetadata(file, StepCountKey);
            if (!long.TryParse(stepText, NumberStyles.None, CultureInfo.InvariantCulture, out long stepCount))
            {
                throw new WeightFileException($"The checkpoint's '{StepCountKey}' is '{stepText}', which is not a non-negative integer.");
            }

            string bufferList = RequireMetadata(file, BuffersKey);
            string[] bufferNames = bufferList.Length == 0 ? Array.Empty<string>() : bufferList.Split(',');
            float[][] weights = StageWeights(model, file, s_defaultOptions);

            var buffers = new List<KeyValuePair<string, float[]>>(bufferNames.Length);
            var listed = new HashSet<string>(StringComparer.Ordinal);
            foreach (string bufferName in bufferNames)
            {
                string tensorName = OptimizerPrefix + bufferName;
                if (!listed.Add(tensorName))
                {
                    throw new WeightFileException($"The checkpoint's '{BuffersKey}' ('{bufferList}') lists '{bufferName}' twice.", tensorName);
                }

                if (!file.TryGetEntry(tensorName, out SafeTensorsEntry? entry))
                {
                    throw new WeightFileException(
                        $"The checkpoint has no tensor '{tensorName}' [{model.ParameterCount}], which its '{BuffersKey}' ('{bufferList}') lists. The file ({file.FileLength} bytes) has: {ListEntries(file.Entries)}.",
                        tensorName);
                }

                int[] shape = { model.ParameterCount };
                CheckEntry(model, file, entry, tensorName, shape, "the optimizer's buffers");
                float[] values = new float[model.ParameterCount];
                file.ReadSingles(entry, values);
                buffers.Add(new KeyValuePair<string, float[]>(bufferName, values));
            }

            SafeTensorsEntry[] strays = file.Entries
                .Where(entry => entry.Name.StartsWith(OptimizerPrefix, StringComparison.Ordinal) && !listed.Contains(entry.Name))
                .ToArray();
            if (strays.Length > 0)
            {
                throw new WeightFileException(
                    $"The checkpoint has optimizer tensors its '{BuffersKey}' ('{bufferList}') does not list: {ListEntries(strays)}; file size {file.FileLength} bytes.",
                    strays[0].Name);
            }

            Apply(model, weights);
            return new OptimizerState(kind, learningRate, stepCount, buffers);
        }

        // ---- Writing ----

        private static void Write(ILstmModel model, OptimizerState? optimizer, Stream stream)
        {
            IReadOnlyList<TensorInfo> tensors = model.Tensors;
            var entries = new List<SafeTensorsEntry>(tensors.Count);
            long offset = 0;
            int largest = 0;
            foreach (TensorInfo tensor in tensors)
            {
                SafeTensorsEntry entry = SafeTensorsFile.CreateEntry(tensor.Name, SafeTensorsDType.F32, tensor.Shape, offset);
                entries.Add(entry);
                offset = entry.End;
                largest = Math.Max(largest, tensor.Length);
            }

            var metadata = new List<KeyValuePair<string, string>>
            {
                new(FormatKey, "pt"),
                new(InputSizeKey, Format(model.InputSize)),
                new(HiddenSizeKey, Format(model.HiddenSize)),
                new(LayersKey, Format(model.Layers)),
                new(OutputSizeKey, Format(model.OutputSize)),
                new(HeadKey, model.HasHead ? "true" : "false"),
                new(OutputActivationKey, model.OutputActivation.ToString()),
                new(LossKey, model.Loss.ToString()),
                new(ParameterCountKey, Format(model.ParameterCount)),
            };

            if (optimizer is not null)
            {
                int[] bufferShape = { model.ParameterCount };
                foreach (KeyValuePair<string, float[]> buffer in optimizer.Buffers)
                {
                    SafeTensorsEntry entry = SafeTensorsFile.CreateEntry(OptimizerPrefix + buffer.Key, SafeTensorsDType.F32, bufferShape, offset);
                    entries.Add(entry);
                    offset = entry.End;
                    largest = Math.Max(largest, buffer.Value.Length);
                }

                metadata.Add(new(OptimizerKindKey, optimizer.Kind));
                metadata.Add(new(LearningRateKey, optimizer.LearningRate.ToString("R", CultureInfo.InvariantCulture)));
                metadata.Add(new(StepCountKey, optimizer.StepCount.ToString(CultureInfo.InvariantCulture)));
                metadata.Add(new(BuffersKey, string.Join(",", optimizer.Buffers.Select(buffer => buffer.Key))));
            }

            SafeTensorsFile.WriteHeader(stream, entries, metadata);

            // Each tensor is read from the model only when its turn comes, straight into the stream.
            float[] values = new float[largest];
            byte[] bytes = new byte[largest * sizeof(float)];
            foreach (TensorInfo tensor in tensors)
            {
                Span<float> tensorValues = values.AsSpan(0, tensor.Length);
                model.GetTensor(tensor.Name, tensorValues);
                WriteSingles(stream, tensorValues, bytes);
            }

            if (optimizer is not null)
            {
                foreach (KeyValuePair<string, float[]> buffer in optimizer.Buffers)
                {
                    WriteSingles(stream, buffer.Value, bytes);
                }
            }
        }

        private static void WriteSingles(Stream stream, ReadOnlySpan<float> values, byte[] bytes)
        {
            Span<byte> encoded = bytes.AsSpan(0, values.Length * sizeof(float));
            SafeTensorsTensor.EncodeSingles(values, encoded);
            stream.Write(encoded);
        }

        private static void CheckOptimizer(ILstmModel model, OptimizerState optimizer)
        {
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (KeyValuePair<string, float[]> buffer in optimizer.Buffers)
            {
                if (string.IsNullOrEmpty(buffer.Key) || buffer.Key.Contains(',', StringComparison.Ordinal))
                {
                    throw new ArgumentException($"Optimizer buffer names must be non-empty and without commas, but one is '{buffer.Key}'.", nameof(optimizer));
                }

                if (!names.Add(buffer.Key))
                {
                    throw new ArgumentException($"The optimizer state has two buffers named '{buffer.Key}'.", nameof(optimizer));
                }

                if (buffer.Value is null || buffer.Value.Length != model.ParameterCount)
                {
                    throw new ArgumentException(
                        $"Optimizer buffer '{buffer.Key}' has {buffer.Value?.Length ?? 0} floats, but the model has {model.ParameterCount} parameters.",
                        nameof(optimizer));
                }
            }
        }

        private static void SaveAtomically(string path, Action<Stream> write)
        {
            ArgumentException.ThrowIfNullOrEmpty(path);
            string fullPath = Path.GetFullPath(path);
            string directory = Path.GetDirectoryName(fullPath) ?? throw new ArgumentException($"'{path}' has no directory.", nameof(path));
            string temporary = Path.Combine(directory, $".{Path.GetFileName(fullPath)}.{Guid.NewGuid():N}.tmp");
            try
            {
                using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 64 * 1024))
                {
                    write(stream);
                    stream.Flush(flushToDisk: true);
                }

                File.Move(temporary, fullPath, overwrite: true);
            }
            catch
            {
                try
                {
                    File.Delete(temporary);
                }
                catch (IOException)
                {
                    // The original exception matters more than a temporary file left behind.
                }
                catch (UnauthorizedAccessException)
                {
                    // As above.
                }

                throw;
            }
        }

        // ---- Loading ----

        private static T ReadFile<T>(string path, Func<Stream, T> read)
        {
            ArgumentException.ThrowIfNullOrEmpty(path);
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 64 * 1024, FileOptions.SequentialScan);
            try
            {
                return read(stream);
            }
            catch (WeightFileException exception)
            {
                throw new WeightFileException($"{path}: {exception.Message}", exception.TensorName, exception);
            }
        }

        /// <summary>
        /// Matches the file's tensors to the model's, checks every dtype and shape, and converts every
        /// tensor to floats in PyTorch's layout, one array per model tensor; the model is not touched.
        /// </summary>
        private static float[][] StageWeights(ILstmModel model, SafeTensorsFile file, WeightLoadOptions options)
        {
            IReadOnlyList<TensorInfo> tensors = model.Tensors;
            var indices = new Dictionary<string, int>(tensors.Count, StringComparer.Ordinal);
            for (int i = 0; i < tensors.Count; i++)
            {
                indices.Add(tensors[i].Name, i);
            }

            // A checkpoint's optimizer buffers are not weights.
            bool checkpoint = file.Metadata.ContainsKey(OptimizerKindKey);
            var matches = new SafeTensorsEntry?[tensors.Count];
            var unexpected = new List<SafeTensorsEntry>();
            foreach (SafeTensorsEntry entry in file.Entries)
            {
                if (checkpoint && entry.Name.StartsWith(OptimizerPrefix, StringComparison.Ordinal))
                {
                    continue;
                }

                string name = options.MapName(entry.Name);
                if (!indices.TryGetValue(name, out int index))
                {
                    unexpected.Add(entry);
                    continue;
                }

                if (matches[index] is SafeTensorsEntry other)
                {
                    throw new WeightFileException(
                        $"The weight file's tensors '{other.Name}' (data offsets [{other.Begin}, {other.End}]) and '{entry.Name}' (data offsets [{entry.Begin}, {entry.End}]) both map to the model's '{name}'; file size {file.FileLength} bytes.",
                        entry.Name);
                }

                matches[index] = entry;
            }

            List<TensorInfo> missing = tensors.Where((_, i) => matches[i] is null).ToList();
            if (missing.Count > 0)
            {
                string names = string.Join(", ", missing.Select(tensor => $"'{tensor.Name}' {tensor.ShapeText}"));
                string hint = unexpected.Count > 0 && options.PrefixMappings.Count == 0
                    ? " If the module is named differently, rename its tensors with WeightLoadOptions.MapPrefix, for example MapPrefix(\"rnn.\", \"lstm.\")."
                    : string.Empty;
                throw new WeightFileException(
                    $"The weight file has no tensor for the model's {names} ({ModelShape(model)}). The file ({file.FileLength} bytes) has: {ListEntries(file.Entries, options)}.{hint}{SavedShape(file, model)}",
                    missing[0].Name);
            }

            if (unexpected.Count > 0 && !options.IgnoreUnexpected)
            {
                throw new WeightFileException(
                    $"The weight file has tensors the model does not: {ListEntries(unexpected, options)}; file size {file.FileLength} bytes. The model's tensors are {string.Join(", ", tensors)} ({ModelShape(model)}). Set WeightLoadOptions.IgnoreUnexpected to skip them.{SavedShape(file, model)}",
                    unexpected[0].Name);
            }

            float[][] staged = new float[tensors.Count][];
            for (int i = 0; i < tensors.Count; i++)
            {
                TensorInfo tensor = tensors[i];
                SafeTensorsEntry entry = matches[i]!;
                CheckEntry(model, file, entry, tensor.Name, tensor.Shape, "the model's tensors");
                staged[i] = new float[tensor.Length];
                file.ReadSingles(entry, staged[i]);
            }

            return staged;
        }

        private static void CheckEntry(ILstmModel model, SafeTensorsFile file, SafeTensorsEntry entry, string modelName, IReadOnlyList<int> shape, string what)
        {
            string name = entry.Name == modelName ? $"'{entry.Name}'" : $"'{entry.Name}' (the model's '{modelName}')";
            string place = $"data offsets [{entry.Begin}, {entry.End}], file size {file.FileLength} bytes";
            if (!SafeTensorsFile.ConvertsToSingle(entry.DType))
            {
                throw new WeightFileException(
                    $"Tensor {name} has dtype {entry.DType.GetName()} in the weight file, but LstmGen loads only F32, F16, BF16 or F64 into {what}; in the file: shape {entry.ShapeText}, {place}.",
                    entry.Name);
            }

            if (!entry.HasShape(shape))
            {
                throw new WeightFileException(
                    $"Tensor {name} has shape {entry.ShapeText} in the weight file, but the model expects {SafeTensorsEntry.FormatShape(shape)} ({ModelShape(model)}); in the file: {entry.DType.GetName()}, {place}.{SavedShape(file, model)}",
                    entry.Name);
            }
        }

        private static void Apply(ILstmModel model, float[][] staged)
        {
            IReadOnlyList<TensorInfo> tensors = model.Tensors;
            float[] backup = model.Parameters.ToArray();
            try
            {
                for (int i = 0; i < tensors.Count; i++)
                {
                    model.SetTensor(tensors[i].Name, staged[i]);
                }
            }
            catch
            {
                // Only a faulty model throws here; even then the load is all-or-nothing.
                backup.CopyTo(model.Parameters);
                throw;
            }
        }

        private static string RequireMetadata(SafeTensorsFile file, string key) =>
            file.Metadata.TryGetValue(key, out string? value)
                ? value
                : throw new WeightFileException($"The checkpoint's metadata has no '{key}' (it has {string.Join(", ", file.Metadata.Keys)}).");

        private static string ListEntries(IEnumerable<SafeTensorsEntry> entries, WeightLoadOptions? options = null)
        {
            IEnumerable<string> items = entries.Select(entry =>
            {
                string mapped = options?.MapName(entry.Name) ?? entry.Name;
                string rename = mapped == entry.Name ? string.Empty : $" (as '{mapped}')";
                return $"'{entry.Name}'{rename} {entry.DType.GetName()} {entry.ShapeText} at data offsets [{entry.Begin}, {entry.End}]";
            });
            string list = string.Join(", ", items);
            return list.Length == 0 ? "no tensors" : list;
        }

        private static string ModelShape(ILstmModel model) =>
            $"InputSize = {model.InputSize}, HiddenSize = {model.HiddenSize}, Layers = {model.Layers}, OutputSize = {model.OutputSize}";

        /// <summary>The shape of the model an LstmGen file was saved from, when it differs from this model's.</summary>
        private static string SavedShape(SafeTensorsFile file, ILstmModel model)
        {
            IReadOnlyDictionary<string, string> metadata = file.Metadata;
            if (metadata.TryGetValue(InputSizeKey, out string? input) && metadata.TryGetValue(HiddenSizeKey, out string? hidden)
                && metadata.TryGetValue(LayersKey, out string? layers) && metadata.TryGetValue(OutputSizeKey, out string? output)
                && (input != Format(model.InputSize) || hidden != Format(model.HiddenSize) || layers != Format(model.Layers) || output != Format(model.OutputSize)))
            {
                return $" The file was saved by LstmGen from a model with InputSize = {input}, HiddenSize = {hidden}, Layers = {layers}, OutputSize = {output}.";
            }

            return string.Empty;
        }

        private static string Format(int value) => value.ToString(CultureInfo.InvariantCulture);
    }
}
