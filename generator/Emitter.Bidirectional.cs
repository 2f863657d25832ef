using LstmGen.Generator.Model;
using static LstmGen.Generator.CodeWriter;

namespace LstmGen.Generator
{
    /// <summary>
    /// A bidirectional model (PyTorch's <c>bidirectional=True</c>): every layer runs a forward direction and a reverse
    /// direction, each with its own parameters, and outputs both hidden states side by side, forward half first. The
    /// directions run the layer kernels of a model that steps (the same code, another weight offset, the steps in
    /// reverse order); what is new here is the order: a layer at a time over the whole sequence, since the reverse
    /// direction needs the sequence's end. So the model has Forward and training, and no step, state or group step.
    /// </summary>
    internal sealed partial class Emitter
    {
        /// <summary>
        /// The constant that names the width of a layer's output, which the layer above and the head read, and a step outputs
        /// without a head (<see cref="ModelSpec.LayerOutputWidth"/>): both directions' hidden states, or the hidden state
        /// (<see cref="RecurrentWidth"/>).
        /// </summary>
        private string LayerOutputName => _spec.Bidirectional ? "LayerOutputSize" : RecurrentWidth;

        /// <summary>The constant that names the width of the head's input: the top layer's output.</summary>
        private string HeadInputs => LayerOutputName;

        /// <summary>The floats of the initial cell state's gradient: [Layers, HiddenSize], or [Directions * Layers, HiddenSize].</summary>
        private string InitialStateLength => _spec.Bidirectional ? "Directions * Layers * HiddenSize" : "Layers * HiddenSize";

        /// <summary>The shape of the initial cell state's gradient, for the length check's message.</summary>
        private string InitialStateShape => _spec.Bidirectional ? "[Directions * Layers, HiddenSize]" : StateShape;

        /// <summary>The floats of a bidirectional model's hidden states (initial gradients, final states): [Directions * Layers, <see cref="RecurrentWidth"/>].</summary>
        private string DirectionHiddenLength => $"Directions * Layers * {RecurrentWidth}";

        /// <summary>The shape of a bidirectional model's hidden states, for the length checks' messages.</summary>
        private string DirectionHiddenShape => $"[Directions * Layers, {RecurrentWidth}]";

        /// <summary>The head's offset in the parameters: after every layer (and, for a bidirectional model, both of its directions).</summary>
        private string HeadOffsetDeclaration
        {
            get
            {
                string layers = _spec.Layers > 1 ? "FirstLayerParameterCount + ((Layers - 1) * UpperLayerParameterCount)" : "FirstLayerParameterCount";
                return _spec.Bidirectional
                    ? $"private const int HeadOffset = Directions * ({layers});"
                    : $"private const int HeadOffset = {layers};";
            }
        }

        /// <summary>The record's offset of layer <paramref name="layer"/>'s output (both directions) in a step's row.</summary>
        private static string LayerOutputRecord(string layer) => $"RecordLayerOutputOffset + ({layer} * LayerOutputSize)";

        /// <summary>The record's offset of the loss gradient with respect to layer <paramref name="layer"/>'s output in a step's row.</summary>
        private static string OutputGradientRecord(string layer) => $"RecordOutputGradientOffset + ({layer} * LayerOutputSize)";

        /// <summary>The parameters of one direction of an upper layer: after both directions of the first layer and of the layers between.</summary>
        private const string UpperDirectionWeights = "(Directions * FirstLayerParameterCount) + ((((layer - 1) * Directions) + direction) * UpperLayerParameterCount)";

        private void EmitDirectionConstants()
        {
            _writer.Line("// Every layer runs a forward direction and a reverse direction (from the last step to the first), each with");
            _writer.Line("// its own parameters, the forward direction's first; a layer outputs both hidden states, forward half first.");
            _writer.Line("private const int Directions = 2;");
            _writer.Line($"private const int LayerOutputSize = Directions * {RecurrentWidth};");
        }

        private void EmitDirectionFields()
        {
            _writer.Line("// Forward's gate sums and the state of the direction that runs (also the state of training's forward pass),");
            _writer.Line("// allocated on first use.");
            _writer.Line("private float[]? _forwardBuffer;");
            _writer.Line();
            _writer.Line("// Forward's layer outputs over the whole sequence (the layer that runs and the one below it), grown to the");
            _writer.Line("// longest sequence seen.");
            _writer.Line("private float[]? _sequenceBuffer;");
            _writer.Line();
        }

        /// <summary>The members of a bidirectional model: the API of a model that steps, less the step, the state and the group step.</summary>
        private void EmitBidirectionalModel()
        {
            EmitConstants();
            EmitBidirectionalTrainingConstants();
            EmitBidirectionalForwardConstants();
            EmitFieldsAndConstructors();
            EmitTrainingFields();
            EmitInterfaceMembers();
            EmitTensorAccess();
            EmitWeightFiles();
            EmitBidirectionalForward();
            EmitOutputActivation();
            EmitTrainingApi();
            using (Kernels())
            {
                EmitBidirectionalKernels();
            }

            EmitKernelClass();
        }

        /// <summary>The training dispatchers, the directions' recorded and backward steps, and every path's kernels.</summary>
        private void EmitBidirectionalKernels()
        {
            EmitTrainingDispatchers();
            foreach (LayerKernel kernel in _plan.LayerKernels)
            {
                EmitRecordedDirection(kernel);
                EmitBackwardDirection(kernel);
            }

            foreach (PathPlan path in Paths)
            {
                foreach (LayerKernel kernel in _plan.LayerKernels)
                {
                    EmitLayerKernel(kernel, path, agents: false);
                    if (_plan.ProjectsInForward(kernel))
                    {
                        EmitProjectionKernel(kernel, path);
                        EmitLayerKernel(kernel, path, agents: false, recurrentOnly: true);
                    }

                    EmitLayerBackward(kernel, path);
                }

                if (_spec.HasProjection)
                {
                    EmitHiddenProjection(path);
                    EmitHiddenProjectionBackward(path);
                }

                EmitGateRowHelpers(path);
                EmitWeightGradients(path);
                if (_spec.HasHead)
                {
                    EmitHead(path);
                    EmitHeadBackward(path);
                }
            }
        }

