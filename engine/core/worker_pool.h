// A fixed pool of worker threads for fork-join work: run(count, job) calls
// job(i) once for every i in [0, count), spread over the workers and the
// calling thread, and returns when every call has returned. Jobs of one run
// must not touch each other's data; what they share they only read.
// A pool of 1 runs everything on the caller (no threads are made).
// Thread rule: run() is called from one thread at a time (the owner's);
// jobs must not call run() on the same pool.
#pragma once
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace caseroom::core {

class WorkerPool {
public:
    // `threads`: how many run jobs at once, the caller included (at least 1).
    explicit WorkerPool(unsigned threads);
    ~WorkerPool();
    WorkerPool(const WorkerPool&) = delete;
    WorkerPool& operator=(const WorkerPool&) = delete;

    void run(std::size_t count, const std::function<void(std::size_t)>& job);
    [[nodiscard]] unsigned threads() const { return static_cast<unsigned>(workers_.size()) + 1; }
    // The index of the thread running the current job: 0 the caller, 1.. the
    // workers; per-thread scratch is indexed by it. Valid only inside a job.
    [[nodiscard]] static unsigned threadIndex();

private:
    void workerMain(unsigned index);
    void drain();

    std::vector<std::thread> workers_;
    std::mutex mutex_;
    std::condition_variable wake_, done_;
    std::uint64_t generation_ = 0;          // bumped per run; workers wait for a new one
    bool stopping_ = false;
    const std::function<void(std::size_t)>* job_ = nullptr;
    std::size_t count_ = 0;
    std::atomic<std::size_t> next_{0};      // the next job index to take
    std::size_t finished_ = 0;              // jobs returned (under mutex_)
    std::size_t arrived_ = 0;               // workers done with this run's drain() (under mutex_)
};

} // namespace caseroom::core
