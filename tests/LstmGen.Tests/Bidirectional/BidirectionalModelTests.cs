using System;
using System.IO;
using System.Linq;
using LstmGen.Serialization;
using LstmGen.Tests.Reference;
using LstmGen.Tests.Support;
using LstmGen.Tests.Training;
using LstmGen.Training;
using Xunit;
using static LstmGen.Tests.Support.PyTorchComparison;

namespace LstmGen.Tests.Bidirectional
{
    // The forward direction of BiLstmTinyModel's shape, for files of the other kind.
    [Lstm(InputSize = 3, HiddenSize = 5, OutputSize = 2)]
    internal partial class OneDirectionTinyModel
    {
    }

    // Shapes that no bidirectional reference case has, for the finite differences.
    [Lstm(InputSize = 2, HiddenSize = 6, Layers = 2, OutputSize = 3, OutputActivation = Activation.Sigmoid, Bidirectional = true)]
    internal partial class BiLstmSigmoidModel
    {
    }

    [Gru(InputSize = 4, HiddenSize = 9, Layers = 3, Bidirectional = true)]
    internal partial class BiGruDeepNoHeadModel
    {
    }

    [Lstm(InputSize = 5, HiddenSize = 17, OutputSize = 4, OutputActivation = Activation.Softmax, Loss = LossFunction.CrossEntropy, Dropout = 0.3, Layers = 2, Bidirectional = true)]
    internal partial class BiLstmDropoutClassifierModel
    {
    }

    // Projections: 3 layers, a sigmoid head, P = 4 of H = 6.
    [Lstm(InputSize = 3, HiddenSize = 6, ProjectionSize = 4, Layers = 3, OutputSize = 2, OutputActivation = Activation.Sigmoid, Bidirectional = true)]
    internal partial class BiProjectedSigmoidModel
    {
    }

    // A bidirectional LSTM with projections whose sizes and weights are compiled in from PyTorch's state_dict.
    [Lstm(Weights = "Reference/bidirectional/biproj-wide.safetensors", OutputActivation = Activation.Tanh, Bidirectional = true)]
    internal partial class BiProjectedCompiledModel
    {
    }

    /// <summary>Bidirectional models with the rest of the runtime: the Trainer, weight files, the registry, Keras, allocations, finite differences.</summary>
    public sealed class BidirectionalModelTests
    {
        [Fact]
        public void TrainsToTheSameBitsOnAnyNumberOfThreads()
        {
            TrainingSequence[] training = TrainerTests.SmallSequences(37, seed: 5);
            TrainingSequence[] validation = TrainerTests.SmallSequences(9, seed: 6);
            (int[] Parameters, int[] TrainingLosses, int[] ValidationLosses) Run<TModel>(int threads)
                where TModel : class, ISequenceModel, new()
            {
                var model = new TModel();
                Initializers.PyTorchDefault(model, seed: 5);
                var options = new TrainerOptions { Epochs = 3, BatchSize = 8, Threads = threads, Shards = 8, Seed = 42, ClipNorm = 0.5f };
                TrainingResult result = new Trainer<TModel>(model, new Adam(0.05f), options).Fit(training, validation);
                return (Bits(model.Parameters), Bits(result.TrainingLosses), Bits(result.ValidationLosses));
            }

            foreach (Func<int, (int[], int[], int[])> run in new Func<int, (int[], int[], int[])>[] { Run<BiLstmTinyModel>, Run<BiGruTinyModel>, Run<BiLstmDropoutModel>, Run<BiProjectedTinyModel> })
            {
                var oneThread = run(1);
                foreach (int threads in new[] { 2, 3, 8 })
                {
                    var other = run(threads);
                    Assert.Equal(oneThread.Item1, other.Item1);
                    Assert.Equal(oneThread.Item2, other.Item2);
                    Assert.Equal(oneThread.Item3, other.Item3);
                }

                // It learns: the last epoch's training loss is below the first's.
                Assert.True(BitConverter.Int32BitsToSingle(oneThread.Item2[^1]) < BitConverter.Int32BitsToSingle(oneThread.Item2[0]));
            }
        }

