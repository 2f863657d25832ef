using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using Google.Protobuf;
using LstmGen.Serialization;
using Onnx;

namespace LstmGen.Onnx
{
    /// <summary>
    /// Writes an LstmGen model, LSTM or GRU, as an ONNX model, for ONNX Runtime, Triton Inference Server's ONNX
    /// Runtime backend and any other engine that runs ONNX (opset <see cref="Opset"/>).
    /// </summary>
    /// <remarks>
    /// <para>
    /// The graph: one standard <c>LSTM</c> operator per layer (forward, gates i, o, f, c as ONNX orders them,
    /// the weights reordered from PyTorch's i, f, g, o), or for a GRU (<see cref="GruAttribute"/>) one <c>GRU</c>
    /// operator per layer (gates z, r, h as ONNX orders them, the weights reordered from PyTorch's r, z, n, and
    /// <c>linear_before_reset</c> = 1, PyTorch's formula: r multiplies <c>W_hn h + b_hn</c>), then, when the model has a head, a <c>MatMul</c> by
    /// the transposed <c>head.weight</c>, an <c>Add</c> of <c>head.bias</c> and the head's activation
    /// (<c>Sigmoid</c>, <c>Tanh</c> or <c>Softmax</c> over the last axis; none for a linear head).
    /// </para>
    /// <para>
    /// Inputs and outputs (float32; <c>sequence</c> and <c>batch</c> are dynamic axes):
    /// </para>
    /// <list type="table">
    /// <item><term><see cref="InputName"/> [sequence, batch, InputSize]</term><description>the sequences, time-major (as <c>nn.LSTM</c> and <c>nn.GRU</c> without <c>batch_first</c>)</description></item>
    /// <item><term><see cref="InitialHiddenName"/> [Layers, batch, HiddenSize]</term><description>the hidden state to start from (zeros for a new sequence)</description></item>
    /// <item><term><see cref="InitialCellName"/> [Layers, batch, HiddenSize]</term><description>the cell state to start from (zeros for a new sequence); an LSTM's only</description></item>
    /// <item><term><see cref="OutputName"/> [sequence, batch, OutputSize]</term><description>the output of every step: what <c>Forward</c> writes</description></item>
    /// <item><term><see cref="FinalHiddenName"/> [Layers, batch, HiddenSize]</term><description>the hidden state after the last step</description></item>
    /// <item><term><see cref="FinalCellName"/> [Layers, batch, HiddenSize]</term><description>the cell state after the last step; an LSTM's only</description></item>
    /// </list>
    /// <para>
    /// With batch 1 the state tensors hold what <see cref="ILstmModel.GetState"/> returns ([Layers, HiddenSize]
    /// row-major): feed <see cref="FinalHiddenName"/> and <see cref="FinalCellName"/> back as the next call's
    /// <see cref="InitialHiddenName"/> and <see cref="InitialCellName"/> to carry the state from call to call,
    /// as <see cref="ILstmModel.Step"/> carries the model's own. A GRU has no cell state: its graph has neither
    /// <see cref="InitialCellName"/> nor <see cref="FinalCellName"/>.
    /// </para>
    /// <para>
    /// The exported model computes what the model computes, to the rounding of the engine's own
    /// <c>sigmoid</c>, <c>tanh</c> and sums (LstmGen's tests measure the difference with ONNX Runtime).
    /// The weights are copied when the model is exported: later training does not change the file.
    /// </para>
    /// </remarks>
    public static class OnnxExport
    {
        /// <summary>The ONNX operator set the graph is written for.</summary>
        public const int Opset = 17;

        /// <summary>The input sequences, [sequence, batch, InputSize].</summary>
        public const string InputName = "input";

        /// <summary>The hidden state to start from, [Layers, batch, HiddenSize].</summary>
        public const string InitialHiddenName = "h0";

        /// <summary>The cell state to start from, [Layers, batch, HiddenSize]; an LSTM's graph has it, a GRU's does not.</summary>
        public const string InitialCellName = "c0";

        /// <summary>The output of every step, [sequence, batch, OutputSize].</summary>
        public const string OutputName = "output";

        /// <summary>The hidden state after the last step, [Layers, batch, HiddenSize].</summary>
        public const string FinalHiddenName = "hn";

