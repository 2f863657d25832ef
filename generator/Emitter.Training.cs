using System.Linq;
using LstmGen.Generator.Model;
using static LstmGen.Generator.CodeWriter;

namespace LstmGen.Generator
{
    /// <summary>
    /// Training: the gradients, the recorded forward pass, backpropagation through time, and the
    /// backward kernels of every path. The kernels sum in the same fixed order on every path (the
    /// canonical 16 lanes for dot products, element by element otherwise), so gradients, like
    /// outputs, have the same bits on every processor.
    /// </summary>
    internal sealed partial class Emitter
    {
        private static readonly string[] s_pathNames = { "Vector512", "Vector256", "Vector128", "Scalar" };

        /// <summary>The layer kernels a step runs: the first one, then the upper one for the layers above.</summary>
        private bool HasUpperLayers => _spec.Layers > 1;

        private void EmitTrainingConstants()
        {
            _writer.Lines("""
                // The record of a training sequence, one row per step after a row 0 that holds the state the
                // sequence starts from. For each layer: the gate activations (packed like a gate row), the cell
                // state and the hidden state; then the step's outputs before and after the output activation.
                private const int RecordCellOffset = GateRowLength;
                private const int RecordHiddenOffset = GateRowLength + HiddenSize;
                private const int LayerRecordLength = GateRowLength + (2 * HiddenSize);
                private const int RecordLogitsOffset = Layers * LayerRecordLength;
                private const int RecordOutputsOffset = RecordLogitsOffset + OutputSize;
                private const int StepRecordLength = RecordOutputsOffset + OutputSize;

                // The backward pass's scratch: d loss / d h and d loss / d c of every layer, carried to the step
                // before; the gradient reaching a layer's output from above; the logit gradients.
                private const int ScratchCellOffset = Layers * HiddenSize;
                private const int ScratchUpstreamOffset = 2 * Layers * HiddenSize;
                private const int ScratchLogitOffset = ScratchUpstreamOffset + HiddenSize;
                private const int BackwardScratchLength = ScratchLogitOffset + OutputSize;

                // The weights' gradients take the steps a block at a time: each is loaded and stored once per block.
                private const int WeightGradientBlock = 32;

                """);
        }

        private void EmitTrainingFields()
        {
            _writer.Line("// Training buffers, allocated on first use: the gradients (laid out as the parameters), the");
            _writer.Line("// backward pass's scratch, and the record of the forward pass, grown to the longest sequence seen.");
            _writer.Line("// (The gradients start at ParameterStorage.Offset of their array: no second field to read out of step.)");
            _writer.Line("private float[]? _gradientStorage;");
            _writer.Line("private float[]? _backwardScratch;");
            _writer.Line("private float[]? _record;");
            _writer.Line();
        }

        private void EmitTrainingApi()
        {
            _writer.Line($"/// <inheritdoc cref=\"{TypeNames.ILstmModel}.Gradients\"/>");
            using (_writer.Open($"public {TypeNames.Span}<float> Gradients"))
            {
                using (_writer.Open("get"))
                {
                    _writer.Line($"float[] storage = _gradientStorage ??= {TypeNames.ParameterStorage}.Allocate(ParameterCount, out _);");
                    _writer.Line($"return new {TypeNames.Span}<float>(storage, {TypeNames.ParameterStorage}.Offset(storage), ParameterCount);");
                }
            }

            _writer.Line();
            _writer.Line($"/// <inheritdoc cref=\"{TypeNames.ILstmModel}.ZeroGradients\"/>");
            using (_writer.Open("public void ZeroGradients()"))
            {
                using (Guard("ZeroGradients"))
                {
                    _writer.Line("Gradients.Clear();");
                }
            }

            _writer.Line();
            _writer.Line($"/// <inheritdoc cref=\"{TypeNames.ILstmModel}.TrimBuffers\"/>");
            using (_writer.Open("public void TrimBuffers()"))
            {
                using (Guard("TrimBuffers"))
                {
                    _writer.Line("_record = null;");
                    _writer.Line("_backwardScratch = null;");
                    _writer.Line("_forwardBuffer = null;");
                }
            }
            _writer.Line();
            _writer.Line($"/// <inheritdoc cref=\"{TypeNames.ILstmModel}.GetGradient\"/>");
            using (_writer.Open($"public void GetGradient(string name, {TypeNames.Span}<float> destination)"))
            {
                _writer.Line($"{TypeNames.ModelGuard}.NotBusy(_busy, nameof(GetGradient));");
                _writer.Line("CopyOut(FindTensor(name), Gradients, destination);");
            }
            _writer.Line();
            _writer.Line($"/// <inheritdoc cref=\"{TypeNames.ILstmModel}.AccumulateGradients({TypeNames.ReadOnlySpan}{{float}}, {TypeNames.ReadOnlySpan}{{float}})\"/>");
            using (_writer.Open($"public float AccumulateGradients({TypeNames.ReadOnlySpan}<float> inputs, {TypeNames.ReadOnlySpan}<float> targets)"))
            {
                _writer.Line($"int steps = {TypeNames.ModelGuard}.TrainingSequence(inputs.Length, InputSize, targets.Length, OutputSize, out bool lastStepOnly, nameof(inputs), nameof(targets));");
                using (Guard("AccumulateGradients"))
                {
                    _writer.Line("return BackpropagateThroughTime(inputs, targets, steps, lastStepOnly, inputGradients: default, initialHiddenGradients: default, initialCellGradients: default);");
                }
            }

            _writer.Line();
            _writer.Line($"/// <inheritdoc cref=\"{TypeNames.ILstmModel}.AccumulateGradients({TypeNames.ReadOnlySpan}{{float}}, {TypeNames.ReadOnlySpan}{{float}}, {TypeNames.Span}{{float}}, {TypeNames.Span}{{float}}, {TypeNames.Span}{{float}})\"/>");
            using (_writer.Open($"public float AccumulateGradients({TypeNames.ReadOnlySpan}<float> inputs, {TypeNames.ReadOnlySpan}<float> targets, {TypeNames.Span}<float> inputGradients, {TypeNames.Span}<float> initialHiddenGradients, {TypeNames.Span}<float> initialCellGradients)"))
            {
                _writer.Line($"int steps = {TypeNames.ModelGuard}.TrainingSequence(inputs.Length, InputSize, targets.Length, OutputSize, out bool lastStepOnly, nameof(inputs), nameof(targets));");
                _writer.Line($"{TypeNames.ModelGuard}.Length(inputGradients.Length, inputs.Length, nameof(inputGradients), \"[T, InputSize], as the inputs\");");
                _writer.Line($"{TypeNames.ModelGuard}.Length(initialHiddenGradients.Length, Layers * HiddenSize, nameof(initialHiddenGradients), \"{StateShape}\");");
                _writer.Line($"{TypeNames.ModelGuard}.Length(initialCellGradients.Length, Layers * HiddenSize, nameof(initialCellGradients), \"{StateShape}\");");
                _writer.Line($"{TypeNames.ModelGuard}.GradientSpans(inputs, targets, inputGradients, initialHiddenGradients, initialCellGradients);");
                using (Guard("AccumulateGradients"))
                {
                    _writer.Line("return BackpropagateThroughTime(inputs, targets, steps, lastStepOnly, inputGradients, initialHiddenGradients, initialCellGradients);");
                }
            }

            _writer.Line();
            EmitBackpropagateThroughTime();
            EmitRecordForward();
        }

