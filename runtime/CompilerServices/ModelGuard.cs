using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Diagnostics.CodeAnalysis;

namespace LstmGen.CompilerServices
{
    /// <summary>Argument checks of generated models, with messages that name what was expected.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static class ModelGuard
    {
        /// <summary>Throws unless <paramref name="actual"/> is <paramref name="expected"/>.</summary>
        public static void Length(int actual, int expected, string parameterName, string what)
        {
            if (actual != expected)
            {
                ThrowLength(actual, expected, parameterName, what);
            }
        }

        /// <summary>
        /// Throws unless <paramref name="actual"/> is <paramref name="count"/> rows of <paramref name="rowLength"/>
        /// floats (the product is taken in 64 bits: it cannot wrap around).
        /// </summary>
        public static void Rows(int actual, int count, int rowLength, string parameterName, string what)
        {
            long expected = (long)count * rowLength;
            if (actual != expected)
            {
                throw new ArgumentException($"{parameterName} must hold {expected} floats ({what}), but has {actual}.", parameterName);
            }
        }

        /// <summary>
        /// The floats of a training record of <paramref name="steps"/> steps and the starting state, each
        /// <paramref name="stepLength"/> long; throws when that is more than one array can hold.
        /// </summary>
        public static int RecordLength(int steps, int stepLength, string parameterName)
        {
            long length = ((long)steps + 1) * stepLength;
            if (length > Array.MaxLength)
            {
                throw new ArgumentException(
                    $"A training sequence of {steps} steps needs a record of {length} floats, more than one array holds ({Array.MaxLength}); split it into chunks and train them in turn (truncated backpropagation through time: the state carries over from one call to the next).",
                    parameterName);
            }

            return (int)length;
        }

        /// <summary>
        /// Checks a [T, InputSize] input sequence and its [T, OutputSize] output, and returns T.
        /// </summary>
        public static int SequenceLength(int inputLength, int inputSize, int outputLength, int outputSize, string inputName, string outputName)
        {
            if (inputLength % inputSize != 0)
            {
                throw new ArgumentException(
                    $"{inputName} has {inputLength} floats, which is not a whole number of steps of InputSize = {inputSize} ([T, {inputSize}] row-major).",
                    inputName);
            }

            int steps = inputLength / inputSize;
            long expectedOutput = (long)steps * outputSize;
            if (outputLength != expectedOutput)
            {
                throw new ArgumentException(
                    $"{outputName} must hold {expectedOutput} floats ([{steps}, {outputSize}] for {steps} steps), but has {outputLength}.",
                    outputName);
            }

            return steps;
        }

        /// <summary>
        /// Checks a training sequence, inputs [T, InputSize] and targets [T, OutputSize] (a loss on every
        /// step) or [OutputSize] (a loss on the last step only), and returns T.
        /// </summary>
        public static int TrainingSequence(int inputLength, int inputSize, int targetLength, int outputSize, out bool lastStepOnly, string inputName, string targetName)
        {
            if (inputLength == 0 || inputLength % inputSize != 0)
            {
                throw new ArgumentException(
                    $"{inputName} has {inputLength} floats; a training sequence is one or more steps of InputSize = {inputSize} ([T, {inputSize}] row-major).",
                    inputName);
            }

            int steps = inputLength / inputSize;
            long everyStep = (long)steps * outputSize;
            if (targetLength == everyStep)
            {
                lastStepOnly = false;
            }
            else if (targetLength == outputSize)
            {
                lastStepOnly = true;
            }
            else
            {
                throw new ArgumentException(
                    $"{targetName} must hold {everyStep} floats ([{steps}, {outputSize}]: a target for every step) or {outputSize} ([{outputSize}]: the last step only), but has {targetLength}.",
                    targetName);
            }

            return steps;
        }

        /// <summary>The exception for a tensor name the model does not have.</summary>
        public static ArgumentException UnknownTensor(string name, IReadOnlyList<TensorInfo> tensors, string parameterName) =>
            new ArgumentException($"The model has no tensor named '{name}'. Its tensors are: {TensorInfo.ListNames(tensors)}.", parameterName);

        /// <summary>Throws unless a span for tensor <paramref name="tensor"/> has the tensor's length.</summary>
        public static void TensorLength(TensorInfo tensor, int actual, string parameterName)
        {
            if (actual != tensor.Length)
            {
                throw new ArgumentException(
                    $"Tensor '{tensor.Name}' has shape {tensor.ShapeText} ({tensor.Length} floats), but the span has {actual}.",
                    parameterName);
            }
        }

        [DoesNotReturn]
        private static void ThrowLength(int actual, int expected, string parameterName, string what) =>
            throw new ArgumentException($"{parameterName} must hold {expected} floats ({what}), but has {actual}.", parameterName);
    }
}