        private void EmitBidirectionalTrainingConstants()
        {
            _writer.Line("// The record of a training sequence, one row per step between two rows of starting states: row 0 holds the");
            _writer.Line("// state the forward directions start from, row T + 1 the state the reverse directions start from (both zero).");
            if (_spec.HasProjection)
            {
                _writer.Lines("""
                    // In a step's row, for each layer and direction (layer k's forward direction at 2k, its reverse at 2k + 1): the
                    // gate activations (packed like a gate row), o * tanh(c) of every unit (which the backward pass replaces with its
                    // gradient), the cell state and the hidden state (ProjectionSize values); then each layer's output (both
                    // directions' hidden states) and the loss gradient with respect to it; then the step's outputs before and after
                    // the output activation.
                    private const int RecordCellOutputOffset = GateRowLength;
                    private const int RecordCellOffset = GateValuesLength;
                    private const int RecordHiddenOffset = GateValuesLength + HiddenSize;
                    private const int LayerRecordLength = RecordHiddenOffset + ProjectionSize;
                    """);
            }
            else if (_cell.HasCellState)
            {
                _writer.Lines("""
                    // In a step's row, for each layer and direction (layer k's forward direction at 2k, its reverse at 2k + 1): the
                    // gate activations (packed like a gate row), the cell state and the hidden state; then each layer's output (both
                    // directions' hidden states) and the loss gradient with respect to it; then the step's outputs before and after
                    // the output activation.
                    private const int RecordCellOffset = GateRowLength;
                    private const int RecordHiddenOffset = GateRowLength + HiddenSize;
                    private const int LayerRecordLength = GateRowLength + (2 * HiddenSize);
                    """);
            }
            else
            {
                _writer.Lines("""
                    // In a step's row, for each layer and direction (layer k's forward direction at 2k, its reverse at 2k + 1): the
                    // gate values (the activations r, z, n packed like a gate row, then W_hn h + b_hn of every unit), the hidden state
                    // and the recurrent side's gate gradients (the backward pass writes them); then each layer's output (both
                    // directions' hidden states) and the loss gradient with respect to it; then the step's outputs before and after
                    // the output activation.
                    private const int RecordHiddenOffset = GateValuesLength;
                    private const int RecordRecurrentGradientOffset = GateValuesLength + HiddenSize;
                    private const int LayerRecordLength = RecordRecurrentGradientOffset + GateRowLength;
                    """);
            }

            _writer.Lines("""
                private const int RecordLayerOutputOffset = Directions * Layers * LayerRecordLength;
                private const int RecordOutputGradientOffset = RecordLayerOutputOffset + (Layers * LayerOutputSize);
                private const int RecordLogitsOffset = RecordOutputGradientOffset + (Layers * LayerOutputSize);
                private const int RecordOutputsOffset = RecordLogitsOffset + OutputSize;
                """);
            if (_spec.HasDropout)
            {
                _writer.Lines("""
                    // After the outputs, for each layer below the top: its dropout mask (0 or 1 / (1 - p) per output) and its output
                    // times the mask, which the layer above read.
                    private const int RecordDropoutOffset = RecordOutputsOffset + OutputSize;
                    private const int StepRecordLength = RecordDropoutOffset + ((Layers - 1) * 2 * LayerOutputSize);

                    // Dropout between layers in training: the probability that a layer's output is dropped.
                    """);
                _writer.Line($"private const float DropoutProbability = {Literal(_spec.Dropout)};");
            }
            else
            {
                _writer.Line("private const int StepRecordLength = RecordOutputsOffset + OutputSize;");
            }

            string widestInput = _spec.InputSize > _spec.LayerOutputWidth ? "InputSize" : "LayerOutputSize";
            _writer.Line();
            _writer.Line(_cell.HasCellState
                ? "// The backward pass's scratch: d loss / d h and d loss / d c of the direction that runs, carried to the step"
                : "// The backward pass's scratch: d loss / d h of the direction that runs, carried to the step before, and the part");
            _writer.Line(_cell.HasCellState
                ? "// before; a reverse direction's d loss / d input at a step, which is added to the forward direction's; the logit"
                : "// of it that h = (h_prev - n) * z + n carries directly; a reverse direction's d loss / d input at a step, which is");
            _writer.Line(_cell.HasCellState
                ? "// gradients."
                : "// added to the forward direction's; the logit gradients.");
            if (_spec.HasProjection)
            {
                _writer.Line("private const int ScratchCellOffset = ProjectionSize;");
                _writer.Line("private const int ScratchInputOffset = ProjectionSize + HiddenSize;");
            }
            else
            {
                _writer.Line(_cell.HasCellState ? "private const int ScratchCellOffset = HiddenSize;" : "private const int ScratchCarriedOffset = HiddenSize;");
                _writer.Line("private const int ScratchInputOffset = 2 * HiddenSize;");
            }

            _writer.Line($"private const int ScratchLogitOffset = ScratchInputOffset + {widestInput};");
            _writer.Line("private const int BackwardScratchLength = ScratchLogitOffset + OutputSize;");
            _writer.Line();
            EmitWeightGradientBlock();
        }