        /// <summary>The cell state after the last step, [Layers, batch, HiddenSize]; an LSTM's graph has it, a GRU's does not.</summary>
        public const string FinalCellName = "cn";

        /// <summary>The name of the dynamic time axis of <see cref="InputName"/> and <see cref="OutputName"/>.</summary>
        public const string SequenceAxis = "sequence";

        /// <summary>The name of the dynamic batch axis of every input and output.</summary>
        public const string BatchAxis = "batch";

        // ONNX's IR version 8 is the one of opset 17 (onnx/helper.py's VERSION_TABLE): engines that read
        // opset 17 read it.
        private const long IrVersion = 8;

        /// <summary>Writes <paramref name="model"/> as an ONNX file, all or nothing (a temporary file renamed over <paramref name="path"/>).</summary>
        /// <param name="model">The model, any class generated with <see cref="LstmAttribute"/> or <see cref="GruAttribute"/>.</param>
        /// <param name="path">The file to write, conventionally <c>model.onnx</c>; an existing file is replaced.</param>
        /// <exception cref="ArgumentNullException"><paramref name="model"/> or <paramref name="path"/> is <see langword="null"/>.</exception>
        /// <exception cref="ArgumentException"><paramref name="path"/> is empty, or the model's tensors are not those of an LSTM (or GRU) of its sizes.</exception>
        /// <exception cref="IOException">The file cannot be written; the target is left as it was.</exception>
        /// <exception cref="NotSupportedException">The model has projections (<c>ProjectionSize</c>), which ONNX's LSTM operator has not.</exception>
        public static void Export(ISequenceModel model, string path)
        {
            ModelProto proto = ToModelProto(model);
            SaveTarget.Write(path, stream => proto.WriteTo(stream));
        }

        /// <summary>Writes <paramref name="model"/> as an ONNX model to a stream at its current position; the stream is left open.</summary>
        /// <param name="model">The model, any class generated with <see cref="LstmAttribute"/> or <see cref="GruAttribute"/>.</param>
        /// <param name="stream">A writable stream.</param>
        /// <exception cref="ArgumentNullException"><paramref name="model"/> or <paramref name="stream"/> is <see langword="null"/>.</exception>
        /// <exception cref="ArgumentException">The stream cannot be written, or the model's tensors are not those of an LSTM (or GRU) of its sizes.</exception>
        /// <exception cref="NotSupportedException">The model has projections (<c>ProjectionSize</c>), which ONNX's LSTM operator has not.</exception>
        public static void Export(ISequenceModel model, Stream stream)
        {
            if (stream is null)
            {
                throw new ArgumentNullException(nameof(stream));
            }

            if (!stream.CanWrite)
            {
                throw new ArgumentException("The stream cannot be written.", nameof(stream));
            }

            ToModelProto(model).WriteTo(stream);
        }

        /// <summary>Returns <paramref name="model"/> as the bytes of an ONNX model (for <c>new InferenceSession(bytes)</c>).</summary>
        /// <param name="model">The model, any class generated with <see cref="LstmAttribute"/> or <see cref="GruAttribute"/>.</param>
        /// <exception cref="ArgumentNullException"><paramref name="model"/> is <see langword="null"/>.</exception>
        /// <exception cref="ArgumentException">The model's tensors are not those of an LSTM (or GRU) of its sizes.</exception>
        /// <exception cref="NotSupportedException">The model has projections (<c>ProjectionSize</c>), which ONNX's LSTM operator has not.</exception>
        public static byte[] ToBytes(ISequenceModel model) => ToModelProto(model).ToByteArray();

