using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
#if NET8_0_OR_GREATER
using System.Text.Json;
using System.Text.Unicode;
#else
using LstmGen.Serialization.Json;
#endif

namespace LstmGen.Serialization
{
    /// <summary>
    /// Loads RTNeural's JSON model format (<c>{"in_shape": [null, null, N], "layers": [{"type", "activation",
    /// "shape", "weights"}, ...]}</c>, as RTNeural's <c>json_parser</c> reads it and its Keras and PyTorch
    /// exporters write it) into a generated model: one <c>"lstm"</c> layer per model layer, then one
    /// <c>"dense"</c> layer for the head (with its activation, or a following <c>"activation"</c> layer).
    /// </summary>
    /// <remarks>
    /// <para>The weights are in Keras' layout, which RTNeural reads: an LSTM's <c>kernel</c> [in][4H],
    /// <c>recurrent_kernel</c> [H][4H] and one <c>bias</c> [4H], with the gates in the order i, f, c, o (the
    /// same order as PyTorch's i, f, g, o); a dense layer's <c>kernel</c> [H][O] and <c>bias</c> [O]. They load
    /// as PyTorch's <c>weight_ih = kernel</c>ᵀ, <c>weight_hh = recurrent_kernel</c>ᵀ, <c>bias_ih = bias</c>,
    /// <c>bias_hh = 0</c>, <c>head.weight = kernel</c>ᵀ: the model then computes what RTNeural computes.</para>
    /// <para>What the model cannot compute is refused with a <see cref="WeightFileException"/> that names the
    /// layer: another layer kind (<c>gru</c>, <c>conv1d</c>, ...), a count or order of layers other than the
    /// model's, a size other than the model's, an LSTM activation other than tanh, a head activation other than
    /// the model's. The model is left as it was.</para>
    /// </remarks>
    /// <example>
    /// <code>
    /// var model = new GuitarAmp();                 // [Lstm(InputSize = 1, HiddenSize = 20, OutputSize = 1)]
    /// RTNeuralModel.Load(model, "model.json");
    /// </code>
    /// </example>
    public static partial class RTNeuralModel
    {
        /// <summary>Loads the RTNeural JSON model file at <paramref name="path"/> into <paramref name="model"/>.</summary>
        /// <exception cref="WeightFileException">The file is not an RTNeural model that fits the model; the message starts with the path and names the layer.</exception>
        public static void Load(ISequenceModel model, string path)
        {
            ArgumentNullException.ThrowIfNull(model);
            ArgumentException.ThrowIfNullOrEmpty(path);
            byte[] json = File.ReadAllBytes(path);
            try
            {
                Load(model, json);
            }
            catch (WeightFileException exception)
            {
                throw new WeightFileException($"{path}: {exception.Message}", exception.TensorName, exception);
            }
        }

        /// <summary>Loads an RTNeural JSON model from <paramref name="stream"/> (read to its end) into <paramref name="model"/>.</summary>
        /// <exception cref="WeightFileException">The JSON is not an RTNeural model that fits the model; the message names the layer.</exception>
        public static void Load(ISequenceModel model, Stream stream)
        {
            ArgumentNullException.ThrowIfNull(model);
            ArgumentNullException.ThrowIfNull(stream);
            var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            Load(model, buffer.ToArray());
        }

        private static void Load(ISequenceModel model, byte[] json)
        {
            if (RecurrentCells.Of(model) != RecurrentCell.Lstm)
            {
                // RTNeural's model files have GRU layers too, but this loader reads LSTM layers only: refused, not misread.
                throw new NotSupportedException($"{model.GetType().FullName} is a GRU model ([Gru]); RTNeuralModel.Load reads RTNeural's LSTM layers only. A PyTorch state_dict as JSON (RTNeuralModel.LoadStateDict) or a safetensors file (Load) with gru.* tensors loads into it.");
            }

            if (RecurrentCells.IsBidirectional(model))
            {
                // RTNeural's model files have no bidirectional layers (RTNeural runs a step at a time).
                throw new NotSupportedException($"{model.GetType().FullName} is a bidirectional model (Bidirectional = true); RTNeural's model files have no bidirectional layers. A PyTorch state_dict as JSON (RTNeuralModel.LoadStateDict) or a safetensors file (Load) with *_reverse tensors loads into it.");
            }

            Dictionary<string, object?> root = Parse(json);
            float[][] staged = Stage(model, root);
            WeightFile.Apply(model, staged);
        }

        // ---- From the JSON to the model's tensors ----