        private void EmitBackpropagateThroughTime()
        {
            _writer.Line("/// <summary>");
            _writer.Line("/// Runs the sequence from the model's state, recording every step, then goes back from the last");
            _writer.Line("/// step to the first: the loss gradient of each scored step enters through the head, and each layer");
            _writer.Line("/// adds its weights' gradients and passes d loss / d input down and d loss / d state back in time.");
            _writer.Line("/// Empty gradient spans are not wanted (the spans were checked by the caller).");
            _writer.Line("/// </summary>");
            using (_writer.Open($"private float BackpropagateThroughTime({TypeNames.ReadOnlySpan}<float> inputs, {TypeNames.ReadOnlySpan}<float> targets, int steps, bool lastStepOnly, {TypeNames.Span}<float> inputGradients, {TypeNames.Span}<float> initialHiddenGradients, {TypeNames.Span}<float> initialCellGradients)"))
            {
                _writer.Line("// The buffers, each read into a local once, so that every reference below points into the array");
                _writer.Line("// whose length was checked: the record grows to the longest sequence seen, then is reused.");
                _writer.Line($"int recordLength = {TypeNames.ModelGuard}.RecordLength(steps, StepRecordLength, nameof(inputs));");
                _writer.Line("float[]? recordBuffer = _record;");
                using (_writer.Open("if (recordBuffer is null || recordBuffer.Length < recordLength)"))
                {
                    _writer.Line("recordBuffer = new float[recordLength];");
                    _writer.Line("_record = recordBuffer;");
                }

                _writer.Line();
                _writer.Line("float[] scratchBuffer = _backwardScratch ??= new float[BackwardScratchLength];");
                _writer.Line($"ref float parameters = ref {Unsafe}.Add(ref {ArrayData}(_parameterStorage), _parameterStart);");
                _writer.Line($"ref float gradients = ref {TypeNames.MemoryMarshal}.GetReference(Gradients);");
                _writer.Line($"ref float record = ref {ArrayData}(recordBuffer);");
                _writer.Line($"ref float input = ref {TypeNames.MemoryMarshal}.GetReference(inputs);");
                _writer.Line();
                _writer.Line("// The forward pass, recorded; it leaves the model's state after the last step.");
                _writer.Line("RecordForward(ref parameters, ref input, steps, ref record);");
                _writer.Line();
                _writer.Line("// Nothing flows back into the last step from after it.");
                _writer.Line($"{TypeNames.Span}<float> scratch = scratchBuffer;");
                _writer.Line("scratch.Clear();");
                _writer.Line($"ref float hiddenGradients = ref {TypeNames.MemoryMarshal}.GetReference(scratch);");
                _writer.Line("ref float cellGradients = ref scratch[ScratchCellOffset];");
                _writer.Line("ref float upstream = ref scratch[ScratchUpstreamOffset];");
                _writer.Line($"{TypeNames.Span}<float> logitGradients = scratch.Slice(ScratchLogitOffset, OutputSize);");
                _writer.Line("bool wantsInputGradients = !inputGradients.IsEmpty;");
                _writer.Line($"ref float inputGradient = ref {TypeNames.MemoryMarshal}.GetReference(inputGradients);");
                _writer.Line();
                string scaleOfMse = "1f / ((lastStepOnly ? 1 : steps) * OutputSize)";
                string scaleOfCrossEntropy = "1f / (lastStepOnly ? 1 : steps)";
                if (_spec.Loss == LossKind.MeanSquaredError)
                {
                    _writer.Line("// Mean squared error: the mean over every scored element.");
                    _writer.Line($"float scale = {scaleOfMse};");
                }
                else
                {
                    _writer.Line("// Cross-entropy: the mean over the scored steps.");
                    _writer.Line($"float scale = {scaleOfCrossEntropy};");
                }

                _writer.Line("double loss = 0;");
                using (_writer.Open("for (int step = steps - 1; step >= 0; step--)"))
                {
                    _writer.Line($"ref float previousRow = ref {Unsafe}.Add(ref record, step * StepRecordLength);");
                    _writer.Line($"ref float row = ref {Unsafe}.Add(ref record, (step + 1) * StepRecordLength);");
                    _writer.Line();
                    _writer.Line("// The loss of a scored step, and its gradient with respect to the logits, enter through the head.");
                    using (_writer.Open("if (!lastStepOnly || step == steps - 1)"))
                    {
                        _writer.Line($"{TypeNames.ReadOnlySpan}<float> target = lastStepOnly ? targets : targets.Slice(step * OutputSize, OutputSize);");
                        _writer.Line($"{TypeNames.ReadOnlySpan}<float> logits = {TypeNames.MemoryMarshal}.CreateReadOnlySpan(ref {Unsafe}.Add(ref row, RecordLogitsOffset), OutputSize);");
                        _writer.Line($"{TypeNames.ReadOnlySpan}<float> outputs = {TypeNames.MemoryMarshal}.CreateReadOnlySpan(ref {Unsafe}.Add(ref row, RecordOutputsOffset), OutputSize);");
                        _writer.Line($"loss += {TypeNames.Losses}.StepLoss({TypeNames.LossFunction}.{_spec.Loss}, {TypeNames.Activation}.{_spec.OutputActivation}, logits, outputs, target, scale, logitGradients);");
                        if (_spec.HasHead)
                        {
                            _writer.Line($"HeadBackward(ref {Unsafe}.Add(ref parameters, HeadOffset), ref {Unsafe}.Add(ref gradients, HeadOffset), ref {Unsafe}.Add(ref row, {TopLayerRecord()}), ref {TypeNames.MemoryMarshal}.GetReference(logitGradients), ref upstream);");
                        }
                        else
                        {
                            _writer.Line("// Without a head, the logits are the top layer's hidden state.");
                            _writer.Line($"{TypeNames.Floats}.Copy(ref {TypeNames.MemoryMarshal}.GetReference(logitGradients), ref upstream, HiddenSize);");
                        }
                    }

                    using (_writer.Open("else"))
                    {
                        _writer.Line($"{TypeNames.Floats}.Clear(ref upstream, HiddenSize);");
                    }

                    if (HasUpperLayers)
                    {
                        _writer.Line();
                        _writer.Line("// The layers above the first, from the top down: each passes d loss / d its input to the layer below.");
                        using (_writer.Open("for (int layer = Layers - 1; layer >= 1; layer--)"))
                        {
                            _writer.Line("int weights = FirstLayerParameterCount + ((layer - 1) * UpperLayerParameterCount);");
                            _writer.Line("int state = layer * HiddenSize;");
                            _writer.Line($"ref float belowRecord = ref {Unsafe}.Add(ref row, ((layer - 1) * LayerRecordLength) + RecordHiddenOffset);");
                            _writer.Line($"{_plan.UpperLayer.Name}Backward(ref {Unsafe}.Add(ref parameters, weights), ref {Unsafe}.Add(ref gradients, weights), ref belowRecord, ref {Unsafe}.Add(ref previousRow, layer * LayerRecordLength), ref {Unsafe}.Add(ref row, layer * LayerRecordLength), ref upstream, ref {Unsafe}.Add(ref hiddenGradients, state), ref {Unsafe}.Add(ref cellGradients, state), ref upstream, computeInputGradient: true);");
                        }
                    }

                    _writer.Line();
                    _writer.Line("// The first layer, whose input is the sequence: d loss / d input only when it is wanted.");
                    _writer.Line($"{_plan.FirstLayer.Name}Backward(ref parameters, ref gradients, ref {Unsafe}.Add(ref input, step * InputSize), ref previousRow, ref row, ref upstream, ref hiddenGradients, ref cellGradients, ref {Unsafe}.Add(ref inputGradient, step * InputSize), wantsInputGradients);");
                }

                _writer.Line();
                EmitWeightGradientPass();

                _writer.Line();
                _writer.Line("// What is left flows into the initial state.");
                using (_writer.Open("if (!initialHiddenGradients.IsEmpty)"))
                {
                    _writer.Line("scratch.Slice(0, Layers * HiddenSize).CopyTo(initialHiddenGradients);");
                    _writer.Line("scratch.Slice(ScratchCellOffset, Layers * HiddenSize).CopyTo(initialCellGradients);");
                }

                _writer.Line();
                _writer.Line("return (float)(loss * scale);");
            }

            _writer.Line();
        }

