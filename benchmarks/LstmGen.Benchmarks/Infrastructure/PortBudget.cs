using System.Globalization;

namespace LstmGen.Benchmarks.Infrastructure
{
    /// <summary>
    /// The port budget of one forward step: the least time the core's execution units need for the work a step must
    /// do, whatever the schedule. Its multiply-adds at the FMA peak (<see cref="FmaLoops"/>) plus its activations (the
    /// three sigmoids and two tanh of each unit of each layer) at their measured cost when nothing waits on them
    /// (<see cref="ActivationThroughput"/>), all at the native width. Biases, the cell update, loads and stores are
    /// not counted, so a step cannot reach 100 %; where the weights do not fit in L1, the weight stream
    /// (<see cref="WeightStream"/>) is the tighter bound.
    /// </summary>
    /// <param name="PeakGmacs">The FMA peak, billions of multiply-adds per second.</param>
    /// <param name="SigmoidNanoseconds">One native vector of sigmoid.</param>
    /// <param name="TanhNanoseconds">One native vector of tanh.</param>
    /// <param name="Lanes">Floats per native vector.</param>
    public readonly record struct PortBudget(double PeakGmacs, double SigmoidNanoseconds, double TanhNanoseconds, int Lanes)
    {
        /// <summary>The budget of <paramref name="shape"/>'s multiply-adds, in nanoseconds.</summary>
        public double MacNanoseconds(Shape shape) => shape.StepMacs / PeakGmacs;

        /// <summary>The budget of <paramref name="shape"/>'s activations, in nanoseconds (fractions of a vector count as such: a bound).</summary>
        public double ActivationNanoseconds(Shape shape) =>
            shape.Layers * (double)shape.HiddenSize / Lanes * ((3 * SigmoidNanoseconds) + (2 * TanhNanoseconds));

        /// <summary>The budget of one step of <paramref name="shape"/>, in nanoseconds.</summary>
        public double StepNanoseconds(Shape shape) => MacNanoseconds(shape) + ActivationNanoseconds(shape);

        /// <summary>One line for the console: the budget of <paramref name="shape"/> and its parts.</summary>
        public string Describe(Shape shape) => string.Create(CultureInfo.InvariantCulture,
            $"{shape.Name}: {shape.StepMacs:N0} MACs = {MacNanoseconds(shape):0.0} ns at peak, + {5 * shape.Layers * shape.HiddenSize:N0} activations = {ActivationNanoseconds(shape):0.0} ns; budget {StepNanoseconds(shape):0.0} ns per step");
    }
}
