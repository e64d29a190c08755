#include "core/worker_pool.h"

namespace caseroom::core {

namespace {
thread_local unsigned tIndex = 0;
} // namespace

WorkerPool::WorkerPool(unsigned threads) {
    const unsigned extra = threads > 1 ? threads - 1 : 0;
    workers_.reserve(extra);
    for (unsigned i = 0; i < extra; ++i) workers_.emplace_back([this, i] { workerMain(i + 1); });
}

WorkerPool::~WorkerPool() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    for (std::thread& t : workers_) t.join();
}

unsigned WorkerPool::threadIndex() { return tIndex; }

// Takes job indices until none are left; counts what it ran.
void WorkerPool::drain() {
    std::size_t ran = 0;
    for (;;) {
        const std::size_t i = next_.fetch_add(1, std::memory_order_relaxed);
        if (i >= count_) break;
        (*job_)(i);
        ++ran;
    }
    std::lock_guard lock(mutex_);
    finished_ += ran;
}

void WorkerPool::workerMain(unsigned index) {
    tIndex = index;
    std::uint64_t seen = 0;
    for (;;) {
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [&] { return stopping_ || generation_ != seen; });
            if (stopping_) return;
            seen = generation_;
        }
        drain();
        {
            std::lock_guard lock(mutex_);
            ++arrived_;
        }
        done_.notify_all();
    }
}

void WorkerPool::run(std::size_t count, const std::function<void(std::size_t)>& job) {
    if (count == 0) return;
    if (workers_.empty() || count == 1) {
        for (std::size_t i = 0; i < count; ++i) job(i);
        return;
    }
    {
        std::lock_guard lock(mutex_);
        job_ = &job;
        count_ = count;
        finished_ = 0;
        arrived_ = 0;
        next_.store(0, std::memory_order_relaxed);
        ++generation_;
    }
    wake_.notify_all();
    drain();
    std::unique_lock lock(mutex_);
    // Every job returned and every worker has been through this run's
    // drain(): none is left to read count_, job_ or next_ when the next run
    // sets them (a late waker would otherwise take the next run's indices).
    done_.wait(lock, [&] { return finished_ == count_ && arrived_ == workers_.size(); });
    job_ = nullptr;
}

} // namespace caseroom::core
