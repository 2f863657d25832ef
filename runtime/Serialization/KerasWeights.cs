using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace LstmGen.Serialization
{
    /// <summary>
    /// Keras / TensorFlow LSTM weights into a generated model, from arrays (<see cref="SetLstm(int, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float})"/>, <see cref="SetDense"/>,
    /// <see cref="Apply"/>) or from a safetensors file (<see cref="Load(ISequenceModel, string, KerasLstmConfig?)"/>).
    /// </summary>
    /// <remarks>
    /// <para>Keras' layout: an LSTM's <c>kernel</c> [in, 4H], <c>recurrent_kernel</c> [H, 4H] and one <c>bias</c> [4H],
    /// gates i, f, c, o; a <c>Dense</c> head's <c>kernel</c> [H, O] and <c>bias</c> [O]. Arrays are row-major, as NumPy's
    /// <c>get_weights()</c> gives them.</para>
    /// <para>Names in a safetensors file: a trailing <c>:0</c> is dropped; the last part of the name is the variable
    /// (<c>kernel</c>, <c>recurrent_kernel</c>, <c>bias</c>), or <c>vars/0</c>, <c>vars/1</c>, <c>vars/2</c> as Keras 3's
    /// <c>.weights.h5</c> numbers them; a <c>lstm_cell</c> or <c>cell</c> part before it is dropped; what is left names the
    /// layer (<c>lstm/lstm_cell/kernel:0</c>, <c>lstm_1/lstm_cell/kernel</c>, <c>layers/lstm/cell/vars/0</c>,
    /// <c>model_weights/lstm/lstm/lstm_cell/kernel:0</c>). A layer with a <c>recurrent_kernel</c> is an LSTM layer, one
    /// with only a kernel (and bias) is the Dense head. LSTM layers are ordered by Keras' automatic numbering: the number
    /// after the last <c>_</c> of the layer's name (<c>lstm</c> = 0, <c>lstm_1</c> = 1, ...); names that do not order
    /// this way are refused, listing them. Tensors of other layers are refused, naming them.</para>
    /// <para>What the model cannot compute is refused with a <see cref="WeightFileException"/> before anything is set:
    /// an activation other than tanh, a recurrent activation other than sigmoid, <c>go_backwards</c>, a head activation
    /// other than the model's, a shape other than the model's (naming the tensor, its shape and the expected one).
    /// The model is left as it was.</para>
    /// </remarks>
    public sealed class KerasWeights
    {
        private readonly ISequenceModel _model;
        private readonly KerasLstmConfig _config;
        private readonly Dictionary<string, float[]> _tensors = new Dictionary<string, float[]>(StringComparer.Ordinal);
        private readonly int _directions;

        // Which layers were given: layer k's forward direction at k * directions, its backward (reverse) one after it.
        private readonly bool[] _lstmSet;
        private bool _denseSet;

        /// <summary>Starts collecting Keras weights for <paramref name="model"/>; nothing is set until <see cref="Apply"/>.</summary>
        /// <exception cref="WeightFileException">The config asks for something the model cannot compute.</exception>
        public KerasWeights(ISequenceModel model, KerasLstmConfig? config = null)
        {
            ArgumentNullException.ThrowIfNull(model);
            _model = model;
            _config = config ?? new KerasLstmConfig();
            _directions = RecurrentCells.IsBidirectional(model) ? 2 : 1;
            _lstmSet = new bool[model.Layers * _directions];
            CheckConfig(model, _config);
        }

        /// <summary>Sets LSTM layer <paramref name="layer"/> from Keras' kernel [in, 4H], recurrent kernel [H, 4H] and bias [4H] (empty when UseBias is false), row-major.</summary>
        /// <exception cref="WeightFileException">A length is not the model's.</exception>
        public void SetLstm(int layer, ReadOnlySpan<float> kernel, ReadOnlySpan<float> recurrentKernel, ReadOnlySpan<float> bias) =>
            SetLstm(layer, backward: false, kernel, recurrentKernel, bias);

        /// <summary>
        /// Sets one direction of LSTM layer <paramref name="layer"/>: of a bidirectional model (a Keras <c>Bidirectional(LSTM(...))</c>),
        /// its <c>forward_lstm</c>, or with <paramref name="backward"/> its <c>backward_lstm</c> (PyTorch's <c>*_reverse</c>
        /// tensors); of a model that is not bidirectional, the forward direction only. Keras' kernel [in, 4H] (in: the layer
        /// below's 2H outputs above the first layer of a bidirectional model), recurrent kernel [H, 4H] and bias [4H].
        /// </summary>
        /// <exception cref="WeightFileException">A length is not the model's, or a backward direction for a model that is not bidirectional.</exception>
        public void SetLstm(int layer, bool backward, ReadOnlySpan<float> kernel, ReadOnlySpan<float> recurrentKernel, ReadOnlySpan<float> bias)
        {
            if (RecurrentCells.Of(_model) != RecurrentCell.Lstm)
            {
                throw new WeightFileException($"The model is a GRU ({WeightFile.ModelShape(_model)}): give its layers with SetGru.");
            }

            string what = Direction("LSTM", layer, backward);
            int gates = 4 * _model.HiddenSize;
            CheckLength($"the kernel of {what}", kernel, KerasLayout.LayerInputs(_model, layer), gates);
            CheckLength($"the recurrent kernel of {what}", recurrentKernel, _model.HiddenSize, gates);
            KerasLayout.AddLstm(_tensors, _model, layer, kernel, recurrentKernel, Bias($"the bias of {what}", bias, gates, _config.UseBias), backward);
            _lstmSet[(layer * _directions) + (backward ? 1 : 0)] = true;
        }

        /// <summary>"LSTM layer 1" (or "the backward direction of GRU layer 1"), after checking that the model has that layer and direction.</summary>
        private string Direction(string cell, int layer, bool backward)
        {
            if ((uint)layer >= (uint)_model.Layers)
            {
                throw new ArgumentOutOfRangeException(nameof(layer), layer, $"The model has {_model.Layers} {cell} layer{(_model.Layers == 1 ? string.Empty : "s")} ({WeightFile.ModelShape(_model)}).");
            }

            if (backward && _directions == 1)
            {
                throw new WeightFileException($"The backward direction of {cell} layer {layer} (a Keras Bidirectional layer's) was given, but the model is not bidirectional ({WeightFile.ModelShape(_model)}): generate it with Bidirectional = true.");
            }

            string what = $"{cell} layer {layer.ToString(CultureInfo.InvariantCulture)}";
            return _directions == 1 ? what : $"the {(backward ? "backward" : "forward")} direction of {what}";
        }

        /// <summary>
        /// Sets GRU layer <paramref name="layer"/> of a GRU model from Keras' kernel [in, 3H], recurrent kernel [H, 3H] and
        /// bias [2, 3H] (reset_after = True, TF2's default: the input bias, then the recurrent one; empty when UseBias is
        /// false), row-major, gates in Keras' order z, r, h.
        /// </summary>
        /// <exception cref="WeightFileException">The model is not a GRU, or a length is not the model's.</exception>
        public void SetGru(int layer, ReadOnlySpan<float> kernel, ReadOnlySpan<float> recurrentKernel, ReadOnlySpan<float> bias) =>
            SetGru(layer, backward: false, kernel, recurrentKernel, bias);

        /// <summary>
        /// Sets one direction of GRU layer <paramref name="layer"/>, as <see cref="SetLstm(int, bool, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float})"/>
        /// does for an LSTM: with <paramref name="backward"/>, a Keras <c>Bidirectional(GRU(...))</c>'s <c>backward_gru</c>.
        /// </summary>
        /// <exception cref="WeightFileException">The model is not a GRU, a length is not the model's, or a backward direction for a model that is not bidirectional.</exception>
        public void SetGru(int layer, bool backward, ReadOnlySpan<float> kernel, ReadOnlySpan<float> recurrentKernel, ReadOnlySpan<float> bias)
        {
            if (RecurrentCells.Of(_model) != RecurrentCell.Gru)
            {
                throw new WeightFileException($"The model is an LSTM ({WeightFile.ModelShape(_model)}): give its layers with SetLstm.");
            }

            string what = Direction("GRU", layer, backward);
            int gates = 3 * _model.HiddenSize;
            CheckLength($"the kernel of {what}", kernel, KerasLayout.LayerInputs(_model, layer), gates);
            CheckLength($"the recurrent kernel of {what}", recurrentKernel, _model.HiddenSize, gates);
            if (_config.UseBias && bias.Length == gates)
            {
                throw new WeightFileException($"The bias of {what} has {gates} values, [3H]: a Keras GRU with reset_after = False, which the model (PyTorch's nn.GRU, reset_after = True) does not compute.");
            }

            KerasLayout.AddGru(_tensors, _model, layer, kernel, recurrentKernel, Bias($"the bias of {what}", bias, 2 * gates, _config.UseBias), backward);
            _lstmSet[(layer * _directions) + (backward ? 1 : 0)] = true;
        }

        /// <summary>Sets the head from Keras' Dense kernel [H, O] and bias [O] (empty when DenseUseBias is false), row-major.</summary>
        /// <exception cref="WeightFileException">The model has no head, or a length is not the model's.</exception>
        public void SetDense(ReadOnlySpan<float> kernel, ReadOnlySpan<float> bias)
        {
            if (!_model.HasHead)
            {
                throw new WeightFileException($"The model has no head for a Dense layer ({WeightFile.ModelShape(_model)}).");
            }

            CheckLength("the kernel of the Dense layer", kernel, RecurrentCells.LayerOutputSize(_model), _model.OutputSize);
            KerasLayout.AddHead(_tensors, _model, kernel, Bias("the bias of the Dense layer", bias, _model.OutputSize, _config.DenseUseBias));
            _denseSet = true;
        }

        /// <summary>Sets every tensor of the model at once, once every layer (and the head) has been given.</summary>
        /// <exception cref="WeightFileException">A layer or the head was not given; the model is left as it was.</exception>
        public void Apply()
        {
            int missing = Array.IndexOf(_lstmSet, false);
            if (missing >= 0)
            {
                if (_directions == 1)
                {
                    throw new WeightFileException($"{CellName(_model)} layer {missing} was not given ({Setter(_model)}); the model has {_model.Layers} ({WeightFile.ModelShape(_model)}).");
                }

                throw new WeightFileException($"The {(missing % 2 == 0 ? "forward" : "backward")} direction of layer {missing / 2} was not given (SetLstm or SetGru); the model has {_model.Layers} bidirectional layers ({WeightFile.ModelShape(_model)}).");
            }

            if (_model.HasHead && !_denseSet)
            {
                throw new WeightFileException($"The Dense head was not given (SetDense); the model has OutputSize = {_model.OutputSize}.");
            }

            WeightFile.Apply(_model, KerasLayout.Stage(_model, _tensors, "Keras' layout"));
        }

        /// <summary>Loads Keras weights from the safetensors file at <paramref name="path"/> (names as described on <see cref="KerasWeights"/>).</summary>
        /// <exception cref="WeightFileException">The file does not fit the model; the message starts with the path and names the tensor.</exception>
        public static void Load(ISequenceModel model, string path, KerasLstmConfig? config = null)
        {
            ArgumentNullException.ThrowIfNull(model);
            SafeTensorsFile file = SafeTensorsFile.Read(path);
            try
            {
                Load(model, file, config);
            }
            catch (WeightFileException exception)
            {
                throw new WeightFileException($"{path}: {exception.Message}", exception.TensorName, exception);
            }
        }

        /// <summary>Loads Keras weights from a read safetensors file.</summary>
        /// <exception cref="WeightFileException">The file does not fit the model; the message names the tensor.</exception>
        public static void Load(ISequenceModel model, SafeTensorsFile file, KerasLstmConfig? config = null)
        {
            ArgumentNullException.ThrowIfNull(model);
            ArgumentNullException.ThrowIfNull(file);
            var keras = new KerasWeights(model, config);
            var layers = new Dictionary<string, Dictionary<string, SafeTensorsEntry>>(StringComparer.Ordinal);
            foreach (SafeTensorsEntry entry in file.Entries)
            {
                (string layer, string variable) = Split(entry.Name);
                if (!layers.TryGetValue(layer, out Dictionary<string, SafeTensorsEntry>? variables))
                {
                    layers.Add(layer, variables = new Dictionary<string, SafeTensorsEntry>(StringComparer.Ordinal));
                }

                if (variables.ContainsKey(variable))
                {
                    throw new WeightFileException($"The tensors '{MessageText.Name(variables[variable].Name)}' and '{MessageText.Name(entry.Name)}' are both the {variable} of the Keras layer '{MessageText.Name(layer)}'.", entry.Name);
                }

                variables.Add(variable, entry);
            }

            var lstms = layers.Where(l => l.Value.ContainsKey("recurrent_kernel")).ToList();
            var denses = layers.Where(l => !l.Value.ContainsKey("recurrent_kernel")).ToList();
            bool bidirectional = RecurrentCells.IsBidirectional(model);
            KeyValuePair<string, Dictionary<string, SafeTensorsEntry>>? direction = lstms.Where(l => KerasBidirectional.Split(l.Key) is not null).Select(l => (KeyValuePair<string, Dictionary<string, SafeTensorsEntry>>?)l).FirstOrDefault();
            if (!bidirectional && direction is { } sublayer)
            {
                throw new WeightFileException($"The Keras layer '{MessageText.Name(sublayer.Key)}' is a direction of a Bidirectional layer, but the model is not bidirectional ({WeightFile.ModelShape(model)}): generate it with Bidirectional = true.", sublayer.Value.Values.First().Name);
            }

            if (bidirectional)
            {
                KerasBidirectional.Load(keras, model, file, lstms, config);
                CheckDenseCount(model, denses);
                LoadHead(keras, model, file, denses, config);
                keras.Apply();
                return;
            }

            if (lstms.Count != model.Layers)
            {
                throw new WeightFileException($"The file has {lstms.Count} Keras {CellName(model)} layer{(lstms.Count == 1 ? string.Empty : "s")} ({(lstms.Count == 0 ? "none" : MessageText.List(lstms, l => $"'{MessageText.Name(l.Key)}'"))}), but the model has {model.Layers} ({WeightFile.ModelShape(model)}).");
            }

            CheckDenseCount(model, denses);

            var ordered = lstms.Select(l => (Number: AutoNumber(l.Key), Layer: l)).OrderBy(l => l.Number).ToList();
            for (int i = 1; i < ordered.Count; i++)
            {
                if (ordered[i].Number < 0 || ordered[i].Number == ordered[i - 1].Number || ordered[0].Number < 0)
                {
                    throw new WeightFileException($"The Keras {CellName(model)} layers {MessageText.List(lstms, l => $"'{MessageText.Name(l.Key)}'")} do not order by Keras' numbering ({KerasName(model)}, {KerasName(model)}_1, {KerasName(model)}_2, ...); name them so, or load them with {Setter(model)}.");
                }
            }

            for (int layer = 0; layer < ordered.Count; layer++)
            {
                SetLayer(keras, model, file, layer, backward: false, ordered[layer].Layer, config);
            }

            LoadHead(keras, model, file, denses, config);
            keras.Apply();
        }

        /// <summary>Sets one direction of a recurrent layer from its Keras variables (an LSTM's kernel, recurrent kernel and bias; a GRU's bias [2, 3H]).</summary>
        internal static void SetLayer(KerasWeights keras, ISequenceModel model, SafeTensorsFile file, int layer, bool backward, KeyValuePair<string, Dictionary<string, SafeTensorsEntry>> source, KerasLstmConfig? config)
        {
            bool gru = RecurrentCells.Of(model) == RecurrentCell.Gru;
            int gates = (gru ? 3 : 4) * model.HiddenSize;
            Dictionary<string, SafeTensorsEntry> variables = source.Value;
            CheckVariables(source.Key, variables, config?.UseBias ?? true, "kernel", "recurrent_kernel");
            float[] kernel = Read(file, variables["kernel"], KerasLayout.LayerInputs(model, layer), gates);
            float[] recurrent = Read(file, variables["recurrent_kernel"], model.HiddenSize, gates);
            if (!gru)
            {
                float[] bias = variables.TryGetValue("bias", out SafeTensorsEntry? b) ? Read(file, b, -1, gates) : Array.Empty<float>();
                keras.SetLstm(layer, backward, kernel, recurrent, bias);
                return;
            }

            // A GRU's bias, reset_after = True: [2, 3H], the input bias and the recurrent one.
            float[] gruBias = Array.Empty<float>();
            if (variables.TryGetValue("bias", out SafeTensorsEntry? gb))
            {
                if (gb.Shape.Count == 1 && gb.Shape[0] == gates)
                {
                    throw new WeightFileException($"The tensor '{MessageText.Name(gb.Name)}' has shape {gb.ShapeText}: a Keras GRU with reset_after = False, which the model (PyTorch's nn.GRU, reset_after = True, a bias [2, {gates}]) does not compute.", gb.Name);
                }

                gruBias = Read(file, gb, 2, gates);
            }

            keras.SetGru(layer, backward, kernel, recurrent, gruBias);
        }

        /// <summary>Refuses a file whose layers other than the recurrent ones are not the model's one Dense head (or none).</summary>
        private static void CheckDenseCount(ISequenceModel model, List<KeyValuePair<string, Dictionary<string, SafeTensorsEntry>>> denses)
        {
            if (denses.Count != (model.HasHead ? 1 : 0))
            {
                throw new WeightFileException($"The file has {denses.Count} Keras layer{(denses.Count == 1 ? string.Empty : "s")} other than LSTM ({(denses.Count == 0 ? "none" : MessageText.List(denses, l => $"'{MessageText.Name(l.Key)}'"))}), but the model has {(model.HasHead ? "one Dense head" : "no head")} ({WeightFile.ModelShape(model)}).");
            }
        }

        /// <summary>Sets the Dense head from its Keras variables, for a model with a head.</summary>
        private static void LoadHead(KerasWeights keras, ISequenceModel model, SafeTensorsFile file, List<KeyValuePair<string, Dictionary<string, SafeTensorsEntry>>> denses, KerasLstmConfig? config)
        {
            if (model.HasHead)
            {
                Dictionary<string, SafeTensorsEntry> variables = denses[0].Value;
                CheckVariables(denses[0].Key, variables, config?.DenseUseBias ?? true, "kernel");
                float[] kernel = Read(file, variables["kernel"], RecurrentCells.LayerOutputSize(model), model.OutputSize);
                float[] bias = variables.TryGetValue("bias", out SafeTensorsEntry? b) ? Read(file, b, -1, model.OutputSize) : Array.Empty<float>();
                keras.SetDense(kernel, bias);
            }

        }

        /// <summary>"LSTM" or "GRU": the model's cell, as messages name it.</summary>
        private static string CellName(ISequenceModel model) => RecurrentCells.Of(model) == RecurrentCell.Gru ? "GRU" : "LSTM";

        /// <summary>Keras' automatic name of the model's layers: <c>lstm</c> or <c>gru</c>.</summary>
        private static string KerasName(ISequenceModel model) => RecurrentCells.Of(model) == RecurrentCell.Gru ? "gru" : "lstm";

        /// <summary>The method that sets one of the model's layers: SetLstm or SetGru.</summary>
        private static string Setter(ISequenceModel model) => RecurrentCells.Of(model) == RecurrentCell.Gru ? "SetGru" : "SetLstm";

        private static void CheckConfig(ISequenceModel model, KerasLstmConfig config)
        {
            if (!config.ResetAfter && RecurrentCells.Of(model) == RecurrentCell.Gru)
            {
                throw new WeightFileException("The Keras GRU has reset_after = False (r applied before W_hn), which the model (PyTorch's nn.GRU: r scales W_hn h + b_hn, Keras' reset_after = True) does not compute.");
            }

            if (config.Activation != "tanh")
            {
                throw new WeightFileException($"The Keras {CellName(model)} activation '{MessageText.Name(config.Activation ?? "null")}' is not supported: the model (PyTorch's nn.{CellName(model)}) computes tanh only.");
            }

            if (config.RecurrentActivation != "sigmoid")
            {
                throw new WeightFileException($"The Keras {CellName(model)} recurrent_activation '{MessageText.Name(config.RecurrentActivation ?? "null")}' is not supported: the model (PyTorch's nn.{CellName(model)}) computes sigmoid only (Keras 2's default before 2.3 was hard_sigmoid).");
            }

            if (config.GoBackwards)
            {
                throw new WeightFileException($"The Keras {CellName(model)} has go_backwards = True, which the model does not compute: it reads the sequence forwards.");
            }

            if (model.HasHead)
            {
                Activation? activation = KerasLayout.HeadActivation(config.DenseActivation ?? "null");
                if (activation != model.OutputActivation)
                {
                    string reason = activation is null ? "which LstmGen does not support" : $"but the model's OutputActivation is {model.OutputActivation}";
                    throw new WeightFileException($"The Keras Dense activation '{MessageText.Name(config.DenseActivation ?? "null")}' is not the model's: {reason} (linear, sigmoid, tanh or softmax).");
                }
            }
        }

        private static void CheckLength(string what, ReadOnlySpan<float> values, int rows, int columns)
        {
            int actual = values.Length;
            if (actual != rows * columns)
            {
                throw new WeightFileException($"{char.ToUpperInvariant(what[0])}{what.Substring(1)} has {actual} values, but the model expects [{rows}, {columns}] ({rows * columns} values).");
            }

            CheckFinite(what, values);
        }

        private static void CheckFinite(string what, ReadOnlySpan<float> values)
        {
            for (int i = 0; i < values.Length; i++)
            {
                if (!float.IsFinite(values[i]))
                {
                    throw new WeightFileException($"{char.ToUpperInvariant(what[0])}{what.Substring(1)} has {values[i].ToString(CultureInfo.InvariantCulture)} at index {i}; the model takes finite weights only.");
                }
            }
        }

        private static float[]? Bias(string what, ReadOnlySpan<float> bias, int length, bool useBias)
        {
            if (!useBias)
            {
                if (bias.Length != 0)
                {
                    throw new WeightFileException($"{char.ToUpperInvariant(what[0])}{what.Substring(1)} has {bias.Length} values, but use_bias is False (pass no bias).");
                }

                return null;
            }

            if (bias.Length != length)
            {
                throw new WeightFileException($"{char.ToUpperInvariant(what[0])}{what.Substring(1)} has {bias.Length} values, but the model expects [{length}].");
            }

            CheckFinite(what, bias);
            return bias.ToArray();
        }

        private static void CheckVariables(string layer, Dictionary<string, SafeTensorsEntry> variables, bool useBias, params string[] required)
        {
            foreach (string name in required.Concat(useBias ? new[] { "bias" } : Array.Empty<string>()))
            {
                if (!variables.ContainsKey(name))
                {
                    throw new WeightFileException($"The Keras layer '{MessageText.Name(layer)}' has no {name} (it has {MessageText.List(variables.Values, e => $"'{MessageText.Name(e.Name)}'")}).");
                }
            }

            foreach (KeyValuePair<string, SafeTensorsEntry> variable in variables)
            {
                if (!required.Contains(variable.Key) && variable.Key != "bias")
                {
                    throw new WeightFileException($"The tensor '{MessageText.Name(variable.Value.Name)}' is not a Keras LSTM or Dense weight (kernel, recurrent_kernel, bias).", variable.Value.Name);
                }
            }

            if (!useBias && variables.TryGetValue("bias", out SafeTensorsEntry? bias))
            {
                throw new WeightFileException($"The tensor '{MessageText.Name(bias.Name)}' is a bias, but use_bias is False.", bias.Name);
            }
        }

        /// <summary>A tensor of shape [rows, columns] (rows &lt; 0: a vector [columns]), as floats.</summary>
        private static float[] Read(SafeTensorsFile file, SafeTensorsEntry entry, int rows, int columns)
        {
            IReadOnlyList<long> shape = entry.Shape;
            bool fits = rows < 0
                ? shape.Count == 1 && shape[0] == columns
                : shape.Count == 2 && shape[0] == rows && shape[1] == columns;
            if (!fits)
            {
                string expected = rows < 0 ? $"[{columns}]" : $"[{rows}, {columns}]";
                throw new WeightFileException($"The tensor '{MessageText.Name(entry.Name)}' has shape {entry.ShapeText}, but the model expects {expected} (Keras' layout).", entry.Name);
            }

            if (!SafeTensorsFile.ConvertsToSingle(entry.DType))
            {
                throw new WeightFileException($"The tensor '{MessageText.Name(entry.Name)}' has dtype {entry.DType.GetName()}, which does not convert to float.", entry.Name);
            }

            float[] values = new float[entry.ElementCount];
            file.ReadSingles(entry, values);
            CheckFinite($"the tensor '{MessageText.Name(entry.Name)}'", values);
            return values;
        }

        /// <summary>The Keras layer and variable a tensor name stands for.</summary>
        internal static (string Layer, string Variable) Split(string name)
        {
            string path = name;
            int colon = path.LastIndexOf(':');
            if (colon >= 0 && colon < path.Length - 1 && path.Substring(colon + 1).All(char.IsDigit))
            {
                path = path.Substring(0, colon);
            }

            var parts = path.Split('/').ToList();
            string variable = parts[parts.Count - 1];
            parts.RemoveAt(parts.Count - 1);
            bool numbered = parts.Count > 0 && parts[parts.Count - 1] == "vars";
            if (numbered)
            {
                parts.RemoveAt(parts.Count - 1);
            }

            bool cell = parts.Count > 1 && (parts[parts.Count - 1] == "lstm_cell" || parts[parts.Count - 1] == "gru_cell" || parts[parts.Count - 1] == "cell");
            if (cell)
            {
                parts.RemoveAt(parts.Count - 1);
            }

            if (numbered)
            {
                // Keras 3's .weights.h5: an LSTM's cell/vars/0, 1, 2; a Dense layer's vars/0, 1.
                variable = (variable, cell) switch
                {
                    ("0", _) => "kernel",
                    ("1", true) => "recurrent_kernel",
                    ("1", false) or ("2", true) => "bias",
                    _ => variable,
                };
            }

            return (string.Join("/", parts), variable);
        }

        /// <summary>Keras' automatic number of a layer: 0 for <c>lstm</c>, N for <c>lstm_N</c>; -1 when the name has none.</summary>
        internal static int AutoNumber(string layer)
        {
            string last = layer.Substring(layer.LastIndexOf('/') + 1);
            int underscore = last.LastIndexOf('_');
            if (underscore >= 0 && int.TryParse(last.Substring(underscore + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int number))
            {
                return number;
            }

            return last.Length > 0 ? 0 : -1;
        }
    }
}
