using System;
using System.Collections.Generic;
using System.Linq;

namespace LstmGen
{
    /// <summary>
    /// A named tensor of a model, as PyTorch names and shapes it (for example
    /// <c>lstm.weight_ih_l0</c> of shape [4 * HiddenSize, InputSize]).
    /// </summary>
    public sealed class TensorInfo : IEquatable<TensorInfo>
    {
        private readonly int[] _shape;

        /// <summary>Creates the description of a tensor.</summary>
        /// <param name="name">PyTorch's state_dict name.</param>
        /// <param name="shape">PyTorch's shape, row-major.</param>
        /// <param name="offset">Where the tensor's values start in the model's parameter vector.</param>
        public TensorInfo(string name, int[] shape, int offset)
        {
            ArgumentNullException.ThrowIfNull(name);
            ArgumentNullException.ThrowIfNull(shape);
            ArgumentOutOfRangeException.ThrowIfNegative(offset);
            Name = name;
            _shape = (int[])shape.Clone();
            int length = 1;
            foreach (int dimension in _shape)
            {
                ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimension, nameof(shape));
                length = checked(length * dimension);
            }

            Length = length;
            Offset = offset;
        }

        /// <summary>PyTorch's state_dict name, for example <c>lstm.weight_hh_l1</c> or <c>head.bias</c>.</summary>
        public string Name { get; }

        /// <summary>PyTorch's shape (row-major).</summary>
        public IReadOnlyList<int> Shape => _shape;

        /// <summary>The number of elements.</summary>
        public int Length { get; }

        /// <summary>
        /// Where this tensor's <see cref="Length"/> values start in <see cref="ISequenceModel.Parameters"/>.
        /// Inside that range the model keeps its own (packed) layout; use
        /// <see cref="ISequenceModel.GetTensor"/> and <see cref="ISequenceModel.SetTensor"/> for PyTorch's.
        /// </summary>
        public int Offset { get; }

        /// <summary>The shape as PyTorch prints it, for example <c>[128, 8]</c>.</summary>
        public string ShapeText => "[" + string.Join(", ", _shape) + "]";

        /// <inheritdoc/>
        public bool Equals(TensorInfo? other) =>
            other is not null && Name == other.Name && Offset == other.Offset && _shape.AsSpan().SequenceEqual(other._shape);

        /// <inheritdoc/>
        public override bool Equals(object? obj) => Equals(obj as TensorInfo);

        /// <inheritdoc/>
        public override int GetHashCode() => HashCode.Combine(Name, Length, Offset);

        /// <inheritdoc/>
        public override string ToString() => $"{Name} {ShapeText}";

        internal static string ListNames(IEnumerable<TensorInfo> tensors) => string.Join(", ", tensors.Select(t => t.Name));
    }
}
