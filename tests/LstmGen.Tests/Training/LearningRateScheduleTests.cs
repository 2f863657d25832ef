using System;
using LstmGen.Training;
using Xunit;

namespace LstmGen.Tests.Training
{
    /// <summary>The schedules against PyTorch's formulas, computed here independently in double.</summary>
    public sealed class LearningRateScheduleTests
    {
        private static void AssertRate(double expected, float actual, long step)
        {
            double error = Math.Abs(actual - expected) / Math.Max(Math.Abs(expected), 1e-30);
            Assert.True(expected == actual || error <= 1e-6, $"step {step}: {actual:R} computed, {expected:R} expected");
        }

        [Fact]
        public void ConstantIsConstant()
        {
            var schedule = new ConstantSchedule(0.05f);
            Assert.Equal(0.05f, schedule.LearningRate(0));
            Assert.Equal(0.05f, schedule.LearningRate(1_000_000_000_000));
            Assert.Throws<ArgumentOutOfRangeException>(() => schedule.LearningRate(-1));
        }

        [Fact]
        public void StepDecayIsStepLR()
        {
            // PyTorch's StepLR.get_lr(): multiply by gamma whenever last_epoch is a positive multiple of step_size.
            var schedule = new StepDecay(0.1f, stepSize: 3, gamma: 0.5f);
            double rate = 0.1f;
            for (long step = 0; step < 20; step++)
            {
                if (step > 0 && step % 3 == 0)
                {
                    rate *= 0.5;
                }

                AssertRate(rate, schedule.LearningRate(step), step);
            }

            Assert.Equal(0.1f, schedule.LearningRate(2));
            Assert.Equal(0.05f, schedule.LearningRate(3));
            Assert.Equal(0.025f, schedule.LearningRate(6));
        }

        [Fact]
        public void CosineAnnealingIsCosineAnnealingLR()
        {
            // PyTorch's recursive CosineAnnealingLR.get_lr() for 0 < last_epoch <= T_max.
            const double Initial = 0.1f;
            const double Minimum = 0.001f;
            const long Total = 50;
            var schedule = new CosineAnnealing((float)Initial, Total, (float)Minimum);
            double rate = Initial;
            AssertRate(Initial, schedule.LearningRate(0), 0);
            for (long step = 1; step <= Total; step++)
            {
                rate = ((1 + Math.Cos(Math.PI * step / Total)) / (1 + Math.Cos(Math.PI * (step - 1) / Total)) * (rate - Minimum)) + Minimum;
                AssertRate(rate, schedule.LearningRate(step), step);
            }

            Assert.Equal((float)Initial, schedule.LearningRate(0));
            AssertRate((Initial + Minimum) / 2, schedule.LearningRate(Total / 2), Total / 2);
            Assert.Equal((float)Minimum, schedule.LearningRate(Total));
            Assert.Equal((float)Minimum, schedule.LearningRate(Total + 1));
            Assert.Equal((float)Minimum, schedule.LearningRate(10 * Total));
            Assert.Equal(0f, new CosineAnnealing(1f, 4).LearningRate(4));
        }

        [Fact]
        public void LinearWarmupIsLinearLRThenTheInnerSchedule()
        {
            var warmup = new LinearWarmup(new ConstantSchedule(0.1f), warmupSteps: 4, startFactor: 0.25f);
            double[] expected = { 0.025, 0.04375, 0.0625, 0.08125, 0.1, 0.1 };
            for (int step = 0; step < expected.Length; step++)
            {
                AssertRate(expected[step], warmup.LearningRate(step), step);
            }

            // PyTorch's LinearLR default start factor, 1/3, in front of a cosine that starts at the milestone.
            var cosine = new CosineAnnealing(0.2f, 10);
            var schedule = new LinearWarmup(cosine, warmupSteps: 5);
            Assert.Equal(1f / 3f, schedule.StartFactor);
            for (long step = 0; step < 5; step++)
            {
                double factor = (1.0 / 3) + ((1 - (1.0 / 3)) * step / 5);
                AssertRate(0.2f * factor, schedule.LearningRate(step), step);
            }

            for (long step = 5; step < 20; step++)
            {
                Assert.Equal(cosine.LearningRate(step - 5), schedule.LearningRate(step));
            }

            Assert.Equal(0.2f, new LinearWarmup(cosine, 0).LearningRate(0));
        }

        [Fact]
        public void DrivesAnOptimizer()
        {
            var optimizer = new Sgd(1f);
            ILearningRateSchedule schedule = new LinearWarmup(new StepDecay(0.1f, 2, 0.1f), 2, 0.5f);
            float[] parameter = { 0f };
            float[] expected = { 0.05f, 0.075f, 0.1f, 0.1f, 0.01f };
            for (int step = 0; step < expected.Length; step++)
            {
                optimizer.LearningRate = schedule.LearningRate(optimizer.StepCount);
                Assert.Equal(expected[step], optimizer.LearningRate, 7);
                optimizer.Step(parameter, new float[] { 1f });
            }
        }

        [Fact]
        public void RejectsBadArguments()
        {
            Assert.Equal("stepSize", Assert.Throws<ArgumentOutOfRangeException>(() => new StepDecay(0.1f, 0, 0.5f)).ParamName);
            Assert.Equal("gamma", Assert.Throws<ArgumentOutOfRangeException>(() => new StepDecay(0.1f, 1, -0.5f)).ParamName);
            Assert.Equal("initial", Assert.Throws<ArgumentOutOfRangeException>(() => new StepDecay(-0.1f, 1, 0.5f)).ParamName);
            Assert.Equal("totalSteps", Assert.Throws<ArgumentOutOfRangeException>(() => new CosineAnnealing(0.1f, 0)).ParamName);
            Assert.Equal("minimum", Assert.Throws<ArgumentOutOfRangeException>(() => new CosineAnnealing(0.1f, 10, float.NaN)).ParamName);
            Assert.Equal("learningRate", Assert.Throws<ArgumentOutOfRangeException>(() => new ConstantSchedule(-1f)).ParamName);
            Assert.Equal("inner", Assert.Throws<ArgumentNullException>(() => new LinearWarmup(null!, 3)).ParamName);
            Assert.Equal("warmupSteps", Assert.Throws<ArgumentOutOfRangeException>(() => new LinearWarmup(new ConstantSchedule(1f), -1)).ParamName);
            var factor = Assert.Throws<ArgumentOutOfRangeException>(() => new LinearWarmup(new ConstantSchedule(1f), 3, 0f));
            Assert.Equal("startFactor", factor.ParamName);
            Assert.Contains("but is 0.", factor.Message, StringComparison.Ordinal);
            Assert.Throws<ArgumentOutOfRangeException>(() => new StepDecay(0.1f, 1, 0.5f).LearningRate(-1));
            Assert.Throws<ArgumentOutOfRangeException>(() => new LinearWarmup(new ConstantSchedule(1f), 3).LearningRate(-1));
        }
    }
}
