using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;
#if NET8_0_OR_GREATER
using System.Text.Json;
using System.Text.Unicode;
#else
using LstmGen.Serialization.Json;
#endif

namespace LstmGen.Serialization
{
    /// <summary>RTNeural's second format: a PyTorch state_dict dumped as JSON, as <c>RTNeural::torch_helpers</c> reads it.</summary>
    public static partial class RTNeuralModel
    {
        /// <summary>The most dimensions a tensor of a JSON state_dict may have (an LSTM's weights have 2).</summary>
        public const int MaxStateDictDimensions = 8;

        /// <summary>
        /// Loads a PyTorch state_dict written as JSON, the format that RTNeural's PyTorch users write and
        /// <c>RTNeural::torch_helpers</c> reads: one object of tensor name to nested arrays of numbers, such as
        /// <c>{"lstm.weight_ih_l0": [[...], ...], "lstm.bias_ih_l0": [...], "dense.weight": [[...]], "dense.bias": [...]}</c>
        /// (<c>json.dump({k: v.tolist() for k, v in model.state_dict().items()}, f)</c>). The shape is the
        /// arrays' nesting. The tensors then load exactly as a safetensors file's do with
        /// <see cref="WeightFile.Load(ISequenceModel, Stream, WeightLoadOptions?)"/>: the same
        /// <paramref name="options"/> (<see cref="WeightLoadOptions.MapLayers"/>, <see cref="WeightLoadOptions.MapHead"/>,
        /// <see cref="WeightLoadOptions.MapPrefix"/>, <see cref="WeightLoadOptions.IgnoreUnexpected"/>), the same checks
        /// of names and shapes, all or nothing.
        /// </summary>
        /// <example>
        /// <code>
        /// // self.lstm = nn.LSTM(1, 8); self.lstm2 = nn.LSTM(8, 8, num_layers=3); self.dense = nn.Linear(8, 1)
        /// var model = new Amp();   // [Lstm(InputSize = 1, HiddenSize = 8, Layers = 4, OutputSize = 1)]
        /// RTNeuralModel.LoadStateDict(model, "lstm_torch.json", new WeightLoadOptions().MapLayers("lstm2", firstLayer: 1).MapHead("dense"));
        /// </code>
        /// </example>
        /// <exception cref="WeightFileException">
        /// The JSON is not an object of tensors (a ragged array, a non-number, a number that is not a finite
        /// float, arrays nested more than <see cref="MaxStateDictDimensions"/> deep, a name twice), or its tensors do
        /// not fit the model; the message starts with the path and names the tensor. The model is left as it was.
        /// </exception>
        public static void LoadStateDict(ISequenceModel model, string path, WeightLoadOptions? options = null)
        {
            ArgumentNullException.ThrowIfNull(model);
            ArgumentException.ThrowIfNullOrEmpty(path);
            byte[] json = File.ReadAllBytes(path);
            try
            {
                LoadStateDict(model, json, options);
            }
            catch (WeightFileException exception)
            {
                throw new WeightFileException($"{path}: {exception.Message}", exception.TensorName, exception);
            }
        }

        /// <summary>Loads a PyTorch state_dict written as JSON from <paramref name="stream"/> (read to its end); see <see cref="LoadStateDict(ISequenceModel, string, WeightLoadOptions?)"/>.</summary>
        /// <exception cref="WeightFileException">As <see cref="LoadStateDict(ISequenceModel, string, WeightLoadOptions?)"/>, without the path.</exception>
        public static void LoadStateDict(ISequenceModel model, Stream stream, WeightLoadOptions? options = null)
        {
            ArgumentNullException.ThrowIfNull(model);
            ArgumentNullException.ThrowIfNull(stream);
            var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            LoadStateDict(model, buffer.ToArray(), options);
        }

        private static void LoadStateDict(ISequenceModel model, byte[] json, WeightLoadOptions? options)
        {
            List<SafeTensorsTensor> tensors = ParseStateDict(json);

            // The tensors go through the safetensors loader itself (as F64, which it converts to float as RTNeural
            // does, refusing values beyond float's range), so names, maps, shapes and all-or-nothing are one code path.
            var file = new MemoryStream();
            SafeTensorsFile.Write(file, tensors);
            file.Position = 0;
            try
            {
                WeightFile.Load(model, file, options);
            }
            catch (WeightFileException exception)
            {
                throw new WeightFileException(
                    $"The JSON state_dict's tensors (read as F64 into an in-memory safetensors file, whose sizes and offsets this names) do not load: {exception.Message}",
                    exception.TensorName,
                    exception);
            }
        }

