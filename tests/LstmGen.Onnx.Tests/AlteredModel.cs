using System.Collections.Generic;
using LstmGen.Tests.Support;

namespace LstmGen.Onnx.Tests
{
    /// <summary>A generated model that reports other tensors or another output activation, for the exporter's refusals.</summary>
    internal sealed class AlteredModel : DelegatingModel
    {
        private readonly IReadOnlyList<TensorInfo>? _tensors;
        private readonly Activation? _outputActivation;

        public AlteredModel(ILstmModel model, IReadOnlyList<TensorInfo>? tensors = null, Activation? outputActivation = null)
            : base(model)
        {
            _tensors = tensors;
            _outputActivation = outputActivation;
        }

        public override IReadOnlyList<TensorInfo> Tensors => _tensors ?? Inner.Tensors;

        public override Activation OutputActivation => _outputActivation ?? Inner.OutputActivation;
    }
}