        private void EmitBidirectionalForwardConstants()
        {
            _writer.Line("// Forward runs each direction of a layer over the whole sequence, a chunk of steps at a time (the reverse");
            _writer.Line("// direction from the last chunk, and each chunk from its last step). Its buffer holds the gates: per step of a");
            _writer.Line("// chunk where a layer computes its input projection first, else one step's; then the direction's state.");
            _writer.Line($"private const int ForwardChunk = {Literal(KernelPlan.ForwardChunk)};");
            _writer.Line(AnyLayerProjects
                ? $"private const int ForwardGatesLength = ForwardChunk * {GateValuesLength};"
                : $"private const int ForwardGatesLength = {GateValuesLength};");
            _writer.Line("private const int ForwardStateOffset = ForwardGatesLength;");
            _writer.Line(_spec.HasProjection
                ? "private const int ForwardBufferLength = ForwardStateOffset + ProjectionSize + HiddenSize;"
                : _cell.HasCellState
                ? "private const int ForwardBufferLength = ForwardStateOffset + (2 * HiddenSize);"
                : "private const int ForwardBufferLength = ForwardStateOffset + HiddenSize;");
            _writer.Line();
            _writer.Line(HasUpperLayers
                ? "// Forward's sequence buffer: two layers' outputs over the sequence, the layer below's and the running layer's."
                : "// Forward's sequence buffer: the layer's outputs over the sequence.");
            _writer.Line($"private const int SequenceSlices = {Literal(HasUpperLayers ? 2 : 1)};");
            _writer.Line();
        }

        /// <summary>The references to the direction's state in Forward's buffer: <c>hidden</c> and, for a cell with a cell state, <c>cell</c>.</summary>
        private void EmitDirectionStateReferences(string buffer)
        {
            _writer.Line($"ref float hidden = ref {Unsafe}.Add(ref {ArrayData}({buffer}), ForwardStateOffset);");
            if (_cell.HasCellState)
            {
                _writer.Line($"ref float cell = ref {Unsafe}.Add(ref hidden, {RecurrentWidth});");
            }
        }

        private void EmitBidirectionalForward()
        {
            _writer.Line($"/// <inheritdoc cref=\"{TypeNames.ISequenceModel}.Forward\"/>");
            _writer.Line("/// <remarks>");
            _writer.Line("/// A layer at a time: its forward direction over the whole sequence, then its reverse direction from the last");
            _writer.Line("/// step to the first, both from a zero state; the layer's output at a step is [forward h, reverse h]. Then the");
            _writer.Line(_spec.HasHead ? "/// head at every step. Every path sums in the same order and gives the same bits." : "/// top layer's outputs. Every path sums in the same order and gives the same bits.");
            _writer.Line("/// <paramref name=\"outputs\"/> must not share memory with <paramref name=\"inputs\"/>.");
            _writer.Line("/// </remarks>");
            using (OpenForwardCore(BidirectionalFinalStates))
            {
                _writer.Line("// The buffers, each read into a local once: every reference below points into these arrays. The sequence");
                _writer.Line("// buffer grows to the longest sequence seen (RecordLength checks its size; one row more than needed).");
                _writer.Line("float[] buffer = _forwardBuffer ??= new float[ForwardBufferLength];");
                EmitGrownBuffer("sequenceBuffer", "_sequenceBuffer", $"{TypeNames.ModelGuard}.RecordLength(steps, SequenceSlices * LayerOutputSize, nameof(inputs))", "sequenceLength");

                _writer.Line();
                EmitParameterReference();
                _writer.Line($"ref float gates = ref {ArrayData}(buffer);");
                EmitDirectionStateReferences("buffer");
                _writer.Line($"ref float sequence = ref {ArrayData}(sequenceBuffer);");
                _writer.Line();
                _writer.Line("// Layer 0 reads the input; its outputs go to the first slice of the sequence buffer.");
                using (_writer.Open("for (int direction = 0; direction < Directions; direction++)"))
                {
                    _writer.Line($"{KernelClass}.{_plan.FirstLayer.Name}Direction(ref {Unsafe}.Add(ref parameters, direction * FirstLayerParameterCount), ref {TypeNames.MemoryMarshal}.GetReference(inputs), InputSize, ref {Unsafe}.Add(ref sequence, direction * {RecurrentWidth}), steps, reverse: direction == 1, ref gates, {StateArguments("ref hidden", "ref cell")});");
                    EmitFinalState("direction");
                }

                if (HasUpperLayers)
                {
                    _writer.Line();
                    _writer.Line("// Each layer above reads the outputs of the layer below from one slice and writes its own to the other.");
                    using (_writer.Open("for (int layer = 1; layer < Layers; layer++)"))
                    {
                        _writer.Line($"ref float below = ref {Unsafe}.Add(ref sequence, ((layer - 1) % 2) * steps * LayerOutputSize);");
                        _writer.Line($"ref float layerOutputs = ref {Unsafe}.Add(ref sequence, (layer % 2) * steps * LayerOutputSize);");
                        using (_writer.Open("for (int direction = 0; direction < Directions; direction++)"))
                        {
                            _writer.Line($"int weights = {UpperDirectionWeights};");
                            _writer.Line($"{KernelClass}.{_plan.UpperLayer.Name}Direction(ref {Unsafe}.Add(ref parameters, weights), ref below, LayerOutputSize, ref {Unsafe}.Add(ref layerOutputs, direction * {RecurrentWidth}), steps, reverse: direction == 1, ref gates, {StateArguments("ref hidden", "ref cell")});");
                            EmitFinalState("((layer * Directions) + direction)");
                        }
                    }
                }

                _writer.Line();
                _writer.Line(_spec.HasHead ? "// The head at every step of the top layer's outputs." : "// The top layer's outputs are the model's.");
                _writer.Line((_spec.Layers - 1) % 2 == 0
                    ? "ref float top = ref sequence;"
                    : $"ref float top = ref {Unsafe}.Add(ref sequence, steps * LayerOutputSize);");
                using (_writer.Open("for (int step = 0; step < steps; step++)"))
                {
                    _writer.Line($"ref float output = ref {Unsafe}.Add(ref {TypeNames.MemoryMarshal}.GetReference(outputs), step * OutputSize);");
                    _writer.Line(_spec.HasHead
                        ? $"{KernelClass}.HeadForward(ref {Unsafe}.Add(ref parameters, HeadOffset), ref {Unsafe}.Add(ref top, step * LayerOutputSize), ref output);"
                        : $"{TypeNames.Floats}.Copy(ref {Unsafe}.Add(ref top, step * LayerOutputSize), ref output, OutputSize);");
                    if (_spec.OutputActivation != OutputActivation.Linear)
                    {
                        _writer.Line($"{KernelClass}.ApplyOutputActivation(ref output);");
                    }
                }
            }

            _writer.Line();
            EmitForwardWithFinalStates();
            using (Kernels())
            {
                foreach (LayerKernel kernel in _plan.LayerKernels)
                {
                    EmitForwardDirection(kernel);
                }
            }

            EmitForwardDispatchers();
        }

