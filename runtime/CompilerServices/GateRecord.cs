using System.ComponentModel;

namespace LstmGen.CompilerServices
{
    /// <summary>
    /// Whether a generated layer kernel records its gate activations for the backward pass. The
    /// kernels are generic over it, so the JIT compiles one version for inference (no stores) and
    /// one for training from the same code, and drops the branch that does not apply.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public interface IGateRecord
    {
        /// <summary>Whether the kernel stores every gate activation into its record.</summary>
        static abstract bool IsEnabled { get; }
    }

    /// <summary>Inference: the gates stay in registers.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public readonly struct NoGateRecord : IGateRecord
    {
        /// <inheritdoc/>
        public static bool IsEnabled => false;
    }

    /// <summary>Training: the gates are stored for the backward pass.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public readonly struct RecordGates : IGateRecord
    {
        /// <inheritdoc/>
        public static bool IsEnabled => true;
    }
}
