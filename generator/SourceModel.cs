using System.Collections.Generic;
using System.Linq;
using static LstmGen.Generator.CodeWriter;

namespace LstmGen.Generator
{
    /// <summary>
    /// The parameter list of an emitted method, kept as parameters rather than text: the declaration and the
    /// arguments that pass the parameters on (a dispatcher calling its kernel) both come from it, so nothing
    /// parses a parameter list back out of the source it wrote.
    /// </summary>
    internal sealed class ParameterList
    {
        private readonly List<(string Type, string Name, bool ByReference)> _parameters = new();

        /// <summary>Appends <c>ref float name</c> for each of <paramref name="names"/>.</summary>
        public ParameterList RefFloats(params string[] names)
        {
            _parameters.AddRange(names.Select(name => ("float", name, true)));
            return this;
        }

        /// <summary>Appends <c>ref type name</c> for each of <paramref name="names"/>.</summary>
        public ParameterList Refs(string type, params string[] names)
        {
            _parameters.AddRange(names.Select(name => (type, name, true)));
            return this;
        }

        /// <summary>Appends <c>type name</c>, passed by value, for each of <paramref name="names"/>.</summary>
        public ParameterList Values(string type, params string[] names)
        {
            _parameters.AddRange(names.Select(name => (type, name, false)));
            return this;
        }

        /// <summary>The declaration: <c>ref float weights, bool computeInputGradient</c>.</summary>
        public string Declaration => string.Join(", ", _parameters.Select(p => (p.ByReference ? "ref " : string.Empty) + p.Type + " " + p.Name));

        /// <summary>The arguments that pass every parameter on: <c>ref weights, computeInputGradient</c>.</summary>
        public string Arguments => string.Join(", ", _parameters.Select(p => (p.ByReference ? "ref " : string.Empty) + p.Name));
    }

    /// <summary>
    /// An integer index expression of emitted code: a name (<c>k</c>), a constant, or a sum (<c>unit + 4</c>).
    /// It knows which it is, so that scaling it (<see cref="Times"/>) adds the parentheses a sum needs without
    /// looking at its text.
    /// </summary>
    internal readonly struct IndexExpression
    {
        private IndexExpression(string text, bool isSum)
        {
            Text = text;
            IsSum = isSum;
        }

        public string Text { get; }

        /// <summary>Whether the expression is a sum, which needs parentheses as an operand of '*'.</summary>
        public bool IsSum { get; }

        /// <summary>A local or a parameter: <paramref name="name"/> is an identifier.</summary>
        public static IndexExpression Name(string name) => new(name, isSum: false);

        public static IndexExpression Constant(int value) => new(Literal(value), isSum: false);

        /// <summary><c>variable + constant</c>, without the parts that are zero (no variable: the constant alone).</summary>
        public static IndexExpression Sum(string? variable, int constant) =>
            variable is null ? Constant(constant)
            : constant == 0 ? Name(variable)
            : new($"{variable} + {Literal(constant)}", isSum: true);

        /// <summary>The expression times <paramref name="factor"/>: <c>k * 8</c>, <c>(unit + 4) * 8</c>.</summary>
        public string Times(int factor) => IsSum ? $"({Text}) * {Literal(factor)}" : $"{Text} * {Literal(factor)}";

        public override string ToString() => Text;

        public static implicit operator string(IndexExpression expression) => expression.Text;
    }
}
