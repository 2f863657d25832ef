using System;
using System.Linq;
using Xunit;

namespace LstmGen.Tests.Training
{
    // Shapes that no reference case has: odd sizes, three layers, every activation, both losses.
    [Lstm(InputSize = 7, HiddenSize = 19, Layers = 3, OutputSize = 5, OutputActivation = Activation.Tanh)]
    internal partial class DeepOddTanhModel
    {
    }

    [Lstm(InputSize = 2, HiddenSize = 6, Layers = 2, OutputActivation = Activation.Sigmoid)]
    internal partial class HeadlessSigmoidModel
    {
    }

    [Lstm(InputSize = 9, HiddenSize = 33, Layers = 2, OutputSize = 4, OutputActivation = Activation.Softmax, Loss = LossFunction.CrossEntropy)]
    internal partial class WideClassifierModel
    {
    }

    [Lstm(InputSize = 5, HiddenSize = 17, OutputSize = 3, OutputActivation = Activation.Softmax)]
    internal partial class SoftmaxSquaredErrorModel
    {
    }

    // GRUs of shapes that no GRU reference case has: three layers of an odd size with a tanh head, and a wide classifier.
    [Gru(InputSize = 7, HiddenSize = 19, Layers = 3, OutputSize = 5, OutputActivation = Activation.Tanh)]
    internal partial class GruDeepOddTanhModel
    {
    }

    [Gru(InputSize = 9, HiddenSize = 40, Layers = 2, OutputSize = 4, OutputActivation = Activation.Softmax, Loss = LossFunction.CrossEntropy)]
    internal partial class GruWideClassifierModel
    {
    }

    // LSTMs with projections of shapes that no projection case has: three layers with a tanh head, a headless model
    // whose projection is one below its hidden size (sigmoid outputs), and dropout between projected layers.
    [Lstm(InputSize = 6, HiddenSize = 23, Layers = 3, OutputSize = 3, OutputActivation = Activation.Tanh, ProjectionSize = 9)]
    internal partial class ProjectionDeepTanhModel
    {
    }

    [Lstm(InputSize = 2, HiddenSize = 18, Layers = 2, OutputActivation = Activation.Sigmoid, ProjectionSize = 17)]
    internal partial class ProjectionHeadlessSigmoidModel
    {
    }

    [Lstm(InputSize = 4, HiddenSize = 10, Layers = 2, OutputSize = 2, ProjectionSize = 3, Dropout = 0.2)]
    internal partial class ProjectionDropoutFiniteModel
    {
    }

    /// <summary>
    /// Checks the gradients of shapes outside the reference cases against central finite differences
    /// of the loss, along random directions in the parameters, the inputs and the initial state.
    /// </summary>
    public sealed class FiniteDifferenceTests
    {
        private const int Steps = 6;
        private const float Epsilon = 1e-2f;

        public static TheoryData<string> Models => new() { "deep-odd-tanh", "headless-sigmoid", "wide-classifier", "softmax-mse", "deep-odd-tanh last", "gru-deep-odd-tanh", "gru-wide-classifier", "gru-deep-odd-tanh last", "dropout-lstm", "dropout-gru", "projection-deep-tanh", "projection-headless-sigmoid", "projection-dropout", "projection-deep-tanh last" };

        private static ILstmModel Create(string name) => name.Split(' ')[0] switch
        {
            "deep-odd-tanh" => new DeepOddTanhModel(seed: 3),
            "headless-sigmoid" => new HeadlessSigmoidModel(seed: 4),
            "wide-classifier" => new WideClassifierModel(seed: 5),
            "gru-deep-odd-tanh" => new GruDeepOddTanhModel(seed: 7),
            "gru-wide-classifier" => new GruWideClassifierModel(seed: 8),
            // Dropout with the masks of a fixed seed: the loss is a smooth function of the parameters, inputs and state.
            "dropout-lstm" => new DropoutLstmModel(seed: 9) { DropoutSeed = 17 },
            "dropout-gru" => new DropoutGruModel(seed: 10) { DropoutSeed = 18 },
            "projection-deep-tanh" => new ProjectionDeepTanhModel(seed: 11),
            "projection-headless-sigmoid" => new ProjectionHeadlessSigmoidModel(seed: 12),
            "projection-dropout" => new ProjectionDropoutFiniteModel(seed: 13) { DropoutSeed = 19 },
            _ => new SoftmaxSquaredErrorModel(seed: 6),
        };