        private static ModelProto ToModelProto(ISequenceModel model)
        {
            if (model is null)
            {
                throw new ArgumentNullException(nameof(model));
            }

            CellOperator cell = CellOperator.Of(model);
            TensorInfo? projection = model.Tensors.FirstOrDefault(tensor => tensor.Name.StartsWith("lstm.weight_hr_l", StringComparison.Ordinal));
            if (projection is not null)
            {
                // ONNX's LSTM operator computes h = o * tanh(c): it has no projection h = W_hr (o * tanh(c)).
                throw new NotSupportedException(
                    $"{model.GetType().FullName} has projections ('{projection.Name}' {projection.ShapeText}, PyTorch's proj_size), which ONNX's LSTM operator does not have (its h is o * tanh(c)); a model with ProjectionSize cannot be exported.");
            }

            CheckSize(model, cell);
            var weights = new ModelWeights(model, cell);
            var graph = new GraphProto
            {
                Name = model.GetType().Name,
                DocString = string.Format(
                    CultureInfo.InvariantCulture,
                    "{0}: {1} of {2} inputs, {3} hidden units, {4} layer(s), {5}.",
                    model.GetType().FullName,
                    weights.Directions == 2 ? "bidirectional " + cell.OperatorType : cell.OperatorType,
                    model.InputSize,
                    model.HiddenSize,
                    model.Layers,
                    model.HasHead ? $"a head of {model.OutputSize} outputs ({model.OutputActivation})" : "no head"),
            };

            // The states have a row per layer, or (bidirectional) per layer and direction: the forward one, then the reverse one.
            int layers = weights.Directions * model.Layers, hidden = model.HiddenSize;
            graph.Input.Add(Value(InputName, Dynamic(SequenceAxis), Dynamic(BatchAxis), Fixed(model.InputSize)));
            graph.Input.Add(Value(InitialHiddenName, Fixed(layers), Dynamic(BatchAxis), Fixed(hidden)));
            if (cell.HasCellState)
            {
                graph.Input.Add(Value(InitialCellName, Fixed(layers), Dynamic(BatchAxis), Fixed(hidden)));
            }

            graph.Output.Add(Value(OutputName, Dynamic(SequenceAxis), Dynamic(BatchAxis), Fixed(model.OutputSize)));
            graph.Output.Add(Value(FinalHiddenName, Fixed(layers), Dynamic(BatchAxis), Fixed(hidden)));
            if (cell.HasCellState)
            {
                graph.Output.Add(Value(FinalCellName, Fixed(layers), Dynamic(BatchAxis), Fixed(hidden)));
            }

            string sequence = AddLayers(graph, model, cell, weights);
            if (model.HasHead)
            {
                AddHead(graph, model, weights, sequence);
            }

            var proto = new ModelProto
            {
                IrVersion = IrVersion,
                ProducerName = "LstmGen.Onnx",
                ProducerVersion = ProducerVersion(),
                Graph = graph,
            };
            proto.OpsetImport.Add(new OperatorSetIdProto { Domain = string.Empty, Version = Opset });
            return proto;
        }

        /// <summary>
        /// Refuses a model whose weights do not fit in one protobuf message (2 GiB, which ONNX files beyond hold in
        /// external data files, not written here). No generated model comes near: the largest the attribute allows
        /// has about 0.7 GB of weights.
        /// </summary>
        private static void CheckSize(ISequenceModel model, CellOperator cell)
        {
            long hidden = model.HiddenSize, gates = cell.Gates * hidden, directions = RecurrentCells.IsBidirectional(model) ? 2 : 1;
            long floats = directions * (gates * (model.InputSize + hidden + 2) + (model.Layers - 1) * gates * ((directions * hidden) + hidden + 2));
            if (model.HasHead)
            {
                floats += ((directions * hidden) + 1) * model.OutputSize;
            }

            // The weights, and a margin for the graph around them.
            const long Limit = int.MaxValue - (1 << 20);
            if (floats * sizeof(float) > Limit)
            {
                throw new ArgumentException(
                    $"The model's sizes (InputSize {model.InputSize}, HiddenSize {model.HiddenSize}, Layers {model.Layers}, OutputSize {model.OutputSize}) make {floats} weights, {floats * sizeof(float)} bytes: more than one ONNX file holds without external data (2 GiB), which this exporter does not write.",
                    nameof(model));
            }
        }

