using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Text;

namespace QuickStart
{
    /// <summary>
    /// Shows the progress of training: epoch, batch, loss, sequences per second and elapsed time.
    /// On a terminal one line is redrawn in place after every batch and kept at the end of each
    /// epoch; when the output is redirected to a file or a pipe, only that line per epoch is written.
    /// </summary>
    /// <example>
    /// <code>
    /// var progress = new ProgressBar(epochs, batchesPerEpoch);
    /// for (int epoch = 1; epoch &lt;= epochs; epoch++)
    /// {
    ///     progress.StartEpoch(epoch);
    ///     foreach (var batch in batches)
    ///     {
    ///         float loss = TrainOn(batch);
    ///         progress.ReportBatch(batch.Count, loss);
    ///     }
    ///     progress.EndEpoch(validationLoss);
    /// }
    /// </code>
    /// </example>
    public sealed class ProgressBar
    {
        private const int BarWidth = 20;
        private const char DoneCell = '#';
        private const char PendingCell = '-';

        /// <summary>The shortest time between two redraws, so that fast batches do not flood the terminal.</summary>
        private static readonly TimeSpan RedrawInterval = TimeSpan.FromMilliseconds(100);

        private readonly TextWriter _output;
        private readonly bool _redrawInPlace;
        private readonly Stopwatch _sinceFirstEpoch = new();
        private readonly Stopwatch _sinceEpochStart = new();
        private readonly StringBuilder _line = new();
        private TimeSpan _lastRedraw;
        private TimeSpan _lastBatch;
        private int _lastLineLength;
        private int _epoch;
        private int _batch;
        private long _sequences;
        private double _lossSum;

        /// <summary>
        /// Creates a progress bar on the console: redrawn in place unless the output is redirected
        /// (<see cref="Console.IsOutputRedirected"/>).
        /// </summary>
        /// <param name="epochs">The number of epochs of the training.</param>
        /// <param name="batchesPerEpoch">The number of batches in each epoch.</param>
        /// <exception cref="ArgumentOutOfRangeException">A count is not positive.</exception>
        public ProgressBar(int epochs, int batchesPerEpoch)
            : this(epochs, batchesPerEpoch, Console.Out, redrawInPlace: !Console.IsOutputRedirected)
        {
        }

