namespace LstmGen.Serialization
{
    /// <summary>
    /// The options of a Keras <c>LSTM</c> layer (and the <c>Dense</c> head) that decide what it computes, named as
    /// Keras names them (<c>layer.get_config()</c>): <see cref="KerasWeights"/> refuses what the model cannot compute.
    /// </summary>
    public sealed record KerasLstmConfig
    {
        /// <summary>Keras' <c>activation</c>; the model computes <c>"tanh"</c> only.</summary>
        public string Activation { get; init; } = "tanh";

        /// <summary>Keras' <c>recurrent_activation</c>; the model computes <c>"sigmoid"</c> only.</summary>
        public string RecurrentActivation { get; init; } = "sigmoid";

        /// <summary>Keras' <c>use_bias</c>; without a bias the model's biases are zero.</summary>
        public bool UseBias { get; init; } = true;

        /// <summary>Keras' <c>unit_forget_bias</c>: it only initialises the bias, which the weights already hold, so either value loads.</summary>
        public bool UnitForgetBias { get; init; } = true;

        /// <summary>
        /// Keras' <c>reset_after</c> of a <c>GRU</c> layer (TF2's default, True: r scales W_hn h + b_hn, as PyTorch's
        /// nn.GRU computes, with a bias [2, 3H]); a GRU model refuses False (r applied before W_hn). LSTM layers have none.
        /// </summary>
        public bool ResetAfter { get; init; } = true;

        /// <summary>Keras' <c>go_backwards</c>; the model reads the sequence forwards only.</summary>
        public bool GoBackwards { get; init; }

        /// <summary>The <c>activation</c> of the Keras <c>Dense</c> head: <c>"linear"</c>, <c>"sigmoid"</c>, <c>"tanh"</c> or <c>"softmax"</c>, as the model's OutputActivation.</summary>
        public string DenseActivation { get; init; } = "linear";

        /// <summary>The <c>use_bias</c> of the Keras <c>Dense</c> head.</summary>
        public bool DenseUseBias { get; init; } = true;
    }
}
