using System;
using System.Linq;
using LstmGen.Serialization;
using LstmGen.Tests.Reference;
using LstmGen.Training;
using Xunit;

namespace LstmGen.Tests.Serialization
{
    /// <summary>Training that stops at a checkpoint and resumes in a new process ends exactly where it would have.</summary>
    public sealed class CheckpointResumeTests
    {
        public static TheoryData<string> Optimizers => new() { "Sgd", "Adam", "AdamW", "RmsProp" };

        private static IOptimizer Create(string kind) => kind switch
        {
            "Sgd" => new Sgd(0.05f, momentum: 0.9f, nesterov: true),
            "Adam" => new Adam(0.01f),
            "AdamW" => new AdamW(0.01f),
            _ => new RmsProp(0.01f, momentum: 0.5f, centered: true),
        };

        [Theory]
        [MemberData(nameof(Optimizers))]
        public void ResumingFromACheckpointGivesTheSameBitsAsNotStopping(string kind)
        {
            ReferenceCase reference = ReferenceCase.Load("stacked");
            float[] targets = reference.Target.ToSingle();
            const int before = 4;
            const int after = 3;

            // Uninterrupted.
            var straight = new StackedModel(seed: 0);
            reference.LoadInto(straight);
            IOptimizer straightOptimizer = Create(kind);
            for (int step = 0; step < before + after; step++)
            {
                Train(straight, straightOptimizer, reference.Input, targets);
            }

            // Stopped after a few steps, saved, and resumed by a new model and optimizer.
            var first = new StackedModel(seed: 0);
            reference.LoadInto(first);
            IOptimizer firstOptimizer = Create(kind);
            for (int step = 0; step < before; step++)
            {
                Train(first, firstOptimizer, reference.Input, targets);
            }

            using var directory = new TemporaryDirectory();
            string path = directory.File("checkpoint.safetensors");
            WeightFile.SaveCheckpoint(first, firstOptimizer.GetState(), path);

            var resumed = new StackedModel(seed: 99);
            IOptimizer resumedOptimizer = Create(kind);
            resumedOptimizer.SetState(WeightFile.LoadCheckpoint(resumed, path));
            Assert.Equal(before, resumedOptimizer.StepCount);
            for (int step = 0; step < after; step++)
            {
                Train(resumed, resumedOptimizer, reference.Input, targets);
            }

            Assert.Equal(straight.Parameters.ToArray(), resumed.Parameters.ToArray());
            Assert.Equal(straightOptimizer.StepCount, resumedOptimizer.StepCount);
        }

        private static void Train(ILstmModel model, IOptimizer optimizer, float[] inputs, float[] targets)
        {
            model.ZeroGradients();
            model.ResetState();
            model.AccumulateGradients(inputs, targets);
            GradientClipping.ClipByGlobalNorm(model.Gradients, maxNorm: 0.5f);
            optimizer.Step(model.Parameters, model.Gradients);
        }
    }
}