        /// <summary>The offset of the top layer's record in a step's row.</summary>
        private string TopLayerRecord() => _spec.Layers == 1 ? "RecordHiddenOffset" : "((Layers - 1) * LayerRecordLength) + RecordHiddenOffset";

        private void EmitRecordForward()
        {
            _writer.Line("/// <summary>");
            _writer.Line("/// The forward pass of training: the same kernels as Forward, which also record each step's gates,");
            _writer.Line("/// cell and hidden states and outputs into <paramref name=\"record\"/> (row 0: the starting state).");
            _writer.Line("/// </summary>");
            using (_writer.Open("private void RecordForward(ref float parameters, ref float input, int steps, ref float record)"))
            {
                EmitStateReferences("_state");
                _writer.Line();
                _writer.Line("// Row 0: the state the sequence starts from.");
                using (_writer.Open("for (int layer = 0; layer < Layers; layer++)"))
                {
                    _writer.Line($"ref float layerRecord = ref {Unsafe}.Add(ref record, layer * LayerRecordLength);");
                    _writer.Line($"{TypeNames.Floats}.Copy(ref {Unsafe}.Add(ref cell, layer * HiddenSize), ref {Unsafe}.Add(ref layerRecord, RecordCellOffset), HiddenSize);");
                    _writer.Line($"{TypeNames.Floats}.Copy(ref {Unsafe}.Add(ref hidden, layer * HiddenSize), ref {Unsafe}.Add(ref layerRecord, RecordHiddenOffset), HiddenSize);");
                }

                _writer.Line();
                using (_writer.Open("for (int step = 0; step < steps; step++)"))
                {
                    _writer.Line($"ref float row = ref {Unsafe}.Add(ref record, (step + 1) * StepRecordLength);");
                    _writer.Line("// Every layer, from the input up, recording as it goes.");
                    _writer.Line($"{_plan.FirstLayer.Name}Recorded(ref parameters, ref {Unsafe}.Add(ref input, step * InputSize), ref hidden, ref cell, ref row);");
                    if (HasUpperLayers)
                    {
                        using (_writer.Open("for (int layer = 1; layer < Layers; layer++)"))
                        {
                            _writer.Line("int weights = FirstLayerParameterCount + ((layer - 1) * UpperLayerParameterCount);");
                            _writer.Line($"{_plan.UpperLayer.Name}Recorded(ref {Unsafe}.Add(ref parameters, weights), ref {Unsafe}.Add(ref hidden, (layer - 1) * HiddenSize), ref {Unsafe}.Add(ref hidden, layer * HiddenSize), ref {Unsafe}.Add(ref cell, layer * HiddenSize), ref {Unsafe}.Add(ref row, layer * LayerRecordLength));");
                        }
                    }

                    _writer.Line();
                    _writer.Line("// The logits, then the outputs after the activation.");
                    _writer.Line($"ref float logits = ref {Unsafe}.Add(ref row, RecordLogitsOffset);");
                    _writer.Line($"ref float outputs = ref {Unsafe}.Add(ref row, RecordOutputsOffset);");
                    string top = _spec.Layers == 1 ? "ref hidden" : $"ref {Unsafe}.Add(ref hidden, (Layers - 1) * HiddenSize)";
                    _writer.Line(_spec.HasHead
                        ? $"HeadForward(ref {Unsafe}.Add(ref parameters, HeadOffset), {top}, ref logits);"
                        : $"{TypeNames.Floats}.Copy({top}, ref logits, HiddenSize);");
                    _writer.Line($"{TypeNames.Floats}.Copy(ref logits, ref outputs, OutputSize);");
                    if (_spec.OutputActivation != OutputActivation.Linear)
                    {
                        _writer.Line("ApplyOutputActivation(ref outputs);");
                    }
                }
            }

            _writer.Line();
        }