        [Theory]
        [MemberData(nameof(Models))]
        public void GradientsMatchFiniteDifferencesOfTheLoss(string name)
        {
            ILstmModel model = Create(name);
            bool lastStepOnly = name.EndsWith(" last", StringComparison.Ordinal);
            var random = new Random(11);
            float[] inputs = Values(random, Steps * model.InputSize, 1f);
            float[] targets = Targets(random, model, lastStepOnly ? 1 : Steps);
            // The hidden state is as wide as W_hh's columns: HiddenSize, or the projection's size.
            int stateLength = model.Layers * model.Tensors.Single(tensor => tensor.Name.EndsWith(".weight_hh_l0", StringComparison.Ordinal)).Shape[1];

            // A GRU has no cell state: its cell spans are empty.
            int cellLength = RecurrentCells.Of(model) == RecurrentCell.Gru ? 0 : model.Layers * model.HiddenSize;
            float[] hidden = Values(random, stateLength, 0.5f);
            float[] cell = Values(random, cellLength, 0.5f);

            float Loss(float[] x, float[] h, float[] c)
            {
                model.SetState(h, c);
                float[] scratch = new float[x.Length];
                return model.AccumulateGradients(x, targets, scratch, new float[stateLength], new float[cellLength]);
            }

            // The analytic gradients at the point.
            float[] parameters = model.Parameters.ToArray();
            model.ZeroGradients();
            model.SetState(hidden, cell);
            float[] inputGradients = new float[inputs.Length];
            float[] hiddenGradients = new float[stateLength];
            float[] cellGradients = new float[cellLength];
            model.AccumulateGradients(inputs, targets, inputGradients, hiddenGradients, cellGradients);
            float[] parameterGradients = model.Gradients.ToArray();

            for (int trial = 0; trial < 3; trial++)
            {
                // Parameters along a random direction.
                float[] direction = Values(random, parameters.Length, 1f);
                double expected = Dot(parameterGradients, direction);
                double numeric = Central(sign =>
                {
                    Move(parameters, direction, sign * Epsilon).CopyTo(model.Parameters);
                    return Loss(inputs, hidden, cell);
                });
                parameters.CopyTo(model.Parameters);
                AssertClose(expected, numeric, $"{name}: parameters, direction {trial}");

                // The inputs and the initial state along random directions.
                float[] inputDirection = Values(random, inputs.Length, 1f);
                numeric = Central(sign => Loss(Move(inputs, inputDirection, sign * Epsilon), hidden, cell));
                AssertClose(Dot(inputGradients, inputDirection), numeric, $"{name}: inputs, direction {trial}");

                float[] stateDirection = Values(random, stateLength, 1f);
                numeric = Central(sign => Loss(inputs, Move(hidden, stateDirection, sign * Epsilon), cell));
                AssertClose(Dot(hiddenGradients, stateDirection), numeric, $"{name}: initial hidden state, direction {trial}");
                if (cellLength > 0)
                {
                    float[] cellDirection = Values(random, cellLength, 1f);
                    numeric = Central(sign => Loss(inputs, hidden, Move(cell, cellDirection, sign * Epsilon)));
                    AssertClose(Dot(cellGradients, cellDirection), numeric, $"{name}: initial cell state, direction {trial}");
                }
            }
        }

        /// <summary>(f(+eps) - f(-eps)) / (2 eps), from the losses in double.</summary>
        private static double Central(Func<float, float> loss) => ((double)loss(1f) - loss(-1f)) / (2.0 * Epsilon);

        private static void AssertClose(double expected, double numeric, string what)
        {
            // Float losses limit a finite difference to about 1e-7 / eps absolute; curvature adds O(eps^2).
            double tolerance = (2e-2 * Math.Abs(expected)) + 2e-4;
            Assert.True(Math.Abs(expected - numeric) <= tolerance, $"{what}: analytic {expected:E4}, finite difference {numeric:E4}");
        }

        private static float[] Targets(Random random, ILstmModel model, int steps)
        {
            if (model.Loss == LossFunction.CrossEntropy)
            {
                // One-hot rows.
                float[] oneHot = new float[steps * model.OutputSize];
                for (int t = 0; t < steps; t++)
                {
                    oneHot[(t * model.OutputSize) + random.Next(model.OutputSize)] = 1f;
                }

                return oneHot;
            }

            return Values(random, steps * model.OutputSize, 0.9f);
        }

        private static float[] Values(Random random, int count, float scale) =>
            Enumerable.Range(0, count).Select(_ => (float)((random.NextDouble() * 2) - 1) * scale).ToArray();

        private static float[] Move(float[] point, float[] direction, float step) =>
            point.Zip(direction, (p, d) => p + (step * d)).ToArray();

        private static double Dot(float[] a, float[] b) => a.Zip(b, (x, y) => (double)x * y).Sum();
    }
}
