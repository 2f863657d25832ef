using System;
using System.Collections.Generic;

namespace LstmGen.Onnx.Tests
{
    /// <summary>
    /// A model that reports other tensors or another output activation than the generated model it wraps
    /// (as a hand-written <see cref="ILstmModel"/> might), for the exporter's refusals. Everything else is the
    /// wrapped model's.
    /// </summary>
    internal sealed class AlteredModel : ILstmModel
    {
        private readonly ILstmModel _model;

        public AlteredModel(ILstmModel model, IReadOnlyList<TensorInfo>? tensors = null, Activation? outputActivation = null)
        {
            _model = model;
            Tensors = tensors ?? model.Tensors;
            OutputActivation = outputActivation ?? model.OutputActivation;
        }

        public IReadOnlyList<TensorInfo> Tensors { get; }

        public Activation OutputActivation { get; }

        public int InputSize => _model.InputSize;

        public int HiddenSize => _model.HiddenSize;

        public int Layers => _model.Layers;

        public int OutputSize => _model.OutputSize;

        public bool HasHead => _model.HasHead;

        public LossFunction Loss => _model.Loss;

        public int ParameterCount => _model.ParameterCount;

        public Span<float> Parameters => _model.Parameters;

        public Span<float> Gradients => _model.Gradients;

        public void SetTensor(string name, ReadOnlySpan<float> values) => _model.SetTensor(name, values);

        public void GetTensor(string name, Span<float> destination) => _model.GetTensor(name, destination);

        public void ResetState() => _model.ResetState();

        public void SetState(ReadOnlySpan<float> hidden, ReadOnlySpan<float> cell) => _model.SetState(hidden, cell);

        public void GetState(Span<float> hidden, Span<float> cell) => _model.GetState(hidden, cell);

        public bool IsStateFinite() => _model.IsStateFinite();

        public void Step(ReadOnlySpan<float> input, Span<float> output) => _model.Step(input, output);

        public void Forward(ReadOnlySpan<float> inputs, Span<float> outputs) => _model.Forward(inputs, outputs);

        public void ZeroGradients() => _model.ZeroGradients();

        public void TrimBuffers() => _model.TrimBuffers();

        public void GetGradient(string name, Span<float> destination) => _model.GetGradient(name, destination);

        public float AccumulateGradients(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets) => _model.AccumulateGradients(inputs, targets);

        public float AccumulateGradients(
            ReadOnlySpan<float> inputs,
            ReadOnlySpan<float> targets,
            Span<float> inputGradients,
            Span<float> initialHiddenGradients,
            Span<float> initialCellGradients) =>
            _model.AccumulateGradients(inputs, targets, inputGradients, initialHiddenGradients, initialCellGradients);
    }
}
