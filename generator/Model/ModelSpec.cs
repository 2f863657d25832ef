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

    /// <summary>A type that contains the model class, for example <c>partial class Outer</c>.</summary>
    internal sealed record ContainingType(string Keyword, string Name);

    /// <summary>
    /// What the parser read from one <c>[Lstm]</c> class: plain values only (no symbols, no
    /// syntax, no compilation), so that the incremental pipeline can cache it.
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
        LossKind Loss)
    {
        /// <summary>Whether the model has a dense head.</summary>
        public bool HasHead => HeadSize > 0;

        /// <summary>What a step outputs: the head's size, or the hidden size without a head.</summary>
        public int OutputSize => HasHead ? HeadSize : HiddenSize;

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
    }
}