        [Fact]
        public void ForwardAndTrainingAllocateNothingOnceWarm()
        {
            var models = new (ISequenceModel Model, int Width)[]
            {
                (new BiLstmWideModel(seed: 2), BiLstmWideModel.HiddenSize),
                (new BiGruStackedSoftmaxModel(seed: 2), BiGruStackedSoftmaxModel.HiddenSize),
                (new BiLstmDropoutModel(seed: 2), BiLstmDropoutModel.HiddenSize),
                (new BiProjectedStackedSoftmaxModel(seed: 2), BiProjectedStackedSoftmaxModel.ProjectionSize),
                (new BiProjectedDropoutNoHeadModel(seed: 2), BiProjectedDropoutNoHeadModel.ProjectionSize),
            };
            foreach ((ISequenceModel model, int width) in models)
            {
                const int steps = 40;
                float[] inputs = Enumerable.Range(0, steps * model.InputSize).Select(i => MathF.Sin(i)).ToArray();
                float[] outputs = new float[steps * model.OutputSize];
                float[] targets = new float[outputs.Length];
                targets[0] = 1f;
                float[] inputGradients = new float[inputs.Length];
                float[] hiddenGradients = new float[2 * model.Layers * width];
                float[] cellGradients = RecurrentCells.Of(model) == RecurrentCell.Gru ? Array.Empty<float>() : new float[2 * model.Layers * model.HiddenSize];
                float[] finalHidden = new float[hiddenGradients.Length];
                float[] finalCell = new float[cellGradients.Length];
                long allocated = Allocations.OfWarm(() =>
                {
                    model.Forward(inputs, outputs);
                    ((IFinalStates)model).Forward(inputs, outputs, finalHidden, finalCell);
                    model.AccumulateGradients(inputs, targets);
                    model.AccumulateGradients(inputs, targets, inputGradients, hiddenGradients, cellGradients);
                    model.ZeroGradients();
                });
                Assert.Equal(0, allocated);
            }
        }

        [Fact]
        public void AWeightFileRoundTripsWithTheReverseTensors()
        {
            var saved = new BiLstmWideModel(seed: 7);
            var stream = new MemoryStream();
            saved.Save(stream);
            SafeTensorsFile file = SafeTensorsFile.Read(new MemoryStream(stream.ToArray()));
            Assert.Equal(BiLstmWideModel.Tensors.Select(t => t.Name).OrderBy(n => n, StringComparer.Ordinal), file.Entries.Select(e => e.Name).OrderBy(n => n, StringComparer.Ordinal));
            Assert.Contains(file.Entries, entry => entry.Name == "lstm.weight_ih_l1_reverse" && entry.Shape.SequenceEqual(new long[] { 84, 42 }));
            Assert.Contains(file.Entries, entry => entry.Name == "head.weight" && entry.Shape.SequenceEqual(new long[] { 3, 42 }));

            var loaded = new BiLstmWideModel(seed: 8);
            loaded.Load(new MemoryStream(stream.ToArray()));
            Assert.Equal(saved.Parameters.ToArray(), loaded.Parameters.ToArray());
        }

