using System.Collections.Generic;
using LstmGen.Tests.Support;

namespace LstmGen.Onnx.Tests
{
    /// <summary>A generated model that reports other tensors, another output activation or another hidden size, for the exporter's refusals.</summary>
    internal sealed class AlteredModel : DelegatingModel
    {
        private readonly IReadOnlyList<TensorInfo>? _tensors;
        private readonly Activation? _outputActivation;
        private readonly int? _hiddenSize;

        public AlteredModel(ILstmModel model, IReadOnlyList<TensorInfo>? tensors = null, Activation? outputActivation = null, int? hiddenSize = null)
            : base(model)
        {
            _tensors = tensors;
            _outputActivation = outputActivation;
            _hiddenSize = hiddenSize;
        }

        public override int HiddenSize => _hiddenSize ?? Inner.HiddenSize;

        public override IReadOnlyList<TensorInfo> Tensors => _tensors ?? Inner.Tensors;

        public override Activation OutputActivation => _outputActivation ?? Inner.OutputActivation;
    }
}