        /// <summary>The methods that pick a path for the training kernels: one per kernel, each a JIT-time choice.</summary>
        private void EmitTrainingDispatchers()
        {
            foreach (LayerKernel kernel in _plan.LayerKernels)
            {
                _writer.Line("/// <summary>");
                _writer.Line($"/// One step of {Which(kernel)} that records its gate activations, new cell state and new hidden");
                _writer.Line("/// state into <paramref name=\"record\"/>, for the backward pass.");
                _writer.Line("/// </summary>");
                using (_writer.Open($"private static void {kernel.Name}Recorded(ref float weights, ref float input, ref float hidden, ref float cell, ref float record)"))
                {
                    EmitDispatch(path => $"{kernel.Name}{path}(ref weights, ref input, ref hidden, ref cell, ref record);");
                    _writer.Line();
                    _writer.Line("// The new states, for the backward pass.");
                    _writer.Line($"{TypeNames.Floats}.Copy(ref cell, ref {Unsafe}.Add(ref record, RecordCellOffset), HiddenSize);");
                    _writer.Line($"{TypeNames.Floats}.Copy(ref hidden, ref {Unsafe}.Add(ref record, RecordHiddenOffset), HiddenSize);");
                }

                _writer.Line();
                EmitDispatcher(
                    $"The backward pass of {Which(kernel)} at one step",
                    $"{kernel.Name}Backward",
                    "ref float weights, ref float gradients, ref float input, ref float previous, ref float current, ref float upstream, ref float hiddenGradient, ref float cellGradient, ref float inputGradient, bool computeInputGradient");
            }

            EmitDispatcher(
                "Adds a block of steps to the gradient of a weight",
                "WeightGradients",
                $"ref float gradientRows, {NUInt} rows, ref float x, {NUInt} xStride, ref float gateGradients, {NUInt} start, {NUInt} end");

            if (_spec.HasHead)
            {
                EmitDispatcher("The dense head's logits", "HeadForward", "ref float head, ref float hidden, ref float logits", kernel: "Head");
                EmitDispatcher("The dense head's backward pass", "HeadBackward", "ref float head, ref float gradients, ref float hidden, ref float logitGradients, ref float upstream");
            }
        }

        /// <summary>
        /// <c>private static void {name}({parameters})</c>, which calls <c>{kernel}{Path}</c> with its own
        /// parameters on the path this processor takes (the kernel's name is the method's by default).
        /// </summary>
        private void EmitDispatcher(string summary, string name, string parameters, string? kernel = null)
        {
            string arguments = string.Join(", ", parameters.Split(',').Select(parameter =>
            {
                string[] words = parameter.Trim().Split(' ');
                return (words[0] == "ref" ? "ref " : string.Empty) + words[words.Length - 1];
            }));
            _writer.Line($"/// <summary>{summary}, on the path this processor takes.</summary>");
            using (_writer.Open($"private static void {name}({parameters})"))
            {
                EmitDispatch(path => $"{kernel ?? name}{path}({arguments});");
            }

            _writer.Line();
        }

        /// <summary>
        /// An if/else chain on IsHardwareAccelerated, widest first: the JIT keeps one branch. Without the
        /// scalar path, the last branch is Vector128's, for callers that checked it is accelerated. On the
        /// portable tier, the scalar call alone.
        /// </summary>
        private void EmitDispatch(System.Func<string, string> call, bool withScalar = true)
        {
            if (IsPortable)
            {
                // The portable tier has the scalar path only.
                _writer.Line(call("Scalar"));
                return;
            }

            int paths = withScalar ? s_pathNames.Length : s_pathNames.Length - 1;
            for (int i = 0; i < paths; i++)
            {
                string path = s_pathNames[i];
                string condition = i == 0 ? $"if ({TypeNames.Intrinsics}.{path}.IsHardwareAccelerated)"
                    : i < paths - 1 ? $"else if ({TypeNames.Intrinsics}.{path}.IsHardwareAccelerated)"
                    : "else";
                using (_writer.Open(condition))
                {
                    _writer.Line(call(path));
                }
            }
        }

        private void EmitLayerBackward(LayerKernel kernel, PathPlan path)
        {
            string inputs = KernelInputs(kernel);
            _writer.Line("/// <summary>");
            _writer.Line($"/// The backward pass of {Which(kernel)} ({N(kernel.InputCount)} inputs) at one step, with {path.Path} kernels.");
            _writer.Line("/// From d loss / d h (from above, plus what the next step carried back) and d loss / d c, it finds");
            _writer.Line("/// the gate gradients, which replace the gates in the record (the weights' gradients are summed from them");
            _writer.Line("/// after the backward pass), adds d loss / d b_ih and b_hh to the gradients, writes d loss / d x (when");
            _writer.Line("/// wanted) and leaves d loss / d h and d loss / d c of the step before.");
            _writer.Line("/// </summary>");
            using (_writer.Open($"private static void {kernel.Name}Backward{path.Path}(ref float weights, ref float gradients, ref float input, ref float previous, ref float current, ref float upstream, ref float hiddenGradient, ref float cellGradient, ref float inputGradient, bool computeInputGradient)"))
            {
                _writer.Line("// This layer's packed parameters and their gradients: W_ih, W_hh, then the two biases.");
                _writer.Line("ref float inputWeights = ref weights;");
                _writer.Line($"ref float recurrentWeights = ref {Unsafe}.Add(ref weights, {inputs} * GateRowLength);");
                _writer.Line($"ref float inputBiasGradients = ref {Unsafe}.Add(ref gradients, ({inputs} + HiddenSize) * GateRowLength);");
                _writer.Line($"ref float hiddenBiasGradients = ref {Unsafe}.Add(ref gradients, ({inputs} + HiddenSize + 1) * GateRowLength);");
                _writer.Line();
                _writer.Line("// What the forward pass recorded: this step's gates and cell state, the states before it. Each unit's");
                _writer.Line("// gate gradients overwrite its gates once they are read.");
                _writer.Line("ref float gates = ref current;");
                _writer.Line("ref float gateGradients = ref current;");
                _writer.Line($"ref float cell = ref {Unsafe}.Add(ref current, RecordCellOffset);");
                _writer.Line($"ref float previousCell = ref {Unsafe}.Add(ref previous, RecordCellOffset);");
                _writer.Line($"ref float previousHidden = ref {Unsafe}.Add(ref previous, RecordHiddenOffset);");
                foreach (TileLoop tile in path.Tiles)
                {
                    _writer.Line();
                    EmitGateGradients(tile);
                }

                var lanes = LanesOf(path.VectorWidth);
                _writer.Line();
                _writer.Line("// d loss / d b_ih and d loss / d b_hh: the gate gradients.");
                EmitVectorLoop(lanes, "GateRowLength", 4 * _spec.HiddenSize, (l, k) => new[]
                {
                    $"{l.Type} gateGradient = {l.Load("gateGradients", k)};",
                    l.Store($"{l.Load("inputBiasGradients", k)} + gateGradient", "inputBiasGradients", k),
                    l.Store($"{l.Load("hiddenBiasGradients", k)} + gateGradient", "hiddenBiasGradients", k),
                });

                _writer.Line();
                _writer.Line("// d loss / d x = W_ih^T gate gradients, when wanted.");
                using (_writer.Open("if (computeInputGradient)"))
                {
                    EmitRowsBackward(path, inputs, kernel.InputCount, "inputWeights", "inputGradient");
                }

                _writer.Line();
                _writer.Line("// d loss / d h_prev = W_hh^T gate gradients, for the step before.");
                EmitRowsBackward(path, "HiddenSize", _spec.HiddenSize, "recurrentWeights", "hiddenGradient");
            }

            _writer.Line();
        }