        private static float[][] Stage(ISequenceModel model, Dictionary<string, object?> root)
        {
            int hidden = model.HiddenSize;
            int gates = 4 * hidden;
            List<object?> inShape = Member<List<object?>>(root, "in_shape", "the RTNeural model");
            List<object?> layers = Member<List<object?>>(root, "layers", "the RTNeural model");
            int inputs = LastSize(inShape, "the RTNeural model's in_shape");
            if (inputs != model.InputSize)
            {
                throw new WeightFileException($"The RTNeural model's in_shape {Text(inShape)} has {inputs} inputs, but the model has InputSize = {model.InputSize} ({ModelShape(model)}).");
            }

            var tensors = new Dictionary<string, float[]>(StringComparer.Ordinal);
            int lstms = 0;
            bool dense = false;
            string? pendingActivation = null; // the head's activation, from the dense layer or an activation layer after it
            for (int index = 0; index < layers.Count; index++)
            {
                if (layers[index] is not Dictionary<string, object?> layer)
                {
                    throw new WeightFileException($"Layer {index} of the RTNeural model is a {Kind(layers[index])}, not an object.");
                }

                string type = Member<string>(layer, "type", $"layer {index}");
                string what = $"layer {index} ({type})";
                string activation = layer.TryGetValue("activation", out object? value) && value is not null
                    ? value as string ?? throw new WeightFileException($"The 'activation' of {what} is a {Kind(value)}, not a string.")
                    : string.Empty;
                switch (type)
                {
                    case "lstm":
                        if (dense)
                        {
                            throw new WeightFileException($"The RTNeural model has an lstm layer ({what}) after its dense layer; the model's head comes after all {model.Layers} LSTM layers ({ModelShape(model)}).");
                        }

                        if (lstms == model.Layers)
                        {
                            throw new WeightFileException($"The RTNeural model has more lstm layers than the model's {model.Layers} ({ModelShape(model)}): {what} is one too many.");
                        }

                        if (activation.Length > 0 && activation != "tanh")
                        {
                            throw new WeightFileException($"The activation '{MessageText.Name(activation)}' of {what} is not supported: LstmGen's LSTM (PyTorch's nn.LSTM) uses tanh.");
                        }

                        CheckSize(layer, what, hidden, "HiddenSize", model);
                        List<object?> weights = Weights(layer, what, 3);
                        int layerInputs = KerasLayout.LayerInputs(model, lstms);
                        KerasLayout.AddLstm(
                            tensors,
                            model,
                            lstms,
                            RowMajor(weights[0], layerInputs, gates, $"the kernel (weights[0]) of {what}"),
                            RowMajor(weights[1], hidden, gates, $"the recurrent kernel (weights[1]) of {what}"),
                            Vector(weights[2], gates, $"the bias (weights[2]) of {what}"));
                        lstms++;
                        break;
                    case "dense":
                    case "time-distributed-dense":
                        if (!model.HasHead)
                        {
                            throw new WeightFileException($"The RTNeural model has a {type} layer ({what}), but the model has no head ({ModelShape(model)}).");
                        }

                        if (dense)
                        {
                            throw new WeightFileException($"The RTNeural model has a second dense layer ({what}); the model has one head ({ModelShape(model)}).");
                        }

                        if (lstms < model.Layers)
                        {
                            throw new WeightFileException($"The RTNeural model's dense layer ({what}) comes after {lstms} lstm layer{(lstms == 1 ? string.Empty : "s")}, but the model has {model.Layers} ({ModelShape(model)}).");
                        }

                        CheckSize(layer, what, model.OutputSize, "OutputSize", model);
                        List<object?> head = Weights(layer, what, 2);
                        KerasLayout.AddHead(tensors, model, RowMajor(head[0], hidden, model.OutputSize, $"the kernel (weights[0]) of {what}"), Vector(head[1], model.OutputSize, $"the bias (weights[1]) of {what}"));
                        dense = true;
                        pendingActivation = activation;
                        break;
                    case "activation":
                        if (!dense || pendingActivation!.Length > 0)
                        {
                            throw new WeightFileException($"The RTNeural model has an activation layer ({what}, '{MessageText.Name(activation)}') that is not right after a dense layer without an activation; the model applies an activation only to its head's output.");
                        }

                        pendingActivation = activation;
                        break;
                    default:
                        throw new WeightFileException($"The RTNeural model has a '{MessageText.Name(type)}' layer ({what}), which the model does not have: it has {model.Layers} lstm layer{(model.Layers == 1 ? string.Empty : "s")}{(model.HasHead ? " and a dense head" : string.Empty)} ({ModelShape(model)}).");
                }
            }

            if (lstms < model.Layers)
            {
                throw new WeightFileException($"The RTNeural model has {lstms} lstm layer{(lstms == 1 ? string.Empty : "s")}, but the model has {model.Layers} ({ModelShape(model)}).");
            }

            if (model.HasHead)
            {
                if (!dense)
                {
                    throw new WeightFileException($"The RTNeural model has no dense layer for the model's head ({ModelShape(model)}).");
                }

                Activation? fileActivation = KerasLayout.HeadActivation(pendingActivation!);
                if (fileActivation != model.OutputActivation)
                {
                    string name = pendingActivation!.Length == 0 ? "none" : $"'{MessageText.Name(pendingActivation)}'";
                    string reason = fileActivation is null ? "which LstmGen does not support" : $"but the model's OutputActivation is {model.OutputActivation}";
                    throw new WeightFileException($"The RTNeural model's dense layer has the activation {name}, {reason} (the head's activation can be none, sigmoid, tanh or softmax).");
                }
            }

            return KerasLayout.Stage(model, tensors, "RTNeural's format");
        }