        /// <summary>What a bidirectional model's ForwardCore takes besides the sequence: the final states, empty when not wanted.</summary>
        private FinalStates BidirectionalFinalStates => _cell.HasCellState
            ? new FinalStates(", finalHidden: default, finalCell: default", $", {TypeNames.Span}<float> finalHidden, {TypeNames.Span}<float> finalCell", " Empty final states are not wanted.")
            : new FinalStates(", finalHidden: default", $", {TypeNames.Span}<float> finalHidden", " Empty final states are not wanted.");

        /// <summary>
        /// The public Forward that also writes PyTorch's h_n and c_n: it checks the spans and holds the model while it calls
        /// ForwardCore (which the interface's Forward calls with empty final states).
        /// </summary>
        private void EmitForwardWithFinalStates()
        {
            _writer.Line("/// <summary>");
            _writer.Line("/// Forward, which also writes each direction's state after its last step, as PyTorch's h_n and c_n: layer k's");
            _writer.Line("/// forward direction in row 2k (its state after the last step of the sequence), its reverse direction in row 2k + 1");
            _writer.Line("/// (its state after step 0, the last it reads).");
            _writer.Line("/// </summary>");
            _writer.Line("/// <param name=\"inputs\">The sequence, [T, InputSize] row-major.</param>");
            _writer.Line("/// <param name=\"outputs\">The outputs of every step, [T, OutputSize] row-major.</param>");
            _writer.Line($"/// <param name=\"finalHidden\">The final hidden states, {DirectionHiddenShape} row-major (h_n).</param>");
            _writer.Line(_cell.HasCellState
                ? "/// <param name=\"finalCell\">The final cell states, [Directions * Layers, HiddenSize] row-major (c_n).</param>"
                : $"/// <param name=\"finalCell\">Must be empty (<c>default</c>): a {_cell.Name} has no cell state.</param>");
            _writer.Line("/// <remarks>");
            _writer.Line("/// No span may share memory with another. Allocates nothing once Forward has run on a sequence as long.");
            _writer.Line("/// </remarks>");
            using (_writer.Open($"public void Forward({TypeNames.ReadOnlySpan}<float> inputs, {TypeNames.Span}<float> outputs, {TypeNames.Span}<float> finalHidden, {TypeNames.Span}<float> finalCell)"))
            {
                _writer.Line($"int steps = {TypeNames.ModelGuard}.SequenceLength(inputs.Length, InputSize, outputs.Length, OutputSize, nameof(inputs), nameof(outputs));");
                _writer.Line($"{TypeNames.ModelGuard}.Length(finalHidden.Length, {DirectionHiddenLength}, nameof(finalHidden), \"{DirectionHiddenShape}\");");
                _writer.Line(_cell.HasCellState
                    ? $"{TypeNames.ModelGuard}.Length(finalCell.Length, {InitialStateLength}, nameof(finalCell), \"{InitialStateShape}\");"
                    : $"{TypeNames.ModelGuard}.Length(finalCell.Length, 0, nameof(finalCell), \"empty: a {_cell.Name} has no cell state\");");
                _writer.Line($"{TypeNames.ModelGuard}.FinalStateSpans(inputs, outputs, finalHidden, finalCell);");
                using (Guard("Forward"))
                {
                    _writer.Line(_cell.HasCellState ? "ForwardCore(inputs, outputs, steps, finalHidden, finalCell);" : "ForwardCore(inputs, outputs, steps, finalHidden);");
                }
            }

            _writer.Line();
        }

        /// <summary>Copies the state the direction that ran ended in to row <paramref name="row"/> (an identifier or a parenthesised expression) of the final states, when wanted.</summary>
        private void EmitFinalState(string row)
        {
            using (_writer.Open("if (!finalHidden.IsEmpty)"))
            {
                _writer.Line($"new {TypeNames.Span}<float>(buffer, ForwardStateOffset, {RecurrentWidth}).CopyTo(finalHidden.Slice({row} * {RecurrentWidth}, {RecurrentWidth}));");
                if (_cell.HasCellState)
                {
                    _writer.Line($"new {TypeNames.Span}<float>(buffer, ForwardStateOffset + {RecurrentWidth}, HiddenSize).CopyTo(finalCell.Slice({row} * HiddenSize, HiddenSize));");
                }
            }
        }

