using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using LstmGen.CompilerServices;
using LstmGen.Generator.Model;

namespace LstmGen.Generator.Weights
{
    /// <summary>
    /// Checks a weight file against a model's tensors and packs it into the model's parameter vector, at
    /// compile time: each tensor converted to float as the runtime's Load converts it (F32 as is, F16 and F64
    /// rounded to nearest, BF16 exactly), NaN and infinities refused as Load refuses them by default, then laid
    /// out as SetTensor lays it out (LSTM tensors transposed into packed gate rows by <see cref="GateBlocks"/>,
    /// the head as PyTorch keeps it). The result is the parameters' little-endian bytes: what
    /// <c>Parameters</c> holds after <c>Load</c> of the same file, bit for bit.
    /// </summary>
    internal static class WeightPacker
    {
        /// <summary>
        /// The packed parameters as little-endian bytes, or null with the reasons in <paramref name="diagnostics"/>
        /// (descriptor, arguments; the caller adds the place).
        /// </summary>
        public static byte[]? Pack(KernelPlan plan, WeightFileContents file, string weights, List<(Microsoft.CodeAnalysis.DiagnosticDescriptor Descriptor, string[] Arguments)> diagnostics)
        {
            ModelSpec spec = plan.Spec;
            string model = spec.TypeName;
            string sizes = Sizes(spec);
            var byName = file.Entries.ToDictionary(entry => entry.Name, System.StringComparer.Ordinal);
            var expected = new HashSet<string>(plan.Tensors.Select(tensor => tensor.Name), System.StringComparer.Ordinal);

            foreach (WeightEntry entry in file.Entries.Where(entry => !expected.Contains(entry.Name)))
            {
                diagnostics.Add((DiagnosticDescriptors.WeightsTensorUnexpected, new[] { model, entry.Name, entry.ShapeText, weights, sizes, ModelTensors(plan) }));
            }

            foreach (TensorPlan tensor in plan.Tensors)
            {
                string shape = WeightEntry.FormatShape(tensor.Shape.Select(d => (long)d));
                if (!byName.TryGetValue(tensor.Name, out WeightEntry? entry))
                {
                    string has = file.Entries.Count == 0 ? "no tensors" : string.Join(", ", file.Entries.Select(e => $"'{e.Name}' {e.ShapeText}"));
                    diagnostics.Add((DiagnosticDescriptors.WeightsTensorMissing, new[] { model, tensor.Name, shape, weights, sizes, has }));
                }
                else if (!entry.Shape.SequenceEqual(tensor.Shape.Select(d => (long)d)))
                {
                    diagnostics.Add((DiagnosticDescriptors.WeightsTensorShape, new[] { model, tensor.Name, entry.ShapeText, weights, shape, sizes }));
                }
                else if (entry.DType is not ("F32" or "F16" or "BF16" or "F64"))
                {
                    diagnostics.Add((DiagnosticDescriptors.WeightsTensorDType, new[] { model, tensor.Name, entry.DType, weights, entry.ShapeText }));
                }
            }

            if (diagnostics.Count > 0)
            {
                return null;
            }

            int[] parameters = new int[plan.ParameterCount];
            int hidden = spec.HiddenSize;
            foreach (TensorPlan tensor in plan.Tensors)
            {
                WeightEntry entry = byName[tensor.Name];
                int[]? values = Convert(file, entry, model, weights, diagnostics);
                if (values is null)
                {
                    continue;
                }

                if (tensor.Kind is TensorKind.Head or TensorKind.Projection)
                {
                    System.Array.Copy(values, 0, parameters, tensor.Offset, values.Length);
                    continue;
                }

                // PyTorch's [GH, columns] (a bias: columns = 1), transposed into packed gate rows kept block by block: the layout of
                // the runtime's GateLayout.Pack, with the column of each gate and unit from the shared GateBlocks.
                int gates = plan.Cell.GateCount;
                int columns = tensor.Length / (gates * hidden);
                for (int gate = 0; gate < gates; gate++)
                {
                    for (int unit = 0; unit < hidden; unit++)
                    {
                        int packedColumn = GateBlocks.PackedColumn(hidden, plan.MaxBlockWidth, gate, unit, gates);
                        int sourceRow = (gate * hidden) + unit;
                        for (int column = 0; column < columns; column++)
                        {
                            parameters[tensor.Offset + GateBlocks.PackedOffset(hidden, plan.MaxBlockWidth, columns, column, packedColumn, gates)] = values[(sourceRow * columns) + column];
                        }
                    }
                }
            }

            if (diagnostics.Count > 0)
            {
                return null;
            }

            byte[] bytes = new byte[parameters.Length * 4];
            for (int i = 0; i < parameters.Length; i++)
            {
                int bits = parameters[i];
                bytes[4 * i] = (byte)bits;
                bytes[(4 * i) + 1] = (byte)(bits >> 8);
                bytes[(4 * i) + 2] = (byte)(bits >> 16);
                bytes[(4 * i) + 3] = (byte)(bits >> 24);
            }

            return bytes;
        }

