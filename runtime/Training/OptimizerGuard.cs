using System;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace LstmGen.Training
{
    /// <summary>Hyperparameter checks of the optimizers, as <c>torch.optim</c> makes them, with messages that name the value.</summary>
    internal static class OptimizerGuard
    {
        /// <summary>
        /// Throws unless <paramref name="value"/> is at least 0 (PyTorch's <c>not 0.0 &lt;= value</c>,
        /// which also rejects NaN).
        /// </summary>
        public static float NotNegative(float value, string parameterName)
        {
            if (!(value >= 0f))
            {
                ThrowOutOfRange(parameterName, value, "must be >= 0");
            }

            return value;
        }

        /// <summary>
        /// Throws unless <paramref name="value"/> is a finite number of at least 0: a learning rate. PyTorch
        /// also takes +infinity, which turns every parameter into NaN or infinity on the first step.
        /// </summary>
        public static float LearningRate(float value, string parameterName)
        {
            if (!IsLearningRate(value))
            {
                ThrowOutOfRange(parameterName, value, "must be a finite number >= 0");
            }

            return value;
        }

        /// <summary>Whether <paramref name="value"/> is a finite number of at least 0.</summary>
        public static bool IsLearningRate(float value) => value >= 0f && float.IsFinite(value);

        /// <summary>Throws unless 0 &lt;= <paramref name="value"/> &lt; 1, as PyTorch checks Adam's betas.</summary>
        public static float Beta(float value, string parameterName)
        {
            if (!(value >= 0f && value < 1f))
            {
                ThrowOutOfRange(parameterName, value, "must be in [0, 1)");
            }

            return value;
        }

        /// <summary>A number as C# reads it back, whatever the current culture.</summary>
        public static string Format(float value) => value.ToString("R", CultureInfo.InvariantCulture);

        /// <summary>A number as C# reads it back, whatever the current culture.</summary>
        public static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);

        [DoesNotReturn]
        private static void ThrowOutOfRange(string parameterName, float value, string requirement) =>
            throw new ArgumentOutOfRangeException(parameterName, value, $"{parameterName} {requirement}, but is {Format(value)}.");
    }
}
