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
        /// <summary>The layer kernels a step runs: the first one, then the upper one for the layers above.</summary>
        private bool HasUpperLayers => _spec.Layers > 1;

        private void EmitTrainingConstants()
        {
            EmitRecordConstants();
            EmitWeightGradientBlock();
        }

        /// <summary>The steps of a block of the weights' gradients (<see cref="KernelPlan.WeightGradientBlock"/>).</summary>
        private void EmitWeightGradientBlock()
        {
            _writer.Line("// The weights' gradients take the steps a block at a time: each is loaded and stored once per block.");
            _writer.Line($"private const int WeightGradientBlock = {Literal(KernelPlan.WeightGradientBlock)};");
            _writer.Line();
        }

        /// <summary>The layout of the training record's rows and of the backward pass's scratch.</summary>
        private void EmitRecordConstants()
        {
            if (!_cell.HasCellState)
            {
                _writer.Lines("""
                    // The record of a training sequence, one row per step after a row 0 that holds the state the
                    // sequence starts from. For each layer: the gate values (the activations r, z, n packed like a gate
                    // row, then W_hn h + b_hn of every unit), the hidden state, and the recurrent side's gate gradients
                    // (the backward pass writes them); then the step's outputs before and after the output activation.
                    private const int RecordHiddenOffset = GateValuesLength;
                    private const int RecordRecurrentGradientOffset = GateValuesLength + HiddenSize;
                    private const int LayerRecordLength = RecordRecurrentGradientOffset + GateRowLength;
                    private const int RecordLogitsOffset = Layers * LayerRecordLength;
                    private const int RecordOutputsOffset = RecordLogitsOffset + OutputSize;
                    """);
                EmitStepRecordLength();
                _writer.Lines("""
                    // The backward pass's scratch: d loss / d h of every layer, carried to the step before; the part of it
                    // that h = (h_prev - n) * z + n carries directly; the gradient reaching a layer's output from above;
                    // the logit gradients.
                    private const int ScratchCarriedOffset = Layers * HiddenSize;
                    private const int ScratchUpstreamOffset = 2 * Layers * HiddenSize;
                    private const int ScratchLogitOffset = ScratchUpstreamOffset + HiddenSize;
                    private const int BackwardScratchLength = ScratchLogitOffset + OutputSize;

                    """);
                return;
            }

            if (_spec.HasProjection)
            {
                EmitProjectedTrainingConstants();
                return;
            }

            _writer.Lines("""
                // The record of a training sequence, one row per step after a row 0 that holds the state the
                // sequence starts from. For each layer: the gate activations (packed like a gate row), the cell
                // state and the hidden state; then the step's outputs before and after the output activation.
                private const int RecordCellOffset = GateRowLength;
                private const int RecordHiddenOffset = GateRowLength + HiddenSize;
                private const int LayerRecordLength = GateRowLength + (2 * HiddenSize);
                private const int RecordLogitsOffset = Layers * LayerRecordLength;
                private const int RecordOutputsOffset = RecordLogitsOffset + OutputSize;
                """);
            EmitStepRecordLength();
            _writer.Lines("""
                // The backward pass's scratch: d loss / d h and d loss / d c of every layer, carried to the step
                // before; the gradient reaching a layer's output from above; the logit gradients.
                private const int ScratchCellOffset = Layers * HiddenSize;
                private const int ScratchUpstreamOffset = 2 * Layers * HiddenSize;
                private const int ScratchLogitOffset = ScratchUpstreamOffset + HiddenSize;
                private const int BackwardScratchLength = ScratchLogitOffset + OutputSize;

                """);
        }

        /// <summary>
        /// The length of a step's row of the record: after the outputs, a model with dropout records, for each layer
        /// below the top, its mask (0 or 1 / (1 - p) per unit) and its output times the mask, which the layer above read.
        /// </summary>
        private void EmitStepRecordLength()
        {
            if (!_spec.HasDropout)
            {
                _writer.Line("private const int StepRecordLength = RecordOutputsOffset + OutputSize;");
                _writer.Line();
                return;
            }

            _writer.Line("private const int RecordDropoutOffset = RecordOutputsOffset + OutputSize;");
            _writer.Line($"private const int StepRecordLength = RecordDropoutOffset + ((Layers - 1) * 2 * {LayerOutputName});");
            _writer.Line();
            _writer.Line("// Dropout between layers in training: the probability that a layer's output is dropped.");
            _writer.Line($"private const float DropoutProbability = {Literal(_spec.Dropout)};");
            _writer.Line();
        }

        /// <summary>The offset, in a step's row of the record, of layer <paramref name="layer"/>'s dropout mask (its dropped output follows).</summary>
        private string DropoutRecord(string layer) => $"RecordDropoutOffset + ({layer} * 2 * {LayerOutputName})";

        private void EmitTrainingFields()
        {
            _writer.Line("// Training buffers, allocated on first use: the gradients (laid out as the parameters), the");
            _writer.Line("// backward pass's scratch, and the record of the forward pass, grown to the longest sequence seen.");
            _writer.Line("// (The gradients start at ParameterStorage.Offset of their array: no second field to read out of step.)");
            _writer.Line("private float[]? _gradientStorage;");
            _writer.Line("private float[]? _backwardScratch;");
            _writer.Line("private float[]? _record;");
            _writer.Line();
            if (_spec.HasDropout)
            {
                _writer.Line($"/// <inheritdoc cref=\"{TypeNames.IDropoutModel}.DropoutSeed\"/>");
                _writer.Line("public ulong DropoutSeed { get; set; }");
                _writer.Line();
                _writer.Line($"float {TypeNames.IDropoutModel}.Dropout => DropoutProbability;");
                _writer.Line();
            }
        }

        private void EmitTrainingApi()
        {
            _writer.Line($"/// <inheritdoc cref=\"{TypeNames.ISequenceModel}.Gradients\"/>");
            using (_writer.Open($"public {TypeNames.Span}<float> Gradients"))
            {
                using (_writer.Open("get"))
                {
                    _writer.Line($"float[] storage = _gradientStorage ??= {TypeNames.ParameterStorage}.Allocate(ParameterCount, out _);");
                    _writer.Line($"return new {TypeNames.Span}<float>(storage, {TypeNames.ParameterStorage}.Offset(storage), ParameterCount);");
                }
            }

            _writer.Line();
            _writer.Line($"/// <inheritdoc cref=\"{TypeNames.ISequenceModel}.ZeroGradients\"/>");
            using (_writer.Open("public void ZeroGradients()"))
            {
                using (Guard("ZeroGradients"))
                {
                    _writer.Line("Gradients.Clear();");
                }
            }

            _writer.Line();
            _writer.Line($"/// <inheritdoc cref=\"{TypeNames.ISequenceModel}.TrimBuffers\"/>");
            using (_writer.Open("public void TrimBuffers()"))
            {
                using (Guard("TrimBuffers"))
                {
                    _writer.Line("_record = null;");
                    _writer.Line("_backwardScratch = null;");
                    _writer.Line("_forwardBuffer = null;");
                    if (_spec.Bidirectional)
                    {
                        _writer.Line("_sequenceBuffer = null;");
                    }
                }
            }
            _writer.Line();
            _writer.Line($"/// <inheritdoc cref=\"{TypeNames.ISequenceModel}.GetGradient\"/>");
            using (_writer.Open($"public void GetGradient(string name, {TypeNames.Span}<float> destination)"))
            {
                _writer.Line($"{TypeNames.ModelGuard}.NotBusy(_busy, nameof(GetGradient));");
                _writer.Line("CopyOut(FindTensor(name), Gradients, destination);");
            }
            _writer.Line();
            _writer.Line($"/// <inheritdoc cref=\"{TypeNames.ISequenceModel}.AccumulateGradients({TypeNames.ReadOnlySpan}{{float}}, {TypeNames.ReadOnlySpan}{{float}})\"/>");
            using (_writer.Open($"public float AccumulateGradients({TypeNames.ReadOnlySpan}<float> inputs, {TypeNames.ReadOnlySpan}<float> targets)"))
            {
                _writer.Line($"int steps = {TypeNames.ModelGuard}.TrainingSequence(inputs.Length, InputSize, targets.Length, OutputSize, out bool lastStepOnly, nameof(inputs), nameof(targets));");
                using (Guard("AccumulateGradients"))
                {
                    _writer.Line(_cell.HasCellState
                        ? "return BackpropagateThroughTime(inputs, targets, steps, lastStepOnly, inputGradients: default, initialHiddenGradients: default, initialCellGradients: default);"
                        : "return BackpropagateThroughTime(inputs, targets, steps, lastStepOnly, inputGradients: default, initialHiddenGradients: default);");
                }
            }

            _writer.Line();
            _writer.Line($"/// <inheritdoc cref=\"{TypeNames.ISequenceModel}.AccumulateGradients({TypeNames.ReadOnlySpan}{{float}}, {TypeNames.ReadOnlySpan}{{float}}, {TypeNames.Span}{{float}}, {TypeNames.Span}{{float}}, {TypeNames.Span}{{float}})\"/>");
            using (_writer.Open($"public float AccumulateGradients({TypeNames.ReadOnlySpan}<float> inputs, {TypeNames.ReadOnlySpan}<float> targets, {TypeNames.Span}<float> inputGradients, {TypeNames.Span}<float> initialHiddenGradients, {TypeNames.Span}<float> initialCellGradients)"))
            {
                _writer.Line($"int steps = {TypeNames.ModelGuard}.TrainingSequence(inputs.Length, InputSize, targets.Length, OutputSize, out bool lastStepOnly, nameof(inputs), nameof(targets));");
                _writer.Line($"{TypeNames.ModelGuard}.Length(inputGradients.Length, inputs.Length, nameof(inputGradients), \"[T, InputSize], as the inputs\");");
                _writer.Line(_spec.Bidirectional
                    ? $"{TypeNames.ModelGuard}.Length(initialHiddenGradients.Length, {DirectionHiddenLength}, nameof(initialHiddenGradients), \"{DirectionHiddenShape}\");"
                    : $"{TypeNames.ModelGuard}.Length(initialHiddenGradients.Length, Layers * {RecurrentWidth}, nameof(initialHiddenGradients), \"{HiddenStateShape}\");");
                _writer.Line(_cell.HasCellState
                    ? $"{TypeNames.ModelGuard}.Length(initialCellGradients.Length, {InitialStateLength}, nameof(initialCellGradients), \"{InitialStateShape}\");"
                    : $"{TypeNames.ModelGuard}.Length(initialCellGradients.Length, 0, nameof(initialCellGradients), \"empty: a {_cell.Name} has no cell state\");");
                _writer.Line($"{TypeNames.ModelGuard}.GradientSpans(inputs, targets, inputGradients, initialHiddenGradients, initialCellGradients);");
                using (Guard("AccumulateGradients"))
                {
                    _writer.Line(_cell.HasCellState
                        ? "return BackpropagateThroughTime(inputs, targets, steps, lastStepOnly, inputGradients, initialHiddenGradients, initialCellGradients);"
                        : "return BackpropagateThroughTime(inputs, targets, steps, lastStepOnly, inputGradients, initialHiddenGradients);");
                }
            }

            _writer.Line();
            if (_spec.Bidirectional)
            {
                EmitBidirectionalBackpropagation();
                EmitBidirectionalRecordForward();
                return;
            }

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
            using (OpenBackpropagateThroughTime())
            {
                _writer.Line("// The buffers, each read into a local once, so that every reference below points into the array");
                _writer.Line("// whose length was checked: the record grows to the longest sequence seen, then is reused.");
                EmitGrownBuffer("recordBuffer", "_record", $"{TypeNames.ModelGuard}.RecordLength(steps, StepRecordLength, nameof(inputs))", "recordLength");
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
                _writer.Line(_cell.HasCellState
                    ? "ref float cellGradients = ref scratch[ScratchCellOffset];"
                    : "ref float carriedGradients = ref scratch[ScratchCarriedOffset];");
                _writer.Line("ref float upstream = ref scratch[ScratchUpstreamOffset];");
                _writer.Line($"{TypeNames.Span}<float> logitGradients = scratch.Slice(ScratchLogitOffset, OutputSize);");
                _writer.Line("bool wantsInputGradients = !inputGradients.IsEmpty;");
                _writer.Line($"ref float inputGradient = ref {TypeNames.MemoryMarshal}.GetReference(inputGradients);");
                _writer.Line();
                EmitLossScale();
                using (_writer.Open("for (int step = steps - 1; step >= 0; step--)"))
                {
                    _writer.Line($"ref float previousRow = ref {Unsafe}.Add(ref record, step * StepRecordLength);");
                    _writer.Line($"ref float row = ref {Unsafe}.Add(ref record, (step + 1) * StepRecordLength);");
                    _writer.Line();
                    _writer.Line("// The loss of a scored step, and its gradient with respect to the logits, enter through the head.");
                    EmitScoredStepLoss(TopLayerRecord(), "hidden state", LayerOutputName);

                    if (HasUpperLayers)
                    {
                        _writer.Line();
                        _writer.Line("// The layers above the first, from the top down: each passes d loss / d its input to the layer below.");
                        using (_writer.Open("for (int layer = Layers - 1; layer >= 1; layer--)"))
                        {
                            _writer.Line("int weights = FirstLayerParameterCount + ((layer - 1) * UpperLayerParameterCount);");
                            string hiddenState = "state", cellState = "state";
                            if (_spec.HasProjection)
                            {
                                _writer.Line("int hiddenState = layer * ProjectionSize;");
                                _writer.Line("int cellState = layer * HiddenSize;");
                                (hiddenState, cellState) = ("hiddenState", "cellState");
                            }
                            else
                            {
                                _writer.Line("int state = layer * HiddenSize;");
                            }

                            _writer.Line($"{KernelClass}.{_plan.UpperLayer.Name}Backward(ref {Unsafe}.Add(ref parameters, weights), ref {Unsafe}.Add(ref gradients, weights), ref {Unsafe}.Add(ref previousRow, layer * LayerRecordLength), ref {Unsafe}.Add(ref row, layer * LayerRecordLength), ref upstream, ref {Unsafe}.Add(ref hiddenGradients, {hiddenState}), ref {Unsafe}.Add(ref {CellGradients}, {cellState}), ref upstream, computeInputGradient: true);");
                            if (_spec.HasDropout)
                            {
                                _writer.Line("// The layer read the output below times its dropout mask: the gradient is masked the same way.");
                                _writer.Line($"{TypeNames.DropoutMasks}.Backward(ref upstream, ref {Unsafe}.Add(ref row, {DropoutRecord("(layer - 1)")}), {LayerOutputName});");
                            }
                        }
                    }

                    _writer.Line();
                    _writer.Line("// The first layer, whose input is the sequence: d loss / d input only when it is wanted.");
                    _writer.Line($"{KernelClass}.{_plan.FirstLayer.Name}Backward(ref parameters, ref gradients, ref previousRow, ref row, ref upstream, ref hiddenGradients, ref {CellGradients}, ref {Unsafe}.Add(ref inputGradient, step * InputSize), wantsInputGradients);");
                }

                _writer.Line();
                EmitWeightGradientPass();

                _writer.Line();
                _writer.Line("// What is left flows into the initial state.");
                using (_writer.Open("if (!initialHiddenGradients.IsEmpty)"))
                {
                    _writer.Line($"scratch.Slice(0, Layers * {RecurrentWidth}).CopyTo(initialHiddenGradients);");
                    if (_cell.HasCellState)
                    {
                        _writer.Line("scratch.Slice(ScratchCellOffset, Layers * HiddenSize).CopyTo(initialCellGradients);");
                    }
                }

                _writer.Line();
                _writer.Line("return (float)(loss * scale);");
            }

            _writer.Line();
        }


        /// <summary>Opens <c>BackpropagateThroughTime</c>'s declaration (the cell gradients' span only where the cell has a cell state).</summary>
        private Block OpenBackpropagateThroughTime()
        {
            string cellGradients = _cell.HasCellState ? $", {TypeNames.Span}<float> initialCellGradients" : string.Empty;
            return _writer.Open($"private float BackpropagateThroughTime({TypeNames.ReadOnlySpan}<float> inputs, {TypeNames.ReadOnlySpan}<float> targets, int steps, bool lastStepOnly, {TypeNames.Span}<float> inputGradients, {TypeNames.Span}<float> initialHiddenGradients{cellGradients})");
        }

        /// <summary>
        /// <c>float[] local</c>: the array of <paramref name="field"/>, replaced by a new one of <paramref name="length"/> floats
        /// (in a local <paramref name="lengthLocal"/>) when it is missing or shorter, so that it grows to the longest sequence seen.
        /// </summary>
        private void EmitGrownBuffer(string local, string field, string length, string lengthLocal)
        {
            _writer.Line($"int {lengthLocal} = {length};");
            _writer.Line($"float[]? {local} = {field};");
            using (_writer.Open($"if ({local} is null || {local}.Length < {lengthLocal})"))
            {
                _writer.Line($"{local} = new float[{lengthLocal}];");
                _writer.Line($"{field} = {local};");
            }
        }

        /// <summary><c>scale</c>, what the loss of a scored step is multiplied by, and <c>loss</c>, their sum.</summary>
        private void EmitLossScale()
        {
            if (_spec.Loss == LossKind.MeanSquaredError)
            {
                _writer.Line("// Mean squared error: the mean over every scored element.");
                _writer.Line("float scale = 1f / ((lastStepOnly ? 1 : steps) * OutputSize);");
            }
            else
            {
                _writer.Line("// Cross-entropy: the mean over the scored steps.");
                _writer.Line("float scale = 1f / (lastStepOnly ? 1 : steps);");
            }

            _writer.Line("double loss = 0;");
        }

        /// <summary>
        /// At a scored step of <c>row</c>, its loss, and through the head (which read <paramref name="headInput"/> of the row) the
        /// gradient of the top layer's output into <c>upstream</c> (<paramref name="width"/> floats, the top layer's
        /// <paramref name="output"/>); zero at a step that is not scored.
        /// </summary>
        private void EmitScoredStepLoss(string headInput, string output, string width)
        {
            using (_writer.Open("if (!lastStepOnly || step == steps - 1)"))
            {
                _writer.Line($"{TypeNames.ReadOnlySpan}<float> target = lastStepOnly ? targets : targets.Slice(step * OutputSize, OutputSize);");
                _writer.Line($"{TypeNames.ReadOnlySpan}<float> logits = {TypeNames.MemoryMarshal}.CreateReadOnlySpan(ref {Unsafe}.Add(ref row, RecordLogitsOffset), OutputSize);");
                _writer.Line($"{TypeNames.ReadOnlySpan}<float> outputs = {TypeNames.MemoryMarshal}.CreateReadOnlySpan(ref {Unsafe}.Add(ref row, RecordOutputsOffset), OutputSize);");
                _writer.Line($"loss += {TypeNames.Losses}.StepLoss({TypeNames.LossFunction}.{_spec.Loss}, {TypeNames.Activation}.{_spec.OutputActivation}, logits, outputs, target, scale, logitGradients);");
                if (_spec.HasHead)
                {
                    _writer.Line($"{KernelClass}.HeadBackward(ref {Unsafe}.Add(ref parameters, HeadOffset), ref {Unsafe}.Add(ref gradients, HeadOffset), ref {Unsafe}.Add(ref row, {headInput}), ref {TypeNames.MemoryMarshal}.GetReference(logitGradients), ref upstream);");
                }
                else
                {
                    _writer.Line($"// Without a head, the logits are the top layer's {output}.");
                    _writer.Line($"{TypeNames.Floats}.Copy(ref {TypeNames.MemoryMarshal}.GetReference(logitGradients), ref upstream, {width});");
                }
            }

            using (_writer.Open("else"))
            {
                _writer.Line($"{TypeNames.Floats}.Clear(ref upstream, {width});");
            }
        }

        /// <summary>The scratch of d loss / d c (an LSTM's) or of what a GRU's update carries directly.</summary>
        private string CellGradients => _cell.HasCellState ? "cellGradients" : "carriedGradients";

        /// <summary>
        /// The gate gradients of W_hh's side: an LSTM's are those of W_ih's side (<paramref name="inputSide"/>); a GRU's
        /// are in their own row of the record, at <paramref name="layerRow"/> + RecordRecurrentGradientOffset.
        /// </summary>
        private string RecurrentGateGradients(string inputSide, string layerRow) => _cell.HasCellState
            ? inputSide
            : $"{Unsafe}.Add(ref record, {layerRow} + RecordRecurrentGradientOffset)";

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
                    if (_cell.HasCellState)
                    {
                        _writer.Line($"{TypeNames.Floats}.Copy(ref {Unsafe}.Add(ref cell, layer * HiddenSize), ref {Unsafe}.Add(ref layerRecord, RecordCellOffset), HiddenSize);");
                    }

                    _writer.Line($"{TypeNames.Floats}.Copy(ref {Unsafe}.Add(ref hidden, layer * {RecurrentWidth}), ref {Unsafe}.Add(ref layerRecord, RecordHiddenOffset), {RecurrentWidth});");
                }

                _writer.Line();
                using (_writer.Open("for (int step = 0; step < steps; step++)"))
                {
                    _writer.Line($"ref float row = ref {Unsafe}.Add(ref record, (step + 1) * StepRecordLength);");
                    _writer.Line("// Every layer, from the input up, recording as it goes.");
                    _writer.Line($"{KernelClass}.{_plan.FirstLayer.Name}Recorded(ref parameters, ref {Unsafe}.Add(ref input, step * InputSize), {StateArguments("ref hidden", "ref cell")}, ref row);");
                    if (HasUpperLayers)
                    {
                        using (_writer.Open("for (int layer = 1; layer < Layers; layer++)"))
                        {
                            _writer.Line("int weights = FirstLayerParameterCount + ((layer - 1) * UpperLayerParameterCount);");
                            string below = $"ref {Unsafe}.Add(ref hidden, (layer - 1) * {RecurrentWidth})";
                            if (_spec.HasDropout)
                            {
                                _writer.Line("// The layer reads the output below times its dropout mask, both recorded for the backward pass.");
                                _writer.Line($"ref float mask = ref {Unsafe}.Add(ref row, {DropoutRecord("(layer - 1)")});");
                                _writer.Line($"{TypeNames.DropoutMasks}.Apply(DropoutSeed, step, layer - 1, DropoutProbability, {below}, ref mask, ref {Unsafe}.Add(ref mask, {LayerOutputName}), {LayerOutputName});");
                                below = $"ref {Unsafe}.Add(ref mask, {LayerOutputName})";
                            }

                            _writer.Line($"{KernelClass}.{_plan.UpperLayer.Name}Recorded(ref {Unsafe}.Add(ref parameters, weights), {below}, {StateArguments($"ref {Unsafe}.Add(ref hidden, layer * {RecurrentWidth})", $"ref {Unsafe}.Add(ref cell, layer * HiddenSize)")}, ref {Unsafe}.Add(ref row, layer * LayerRecordLength));");
                        }
                    }

                    _writer.Line();
                    _writer.Line("// The logits, then the outputs after the activation.");
                    _writer.Line($"ref float logits = ref {Unsafe}.Add(ref row, RecordLogitsOffset);");
                    _writer.Line($"ref float outputs = ref {Unsafe}.Add(ref row, RecordOutputsOffset);");
                    string top = _spec.Layers == 1 ? "ref hidden" : $"ref {Unsafe}.Add(ref hidden, (Layers - 1) * {RecurrentWidth})";
                    _writer.Line(_spec.HasHead
                        ? $"{KernelClass}.HeadForward(ref {Unsafe}.Add(ref parameters, HeadOffset), {top}, ref logits);"
                        : $"{TypeNames.Floats}.Copy({top}, ref logits, {LayerOutputName});");
                    _writer.Line($"{TypeNames.Floats}.Copy(ref logits, ref outputs, OutputSize);");
                    if (_spec.OutputActivation != OutputActivation.Linear)
                    {
                        _writer.Line($"{KernelClass}.ApplyOutputActivation(ref outputs);");
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
                _writer.Line(_cell.HasCellState
                    ? $"/// One step of {DescribeLayers(kernel)} that records its gate activations, new cell state and new hidden"
                    : $"/// One step of {DescribeLayers(kernel)} that records its gate values and new hidden");
                _writer.Line("/// state into <paramref name=\"record\"/>, for the backward pass.");
                _writer.Line("/// </summary>");
                ParameterList parameters = new ParameterList().RefFloats("weights", "input").RefFloats(StateNames).RefFloats("record");
                using (_writer.Open($"internal static void {kernel.Name}Recorded({parameters.Declaration})"))
                {
                    EmitDispatch(path => $"{kernel.Name}{path}({parameters.Arguments});");
                    _writer.Line();
                    _writer.Line(_cell.HasCellState ? "// The new states, for the backward pass." : "// The new state, for the backward pass.");
                    if (_cell.HasCellState)
                    {
                        _writer.Line($"{TypeNames.Floats}.Copy(ref cell, ref {Unsafe}.Add(ref record, RecordCellOffset), HiddenSize);");
                    }

                    _writer.Line($"{TypeNames.Floats}.Copy(ref hidden, ref {Unsafe}.Add(ref record, RecordHiddenOffset), {RecurrentWidth});");
                }

                _writer.Line();
                EmitDispatcher(
                    $"The backward pass of {DescribeLayers(kernel)} at one step",
                    $"{kernel.Name}Backward",
                    LayerBackwardParameters);
            }

            EmitDispatcher(
                "Adds a block of steps to the gradient of a weight",
                "WeightGradients",
                WeightGradientParameters);

            if (_spec.HasHead)
            {
                EmitDispatcher("The dense head's logits", "HeadForward", new ParameterList().RefFloats("head", "hidden", "logits"), kernel: "Head");
                EmitDispatcher("The dense head's backward pass", "HeadBackward", HeadBackwardParameters);
            }
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
                _writer.Line($"{KernelClass}.WeightGradients(ref gradients, InputSize, ref input, InputSize, ref gateGradients, blockStart, blockEnd);");
                _writer.Line($"{KernelClass}.WeightGradients(ref {Unsafe}.Add(ref gradients, InputSize * GateRowLength), {RecurrentWidth}, ref {Unsafe}.Add(ref record, RecordHiddenOffset), StepRecordLength, ref {RecurrentGateGradients("gateGradients", "StepRecordLength")}, blockStart, blockEnd);");
                if (HasUpperLayers)
                {
                    _writer.Line();
                    _writer.Line("// The layers above the first: their input is the hidden state of the layer below at the same step.");
                    using (_writer.Open("for (int layer = 1; layer < Layers; layer++)"))
                    {
                        _writer.Line("int weights = FirstLayerParameterCount + ((layer - 1) * UpperLayerParameterCount);");
                        _writer.Line($"ref float layerGateGradients = ref {Unsafe}.Add(ref record, StepRecordLength + (layer * LayerRecordLength));");
                        _writer.Line(_spec.HasDropout
                            ? $"ref float belowHidden = ref {Unsafe}.Add(ref record, StepRecordLength + {DropoutRecord("(layer - 1)")} + {LayerOutputName});"
                            : $"ref float belowHidden = ref {Unsafe}.Add(ref record, StepRecordLength + ((layer - 1) * LayerRecordLength) + RecordHiddenOffset);");
                        _writer.Line($"{KernelClass}.WeightGradients(ref {Unsafe}.Add(ref gradients, weights), {LayerOutputName}, ref belowHidden, StepRecordLength, ref layerGateGradients, blockStart, blockEnd);");
                        _writer.Line($"{KernelClass}.WeightGradients(ref {Unsafe}.Add(ref gradients, weights + ({LayerOutputName} * GateRowLength)), {RecurrentWidth}, ref {Unsafe}.Add(ref record, (layer * LayerRecordLength) + RecordHiddenOffset), StepRecordLength, ref {RecurrentGateGradients("layerGateGradients", "StepRecordLength + (layer * LayerRecordLength)")}, blockStart, blockEnd);");
                    }
                }
            }
        }
    }
}