        private static void CheckSize(Dictionary<string, object?> layer, string what, int expected, string size, ISequenceModel model)
        {
            List<object?> shape = Member<List<object?>>(layer, "shape", what);
            int actual = LastSize(shape, $"the shape of {what}");
            if (actual != expected)
            {
                throw new WeightFileException($"The shape {Text(shape)} of {what} has {actual} units, but the model has {size} = {expected} ({ModelShape(model)}).");
            }
        }

        private static List<object?> Weights(Dictionary<string, object?> layer, string what, int count)
        {
            List<object?> weights = Member<List<object?>>(layer, "weights", what);
            if (weights.Count != count)
            {
                throw new WeightFileException($"The weights of {what} are {weights.Count} arrays, but RTNeural's format has {count} for it.");
            }

            return weights;
        }

        /// <summary>A [rows][columns] array of numbers, row-major (Keras' layout).</summary>
        private static float[] RowMajor(object? value, int rows, int columns, string what)
        {
            List<object?> outer = value as List<object?> ?? throw new WeightFileException($"{Capital(what)} is a {Kind(value)}, not an array of {rows} arrays of {columns} numbers.");
            if (outer.Count != rows)
            {
                throw new WeightFileException($"{Capital(what)} has shape [{outer.Count}]{InnerShape(outer)}, but the model expects [{rows}][{columns}].");
            }

            float[] result = new float[rows * columns];
            for (int r = 0; r < rows; r++)
            {
                List<object?> row = outer[r] as List<object?> ?? throw new WeightFileException($"Row {r} of {what} is a {Kind(outer[r])}, not an array of {columns} numbers.");
                if (row.Count != columns)
                {
                    throw new WeightFileException($"{Capital(what)} has shape [{rows}][{row.Count}] (row {r}), but the model expects [{rows}][{columns}].");
                }

                for (int c = 0; c < columns; c++)
                {
                    result[(r * columns) + c] = Number(row[c], $"{what}, element [{r}][{c}]");
                }
            }

            return result;
        }

        private static float[] Vector(object? value, int length, string what)
        {
            List<object?> list = value as List<object?> ?? throw new WeightFileException($"{Capital(what)} is a {Kind(value)}, not an array of {length} numbers.");
            if (list.Count != length)
            {
                throw new WeightFileException($"{Capital(what)} has shape [{list.Count}]{InnerShape(list)}, but the model expects [{length}].");
            }

            float[] result = new float[length];
            for (int i = 0; i < length; i++)
            {
                result[i] = Number(list[i], $"{what}, element [{i}]");
            }

            return result;
        }

        private static float Number(object? value, string what)
        {
            if (value is not JsonNumber number)
            {
                throw new WeightFileException($"{Capital(what)} is a {Kind(value)}, not a number.");
            }

            if (!float.TryParse(number.Text, NumberStyles.Float, CultureInfo.InvariantCulture, out float result) || !float.IsFinite(result))
            {
                throw new WeightFileException($"{Capital(what)} is {MessageText.Name(number.Text)}, which is not a finite float.");
            }

            return result;
        }

        /// <summary>The last entry of a shape such as [null, null, 8].</summary>
        private static int LastSize(List<object?> shape, string what)
        {
            if (shape.Count == 0 || shape[shape.Count - 1] is not JsonNumber last
                || !int.TryParse(last.Text, NumberStyles.None, CultureInfo.InvariantCulture, out int size) || size <= 0)
            {
                throw new WeightFileException($"{Capital(what)} is {Text(shape)}; RTNeural's format ends it with the number of units, for example [null, null, 8].");
            }

            return size;
        }

