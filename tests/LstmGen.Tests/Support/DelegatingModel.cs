using System;
using System.Collections.Generic;

namespace LstmGen.Tests.Support
{
    /// <summary>
    /// A model that passes every member to a generated one; a test overrides what it alters (a tensor that fails,
    /// the tensors or the activation reported), as a hand-written <see cref="ILstmModel"/> might. Also compiled
    /// into tests/LstmGen.Onnx.Tests.
    /// </summary>
    internal abstract class DelegatingModel : ILstmModel
    {
        protected DelegatingModel(ILstmModel inner) => Inner = inner;

        protected ILstmModel Inner { get; }

        public virtual int InputSize => Inner.InputSize;

        public virtual int HiddenSize => Inner.HiddenSize;

        public virtual int Layers => Inner.Layers;

        public virtual int OutputSize => Inner.OutputSize;

        public virtual bool HasHead => Inner.HasHead;

        public virtual Activation OutputActivation => Inner.OutputActivation;

        public virtual LossFunction Loss => Inner.Loss;

        public virtual int ParameterCount => Inner.ParameterCount;

        public virtual IReadOnlyList<TensorInfo> Tensors => Inner.Tensors;

        public virtual Span<float> Parameters => Inner.Parameters;

        public virtual WeightPrecision WeightPrecision => Inner.WeightPrecision;

        public virtual Span<float> Gradients => Inner.Gradients;

        public virtual void SetTensor(string name, ReadOnlySpan<float> values) => Inner.SetTensor(name, values);

        public virtual void GetTensor(string name, Span<float> destination) => Inner.GetTensor(name, destination);

        public virtual void ResetState() => Inner.ResetState();

        public virtual void SetState(ReadOnlySpan<float> hidden, ReadOnlySpan<float> cell) => Inner.SetState(hidden, cell);

        public virtual void GetState(Span<float> hidden, Span<float> cell) => Inner.GetState(hidden, cell);

        public virtual bool IsStateFinite() => Inner.IsStateFinite();

        public virtual void Step(ReadOnlySpan<float> input, Span<float> output) => Inner.Step(input, output);

        public virtual void Forward(ReadOnlySpan<float> inputs, Span<float> outputs) => Inner.Forward(inputs, outputs);

        public virtual void ZeroGradients() => Inner.ZeroGradients();

        public virtual void TrimBuffers() => Inner.TrimBuffers();

        public virtual void GetGradient(string name, Span<float> destination) => Inner.GetGradient(name, destination);

        public virtual float AccumulateGradients(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets) => Inner.AccumulateGradients(inputs, targets);

        public virtual float AccumulateGradients(
            ReadOnlySpan<float> inputs,
            ReadOnlySpan<float> targets,
            Span<float> inputGradients,
            Span<float> initialHiddenGradients,
            Span<float> initialCellGradients) =>
            Inner.AccumulateGradients(inputs, targets, inputGradients, initialHiddenGradients, initialCellGradients);
    }
}
