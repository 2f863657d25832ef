using System;
using System.Globalization;
using System.IO;
using System.Text;
using LstmGen.Training;

namespace QuickStart
{
    /// <summary>
    /// Shows the trainer's progress: epoch, a bar of the epoch's batches, the epoch's mean loss so
    /// far, the validation loss, sequences per second and elapsed time. On a terminal one line is
    /// redrawn in place after every batch and kept at the end of each epoch; when the output is
    /// redirected to a file or a pipe, only that line per epoch is written.
    /// </summary>
    /// <remarks>
    /// The trainer reports on the thread that called <c>Fit</c>, in order, so the bar needs no locking.
    /// </remarks>
    public sealed class ProgressBar : IProgress<TrainingProgress>
    {
        private const int BarWidth = 20;
        private const char DoneCell = '#';
        private const char PendingCell = '-';

        /// <summary>The shortest time between two redraws, so that fast batches do not flood the terminal.</summary>
        private static readonly TimeSpan RedrawInterval = TimeSpan.FromMilliseconds(100);

        private readonly TextWriter _output;
        private readonly bool _redrawInPlace;
        private readonly StringBuilder _line = new();
        private TimeSpan _lastRedraw = TimeSpan.MinValue;
        private int _lastLineLength;

        /// <summary>
        /// Creates a progress bar on the console: redrawn in place unless the output is redirected
        /// (<see cref="Console.IsOutputRedirected"/>).
        /// </summary>
        public ProgressBar()
            : this(Console.Out, redrawInPlace: !Console.IsOutputRedirected)
        {
        }

        /// <summary>Creates a progress bar that writes to <paramref name="output"/>.</summary>
        /// <param name="output">Where to write.</param>
        /// <param name="redrawInPlace">
        /// Whether to redraw the line after every batch with a carriage return (for a terminal), or
        /// to write only one line per epoch (for a file or a pipe).
        /// </param>
        public ProgressBar(TextWriter output, bool redrawInPlace)
        {
            ArgumentNullException.ThrowIfNull(output);
            _output = output;
            _redrawInPlace = redrawInPlace;
        }

        /// <summary>Shows a report: a redraw after a batch (at most every 100 ms), a kept line at an epoch's end.</summary>
        public void Report(TrainingProgress value)
        {
            if (value.EpochCompleted)
            {
                if (_redrawInPlace)
                {
                    Redraw(value);
                    _output.WriteLine();
                    _lastLineLength = 0;
                }
                else
                {
                    _output.WriteLine(Format(value));
                }

                _output.Flush();
                return;
            }

            if (_redrawInPlace && (value.Batch == value.Batches || value.Elapsed - _lastRedraw >= RedrawInterval))
            {
                Redraw(value);
            }
        }

        private void Redraw(TrainingProgress value)
        {
            string line = Format(value);

            // Spaces wipe what is left of a longer previous line.
            _output.Write('\r');
            _output.Write(line.PadRight(_lastLineLength));
            _output.Flush();
            _lastLineLength = line.Length;
            _lastRedraw = value.Elapsed;
        }

        private string Format(TrainingProgress value)
        {
            CultureInfo invariant = CultureInfo.InvariantCulture;
            int done = value.Batch * BarWidth / value.Batches;
            TimeSpan elapsed = value.Elapsed;
            _line.Clear();
            _line.Append(invariant, $"epoch {value.Epoch.ToString(invariant).PadLeft(Digits(value.Epochs))}/{value.Epochs} [");
            _line.Append(DoneCell, done).Append(PendingCell, BarWidth - done);
            _line.Append(invariant, $"] {value.Batch.ToString(invariant).PadLeft(Digits(value.Batches))}/{value.Batches}");
            _line.Append(invariant, $"  loss {value.Loss:F4}");
            if (value.ValidationLoss is float validation)
            {
                _line.Append(invariant, $"  validation {validation:F4}");
            }

            _line.Append(invariant, $"  {value.SequencesPerSecond,7:F0} seq/s");
            _line.Append(invariant, $"  {(int)elapsed.TotalMinutes}:{elapsed.Seconds:D2}.{elapsed.Milliseconds / 100}");
            return _line.ToString();
        }

        private static int Digits(int count) => count.ToString(CultureInfo.InvariantCulture).Length;
    }
}
