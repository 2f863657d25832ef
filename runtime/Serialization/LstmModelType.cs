using System;
using System.Collections.Generic;

namespace LstmGen.Serialization
{
    /// <summary>
    /// One <c>[Lstm]</c> class of an assembly, as its generated <c>LstmModels</c> registry lists it: its type, its
    /// tensors and a factory (no reflection, so trimming and NativeAOT keep working).
    /// </summary>
    public sealed class LstmModelType
    {
        private readonly Func<ISequenceModel> _create;

        /// <summary>Describes a model type; the generated registry calls this.</summary>
        /// <param name="type">The model class.</param>
        /// <param name="tensors">Its tensors (the class's static <c>Tensors</c>).</param>
        /// <param name="outputActivation">Its output activation.</param>
        /// <param name="loss">Its loss.</param>
        /// <param name="create">Creates an instance (<c>() =&gt; new Model()</c>).</param>
        public LstmModelType(Type type, IReadOnlyList<TensorInfo> tensors, Activation outputActivation, LossFunction loss, Func<ISequenceModel> create)
        {
            ArgumentNullException.ThrowIfNull(type);
            ArgumentNullException.ThrowIfNull(tensors);
            ArgumentNullException.ThrowIfNull(create);
            Type = type;
            Tensors = tensors;
            OutputActivation = outputActivation;
            Loss = loss;
            _create = create;
        }

        /// <summary>The model class.</summary>
        public Type Type { get; }

        /// <summary>Its tensors, named and shaped as PyTorch's state_dict has them.</summary>
        public IReadOnlyList<TensorInfo> Tensors { get; }

        /// <summary>Its output activation.</summary>
        public Activation OutputActivation { get; }

        /// <summary>Its loss.</summary>
        public LossFunction Loss { get; }

        /// <summary>A new instance, as its parameterless constructor makes it.</summary>
        public ISequenceModel Create() => _create();

        /// <inheritdoc/>
        public override string ToString() => Type.FullName ?? Type.Name;
    }
}
