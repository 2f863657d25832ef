using System;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Threading;
using System.Threading.Tasks;
using LstmGen.Tests.Reference;
using Xunit;

namespace LstmGen.Tests
{
    /// <summary>A model whose steps read and write rows of the same width, for in-place steps.</summary>
    [Lstm(InputSize = 4, HiddenSize = 20, Layers = 2, OutputSize = 4)]
    internal partial class SquareModel
    {
    }

    /// <summary>
    /// Misuse that once corrupted memory or gave wrong numbers silently (issue 13, items 1, 2, 3, 5 and 11):
    /// concurrent calls on one model, weights swapped while other threads step, spans that share memory,
    /// a NaN input, and the training record that never shrank.
    /// </summary>
    public sealed class ReliabilityTests
    {
        [Fact]
        public void TwoThreadsTrainingOneModelOrSharingAnOptimizerNeverCrash()
        {
            // On 52ccb9f this crashed the process (SIGSEGV): the backward pass re-read a record another call
            // had replaced with a smaller one. A child process, so that a crash fails this test only.
            var (exitCode, output, errors) = PathTests.RunPathRunner("--races", string.Empty);
            Assert.True(exitCode == 0, $"The races crashed or failed (exit code {exitCode}): {errors}");
            Assert.Contains("races ok", output);
        }

        [Fact]
        public async Task WhileACallHoldsTheModelEveryOtherCallOnItsOwnStateOrBuffersIsRefused()
        {
            var model = new TinyModel(seed: 3);
            using var stream = new BlockingStream();
            Task load = Task.Run(() => Assert.ThrowsAny<Exception>(() => model.Load(stream)));
            Assert.True(stream.Entered.Wait(TimeSpan.FromSeconds(30)), "Load did not start reading.");
            try
            {
                float[] input = new float[TinyModel.InputSize];
                float[] output = new float[TinyModel.OutputSize];
                float[] state = new float[TinyModel.Layers * TinyModel.HiddenSize];
                float[] tensor = new float[4 * TinyModel.HiddenSize];
                var calls = new (string Name, Action Call)[]
                {
                    ("Step", () => model.Step(input, output)),
                    ("Forward", () => model.Forward(input, output)),
                    ("AccumulateGradients", () => model.AccumulateGradients(input, output)),
                    ("AccumulateGradients", () => model.AccumulateGradients(input, output, new float[input.Length], new float[state.Length], new float[state.Length])),
                    ("ZeroGradients", model.ZeroGradients),
                    ("ResetState", model.ResetState),
                    ("SetState", () => model.SetState(state, state)),
                    ("SetTensor", () => model.SetTensor("lstm.bias_ih_l0", tensor)),
                    ("Load", () => model.Load(new MemoryStream())),
                    ("CopyParametersFrom", () => model.CopyParametersFrom(new TinyModel(seed: 4))),
                    ("TrimBuffers", model.TrimBuffers),
                    ("GetState", () => model.GetState(state, new float[state.Length])),
                    ("GetTensor", () => model.GetTensor("lstm.bias_ih_l0", tensor)),
                    ("GetGradient", () => model.GetGradient("lstm.bias_ih_l0", tensor)),
                    ("GetTensor", () => model.Save(new MemoryStream())),
                };
                foreach (var (name, call) in calls)
                {
                    var error = Assert.Throws<InvalidOperationException>(call);
                    Assert.StartsWith(name + " was called while another thread was using this model.", error.Message);
                    Assert.Contains("one model per thread", error.Message);
                    Assert.Contains("Step(ref State, ...)", error.Message);
                }

                // What is documented as thread-safe still works: a State per sequence, the weights only read.
                TinyModel.State own = default;
                model.Step(ref own, input, output);
                model.Step(new TinyModel.State[3], new float[3 * TinyModel.InputSize], new float[3 * TinyModel.OutputSize]);
            }
            finally
            {
                stream.Release.Set();
            }

            await load.WaitAsync(TimeSpan.FromSeconds(30));

            // Given back: the next call works, on any thread.
            model.ResetState();
            await Task.Run(() => model.Forward(new float[TinyModel.InputSize], new float[TinyModel.OutputSize]));
        }