        [Theory]
        [InlineData("biproj-stacked-softmax")]
        [InlineData("biproj-wide")]
        public void PyTorchsStateDictOfABidirectionalLstmWithProjectionsLoadsAndGivesPyTorchsOutputs(string name)
        {
            // The file holds nn.LSTM(bidirectional=True, proj_size=P).state_dict() under "lstm." and the head's under "head.",
            // written by make_bidirectional_cases.py from PyTorch's modules; the case holds the modules' outputs and h_n, c_n.
            ReferenceCase reference = ReferenceCase.Load(name);
            string path = Path.Combine(ReferenceCase.Directory, "bidirectional", name + ".safetensors");
            ISequenceModel model = BidirectionalCases.ByCase[name]();
            WeightFile.Load(model, path);
            AssertForwardMatches(reference, model);

            // The registry finds the generated model that fits the file, as a sequence model (biproj-wide's file fits two
            // models here, BiProjectedWideModel and BiProjectedCompiledModel, compiled from it).
            if (name == "biproj-stacked-softmax")
            {
                ISequenceModel found = LstmModels.Load(path);
                Assert.IsType<BiProjectedStackedSoftmaxModel>(found);
                Assert.Equal(model.Parameters.ToArray(), found.Parameters.ToArray());
            }

            // Saved and loaded again: the same tensors under PyTorch's names, weight_hr_l{k}_reverse [P, H] among them.
            var stream = new MemoryStream();
            WeightFile.Save(model, stream);
            SafeTensorsFile file = SafeTensorsFile.Read(new MemoryStream(stream.ToArray()));
            Assert.Contains(file.Entries, entry => entry.Name == "lstm.weight_hr_l1_reverse" && entry.Shape.SequenceEqual(new long[] { reference.ProjectionSize, reference.HiddenSize }));
            Assert.Contains(file.Entries, entry => entry.Name == "lstm.weight_ih_l1" && entry.Shape.SequenceEqual(new long[] { 4 * reference.HiddenSize, 2 * reference.ProjectionSize }));
            ISequenceModel again = BidirectionalCases.ByCase[name]();
            WeightFile.Load(again, new MemoryStream(stream.ToArray()));
            Assert.Equal(model.Parameters.ToArray(), again.Parameters.ToArray());
        }

        [Fact]
        public void CompiledInWeightsOfABidirectionalLstmWithProjectionsGivePyTorchsOutputs()
        {
            // Sizes and weights from PyTorch's state_dict at compile time: ProjectionSize and the head read from the file.
            ReferenceCase reference = ReferenceCase.Load("biproj-wide");
            Assert.Equal(BiProjectedCompiledModel.ProjectionSize, reference.ProjectionSize);
            Assert.Equal(BiProjectedCompiledModel.HiddenSize, reference.HiddenSize);
            Assert.Equal(BiProjectedCompiledModel.Layers, reference.Layers);
            var model = new BiProjectedCompiledModel();
            AssertForwardMatches(reference, model);

            float[] finalHidden = new float[reference.FinalHidden.Data.Length];
            float[] finalCell = new float[reference.FinalCell!.Data.Length];
            model.Forward(reference.Input, new float[reference.Output.Data.Length], finalHidden, finalCell);
            AssertClose(reference.FinalHidden.Data, finalHidden, "h_n");
            AssertClose(reference.FinalCell.Data, finalCell, "c_n");
        }

        [Fact]
        public void AHeadThatDoesNotReadBothProjectionsIsRefusedNamingTheTensor()
        {
            // A head of [O, P] (one direction's projection) does not fit a bidirectional model's [O, 2P].
            var model = new BiProjectedTinyModel(seed: 1);
            var stream = new MemoryStream();
            model.Save(stream);
            SafeTensorsFile file = SafeTensorsFile.Read(new MemoryStream(stream.ToArray()));
            var tensors = file.Entries.Select(entry =>
            {
                if (entry.Name == "head.weight")
                {
                    return SafeTensorsTensor.FromSingles(entry.Name, new long[] { 2, BiProjectedTinyModel.ProjectionSize }, new float[2 * BiProjectedTinyModel.ProjectionSize]);
                }

                float[] values = new float[entry.Shape.Aggregate(1L, (product, dimension) => product * dimension)];
                file.ReadSingles(entry, values);
                return SafeTensorsTensor.FromSingles(entry.Name, entry.Shape, values);
            }).ToArray();
            var wrong = new MemoryStream();
            SafeTensorsFile.Write(wrong, tensors);
            float[] before = model.Parameters.ToArray();
            WeightFileException error = Assert.Throws<WeightFileException>(() => model.Load(new MemoryStream(wrong.ToArray())));
            Assert.Equal("head.weight", error.TensorName);
            Assert.Equal(before, model.Parameters.ToArray());
        }