        /// <summary>Creates a progress bar that writes to <paramref name="output"/>.</summary>
        /// <param name="epochs">The number of epochs of the training.</param>
        /// <param name="batchesPerEpoch">The number of batches in each epoch.</param>
        /// <param name="output">Where to write.</param>
        /// <param name="redrawInPlace">
        /// Whether to redraw the line after every batch with a carriage return (for a terminal), or
        /// to write only one line per epoch (for a file or a pipe).
        /// </param>
        /// <exception cref="ArgumentOutOfRangeException">A count is not positive.</exception>
        public ProgressBar(int epochs, int batchesPerEpoch, TextWriter output, bool redrawInPlace)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(epochs);
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchesPerEpoch);
            ArgumentNullException.ThrowIfNull(output);
            Epochs = epochs;
            BatchesPerEpoch = batchesPerEpoch;
            _output = output;
            _redrawInPlace = redrawInPlace;
        }

        /// <summary>The number of epochs of the training.</summary>
        public int Epochs { get; }

        /// <summary>The number of batches in each epoch.</summary>
        public int BatchesPerEpoch { get; }

        /// <summary>Starts an epoch; the elapsed time shown counts from the first epoch's start.</summary>
        /// <param name="epoch">The epoch, from 1 to <see cref="Epochs"/>.</param>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="epoch"/> is not between 1 and <see cref="Epochs"/>.</exception>
        public void StartEpoch(int epoch)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(epoch, 1);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(epoch, Epochs);
            _epoch = epoch;
            _batch = 0;
            _sequences = 0;
            _lossSum = 0;
            _sinceFirstEpoch.Start();
            _sinceEpochStart.Restart();
            _lastRedraw = TimeSpan.Zero;
            _lastBatch = TimeSpan.Zero;
            if (_redrawInPlace)
            {
                Redraw(validationLoss: null);
            }
        }

        /// <summary>Records a finished batch and, on a terminal, redraws the line (at most every 100 ms, and always for the last batch).</summary>
        /// <param name="sequences">The number of sequences in the batch.</param>
        /// <param name="loss">The batch's mean loss per sequence; the line shows the epoch's mean so far.</param>
        /// <exception cref="InvalidOperationException">No epoch was started, or all its batches were already reported.</exception>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="sequences"/> is not positive.</exception>
        public void ReportBatch(int sequences, double loss)
        {
            if (_epoch == 0)
            {
                throw new InvalidOperationException($"Call {nameof(StartEpoch)} before reporting a batch.");
            }

            if (_batch == BatchesPerEpoch)
            {
                throw new InvalidOperationException($"Epoch {_epoch} has only {BatchesPerEpoch} batches.");
            }

            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sequences);
            _batch++;
            _sequences += sequences;
            _lossSum += loss * sequences;
            _lastBatch = _sinceEpochStart.Elapsed;
            if (_redrawInPlace && (_batch == BatchesPerEpoch || _sinceEpochStart.Elapsed - _lastRedraw >= RedrawInterval))
            {
                Redraw(validationLoss: null);
            }
        }

        /// <summary>Ends the epoch: writes its final line, with the validation loss if there is one, and a new line.</summary>
        /// <param name="validationLoss">The loss on the validation months, or null.</param>
        /// <exception cref="InvalidOperationException">No epoch was started.</exception>
        public void EndEpoch(double? validationLoss = null)
        {
            if (_epoch == 0)
            {
                throw new InvalidOperationException($"Call {nameof(StartEpoch)} before ending an epoch.");
            }

            _sinceEpochStart.Stop();
            if (_redrawInPlace)
            {
                Redraw(validationLoss);
                _output.WriteLine();
                _lastLineLength = 0;
            }
            else
            {
                _output.WriteLine(Format(validationLoss));
            }

            _output.Flush();
            _epoch = 0;
        }

        private void Redraw(double? validationLoss)
        {
            string line = Format(validationLoss);

            // Spaces wipe what is left of a longer previous line.
            _output.Write('\r');
            _output.Write(line.PadRight(_lastLineLength));
            _output.Flush();
            _lastLineLength = line.Length;
            _lastRedraw = _sinceEpochStart.Elapsed;
        }

        private string Format(double? validationLoss)
        {
            CultureInfo invariant = CultureInfo.InvariantCulture;
            int epochDigits = Digits(Epochs);
            int batchDigits = Digits(BatchesPerEpoch);
            int done = _batch * BarWidth / BatchesPerEpoch;

            // Throughput counts the batches only, not what ran after the last one (validation, say).
            double seconds = _lastBatch.TotalSeconds;
            TimeSpan elapsed = _sinceFirstEpoch.Elapsed;

            _line.Clear();
            _line.Append(invariant, $"epoch {_epoch.ToString(invariant).PadLeft(epochDigits)}/{Epochs} [");
            _line.Append(DoneCell, done).Append(PendingCell, BarWidth - done);
            _line.Append(invariant, $"] {_batch.ToString(invariant).PadLeft(batchDigits)}/{BatchesPerEpoch}");
            if (_sequences > 0)
            {
                _line.Append(invariant, $"  loss {_lossSum / _sequences:G4}");
            }

            if (validationLoss is double validation)
            {
                _line.Append(invariant, $"  val {validation:G4}");
            }

            if (_sequences > 0 && seconds > 0)
            {
                _line.Append(invariant, $"  {_sequences / seconds:F0} seq/s");
            }

            _line.Append(invariant, $"  {(int)elapsed.TotalMinutes}:{elapsed.Seconds:D2}.{elapsed.Milliseconds / 100}");
            return _line.ToString();
        }

        private static int Digits(int count) => count.ToString(CultureInfo.InvariantCulture).Length;
    }
}