        [Fact]
        public void ACallFromInsideAnotherOnTheSameThreadIsNotRefused()
        {
            // Load sets each tensor through SetTensor: the thread that holds the model may call it again.
            var source = new TinyModel(seed: 5);
            var stream = new MemoryStream();
            source.Save(stream);
            stream.Position = 0;
            var model = new TinyModel(seed: 6);
            model.Load(stream);
            Assert.Equal(source.Parameters.ToArray(), model.Parameters.ToArray());
        }

        [Fact]
        public async Task SteppingThreadsSeeAllOldOrAllNewWeightsWhenModelsAreSwapped()
        {
            var weightsA = new StackedModel(seed: 7);
            var weightsB = new StackedModel(seed: 8);
            float[] input = Enumerable.Range(0, StackedModel.InputSize).Select(i => (i * 0.37f) - 1f).ToArray();
            float[] outputA = StepOnce(weightsA, input);
            float[] outputB = StepOnce(weightsB, input);
            Assert.NotEqual(outputA, outputB);

            StackedModel shared = new StackedModel(seed: 0);
            shared.CopyParametersFrom(weightsA);
            Assert.Equal(weightsA.Parameters.ToArray(), shared.Parameters.ToArray());
            using var stop = new CancellationTokenSource();
            int swaps = 0;
            Task swapper = Task.Run(() =>
            {
                for (int k = 0; !stop.IsCancellationRequested; k++)
                {
                    // Copy into a model no thread steps, then publish it: the documented pattern.
                    var next = new StackedModel(seed: 0);
                    next.CopyParametersFrom(k % 2 == 0 ? weightsB : weightsA);
                    Volatile.Write(ref shared, next);
                    Interlocked.Increment(ref swaps);
                }
            });

            int steps = 0;
            var tasks = Enumerable.Range(0, 2).Select(_ => Task.Run(() =>
            {
                float[] output = new float[StackedModel.OutputSize];
                int seenA = 0, seenB = 0;
                var watch = System.Diagnostics.Stopwatch.StartNew();
                while ((seenA == 0 || seenB == 0 || watch.ElapsedMilliseconds < 300) && watch.ElapsedMilliseconds < 20_000)
                {
                    StackedModel model = Volatile.Read(ref shared);
                    StackedModel.State state = default;
                    model.Step(ref state, input, output);
                    bool isA = output.AsSpan().SequenceEqual(outputA);
                    bool isB = output.AsSpan().SequenceEqual(outputB);
                    Assert.True(isA || isB, $"A step saw a mix of old and new weights: [{string.Join(", ", output)}].");
                    seenA += isA ? 1 : 0;
                    seenB += isB ? 1 : 0;
                    Interlocked.Increment(ref steps);
                }

                Assert.True(seenA > 0 && seenB > 0, $"The swaps were not seen (A {seenA}, B {seenB}).");
            })).ToArray();
            await Task.WhenAll(tasks);
            stop.Cancel();
            await swapper;
            Assert.True(swaps > 1 && steps > 1);
        }