        /// <summary>
        /// The rows of a weight's backward pass: several rows per call of GateRowsBackward, then the rows
        /// left over one at a time.
        /// </summary>
        private void EmitRowsBackward(PathPlan path, string countName, int count, string weights, string result)
        {
            int rows = BackwardRows(path);
            int whole = count / rows * rows;
            string Call(string helper) =>
                $"{helper}{path.Path}(ref {Unsafe}.Add(ref {weights}, row), ref gateGradients, ref {Unsafe}.Add(ref {result}, k));";
            if (whole > 0)
            {
                using (_writer.Open($"for ({NUInt} k = 0; k < {(whole == count ? countName : N(whole))}; k{(rows == 1 ? "++" : " += " + N(rows))})"))
                {
                    _writer.Line($"{NUInt} row = k * GateRowLength;");
                    _writer.Line(Call(rows == 1 ? "GateRowBackward" : "GateRowsBackward"));
                }
            }

            if (whole < count)
            {
                using (_writer.Open($"for ({NUInt} k = {N(whole)}; k < {countName}; k++)"))
                {
                    _writer.Line($"{NUInt} row = k * GateRowLength;");
                    _writer.Line(Call("GateRowBackward"));
                }
            }
        }

        /// <summary>
        /// The element-wise part of a layer's backward pass over one tile of the forward pass: from
        /// d loss / d h and d loss / d c, the gradients of the four gate sums, and d loss / d c for the step before.
        /// </summary>
        private void EmitGateGradients(TileLoop tile)
        {
            var lanes = LanesOf(tile.VectorWidth);
            _writer.Line($"// {DescribeTile(tile, new Form(lanes, agents: 0))}: the gate gradients.");
            using (OpenTileLoops(tile))
            {
                for (int s = 0; s < tile.Segments.Count; s++)
                {
                    string unit = Offset("unit", tile.Segments[s].UnitOffset);
                    string Column(int gate) => Offset("column", GateColumn(tile, s, gate));
                    _writer.Line();
                    _writer.Line($"// Units [{unit}, +{N(tile.VectorWidth)}): d h = from above + from the next step; d c += d h * o * (1 - tanh(c)^2);");
                    _writer.Line("// both flushed to zero below 2^-60, where they would only slow the processor down.");
                    using (_writer.OpenScope())
                    {
                        _writer.Line($"{lanes.Type} one = {lanes.One};");
                        _writer.Line($"{lanes.Type} hiddenGradientSum = {TypeNames.LstmMath}.FlushNegligible({lanes.Load("upstream", unit)} + {lanes.Load("hiddenGradient", unit)});");
                        for (int gate = 0; gate < 4; gate++)
                        {
                            _writer.Line($"{lanes.Type} {s_gateLocals[gate]} = {lanes.Load("gates", Column(gate))};");
                        }

                        _writer.Line($"{lanes.Type} tanhCell = {TypeNames.LstmMath}.Tanh({lanes.Load("cell", unit)});");
                        _writer.Line($"{lanes.Type} cellGradientSum = {TypeNames.LstmMath}.FlushNegligible({TypeNames.LstmMath}.MultiplyAdd(hiddenGradientSum * outputGate, one - (tanhCell * tanhCell), {lanes.Load("cellGradient", unit)}));");
                        _writer.Line("// Through each gate's activation: sigmoid' = s (1 - s), tanh' = 1 - t^2.");
                        _writer.Line(lanes.Store("cellGradientSum * candidate * (inputGate * (one - inputGate))", "gateGradients", Column(0)));
                        _writer.Line(lanes.Store($"cellGradientSum * {lanes.Load("previousCell", unit)} * (forgetGate * (one - forgetGate))", "gateGradients", Column(1)));
                        _writer.Line(lanes.Store("cellGradientSum * inputGate * (one - (candidate * candidate))", "gateGradients", Column(2)));
                        _writer.Line(lanes.Store("hiddenGradientSum * tanhCell * (outputGate * (one - outputGate))", "gateGradients", Column(3)));
                        _writer.Line("// d loss / d c of the step before: through c = f * c_prev + i * g.");
                        _writer.Line(lanes.Store("cellGradientSum * forgetGate", "cellGradient", unit));
                    }
                }
            }
        }

        /// <summary>
        /// Rows a backward helper takes at once: enough independent dot products to hide the latency of the
        /// FMA chains, few enough that their lanes stay in the registers of the path.
        /// </summary>
        private static int BackwardRows(PathPlan path) => path.Path switch
        {
            KernelPath.Vector512 => 4,
            KernelPath.Scalar => 1,
            _ => 2,
        };

