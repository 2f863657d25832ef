namespace LstmGen.Generator.Model
{
    /// <summary>The activation of the head's output; the values match LstmGen.Activation.</summary>
    internal enum OutputActivation
    {
        Linear = 0,
        Sigmoid = 1,
        Tanh = 2,
        Softmax = 3,
    }

    /// <summary>The training loss; the values match LstmGen.LossFunction.</summary>
    internal enum LossKind
    {
        MeanSquaredError = 0,
        CrossEntropy = 1,
    }

    /// <summary>The precision the model's steps read its weights in; the values match LstmGen.WeightPrecision.</summary>
    internal enum WeightPrecision
    {
        Float32 = 0,
        BFloat16 = 1,
    }

    /// <summary>
    /// A type that contains the model class, for example <c>partial class Outer</c>. <see cref="Name"/> is the
    /// name as the compiler knows it (<c>event</c>, not <c>@event</c>); the emitter escapes it.
    /// </summary>
    internal sealed record ContainingType(string Keyword, string Name);

    /// <summary>
    /// What the parser read from one <c>[Lstm]</c> class: plain values only (no symbols, no
    /// syntax, no compilation), so that the incremental pipeline can cache it. Names are as the
    /// compiler knows them, without <c>@</c>: <see cref="Namespace"/> is dotted (<c>class.S</c> for
    /// <c>namespace @class.S</c>), and the emitter escapes each part that is a keyword. <see cref="Weights"/> is
    /// the attribute's weights file as written (the file's contents join the pipeline later, keyed on it);
    /// <see cref="IsAssemblyVisible"/> whether code elsewhere in the assembly can name the class (no private or
    /// protected class on the way), so that the registry can list it. <see cref="WeightPrecision"/> is what the
    /// steps read the weights in; <see cref="Dropout"/> the probability training drops a layer's output with.
    /// </summary>
    internal sealed record ModelSpec(
        string? Namespace,
        EquatableArray<ContainingType> ContainingTypes,
        string TypeName,
        int InputSize,
        int HiddenSize,
        int Layers,
        int HeadSize,
        OutputActivation OutputActivation,
        LossKind Loss,
        string? Weights = null,
        bool IsAssemblyVisible = true,
        WeightPrecision WeightPrecision = WeightPrecision.Float32,
        CellKind Cell = CellKind.Lstm,
        float Dropout = 0f,
        int ProjectionSize = 0,
        bool Bidirectional = false)
    {
        /// <summary>The directions of every layer: 2 for a bidirectional model (forward, then reverse), else 1.</summary>
        public int Directions => Bidirectional ? 2 : 1;

        /// <summary>
        /// Whether each layer projects its output (PyTorch's <c>proj_size</c>, an LSTM's only): h = W_hr (o * tanh(c)) of
        /// <see cref="ProjectionSize"/> values.
        /// </summary>
        public bool HasProjection => ProjectionSize > 0;

        /// <summary>
        /// The width of the hidden state a layer carries from step to step and its gates read (W_hh's columns):
        /// <see cref="ProjectionSize"/> with a projection, else <see cref="HiddenSize"/>.
        /// </summary>
        public int RecurrentWidth => HasProjection ? ProjectionSize : HiddenSize;

        /// <summary>
        /// The width of what a layer outputs per step: the layer above and the head read it, and a step outputs it without a
        /// head (<see cref="RecurrentWidth"/>, or both directions side by side, forward half first, for a bidirectional model).
        /// </summary>
        public int LayerOutputWidth => Directions * RecurrentWidth;

        /// <summary>The width of what layer <paramref name="layer"/> reads per step: the input, or the output of the layer below.</summary>
        public int LayerInputWidth(int layer) => layer == 0 ? InputSize : LayerOutputWidth;

        /// <summary>Whether training drops outputs between layers (<see cref="Dropout"/> &gt; 0 with 2 layers or more).</summary>
        public bool HasDropout => Dropout > 0f && Layers > 1;

        /// <summary>Whether the steps read a bfloat16 copy of the weights (<see cref="WeightPrecision.BFloat16"/>).</summary>
        public bool HasBFloat16Weights => WeightPrecision == WeightPrecision.BFloat16;

        /// <summary>
        /// Whether a size is left to the weights file (<see cref="InputSize"/>, <see cref="HiddenSize"/> or
        /// <see cref="Layers"/> 0, <see cref="HeadSize"/> or <see cref="ProjectionSize"/> -1): the pipeline fills it in before planning.
        /// </summary>
        public bool HasSizesFromFile => InputSize == 0 || HiddenSize == 0 || Layers == 0 || HeadSize < 0 || ProjectionSize < 0;

        /// <summary>Whether the model has a dense head.</summary>
        public bool HasHead => HeadSize > 0;

        /// <summary>What a step outputs: the head's size, or the top layer's output (<see cref="LayerOutputWidth"/>) without a head.</summary>
        public int OutputSize => HasHead ? HeadSize : LayerOutputWidth;

        /// <summary>The full name, for hint names and messages: Namespace.Outer.Model.</summary>
        public string FullName
        {
            get
            {
                string name = TypeName;
                for (int i = ContainingTypes.Count - 1; i >= 0; i--)
                {
                    name = ContainingTypes[i].Name + "." + name;
                }

                return Namespace is null ? name : Namespace + "." + name;
            }
        }

        /// <summary>
        /// The generated file's name: the full name, with any character a hint name may not hold
        /// replaced by '_' and then, so that two models never share one, a hash of the full name.
        /// </summary>
        public string HintName
        {
            get
            {
                string fullName = FullName;
                var safe = new System.Text.StringBuilder(fullName.Length);
                foreach (char c in fullName)
                {
                    safe.Append(c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '_' or '.' ? c : '_');
                }

                if (safe.ToString() != fullName)
                {
                    // FNV-1a: stable across processes and runtimes, unlike string.GetHashCode.
                    uint hash = 2166136261;
                    foreach (char c in fullName)
                    {
                        hash = (hash ^ c) * 16777619;
                    }

                    safe.Append('_').Append(hash.ToString("x8", System.Globalization.CultureInfo.InvariantCulture));
                }

                return safe.Append(Cell == CellKind.Gru ? ".Gru.g.cs" : ".Lstm.g.cs").ToString();
            }
        }
    }
}