        [Fact]
        public void InputGradientsThatShareMemoryWithAnotherSpanAreRefusedNamingBoth()
        {
            var model = new TinyModel(seed: 9);
            const int steps = 5;
            float[] buffer = Enumerable.Range(0, 2 * steps * TinyModel.InputSize).Select(i => MathF.Sin(i)).ToArray();
            float[] targets = new float[steps * TinyModel.OutputSize];
            float[] h0 = new float[TinyModel.Layers * TinyModel.HiddenSize];
            float[] c0 = new float[h0.Length];
            int length = steps * TinyModel.InputSize;

            // The issue's call: inputGradients are the inputs (on 52ccb9f: wrong W_ih gradients, silently).
            AssertOverlap(() => model.AccumulateGradients(buffer.AsSpan(0, length), targets, buffer.AsSpan(0, length), h0, c0), "inputGradients", "inputs");
            AssertOverlap(() => model.AccumulateGradients(buffer.AsSpan(0, length), targets, buffer.AsSpan(1, length), h0, c0), "inputGradients", "inputs");
            AssertOverlap(() => model.AccumulateGradients(buffer.AsSpan(0, length), buffer.AsSpan(length, targets.Length), buffer.AsSpan(length, length), h0, c0), "inputGradients", "targets");
            AssertOverlap(() => model.AccumulateGradients(buffer.AsSpan(0, length), targets, new float[length], buffer.AsSpan(2, h0.Length), c0), "initialHiddenGradients", "inputs");
            AssertOverlap(() => model.AccumulateGradients(buffer.AsSpan(0, length), targets, new float[length], h0, h0), "initialCellGradients", "initialHiddenGradients");
            float[] gradients = new float[length + h0.Length];
            AssertOverlap(() => model.AccumulateGradients(buffer.AsSpan(0, length), targets, gradients.AsSpan(0, length), gradients.AsSpan(length - 1, h0.Length), c0), "initialHiddenGradients", "inputGradients");
            Assert.True(model.Gradients.ToArray().All(value => value == 0f), "A refused call changed the gradients.");

            // Spans side by side in one array are not refused, and give what separate arrays give.
            var separate = new TinyModel(seed: 9);
            float[] expectedInputGradients = new float[length];
            float[] expectedHidden = new float[h0.Length];
            float[] expectedCell = new float[h0.Length];
            float expectedLoss = separate.AccumulateGradients(buffer.AsSpan(0, length).ToArray(), targets, expectedInputGradients, expectedHidden, expectedCell);
            float[] one = new float[length + length + (2 * h0.Length)];
            buffer.AsSpan(0, length).CopyTo(one);
            float loss = model.AccumulateGradients(one.AsSpan(0, length), targets, one.AsSpan(length, length), one.AsSpan(2 * length, h0.Length), one.AsSpan((2 * length) + h0.Length, h0.Length));
            Assert.Equal(expectedLoss, loss);
            Assert.Equal(expectedInputGradients, one.AsSpan(length, length).ToArray());
            Assert.Equal(expectedHidden, one.AsSpan(2 * length, h0.Length).ToArray());
            Assert.Equal(expectedCell, one.AsSpan((2 * length) + h0.Length, h0.Length).ToArray());
            Assert.Equal(separate.Gradients.ToArray(), model.Gradients.ToArray());
        }

        [Fact]
        public void ForwardGetStateAndTheGroupStepRefuseOutputsThatShareMemoryWithTheirInputs()
        {
            var model = new SquareModel(seed: 10);
            float[] buffer = Enumerable.Range(0, 12 * SquareModel.InputSize).Select(i => MathF.Cos(i)).ToArray();

            // On 52ccb9f, Forward with an output that starts inside its input gave wrong numbers.
            AssertOverlap(() => model.Forward(buffer.AsSpan(0, 40), buffer.AsSpan(4, 40)), "outputs", "inputs");
            AssertOverlap(() => model.Forward(buffer.AsSpan(0, 40), buffer.AsSpan(0, 40)), "outputs", "inputs");
            float[] state = new float[(SquareModel.Layers * SquareModel.HiddenSize) + 1];
            AssertOverlap(() => model.GetState(state.AsSpan(0, state.Length - 1), state.AsSpan(1)), "cell", "hidden");

            var states = new SquareModel.State[5];
            AssertOverlap(() => model.Step(states, buffer.AsSpan(0, 20), buffer.AsSpan(8, 20)), "outputs", "inputs");
            Span<float> stateFloats = System.Runtime.InteropServices.MemoryMarshal.Cast<SquareModel.State, float>(states.AsSpan());
            float[] inputs = new float[20];
            AssertOverlap(() => model.Step(states, inputs, System.Runtime.InteropServices.MemoryMarshal.Cast<SquareModel.State, float>(states.AsSpan()).Slice(0, 20)), "states", "outputs");
            Assert.True(stateFloats.ToArray().All(value => value == 0f), "A refused call changed the states.");
        }

