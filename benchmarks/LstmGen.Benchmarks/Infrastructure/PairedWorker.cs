using System;
using System.Threading;

namespace LstmGen.Benchmarks.Infrastructure
{
    /// <summary>
    /// A second thread that does one half of a frame while the caller does the other: <see cref="Run"/> hands the worker
    /// its half, runs the caller's, and returns when both are done. Nothing is allocated per frame (the two actions are
    /// created once); the handoff spins briefly before it blocks, as <see cref="SemaphoreSlim"/> does.
    /// </summary>
    public sealed class PairedWorker : IDisposable
    {
        private readonly SemaphoreSlim _start = new(0);
        private readonly SemaphoreSlim _done = new(0);
        private readonly Action _work;
        private volatile bool _stopping;

        /// <summary>Starts the worker, which will run <paramref name="work"/> at every <see cref="Run"/>.</summary>
        public PairedWorker(Action work)
        {
            _work = work;
            new Thread(Loop) { IsBackground = true, Name = "PairedWorker" }.Start();
        }

        /// <summary>Runs the worker's half and <paramref name="own"/> at once; returns when both are done.</summary>
        public void Run(Action own)
        {
            _start.Release();
            own();
            _done.Wait();
        }

        /// <summary>Stops the worker.</summary>
        public void Dispose()
        {
            _stopping = true;
            _start.Release();
        }

        private void Loop()
        {
            while (true)
            {
                _start.Wait();
                if (_stopping)
                {
                    return;
                }

                _work();
                _done.Release();
            }
        }
    }
}