        private static void AssertForwardMatches(ReferenceCase reference, ISequenceModel model)
        {
            float[] outputs = new float[reference.Output.Data.Length];
            model.Forward(reference.Input, outputs);
            AssertClose(reference.Output.Data, outputs, reference.Name + " output");
        }

        [Fact]
        public void AFileOfTheOtherKindIsRefusedNamingTheTensor()
        {
            var bidirectional = new BiLstmTinyModel(seed: 1);
            var stream = new MemoryStream();
            bidirectional.Save(stream);
            var oneDirection = new OneDirectionTinyModel(seed: 2);
            float[] before = oneDirection.Parameters.ToArray();
            WeightFileException reverse = Assert.Throws<WeightFileException>(() => oneDirection.Load(new MemoryStream(stream.ToArray())));
            Assert.Contains("_reverse", reverse.TensorName, StringComparison.Ordinal);
            Assert.Contains("Bidirectional = true", reverse.Message, StringComparison.Ordinal);
            Assert.Equal(before, oneDirection.Parameters.ToArray());

            var other = new MemoryStream();
            oneDirection.Save(other);
            before = bidirectional.Parameters.ToArray();
            WeightFileException missing = Assert.Throws<WeightFileException>(() => bidirectional.Load(new MemoryStream(other.ToArray())));
            Assert.Contains("lstm.weight_ih_l0_reverse", missing.Message, StringComparison.Ordinal);
            Assert.Equal(before, bidirectional.Parameters.ToArray());
        }

        [Fact]
        public void TheRegistryLoadsABidirectionalModelAsASequenceModel()
        {
            LstmModelType[] types =
            {
                new LstmModelType(typeof(OneDirectionTinyModel), OneDirectionTinyModel.Tensors, Activation.Linear, LossFunction.MeanSquaredError, static () => new OneDirectionTinyModel()),
                new LstmModelType(typeof(BiLstmTinyModel), BiLstmTinyModel.Tensors, Activation.Linear, LossFunction.MeanSquaredError, static () => new BiLstmTinyModel()),
            };
            var saved = new BiLstmTinyModel(seed: 4);
            var stream = new MemoryStream();
            saved.Save(stream);

            ISequenceModel loaded = LstmModelRegistry.LoadSequenceModel(types, new MemoryStream(stream.ToArray()));
            Assert.IsType<BiLstmTinyModel>(loaded);
            Assert.Equal(saved.Parameters.ToArray(), loaded.Parameters.ToArray());

            // The registry of models that step refuses it, saying why, rather than returning a model that cannot step.
            InvalidOperationException error = Assert.Throws<InvalidOperationException>(() => LstmModelRegistry.Load(types, new MemoryStream(stream.ToArray())));
            Assert.Contains("bidirectional", error.Message, StringComparison.Ordinal);
        }

        [Theory]
        [InlineData("bilstm-wide", "tanh")]
        [InlineData("bigru-stacked-softmax", "softmax")]
        public void AKerasBidirectionalFileLoadsAsPyTorchsModel(string name, string denseActivation)
        {
            ReferenceCase reference = ReferenceCase.Load(name);
            ISequenceModel model = BidirectionalCases.ByCase[name]();
            KerasWeights.Load(model, Path.Combine(ReferenceCase.Directory, "bidirectional", name + ".keras.safetensors"), new KerasLstmConfig { DenseActivation = denseActivation });

            // The Keras layout of PyTorch's weights: the same tensors (a Keras LSTM's one bias is b_ih + b_hh, exact here
            // as the case's b_hh are zero), so the same outputs as PyTorch's.
            foreach ((string tensor, ReferenceTensor expected) in reference.Tensors)
            {
                float[] actual = new float[expected.Data.Length];
                model.GetTensor(tensor, actual);
                Assert.Equal(expected.ToSingle(), actual);
            }

            float[] outputs = new float[reference.Output.Data.Length];
            model.Forward(reference.Input, outputs);
            AssertClose(reference.Output.Data, outputs, $"{name} output");
        }