        [Fact]
        public void AStepMayWriteItsOutputOverItsInput()
        {
            // The input is read in full (by the first layer) before the head writes the first output.
            float[] input = { 0.5f, -1.25f, 2f, 0.75f };
            var separate = new SquareModel(seed: 11);
            var inPlace = new SquareModel(seed: 11);
            var shifted = new SquareModel(seed: 11);
            for (int step = 0; step < 3; step++)
            {
                float[] expected = new float[SquareModel.OutputSize];
                separate.Step(input, expected);

                float[] row = (float[])input.Clone();
                inPlace.Step(row, row);
                Assert.Equal(expected, row);

                float[] wide = new float[SquareModel.InputSize + 2];
                input.CopyTo(wide, 2);
                shifted.Step(wide.AsSpan(2, SquareModel.InputSize), wide.AsSpan(0, SquareModel.OutputSize));
                Assert.Equal(expected, wide.AsSpan(0, SquareModel.OutputSize).ToArray());
                input = expected;
            }
        }

        [Fact]
        public void ANaNInputIsSeenInTheStateUntilItIsReset()
        {
            var model = new TinyModel(seed: 12);
            float[] output = new float[TinyModel.OutputSize];
            Assert.True(model.IsStateFinite());
            model.Step(new[] { 1f, 2f, 3f }, output);
            Assert.True(model.IsStateFinite());

            model.Step(new[] { 1f, float.NaN, 3f }, output);
            Assert.False(model.IsStateFinite());

            // The state stays NaN, and so do the outputs, whatever comes next.
            model.Step(new[] { 1f, 2f, 3f }, output);
            Assert.False(model.IsStateFinite());
            Assert.All(output, value => Assert.True(float.IsNaN(value)));

            model.ResetState();
            Assert.True(model.IsStateFinite());

            // The same for a State of one's own, and for an infinity set directly.
            TinyModel.State state = default;
            Assert.True(state.IsFinite);
            model.Step(ref state, new[] { 0f, 0f, float.NaN }, output);
            Assert.False(state.IsFinite);
            Assert.True(model.IsStateFinite(), "A State of one's own is not the model's.");
            state = default;
            state.Cell[^1] = float.NegativeInfinity;
            Assert.False(state.IsFinite);
            state.Cell[^1] = float.MaxValue;
            Assert.True(state.IsFinite);
            float[] hidden = new float[TinyModel.Layers * TinyModel.HiddenSize];
            hidden[0] = float.NaN;
            model.SetState(hidden, new float[hidden.Length]);
            Assert.False(model.IsStateFinite());
        }

        [Fact]
        public void TrimBuffersReleasesTheTrainingRecordAndKeepsTheGradients()
        {
            var model = new TinyModel(seed: 13);
            var fresh = new TinyModel(seed: 13);
            const int longSteps = 20_000;
            float[] inputs = Enumerable.Range(0, longSteps * TinyModel.InputSize).Select(i => MathF.Sin(i * 0.01f)).ToArray();
            float[] targets = new float[longSteps * TinyModel.OutputSize];
            model.AccumulateGradients(inputs, targets);
            fresh.AccumulateGradients(inputs, targets);
            model.Forward(inputs.AsSpan(0, 30), new float[20]);
            fresh.Forward(inputs.AsSpan(0, 30), new float[20]);

            // The record of 20,000 steps is kept after a short call (on 52ccb9f: for the model's life).
            model.AccumulateGradients(inputs.AsSpan(0, 3 * TinyModel.InputSize), targets.AsSpan(0, 3 * TinyModel.OutputSize));
            fresh.AccumulateGradients(inputs.AsSpan(0, 3 * TinyModel.InputSize), targets.AsSpan(0, 3 * TinyModel.OutputSize));
            WeakReference[] buffers = BufferReferences(model, out int recordLength);
            Assert.True(recordLength > longSteps * 10, "The record did not hold the long sequence.");
            float[] gradients = model.Gradients.ToArray();

            model.TrimBuffers();
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            Assert.All(buffers, buffer => Assert.False(buffer.IsAlive, "A buffer is still held after TrimBuffers."));
            Assert.Equal(gradients, model.Gradients.ToArray());

            // Training and Forward go on as if nothing had happened.
            float[] output = new float[10 * TinyModel.OutputSize];
            float[] expected = new float[output.Length];
            Assert.Equal(
                fresh.AccumulateGradients(inputs.AsSpan(0, 10 * TinyModel.InputSize), targets.AsSpan(0, 10 * TinyModel.OutputSize)),
                model.AccumulateGradients(inputs.AsSpan(0, 10 * TinyModel.InputSize), targets.AsSpan(0, 10 * TinyModel.OutputSize)));
            fresh.Forward(inputs.AsSpan(0, 30), expected);
            model.Forward(inputs.AsSpan(0, 30), output);
            Assert.Equal(expected, output);
            Assert.Equal(fresh.Gradients.ToArray(), model.Gradients.ToArray());
        }