        /// <summary>The JSON object's tensors, in the file's order, as F64 safetensors tensors.</summary>
        private static List<SafeTensorsTensor> ParseStateDict(byte[] json)
        {
            ReadOnlySpan<byte> span = json;
            if (span.Length >= 3 && span[0] == 0xEF && span[1] == 0xBB && span[2] == 0xBF)
            {
                span = span.Slice(3);
            }

            if (!Utf8.IsValid(span))
            {
                throw new WeightFileException($"The JSON state_dict ({json.Length} bytes) is not valid UTF-8.");
            }

            var tensors = new List<SafeTensorsTensor>();
            var names = new HashSet<string>(StringComparer.Ordinal);
            string? current = null;
            try
            {
                var reader = new Utf8JsonReader(span, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
                if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                {
                    throw new WeightFileException($"The JSON state_dict is {TokenKind(reader.TokenType)}, not an object of tensor names to arrays of numbers.");
                }

                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    current = reader.GetString()!;
                    if (!names.Add(current))
                    {
                        throw new WeightFileException($"The JSON state_dict has the tensor '{MessageText.Name(current)}' twice.", current);
                    }

                    tensors.Add(ReadTensor(ref reader, current));
                }

                current = null;
                if (reader.Read())
                {
                    throw new WeightFileException("The JSON state_dict has content after its object.");
                }
            }
            catch (JsonException exception)
            {
                string where = current is null ? string.Empty : $" in tensor '{MessageText.Name(current)}'";
                throw new WeightFileException(
                    $"The JSON state_dict ({json.Length} bytes) is not valid JSON{where}: {exception.Message} (NaN and Infinity, which Python's json.dump writes for such values, are not JSON numbers and are refused.)",
                    current,
                    exception);
            }

            return tensors;
        }

        /// <summary>One tensor: a number (a scalar) or nested arrays of numbers, every array at a depth of the same length.</summary>
        private static SafeTensorsTensor ReadTensor(ref Utf8JsonReader reader, string name)
        {
            var values = new List<double>();
            var sizes = new long[MaxStateDictDimensions];
            for (int i = 0; i < sizes.Length; i++)
            {
                sizes[i] = -1;
            }

            int rank = -1;
            int[] path = new int[MaxStateDictDimensions];
            if (!reader.Read())
            {
                throw new JsonException("The JSON ends early.");
            }

            ReadElement(ref reader, name, 0, path, sizes, ref rank, values);
            long[] shape = new long[rank];
            Array.Copy(sizes, shape, rank);
            byte[] data = new byte[checked(values.Count * sizeof(double))];
            for (int i = 0; i < values.Count; i++)
            {
                BinaryPrimitives.WriteInt64LittleEndian(data.AsSpan(i * sizeof(double)), BitConverter.DoubleToInt64Bits(values[i]));
            }

            try
            {
                return new SafeTensorsTensor(name, SafeTensorsDType.F64, shape, data);
            }
            catch (ArgumentException exception)
            {
                throw new WeightFileException($"The JSON state_dict's tensor '{MessageText.Name(name)}' cannot be loaded: {exception.Message}", name, exception);
            }
        }

        private static void ReadElement(ref Utf8JsonReader reader, string name, int depth, int[] path, long[] sizes, ref int rank, List<double> values)
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.Number:
                    if (rank < 0)
                    {
                        rank = depth;
                    }
                    else if (depth != rank)
                    {
                        throw Ragged(name, depth, path, $"a number {depth} deep, where the tensor's first numbers are {rank} deep");
                    }

                    string text = Encoding.UTF8.GetString(reader.ValueSpan.ToArray());
                    if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || double.IsNaN(value) || double.IsInfinity(value))
                    {
                        throw new WeightFileException($"The JSON state_dict's tensor '{MessageText.Name(name)}', element {Path(path, depth)}, is {MessageText.Name(text)}, which is not a finite number.", name);
                    }

                    values.Add(value);
                    return;
                case JsonTokenType.StartArray:
                    if (rank >= 0 && depth >= rank)
                    {
                        throw Ragged(name, depth, path, $"an array {depth} deep, where the tensor's first numbers are {rank} deep");
                    }

                    if (depth == MaxStateDictDimensions)
                    {
                        throw new WeightFileException($"The JSON state_dict's tensor '{MessageText.Name(name)}' nests arrays more than {MaxStateDictDimensions} deep (at element {Path(path, depth)}).", name);
                    }

                    int count = 0;
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    {
                        path[depth] = count;
                        ReadElement(ref reader, name, depth + 1, path, sizes, ref rank, values);
                        count++;
                    }

                    if (count == 0 && rank < 0)
                    {
                        rank = depth + 1; // an empty array: its size is 0, whatever it would have held
                    }

                    if (sizes[depth] < 0)
                    {
                        sizes[depth] = count;
                    }
                    else if (sizes[depth] != count)
                    {
                        throw Ragged(name, depth, path, $"an array of {count} where the first at this depth has {sizes[depth]}");
                    }

                    return;
                default:
                    throw new WeightFileException($"The JSON state_dict's tensor '{MessageText.Name(name)}', element {Path(path, depth)}, is {TokenKind(reader.TokenType)}, not a number or an array of numbers.", name);
            }
        }

        private static WeightFileException Ragged(string name, int depth, int[] path, string problem) =>
            new($"The JSON state_dict's tensor '{MessageText.Name(name)}' is ragged, not a tensor: element {Path(path, depth)} is {problem}.", name);

        /// <summary>An element's place such as [3][2]; [] for the tensor itself.</summary>
        private static string Path(int[] path, int depth)
        {
            if (depth == 0)
            {
                return "[]";
            }

            var text = new StringBuilder();
            for (int i = 0; i < depth; i++)
            {
                text.Append('[').Append(path[i].ToString(CultureInfo.InvariantCulture)).Append(']');
            }

            return text.ToString();
        }

        private static string TokenKind(JsonTokenType token) => token switch
        {
            JsonTokenType.StartObject => "an object",
            JsonTokenType.StartArray => "an array",
            JsonTokenType.String => "a string",
            JsonTokenType.Number => "a number",
            JsonTokenType.True or JsonTokenType.False => "a boolean",
            JsonTokenType.Null => "null",
            _ => "empty",
        };
    }
}
