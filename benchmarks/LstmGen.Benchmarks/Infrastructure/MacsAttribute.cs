using System;

namespace LstmGen.Benchmarks.Infrastructure
{
    /// <summary>
    /// The multiply-adds one invocation of a benchmark method does, for the GMAC/s and % peak columns:
    /// <see cref="Shape.StepMacs"/> of the case's shape times <see cref="Steps"/>, <see cref="Passes"/>
    /// and <see cref="Sequences"/>, or a <see cref="Fixed"/> count.
    /// </summary>
    /// <remarks>
    /// The shape is the benchmark's <c>Shape</c> parameter, or <see cref="Shape"/> when the class has one
    /// fixed shape. Conventions: a forward step is 4H(in + H) per layer plus H * O for the head; training
    /// (forward, then backward through time) counts as 3 forward passes: the forward pass, the gradient
    /// with respect to the weights and the gradient with respect to the inputs and state.
    /// </remarks>
    [AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
    public sealed class MacsAttribute : Attribute
    {
        /// <summary>Time steps per invocation.</summary>
        public int Steps { get; set; } = 1;

        /// <summary>Forward-pass equivalents per step: 1 for inference, 3 for training.</summary>
        public int Passes { get; set; } = 1;

        /// <summary>Independent sequences stepped per invocation.</summary>
        public int Sequences { get; set; } = 1;

        /// <summary>The shape's name when the benchmark has no Shape parameter.</summary>
        public string? Shape { get; set; }

        /// <summary>A fixed count of multiply-adds per invocation (shape ignored); 0 when unused.</summary>
        public long Fixed { get; set; }

        /// <summary>The multiply-adds per invocation for the case's shape.</summary>
        public long Count(string? shapeName)
        {
            if (Fixed > 0)
            {
                return Fixed;
            }

            string name = Shape ?? shapeName ?? throw new InvalidOperationException("[Macs] needs a Shape parameter or a Shape.");
            return LstmGen.Benchmarks.Shapes.Get(name).StepMacs * Steps * Passes * Sequences;
        }
    }
}
