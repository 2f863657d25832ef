using System.Linq;
using LstmGen.Generator.Model;

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
            Line("// The record of a training sequence, one row per step after a row 0 that holds the state the");
            Line("// sequence starts from. For each layer: the gate activations (packed like a gate row), the cell");
            Line("// state and the hidden state; then the step's outputs before and after the output activation.");
            Line("private const int RecordCellOffset = GateRowLength;");
            Line("private const int RecordHiddenOffset = GateRowLength + HiddenSize;");
            Line("private const int LayerRecordLength = GateRowLength + (2 * HiddenSize);");
            Line("private const int RecordLogitsOffset = Layers * LayerRecordLength;");
            Line("private const int RecordOutputsOffset = RecordLogitsOffset + OutputSize;");
            Line("private const int StepRecordLength = RecordOutputsOffset + OutputSize;");
            Line();
            Line("// The backward pass's scratch: d loss / d h and d loss / d c of every layer, carried to the step");
            Line("// before; the gradient reaching a layer's output from above; the logit gradients.");
            Line("private const int ScratchCellOffset = Layers * HiddenSize;");
            Line("private const int ScratchUpstreamOffset = 2 * Layers * HiddenSize;");
            Line("private const int ScratchLogitOffset = ScratchUpstreamOffset + HiddenSize;");
            Line("private const int BackwardScratchLength = ScratchLogitOffset + OutputSize;");
            Line();
            Line("// The weights' gradients take the steps a block at a time: each is loaded and stored once per block.");
            Line("private const int WeightGradientBlock = 32;");
            Line();
        }

        private void EmitTrainingFields()
        {
            Line("// Training buffers, allocated on first use: the gradients (laid out as the parameters), the");
            Line("// backward pass's scratch, and the record of the forward pass, grown to the longest sequence seen.");
            Line("// (The gradients start at ParameterStorage.Offset of their array: no second field to read out of step.)");
            Line("private float[]? _gradientStorage;");
            Line("private float[]? _backwardScratch;");
            Line("private float[]? _record;");
            Line();
        }

        private void EmitTrainingApi()
        {
            Line($"/// <inheritdoc cref=\"{TypeNames.ILstmModel}.Gradients\"/>");
            using (Open($"public {TypeNames.Span}<float> Gradients"))
            {
                using (Open("get"))
                {
                    Line($"float[] storage = _gradientStorage ??= {TypeNames.ParameterStorage}.Allocate(ParameterCount, out _);");
                    Line($"return new {TypeNames.Span}<float>(storage, {TypeNames.ParameterStorage}.Offset(storage), ParameterCount);");
                }
            }

            Line();
            Line($"/// <inheritdoc cref=\"{TypeNames.ILstmModel}.ZeroGradients\"/>");
            using (Open("public void ZeroGradients()"))
            {
                using (Guard("ZeroGradients"))
                {
                    Line("Gradients.Clear();");
                }
            }

            Line();
            Line($"/// <inheritdoc cref=\"{TypeNames.ILstmModel}.TrimBuffers\"/>");
            using (Open("public void TrimBuffers()"))
            {
                using (Guard("TrimBuffers"))
                {
                    Line("_record = null;");
                    Line("_backwardScratch = null;");
                    Line("_forwardBuffer = null;");
                }
            }
            Line();
            Line($"/// <inheritdoc cref=\"{TypeNames.ILstmModel}.GetGradient\"/>");
            using (Open($"public void GetGradient(string name, {TypeNames.Span}<float> destination)"))
            {
                Line($"{TypeNames.ModelGuard}.NotBusy(_busy, nameof(GetGradient));");
                Line("CopyOut(FindTensor(name), Gradients, destination);");
            }
            Line();
            Line($"/// <inheritdoc cref=\"{TypeNames.ILstmModel}.AccumulateGradients({TypeNames.ReadOnlySpan}{{float}}, {TypeNames.ReadOnlySpan}{{float}})\"/>");
            using (Open($"public float AccumulateGradients({TypeNames.ReadOnlySpan}<float> inputs, {TypeNames.ReadOnlySpan}<float> targets)"))
            {
                Line($"int steps = {TypeNames.ModelGuard}.TrainingSequence(inputs.Length, InputSize, targets.Length, OutputSize, out bool lastStepOnly, nameof(inputs), nameof(targets));");
                using (Guard("AccumulateGradients"))
                {
                    Line("return BackpropagateThroughTime(inputs, targets, steps, lastStepOnly, inputGradients: default, initialHiddenGradients: default, initialCellGradients: default);");
                }
            }

            Line();
            Line($"/// <inheritdoc cref=\"{TypeNames.ILstmModel}.AccumulateGradients({TypeNames.ReadOnlySpan}{{float}}, {TypeNames.ReadOnlySpan}{{float}}, {TypeNames.Span}{{float}}, {TypeNames.Span}{{float}}, {TypeNames.Span}{{float}})\"/>");
            using (Open($"public float AccumulateGradients({TypeNames.ReadOnlySpan}<float> inputs, {TypeNames.ReadOnlySpan}<float> targets, {TypeNames.Span}<float> inputGradients, {TypeNames.Span}<float> initialHiddenGradients, {TypeNames.Span}<float> initialCellGradients)"))
            {
                Line($"int steps = {TypeNames.ModelGuard}.TrainingSequence(inputs.Length, InputSize, targets.Length, OutputSize, out bool lastStepOnly, nameof(inputs), nameof(targets));");
                Line($"{TypeNames.ModelGuard}.Length(inputGradients.Length, inputs.Length, nameof(inputGradients), \"[T, InputSize], as the inputs\");");
                Line($"{TypeNames.ModelGuard}.Length(initialHiddenGradients.Length, Layers * HiddenSize, nameof(initialHiddenGradients), \"{StateShape}\");");
                Line($"{TypeNames.ModelGuard}.Length(initialCellGradients.Length, Layers * HiddenSize, nameof(initialCellGradients), \"{StateShape}\");");
                Line($"{TypeNames.ModelGuard}.GradientSpans(inputs, targets, inputGradients, initialHiddenGradients, initialCellGradients);");
                using (Guard("AccumulateGradients"))
                {
                    Line("return BackpropagateThroughTime(inputs, targets, steps, lastStepOnly, inputGradients, initialHiddenGradients, initialCellGradients);");
                }
            }

            Line();
            EmitBackpropagateThroughTime();
            EmitRecordForward();
        }

        private void EmitBackpropagateThroughTime()
        {
            Line("/// <summary>");
            Line("/// Runs the sequence from the model's state, recording every step, then goes back from the last");
            Line("/// step to the first: the loss gradient of each scored step enters through the head, and each layer");
            Line("/// adds its weights' gradients and passes d loss / d input down and d loss / d state back in time.");
            Line("/// Empty gradient spans are not wanted (the spans were checked by the caller).");
            Line("/// </summary>");
            using (Open($"private float BackpropagateThroughTime({TypeNames.ReadOnlySpan}<float> inputs, {TypeNames.ReadOnlySpan}<float> targets, int steps, bool lastStepOnly, {TypeNames.Span}<float> inputGradients, {TypeNames.Span}<float> initialHiddenGradients, {TypeNames.Span}<float> initialCellGradients)"))
            {
                Line("// The buffers, each read into a local once, so that every reference below points into the array");
                Line("// whose length was checked: the record grows to the longest sequence seen, then is reused.");
                Line($"int recordLength = {TypeNames.ModelGuard}.RecordLength(steps, StepRecordLength, nameof(inputs));");
                Line("float[]? recordBuffer = _record;");
                using (Open("if (recordBuffer is null || recordBuffer.Length < recordLength)"))
                {
                    Line("recordBuffer = new float[recordLength];");
                    Line("_record = recordBuffer;");
                }

                Line();
                Line("float[] scratchBuffer = _backwardScratch ??= new float[BackwardScratchLength];");
                Line($"ref float parameters = ref {Unsafe}.Add(ref {ArrayData}(_parameterStorage), _parameterStart);");
                Line($"ref float gradients = ref {TypeNames.MemoryMarshal}.GetReference(Gradients);");
                Line($"ref float record = ref {ArrayData}(recordBuffer);");
                Line($"ref float input = ref {TypeNames.MemoryMarshal}.GetReference(inputs);");
                Line();
                Line("// The forward pass, recorded; it leaves the model's state after the last step.");
                Line("RecordForward(ref parameters, ref input, steps, ref record);");
                Line();
                Line("// Nothing flows back into the last step from after it.");
                Line($"{TypeNames.Span}<float> scratch = scratchBuffer;");
                Line("scratch.Clear();");
                Line($"ref float hiddenGradients = ref {TypeNames.MemoryMarshal}.GetReference(scratch);");
                Line("ref float cellGradients = ref scratch[ScratchCellOffset];");
                Line("ref float upstream = ref scratch[ScratchUpstreamOffset];");
                Line($"{TypeNames.Span}<float> logitGradients = scratch.Slice(ScratchLogitOffset, OutputSize);");
                Line("bool wantsInputGradients = !inputGradients.IsEmpty;");
                Line($"ref float inputGradient = ref {TypeNames.MemoryMarshal}.GetReference(inputGradients);");
                Line();
                string scaleOfMse = "1f / ((lastStepOnly ? 1 : steps) * OutputSize)";
                string scaleOfCrossEntropy = "1f / (lastStepOnly ? 1 : steps)";
                if (_spec.Loss == LossKind.MeanSquaredError)
                {
                    Line("// Mean squared error: the mean over every scored element.");
                    Line($"float scale = {scaleOfMse};");
                }
                else
                {
                    Line("// Cross-entropy: the mean over the scored steps.");
                    Line($"float scale = {scaleOfCrossEntropy};");
                }

                Line("double loss = 0;");
                using (Open("for (int step = steps - 1; step >= 0; step--)"))
                {
                    Line($"ref float previousRow = ref {Unsafe}.Add(ref record, step * StepRecordLength);");
                    Line($"ref float row = ref {Unsafe}.Add(ref record, (step + 1) * StepRecordLength);");
                    Line();
                    Line("// The loss of a scored step, and its gradient with respect to the logits, enter through the head.");
                    using (Open("if (!lastStepOnly || step == steps - 1)"))
                    {
                        Line($"{TypeNames.ReadOnlySpan}<float> target = lastStepOnly ? targets : targets.Slice(step * OutputSize, OutputSize);");
                        Line($"{TypeNames.ReadOnlySpan}<float> logits = {TypeNames.MemoryMarshal}.CreateReadOnlySpan(ref {Unsafe}.Add(ref row, RecordLogitsOffset), OutputSize);");
                        Line($"{TypeNames.ReadOnlySpan}<float> outputs = {TypeNames.MemoryMarshal}.CreateReadOnlySpan(ref {Unsafe}.Add(ref row, RecordOutputsOffset), OutputSize);");
                        Line($"loss += {TypeNames.Losses}.StepLoss({TypeNames.LossFunction}.{_spec.Loss}, {TypeNames.Activation}.{_spec.OutputActivation}, logits, outputs, target, scale, logitGradients);");
                        if (_spec.HasHead)
                        {
                            Line($"HeadBackward(ref {Unsafe}.Add(ref parameters, HeadOffset), ref {Unsafe}.Add(ref gradients, HeadOffset), ref {Unsafe}.Add(ref row, {TopLayerRecord()}), ref {TypeNames.MemoryMarshal}.GetReference(logitGradients), ref upstream);");
                        }
                        else
                        {
                            Line("// Without a head, the logits are the top layer's hidden state.");
                            Line($"{TypeNames.Floats}.Copy(ref {TypeNames.MemoryMarshal}.GetReference(logitGradients), ref upstream, HiddenSize);");
                        }
                    }

                    using (Open("else"))
                    {
                        Line($"{TypeNames.Floats}.Clear(ref upstream, HiddenSize);");
                    }

                    if (HasUpperLayers)
                    {
                        Line();
                        Line("// The layers above the first, from the top down: each passes d loss / d its input to the layer below.");
                        using (Open("for (int layer = Layers - 1; layer >= 1; layer--)"))
                        {
                            Line("int weights = FirstLayerParameterCount + ((layer - 1) * UpperLayerParameterCount);");
                            Line("int state = layer * HiddenSize;");
                            Line($"ref float belowRecord = ref {Unsafe}.Add(ref row, ((layer - 1) * LayerRecordLength) + RecordHiddenOffset);");
                            Line($"{_plan.UpperLayer.Name}Backward(ref {Unsafe}.Add(ref parameters, weights), ref {Unsafe}.Add(ref gradients, weights), ref belowRecord, ref {Unsafe}.Add(ref previousRow, layer * LayerRecordLength), ref {Unsafe}.Add(ref row, layer * LayerRecordLength), ref upstream, ref {Unsafe}.Add(ref hiddenGradients, state), ref {Unsafe}.Add(ref cellGradients, state), ref upstream, computeInputGradient: true);");
                        }
                    }

                    Line();
                    Line("// The first layer, whose input is the sequence: d loss / d input only when it is wanted.");
                    Line($"{_plan.FirstLayer.Name}Backward(ref parameters, ref gradients, ref {Unsafe}.Add(ref input, step * InputSize), ref previousRow, ref row, ref upstream, ref hiddenGradients, ref cellGradients, ref {Unsafe}.Add(ref inputGradient, step * InputSize), wantsInputGradients);");
                }

                Line();
                EmitWeightGradientPass();

                Line();
                Line("// What is left flows into the initial state.");
                using (Open("if (!initialHiddenGradients.IsEmpty)"))
                {
                    Line("scratch.Slice(0, Layers * HiddenSize).CopyTo(initialHiddenGradients);");
                    Line("scratch.Slice(ScratchCellOffset, Layers * HiddenSize).CopyTo(initialCellGradients);");
                }

                Line();
                Line("return (float)(loss * scale);");
            }

            Line();
        }

        /// <summary>The offset of the top layer's record in a step's row.</summary>
        private string TopLayerRecord() => _spec.Layers == 1 ? "RecordHiddenOffset" : "((Layers - 1) * LayerRecordLength) + RecordHiddenOffset";

        private void EmitRecordForward()
        {
            Line("/// <summary>");
            Line("/// The forward pass of training: the same kernels as Forward, which also record each step's gates,");
            Line("/// cell and hidden states and outputs into <paramref name=\"record\"/> (row 0: the starting state).");
            Line("/// </summary>");
            using (Open("private void RecordForward(ref float parameters, ref float input, int steps, ref float record)"))
            {
                EmitStateReferences("_state");
                Line();
                Line("// Row 0: the state the sequence starts from.");
                using (Open("for (int layer = 0; layer < Layers; layer++)"))
                {
                    Line($"ref float layerRecord = ref {Unsafe}.Add(ref record, layer * LayerRecordLength);");
                    Line($"{TypeNames.Floats}.Copy(ref {Unsafe}.Add(ref cell, layer * HiddenSize), ref {Unsafe}.Add(ref layerRecord, RecordCellOffset), HiddenSize);");
                    Line($"{TypeNames.Floats}.Copy(ref {Unsafe}.Add(ref hidden, layer * HiddenSize), ref {Unsafe}.Add(ref layerRecord, RecordHiddenOffset), HiddenSize);");
                }

                Line();
                using (Open("for (int step = 0; step < steps; step++)"))
                {
                    Line($"ref float row = ref {Unsafe}.Add(ref record, (step + 1) * StepRecordLength);");
                    Line("// Every layer, from the input up, recording as it goes.");
                    Line($"{_plan.FirstLayer.Name}Recorded(ref parameters, ref {Unsafe}.Add(ref input, step * InputSize), ref hidden, ref cell, ref row);");
                    if (HasUpperLayers)
                    {
                        using (Open("for (int layer = 1; layer < Layers; layer++)"))
                        {
                            Line("int weights = FirstLayerParameterCount + ((layer - 1) * UpperLayerParameterCount);");
                            Line($"{_plan.UpperLayer.Name}Recorded(ref {Unsafe}.Add(ref parameters, weights), ref {Unsafe}.Add(ref hidden, (layer - 1) * HiddenSize), ref {Unsafe}.Add(ref hidden, layer * HiddenSize), ref {Unsafe}.Add(ref cell, layer * HiddenSize), ref {Unsafe}.Add(ref row, layer * LayerRecordLength));");
                        }
                    }

                    Line();
                    Line("// The logits, then the outputs after the activation.");
                    Line($"ref float logits = ref {Unsafe}.Add(ref row, RecordLogitsOffset);");
                    Line($"ref float outputs = ref {Unsafe}.Add(ref row, RecordOutputsOffset);");
                    string top = _spec.Layers == 1 ? "ref hidden" : $"ref {Unsafe}.Add(ref hidden, (Layers - 1) * HiddenSize)";
                    Line(_spec.HasHead
                        ? $"HeadForward(ref {Unsafe}.Add(ref parameters, HeadOffset), {top}, ref logits);"
                        : $"{TypeNames.Floats}.Copy({top}, ref logits, HiddenSize);");
                    Line($"{TypeNames.Floats}.Copy(ref logits, ref outputs, OutputSize);");
                    if (_spec.OutputActivation != OutputActivation.Linear)
                    {
                        Line("ApplyOutputActivation(ref outputs);");
                    }
                }
            }

            Line();
        }

        /// <summary>The methods that pick a path for the training kernels: one per kernel, each a JIT-time choice.</summary>
        private void EmitTrainingDispatchers()
        {
            foreach (LayerKernel kernel in _plan.LayerKernels)
            {
                Line("/// <summary>");
                Line($"/// One step of {Which(kernel)} that records its gate activations, new cell state and new hidden");
                Line("/// state into <paramref name=\"record\"/>, for the backward pass.");
                Line("/// </summary>");
                using (Open($"private static void {kernel.Name}Recorded(ref float weights, ref float input, ref float hidden, ref float cell, ref float record)"))
                {
                    EmitDispatch(path => $"{kernel.Name}{path}(ref weights, ref input, ref hidden, ref cell, ref record);");
                    Line();
                    Line("// The new states, for the backward pass.");
                    Line($"{TypeNames.Floats}.Copy(ref cell, ref {Unsafe}.Add(ref record, RecordCellOffset), HiddenSize);");
                    Line($"{TypeNames.Floats}.Copy(ref hidden, ref {Unsafe}.Add(ref record, RecordHiddenOffset), HiddenSize);");
                }

                Line();
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
            Line($"/// <summary>{summary}, on the path this processor takes.</summary>");
            using (Open($"private static void {name}({parameters})"))
            {
                EmitDispatch(path => $"{kernel ?? name}{path}({arguments});");
            }

            Line();
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
                Line(call("Scalar"));
                return;
            }

            int paths = withScalar ? s_pathNames.Length : s_pathNames.Length - 1;
            for (int i = 0; i < paths; i++)
            {
                string path = s_pathNames[i];
                string condition = i == 0 ? $"if ({TypeNames.Intrinsics}.{path}.IsHardwareAccelerated)"
                    : i < paths - 1 ? $"else if ({TypeNames.Intrinsics}.{path}.IsHardwareAccelerated)"
                    : "else";
                using (Open(condition))
                {
                    Line(call(path));
                }
            }
        }

        private void EmitLayerBackward(LayerKernel kernel, PathPlan path)
        {
            string inputs = KernelInputs(kernel);
            Line("/// <summary>");
            Line($"/// The backward pass of {Which(kernel)} ({N(kernel.InputCount)} inputs) at one step, with {path.Path} kernels.");
            Line("/// From d loss / d h (from above, plus what the next step carried back) and d loss / d c, it finds");
            Line("/// the gate gradients, which replace the gates in the record (the weights' gradients are summed from them");
            Line("/// after the backward pass), adds d loss / d b_ih and b_hh to the gradients, writes d loss / d x (when");
            Line("/// wanted) and leaves d loss / d h and d loss / d c of the step before.");
            Line("/// </summary>");
            using (Open($"private static void {kernel.Name}Backward{path.Path}(ref float weights, ref float gradients, ref float input, ref float previous, ref float current, ref float upstream, ref float hiddenGradient, ref float cellGradient, ref float inputGradient, bool computeInputGradient)"))
            {
                Line("// This layer's packed parameters and their gradients: W_ih, W_hh, then the two biases.");
                Line("ref float inputWeights = ref weights;");
                Line($"ref float recurrentWeights = ref {Unsafe}.Add(ref weights, {inputs} * GateRowLength);");
                Line($"ref float inputBiasGradients = ref {Unsafe}.Add(ref gradients, ({inputs} + HiddenSize) * GateRowLength);");
                Line($"ref float hiddenBiasGradients = ref {Unsafe}.Add(ref gradients, ({inputs} + HiddenSize + 1) * GateRowLength);");
                Line();
                Line("// What the forward pass recorded: this step's gates and cell state, the states before it. Each unit's");
                Line("// gate gradients overwrite its gates once they are read.");
                Line("ref float gates = ref current;");
                Line("ref float gateGradients = ref current;");
                Line($"ref float cell = ref {Unsafe}.Add(ref current, RecordCellOffset);");
                Line($"ref float previousCell = ref {Unsafe}.Add(ref previous, RecordCellOffset);");
                Line($"ref float previousHidden = ref {Unsafe}.Add(ref previous, RecordHiddenOffset);");
                foreach (TileLoop tile in path.Tiles)
                {
                    Line();
                    EmitGateGradients(tile);
                }

                var lanes = LanesOf(path.VectorWidth);
                Line();
                Line("// d loss / d b_ih and d loss / d b_hh: the gate gradients.");
                EmitVectorLoop(lanes, "GateRowLength", 4 * _spec.HiddenSize, (l, k) => new[]
                {
                    $"{l.Type} gateGradient = {l.Load("gateGradients", k)};",
                    l.Store($"{l.Load("inputBiasGradients", k)} + gateGradient", "inputBiasGradients", k),
                    l.Store($"{l.Load("hiddenBiasGradients", k)} + gateGradient", "hiddenBiasGradients", k),
                });

                Line();
                Line("// d loss / d x = W_ih^T gate gradients, when wanted.");
                using (Open("if (computeInputGradient)"))
                {
                    EmitRowsBackward(path, inputs, kernel.InputCount, "inputWeights", "inputGradient");
                }

                Line();
                Line("// d loss / d h_prev = W_hh^T gate gradients, for the step before.");
                EmitRowsBackward(path, "HiddenSize", _spec.HiddenSize, "recurrentWeights", "hiddenGradient");
            }

            Line();
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
                using (Open($"for ({NUInt} k = 0; k < {(whole == count ? countName : N(whole))}; k{(rows == 1 ? "++" : " += " + N(rows))})"))
                {
                    Line($"{NUInt} row = k * GateRowLength;");
                    Line(Call(rows == 1 ? "GateRowBackward" : "GateRowsBackward"));
                }
            }

            if (whole < count)
            {
                using (Open($"for ({NUInt} k = {N(whole)}; k < {countName}; k++)"))
                {
                    Line($"{NUInt} row = k * GateRowLength;");
                    Line(Call("GateRowBackward"));
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
            Line($"// {DescribeTile(tile, new Form(lanes, agents: 0))}: the gate gradients.");
            using (OpenTileLoops(tile))
            {
                for (int s = 0; s < tile.Segments.Count; s++)
                {
                    string unit = Offset("unit", tile.Segments[s].UnitOffset);
                    string Column(int gate) => Offset("column", GateColumn(tile, s, gate));
                    Line();
                    Line($"// Units [{unit}, +{N(tile.VectorWidth)}): d h = from above + from the next step; d c += d h * o * (1 - tanh(c)^2);");
                    Line("// both flushed to zero below 2^-60, where they would only slow the processor down.");
                    using (OpenScope())
                    {
                        Line($"{lanes.Type} one = {lanes.One};");
                        Line($"{lanes.Type} hiddenGradientSum = {TypeNames.LstmMath}.FlushNegligible({lanes.Load("upstream", unit)} + {lanes.Load("hiddenGradient", unit)});");
                        for (int gate = 0; gate < 4; gate++)
                        {
                            Line($"{lanes.Type} {s_gateLocals[gate]} = {lanes.Load("gates", Column(gate))};");
                        }

                        Line($"{lanes.Type} tanhCell = {TypeNames.LstmMath}.Tanh({lanes.Load("cell", unit)});");
                        Line($"{lanes.Type} cellGradientSum = {TypeNames.LstmMath}.FlushNegligible({TypeNames.LstmMath}.MultiplyAdd(hiddenGradientSum * outputGate, one - (tanhCell * tanhCell), {lanes.Load("cellGradient", unit)}));");
                        Line("// Through each gate's activation: sigmoid' = s (1 - s), tanh' = 1 - t^2.");
                        Line(lanes.Store("cellGradientSum * candidate * (inputGate * (one - inputGate))", "gateGradients", Column(0)));
                        Line(lanes.Store($"cellGradientSum * {lanes.Load("previousCell", unit)} * (forgetGate * (one - forgetGate))", "gateGradients", Column(1)));
                        Line(lanes.Store("cellGradientSum * inputGate * (one - (candidate * candidate))", "gateGradients", Column(2)));
                        Line(lanes.Store("hiddenGradientSum * tanhCell * (outputGate * (one - outputGate))", "gateGradients", Column(3)));
                        Line("// d loss / d c of the step before: through c = f * c_prev + i * g.");
                        Line(lanes.Store("cellGradientSum * forgetGate", "cellGradient", unit));
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
            Line("/// <summary>");
            Line(rows == 1
                ? $"/// One row of a weight's backward pass with {path.Path} kernels: result = weightRow · gateGradients,"
                : $"/// {N(rows)} rows of a weight's backward pass with {path.Path} kernels, {N(rows)} dot products in flight:");
            Line(rows == 1
                ? "/// summed in the canonical 16 lanes and then in order."
                : "/// result[r] = weightRow_r · gateGradients for each row r, each as one row alone sums it.");
            Line("/// </summary>");
            Line($"[{TypeNames.MethodImpl}({TypeNames.MethodImplOptions}.AggressiveInlining)]");
            using (Open($"private static void {name}(ref float weightRows, ref float gateGradients, ref float result)"))
            {
                string[] weightRows = new string[rows];
                for (int row = 0; row < rows; row++)
                {
                    weightRows[row] = rows == 1 ? "weightRows" : $"weightRow{N(row)}";
                    if (rows > 1)
                    {
                        Line($"ref float weightRow{N(row)} = ref {(row == 0 ? "weightRows" : $"{Unsafe}.Add(ref weightRows, {(row == 1 ? string.Empty : N(row) + " * ")}GateRowLength)")};");
                    }
                }

                if (path.Path == KernelPath.Scalar && _spec.HiddenSize >= 4)
                {
                    Line($"{TypeNames.Span}<float> lanes = stackalloc float[16];");
                }

                EmitLaneDot(path, 4 * _spec.HiddenSize, weightRows, "gateGradients", alongside: null);
                for (int row = 0; row < rows; row++)
                {
                    Line($"{Unsafe}.Add(ref result, {N(row)}) = {(rows == 1 ? "sum" : $"sum{N(row)}")};");
                }
            }

            Line();
        }

        /// <summary>
        /// The weights' gradients after the backward pass, from the gate gradients it left in the record:
        /// a block of steps at a time, from the last block to the first.
        /// </summary>
        private void EmitWeightGradientPass()
        {
            Line("// The weights' gradients, from the gate gradients the backward pass left in the record: d W_ih +=");
            Line("// gate gradients (outer) x and d W_hh += gate gradients (outer) h_prev at every step. A block of steps");
            Line("// at a time, from the last block to the first, so that each gradient is loaded and stored once per block");
            Line("// and takes the steps from the last to the first, as the backward pass went.");
            using (Open("for (int end = steps; end > 0; end -= WeightGradientBlock)"))
            {
                Line($"{NUInt} blockStart = ({NUInt}){TypeNames.Math}.Max(0, end - WeightGradientBlock);");
                Line($"{NUInt} blockEnd = ({NUInt})end;");
                Line();
                Line("// The first layer: step t's gate gradients are at gateGradients + t * StepRecordLength, its input at");
                Line("// input + t * InputSize and the hidden state before it in row t of the record.");
                Line($"ref float gateGradients = ref {Unsafe}.Add(ref record, StepRecordLength);");
                Line("WeightGradients(ref gradients, InputSize, ref input, InputSize, ref gateGradients, blockStart, blockEnd);");
                Line($"WeightGradients(ref {Unsafe}.Add(ref gradients, InputSize * GateRowLength), HiddenSize, ref {Unsafe}.Add(ref record, RecordHiddenOffset), StepRecordLength, ref gateGradients, blockStart, blockEnd);");
                if (HasUpperLayers)
                {
                    Line();
                    Line("// The layers above the first: their input is the hidden state of the layer below at the same step.");
                    using (Open("for (int layer = 1; layer < Layers; layer++)"))
                    {
                        Line("int weights = FirstLayerParameterCount + ((layer - 1) * UpperLayerParameterCount);");
                        Line($"ref float layerGateGradients = ref {Unsafe}.Add(ref record, StepRecordLength + (layer * LayerRecordLength));");
                        Line($"ref float belowHidden = ref {Unsafe}.Add(ref record, StepRecordLength + ((layer - 1) * LayerRecordLength) + RecordHiddenOffset);");
                        Line($"WeightGradients(ref {Unsafe}.Add(ref gradients, weights), HiddenSize, ref belowHidden, StepRecordLength, ref layerGateGradients, blockStart, blockEnd);");
                        Line($"WeightGradients(ref {Unsafe}.Add(ref gradients, weights + (HiddenSize * GateRowLength)), HiddenSize, ref {Unsafe}.Add(ref record, (layer * LayerRecordLength) + RecordHiddenOffset), StepRecordLength, ref layerGateGradients, blockStart, blockEnd);");
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
            Line("/// <summary>");
            Line($"/// Adds steps [start, end) to rows of a weight's gradient with {path.Path} kernels: gradientRow_k +=");
            Line("/// x_t[k] * gateGradients_t, with x_t[k] at x + t * xStride + k and gateGradients_t at gateGradients +");
            Line("/// t * StepRecordLength, from the last step to the first. Each gradient is loaded and stored once.");
            Line("/// </summary>");
            using (Open($"private static void WeightGradients{path.Path}(ref float gradientRows, {NUInt} rows, ref float x, {NUInt} xStride, ref float gateGradients, {NUInt} start, {NUInt} end)"))
            {
                if (whole > 0)
                {
                    string what = path.VectorWidth == 1 ? "One column at a time" : $"{N(WeightGradientChains)} vectors of columns at a time";
                    Line($"// {what}, every row, every step of the block.");
                    using (Open($"for ({NUInt} column = 0; column < {(whole == count ? "GateRowLength" : N(whole))}; column += {N(perChunk)})"))
                    {
                        EmitWeightGradientColumns(lanes, path.VectorWidth == 1 ? 1 : WeightGradientChains);
                    }
                }

                if (vectorsLeft > 0)
                {
                    if (whole > 0)
                    {
                        Line();
                    }

                    string vectors = $"{N(vectorsLeft)} vector{(vectorsLeft == 1 ? string.Empty : "s")} of columns";
                    Line(whole > 0 ? $"// The last {vectors}." : $"// {vectors}, every row, every step of the block.");
                    using (OpenScope())
                    {
                        Line($"{NUInt} column = {N(whole)};");
                        EmitWeightGradientColumns(lanes, vectorsLeft);
                    }
                }

                if (vectorEnd < count)
                {
                    if (vectorEnd > 0)
                    {
                        Line();
                    }

                    Line($"// The last {N(count - vectorEnd)} column{(count - vectorEnd == 1 ? string.Empty : "s")}, one at a time.");
                    using (Open($"for ({NUInt} column = {N(vectorEnd)}; column < GateRowLength; column++)"))
                    {
                        EmitWeightGradientColumns(LanesOf(1), 1);
                    }
                }
            }

            Line();
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
            using (Open($"for ({NUInt} k = 0; k < rows; k++)"))
            {
                Line($"ref float gradientRow = ref {Unsafe}.Add(ref gradientRows, (k * GateRowLength) + column);");
                Line($"ref float xRow = ref {Unsafe}.Add(ref x, k);");
                for (int chain = 0; chain < chains; chain++)
                {
                    Line($"{lanes.Type} sum{N(chain)} = {lanes.Load("gradientRow", At(chain))};");
                }

                using (Open($"for ({NUInt} step = end; step > start; step--)"))
                {
                    Line($"{NUInt} t = step - 1;");
                    Line($"{lanes.Type} xs = {lanes.Broadcast($"{Unsafe}.Add(ref xRow, t * xStride)")};");
                    Line($"ref float stepGradients = ref {Unsafe}.Add(ref gateGradients, (t * StepRecordLength) + column);");
                    for (int chain = 0; chain < chains; chain++)
                    {
                        Line($"sum{N(chain)} = {TypeNames.LstmMath}.MultiplyAdd(xs, {lanes.Load("stepGradients", At(chain))}, sum{N(chain)});");
                    }
                }

                for (int chain = 0; chain < chains; chain++)
                {
                    Line(lanes.Store($"sum{N(chain)}", "gradientRow", At(chain)));
                }
            }
        }

        private void EmitHeadBackward(PathPlan path)
        {
            var lanes = LanesOf(path.VectorWidth);
            Line("/// <summary>");
            Line($"/// The dense head's backward pass with {path.Path} kernels: head.weight's gradient += d logits (outer) h,");
            Line("/// head.bias's += d logits, and upstream = head.weight^T d logits, summed over the outputs in order.");
            Line("/// </summary>");
            using (Open($"private static void HeadBackward{path.Path}(ref float head, ref float gradients, ref float hidden, ref float logitGradients, ref float upstream)"))
            {
                Line($"ref float biasGradients = ref {Unsafe}.Add(ref gradients, OutputSize * HiddenSize);");
                Line($"{TypeNames.Floats}.Clear(ref upstream, HiddenSize);");
                using (Open($"for ({NUInt} o = 0; o < OutputSize; o++)"))
                {
                    Line($"float logitGradient = {Unsafe}.Add(ref logitGradients, o);");
                    Line($"{Unsafe}.Add(ref biasGradients, o) += logitGradient;");
                    Line($"ref float weights = ref {Unsafe}.Add(ref head, o * HiddenSize);");
                    Line($"ref float weightGradients = ref {Unsafe}.Add(ref gradients, o * HiddenSize);");
                    if (path.VectorWidth > 1)
                    {
                        Line($"{lanes.Type} logitGradients{N(path.VectorWidth)} = {lanes.Broadcast("logitGradient")};");
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

            Line();
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
                using (Open($"for ({NUInt} k = 0; k < {limit}; k{(lanes.Width == 1 ? "++" : " += " + N(lanes.Width))})"))
                {
                    foreach (string line in body(lanes, "k"))
                    {
                        Line(line);
                    }
                }
            }

            if (whole < count)
            {
                Line($"// The last {N(count - whole)} element{(count - whole == 1 ? string.Empty : "s")}, one at a time.");
                using (Open($"for ({NUInt} k = {N(whole)}; k < {countName}; k++)"))
                {
                    foreach (string line in body(LanesOf(1), "k"))
                    {
                        Line(line);
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
                Line("lanes.Clear();");
                using (Open($"for ({NUInt} k = 0; k < {N(chunks * 16)}; k += 16)"))
                {
                    using (Open("for (int lane = 0; lane < 16; lane++)"))
                    {
                        Line($"{NUInt} index = k + ({NUInt})lane;");
                        Line($"float {right}Value = {Unsafe}.Add(ref {right}, index);");
                        Line($"lanes[lane] = {TypeNames.LstmMath}.MultiplyAdd({Unsafe}.Add(ref {lefts[0]}, index), {right}Value, lanes[lane]);");
                        if (alongside is not null)
                        {
                            Line(alongside(LanesOf(1), "index", $"{right}Value", 0));
                        }
                    }
                }

                Line($"float sum = {TypeNames.LstmMath}.Sum(lanes);");
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
                        Line($"{lanes.Type} {Lane(row, i)} = {lanes.Type}.Zero;");
                    }
                }

                string? chunk = chunks == 1 ? null : "k";
                using (chunks == 1 ? OpenScope() : Open($"for ({NUInt} k = 0; k < {N(chunks * 16)}; k += 16)"))
                {
                    for (int i = 0; i < registers; i++)
                    {
                        string offset = Offset(chunk, i * path.VectorWidth);
                        string value = alongside is null && rows == 1 ? lanes.Load(right, offset) : $"{right}{N(i)}";
                        if (value != lanes.Load(right, offset))
                        {
                            Line($"{lanes.Type} {value} = {lanes.Load(right, offset)};");
                        }

                        for (int row = 0; row < rows; row++)
                        {
                            Line($"{Lane(row, i)} = {TypeNames.LstmMath}.MultiplyAdd({lanes.Load(lefts[row], offset)}, {value}, {Lane(row, i)});");
                            if (alongside is not null)
                            {
                                Line(alongside(lanes, offset, value, row));
                            }
                        }
                    }
                }

                for (int row = 0; row < rows; row++)
                {
                    Line($"float {Sum(row)} = {TypeNames.LstmMath}.Sum({string.Join(", ", Enumerable.Range(0, registers).Select(i => Lane(row, i)))});");
                }
            }
            else
            {
                for (int row = 0; row < rows; row++)
                {
                    Line($"float {Sum(row)} = 0f;");
                }
            }

            if (tail > 0)
            {
                Line(chunks > 0 ? $"// The last {N(tail)} elements, in order." : "// Every element, in order.");
                using (Open($"for ({NUInt} k = {N(chunks * 16)}; k < {N(count)}; k++)"))
                {
                    Line($"float {right}Value = {Unsafe}.Add(ref {right}, k);");
                    for (int row = 0; row < rows; row++)
                    {
                        Line($"{Sum(row)} = {TypeNames.LstmMath}.MultiplyAdd({Unsafe}.Add(ref {lefts[row]}, k), {right}Value, {Sum(row)});");
                        if (alongside is not null)
                        {
                            Line(alongside(LanesOf(1), "k", $"{right}Value", row));
                        }
                    }
                }
            }
        }
    }
}
