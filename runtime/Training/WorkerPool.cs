using System;
using System.Diagnostics;
using System.Runtime.ExceptionServices;
using System.Threading;

namespace LstmGen.Training
{
    /// <summary>Work split into numbered shards, each run whole by one worker.</summary>
    internal interface IShardWork
    {
        /// <summary>Runs shard <paramref name="shard"/> on worker <paramref name="worker"/> (0 is the calling thread).</summary>
        void Run(int shard, int worker);
    }

    /// <summary>
    /// Long-lived threads that, with the calling thread, run the shards of one piece of work at a time.
    /// Shards are claimed from a shared counter, so which worker runs a shard varies from run to run:
    /// the work must give the same result whichever worker runs each shard. Once the threads are
    /// started, a run allocates nothing.
    /// </summary>
    /// <remarks>
    /// Between two runs (a mini-batch's serial part: summing the shards' gradients, the optimizer's
    /// step) the workers spin for up to <see cref="SpinMicroseconds"/> before they block, and the caller
    /// spins the same way for the last shards to finish. A blocked thread, or a halted virtual processor,
    /// takes tens to hundreds of microseconds to wake, which is as long as a small model's batch: waking
    /// them at every batch cost a third of the second thread's gain.
    /// </remarks>
    internal sealed class WorkerPool : IDisposable
    {
        /// <summary>How long a waiting thread spins before it blocks.</summary>
        private const int SpinMicroseconds = 500;

        private readonly Thread[] _threads;
        private readonly object _gate = new object();
        private IShardWork? _work;
        private int _shardCount;
        private int _nextShard;
        private int _generation;
        private int _running;
        private bool _stopping;
        private ExceptionDispatchInfo? _failure;

        /// <summary>Starts <paramref name="workers"/> - 1 threads; the caller of <see cref="Run"/> is worker 0.</summary>
        public WorkerPool(int workers)
        {
            Workers = workers;
            _threads = new Thread[workers - 1];
            for (int i = 0; i < _threads.Length; i++)
            {
                _threads[i] = new Thread(WorkerLoop)
                {
                    IsBackground = true,
                    Name = "LstmGen trainer worker " + (i + 1),
                };
                _threads[i].Start(i + 1);
            }
        }

        /// <summary>The workers, the calling thread included.</summary>
        public int Workers { get; }

        /// <summary>Runs shards 0 to <paramref name="shardCount"/> - 1 and returns when all are done; rethrows the first failure.</summary>
        public void Run(IShardWork work, int shardCount)
        {
            if (_threads.Length == 0 || shardCount == 1)
            {
                for (int shard = 0; shard < shardCount; shard++)
                {
                    work.Run(shard, 0);
                }

                return;
            }

            _work = work;
            _shardCount = shardCount;
            _nextShard = 0;
            _failure = null;
            Volatile.Write(ref _running, _threads.Length);
            Publish(); // The workers start (the increment is a full fence).
            Drain(0);
            WaitUntil(static (pool, _) => Volatile.Read(ref pool._running) == 0, 0); // Every shard is done.
            _work = null;
            _failure?.Throw();
        }

        /// <summary>Stops the threads.</summary>
        public void Dispose()
        {
            if (_stopping)
            {
                return;
            }

            _stopping = true;
            Publish();
            foreach (Thread thread in _threads)
            {
                thread.Join();
            }
        }

        /// <summary>Starts a new generation of work and wakes any worker that stopped spinning.</summary>
        private void Publish()
        {
            Interlocked.Increment(ref _generation);
            lock (_gate)
            {
                Monitor.PulseAll(_gate);
            }
        }

        private void WorkerLoop(object? index)
        {
            int worker = (int)index!;
            int seen = 0;
            while (true)
            {
                WaitUntil(static (pool, last) => Volatile.Read(ref pool._generation) != last, seen);
                seen = Volatile.Read(ref _generation);
                if (_stopping)
                {
                    return;
                }

                Drain(worker);
                if (Interlocked.Decrement(ref _running) == 0)
                {
                    lock (_gate)
                    {
                        Monitor.PulseAll(_gate);
                    }
                }
            }
        }

        /// <summary>
        /// Spins until <paramref name="done"/> holds, for up to <see cref="SpinMicroseconds"/>, then blocks
        /// until a <see cref="Monitor.PulseAll(object)"/> on the gate finds it true. The condition is a static
        /// lambda with its argument passed in, so that waiting allocates nothing.
        /// </summary>
        private void WaitUntil(Func<WorkerPool, int, bool> done, int argument)
        {
            long spinUntil = Stopwatch.GetTimestamp() + (Stopwatch.Frequency * SpinMicroseconds / 1_000_000);
            var spinner = default(SpinWait);
            while (!done(this, argument))
            {
                if (Stopwatch.GetTimestamp() < spinUntil)
                {
                    // Spins, yielding now and then, so that a thread sharing this core can run (never Sleep(1)).
                    spinner.SpinOnce(sleep1Threshold: -1);
                    continue;
                }

                lock (_gate)
                {
                    while (!done(this, argument))
                    {
                        Monitor.Wait(_gate);
                    }
                }
            }
        }

        private void Drain(int worker)
        {
            IShardWork work = _work!;
            int shard;
            while ((shard = Interlocked.Increment(ref _nextShard) - 1) < _shardCount)
            {
                try
                {
                    work.Run(shard, worker);
                }
                catch (Exception exception)
                {
                    Interlocked.CompareExchange(ref _failure, ExceptionDispatchInfo.Capture(exception), null);
                }
            }
        }
    }
}
