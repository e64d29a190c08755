// The server's writer thread (writer.h): group commit, a savepoint per job,
// replies only after the commit that made a job durable.
#include "store/writer.h"

#include <chrono>
#include <exception>
#include <utility>

#include <sqlite3.h>
#include <thread>

#include "core/log.h"

namespace caseroom::store {

namespace {

constexpr const char* kJobSavepoint = "caseroom_job";

// Runs one job, turning an escaped exception into an error (a job is a
// closure from elsewhere in the server: it must not take the thread down).
core::Status runJob(const Writer::Job& job, Database& db) {
    try {
        return job(db);
    } catch (const std::exception& e) {
        return core::Error{std::string("store writer: a job threw: ") + e.what()};
    } catch (...) {
        return core::Error{"store writer: a job threw"};
    }
}

// One job inside the open transaction, in its own savepoint: a failure
// rolls back this job's changes only.
core::Status runInSavepoint(const Writer::Job& job, Database& db) {
    if (auto s = db.exec(std::string("SAVEPOINT ") + kJobSavepoint); !s.ok()) return s;
    core::Status st = runJob(job, db);
    if (st.ok() && db.inTransaction()) {
        if (auto s = db.exec(std::string("RELEASE ") + kJobSavepoint); !s.ok()) st = s;
        else return st;
    }
    if (!db.inTransaction()) {
        // The job ended the batch's transaction itself (COMMIT/ROLLBACK in a
        // job is a programming error); report it and let the batch fail.
        return st.ok() ? core::Status(core::Error{"store writer: a job ended the batch transaction"}) : st;
    }
    (void)db.exec(std::string("ROLLBACK TO ") + kJobSavepoint + "; RELEASE " + kJobSavepoint);
    return st;
}

} // namespace

core::Result<std::unique_ptr<Writer>> Writer::start(const OpenDesc& desc) {
    if (desc.readOnly) return core::Error{desc.path + ": the writer needs a read-write database"};
    auto db = Database::open(desc);
    if (!db) return db.error();
    std::unique_ptr<Writer> w(new Writer());
    w->db_ = std::move(*db);
    w->thread_ = std::thread([raw = w.get()] { raw->run(); });
    return w;
}

Writer::~Writer() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
    // Replies of the last batches that nobody drained are dropped: the owner
    // is going away, and what they answer is committed.
}

void Writer::post(Job job, Reply reply) {
    {
        std::lock_guard lock(mutex_);
        queue_.push_back(Item{std::move(job), std::move(reply)});
        ++posted_;
        if (queue_.size() > stats_.queuedMax) stats_.queuedMax = queue_.size();
    }
    wake_.notify_one();
}

std::size_t Writer::drainReplies() {
    std::vector<std::pair<Reply, core::Status>> ready;
    {
        std::lock_guard lock(mutex_);
        ready.swap(replies_);
    }
    for (auto& [reply, status] : ready) reply(status);
    return ready.size();
}

void Writer::flush() {
    std::unique_lock lock(mutex_);
    const std::uint64_t target = posted_;
    idle_.wait(lock, [&] { return done_ >= target; });
}

WriterStats Writer::stats() const {
    std::lock_guard lock(mutex_);
    return stats_;
}

void Writer::run() {
    Database& db = *db_;
    for (;;) {
        std::deque<Item> batch;
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
            if (queue_.empty()) return;   // stopping, and everything posted is done
            batch.swap(queue_);
        }

        std::vector<core::Status> results(batch.size());
        std::uint64_t committed = 0;
        double commitMs = -1.0;
        bool batchOk = false, beginFailed = false;
        {
            Transaction tx(db);
            if (tx.begun().ok()) {
                for (std::size_t i = 0; i < batch.size(); ++i) {
                    results[i] = runInSavepoint(batch[i].job, db);
                    if (!db.inTransaction()) break;
                }
                if (db.inTransaction()) {
                    const auto t0 = std::chrono::steady_clock::now();
                    const core::Status c = tx.commit();
                    commitMs = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
                    batchOk = c.ok();
                    if (!c.ok()) CR_LOG_WARN("store writer: a batch of %zu jobs did not commit (%s); retrying them one by one",
                                             batch.size(), c.error().message.c_str());
                }
            } else {
                // No write lock within the busy timeout: another process
                // (caseroom-admin in a long command) holds it. Nothing ran;
                // the batch goes back to the front of the queue and is tried
                // again, up to kBusyAttempts times in all, so a coordinator's
                // bulk command never costs the server its audit or attendance
                // rows. Any other failure to begin (no disk), or busy past the
                // last attempt, fails each job with the reason.
                const int code = sqlite3_errcode(db.handle()) & 0xff;
                if ((code == SQLITE_BUSY || code == SQLITE_LOCKED) && ++busyAttempts_ < kBusyAttempts) {
                    CR_LOG_WARN("store writer: the database is locked by another writer; %zu jobs wait (attempt %d of %d)",
                                batch.size(), busyAttempts_ + 1, kBusyAttempts);
                    std::lock_guard lock(mutex_);
                    for (auto it = batch.rbegin(); it != batch.rend(); ++it) queue_.push_front(std::move(*it));
                    ++stats_.busyRetries;
                    continue;
                }
                beginFailed = true;
                for (auto& r : results) r = tx.begun();
                CR_LOG_WARN("store writer: %s; %zu jobs not written", tx.begun().error().message.c_str(), batch.size());
            }
        }
        busyAttempts_ = 0;
        if (batchOk) {
            committed = 1;
        } else if (!beginFailed) {
            // The batch as a whole failed (busy past the timeout, disk full,
            // a job that broke the transaction): each job again on its own.
            for (std::size_t i = 0; i < batch.size(); ++i) {
                WriteScope one(db);
                if (!one.begun().ok()) {
                    results[i] = one.begun();
                    continue;
                }
                results[i] = runJob(batch[i].job, db);
                if (results[i].ok()) {
                    results[i] = one.commit();
                    if (results[i].ok()) ++committed;
                }
            }
        }

        std::uint64_t failed = 0;
        for (const auto& r : results)
            if (!r.ok()) {
                ++failed;
                if (!beginFailed) CR_LOG_WARN("store writer: a job failed: %s", r.error().message.c_str());
            }
        {
            std::lock_guard lock(mutex_);
            for (std::size_t i = 0; i < batch.size(); ++i)
                if (batch[i].reply) replies_.emplace_back(std::move(batch[i].reply), std::move(results[i]));
            stats_.jobs += batch.size();
            stats_.batches += committed;
            stats_.failed += failed;
            if (commitMs >= 0) stats_.lastCommitMs = commitMs;
            done_ += batch.size();
        }
        idle_.notify_all();
    }
}

} // namespace caseroom::store
