using System;
using System.Collections.Generic;
using System.Globalization;

namespace LstmGen.Serialization
{
    /// <summary>
    /// How <see cref="WeightFile.Load(ISequenceModel, string, WeightLoadOptions?)"/> matches a file's
    /// tensors to the model's, for state_dicts as people write them: prefix renames for modules PyTorch
    /// named differently (an <c>nn.LSTM</c> called <c>rnn</c>, a head called <c>fc</c>), an LSTM split
    /// across several <c>nn.LSTM</c> modules (layer offsets), and whether tensors the model does not
    /// have are an error.
    /// </summary>
    /// <example>
    /// <code>
    /// // self.rnn = nn.LSTM(1, 8); self.rnn2 = nn.LSTM(8, 8, num_layers=3); self.fc = nn.Linear(8, 2); self.dropout_mask = ...
    /// var options = new WeightLoadOptions { IgnoreUnexpected = true }.MapLayers("rnn", 0).MapLayers("rnn2", 1).MapHead("fc");
    /// WeightFile.Load(model, "model.safetensors", options);
    /// </code>
    /// </example>
    public sealed class WeightLoadOptions
    {
        private readonly List<KeyValuePair<string, string>> _prefixes = new();
        private readonly List<LayerMapping> _layers = new();

        // Every mapping in the order it was added: a prefix rename or a layer map.
        private readonly List<object> _mappings = new();

        /// <summary>The prefix renames (<see cref="MapPrefix"/> and <see cref="MapHead"/>), file prefix to model prefix, in the order they were added.</summary>
        public IReadOnlyList<KeyValuePair<string, string>> PrefixMappings => _prefixes;

        /// <summary>The layer maps (<see cref="MapLayers"/>), in the order they were added.</summary>
        public IReadOnlyList<LayerMapping> LayerMappings => _layers;

        /// <summary>
        /// Whether tensors of the file that match none of the model's are skipped (<see langword="true"/>)
        /// or refused (<see langword="false"/>, the default). A layer map that points past the model's last
        /// layer is refused either way.
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
        /// <paramref name="modelPrefix"/> instead. A name takes the first mapping (of this kind, of
        /// <see cref="MapHead"/> or of <see cref="MapLayers"/>) that matches it; names that match none keep their name.
        /// </summary>
        /// <returns>These options, to chain calls.</returns>
        public WeightLoadOptions MapPrefix(string filePrefix, string modelPrefix)
        {
            ArgumentNullException.ThrowIfNull(filePrefix);
            ArgumentNullException.ThrowIfNull(modelPrefix);
            var mapping = new KeyValuePair<string, string>(filePrefix, modelPrefix);
            _prefixes.Add(mapping);
            _mappings.Add(mapping);
            return this;
        }

        /// <summary>
        /// Takes the model's head (<c>head.weight</c>, <c>head.bias</c>) from the file's module
        /// <paramref name="fileModule"/>, for example <c>"fc"</c> for <c>self.fc = nn.Linear(...)</c> or
        /// <c>"decoder.0"</c> for the first module of an <c>nn.Sequential</c> called <c>decoder</c>.
        /// The same as <c>MapPrefix(fileModule + ".", "head.")</c>.
        /// </summary>
        /// <returns>These options, to chain calls.</returns>
        public WeightLoadOptions MapHead(string fileModule) => MapPrefix(ModulePrefix(fileModule, nameof(fileModule)), "head.");

        /// <summary>
        /// Takes consecutive layers of the model from the file's <c>nn.LSTM</c> module
        /// <paramref name="fileModule"/>: its layer <c>k</c> (<c>weight_ih_lk</c>, <c>weight_hh_lk</c>,
        /// <c>bias_ih_lk</c>, <c>bias_hh_lk</c>) is the model's layer <paramref name="firstLayer"/> + k.
        /// For <c>self.lstm = nn.LSTM(1, 8)</c> then <c>self.lstm2 = nn.LSTM(8, 8, num_layers=3)</c> (a
        /// 4-layer model split across two modules), <c>MapLayers("lstm", 0).MapLayers("lstm2", 1)</c>.
        /// Loading refuses a map that gives a layer of the model twice, none at all, or one past its last.
        /// </summary>
        /// <param name="fileModule">The module's name in the state_dict, for example <c>"lstm2"</c> or <c>"encoder.rnn"</c>.</param>
        /// <param name="firstLayer">The model's layer that the module's layer 0 is.</param>
        /// <returns>These options, to chain calls.</returns>
        /// <exception cref="ArgumentException">The module is mapped already.</exception>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="firstLayer"/> is negative.</exception>
        public WeightLoadOptions MapLayers(string fileModule, int firstLayer)
        {
            string prefix = ModulePrefix(fileModule, nameof(fileModule));
            if (firstLayer < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(firstLayer), firstLayer, $"The first layer of MapLayers(\"{fileModule}\", {firstLayer}) is negative; the model's layers count from 0.");
            }

            foreach (LayerMapping existing in _layers)
            {
                if (existing.FilePrefix == prefix)
                {
                    throw new ArgumentException($"The file's module '{existing.FileModule}' is mapped twice: {existing} and MapLayers(\"{fileModule}\", {firstLayer}).", nameof(fileModule));
                }
            }

            var mapping = new LayerMapping(prefix.Substring(0, prefix.Length - 1), firstLayer);
            _layers.Add(mapping);
            _mappings.Add(mapping);
            return this;
        }