        /// <summary>
        /// One direction of a layer over the sequence in Forward: a chunk at a time, the reverse direction from the last chunk and
        /// each chunk from its last step; the input part of a chunk's sums first where the layer projects.
        /// </summary>
        private void EmitForwardDirection(LayerKernel kernel)
        {
            bool projects = _plan.ProjectsInForward(kernel);
            _writer.Line("/// <summary>");
            _writer.Line($"/// One direction of {DescribeLayers(kernel)} over the sequence, from a zero state: step t reads <paramref name=\"inputs\"/> at");
            _writer.Line("/// t * <paramref name=\"inputStride\"/> and writes its hidden state to <paramref name=\"outputs\"/> at t * LayerOutputSize.");
            _writer.Line(projects
                ? "/// A chunk at a time: the input part of the chunk's gate sums first, then the recurrence step by step, from the"
                : $"/// A whole step at a time ({WholeStepReason(kernel)}), from the");
            _writer.Line("/// last step when <paramref name=\"reverse\"/> (each sum added in the order of a single step).");
            _writer.Line("/// </summary>");
            ParameterList parameters = new ParameterList().RefFloats("weights", "inputs").Values("int", "inputStride").RefFloats("outputs").Values("int", "steps").Values("bool", "reverse").RefFloats("gates").RefFloats(StateNames);
            using (_writer.Open($"internal static void {kernel.Name}Direction({parameters.Declaration})"))
            {
                EmitClearDirectionState();
                using (_writer.Open("for (int done = 0; done < steps; done += ForwardChunk)"))
                {
                    _writer.Line("// The chunk: the forward direction takes the chunks from the first, the reverse direction from the last.");
                    _writer.Line($"int count = {TypeNames.Math}.Min(ForwardChunk, steps - done);");
                    _writer.Line("int start = reverse ? steps - done - count : done;");
                    if (projects)
                    {
                        _writer.Line($"{kernel.Name}Projection(ref weights, ref {Unsafe}.Add(ref inputs, start * inputStride), ({NUInt})inputStride, ref gates, ({NUInt})count);");
                    }

                    using (_writer.Open("for (int i = 0; i < count; i++)"))
                    {
                        _writer.Line("int step = reverse ? count - 1 - i : i;");
                        _writer.Line(projects
                            ? $"{kernel.Name}Recurrent(ref weights, {StateArguments("ref hidden", "ref cell")}, ref {Unsafe}.Add(ref gates, step * {GateValuesLength}));"
                            : $"{kernel.Name}Step(ref weights, ref {Unsafe}.Add(ref inputs, (start + step) * inputStride), {StateArguments("ref hidden", "ref cell")}, ref gates);");
                        _writer.Line($"{TypeNames.Floats}.Copy(ref hidden, ref {Unsafe}.Add(ref outputs, (start + step) * LayerOutputSize), {RecurrentWidth});");
                    }
                }
            }

            _writer.Line();
        }

        /// <summary>Sets the running direction's state (<c>hidden</c>, and <c>cell</c> where the cell has one) to zero.</summary>
        private void EmitClearDirectionState()
        {
            _writer.Line("// Each direction starts from a zero state.");
            _writer.Line($"{TypeNames.Floats}.Clear(ref hidden, {RecurrentWidth});");
            if (_cell.HasCellState)
            {
                _writer.Line($"{TypeNames.Floats}.Clear(ref cell, HiddenSize);");
            }
        }

        /// <summary>One direction of a layer over the sequence in training's forward pass, recording every step.</summary>
        private void EmitRecordedDirection(LayerKernel kernel)
        {
            _writer.Line("/// <summary>");
            _writer.Line($"/// One direction of {DescribeLayers(kernel)} over the sequence, recorded, from a zero state (written to the row before");
            _writer.Line("/// its first step: row 0, or row T + 1 when <paramref name=\"reverse\"/>): step t reads <paramref name=\"inputs\"/> at");
            _writer.Line("/// t * <paramref name=\"inputStride\"/>, records its gates and states at <paramref name=\"layerRecord\"/> and its hidden state");
            _writer.Line("/// at <paramref name=\"layerOutput\"/> of row t + 1.");
            _writer.Line("/// </summary>");
            ParameterList parameters = new ParameterList().RefFloats("weights", "inputs").Values("int", "inputStride").RefFloats("record").Values("int", "steps").Values("bool", "reverse").Values("int", "layerRecord", "layerOutput").RefFloats(StateNames);
            using (_writer.Open($"internal static void {kernel.Name}RecordedDirection({parameters.Declaration})"))
            {
                EmitClearDirectionState();
                _writer.Line($"{TypeNames.Floats}.Clear(ref {Unsafe}.Add(ref record, ((reverse ? steps + 1 : 0) * StepRecordLength) + layerRecord), LayerRecordLength);");
                using (_writer.Open("for (int i = 0; i < steps; i++)"))
                {
                    _writer.Line("int step = reverse ? steps - 1 - i : i;");
                    _writer.Line($"ref float row = ref {Unsafe}.Add(ref record, (step + 1) * StepRecordLength);");
                    _writer.Line($"{kernel.Name}Recorded(ref weights, ref {Unsafe}.Add(ref inputs, step * inputStride), {StateArguments("ref hidden", "ref cell")}, ref {Unsafe}.Add(ref row, layerRecord));");
                    _writer.Line($"{TypeNames.Floats}.Copy(ref hidden, ref {Unsafe}.Add(ref row, layerOutput), {RecurrentWidth});");
                }
            }

            _writer.Line();
        }