        [Fact]
        public void AKerasBidirectionalFileIsRefusedByAModelThatIsNotBidirectional()
        {
            var model = new LstmGen.Tests.Reference.StackedModel(seed: 1);
            float[] before = model.Parameters.ToArray();
            WeightFileException error = Assert.Throws<WeightFileException>(() => KerasWeights.Load(model, Path.Combine(ReferenceCase.Directory, "bidirectional", "bilstm-wide.keras.safetensors")));
            Assert.Contains("is a direction of a Bidirectional layer, but the model is not bidirectional", error.Message, StringComparison.Ordinal);
            Assert.Equal(before, model.Parameters.ToArray());

            // From arrays: a backward direction for a model of one direction is refused too.
            var keras = new KerasWeights(new OneDirectionTinyModel(seed: 1));
            Assert.Throws<WeightFileException>(() => keras.SetLstm(0, backward: true, new float[3 * 20], new float[5 * 20], new float[20]));
        }

        [Fact]
        public void RTNeuralsModelFilesAreRefusedForABidirectionalModel()
        {
            // RTNeural's model files have no bidirectional layers; its state_dict JSON loads as a safetensors file does.
            var model = new BiLstmTinyModel(seed: 1);
            NotSupportedException error = Assert.Throws<NotSupportedException>(() => RTNeuralModel.Load(model, new MemoryStream(System.Text.Encoding.UTF8.GetBytes("{\"in_shape\": [null, null, 3], \"layers\": []}"))));
            Assert.Contains("bidirectional", error.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void KerasArraysNeedBothDirectionsOfEveryLayer()
        {
            var model = new BiLstmTinyModel(seed: 1);
            var keras = new KerasWeights(model);
            keras.SetLstm(0, kernel: new float[3 * 20], recurrentKernel: new float[5 * 20], bias: new float[20]);
            keras.SetDense(new float[10 * 2], new float[2]);
            WeightFileException error = Assert.Throws<WeightFileException>(() => keras.Apply());
            Assert.StartsWith("The backward direction of layer 0 was not given", error.Message, StringComparison.Ordinal);
        }

        [Theory]
        [InlineData("lstm-sigmoid")]
        [InlineData("gru-deep-no-head last")]
        [InlineData("lstm-dropout-classifier")]
        [InlineData("projected-sigmoid")]
        [InlineData("projected-sigmoid last")]
        public void GradientsMatchFiniteDifferencesOfTheLoss(string name)
        {
            const int steps = 6;
            const float epsilon = 1e-2f;
            ISequenceModel model = name.Split(' ')[0] switch
            {
                "lstm-sigmoid" => new BiLstmSigmoidModel(seed: 3),
                "gru-deep-no-head" => new BiGruDeepNoHeadModel(seed: 4),
                "projected-sigmoid" => new BiProjectedSigmoidModel(seed: 6),
                _ => new BiLstmDropoutClassifierModel(seed: 5) { DropoutSeed = 23 },
            };
            bool lastStepOnly = name.EndsWith(" last", StringComparison.Ordinal);
            var random = new Random(11);
            float[] inputs = Values(random, steps * model.InputSize, 1f);
            int scored = lastStepOnly ? 1 : steps;
            float[] targets = Values(random, scored * model.OutputSize, 0.9f);
            if (model.Loss == LossFunction.CrossEntropy)
            {
                targets = new float[scored * model.OutputSize];
                for (int t = 0; t < scored; t++)
                {
                    targets[(t * model.OutputSize) + random.Next(model.OutputSize)] = 1f;
                }
            }

            // The 5-span overload wants d loss / d the starting states too: [2 x Layers, HiddenSize], the hidden ones
            // [2 x Layers, ProjectionSize] with projections (a GRU's cell span empty).
            int stateLength = 2 * model.Layers * (model is BiProjectedSigmoidModel ? BiProjectedSigmoidModel.ProjectionSize : model.HiddenSize);
            int cellLength = RecurrentCells.Of(model) == RecurrentCell.Gru ? 0 : 2 * model.Layers * model.HiddenSize;
            float Loss(float[] x) => model.AccumulateGradients(x, targets, new float[x.Length], new float[stateLength], new float[cellLength]);

            float[] parameters = model.Parameters.ToArray();
            model.ZeroGradients();
            float[] inputGradients = new float[inputs.Length];
            model.AccumulateGradients(inputs, targets, inputGradients, new float[stateLength], new float[cellLength]);
            float[] parameterGradients = model.Gradients.ToArray();
            for (int trial = 0; trial < 3; trial++)
            {
                float[] direction = Values(random, parameters.Length, 1f);
                double numeric = Central(sign =>
                {
                    Move(parameters, direction, sign * epsilon).CopyTo(model.Parameters);
                    return Loss(inputs);
                });
                parameters.CopyTo(model.Parameters);
                AssertMatchesFiniteDifference(Dot(parameterGradients, direction), numeric, $"{name}: parameters, direction {trial}");

                // Only the reverse tensors: their gradient alone (the rest of the direction zero).
                float[] reverseOnly = new float[parameters.Length];
                foreach (TensorInfo tensor in model.Tensors.Where(t => t.Name.EndsWith("_reverse", StringComparison.Ordinal)))
                {
                    Array.Copy(direction, tensor.Offset, reverseOnly, tensor.Offset, tensor.Length);
                }

                numeric = Central(sign =>
                {
                    Move(parameters, reverseOnly, sign * epsilon).CopyTo(model.Parameters);
                    return Loss(inputs);
                });
                parameters.CopyTo(model.Parameters);
                AssertMatchesFiniteDifference(Dot(parameterGradients, reverseOnly), numeric, $"{name}: reverse tensors, direction {trial}");

                float[] inputDirection = Values(random, inputs.Length, 1f);
                numeric = Central(sign => Loss(Move(inputs, inputDirection, sign * epsilon)));
                AssertMatchesFiniteDifference(Dot(inputGradients, inputDirection), numeric, $"{name}: inputs, direction {trial}");
            }

            double Central(Func<float, float> loss) => ((double)loss(1f) - loss(-1f)) / (2.0 * epsilon);
        }

        private static void AssertMatchesFiniteDifference(double expected, double numeric, string what)
        {
            // Float losses limit a finite difference to about 1e-7 / eps absolute; curvature adds O(eps^2).
            double tolerance = (2e-2 * Math.Abs(expected)) + 2e-4;
            Assert.True(Math.Abs(expected - numeric) <= tolerance, $"{what}: analytic {expected:E4}, finite difference {numeric:E4}");
        }

        private static float[] Values(Random random, int count, float scale) =>
            Enumerable.Range(0, count).Select(_ => (float)((random.NextDouble() * 2) - 1) * scale).ToArray();

        private static float[] Move(float[] point, float[] direction, float step) =>
            point.Zip(direction, (p, d) => p + (step * d)).ToArray();

        private static double Dot(float[] a, float[] b) => a.Zip(b, (x, y) => (double)x * y).Sum();

        private static int[] Bits(ReadOnlySpan<float> values) => values.ToArray().Select(BitConverter.SingleToInt32Bits).ToArray();

        private static int[] Bits(System.Collections.Generic.IEnumerable<float> values) => values.Select(BitConverter.SingleToInt32Bits).ToArray();
    }
}
