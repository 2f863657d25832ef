using System;
using LstmGen;

var model = new Demo.Predictor(seed: 1);
float[] output = new float[Demo.Predictor.OutputSize];
model.Step(new float[Demo.Predictor.InputSize], output);
Console.WriteLine(string.Join(", ", output));

namespace Demo
{
    [Lstm(InputSize = 8, HiddenSize = 32, Layers = 2, OutputSize = 4)]
    public partial class Predictor
    {
    }
}