        /// <summary>The backward pass of one direction of a layer over the sequence, backwards in the direction's own time.</summary>
        private void EmitBackwardDirection(LayerKernel kernel)
        {
            _writer.Line("/// <summary>");
            _writer.Line($"/// The backward pass of one direction of {DescribeLayers(kernel)} over the sequence, from the direction's last step to its");
            _writer.Line("/// first (the first step of the sequence when <paramref name=\"reverse\"/>): the loss gradient with respect to its output");
            _writer.Line("/// enters at <paramref name=\"upstream\"/> of each row, its gate gradients replace its gates in the record, and d loss / d");
            _writer.Line("/// input (when wanted) goes to <paramref name=\"inputGradients\"/> at t * <paramref name=\"inputStride\"/>: written by the");
            _writer.Line("/// forward direction, added to by the reverse one. d loss / d the starting state is left at the start of the scratch.");
            _writer.Line("/// </summary>");
            ParameterList parameters = new ParameterList().RefFloats("weights", "gradients", "record").Values("int", "steps").Values("bool", "reverse").Values("int", "layerRecord", "upstream").RefFloats("inputGradients").Values("int", "inputStride").Values("bool", "computeInputGradient").RefFloats("scratch");
            using (_writer.Open($"internal static void {kernel.Name}BackwardDirection({parameters.Declaration})"))
            {
                _writer.Line("// Nothing flows back into the direction's last step from after it.");
                _writer.Line("ref float hiddenGradients = ref scratch;");
                _writer.Line(_cell.HasCellState
                    ? $"ref float cellGradients = ref {Unsafe}.Add(ref scratch, ScratchCellOffset);"
                    : $"ref float carriedGradients = ref {Unsafe}.Add(ref scratch, ScratchCarriedOffset);");
                _writer.Line($"ref float reverseInputGradient = ref {Unsafe}.Add(ref scratch, ScratchInputOffset);");
                _writer.Line($"{TypeNames.Floats}.Clear(ref scratch, ScratchInputOffset);");
                using (_writer.Open("for (int i = 0; i < steps; i++)"))
                {
                    _writer.Line("int step = reverse ? i : steps - 1 - i;");
                    _writer.Line($"ref float row = ref {Unsafe}.Add(ref record, (step + 1) * StepRecordLength);");
                    _writer.Line("// The row of the step before in the direction's order: row t, or row t + 2 for the reverse direction.");
                    _writer.Line($"ref float previousRow = ref {Unsafe}.Add(ref record, (reverse ? step + 2 : step) * StepRecordLength);");
                    _writer.Line($"ref float inputGradient = ref {Unsafe}.Add(ref inputGradients, step * inputStride);");
                    _writer.Line("ref float target = ref reverse ? ref reverseInputGradient : ref inputGradient;");
                    _writer.Line($"{kernel.Name}Backward(ref weights, ref gradients, ref {Unsafe}.Add(ref previousRow, layerRecord), ref {Unsafe}.Add(ref row, layerRecord), ref {Unsafe}.Add(ref row, upstream), ref hiddenGradients, ref {CellGradients}, ref target, computeInputGradient);");
                    using (_writer.Open("if (reverse && computeInputGradient)"))
                    {
                        _writer.Line($"{TypeNames.Floats}.Add(ref reverseInputGradient, ref inputGradient, {KernelInputs(kernel)});");
                    }
                }
            }

            _writer.Line();
        }

        private void EmitBidirectionalRecordForward()
        {
            _writer.Line("/// <summary>");
            _writer.Line("/// The forward pass of training: a layer at a time, each direction over the whole sequence with the kernels of");
            _writer.Line("/// Forward, recording each step's gates, states and the layer's outputs into <paramref name=\"record\"/>; then the");
            _writer.Line("/// outputs of every step.");
            _writer.Line("/// </summary>");
            string state = _cell.HasCellState ? "ref float hidden, ref float cell" : "ref float hidden";
            using (_writer.Open($"private void RecordForward(ref float parameters, ref float input, int steps, ref float record, {state})"))
            {
                _writer.Line("// Layer 0 reads the input.");
                using (_writer.Open("for (int direction = 0; direction < Directions; direction++)"))
                {
                    _writer.Line($"{KernelClass}.{_plan.FirstLayer.Name}RecordedDirection(ref {Unsafe}.Add(ref parameters, direction * FirstLayerParameterCount), ref input, InputSize, ref record, steps, reverse: direction == 1, layerRecord: direction * LayerRecordLength, layerOutput: RecordLayerOutputOffset + (direction * {RecurrentWidth}), {StateArguments("ref hidden", "ref cell")});");
                }

                if (HasUpperLayers)
                {
                    _writer.Line();
                    _writer.Line(_spec.HasDropout
                        ? "// Each layer above reads the output of the layer below times its dropout mask, both recorded for the backward pass."
                        : "// Each layer above reads the recorded output of the layer below.");
                    using (_writer.Open("for (int layer = 1; layer < Layers; layer++)"))
                    {
                        if (_spec.HasDropout)
                        {
                            using (_writer.Open("for (int step = 0; step < steps; step++)"))
                            {
                                _writer.Line($"ref float row = ref {Unsafe}.Add(ref record, (step + 1) * StepRecordLength);");
                                _writer.Line($"ref float mask = ref {Unsafe}.Add(ref row, {DropoutRecord("(layer - 1)")});");
                                _writer.Line($"{TypeNames.DropoutMasks}.Apply(DropoutSeed, step, layer - 1, DropoutProbability, ref {Unsafe}.Add(ref row, {LayerOutputRecord("(layer - 1)")}), ref mask, ref {Unsafe}.Add(ref mask, LayerOutputSize), LayerOutputSize);");
                            }

                            _writer.Line();
                        }

                        _writer.Line(_spec.HasDropout
                            ? $"ref float below = ref {Unsafe}.Add(ref record, StepRecordLength + {DropoutRecord("(layer - 1)")} + LayerOutputSize);"
                            : $"ref float below = ref {Unsafe}.Add(ref record, StepRecordLength + {LayerOutputRecord("(layer - 1)")});");
                        using (_writer.Open("for (int direction = 0; direction < Directions; direction++)"))
                        {
                            _writer.Line($"int weights = {UpperDirectionWeights};");
                            _writer.Line($"{KernelClass}.{_plan.UpperLayer.Name}RecordedDirection(ref {Unsafe}.Add(ref parameters, weights), ref below, StepRecordLength, ref record, steps, reverse: direction == 1, layerRecord: ((layer * Directions) + direction) * LayerRecordLength, layerOutput: {LayerOutputRecord("layer")} + (direction * {RecurrentWidth}), {StateArguments("ref hidden", "ref cell")});");
                        }
                    }
                }

                _writer.Line();
                _writer.Line("// The logits of every step, then the outputs after the activation.");
                using (_writer.Open("for (int step = 0; step < steps; step++)"))
                {
                    _writer.Line($"ref float row = ref {Unsafe}.Add(ref record, (step + 1) * StepRecordLength);");
                    _writer.Line($"ref float logits = ref {Unsafe}.Add(ref row, RecordLogitsOffset);");
                    _writer.Line($"ref float outputs = ref {Unsafe}.Add(ref row, RecordOutputsOffset);");
                    string top = $"ref {Unsafe}.Add(ref row, {LayerOutputRecord("(Layers - 1)")})";
                    _writer.Line(_spec.HasHead
                        ? $"{KernelClass}.HeadForward(ref {Unsafe}.Add(ref parameters, HeadOffset), {top}, ref logits);"
                        : $"{TypeNames.Floats}.Copy({top}, ref logits, LayerOutputSize);");
                    _writer.Line($"{TypeNames.Floats}.Copy(ref logits, ref outputs, OutputSize);");
                    if (_spec.OutputActivation != OutputActivation.Linear)
                    {
                        _writer.Line($"{KernelClass}.ApplyOutputActivation(ref outputs);");
                    }
                }
            }

            _writer.Line();
        }

