using System;
using System.Collections.Generic;
using LstmGen;
using LstmGen.Training;

namespace LstmGen.Tests.Reference
{
    // The shapes of the PyTorch cases of dropout in training (Reference/dropout/make_dropout_cases.py).
    [Lstm(InputSize = 4, HiddenSize = 6, Layers = 3, OutputSize = 2, Dropout = 0.4)]
    internal partial class DropoutLstmReferenceModel
    {
    }

    [Gru(InputSize = 3, HiddenSize = 7, Layers = 2, OutputSize = 2, Dropout = 0.25)]
    internal partial class DropoutGruReferenceModel
    {
    }

    /// <summary>
    /// AccumulateGradients on the dropout cases, with the cases' masks: its largest difference from PyTorch (the loss,
    /// every parameter's gradient and the input's) and a digest of its bits, which every path must share.
    /// </summary>
    internal static class DropoutCases
    {
        public static readonly IReadOnlyDictionary<string, Func<ILstmModel>> ByName = new Dictionary<string, Func<ILstmModel>>
        {
            ["dropout-lstm"] = () => new DropoutLstmReferenceModel(seed: 1),
            ["dropout-gru"] = () => new DropoutGruReferenceModel(seed: 1),
        };

        public static (double Error, string Digest) Run(string name)
        {
            ReferenceCase reference = ReferenceCase.Load(name);
            ILstmModel model = ByName[name]();
            reference.LoadInto(model);
            model.ResetState();
            ((IDropoutModel)model).DropoutSeed = reference.DropoutSeed;
            float[] inputGradients = new float[reference.Input.Length];
            int cellLength = model is DropoutLstmReferenceModel ? model.Layers * model.HiddenSize : 0;
            float loss = model.AccumulateGradients(reference.Input, reference.Target.ToSingle(), inputGradients, new float[model.Layers * model.HiddenSize], new float[cellLength]);

            double error = Math.Abs(loss - reference.ExpectedLoss);
            foreach (TensorInfo tensor in model.Tensors)
            {
                float[] gradient = new float[tensor.Length];
                model.GetGradient(tensor.Name, gradient);
                error = Math.Max(error, ReferenceComparison.MaxAbsoluteError(gradient, reference.Gradients[tensor.Name].Data));
            }

            error = Math.Max(error, ReferenceComparison.MaxAbsoluteError(inputGradients, reference.Gradients["input"].Data));
            return (error, ReferenceComparison.Digest(new[] { loss }, model.Gradients.ToArray(), inputGradients));
        }
    }
}
