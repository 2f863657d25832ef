using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace LstmGen.Training
{
    /// <summary>
    /// The bookkeeping every optimizer shares: its step count, the length of the parameter vector
    /// it was sized for, and its named per-parameter buffers, with the checks of
    /// <see cref="IOptimizer.Step"/> and <see cref="IOptimizer.SetState"/>.
    /// </summary>
    /// <remarks>
    /// The buffers are allocated (zeroed) on the first step, and only then; <see cref="Reset"/>
    /// keeps them for reuse. They exist once a step has been taken, so a state with a step count
    /// of 0 has none.
    /// </remarks>
    internal sealed class OptimizerBuffers
    {
        private const int NotSized = -1;

        private readonly string _kind;
        private readonly string[] _names;
        private readonly float[][] _buffers;
        private int _length = NotSized;

        /// <summary>Creates the bookkeeping of an optimizer of kind <paramref name="kind"/> with the buffers <paramref name="names"/>.</summary>
        public OptimizerBuffers(string kind, params string[] names)
        {
            _kind = kind;
            _names = names;
            _buffers = new float[names.Length][];
            for (int i = 0; i < _buffers.Length; i++)
            {
                _buffers[i] = Array.Empty<float>();
            }
        }

        /// <summary>The steps taken so far.</summary>
        public long StepCount { get; private set; }

        /// <summary>
        /// Checks the spans of a step, sizes the buffers on the first step, and counts the step.
        /// Returns the number of the step being taken: 1 for the first.
        /// </summary>
        public long BeginStep(int parametersLength, int gradientsLength)
        {
            if (parametersLength != gradientsLength)
            {
                throw new ArgumentException(
                    $"parameters has {parametersLength} floats but gradients has {gradientsLength}; they must have the same length.",
                    "gradients");
            }

            if (_length == NotSized)
            {
                Size(parametersLength);
            }
            else if (parametersLength != _length)
            {
                throw new ArgumentException(
                    $"parameters has {parametersLength} floats, but this {_kind} optimizer was sized for {_length} by its earlier steps; call Reset() to start over with other parameters.",
                    "parameters");
            }

            return ++StepCount;
        }

        /// <summary>
        /// Buffer <paramref name="slot"/> (its index among the names), or an empty span for slot -1, read once and
        /// checked to hold <paramref name="length"/> floats: the element-wise kernels address it without bounds
        /// checks, and a second thread's step or SetState on the same optimizer may have replaced it since
        /// <see cref="BeginStep"/>. Such misuse throws <see cref="InvalidOperationException"/>; it never reaches memory outside the buffer.
        /// </summary>
        public Span<float> Buffer(int slot, int length)
        {
            if (slot < 0)
            {
                return Span<float>.Empty;
            }

            float[] buffer = _buffers[slot];
            if (buffer.Length != length)
            {
                throw new InvalidOperationException(
                    $"The {_kind} optimizer's buffer '{_names[slot]}' holds {buffer.Length} floats, not the {length} of this step: another thread changed the optimizer during the step. An optimizer is for one thread at a time.");
            }

            return buffer;
        }

        /// <summary>Forgets every step: the next step sizes (and zeroes) the buffers again.</summary>
        public void Reset()
        {
            StepCount = 0;
            _length = NotSized;
        }

        /// <summary>A copy of the state, with the given learning rate.</summary>
        public OptimizerState GetState(float learningRate)
        {
            var buffers = new KeyValuePair<string, float[]>[StepCount > 0 && _length != NotSized ? _names.Length : 0];
            for (int i = 0; i < buffers.Length; i++)
            {
                buffers[i] = new KeyValuePair<string, float[]>(_names[i], (float[])_buffers[i].Clone());
            }

            return new OptimizerState(_kind, learningRate, StepCount, buffers);
        }

        /// <summary>
        /// Checks <paramref name="state"/> completely, then copies it in. The learning rate is the
        /// optimizer's to check and keep.
        /// </summary>
        public void SetState(OptimizerState state)
        {
            ArgumentNullException.ThrowIfNull(state);
            if (!string.Equals(state.Kind, _kind, StringComparison.Ordinal))
            {
                throw new ArgumentException($"The state is of a '{state.Kind}' optimizer, not of a '{_kind}' one.", nameof(state));
            }

            // sources[slot]: the index in state.Buffers of this optimizer's buffer number slot.
            int count = state.StepCount > 0 ? _names.Length : 0;
            Span<int> sources = stackalloc int[count];
            Match(state, sources);
            int length = NotSized;
            for (int slot = 0; slot < count; slot++)
            {
                float[] buffer = state.Buffers[sources[slot]].Value;
                if (length == NotSized)
                {
                    length = buffer.Length;
                }
                else if (buffer.Length != length)
                {
                    throw new ArgumentException(
                        $"Buffer '{_names[slot]}' of the {_kind} state has {buffer.Length} floats, but buffer '{_names[0]}' has {length}; every buffer is as long as the parameters.",
                        nameof(state));
                }
            }

            if (length != NotSized && _length != NotSized && length != _length)
            {
                throw new ArgumentException(
                    $"The buffers of the {_kind} state have {length} floats, but this optimizer was sized for {_length} by its earlier steps; call Reset() first to restore a state for other parameters.",
                    nameof(state));
            }

            // Everything is checked: copy, into the existing arrays where they have the length.
            for (int slot = 0; slot < count; slot++)
            {
                if (_buffers[slot].Length != length)
                {
                    _buffers[slot] = new float[length];
                }

                state.Buffers[sources[slot]].Value.AsSpan().CopyTo(_buffers[slot]);
            }

            StepCount = state.StepCount;
            if (count > 0)
            {
                _length = length;
            }
            else if (state.StepCount == 0)
            {
                _length = NotSized;
            }
        }

        /// <summary>
        /// Finds each buffer this optimizer expects in <paramref name="state"/> (all of its buffers
        /// after a step, none before), or throws an exception that names both lists.
        /// </summary>
        private void Match(OptimizerState state, Span<int> sources)
        {
            IReadOnlyList<KeyValuePair<string, float[]>> buffers = state.Buffers;
            sources.Fill(-1);
            bool matches = buffers.Count == sources.Length;
            for (int i = 0; matches && i < buffers.Count; i++)
            {
                int slot = Array.IndexOf(_names, buffers[i].Key, 0, sources.Length);
                matches = slot >= 0 && sources[slot] < 0;
                if (matches)
                {
                    sources[slot] = i;
                    if (buffers[i].Value is null)
                    {
                        throw new ArgumentException($"Buffer '{buffers[i].Key}' of the {_kind} state is null.", nameof(state));
                    }
                }
            }

            if (!matches)
            {
                string expectedNames = sources.Length == 0 ? "none" : string.Join(", ", _names);
                string actualNames = buffers.Count == 0 ? "none" : string.Join(", ", buffers.Select(buffer => buffer.Key));
                throw new ArgumentException(
                    string.Create(
                        CultureInfo.InvariantCulture,
                        $"A {_kind} state after {state.StepCount} steps holds the buffers [{expectedNames}] with this optimizer's settings, but this one holds [{actualNames}]."),
                    nameof(state));
            }
        }

        private void Size(int length)
        {
            for (int i = 0; i < _buffers.Length; i++)
            {
                if (_buffers[i].Length == length)
                {
                    Array.Clear(_buffers[i]);
                }
                else
                {
                    _buffers[i] = new float[length];
                }
            }

            _length = length;
        }
    }
}