        private void EmitBidirectionalBackpropagation()
        {
            _writer.Line("/// <summary>");
            _writer.Line("/// Runs the sequence from a zero state, recording every step; then the loss gradient of each scored step enters");
            _writer.Line("/// through the head, and each layer from the top down takes it back through both directions (each backwards in");
            _writer.Line("/// its own time), adding its weights' gradients and passing d loss / d input to the layer below. Empty gradient");
            _writer.Line("/// spans are not wanted (the spans were checked by the caller).");
            _writer.Line("/// </summary>");
            using (OpenBackpropagateThroughTime())
            {
                _writer.Line("// The buffers, each read into a local once, so that every reference below points into the array");
                _writer.Line("// whose length was checked: the record (rows 0 to T + 1) grows to the longest sequence seen, then is reused.");
                EmitGrownBuffer("recordBuffer", "_record", $"{TypeNames.ModelGuard}.RecordLength(steps + 1, StepRecordLength, nameof(inputs))", "recordLength");

                _writer.Line();
                _writer.Line("float[] scratchBuffer = _backwardScratch ??= new float[BackwardScratchLength];");
                _writer.Line("float[] forwardBuffer = _forwardBuffer ??= new float[ForwardBufferLength];");
                _writer.Line($"ref float parameters = ref {Unsafe}.Add(ref {ArrayData}(_parameterStorage), _parameterStart);");
                _writer.Line($"ref float gradients = ref {TypeNames.MemoryMarshal}.GetReference(Gradients);");
                _writer.Line($"ref float record = ref {ArrayData}(recordBuffer);");
                _writer.Line($"ref float input = ref {TypeNames.MemoryMarshal}.GetReference(inputs);");
                EmitDirectionStateReferences("forwardBuffer");
                _writer.Line();
                _writer.Line("// The forward pass, recorded.");
                _writer.Line($"RecordForward(ref parameters, ref input, steps, ref record, {StateArguments("ref hidden", "ref cell")});");
                _writer.Line();
                _writer.Line($"{TypeNames.Span}<float> scratch = scratchBuffer;");
                _writer.Line($"ref float scratchStart = ref {TypeNames.MemoryMarshal}.GetReference(scratch);");
                _writer.Line($"{TypeNames.Span}<float> logitGradients = scratch.Slice(ScratchLogitOffset, OutputSize);");
                _writer.Line("bool wantsInputGradients = !inputGradients.IsEmpty;");
                _writer.Line("bool wantsInitialGradients = !initialHiddenGradients.IsEmpty;");
                _writer.Line($"ref float inputGradient = ref {TypeNames.MemoryMarshal}.GetReference(inputGradients);");
                _writer.Line();
                EmitLossScale();
                _writer.Line();
                _writer.Line("// The loss of each scored step, and its gradient with respect to the top layer's output, from the last step.");
                using (_writer.Open("for (int step = steps - 1; step >= 0; step--)"))
                {
                    _writer.Line($"ref float row = ref {Unsafe}.Add(ref record, (step + 1) * StepRecordLength);");
                    _writer.Line($"ref float upstream = ref {Unsafe}.Add(ref row, {OutputGradientRecord("(Layers - 1)")});");
                    EmitScoredStepLoss(LayerOutputRecord("(Layers - 1)"), "output", "LayerOutputSize");
                }

                if (HasUpperLayers)
                {
                    _writer.Line();
                    _writer.Line("// The layers above the first, from the top down: both directions write d loss / d input into the layer below's");
                    _writer.Line("// output gradient.");
                    using (_writer.Open("for (int layer = Layers - 1; layer >= 1; layer--)"))
                    {
                        _writer.Line($"ref float belowGradients = ref {Unsafe}.Add(ref record, StepRecordLength + {OutputGradientRecord("(layer - 1)")});");
                        using (_writer.Open("for (int direction = 0; direction < Directions; direction++)"))
                        {
                            _writer.Line($"int weights = {UpperDirectionWeights};");
                            _writer.Line($"{KernelClass}.{_plan.UpperLayer.Name}BackwardDirection(ref {Unsafe}.Add(ref parameters, weights), ref {Unsafe}.Add(ref gradients, weights), ref record, steps, reverse: direction == 1, layerRecord: ((layer * Directions) + direction) * LayerRecordLength, upstream: {OutputGradientRecord("layer")} + (direction * {RecurrentWidth}), ref belowGradients, StepRecordLength, computeInputGradient: true, ref scratchStart);");
                            EmitInitialStateGradients("(layer * Directions) + direction");
                        }

                        if (_spec.HasDropout)
                        {
                            _writer.Line();
                            _writer.Line("// The layer read the output below times its dropout mask: the gradient is masked the same way.");
                            using (_writer.Open("for (int step = 0; step < steps; step++)"))
                            {
                                _writer.Line($"ref float row = ref {Unsafe}.Add(ref record, (step + 1) * StepRecordLength);");
                                _writer.Line($"{TypeNames.DropoutMasks}.Backward(ref {Unsafe}.Add(ref row, {OutputGradientRecord("(layer - 1)")}), ref {Unsafe}.Add(ref row, {DropoutRecord("(layer - 1)")}), LayerOutputSize);");
                            }
                        }
                    }
                }

                _writer.Line();
                _writer.Line("// The first layer, whose input is the sequence: d loss / d input only when it is wanted.");
                using (_writer.Open("for (int direction = 0; direction < Directions; direction++)"))
                {
                    _writer.Line("int weights = direction * FirstLayerParameterCount;");
                    _writer.Line($"{KernelClass}.{_plan.FirstLayer.Name}BackwardDirection(ref {Unsafe}.Add(ref parameters, weights), ref {Unsafe}.Add(ref gradients, weights), ref record, steps, reverse: direction == 1, layerRecord: direction * LayerRecordLength, upstream: {OutputGradientRecord("0")} + (direction * {RecurrentWidth}), ref inputGradient, InputSize, wantsInputGradients, ref scratchStart);");
                    EmitInitialStateGradients("direction");
                }

                _writer.Line();
                EmitBidirectionalWeightGradientPass();
                _writer.Line();
                _writer.Line("return (float)(loss * scale);");
            }

            _writer.Line();
        }