        [Fact]
        public void TheGradientsStartWhereTheirArrayIsAligned()
        {
            // The offset is computed from the array itself (no second field that a racing first use could
            // leave out of step with the array): it is the one Allocate reports, and the start is aligned.
            float[] storage = LstmGen.CompilerServices.ParameterStorage.Allocate(100, out int offset);
            Assert.Equal(offset, LstmGen.CompilerServices.ParameterStorage.Offset(storage));
            var model = new TinyModel(seed: 14);
            Span<float> gradients = model.Gradients;
            float[] gradientStorage = (float[])typeof(TinyModel).GetField("_gradientStorage", BindingFlags.Instance | BindingFlags.NonPublic)!.GetValue(model)!;
            nint start = System.Runtime.CompilerServices.Unsafe.ByteOffset(
                ref System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference(gradientStorage),
                ref System.Runtime.InteropServices.MemoryMarshal.GetReference(gradients));
            Assert.Equal(LstmGen.CompilerServices.ParameterStorage.Offset(gradientStorage) * sizeof(float), start);
        }

        /// <summary>Weak references to the record, the backward scratch and Forward's buffer (held nowhere else).</summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
        private static WeakReference[] BufferReferences(TinyModel model, out int recordLength)
        {
            float[][] buffers = new[] { "_record", "_backwardScratch", "_forwardBuffer" }
                .Select(name => (float[])(typeof(TinyModel).GetField(name, BindingFlags.Instance | BindingFlags.NonPublic)!.GetValue(model)
                    ?? throw new InvalidOperationException($"{name} was not allocated.")))
                .ToArray();
            recordLength = buffers[0].Length;
            return buffers.Select(buffer => new WeakReference(buffer)).ToArray();
        }

        private static float[] StepOnce(StackedModel model, float[] input)
        {
            float[] output = new float[StackedModel.OutputSize];
            StackedModel.State state = default;
            model.Step(ref state, input, output);
            return output;
        }

        private static void AssertOverlap(Action call, string written, string other)
        {
            var error = Assert.Throws<ArgumentException>(call);
            Assert.Equal(written, error.ParamName);
            Assert.Contains($"{written} and {other} share memory", error.Message);
        }

        /// <summary>A stream whose first read waits until the test releases it, then ends the stream.</summary>
        private sealed class BlockingStream : Stream
        {
            public ManualResetEventSlim Entered { get; } = new();

            public ManualResetEventSlim Release { get; } = new();

            public override bool CanRead => true;

            public override bool CanSeek => false;

            public override bool CanWrite => false;

            public override long Length => throw new NotSupportedException();

            public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

            public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

            public override int Read(Span<byte> buffer)
            {
                Entered.Set();
                Release.Wait(TimeSpan.FromSeconds(60));
                return 0;
            }

            public override void Flush()
            {
            }

            public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

            public override void SetLength(long value) => throw new NotSupportedException();

            public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

            protected override void Dispose(bool disposing)
            {
                if (disposing)
                {
                    Entered.Dispose();
                    Release.Dispose();
                }

                base.Dispose(disposing);
            }
        }
    }
}
