using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using LstmGen.CompilerServices;
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
    /// A symbolic link is followed: the file it names is replaced and the link stays a link. An existing
    /// file keeps its Unix permissions (not its owner, which becomes the saving user). A target that is not
    /// a regular file (a directory, a device, a named pipe, a socket) is refused with an
    /// <see cref="IOException"/>, and a read-only file with an <see cref="UnauthorizedAccessException"/>,
    /// as <see cref="File.WriteAllBytes(string, byte[])"/> would refuse it; nothing is written then.
    /// Weights that are NaN or infinite are saved as they are (a diverged model can be kept for study);
    /// loading them takes <see cref="WeightLoadOptions.AllowNonFinite"/>. A model whose
    /// <see cref="ISequenceModel.WeightPrecision"/> is <see cref="WeightPrecision.BFloat16"/> saves what it steps with:
    /// every tensor as <c>BF16</c>, its float32 parameters rounded to nearest even (a checkpoint keeps them F32).
    /// </para>
    /// <para>
    /// <b>Loading</b> accepts F32, F16, BF16 and F64 tensors, in any order, and is all-or-nothing: the
    /// whole file is validated and converted first, and the model changes only if everything fits. Only
    /// the header and the tensors loaded are read (a skipped tensor is sought past, or read past and
    /// dropped from a stream that cannot seek), so memory is the model's size, not the file's. NaN and
    /// infinite values are refused, whatever the dtype, unless <see cref="WeightLoadOptions.AllowNonFinite"/>.
    /// A missing or unexpected tensor, a wrong shape, an unsupported dtype or a damaged file throws a
    /// <see cref="WeightFileException"/> that names the tensor, the shapes, the offsets and the file's size.
    /// </para>
    /// <para>
    /// <b>Checkpoints</b> hold the weights plus each optimizer buffer as an F32 tensor
    /// <c>optimizer.{name}</c> of shape [ParameterCount], with the optimizer's kind, learning rate
    /// (round-trip formatted) and step count in the metadata. <see cref="Load(ISequenceModel, Stream, WeightLoadOptions?)"/>
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

        /// <summary>What PyTorch appends to the names of a bidirectional nn.LSTM's reverse direction: <c>weight_ih_l0_reverse</c>.</summary>
        private const string ReverseSuffix = "_reverse";

        private static readonly WeightLoadOptions s_defaultOptions = new();

        /// <summary>Saves the model's weights to a file, atomically: the file is either the old one or the complete new one.</summary>
        /// <remarks>See the remarks of <see cref="WeightFile"/> for links, permissions and what is refused.</remarks>
        /// <exception cref="ArgumentException"><paramref name="path"/> is empty.</exception>
        /// <exception cref="IOException">The file cannot be written, the path is not a regular file (a directory, a device, a pipe), or its symbolic links loop; an existing file is left as it was.</exception>
        /// <exception cref="UnauthorizedAccessException">The file is read-only, or the directory cannot be written; an existing file is left as it was.</exception>
        public static void Save(ISequenceModel model, string path)
        {
            ArgumentNullException.ThrowIfNull(model);
            SaveTarget.Write(path, stream => Write(model, null, stream));
        }

        /// <summary>Writes the model's weights to a stream at its current position; the stream is left open.</summary>
        public static void Save(ISequenceModel model, Stream stream)
        {
            ArgumentNullException.ThrowIfNull(model);
            ArgumentNullException.ThrowIfNull(stream);
            Write(model, null, stream);
        }

        /// <summary>Loads weights from a safetensors file into the model; on any error the model is unchanged.</summary>
        /// <remarks>
        /// Only the header and the tensors the model loads are read: a tensor skipped with
        /// <see cref="WeightLoadOptions.IgnoreUnexpected"/> is never in memory, whatever its size.
        /// </remarks>
        /// <exception cref="WeightFileException">The file is damaged or does not fit the model, or a weight is NaN or infinite (without <see cref="WeightLoadOptions.AllowNonFinite"/>); the message starts with the path.</exception>
        /// <exception cref="IOException">The file cannot be read.</exception>
        /// <exception cref="UnauthorizedAccessException">The file cannot be opened for reading.</exception>
        public static void Load(ISequenceModel model, string path, WeightLoadOptions? options = null)
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
        /// <remarks>
        /// A seekable stream is read at the header and at the tensors the model loads; one that cannot seek
        /// is read to its end, but what is skipped is never kept.
        /// </remarks>
        /// <exception cref="WeightFileException">The file is damaged or does not fit the model, or a weight is NaN or infinite (without <see cref="WeightLoadOptions.AllowNonFinite"/>).</exception>
        public static void Load(ISequenceModel model, Stream stream, WeightLoadOptions? options = null)
        {
            ArgumentNullException.ThrowIfNull(model);
            ArgumentNullException.ThrowIfNull(stream);
            options ??= s_defaultOptions;
            var reader = new SafeTensorsStreamReader(stream);
            SafeTensorsEntry[] matches = MatchWeights(model, reader.File, options);
            float[][] weights = new float[matches.Length][];
            var reads = new List<(SafeTensorsEntry, float[])>(matches.Length);
            for (int i = 0; i < matches.Length; i++)
            {
                weights[i] = new float[model.Tensors[i].Length];
                reads.Add((matches[i], weights[i]));
            }

            ReadInDataOrder(reader, reads, options.AllowNonFinite);
            Apply(model, weights);
        }

        /// <summary>Saves the model's weights and an optimizer's state to a file, atomically.</summary>
        /// <exception cref="ArgumentException">The learning rate is NaN, infinite or below 0, a buffer's length is not the model's <see cref="ISequenceModel.ParameterCount"/>, or buffer names repeat, are empty or contain a comma.</exception>
        /// <exception cref="IOException">The file cannot be written, the path is not a regular file, or its symbolic links loop; an existing file is left as it was.</exception>
        /// <exception cref="UnauthorizedAccessException">The file is read-only, or the directory cannot be written; an existing file is left as it was.</exception>
        public static void SaveCheckpoint(ISequenceModel model, OptimizerState optimizer, string path)
        {
            ArgumentNullException.ThrowIfNull(model);
            ArgumentNullException.ThrowIfNull(optimizer);
            CheckOptimizer(model, optimizer);
            SaveTarget.Write(path, stream => Write(model, optimizer, stream));
        }

        /// <summary>Writes the model's weights and an optimizer's state to a stream; the stream is left open.</summary>
        /// <exception cref="ArgumentException">The learning rate is NaN, infinite or below 0, a buffer's length is not the model's <see cref="ISequenceModel.ParameterCount"/>, or buffer names repeat, are empty or contain a comma.</exception>
        public static void SaveCheckpoint(ISequenceModel model, OptimizerState optimizer, Stream stream)
        {
            ArgumentNullException.ThrowIfNull(model);
            ArgumentNullException.ThrowIfNull(optimizer);
            ArgumentNullException.ThrowIfNull(stream);
            CheckOptimizer(model, optimizer);
            Write(model, optimizer, stream);
        }

        /// <summary>
        /// Loads a checkpoint: sets the model's weights and returns the optimizer's state, to pass to
        /// <see cref="IOptimizer.SetState"/>. On any error the model is unchanged. Prefer
        /// <see cref="LoadCheckpoint(ISequenceModel, IOptimizer, string, WeightLoadOptions?)"/>, which also checks
        /// that the state fits the optimizer before it changes either.
        /// </summary>
        /// <exception cref="WeightFileException">
        /// The file is damaged, is not a checkpoint, or does not fit the model; its learning rate is not a
        /// finite number of at least 0; or a weight or an optimizer buffer is NaN or infinite (without
        /// <see cref="WeightLoadOptions.AllowNonFinite"/>). The message starts with the path.
        /// </exception>
        /// <exception cref="IOException">The file cannot be read.</exception>
        /// <exception cref="UnauthorizedAccessException">The file cannot be opened for reading.</exception>
        public static OptimizerState LoadCheckpoint(ISequenceModel model, string path, WeightLoadOptions? options = null)
        {
            ArgumentNullException.ThrowIfNull(model);
            return ReadFile(path, stream => LoadCheckpoint(model, stream, options));
        }

        /// <summary>
        /// Loads a checkpoint from a stream: sets the model's weights and returns the optimizer's
        /// state. On any error the model is unchanged. The stream is left open.
        /// </summary>
        /// <exception cref="WeightFileException">As <see cref="LoadCheckpoint(ISequenceModel, string, WeightLoadOptions?)"/>, without the path.</exception>
        public static OptimizerState LoadCheckpoint(ISequenceModel model, Stream stream, WeightLoadOptions? options = null)
        {
            ArgumentNullException.ThrowIfNull(model);
            ArgumentNullException.ThrowIfNull(stream);
            (float[][] weights, OptimizerState state) = StageCheckpoint(model, stream, options ?? s_defaultOptions);
            Apply(model, weights);
            return state;
        }

        /// <summary>
        /// Loads a checkpoint into a model and an optimizer, all or nothing: the whole file is read and
        /// checked, the state is given to <paramref name="optimizer"/>, and only if it accepts it are the
        /// model's weights replaced. On any error both are left as they were.
        /// </summary>
        /// <exception cref="WeightFileException">
        /// As <see cref="LoadCheckpoint(ISequenceModel, string, WeightLoadOptions?)"/>, or the optimizer refuses the
        /// saved state (another kind of optimizer, other buffers; the inner exception is the optimizer's).
        /// </exception>
        /// <exception cref="IOException">The file cannot be read.</exception>
        /// <exception cref="UnauthorizedAccessException">The file cannot be opened for reading.</exception>
        public static void LoadCheckpoint(ISequenceModel model, IOptimizer optimizer, string path, WeightLoadOptions? options = null)
        {
            ArgumentNullException.ThrowIfNull(model);
            ArgumentNullException.ThrowIfNull(optimizer);
            ReadFile(path, stream =>
            {
                LoadCheckpoint(model, optimizer, stream, options);
                return 0;
            });
        }

        /// <summary>
        /// Loads a checkpoint from a stream into a model and an optimizer, all or nothing (see
        /// <see cref="LoadCheckpoint(ISequenceModel, IOptimizer, string, WeightLoadOptions?)"/>). The stream is left open.
        /// </summary>
        /// <exception cref="WeightFileException">As <see cref="LoadCheckpoint(ISequenceModel, IOptimizer, string, WeightLoadOptions?)"/>, without the path.</exception>
        public static void LoadCheckpoint(ISequenceModel model, IOptimizer optimizer, Stream stream, WeightLoadOptions? options = null)
        {
            ArgumentNullException.ThrowIfNull(model);
            ArgumentNullException.ThrowIfNull(optimizer);
            ArgumentNullException.ThrowIfNull(stream);
            (float[][] weights, OptimizerState state) = StageCheckpoint(model, stream, options ?? s_defaultOptions);
            OptimizerState previous = optimizer.GetState();
            try
            {
                optimizer.SetState(state);
            }
            catch (ArgumentException exception)
            {
                // The runtime's optimizers check a state completely before they take it; another may not.
                optimizer.SetState(previous);
                throw new WeightFileException(
                    $"The checkpoint's optimizer state ({MessageText.Name(state.Kind)}, step {state.StepCount}) does not fit the {optimizer.GetType().Name} optimizer: {exception.Message} Neither the model nor the optimizer was changed.",
                    exception);
            }

            try
            {
                Apply(model, weights);
            }
            catch
            {
                optimizer.SetState(previous);
                throw;
            }
        }

        /// <summary>
        /// Reads and checks a whole checkpoint: the weights in PyTorch's layout, one array per model tensor,
        /// and the optimizer's state. Neither the model nor anything else is changed.
        /// </summary>
        private static (float[][] Weights, OptimizerState State) StageCheckpoint(ISequenceModel model, Stream stream, WeightLoadOptions options)
        {
            var reader = new SafeTensorsStreamReader(stream);
            SafeTensorsFile file = reader.File;
            if (!file.Metadata.TryGetValue(OptimizerKindKey, out string? kind))
            {
                string keys = file.Metadata.Count == 0 ? "no metadata" : "metadata " + MessageText.List(file.Metadata.Keys, MessageText.Name);
                throw new WeightFileException(
                    $"The file ({file.FileLength} bytes) is not an LstmGen checkpoint: it has {keys}, without '{OptimizerKindKey}'. Use WeightFile.Load for a plain weight file.");
            }

            string learningRateText = RequireMetadata(file, LearningRateKey);
            if (!float.TryParse(learningRateText, NumberStyles.Float, CultureInfo.InvariantCulture, out float learningRate))
            {
                throw new WeightFileException($"The checkpoint's '{LearningRateKey}' is '{MessageText.Name(learningRateText)}', which is not a number.");
            }

            if (!OptimizerGuard.IsLearningRate(learningRate))
            {
                throw new WeightFileException(
                    $"The checkpoint's '{LearningRateKey}' is '{MessageText.Name(learningRateText)}' ({OptimizerGuard.Format(learningRate)} as a float), but a learning rate must be a finite number of at least 0, as the optimizers' constructors require.");
            }

            string stepText = RequireMetadata(file, StepCountKey);
            if (!long.TryParse(stepText, NumberStyles.None, CultureInfo.InvariantCulture, out long stepCount))
            {
                throw new WeightFileException($"The checkpoint's '{StepCountKey}' is '{MessageText.Name(stepText)}', which is not a non-negative integer.");
            }

            string bufferList = RequireMetadata(file, BuffersKey);
            string shownList = MessageText.Name(bufferList);
            string[] bufferNames = bufferList.Length == 0 ? Array.Empty<string>() : bufferList.Split(',');
            SafeTensorsEntry[] matches = MatchWeights(model, file, options);
            float[][] weights = new float[matches.Length][];
            var reads = new List<(SafeTensorsEntry, float[])>(matches.Length + bufferNames.Length);
            for (int i = 0; i < matches.Length; i++)
            {
                weights[i] = new float[model.Tensors[i].Length];
                reads.Add((matches[i], weights[i]));
            }

            var buffers = new List<KeyValuePair<string, float[]>>(Math.Min(bufferNames.Length, 16));
            var listed = new HashSet<string>(StringComparer.Ordinal);
            foreach (string bufferName in bufferNames)
            {
                string tensorName = OptimizerPrefix + bufferName;
                if (!listed.Add(tensorName))
                {
                    throw new WeightFileException($"The checkpoint's '{BuffersKey}' ('{shownList}') lists '{MessageText.Name(bufferName)}' twice.", tensorName);
                }

                if (!file.TryGetEntry(tensorName, out SafeTensorsEntry? entry))
                {
                    throw new WeightFileException(
                        $"The checkpoint has no tensor '{MessageText.Name(tensorName)}' [{model.ParameterCount}], which its '{BuffersKey}' ('{shownList}') lists. The file ({file.FileLength} bytes) has: {ListEntries(file.Entries)}.",
                        tensorName);
                }

                int[] shape = { model.ParameterCount };
                CheckEntry(model, file, entry, tensorName, shape, "the optimizer's buffers");
                float[] values = new float[model.ParameterCount];
                reads.Add((entry, values));
                buffers.Add(new KeyValuePair<string, float[]>(bufferName, values));
            }

            SafeTensorsEntry[] strays = file.Entries
                .Where(entry => entry.Name.StartsWith(OptimizerPrefix, StringComparison.Ordinal) && !listed.Contains(entry.Name))
                .ToArray();
            if (strays.Length > 0)
            {
                throw new WeightFileException(
                    $"The checkpoint has optimizer tensors its '{BuffersKey}' ('{shownList}') does not list: {ListEntries(strays)}; file size {file.FileLength} bytes.",
                    strays[0].Name);
            }

            ReadInDataOrder(reader, reads, options.AllowNonFinite);
            return (weights, new OptimizerState(kind, learningRate, stepCount, buffers));
        }

        // ---- Writing ----

        private static void Write(ISequenceModel model, OptimizerState? optimizer, Stream stream)
        {
            IReadOnlyList<TensorInfo> tensors = model.Tensors;
            var entries = new List<SafeTensorsEntry>(tensors.Count);
            long offset = 0;
            int largest = 0;

            // A bfloat16 model saves what it steps with, its weights rounded to BF16; a checkpoint keeps the float32
            // master copy, so that training resumes with the same bits.
            bool bfloat16 = optimizer is null && model.WeightPrecision == WeightPrecision.BFloat16;
            SafeTensorsDType weightType = bfloat16 ? SafeTensorsDType.BF16 : SafeTensorsDType.F32;
            foreach (TensorInfo tensor in tensors)
            {
                SafeTensorsEntry entry = SafeTensorsFile.CreateEntry(tensor.Name, weightType, tensor.Shape, offset);
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
                if (bfloat16)
                {
                    WriteBFloat16s(stream, tensorValues, bytes);
                }
                else
                {
                    WriteSingles(stream, tensorValues, bytes);
                }
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

        /// <summary>Writes floats rounded to nearest even as little-endian BF16 bytes, 2 per value.</summary>
        private static void WriteBFloat16s(Stream stream, ReadOnlySpan<float> values, byte[] bytes)
        {
            Span<byte> encoded = bytes.AsSpan(0, values.Length * sizeof(ushort));
            for (int i = 0; i < values.Length; i++)
            {
                BinaryPrimitives.WriteUInt16LittleEndian(encoded.Slice(i * sizeof(ushort), sizeof(ushort)), BFloat16.Round(values[i]));
            }

            stream.Write(encoded);
        }

        private static void CheckOptimizer(ISequenceModel model, OptimizerState optimizer)
        {
            if (!OptimizerGuard.IsLearningRate(optimizer.LearningRate))
            {
                throw new ArgumentException(
                    $"The optimizer state's learning rate is {OptimizerGuard.Format(optimizer.LearningRate)}; a checkpoint keeps a finite learning rate of at least 0, as the optimizers take.",
                    nameof(optimizer));
            }

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
        /// Matches the file's tensors to the model's and checks every dtype and shape; returns the file's
        /// entry of each model tensor. Nothing is read yet, and the model is not touched.
        /// </summary>
        private static SafeTensorsEntry[] MatchWeights(ISequenceModel model, SafeTensorsFile file, WeightLoadOptions options)
        {
            IReadOnlyList<TensorInfo> tensors = model.Tensors;
            var indices = new Dictionary<string, int>(tensors.Count, StringComparer.Ordinal);
            for (int i = 0; i < tensors.Count; i++)
            {
                indices.Add(tensors[i].Name, i);
            }

            // A checkpoint's optimizer buffers are not weights. Layer maps name the model's recurrent module.
            bool checkpoint = file.Metadata.ContainsKey(OptimizerKindKey);
            string modelModule = RecurrentCells.Of(model) == RecurrentCell.Gru ? "gru" : "lstm";
            var matches = new SafeTensorsEntry?[tensors.Count];
            var layerMaps = new LayerMapping?[tensors.Count];
            var unexpected = new List<SafeTensorsEntry>();
            foreach (SafeTensorsEntry entry in file.Entries)
            {
                if (checkpoint && entry.Name.StartsWith(OptimizerPrefix, StringComparison.Ordinal))
                {
                    continue;
                }

                string name = options.Resolve(entry.Name, out LayerMapping? layerMap, out int modelLayer, modelModule);
                if (layerMap is not null && modelLayer >= model.Layers)
                {
                    // Past the model's last layer: a wrong map, refused even when unexpected tensors are skipped.
                    throw new WeightFileException(
                        $"{layerMap} makes the weight file's '{MessageText.Name(entry.Name)}' the model's '{MessageText.Name(name)}', but the model has {model.Layers} layer{(model.Layers == 1 ? string.Empty : "s")} (0 to {model.Layers - 1}; {ModelShape(model)}). {LayerMapText(options, file)}",
                        entry.Name);
                }

                if (!indices.TryGetValue(name, out int index))
                {
                    // The other direction of a bidirectional nn.LSTM whose forward direction is the model's: a model of one
                    // direction cannot compute that module's outputs, so this is refused even when unexpected tensors are skipped.
                    if (name.EndsWith(ReverseSuffix, StringComparison.Ordinal) && indices.ContainsKey(name.Substring(0, name.Length - ReverseSuffix.Length)))
                    {
                        throw new WeightFileException(
                            $"The weight file's '{MessageText.Name(entry.Name)}' is the reverse direction of a bidirectional nn.LSTM (bidirectional=True), whose forward direction would be the model's '{name.Substring(0, name.Length - ReverseSuffix.Length)}'; the model computes one direction and cannot reproduce that module's outputs ({ModelShape(model)}); a model generated with Bidirectional = true loads it. This is refused even with IgnoreUnexpected.",
                            entry.Name);
                    }

                    unexpected.Add(entry);
                    continue;
                }

                if (matches[index] is SafeTensorsEntry other)
                {
                    if (layerMap is not null || layerMaps[index] is not null)
                    {
                        throw new WeightFileException(
                            $"The model's layer {WeightLoadOptions.LayerOf(name)} is mapped twice: its '{name}' would be the weight file's '{MessageText.Name(other.Name)}' ({Via(layerMaps[index])}) and '{MessageText.Name(entry.Name)}' ({Via(layerMap)}). {LayerMapText(options, file)}",
                            entry.Name);
                    }

                    throw new WeightFileException(
                        $"The weight file's tensors '{MessageText.Name(other.Name)}' (data offsets [{other.Begin}, {other.End}]) and '{MessageText.Name(entry.Name)}' (data offsets [{entry.Begin}, {entry.End}]) both map to the model's '{name}'; file size {file.FileLength} bytes.",
                        entry.Name);
                }

                matches[index] = entry;
                layerMaps[index] = layerMap;
            }

            List<TensorInfo> missing = tensors.Where((_, i) => matches[i] is null).ToList();
            if (missing.Count > 0 && options.LayerMappings.Count > 0)
            {
                // A whole layer that no map gives is a wrong map, said as such.
                var given = new HashSet<int>(tensors.Where((_, i) => matches[i] is not null).Select(t => WeightLoadOptions.LayerOf(t.Name)));
                List<int> lost = missing.Select(t => WeightLoadOptions.LayerOf(t.Name)).Where(layer => layer >= 0 && !given.Contains(layer)).Distinct().ToList();
                if (lost.Count > 0)
                {
                    throw new WeightFileException(
                        $"No tensor of the weight file is the model's layer {string.Join(", ", lost)} (the model has layers 0 to {model.Layers - 1}; {ModelShape(model)}). {LayerMapText(options, file)}",
                        missing[0].Name);
                }
            }

            if (missing.Count > 0)
            {
                string names = MessageText.List(missing, tensor => $"'{tensor.Name}' {tensor.ShapeText}");
                string hint = unexpected.Count > 0 && options.PrefixMappings.Count == 0 && options.LayerMappings.Count == 0
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

            var entries = new SafeTensorsEntry[tensors.Count];
            for (int i = 0; i < tensors.Count; i++)
            {
                entries[i] = matches[i]!;
                CheckEntry(model, file, entries[i], tensors[i].Name, tensors[i].Shape, "the model's tensors");
            }

            return entries;
        }

        /// <summary>
        /// Reads each entry's floats into its array, in the order of the data (so that a stream that cannot
        /// seek is read once, forwards), then finishes the stream.
        /// </summary>
        private static void ReadInDataOrder(SafeTensorsStreamReader reader, List<(SafeTensorsEntry Entry, float[] Values)> reads, bool allowNonFinite)
        {
            reads.Sort((a, b) => a.Entry.Begin.CompareTo(b.Entry.Begin));
            foreach ((SafeTensorsEntry entry, float[] values) in reads)
            {
                reader.ReadSingles(entry, values, allowNonFinite);
            }

            reader.Finish();
        }

        private static void CheckEntry(ISequenceModel model, SafeTensorsFile file, SafeTensorsEntry entry, string modelName, IReadOnlyList<int> shape, string what)
        {
            string name = entry.Name == modelName ? $"'{MessageText.Name(entry.Name)}'" : $"'{MessageText.Name(entry.Name)}' (the model's '{MessageText.Name(modelName)}')";
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

        internal static void Apply(ISequenceModel model, float[][] staged)
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
                : throw new WeightFileException($"The checkpoint's metadata has no '{key}' (it has {MessageText.List(file.Metadata.Keys, MessageText.Name)}).");

        private static string ListEntries(IEnumerable<SafeTensorsEntry> entries, WeightLoadOptions? options = null)
        {
            string list = MessageText.List(entries, entry =>
            {
                string mapped = options?.MapName(entry.Name) ?? entry.Name;
                string rename = mapped == entry.Name ? string.Empty : $" (as '{MessageText.Name(mapped)}')";
                return $"'{MessageText.Name(entry.Name)}'{rename} {entry.DType.GetName()} {entry.ShapeText} at data offsets [{entry.Begin}, {entry.End}]";
            });
            return list.Length == 0 ? "no tensors" : list;
        }

        private static string Via(LayerMapping? layerMap) => layerMap is null ? "by its own name" : $"by {layerMap}";

        /// <summary>What each layer map gives of the model, from the file's tensors: the maps and the layers they fill.</summary>
        private static string LayerMapText(WeightLoadOptions options, SafeTensorsFile file)
        {
            string maps = MessageText.List(options.LayerMappings, map =>
            {
                var layers = new SortedSet<int>();
                foreach (SafeTensorsEntry entry in file.Entries)
                {
                    options.Resolve(entry.Name, out LayerMapping? used, out int layer);
                    if (ReferenceEquals(used, map))
                    {
                        layers.Add(layer);
                    }
                }

                return layers.Count == 0
                    ? $"{map} matches no tensor of the file"
                    : $"{map} gives the model's layer{(layers.Count == 1 ? string.Empty : "s")} {string.Join(", ", layers)}";
            });
            return $"The layer maps: {maps}; the file ({file.FileLength} bytes) has: {ListEntries(file.Entries, options)}.";
        }

        internal static string ModelShape(ISequenceModel model) =>
            $"InputSize = {model.InputSize}, HiddenSize = {model.HiddenSize}, Layers = {model.Layers}, OutputSize = {model.OutputSize}";

        /// <summary>The shape of the model an LstmGen file was saved from, when it differs from this model's.</summary>
        private static string SavedShape(SafeTensorsFile file, ISequenceModel model)
        {
            IReadOnlyDictionary<string, string> metadata = file.Metadata;
            if (metadata.TryGetValue(InputSizeKey, out string? input) && metadata.TryGetValue(HiddenSizeKey, out string? hidden)
                && metadata.TryGetValue(LayersKey, out string? layers) && metadata.TryGetValue(OutputSizeKey, out string? output)
                && (input != Format(model.InputSize) || hidden != Format(model.HiddenSize) || layers != Format(model.Layers) || output != Format(model.OutputSize)))
            {
                return $" The file was saved by LstmGen from a model with InputSize = {MessageText.Name(input)}, HiddenSize = {MessageText.Name(hidden)}, Layers = {MessageText.Name(layers)}, OutputSize = {MessageText.Name(output)}.";
            }

            return string.Empty;
        }

        private static string Format(int value) => value.ToString(CultureInfo.InvariantCulture);
    }
}