        /// <summary>
        /// The LSTM or GRU layers, from <see cref="InputName"/>, <see cref="InitialHiddenName"/> and (an LSTM's)
        /// <see cref="InitialCellName"/> to <see cref="FinalHiddenName"/>, <see cref="FinalCellName"/> and the top layer's
        /// hidden sequence, whose name this returns (<see cref="OutputName"/> when there is no head).
        /// </summary>
        private static string AddLayers(GraphProto graph, ISequenceModel model, CellOperator cell, ModelWeights weights)
        {
            int layers = model.Layers, hidden = model.HiddenSize, gates = cell.Gates * hidden, directions = weights.Directions;

            // Each layer starts from its own row of h0 (and c0), or its two rows (forward, reverse): Split along the layer axis.
            string[] initialHidden = { InitialHiddenName }, initialCell = { InitialCellName };
            if (layers > 1)
            {
                var rows = new long[layers];
                rows.AsSpan().Fill(directions);
                graph.Initializer.Add(Int64s("layer_split", rows));
                initialHidden = LayerNames("h0_l", layers);
                initialCell = LayerNames("c0_l", layers);
                graph.Node.Add(Node("Split", "split_h0", new[] { InitialHiddenName, "layer_split" }, initialHidden, Attribute("axis", 0)));
                if (cell.HasCellState)
                {
                    graph.Node.Add(Node("Split", "split_c0", new[] { InitialCellName, "layer_split" }, initialCell, Attribute("axis", 0)));
                }
            }

            graph.Initializer.Add(Int64s("direction_axis", new long[] { 1 }));
            string[] finalHidden = layers > 1 ? LayerNames("hn_l", layers) : new[] { FinalHiddenName };
            string[] finalCell = layers > 1 ? LayerNames("cn_l", layers) : new[] { FinalCellName };
            string sequence = InputName;
            for (int layer = 0; layer < layers; layer++)
            {
                string suffix = "_l" + layer.ToString(CultureInfo.InvariantCulture);
                graph.Initializer.Add(Floats("W" + suffix, weights.InputWeights(layer), directions, gates, weights.LayerInputs(layer)));
                graph.Initializer.Add(Floats("R" + suffix, weights.RecurrentWeights(layer), directions, gates, hidden));
                graph.Initializer.Add(Floats("B" + suffix, weights.Biases(layer), directions, 2 * gates));

                // Y is [sequence, directions = 1, batch, hidden]: the next layer reads it without the direction axis.
                // Inputs X, W, R, B, sequence_lens (none), initial_h[, initial_c]; outputs Y, Y_h[, Y_c].
                string y = "Y" + suffix;
                graph.Node.Add(Node(
                    cell.OperatorType,
                    cell.TensorPrefix + suffix,
                    cell.HasCellState
                        ? new[] { sequence, "W" + suffix, "R" + suffix, "B" + suffix, string.Empty, initialHidden[layer], initialCell[layer] }
                        : new[] { sequence, "W" + suffix, "R" + suffix, "B" + suffix, string.Empty, initialHidden[layer] },
                    cell.HasCellState ? new[] { y, finalHidden[layer], finalCell[layer] } : new[] { y, finalHidden[layer] },
                    cell.Attributes(hidden, directions)));
                sequence = layer == layers - 1 && !model.HasHead ? OutputName : "hidden" + suffix;
                if (directions == 1)
                {
                    graph.Node.Add(Node("Squeeze", "squeeze" + suffix, new[] { y, "direction_axis" }, new[] { sequence }));
                    continue;
                }

                // Bidirectional: Y [sequence, 2, batch, hidden] to [sequence, batch, 2, hidden], then each step's two hidden
                // states side by side, forward half first: [sequence, batch, 2 x hidden], what the layer above and the head read.
                graph.Node.Add(Node("Transpose", "transpose" + suffix, new[] { y }, new[] { "Y_t" + suffix }, Attribute("perm", 0, 2, 1, 3)));
                graph.Node.Add(Node("Reshape", "reshape" + suffix, new[] { "Y_t" + suffix, "directions_shape" }, new[] { sequence }));
            }

            if (directions == 2)
            {
                // Reshape's shape: the sequence and batch axes kept (0), the last two merged (-1).
                graph.Initializer.Add(Int64s("directions_shape", new long[] { 0, 0, -1 }));
            }

            if (layers > 1)
            {
                graph.Node.Add(Node("Concat", "concat_hn", finalHidden, new[] { FinalHiddenName }, Attribute("axis", 0)));
                if (cell.HasCellState)
                {
                    graph.Node.Add(Node("Concat", "concat_cn", finalCell, new[] { FinalCellName }, Attribute("axis", 0)));
                }
            }

            return sequence;
        }

