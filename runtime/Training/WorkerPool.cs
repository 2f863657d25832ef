using System;
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
    internal sealed class WorkerPool : IDisposable
    {
        private readonly Thread[] _threads;
        private readonly Barrier? _barrier;
        private IShardWork? _work;
        private int _shardCount;
        private int _nextShard;
        private bool _stopping;
        private ExceptionDispatchInfo? _failure;

        /// <summary>Starts <paramref name="workers"/> - 1 threads; the caller of <see cref="Run"/> is worker 0.</summary>
        public WorkerPool(int workers)
        {
            Workers = workers;
            _threads = new Thread[workers - 1];
            if (_threads.Length == 0)
            {
                return;
            }

            _barrier = new Barrier(workers);
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
            if (_barrier is null || shardCount == 1)
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
            _barrier.SignalAndWait(); // The workers start (the barrier is a full fence).
            Drain(0);
            _barrier.SignalAndWait(); // Every shard is done.
            _work = null;
            _failure?.Throw();
        }

        /// <summary>Stops the threads.</summary>
        public void Dispose()
        {
            if (_barrier is null || _stopping)
            {
                return;
            }

            _stopping = true;
            _barrier.SignalAndWait();
            foreach (Thread thread in _threads)
            {
                thread.Join();
            }

            _barrier.Dispose();
        }

        private void WorkerLoop(object? index)
        {
            int worker = (int)index!;
            while (true)
            {
                _barrier!.SignalAndWait();
                if (_stopping)
                {
                    return;
                }

                Drain(worker);
                _barrier.SignalAndWait();
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
