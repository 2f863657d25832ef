using System;
using System.IO;
using Microsoft.ML.OnnxRuntime;

namespace LstmGen.Benchmarks.Onnx
{
    /// <summary>
    /// One exported model (nn.LSTM + nn.Linear as ONNX's LSTM operator and a MatMul/Add head) in ONNX
    /// Runtime's CPU provider on one thread, with every input and output bound once to preallocated
    /// OrtValues over managed arrays (IOBinding): a call runs the graph and copies nothing in or out.
    /// </summary>
    /// <remarks>
    /// <see cref="Step"/> carries the state from call to call by ping-pong: one binding reads the state from
    /// buffer set A and writes it to B, the other reads B and writes A, and the two alternate.
    /// <see cref="Forward"/> runs a whole sequence from the zero state.
    /// </remarks>
    public sealed class OrtLstm : IDisposable
    {
        private readonly InferenceSession _session;
        private readonly RunOptions _runOptions = new();
        private readonly OrtIoBinding[] _stepBindings = new OrtIoBinding[2];
        private readonly OrtIoBinding _forwardBinding;
        private readonly OrtValue[] _values;
        private int _parity;

        /// <summary>Loads the model of <paramref name="shape"/> from <paramref name="directory"/>.</summary>
        public OrtLstm(Shape shape, string directory, int sequenceLength)
        {
            Shape = shape;
            var options = new SessionOptions
            {
                IntraOpNumThreads = 1,
                InterOpNumThreads = 1,
                ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
                GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            };
            options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
            _session = new InferenceSession(Path.Combine(directory, shape.Name + ".onnx"), options);

            int layers = shape.Layers, hidden = shape.HiddenSize;
            long[] stateShape = { layers, 1, hidden };
            StepInput = new float[shape.InputSize];
            StepOutput = new float[shape.OutputSize];
            StateA = (new float[layers * hidden], new float[layers * hidden]);
            StateB = (new float[layers * hidden], new float[layers * hidden]);
            SequenceInput = new float[sequenceLength * shape.InputSize];
            SequenceOutput = new float[sequenceLength * shape.OutputSize];
            float[] zeroHidden = new float[layers * hidden], zeroCell = new float[layers * hidden];
            float[] lastHidden = new float[layers * hidden], lastCell = new float[layers * hidden];
            LastHidden = lastHidden;
            LastCell = lastCell;

            OrtValue x = OrtValue.CreateTensorValueFromMemory(StepInput, new long[] { 1, 1, shape.InputSize });
            OrtValue y = OrtValue.CreateTensorValueFromMemory(StepOutput, new long[] { 1, 1, shape.OutputSize });
            OrtValue ha = OrtValue.CreateTensorValueFromMemory(StateA.Hidden, stateShape);
            OrtValue ca = OrtValue.CreateTensorValueFromMemory(StateA.Cell, stateShape);
            OrtValue hb = OrtValue.CreateTensorValueFromMemory(StateB.Hidden, stateShape);
            OrtValue cb = OrtValue.CreateTensorValueFromMemory(StateB.Cell, stateShape);
            OrtValue xs = OrtValue.CreateTensorValueFromMemory(SequenceInput, new long[] { sequenceLength, 1, shape.InputSize });
            OrtValue ys = OrtValue.CreateTensorValueFromMemory(SequenceOutput, new long[] { sequenceLength, 1, shape.OutputSize });
            OrtValue h0 = OrtValue.CreateTensorValueFromMemory(zeroHidden, stateShape);
            OrtValue c0 = OrtValue.CreateTensorValueFromMemory(zeroCell, stateShape);
            OrtValue hn = OrtValue.CreateTensorValueFromMemory(lastHidden, stateShape);
            OrtValue cn = OrtValue.CreateTensorValueFromMemory(lastCell, stateShape);
            _values = new[] { x, y, ha, ca, hb, cb, xs, ys, h0, c0, hn, cn };

            _stepBindings[0] = Bind(x, ha, ca, y, hb, cb);
            _stepBindings[1] = Bind(x, hb, cb, y, ha, ca);
            _forwardBinding = Bind(xs, h0, c0, ys, hn, cn);
        }

        /// <summary>The model's shape.</summary>
        public Shape Shape { get; }

        /// <summary>The input of the next <see cref="Step"/>, [InputSize].</summary>
        public float[] StepInput { get; }

        /// <summary>The output of the last <see cref="Step"/>, [OutputSize].</summary>
        public float[] StepOutput { get; }

        /// <summary>The inputs of <see cref="Forward"/>, [T, InputSize].</summary>
        public float[] SequenceInput { get; }

        /// <summary>The outputs of <see cref="Forward"/>, [T, OutputSize].</summary>
        public float[] SequenceOutput { get; }

        /// <summary>The final hidden state of the last <see cref="Forward"/>, [Layers, HiddenSize].</summary>
        public float[] LastHidden { get; }

        /// <summary>The final cell state of the last <see cref="Forward"/>, [Layers, HiddenSize].</summary>
        public float[] LastCell { get; }

        private (float[] Hidden, float[] Cell) StateA { get; }

        private (float[] Hidden, float[] Cell) StateB { get; }

        /// <summary>The state the next <see cref="Step"/> reads (the last one wrote).</summary>
        public (float[] Hidden, float[] Cell) CurrentState => _parity == 0 ? StateA : StateB;

        /// <summary>Sets the stepping state to zero.</summary>
        public void ResetState()
        {
            Array.Clear(StateA.Hidden);
            Array.Clear(StateA.Cell);
            _parity = 0;
        }

        /// <summary>One step: <see cref="StepInput"/> in, <see cref="StepOutput"/> out, the state carried.</summary>
        public void Step()
        {
            _session.RunWithBinding(_runOptions, _stepBindings[_parity]);
            _parity ^= 1;
        }

        /// <summary>The sequence <see cref="SequenceInput"/> from the zero state into <see cref="SequenceOutput"/>.</summary>
        public void Forward() => _session.RunWithBinding(_runOptions, _forwardBinding);

        /// <inheritdoc/>
        public void Dispose()
        {
            foreach (OrtIoBinding binding in _stepBindings)
            {
                binding.Dispose();
            }

            _forwardBinding.Dispose();
            foreach (OrtValue value in _values)
            {
                value.Dispose();
            }

            _runOptions.Dispose();
            _session.Dispose();
        }

        private OrtIoBinding Bind(OrtValue x, OrtValue h0, OrtValue c0, OrtValue y, OrtValue hn, OrtValue cn)
        {
            OrtIoBinding binding = _session.CreateIoBinding();
            binding.BindInput("x", x);
            binding.BindInput("h0", h0);
            binding.BindInput("c0", c0);
            binding.BindOutput("y", y);
            binding.BindOutput("hn", hn);
            binding.BindOutput("cn", cn);
            return binding;
        }
    }
}