        /// <summary>The head: logits = hidden x head.weight^T + head.bias, then the activation into <see cref="OutputName"/>.</summary>
        private static void AddHead(GraphProto graph, ISequenceModel model, ModelWeights weights, string hidden)
        {
            graph.Initializer.Add(Floats("head.weight_t", weights.HeadWeightTransposed(), weights.LayerInputs(model.Layers), model.OutputSize));
            graph.Initializer.Add(Floats("head.bias", weights.HeadBias(), model.OutputSize));
            graph.Node.Add(Node("MatMul", "head_matmul", new[] { hidden, "head.weight_t" }, new[] { "head_product" }));
            string? activation = model.OutputActivation switch
            {
                Activation.Linear => null,
                Activation.Sigmoid => "Sigmoid",
                Activation.Tanh => "Tanh",
                Activation.Softmax => "Softmax",
                _ => throw new ArgumentException($"The model's output activation {model.OutputActivation} has no ONNX operator here.", nameof(model)),
            };
            string logits = activation is null ? OutputName : "head_logits";
            graph.Node.Add(Node("Add", "head_add", new[] { "head_product", "head.bias" }, new[] { logits }));
            if (activation is not null)
            {
                NodeProto node = Node(activation, "head_" + activation.ToLowerInvariant(), new[] { logits }, new[] { OutputName });
                if (model.OutputActivation == Activation.Softmax)
                {
                    node.Attribute.Add(Attribute("axis", -1));
                }

                graph.Node.Add(node);
            }
        }

        private static string[] LayerNames(string prefix, int layers)
        {
            var names = new string[layers];
            for (int layer = 0; layer < layers; layer++)
            {
                names[layer] = prefix + layer.ToString(CultureInfo.InvariantCulture);
            }

            return names;
        }

        private static NodeProto Node(string operatorType, string name, string[] inputs, string[] outputs, params AttributeProto[] attributes)
        {
            var node = new NodeProto { OpType = operatorType, Name = name };
            node.Input.Add(inputs);
            node.Output.Add(outputs);
            node.Attribute.Add(attributes);
            return node;
        }

        private static AttributeProto Attribute(string name, long value) =>
            new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

        private static AttributeProto Attribute(string name, params long[] values)
        {
            var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
            attribute.Ints.Add(values);
            return attribute;
        }

        private static AttributeProto Attribute(string name, string value) =>
            new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.String, S = Google.Protobuf.ByteString.CopyFromUtf8(value) };

        private static TensorProto Floats(string name, float[] values, params long[] dimensions)
        {
            var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
            tensor.Dims.Add(dimensions);
            tensor.FloatData.Add(values);
            return tensor;
        }

