using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading;

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

        /// <summary>
        /// Takes a model for <paramref name="operation"/>: <paramref name="busy"/> goes from 0 to this thread's id
        /// with one interlocked exchange. Returns what to hand back to <see cref="Exit"/>: 0, or this thread's id
        /// when the thread already holds the model (a call made from inside another, such as Load's SetTensor).
        /// Throws <see cref="InvalidOperationException"/> when another thread holds it.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static int Enter(ref int busy, string operation)
        {
            int thread = Environment.CurrentManagedThreadId;
            int previous = Interlocked.CompareExchange(ref busy, thread, 0);
            if (previous != 0 && previous != thread)
            {
                ThrowBusy(operation);
            }

            return previous;
        }

        /// <summary>Gives the model back: <paramref name="busy"/> returns to what <see cref="Enter"/> returned.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Exit(ref int busy, int previous) => Volatile.Write(ref busy, previous);

        /// <summary>
        /// Throws <see cref="InvalidOperationException"/> when <paramref name="busy"/> (read once, without a
        /// locked instruction) says that another thread's call holds the model: the check of the own-state Step
        /// and of the readers, which catches them during Forward, training or a weight change on another
        /// thread at the cost of a load (and nothing more while the model is free).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void NotBusy(int busy, string operation)
        {
            if (busy != 0 && busy != Environment.CurrentManagedThreadId)
            {
                ThrowBusy(operation);
            }
        }

        /// <summary>
        /// Throws <see cref="ArgumentException"/> naming both spans when <paramref name="written"/> shares
        /// memory with <paramref name="other"/>: a result written over values still to be read would be wrong.
        /// </summary>
        public static void Disjoint<T>(ReadOnlySpan<T> written, ReadOnlySpan<T> other, string writtenName, string otherName)
        {
            if (written.Overlaps(other))
            {
                ThrowOverlap(writtenName, otherName);
            }
        }

        /// <summary>
        /// The overlap checks of AccumulateGradients with gradient spans: each span written (d inputs during
        /// the backward pass, d the initial state at its end) must share no memory with any other span.
        /// </summary>
        public static void GradientSpans(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, ReadOnlySpan<float> inputGradients, ReadOnlySpan<float> initialHiddenGradients, ReadOnlySpan<float> initialCellGradients)
        {
            Disjoint(inputGradients, inputs, nameof(inputGradients), nameof(inputs));
            Disjoint(inputGradients, targets, nameof(inputGradients), nameof(targets));
            Disjoint(initialHiddenGradients, inputs, nameof(initialHiddenGradients), nameof(inputs));
            Disjoint(initialHiddenGradients, targets, nameof(initialHiddenGradients), nameof(targets));
            Disjoint(initialHiddenGradients, inputGradients, nameof(initialHiddenGradients), nameof(inputGradients));
            Disjoint(initialCellGradients, inputs, nameof(initialCellGradients), nameof(inputs));
            Disjoint(initialCellGradients, targets, nameof(initialCellGradients), nameof(targets));
            Disjoint(initialCellGradients, inputGradients, nameof(initialCellGradients), nameof(inputGradients));
            Disjoint(initialCellGradients, initialHiddenGradients, nameof(initialCellGradients), nameof(initialHiddenGradients));
        }

        /// <summary>
        /// The overlap checks of a bidirectional model's Forward with final states: the final states (written after each
        /// layer's directions) and the outputs (written at the end) must share no memory with each other or the inputs.
        /// </summary>
        public static void FinalStateSpans(ReadOnlySpan<float> inputs, ReadOnlySpan<float> outputs, ReadOnlySpan<float> finalHidden, ReadOnlySpan<float> finalCell)
        {
            Disjoint(outputs, inputs, nameof(outputs), nameof(inputs));
            Disjoint(finalHidden, inputs, nameof(finalHidden), nameof(inputs));
            Disjoint(finalHidden, outputs, nameof(finalHidden), nameof(outputs));
            Disjoint(finalCell, inputs, nameof(finalCell), nameof(inputs));
            Disjoint(finalCell, outputs, nameof(finalCell), nameof(outputs));
            Disjoint(finalCell, finalHidden, nameof(finalCell), nameof(finalHidden));
        }

        /// <summary>The overlap checks of the group step: the outputs, and the states it writes, share no memory with the rest.</summary>
        public static void AgentSpans<TState>(ReadOnlySpan<TState> states, ReadOnlySpan<float> inputs, ReadOnlySpan<float> outputs)
            where TState : struct
        {
            Disjoint(outputs, inputs, nameof(outputs), nameof(inputs));
            ReadOnlySpan<byte> stateBytes = MemoryMarshal.AsBytes(states);
            Disjoint(stateBytes, MemoryMarshal.AsBytes(inputs), nameof(states), nameof(inputs));
            Disjoint(stateBytes, MemoryMarshal.AsBytes(outputs), nameof(states), nameof(outputs));
        }

        /// <summary>Whether every value is finite (no NaN, no infinity).</summary>
        public static bool AllFinite(ReadOnlySpan<float> values)
        {
            // x - x is 0 for a finite x and NaN for NaN or an infinity; the sum is 0 only if every term is.
            float sum = 0f;
            foreach (float value in values)
            {
                sum += value - value;
            }

            return sum == 0f;
        }

        [DoesNotReturn]
        private static void ThrowBusy(string operation) =>
            throw new InvalidOperationException(
                $"{operation} was called while another thread was using this model. A model's own state and buffers (Step(input, output), Forward, AccumulateGradients, ZeroGradients, SetState, ResetState, Load, SetTensor, TrimBuffers) are for one thread at a time. Use one model per thread, or keep a State per sequence and call Step(ref State, ...), which only reads the weights: any number of threads may do that at once, each with its own State.");

        [DoesNotReturn]
        private static void ThrowOverlap(string writtenName, string otherName) =>
            throw new ArgumentException(
                $"{writtenName} and {otherName} share memory: {writtenName} is written while {otherName} is still needed, which would give wrong results. Pass spans that do not overlap.",
                writtenName);

        [DoesNotReturn]
        private static void ThrowLength(int actual, int expected, string parameterName, string what) =>
            throw new ArgumentException($"{parameterName} must hold {expected} floats ({what}), but has {actual}.", parameterName);
    }
}
