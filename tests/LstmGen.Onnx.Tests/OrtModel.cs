using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.OnnxRuntime;

namespace LstmGen.Onnx.Tests
{
    /// <summary>An exported model in an ONNX Runtime session (CPU, one thread).</summary>
    internal sealed class OrtModel : IDisposable
    {
        private readonly InferenceSession _session;

        public OrtModel(byte[] onnx)
        {
            using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 };
            _session = new InferenceSession(onnx, options);
        }

        public OrtModel(string path)
        {
            using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 };
            _session = new InferenceSession(path, options);
        }

        public IReadOnlyDictionary<string, NodeMetadata> Inputs => _session.InputMetadata;

        public IReadOnlyDictionary<string, NodeMetadata> Outputs => _session.OutputMetadata;

        public ModelMetadata Metadata => _session.ModelMetadata;

        /// <summary>Whether the graph carries a cell state (an LSTM's c0 and cn; a GRU's graph has neither).</summary>
        public bool HasCellState => _session.InputMetadata.ContainsKey(OnnxExport.InitialCellName);

        /// <summary>
        /// Runs <paramref name="input"/> [steps, batch, inputSize] from the state <paramref name="hidden"/>,
        /// <paramref name="cell"/> [layers, batch, hiddenSize] (<paramref name="cell"/> empty for a graph without a cell
        /// state); returns the output [steps, batch, outputSize] and the final state (the cell state empty without one).
        /// </summary>
        public (float[] Output, float[] Hidden, float[] Cell) Run(float[] input, int steps, int batch, float[] hidden, float[] cell)
        {
            long[] inputShape = { steps, batch, input.Length / (steps * batch) };
            int layers = _session.InputMetadata[OnnxExport.InitialHiddenName].Dimensions[0];
            long[] stateShape = { layers, batch, hidden.Length / (layers * batch) };
            if (!HasCellState && cell.Length != 0)
            {
                throw new ArgumentException("The graph has no cell state: pass an empty one.", nameof(cell));
            }

            using OrtValue x = OrtValue.CreateTensorValueFromMemory(input, inputShape);
            using OrtValue h0 = OrtValue.CreateTensorValueFromMemory(hidden, stateShape);
            using OrtValue? c0 = HasCellState ? OrtValue.CreateTensorValueFromMemory(cell, stateShape) : null;
            using var runOptions = new RunOptions();
            using IDisposableReadOnlyCollection<OrtValue> results = HasCellState
                ? _session.Run(
                    runOptions,
                    new[] { OnnxExport.InputName, OnnxExport.InitialHiddenName, OnnxExport.InitialCellName },
                    new[] { x, h0, c0! },
                    new[] { OnnxExport.OutputName, OnnxExport.FinalHiddenName, OnnxExport.FinalCellName })
                : _session.Run(
                    runOptions,
                    new[] { OnnxExport.InputName, OnnxExport.InitialHiddenName },
                    new[] { x, h0 },
                    new[] { OnnxExport.OutputName, OnnxExport.FinalHiddenName });
            float[][] arrays = results.Select(value => value.GetTensorDataAsSpan<float>().ToArray()).ToArray();
            return (arrays[0], arrays[1], HasCellState ? arrays[2] : Array.Empty<float>());
        }

        public void Dispose() => _session.Dispose();
    }
}