        /// <summary>The model's name for a tensor the file calls <paramref name="fileName"/>.</summary>
        public string MapName(string fileName) => Resolve(fileName, out _, out _);

        /// <summary>
        /// The model's name for a tensor the file calls <paramref name="fileName"/>, and the layer map
        /// that gave it (with the model's layer), if one did; a layer map names the model's recurrent module
        /// <paramref name="modelModule"/> (<c>lstm</c>, or <c>gru</c> for a GRU model).
        /// </summary>
        internal string Resolve(string fileName, out LayerMapping? layerMapping, out int modelLayer, string modelModule = "lstm")
        {
            ArgumentNullException.ThrowIfNull(fileName);
            layerMapping = null;
            modelLayer = -1;
            foreach (object mapping in _mappings)
            {
                if (mapping is KeyValuePair<string, string> prefix)
                {
                    if (fileName.StartsWith(prefix.Key, StringComparison.Ordinal))
                    {
                        return string.Concat(prefix.Value, fileName.AsSpan(prefix.Key.Length));
                    }
                }
                else if (mapping is LayerMapping layers && layers.TryMap(fileName, modelModule, out string name, out int layer))
                {
                    layerMapping = layers;
                    modelLayer = layer;
                    return name;
                }
            }

            return fileName;
        }

        /// <summary>The model's layer of one of its tensor names (<c>lstm.weight_ih_l2</c>, <c>gru.weight_ih_l2</c> are layer 2), or -1 for the head.</summary>
        internal static int LayerOf(string modelName) =>
            LayerMapping.SplitLayer(modelName, modelName.IndexOf('.') + 1, out _, out int layer, out _) ? layer : -1;

        private static string ModulePrefix(string fileModule, string parameter)
        {
            ArgumentNullException.ThrowIfNull(fileModule, parameter);
            string module = fileModule.EndsWith(".", StringComparison.Ordinal) ? fileModule.Substring(0, fileModule.Length - 1) : fileModule;
            if (module.Length == 0)
            {
                throw new ArgumentException("The module's name is empty; give it as the state_dict names it, for example \"fc\" or \"lstm2\".", parameter);
            }

            return module + ".";
        }
    }

    /// <summary>
    /// One <see cref="WeightLoadOptions.MapLayers"/>: the file's <c>nn.LSTM</c> module
    /// <see cref="FileModule"/> holds the model's layers from <see cref="FirstLayer"/> on.
    /// </summary>
    public sealed class LayerMapping
    {
        internal LayerMapping(string fileModule, int firstLayer)
        {
            FileModule = fileModule;
            FirstLayer = firstLayer;
        }

        /// <summary>The module's name in the file, for example <c>lstm2</c>.</summary>
        public string FileModule { get; }

        /// <summary>The model's layer that the module's layer 0 is.</summary>
        public int FirstLayer { get; }

        internal string FilePrefix => FileModule + ".";

        /// <summary>The call that made this map, for messages.</summary>
        public override string ToString() => $"MapLayers(\"{FileModule}\", {FirstLayer.ToString(CultureInfo.InvariantCulture)})";

        /// <summary>
        /// <c>lstm2.weight_ih_l0</c> with a first layer of 1 is the model's <c>lstm.weight_ih_l1</c> (<paramref name="modelModule"/>
        /// <c>lstm</c>; a GRU model's is <c>gru</c>).
        /// </summary>
        internal bool TryMap(string fileName, string modelModule, out string modelName, out int modelLayer)
        {
            modelName = fileName;
            modelLayer = -1;
            if (!fileName.StartsWith(FilePrefix, StringComparison.Ordinal)
                || !SplitLayer(fileName, FilePrefix.Length, out string parameter, out int layer, out string suffix)
                || layer > int.MaxValue - FirstLayer)
            {
                return false;
            }

            modelLayer = FirstLayer + layer;
            modelName = $"{modelModule}.{parameter}_l{modelLayer.ToString(CultureInfo.InvariantCulture)}{suffix}";
            return true;
        }

        /// <summary>
        /// Splits <c>weight_ih_l12_reverse</c> (from <paramref name="start"/> on) into its parameter
        /// (<c>weight_ih</c>), layer (12) and what follows the layer (<c>_reverse</c>), as PyTorch names
        /// <c>nn.LSTM</c>'s parameters.
        /// </summary>
        internal static bool SplitLayer(string name, int start, out string parameter, out int layer, out string suffix)
        {
            parameter = string.Empty;
            suffix = string.Empty;
            layer = -1;
            if (start > name.Length)
            {
                return false;
            }

            // The parameter is letters and underscores, the first "_l" followed by a digit ends it.
            for (int i = start; i + 2 < name.Length; i++)
            {
                char c = name[i];
                if (c == '_' && name[i + 1] == 'l' && IsDigit(name[i + 2]))
                {
                    int end = i + 2;
                    while (end < name.Length && IsDigit(name[end]))
                    {
                        end++;
                    }

                    if (i == start || !int.TryParse(name.Substring(i + 2, end - i - 2), NumberStyles.None, CultureInfo.InvariantCulture, out layer))
                    {
                        layer = -1;
                        return false;
                    }

                    parameter = name.Substring(start, i - start);
                    suffix = name.Substring(end);
                    return true;
                }

                if (!(c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')))
                {
                    return false;
                }
            }

            return false;
        }

        private static bool IsDigit(char c) => c >= '0' && c <= '9';
    }
}
