// Exports the consumer model with the packaged LstmGen.Onnx into the folder given as the first argument, runs the
// file in ONNX Runtime from the zero state, and prints the graph's inputs and outputs and the largest difference
// from the model's own Forward.
using System;
using System.Globalization;
using System.IO;
using System.Linq;
using Consumer;
using LstmGen;
using LstmGen.Onnx;
using Microsoft.ML.OnnxRuntime;

const int steps = 20;
var model = new ConsumerModel(seed: 2026);
string path = Path.Combine(args.Length > 0 ? args[0] : Directory.GetCurrentDirectory(), "consumer.onnx");
OnnxExport.Export(model, path);

var inputs = new float[steps * ConsumerModel.InputSize];
var random = new DeterministicRandom(3);
for (int i = 0; i < inputs.Length; i++)
{
    inputs[i] = random.NextSingle(-2f, 2f);
}

float[] h0 = new float[ConsumerModel.Layers * ConsumerModel.HiddenSize], c0 = new float[h0.Length];
long[] stateShape = { ConsumerModel.Layers, 1, ConsumerModel.HiddenSize };
using var session = new InferenceSession(path);
using var x = OrtValue.CreateTensorValueFromMemory(inputs, new long[] { steps, 1, ConsumerModel.InputSize });
using var h = OrtValue.CreateTensorValueFromMemory(h0, stateShape);
using var c = OrtValue.CreateTensorValueFromMemory(c0, stateShape);
using var runOptions = new RunOptions();
using var results = session.Run(
    runOptions,
    new[] { OnnxExport.InputName, OnnxExport.InitialHiddenName, OnnxExport.InitialCellName },
    new[] { x, h, c },
    new[] { OnnxExport.OutputName, OnnxExport.FinalHiddenName, OnnxExport.FinalCellName });
ReadOnlySpan<float> output = results[0].GetTensorDataAsSpan<float>();

var expected = new float[steps * ConsumerModel.OutputSize];
model.Forward(inputs, expected);
float worst = 0;
for (int i = 0; i < expected.Length; i++)
{
    worst = MathF.Max(worst, MathF.Abs(expected[i] - output[i]));
}

Console.WriteLine("inputs " + string.Join(" ", session.InputMetadata.Select(pair => $"{pair.Key}[{string.Join(",", pair.Value.Dimensions)}]")));
Console.WriteLine("outputs " + string.Join(" ", session.OutputMetadata.Select(pair => $"{pair.Key}[{string.Join(",", pair.Value.Dimensions)}]")));
Console.WriteLine("max difference " + worst.ToString("R", CultureInfo.InvariantCulture));