        /// <summary>Copies what flowed into a direction's starting state to the initial state's gradients, when wanted.</summary>
        private void EmitInitialStateGradients(string row)
        {
            using (_writer.Open("if (wantsInitialGradients)"))
            {
                _writer.Line($"scratch.Slice(0, {RecurrentWidth}).CopyTo(initialHiddenGradients.Slice(({row}) * {RecurrentWidth}, {RecurrentWidth}));");
                if (_cell.HasCellState)
                {
                    _writer.Line($"scratch.Slice(ScratchCellOffset, HiddenSize).CopyTo(initialCellGradients.Slice(({row}) * HiddenSize, HiddenSize));");
                }
            }
        }

        /// <summary>
        /// The weights' gradients of every layer and direction from the gate gradients the backward pass left in the record, a
        /// block of steps at a time from the last block; a reverse direction's W_hh reads the hidden state of the step after.
        /// </summary>
        private void EmitBidirectionalWeightGradientPass()
        {
            _writer.Line("// The weights' gradients, from the gate gradients the backward pass left in the record: d W_ih += gate gradients");
            _writer.Line("// (outer) x and d W_hh += gate gradients (outer) the state before the step in the direction's order (row t, or");
            _writer.Line("// row t + 2 for a reverse direction). A block of steps at a time, from the last block to the first.");
            using (_writer.Open("for (int end = steps; end > 0; end -= WeightGradientBlock)"))
            {
                _writer.Line($"{NUInt} blockStart = ({NUInt}){TypeNames.Math}.Max(0, end - WeightGradientBlock);");
                _writer.Line($"{NUInt} blockEnd = ({NUInt})end;");
                using (_writer.Open("for (int layer = 0; layer < Layers; layer++)"))
                {
                    using (_writer.Open("for (int direction = 0; direction < Directions; direction++)"))
                    {
                        _writer.Line("int layerRecord = ((layer * Directions) + direction) * LayerRecordLength;");
                        _writer.Line("int previousRow = direction == 0 ? 0 : 2 * StepRecordLength;");
                        _writer.Line($"ref float gateGradients = ref {Unsafe}.Add(ref record, StepRecordLength + layerRecord);");
                        _writer.Line($"ref float previousHidden = ref {Unsafe}.Add(ref record, previousRow + layerRecord + RecordHiddenOffset);");
                        if (HasUpperLayers)
                        {
                            using (_writer.Open("if (layer == 0)"))
                            {
                                EmitDirectionWeightGradients("direction * FirstLayerParameterCount", "InputSize", "ref input", "InputSize");
                            }

                            using (_writer.Open("else"))
                            {
                                _writer.Line(_spec.HasDropout
                                    ? $"ref float below = ref {Unsafe}.Add(ref record, StepRecordLength + {DropoutRecord("(layer - 1)")} + LayerOutputSize);"
                                    : $"ref float below = ref {Unsafe}.Add(ref record, StepRecordLength + {LayerOutputRecord("(layer - 1)")});");
                                EmitDirectionWeightGradients(UpperDirectionWeights, "LayerOutputSize", "ref below", "StepRecordLength");
                            }
                        }
                        else
                        {
                            EmitDirectionWeightGradients("direction * FirstLayerParameterCount", "InputSize", "ref input", "InputSize");
                        }
                    }
                }
            }
        }

        /// <summary>The two WeightGradients calls of one direction: W_ih from its inputs, W_hh from the state before each step.</summary>
        private void EmitDirectionWeightGradients(string weights, string inputs, string x, string xStride)
        {
            _writer.Line($"int weights = {weights};");
            _writer.Line($"{KernelClass}.WeightGradients(ref {Unsafe}.Add(ref gradients, weights), {inputs}, {x}, {xStride}, ref gateGradients, blockStart, blockEnd);");
            _writer.Line($"{KernelClass}.WeightGradients(ref {Unsafe}.Add(ref gradients, weights + ({inputs} * GateRowLength)), {RecurrentWidth}, ref previousHidden, StepRecordLength, ref {RecurrentGateGradients("gateGradients", "StepRecordLength + layerRecord")}, blockStart, blockEnd);");
        }
    }
}