        /// <summary>The per-row helpers of a weight's backward pass, for one path.</summary>
        private void EmitGateRowHelpers(PathPlan path)
        {
            EmitGateRowsBackward(path, rows: 1);
            if (BackwardRows(path) > 1)
            {
                EmitGateRowsBackward(path, BackwardRows(path));
            }
        }

        /// <summary>
        /// GateRowBackward (one row) or GateRowsBackward (several rows of stride GateRowLength): for each row
        /// r, result[r] = weightRow_r · gateGradients.
        /// </summary>
        private void EmitGateRowsBackward(PathPlan path, int rows)
        {
            string name = rows == 1 ? $"GateRowBackward{path.Path}" : $"GateRowsBackward{path.Path}";
            _writer.Line("/// <summary>");
            _writer.Line(rows == 1
                ? $"/// One row of a weight's backward pass with {path.Path} kernels: result = weightRow · gateGradients,"
                : $"/// {N(rows)} rows of a weight's backward pass with {path.Path} kernels, {N(rows)} dot products in flight:");
            _writer.Line(rows == 1
                ? "/// summed in the canonical 16 lanes and then in order."
                : "/// result[r] = weightRow_r · gateGradients for each row r, each as one row alone sums it.");
            _writer.Line("/// </summary>");
            _writer.Line($"[{TypeNames.MethodImpl}({TypeNames.MethodImplOptions}.AggressiveInlining)]");
            using (_writer.Open($"private static void {name}(ref float weightRows, ref float gateGradients, ref float result)"))
            {
                string[] weightRows = new string[rows];
                for (int row = 0; row < rows; row++)
                {
                    weightRows[row] = rows == 1 ? "weightRows" : $"weightRow{N(row)}";
                    if (rows > 1)
                    {
                        _writer.Line($"ref float weightRow{N(row)} = ref {(row == 0 ? "weightRows" : $"{Unsafe}.Add(ref weightRows, {(row == 1 ? string.Empty : N(row) + " * ")}GateRowLength)")};");
                    }
                }

                if (path.Path == KernelPath.Scalar && _spec.HiddenSize >= 4)
                {
                    _writer.Line($"{TypeNames.Span}<float> lanes = stackalloc float[16];");
                }

                EmitLaneDot(path, 4 * _spec.HiddenSize, weightRows, "gateGradients", alongside: null);
                for (int row = 0; row < rows; row++)
                {
                    _writer.Line($"{Unsafe}.Add(ref result, {N(row)}) = {(rows == 1 ? "sum" : $"sum{N(row)}")};");
                }
            }

            _writer.Line();
        }

        /// <summary>
        /// The weights' gradients after the backward pass, from the gate gradients it left in the record:
        /// a block of steps at a time, from the last block to the first.
        /// </summary>
        private void EmitWeightGradientPass()
        {
            _writer.Line("// The weights' gradients, from the gate gradients the backward pass left in the record: d W_ih +=");
            _writer.Line("// gate gradients (outer) x and d W_hh += gate gradients (outer) h_prev at every step. A block of steps");
            _writer.Line("// at a time, from the last block to the first, so that each gradient is loaded and stored once per block");
            _writer.Line("// and takes the steps from the last to the first, as the backward pass went.");
            using (_writer.Open("for (int end = steps; end > 0; end -= WeightGradientBlock)"))
            {
                _writer.Line($"{NUInt} blockStart = ({NUInt}){TypeNames.Math}.Max(0, end - WeightGradientBlock);");
                _writer.Line($"{NUInt} blockEnd = ({NUInt})end;");
                _writer.Line();
                _writer.Line("// The first layer: step t's gate gradients are at gateGradients + t * StepRecordLength, its input at");
                _writer.Line("// input + t * InputSize and the hidden state before it in row t of the record.");
                _writer.Line($"ref float gateGradients = ref {Unsafe}.Add(ref record, StepRecordLength);");
                _writer.Line("WeightGradients(ref gradients, InputSize, ref input, InputSize, ref gateGradients, blockStart, blockEnd);");
                _writer.Line($"WeightGradients(ref {Unsafe}.Add(ref gradients, InputSize * GateRowLength), HiddenSize, ref {Unsafe}.Add(ref record, RecordHiddenOffset), StepRecordLength, ref gateGradients, blockStart, blockEnd);");
                if (HasUpperLayers)
                {
                    _writer.Line();
                    _writer.Line("// The layers above the first: their input is the hidden state of the layer below at the same step.");
                    using (_writer.Open("for (int layer = 1; layer < Layers; layer++)"))
                    {
                        _writer.Line("int weights = FirstLayerParameterCount + ((layer - 1) * UpperLayerParameterCount);");
                        _writer.Line($"ref float layerGateGradients = ref {Unsafe}.Add(ref record, StepRecordLength + (layer * LayerRecordLength));");
                        _writer.Line($"ref float belowHidden = ref {Unsafe}.Add(ref record, StepRecordLength + ((layer - 1) * LayerRecordLength) + RecordHiddenOffset);");
                        _writer.Line($"WeightGradients(ref {Unsafe}.Add(ref gradients, weights), HiddenSize, ref belowHidden, StepRecordLength, ref layerGateGradients, blockStart, blockEnd);");
                        _writer.Line($"WeightGradients(ref {Unsafe}.Add(ref gradients, weights + (HiddenSize * GateRowLength)), HiddenSize, ref {Unsafe}.Add(ref record, (layer * LayerRecordLength) + RecordHiddenOffset), StepRecordLength, ref layerGateGradients, blockStart, blockEnd);");
                    }
                }
            }
        }