        private static TensorProto Int64s(string name, long[] values)
        {
            var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64 };
            tensor.Dims.Add(values.Length);
            tensor.Int64Data.Add(values);
            return tensor;
        }

        /// <summary>A float32 graph input or output of the given dimensions (<see cref="Fixed"/> or <see cref="Dynamic"/>).</summary>
        private static ValueInfoProto Value(string name, params TensorShapeProto.Types.Dimension[] dimensions)
        {
            var shape = new TensorShapeProto();
            shape.Dim.Add(dimensions);
            return new ValueInfoProto
            {
                Name = name,
                Type = new TypeProto
                {
                    TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape },
                },
            };
        }

        private static TensorShapeProto.Types.Dimension Fixed(int size) => new TensorShapeProto.Types.Dimension { DimValue = size };

        private static TensorShapeProto.Types.Dimension Dynamic(string axis) => new TensorShapeProto.Types.Dimension { DimParam = axis };

        private static string ProducerVersion()
        {
            string? version = typeof(OnnxExport).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
            if (version is null)
            {
                return string.Empty;
            }

            // Without SourceLink's "+commit" suffix.
            int metadata = version.IndexOf('+');
            return metadata < 0 ? version : version.Substring(0, metadata);
        }

        /// <summary>ONNX's operator for the model's cell: its gates, their order, the state it carries and its attributes.</summary>
        private sealed class CellOperator
        {
            // ONNX's LSTM: gates i, o, f, c, where PyTorch's nn.LSTM has i, f, g, o; a hidden and a cell state.
            private static readonly CellOperator Lstm = new CellOperator("LSTM", "an", "lstm", new[] { 0, 3, 1, 2 }, hasCellState: true, linearBeforeReset: false);

            // ONNX's GRU: gates z, r, h, where PyTorch's nn.GRU has r, z, n; a hidden state only. PyTorch applies the
            // reset gate to W_hn h + b_hn, which is ONNX's linear_before_reset = 1 (0 would apply it to h before R_h).
            private static readonly CellOperator Gru = new CellOperator("GRU", "a", "gru", new[] { 1, 0, 2 }, hasCellState: false, linearBeforeReset: true);

            private readonly bool _linearBeforeReset;

            private CellOperator(string operatorType, string article, string tensorPrefix, int[] pyTorchGateOfOnnxGate, bool hasCellState, bool linearBeforeReset)
            {
                OperatorType = operatorType;
                Article = article;
                TensorPrefix = tensorPrefix;
                PyTorchGateOfOnnxGate = pyTorchGateOfOnnxGate;
                HasCellState = hasCellState;
                _linearBeforeReset = linearBeforeReset;
            }

            /// <summary>The ONNX operator, <c>LSTM</c> or <c>GRU</c>, also the cell's name in messages.</summary>
            public string OperatorType { get; }

            /// <summary>"an" LSTM, "a" GRU.</summary>
            public string Article { get; }

            /// <summary>The prefix of the model's tensors (<c>lstm</c>, <c>gru</c>), also that of the operators' node names.</summary>
            public string TensorPrefix { get; }

            /// <summary>Where each of ONNX's gates is among PyTorch's.</summary>
            public int[] PyTorchGateOfOnnxGate { get; }

            public int Gates => PyTorchGateOfOnnxGate.Length;

            /// <summary>Whether the cell carries a cell state besides the hidden one (the graph's c0 and cn).</summary>
            public bool HasCellState { get; }

            public static CellOperator Of(ISequenceModel model) => RecurrentCells.Of(model) switch
            {
                RecurrentCell.Lstm => Lstm,
                RecurrentCell.Gru => Gru,
                RecurrentCell other => throw new NotSupportedException($"{model.GetType().FullName}'s cell {other} has no ONNX operator here."),
            };

            /// <summary>The operator's attributes: <c>hidden_size</c>, a GRU's <c>linear_before_reset</c>, and <c>direction</c> when bidirectional.</summary>
            public AttributeProto[] Attributes(int hidden, int directions)
            {
                var attributes = new List<AttributeProto> { Attribute("hidden_size", hidden) };
                if (_linearBeforeReset)
                {
                    attributes.Add(Attribute("linear_before_reset", 1));
                }

                if (directions == 2)
                {
                    attributes.Add(Attribute("direction", "bidirectional"));
                }

                return attributes.ToArray();
            }
        }

        /// <summary>The model's tensors in PyTorch's layout, checked against its sizes, and converted to ONNX's.</summary>
        private sealed class ModelWeights
        {
            private readonly ISequenceModel _model;
            private readonly CellOperator _cell;
            private readonly Dictionary<string, TensorInfo> _tensors = new Dictionary<string, TensorInfo>(StringComparer.Ordinal);

            public ModelWeights(ISequenceModel model, CellOperator cell)
            {
                _model = model;
                _cell = cell;
                Directions = RecurrentCells.IsBidirectional(model) ? 2 : 1;
                foreach (TensorInfo tensor in model.Tensors)
                {
                    _tensors[tensor.Name] = tensor;
                }
            }

            /// <summary>The directions of every layer: 2 for a bidirectional model (its tensors *_reverse), else 1.</summary>
            public int Directions { get; }

            /// <summary>What layer <paramref name="layer"/> reads per step: the input, or the layer below's output (both directions'); the head's for <c>Layers</c>.</summary>
            public int LayerInputs(int layer) => layer == 0 ? _model.InputSize : Directions * _model.HiddenSize;

            /// <summary>W of the layer: weight_ih_l{layer} [gates x H, inputs] (then weight_ih_l{layer}_reverse), rows reordered to ONNX's gate order.</summary>
            public float[] InputWeights(int layer) =>
                EachDirection(layer, name => ReorderGates(Tensor(name("weight_ih"), _cell.Gates * _model.HiddenSize, LayerInputs(layer))));

            /// <summary>R of the layer: weight_hh_l{layer} [gates x H, H] (then its reverse), rows reordered to ONNX's gate order.</summary>
            public float[] RecurrentWeights(int layer) =>
                EachDirection(layer, name => ReorderGates(Tensor(name("weight_hh"), _cell.Gates * _model.HiddenSize, _model.HiddenSize)));

            /// <summary>B of the layer: [Wb, Rb] = bias_ih then bias_hh, each reordered to ONNX's gate order (then the reverse direction's).</summary>
            public float[] Biases(int layer) => EachDirection(layer, name =>
            {
                int gates = _cell.Gates * _model.HiddenSize;
                var biases = new float[2 * gates];
                ReorderGates(Tensor(name("bias_ih"), gates)).CopyTo(biases, 0);
                ReorderGates(Tensor(name("bias_hh"), gates)).CopyTo(biases, gates);
                return biases;
            });

            /// <summary>The values of each direction of the layer one after the other, as ONNX's [directions, ...] tensors hold them.</summary>
            private float[] EachDirection(int layer, Func<Func<string, string>, float[]> values)
            {
                float[] forward = values(tensor => LayerName(tensor, layer));
                return Directions == 1 ? forward : forward.Concat(values(tensor => LayerName(tensor, layer) + "_reverse")).ToArray();
            }

            /// <summary>head.weight [O, H] (bidirectional: [O, 2H]) transposed to [H, O], the right operand of the head's MatMul.</summary>
            public float[] HeadWeightTransposed()
            {
                int outputs = _model.OutputSize, hidden = LayerInputs(_model.Layers);
                float[] weight = Tensor("head.weight", outputs, hidden);
                var transposed = new float[weight.Length];
                for (int output = 0; output < outputs; output++)
                {
                    for (int unit = 0; unit < hidden; unit++)
                    {
                        transposed[unit * outputs + output] = weight[output * hidden + unit];
                    }
                }

                return transposed;
            }

            public float[] HeadBias() => Tensor("head.bias", _model.OutputSize);

            private string LayerName(string tensor, int layer) =>
                _cell.TensorPrefix + "." + tensor + "_l" + layer.ToString(CultureInfo.InvariantCulture);

            /// <summary>Gate blocks of rows in PyTorch's order (LSTM i, f, g, o; GRU r, z, n) put in ONNX's (i, o, f, c; z, r, h).</summary>
            private float[] ReorderGates(float[] values)
            {
                int gates = _cell.Gates, block = values.Length / gates;
                var reordered = new float[values.Length];
                for (int gate = 0; gate < gates; gate++)
                {
                    Array.Copy(values, _cell.PyTorchGateOfOnnxGate[gate] * block, reordered, gate * block, block);
                }

                return reordered;
            }

            /// <summary>A tensor in PyTorch's layout, after checking that the model has it with the shape its sizes imply.</summary>
            private float[] Tensor(string name, params int[] shape)
            {
                if (!_tensors.TryGetValue(name, out TensorInfo? tensor))
                {
                    throw new ArgumentException(
                        $"The model has no tensor '{name}', which {_cell.Article} {_cell.OperatorType} of {_model.Layers} layer(s){(_model.HasHead ? " with a head" : string.Empty)} has. Its tensors: {string.Join(", ", _tensors.Keys)}.",
                        "model");
                }

                if (!ShapeIs(tensor, shape))
                {
                    throw new ArgumentException(
                        $"The model's tensor '{name}' is {tensor.ShapeText}, but its sizes (InputSize {_model.InputSize}, HiddenSize {_model.HiddenSize}, OutputSize {_model.OutputSize}) make it [{string.Join(", ", shape)}].",
                        "model");
                }

                var values = new float[tensor.Length];
                _model.GetTensor(name, values);
                if (_model.WeightPrecision == WeightPrecision.BFloat16)
                {
                    // What the model computes with: its float32 parameters rounded to bfloat16, exported as float32.
                    for (int i = 0; i < values.Length; i++)
                    {
                        values[i] = LstmGen.CompilerServices.BFloat16.RoundToSingle(values[i]);
                    }
                }

                return values;
            }

            private static bool ShapeIs(TensorInfo tensor, int[] shape)
            {
                if (tensor.Shape.Count != shape.Length)
                {
                    return false;
                }

                for (int i = 0; i < shape.Length; i++)
                {
                    if (tensor.Shape[i] != shape[i])
                    {
                        return false;
                    }
                }

                return true;
            }
        }
    }
}
