// The server's way to the database without blocking a room tick: a worker
// thread that owns its own connection. The tick posts jobs (a closure over a
// Database&); the worker runs every job it finds waiting inside one
// transaction (group commit: one fsync for many records) and, for jobs that
// answer, queues the answer for the posting thread to collect with
// drainReplies(). Posting locks a mutex for a queue push and never touches
// the disk.
//
// Durability: a job's effects are committed when its batch commits; commit()
// callbacks (replies) run after that, so an answer never reports a write
// that a crash could lose. A failed batch is retried job by job, so one bad
// job does not lose the others; its error reaches its reply and the log.
// A batch that cannot begin (the write lock not free within the busy
// timeout) fails every job in it with that reason, once. Replies not
// drained when the Writer is destroyed are dropped (their jobs committed).
// Thread rule: post/drainReplies from one owner thread; jobs run on the worker.
#pragma once
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/result.h"
#include "store/database.h"

namespace caseroom::store {

struct WriterStats {
    std::uint64_t jobs = 0;           // run
    std::uint64_t batches = 0;        // transactions committed
    std::uint64_t failed = 0;         // jobs whose transaction failed
    std::uint64_t queuedMax = 0;      // the deepest the queue has been
    double lastCommitMs = 0;          // wall time of the last commit (fsync included)
    std::uint64_t busyRetries = 0;    // batches put back because another process held the write lock
};

class Writer {
public:
    // Tries at the write lock for one batch, each waiting the busy timeout
    // (OpenDesc::busyTimeoutMs, 5 s by default: about a minute in all).
    static constexpr int kBusyAttempts = 12;
    // A job runs inside the batch's transaction. Its Status decides only its
    // own fate: a failed job is rolled back alone (savepoint) and reported.
    // A job nests with WriteScope (Records does); it never runs BEGIN,
    // COMMIT or ROLLBACK itself (a Transaction inside a job fails to begin).
    using Job = std::function<core::Status(Database&)>;
    // Runs on the owner thread (drainReplies) after the job's batch committed
    // (ok) or failed (the error).
    using Reply = std::function<void(const core::Status&)>;

    // Opens its own connection to `desc.path` on the worker thread's behalf
    // (the open happens here, so errors are reported to the caller).
    [[nodiscard]] static core::Result<std::unique_ptr<Writer>> start(const OpenDesc& desc);
    ~Writer();   // runs every queued job, commits, joins the thread
    Writer(const Writer&) = delete;
    Writer& operator=(const Writer&) = delete;

    void post(Job job, Reply reply = {});
    // Runs the replies of committed batches on the calling thread; returns how many.
    std::size_t drainReplies();
    // Blocks until every job posted so far is committed (tests, shutdown, benchmarks).
    void flush();
    [[nodiscard]] WriterStats stats() const;

private:
    Writer() = default;
    void run();
    struct Item { Job job; Reply reply; };
    std::unique_ptr<Database> db_;
    mutable std::mutex mutex_;
    std::condition_variable wake_, idle_;
    std::deque<Item> queue_;
    std::vector<std::pair<Reply, core::Status>> replies_;
    std::uint64_t posted_ = 0, done_ = 0;
    bool stopping_ = false;
    int busyAttempts_ = 0;            // the current batch's tries at the write lock (worker thread only)
    WriterStats stats_;
    std::thread thread_;
};

} // namespace caseroom::store
