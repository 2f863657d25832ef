using System;
using System.Linq;
using LstmGen.Generator.Model;

namespace LstmGen.Generator
{
    /// <summary>
    /// Path selection: the methods that pick the kernel of the path this processor takes, an if/else chain on
    /// IsHardwareAccelerated, widest first, that the JIT folds to the one branch it keeps.
    /// </summary>
    internal sealed partial class Emitter
    {
        private static readonly string[] s_pathNames = { "Vector512", "Vector256", "Vector128", "Scalar" };

        // The parameters of the kernels that a dispatcher passes its own on to: one list each, for the kernel of
        // every path and for its dispatcher.

        /// <summary>
        /// One step of every layer and the head, for one sequence or a group of agents: the group's head takes the
        /// 16 lanes of its sums when it has them (<see cref="AgentsHeadUsesLanes"/>); one sequence without a head
        /// takes no output (StepCore copies the top layer's hidden state out).
        /// </summary>
        private ParameterList PathStepParameters(bool agents)
        {
            var parameters = new ParameterList().Refs(WeightType, "parameters").RefFloats("input").RefFloats(StateNames).RefFloats("gates");
            if (agents && AgentsHeadUsesLanes)
            {
                parameters.RefFloats("lanes");
            }

            return _spec.HasHead || agents ? parameters.RefFloats("output") : parameters;
        }

        /// <summary>One whole step of a layer: its packed weights, its input, its state, the gate sums.</summary>
        private ParameterList LayerStepParameters => new ParameterList().Refs(WeightType, "weights").RefFloats("input").RefFloats(StateNames).RefFloats("gates");

        /// <summary>The recurrent part of a step of a layer, from the gate sums its input projection started.</summary>
        private ParameterList LayerRecurrentParameters => new ParameterList().Refs(WeightType, "weights").RefFloats(StateNames).RefFloats("gates");

        /// <summary>The input projection of a layer for <c>steps</c> steps whose inputs are <c>inputStride</c> floats apart.</summary>
        private ParameterList LayerProjectionParameters =>
            new ParameterList().Refs(WeightType, "weights").RefFloats("inputs").Values(NUInt, "inputStride").RefFloats("gates").Values(NUInt, "steps");

        /// <summary>
        /// The backward pass of a layer at one step. It takes no input: the weights' gradients, which need it, are
        /// summed after the backward pass (WeightGradients).
        /// </summary>
        private ParameterList LayerBackwardParameters => new ParameterList()
            .RefFloats("weights", "gradients", "previous", "current", "upstream", "hiddenGradient", _cell.HasCellState ? "cellGradient" : GruCell.CarriedGradient, "inputGradient")
            .Values("bool", "computeInputGradient");

        /// <summary>A block of steps [start, end) added to <c>rows</c> rows of a weight's gradient.</summary>
        private ParameterList WeightGradientParameters => new ParameterList()
            .RefFloats("gradientRows").Values(NUInt, "rows").RefFloats("x").Values(NUInt, "xStride").RefFloats("gateGradients").Values(NUInt, "start", "end");

        /// <summary>The dense head's backward pass.</summary>
        private static ParameterList HeadBackwardParameters => new ParameterList().RefFloats("head", "gradients", "hidden", "logitGradients", "upstream");

        /// <summary>
        /// <c>private static void {name}({parameters})</c> in the kernel class, which calls <c>{kernel}{Path}</c> with its own
        /// parameters on the path this processor takes (the kernel's name is the method's by default).
        /// </summary>
        private void EmitDispatcher(string summary, string name, ParameterList parameters, string? kernel = null)
        {
            using (Kernels())
            {
                _writer.Line($"/// <summary>{summary}, on the path this processor takes.</summary>");
                using (_writer.Open($"internal static void {name}({parameters.Declaration})"))
                {
                    EmitDispatch(path => $"{kernel ?? name}{path}({parameters.Arguments});");
                }

                _writer.Line();
            }
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
    }
}