        /// <summary>For messages: "InputSize = 3, HiddenSize = 4, Layers = 1, OutputSize = 2".</summary>
        public static string Sizes(ModelSpec spec) =>
            string.Format(CultureInfo.InvariantCulture, "InputSize = {0}, HiddenSize = {1}, Layers = {2}, OutputSize = {3}", spec.InputSize, spec.HiddenSize, spec.Layers, spec.HeadSize);

        private static string ModelTensors(KernelPlan plan) =>
            string.Join(", ", plan.Tensors.Select(tensor => $"'{tensor.Name}' {WeightEntry.FormatShape(tensor.Shape.Select(d => (long)d))}"));

        /// <summary>One tensor's elements as float bits, or null (and a diagnostic) at the first that is not finite.</summary>
        private static int[]? Convert(WeightFileContents file, WeightEntry entry, string model, string weights, List<(Microsoft.CodeAnalysis.DiagnosticDescriptor, string[])> diagnostics)
        {
            ByteBlob bytes = file.Bytes!;
            long start = file.DataStart + entry.Begin;
            int count = (int)entry.ElementCount;
            int[] values = new int[count];
            for (int i = 0; i < count; i++)
            {
                int bits;
                string? bad = null;
                switch (entry.DType)
                {
                    case "F32":
                        bits = (int)ReadLittleEndian(bytes, start + (4L * i), 4);
                        break;
                    case "F16":
                        bits = HalfToSingleBits((int)ReadLittleEndian(bytes, start + (2L * i), 2));
                        break;
                    case "BF16":
                        bits = (int)ReadLittleEndian(bytes, start + (2L * i), 2) << 16;
                        break;
                    default:
                        double value = System.BitConverter.Int64BitsToDouble((long)ReadLittleEndian(bytes, start + (8L * i), 8));
                        float single = (float)value;
                        bits = new Bits32 { Single = single }.Int;
                        if (float.IsInfinity(single) && !double.IsInfinity(value) && !double.IsNaN(value))
                        {
                            bad = value.ToString("R", CultureInfo.InvariantCulture) + ", beyond the range of float";
                        }

                        break;
                }

                float converted = new Bits32 { Int = bits }.Single;
                if (bad is null && (float.IsNaN(converted) || float.IsInfinity(converted)))
                {
                    bad = float.IsNaN(converted) ? "NaN" : converted > 0 ? "+infinity" : "-infinity";
                }

                if (bad is not null)
                {
                    diagnostics.Add((DiagnosticDescriptors.WeightsNotFinite, new[] { model, entry.Name, entry.DType, entry.ShapeText, weights, bad, i.ToString(CultureInfo.InvariantCulture) }));
                    return null;
                }

                values[i] = bits;
            }

            return values;
        }

        /// <summary>
        /// The bits of the float equal to the IEEE half-precision value <paramref name="half"/>: the runtime's
        /// SoftFloat.HalfToSingle (which <c>Load</c> uses) on bits, as .NET Standard 2.0 has no float bit casts; a
        /// test compares the two on all 65,536 halves.
        /// </summary>
        internal static int HalfToSingleBits(int half)
        {
            int sign = (half & 0x8000) << 16;
            int exponent = (half >> 10) & 0x1F;
            int mantissa = half & 0x3FF;
            if (exponent == 0x1F)
            {
                // Infinity, or NaN quieted with its payload kept in the top mantissa bits.
                return sign | 0x7F800000 | (mantissa == 0 ? 0 : 0x400000) | (mantissa << 13);
            }

            if (exponent == 0)
            {
                if (mantissa == 0)
                {
                    return sign;
                }

                // Subnormal: mantissa * 2^-24, normalised (exact in float).
                int shift = 0;
                while ((mantissa & 0x400) == 0)
                {
                    mantissa <<= 1;
                    shift++;
                }

                return sign | ((113 - shift) << 23) | ((mantissa & 0x3FF) << 13);
            }

            return sign | ((exponent + (127 - 15)) << 23) | (mantissa << 13);
        }

        /// <summary>A float's bits without System.BitConverter's .NET Core methods.</summary>
        [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Explicit)]
        private struct Bits32
        {
            [System.Runtime.InteropServices.FieldOffset(0)]
            public int Int;

            [System.Runtime.InteropServices.FieldOffset(0)]
            public float Single;
        }

        private static ulong ReadLittleEndian(ByteBlob bytes, long offset, int length)
        {
            ulong value = 0;
            for (int i = length - 1; i >= 0; i--)
            {
                value = (value << 8) | bytes[offset + i];
            }

            return value;
        }
    }
}
