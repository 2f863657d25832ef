using System;

namespace LstmGen
{
    /// <summary>
    /// What <see cref="LstmAttribute"/> and <see cref="GruAttribute"/> share: the sizes, the head's activation, the loss
    /// and the compiled-in weights of a generated model. Each attribute names its cell; the properties mean the same.
    /// </summary>
    public abstract class RecurrentModelAttribute : Attribute
    {
        /// <summary>Features per time step (required, 1 to 8192).</summary>
        public int InputSize { get; set; }

        /// <summary>Units per layer (required, 1 to 1024).</summary>
        public int HiddenSize { get; set; }

        /// <summary>Stacked layers (1 to 16; default 1).</summary>
        public int Layers { get; set; } = 1;

        /// <summary>
        /// Outputs of the dense head (0 to 8192; default 0 = no head: the output of a step is
        /// the last layer's hidden state).
        /// </summary>
        public int OutputSize { get; set; }

        /// <summary>The activation applied to the head's output (default <see cref="Activation.Linear"/>).</summary>
        public Activation OutputActivation { get; set; } = Activation.Linear;

        /// <summary>The loss that training minimises (default <see cref="LossFunction.MeanSquaredError"/>).</summary>
        public LossFunction Loss { get; set; } = LossFunction.MeanSquaredError;

        /// <summary>
        /// The probability (0 &lt;= p &lt; 1; default 0) that training drops each output of a layer below the top, as
        /// PyTorch's <c>dropout</c>: in <c>AccumulateGradients</c> only, the kept outputs scaled by 1 / (1 - p), with masks
        /// from a seeded counter-based generator (<see cref="Training.IDropoutModel.DropoutSeed"/>); Step, Forward and the
        /// group step never drop. It needs 2 layers or more (with 1 it has no effect, and the generator warns).
        /// </summary>
        public double Dropout { get; set; }

        /// <summary>
        /// Whether every layer is bidirectional, as PyTorch's <c>bidirectional=True</c> (default <see langword="false"/>): a
        /// forward direction and a reverse direction that reads the sequence from its last step to its first, each with its
        /// own tensors (<c>weight_ih_l{k}_reverse</c>, ...); a layer outputs [forward h_t, reverse h_t] (2 x HiddenSize per step),
        /// which the layer above and the head read. Such a model runs whole sequences only (<c>Forward</c>,
        /// <c>AccumulateGradients</c>, the Trainer) and implements <see cref="ISequenceModel"/>, not <see cref="ILstmModel"/>:
        /// it has no Step and no State, since the reverse direction needs the future.
        /// </summary>
        public bool Bidirectional { get; set; }

        /// <summary>
        /// A safetensors file whose weights are compiled into the assembly, for example
        /// <c>"models/pilot.safetensors"</c>: the path (relative to the project, <c>/</c> or <c>\</c>) of an
        /// <c>&lt;AdditionalFiles&gt;</c> item. The generator checks every tensor's name, shape and dtype at
        /// compile time (F32, F16, BF16 and F64, converted as <c>Load</c> converts them) and the parameterless
        /// constructor starts from these weights, copied from data in the assembly (no file is read at run
        /// time). The sizes may then be left out: each one not set here is the file's (InputSize from
        /// <c>lstm.weight_ih_l0</c>, or <c>gru.weight_ih_l0</c> for a GRU, HiddenSize from <c>*.weight_hh_l0</c>, Layers
        /// from the count of <c>*.weight_ih_l{k}</c>, OutputSize from <c>head.weight</c>, or no head without one).
        /// </summary>
        public string? Weights { get; set; }
    }
}