        /// <summary>
        /// WeightGradients{Path}: for the rows of a weight's gradient and a block of steps, gradientRow_k +=
        /// x_t[k] * gateGradients_t, the steps from the last to the first. Every element takes the same fused
        /// multiply-adds in the same order on every path; the columns go several vectors at a time to keep
        /// independent chains in flight.
        /// </summary>
        private void EmitWeightGradients(PathPlan path)
        {
            var lanes = LanesOf(path.VectorWidth);
            int count = 4 * _spec.HiddenSize;
            int perChunk = path.VectorWidth == 1 ? 1 : WeightGradientChains * path.VectorWidth;
            int whole = count / perChunk * perChunk;
            int vectorsLeft = path.VectorWidth == 1 ? 0 : (count - whole) / path.VectorWidth;
            int vectorEnd = whole + (vectorsLeft * path.VectorWidth);
            _writer.Line("/// <summary>");
            _writer.Line($"/// Adds steps [start, end) to rows of a weight's gradient with {path.Path} kernels: gradientRow_k +=");
            _writer.Line("/// x_t[k] * gateGradients_t, with x_t[k] at x + t * xStride + k and gateGradients_t at gateGradients +");
            _writer.Line("/// t * StepRecordLength, from the last step to the first. Each gradient is loaded and stored once.");
            _writer.Line("/// </summary>");
            using (_writer.Open($"private static void WeightGradients{path.Path}(ref float gradientRows, {NUInt} rows, ref float x, {NUInt} xStride, ref float gateGradients, {NUInt} start, {NUInt} end)"))
            {
                if (whole > 0)
                {
                    string what = path.VectorWidth == 1 ? "One column at a time" : $"{N(WeightGradientChains)} vectors of columns at a time";
                    _writer.Line($"// {what}, every row, every step of the block.");
                    using (_writer.Open($"for ({NUInt} column = 0; column < {(whole == count ? "GateRowLength" : N(whole))}; column += {N(perChunk)})"))
                    {
                        EmitWeightGradientColumns(lanes, path.VectorWidth == 1 ? 1 : WeightGradientChains);
                    }
                }

                if (vectorsLeft > 0)
                {
                    if (whole > 0)
                    {
                        _writer.Line();
                    }

                    string vectors = $"{N(vectorsLeft)} vector{(vectorsLeft == 1 ? string.Empty : "s")} of columns";
                    _writer.Line(whole > 0 ? $"// The last {vectors}." : $"// {vectors}, every row, every step of the block.");
                    using (_writer.OpenScope())
                    {
                        _writer.Line($"{NUInt} column = {N(whole)};");
                        EmitWeightGradientColumns(lanes, vectorsLeft);
                    }
                }

                if (vectorEnd < count)
                {
                    if (vectorEnd > 0)
                    {
                        _writer.Line();
                    }

                    _writer.Line($"// The last {N(count - vectorEnd)} column{(count - vectorEnd == 1 ? string.Empty : "s")}, one at a time.");
                    using (_writer.Open($"for ({NUInt} column = {N(vectorEnd)}; column < GateRowLength; column++)"))
                    {
                        EmitWeightGradientColumns(LanesOf(1), 1);
                    }
                }
            }

            _writer.Line();
        }

        /// <summary>Independent accumulation chains of WeightGradients (vectors of columns in flight).</summary>
        private const int WeightGradientChains = 8;

        /// <summary>
        /// The body of WeightGradients for <paramref name="chains"/> vectors of columns from <c>column</c>:
        /// each row's gradients in registers, every step of the block added from the last to the first.
        /// </summary>
        private void EmitWeightGradientColumns(Lanes lanes, int chains)
        {
            string At(int chain) => chain == 0 ? "0" : N(chain * lanes.Width);
            using (_writer.Open($"for ({NUInt} k = 0; k < rows; k++)"))
            {
                _writer.Line($"ref float gradientRow = ref {Unsafe}.Add(ref gradientRows, (k * GateRowLength) + column);");
                _writer.Line($"ref float xRow = ref {Unsafe}.Add(ref x, k);");
                for (int chain = 0; chain < chains; chain++)
                {
                    _writer.Line($"{lanes.Type} sum{N(chain)} = {lanes.Load("gradientRow", At(chain))};");
                }

                using (_writer.Open($"for ({NUInt} step = end; step > start; step--)"))
                {
                    _writer.Line($"{NUInt} t = step - 1;");
                    _writer.Line($"{lanes.Type} xs = {lanes.Broadcast($"{Unsafe}.Add(ref xRow, t * xStride)")};");
                    _writer.Line($"ref float stepGradients = ref {Unsafe}.Add(ref gateGradients, (t * StepRecordLength) + column);");
                    for (int chain = 0; chain < chains; chain++)
                    {
                        _writer.Line($"sum{N(chain)} = {TypeNames.LstmMath}.MultiplyAdd(xs, {lanes.Load("stepGradients", At(chain))}, sum{N(chain)});");
                    }
                }

                for (int chain = 0; chain < chains; chain++)
                {
                    _writer.Line(lanes.Store($"sum{N(chain)}", "gradientRow", At(chain)));
                }
            }
        }

        private void EmitHeadBackward(PathPlan path)
        {
            var lanes = LanesOf(path.VectorWidth);
            _writer.Line("/// <summary>");
            _writer.Line($"/// The dense head's backward pass with {path.Path} kernels: head.weight's gradient += d logits (outer) h,");
            _writer.Line("/// head.bias's += d logits, and upstream = head.weight^T d logits, summed over the outputs in order.");
            _writer.Line("/// </summary>");
            using (_writer.Open($"private static void HeadBackward{path.Path}(ref float head, ref float gradients, ref float hidden, ref float logitGradients, ref float upstream)"))
            {
                _writer.Line($"ref float biasGradients = ref {Unsafe}.Add(ref gradients, OutputSize * HiddenSize);");
                _writer.Line($"{TypeNames.Floats}.Clear(ref upstream, HiddenSize);");
                using (_writer.Open($"for ({NUInt} o = 0; o < OutputSize; o++)"))
                {
                    _writer.Line($"float logitGradient = {Unsafe}.Add(ref logitGradients, o);");
                    _writer.Line($"{Unsafe}.Add(ref biasGradients, o) += logitGradient;");
                    _writer.Line($"ref float weights = ref {Unsafe}.Add(ref head, o * HiddenSize);");
                    _writer.Line($"ref float weightGradients = ref {Unsafe}.Add(ref gradients, o * HiddenSize);");
                    if (path.VectorWidth > 1)
                    {
                        _writer.Line($"{lanes.Type} logitGradients{N(path.VectorWidth)} = {lanes.Broadcast("logitGradient")};");
                    }

                    EmitVectorLoop(lanes, "HiddenSize", _spec.HiddenSize, (l, k) =>
                    {
                        string g = l.Width == 1 ? "logitGradient" : $"logitGradients{N(l.Width)}";
                        return new[]
                        {
                            l.Store($"{TypeNames.LstmMath}.MultiplyAdd({g}, {l.Load("hidden", k)}, {l.Load("weightGradients", k)})", "weightGradients", k),
                            l.Store($"{TypeNames.LstmMath}.MultiplyAdd({g}, {l.Load("weights", k)}, {l.Load("upstream", k)})", "upstream", k),
                        };
                    });
                }
            }

            _writer.Line();
        }

