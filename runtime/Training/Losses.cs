using System;

namespace LstmGen.Training
{
    /// <summary>
    /// The losses of <see cref="LossFunction"/> for one time step, with their gradient with respect to
    /// the output before its activation (the head's logits, or the top layer's hidden state without a
    /// head). Scalar code in a fixed order: the same bits on every processor.
    /// </summary>
    public static class Losses
    {
        /// <summary>
        /// The loss of one step and, scaled by <paramref name="scale"/>, its gradient with respect to
        /// <paramref name="logits"/>.
        /// </summary>
        /// <param name="loss">The loss function.</param>
        /// <param name="activation">The output activation that turned <paramref name="logits"/> into <paramref name="outputs"/>.</param>
        /// <param name="logits">The outputs before the activation.</param>
        /// <param name="outputs">The outputs after the activation (softmax probabilities for <see cref="Activation.Softmax"/>).</param>
        /// <param name="target">The step's target.</param>
        /// <param name="scale">The factor of the gradient: 1 / (elements scored) for mean squared error, 1 / (steps scored) for cross-entropy.</param>
        /// <param name="logitGradients">Receives d (scale * loss) / d logits.</param>
        /// <returns>
        /// The unscaled loss of the step: the sum of squared errors, or -sum(target * log softmax(logits)).
        /// </returns>
        public static double StepLoss(
            LossFunction loss,
            Activation activation,
            ReadOnlySpan<float> logits,
            ReadOnlySpan<float> outputs,
            ReadOnlySpan<float> target,
            float scale,
            Span<float> logitGradients)
        {
            int count = logits.Length;
            if (outputs.Length != count || target.Length != count || logitGradients.Length != count)
            {
                throw new ArgumentException(
                    $"logits, outputs, target and logitGradients must have the same length; they have {logits.Length}, {outputs.Length}, {target.Length} and {logitGradients.Length}.");
            }

            return loss switch
            {
                LossFunction.MeanSquaredError => SquaredError(activation, outputs, target, scale, logitGradients),
                LossFunction.CrossEntropy when activation == Activation.Softmax => CrossEntropy(logits, outputs, target, scale, logitGradients),
                LossFunction.CrossEntropy => throw new ArgumentException("Cross-entropy is computed on softmax outputs; the activation is " + activation + ".", nameof(activation)),
                _ => throw new ArgumentOutOfRangeException(nameof(loss), loss, "Unknown loss function."),
            };
        }

        /// <summary>
        /// The unscaled loss of one step from the model's outputs alone (after the activation), for
        /// evaluation without a gradient: the sum of (output - target)^2 (the difference in float, as
        /// <see cref="StepLoss"/> takes it) for mean squared error, or
        /// -sum(target * log(max(output, <see cref="float.Epsilon"/>))) for cross-entropy on softmax
        /// probabilities. Summed in double, in element order.
        /// </summary>
        /// <remarks>
        /// Divide the sum over the scored steps as <see cref="ISequenceModel.AccumulateGradients(ReadOnlySpan{float}, ReadOnlySpan{float})"/>
        /// does to get its loss: by the number of scored elements (steps * outputs) for mean squared
        /// error, by the number of scored steps for cross-entropy. Cross-entropy from probabilities
        /// differs from the log-softmax of <see cref="StepLoss"/> only by the rounding of the
        /// probabilities to float (and where a probability underflows to 0).
        /// </remarks>
        /// <param name="loss">The loss function.</param>
        /// <param name="outputs">The step's outputs after the activation.</param>
        /// <param name="target">The step's target, as long as <paramref name="outputs"/>.</param>
        /// <returns>The unscaled loss of the step.</returns>
        /// <exception cref="ArgumentException">The spans differ in length.</exception>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="loss"/> is not a <see cref="LossFunction"/>.</exception>
        public static double EvaluateStep(LossFunction loss, ReadOnlySpan<float> outputs, ReadOnlySpan<float> target)
        {
            if (outputs.Length != target.Length)
            {
                throw new ArgumentException(
                    $"outputs and target must have the same length; they have {outputs.Length} and {target.Length}.", nameof(target));
            }

            double sum = 0;
            switch (loss)
            {
                case LossFunction.MeanSquaredError:
                    for (int j = 0; j < outputs.Length; j++)
                    {
                        float error = outputs[j] - target[j];
                        sum += (double)error * error;
                    }

                    return sum;
                case LossFunction.CrossEntropy:
                    for (int j = 0; j < outputs.Length; j++)
                    {
                        sum -= target[j] * Math.Log(Math.Max(outputs[j], float.Epsilon));
                    }

                    return sum;
                default:
                    throw new ArgumentOutOfRangeException(nameof(loss), loss, "Unknown loss function.");
            }
        }

        /// <summary>Sum of (output - target)^2; gradient 2 (output - target) scale, through the activation.</summary>
        private static double SquaredError(Activation activation, ReadOnlySpan<float> outputs, ReadOnlySpan<float> target, float scale, Span<float> logitGradients)
        {
            double sum = 0;
            for (int j = 0; j < outputs.Length; j++)
            {
                float error = outputs[j] - target[j];
                sum += (double)error * error;
                logitGradients[j] = 2f * error * scale;
            }

            ActivationBackward(activation, outputs, logitGradients);
            return sum;
        }

        /// <summary>
        /// -sum(target * log softmax(logits)), from the logits with the log-sum-exp shift; gradient
        /// (softmax * sum(target) - target) scale.
        /// </summary>
        private static double CrossEntropy(ReadOnlySpan<float> logits, ReadOnlySpan<float> probabilities, ReadOnlySpan<float> target, float scale, Span<float> logitGradients)
        {
            double max = double.NegativeInfinity;
            foreach (float logit in logits)
            {
                max = Math.Max(max, logit);
            }

            double sumOfExponentials = 0;
            foreach (float logit in logits)
            {
                sumOfExponentials += Math.Exp(logit - max);
            }

            double logSum = max + Math.Log(sumOfExponentials);
            double loss = 0;
            float targetSum = 0f;
            for (int j = 0; j < logits.Length; j++)
            {
                loss -= target[j] * (logits[j] - logSum);
                targetSum += target[j];
            }

            for (int j = 0; j < logits.Length; j++)
            {
                logitGradients[j] = ((probabilities[j] * targetSum) - target[j]) * scale;
            }

            return loss;
        }

        /// <summary>
        /// Turns d loss / d outputs into d loss / d logits in place, from the activation's outputs.
        /// </summary>
        public static void ActivationBackward(Activation activation, ReadOnlySpan<float> outputs, Span<float> gradients)
        {
            switch (activation)
            {
                case Activation.Linear:
                    break;
                case Activation.Sigmoid:
                    for (int j = 0; j < outputs.Length; j++)
                    {
                        gradients[j] *= outputs[j] * (1f - outputs[j]);
                    }

                    break;
                case Activation.Tanh:
                    for (int j = 0; j < outputs.Length; j++)
                    {
                        gradients[j] *= 1f - (outputs[j] * outputs[j]);
                    }

                    break;
                case Activation.Softmax:
                    // The softmax Jacobian: y_j (g_j - sum_k g_k y_k).
                    float dot = 0f;
                    for (int j = 0; j < outputs.Length; j++)
                    {
                        dot = LstmMath.MultiplyAdd(gradients[j], outputs[j], dot);
                    }

                    for (int j = 0; j < outputs.Length; j++)
                    {
                        gradients[j] = outputs[j] * (gradients[j] - dot);
                    }

                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(activation), activation, "Unknown activation.");
            }
        }
    }
}