        private static T Member<T>(Dictionary<string, object?> owner, string name, string what)
            where T : class
        {
            if (!owner.TryGetValue(name, out object? value))
            {
                throw new WeightFileException($"{Capital(what)} has no '{name}' (it has {(owner.Count == 0 ? "nothing" : MessageText.List(owner.Keys, key => $"'{MessageText.Name(key)}'"))}).");
            }

            return value as T ?? throw new WeightFileException($"The '{name}' of {what} is a {Kind(value)}, not {(typeof(T) == typeof(string) ? "a string" : "an array")}.");
        }

        private static string InnerShape(List<object?> list) =>
            list.Count > 0 && list[0] is List<object?> inner ? $"[{inner.Count}]" : string.Empty;

        private static string Capital(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text.Substring(1);

        private static string ModelShape(ISequenceModel model) => WeightFile.ModelShape(model);

        private static string Kind(object? value) => value switch
        {
            null => "null",
            string => "string",
            bool => "boolean",
            JsonNumber => "number",
            List<object?> => "array",
            _ => "object",
        };

        /// <summary>A short shape such as [null, null, 8], for messages.</summary>
        private static string Text(List<object?> list) =>
            "[" + MessageText.List(list, item => item switch
            {
                null => "null",
                JsonNumber number => MessageText.Name(number.Text),
                string text => $"\"{MessageText.Name(text)}\"",
                _ => Kind(item),
            }) + "]";

        // ---- JSON ----

        /// <summary>A number as its text, converted when its use is known.</summary>
        private sealed class JsonNumber
        {
            public JsonNumber(string text) => Text = text;

            public string Text { get; }
        }

        /// <summary>The JSON as objects (string-keyed dictionaries), arrays (lists), strings, numbers, booleans and nulls.</summary>
        private static Dictionary<string, object?> Parse(byte[] json)
        {
            ReadOnlySpan<byte> span = json;
            if (span.Length >= 3 && span[0] == 0xEF && span[1] == 0xBB && span[2] == 0xBF)
            {
                span = span.Slice(3); // a UTF-8 byte order mark, as some editors write
            }

            if (!Utf8.IsValid(span))
            {
                throw new WeightFileException($"The RTNeural model ({json.Length} bytes) is not valid UTF-8.");
            }

            try
            {
                var reader = new Utf8JsonReader(span, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
                object? root = ReadValue(ref reader, depth: 0);
                if (reader.Read())
                {
                    throw new WeightFileException("The RTNeural model has content after its JSON object.");
                }

                var model = root as Dictionary<string, object?> ?? throw new WeightFileException($"The RTNeural model is a JSON {Kind(root)}, not an object with 'in_shape' and 'layers'.");
                if (!model.ContainsKey("layers") && !model.ContainsKey("in_shape") && model.Count > 0 && model.Values.All(value => value is List<object?> or JsonNumber))
                {
                    throw new WeightFileException($"The JSON is not an RTNeural model (no 'in_shape' or 'layers'; it has {MessageText.List(model.Keys, key => $"'{MessageText.Name(key)}'")}): it looks like a PyTorch state_dict, tensor name to nested arrays, which RTNeuralModel.LoadStateDict loads.");
                }

                return model;
            }
            catch (JsonException exception)
            {
                throw new WeightFileException($"The RTNeural model ({json.Length} bytes) is not valid JSON: {exception.Message}", exception);
            }
        }

        private static object? ReadValue(ref Utf8JsonReader reader, int depth)
        {
            if (!reader.Read())
            {
                throw new JsonException("The JSON ends early.");
            }

            return Value(ref reader, depth);
        }

        private static object? Value(ref Utf8JsonReader reader, int depth)
        {
            // RTNeural's models nest four deep at most (a conv2d kernel); this bound keeps the recursion short.
            if (depth > 16)
            {
                throw new WeightFileException("The RTNeural model nests arrays or objects more than 16 deep.");
            }

            switch (reader.TokenType)
            {
                case JsonTokenType.StartObject:
                    var members = new Dictionary<string, object?>(StringComparer.Ordinal);
                    while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                    {
                        string name = reader.GetString()!;
                        object? member = ReadValue(ref reader, depth + 1);
                        if (members.ContainsKey(name))
                        {
                            throw new WeightFileException($"An object of the RTNeural model has the key '{MessageText.Name(name)}' twice.");
                        }

                        members.Add(name, member);
                    }

                    return members;
                case JsonTokenType.StartArray:
                    var items = new List<object?>();
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    {
                        items.Add(Value(ref reader, depth + 1));
                    }

                    return items;
                case JsonTokenType.String:
                    return reader.GetString();
                case JsonTokenType.Number:
                    return new JsonNumber(Encoding.UTF8.GetString(reader.ValueSpan.ToArray()));
                case JsonTokenType.True:
                    return true;
                case JsonTokenType.False:
                    return false;
                default:
                    return null;
            }
        }
    }
}