        /// <summary>
        /// A loop over <paramref name="count"/> elements in vectors of the path's width, then the elements
        /// past the last whole vector one at a time, with the same operations.
        /// </summary>
        private void EmitVectorLoop(Lanes lanes, string countName, int count, System.Func<Lanes, string, string[]> body)
        {
            int whole = lanes.Width == 1 ? count : count / lanes.Width * lanes.Width;
            if (whole > 0)
            {
                string limit = whole == count ? countName : N(whole);
                using (_writer.Open($"for ({NUInt} k = 0; k < {limit}; k{(lanes.Width == 1 ? "++" : " += " + N(lanes.Width))})"))
                {
                    foreach (string line in body(lanes, "k"))
                    {
                        _writer.Line(line);
                    }
                }
            }

            if (whole < count)
            {
                _writer.Line($"// The last {N(count - whole)} element{(count - whole == 1 ? string.Empty : "s")}, one at a time.");
                using (_writer.Open($"for ({NUInt} k = {N(whole)}; k < {countName}; k++)"))
                {
                    foreach (string line in body(LanesOf(1), "k"))
                    {
                        _writer.Line(line);
                    }
                }
            }
        }

        /// <summary>
        /// <c>float sum = left · right</c> over <paramref name="count"/> elements in the canonical order: the
        /// products go to 16 lanes (lane l takes elements l, l + 16, ...), LstmMath.Sum adds the lanes in a
        /// fixed tree, and the elements past the last multiple of 16 follow in order. With several
        /// <paramref name="lefts"/> (vector paths), one pass over <paramref name="right"/> computes a sum per left
        /// operand (<c>sum0</c>, <c>sum1</c>, ...), keeping that many independent chains in flight.
        /// <paramref name="alongside"/> adds a statement per row and chunk that also uses the right operand
        /// (given its lanes, index, loaded value and row).
        /// </summary>
        private void EmitLaneDot(PathPlan path, int count, string[] lefts, string right, System.Func<Lanes, string, string, int, string>? alongside)
        {
            int chunks = count / 16;
            int tail = count % 16;
            int rows = lefts.Length;
            string Sum(int row) => rows == 1 ? "sum" : $"sum{N(row)}";
            if (chunks > 0 && path.Path == KernelPath.Scalar)
            {
                // The caller declares the 16 lanes once, outside its loops; scalar code does one row at a time.
                _writer.Line("lanes.Clear();");
                using (_writer.Open($"for ({NUInt} k = 0; k < {N(chunks * 16)}; k += 16)"))
                {
                    using (_writer.Open("for (int lane = 0; lane < 16; lane++)"))
                    {
                        _writer.Line($"{NUInt} index = k + ({NUInt})lane;");
                        _writer.Line($"float {right}Value = {Unsafe}.Add(ref {right}, index);");
                        _writer.Line($"lanes[lane] = {TypeNames.LstmMath}.MultiplyAdd({Unsafe}.Add(ref {lefts[0]}, index), {right}Value, lanes[lane]);");
                        if (alongside is not null)
                        {
                            _writer.Line(alongside(LanesOf(1), "index", $"{right}Value", 0));
                        }
                    }
                }

                _writer.Line($"float sum = {TypeNames.LstmMath}.Sum(lanes);");
            }
            else if (chunks > 0)
            {
                var lanes = LanesOf(path.VectorWidth);
                int registers = 16 / path.VectorWidth;
                string Lane(int row, int i) =>
                    (rows == 1 ? "lanes" : $"row{N(row)}Lanes")
                    + (registers == 1 ? string.Empty : $"{N(i * path.VectorWidth)}To{N(((i + 1) * path.VectorWidth) - 1)}");
                for (int row = 0; row < rows; row++)
                {
                    for (int i = 0; i < registers; i++)
                    {
                        _writer.Line($"{lanes.Type} {Lane(row, i)} = {lanes.Type}.Zero;");
                    }
                }

                string? chunk = chunks == 1 ? null : "k";
                using (chunks == 1 ? _writer.OpenScope() : _writer.Open($"for ({NUInt} k = 0; k < {N(chunks * 16)}; k += 16)"))
                {
                    for (int i = 0; i < registers; i++)
                    {
                        string offset = Offset(chunk, i * path.VectorWidth);
                        string value = alongside is null && rows == 1 ? lanes.Load(right, offset) : $"{right}{N(i)}";
                        if (value != lanes.Load(right, offset))
                        {
                            _writer.Line($"{lanes.Type} {value} = {lanes.Load(right, offset)};");
                        }

                        for (int row = 0; row < rows; row++)
                        {
                            _writer.Line($"{Lane(row, i)} = {TypeNames.LstmMath}.MultiplyAdd({lanes.Load(lefts[row], offset)}, {value}, {Lane(row, i)});");
                            if (alongside is not null)
                            {
                                _writer.Line(alongside(lanes, offset, value, row));
                            }
                        }
                    }
                }

                for (int row = 0; row < rows; row++)
                {
                    _writer.Line($"float {Sum(row)} = {TypeNames.LstmMath}.Sum({string.Join(", ", Enumerable.Range(0, registers).Select(i => Lane(row, i)))});");
                }
            }
            else
            {
                for (int row = 0; row < rows; row++)
                {
                    _writer.Line($"float {Sum(row)} = 0f;");
                }
            }

            if (tail > 0)
            {
                _writer.Line(chunks > 0 ? $"// The last {N(tail)} elements, in order." : "// Every element, in order.");
                using (_writer.Open($"for ({NUInt} k = {N(chunks * 16)}; k < {N(count)}; k++)"))
                {
                    _writer.Line($"float {right}Value = {Unsafe}.Add(ref {right}, k);");
                    for (int row = 0; row < rows; row++)
                    {
                        _writer.Line($"{Sum(row)} = {TypeNames.LstmMath}.MultiplyAdd({Unsafe}.Add(ref {lefts[row]}, k), {right}Value, {Sum(row)});");
                        if (alongside is not null)
                        {
                            _writer.Line(alongside(LanesOf(1), "k", $"{right}Value", row));
                        }
                    }
                }
            }
        }
    }
}
