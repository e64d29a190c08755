// caseroom-bench-store: committed clinic records per second and commit
// latency on a real SQLite file (WAL, synchronous=FULL: every commit waits
// for fsync), three ways:
//  (a) one record per transaction, on the calling thread (what a naive
//      server would do in its tick: one fsync per record);
//  (b) store::Writer group commit under the server's load: a 30 Hz tick
//      posting 200 attendance records per second, plus a burst of 600 (a
//      room joining at once) every 2 s; latency is post -> reply seen by the
//      owner (replies polled every 0.5 ms, so it is the commit's latency,
//      not the tick's);
//  (c) store::Writer flat out: 20000 records posted at once, then flush().
// Each scenario runs --runs times on a fresh file in --dir (default: a new
// folder under /tmp; the disk under it is what is measured). Results go to
// BENCHMARKS.md ("Clinic records (SQLite)"); this is a benchmark, not a test.
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "core/percentile.h"
#include "store/database.h"
#include "store/records.h"
#include "store/writer.h"

using namespace caseroom;
using namespace caseroom::store;
using Clock = std::chrono::steady_clock;

namespace {

double ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

struct Options {
    std::string dir;
    int runs = 3;
    int single = 400;          // records in (a)
    double seconds = 6.0;      // length of (b)
    int steadyPerSecond = 200; // (b)
    int burst = 600;           // (b), every 2 s
    int flat = 20000;          // (c)
};

struct Setup {
    std::unique_ptr<Database> db;
    std::int64_t sessionId = 0;
};

[[noreturn]] void die(const std::string& what) {
    std::fprintf(stderr, "caseroom-bench-store: %s\n", what.c_str());
    std::exit(1);
}

// A fresh database with one program and one session.
Setup fresh(const std::string& path) {
    std::error_code ec;
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix, ec);
    auto db = Database::open({.path = path});
    if (!db) die(db.error().message);
    Records r(**db);
    Program p;
    p.code = "bench";
    p.name = "Benchmark ECHO";
    auto prog = r.createProgram(p, Actor{}, 1);
    if (!prog) die(prog.error().message);
    Session s;
    s.programId = *prog;
    s.title = "bench";
    s.startUtc = 1000;
    s.endUtc = 4600;
    auto sess = r.createSession(s, Actor{}, 1);
    if (!sess) die(sess.error().message);
    return {std::move(*db), *sess};
}

core::Status writeOne(Database& db, std::int64_t sessionId, std::int64_t t) {
    Records r(db);
    AttendanceInterval a;
    a.sessionId = sessionId;
    a.displayName = "Nguyễn Thị Lan";
    a.joinedAt = t;
    auto id = r.openInterval(a);
    if (!id) return id.error();
    return {};
}

struct Run {
    double recordsPerSecond = 0;
    std::vector<double> latencyMs;       // every record
    std::vector<double> steadyMs;        // (b): the tick's steady records only
    std::vector<double> burstMs;         // (b): the bursts' records only
    double jobsPerBatch = 0;
};

// (a) one record, one transaction, one fsync.
Run single(const Options& o, const std::string& path) {
    Setup s = fresh(path);
    Run run;
    const auto t0 = Clock::now();
    for (int i = 0; i < o.single; ++i) {
        const auto a = Clock::now();
        Transaction tx(*s.db);
        if (!tx.begun().ok()) die(tx.begun().error().message);
        if (auto st = writeOne(*s.db, s.sessionId, i); !st.ok()) die(st.error().message);
        if (auto st = tx.commit(); !st.ok()) die(st.error().message);
        run.latencyMs.push_back(ms(Clock::now() - a));
    }
    run.recordsPerSecond = o.single / (ms(Clock::now() - t0) / 1000.0);
    run.jobsPerBatch = 1;
    return run;
}

// (b) the server's tick posting a steady load with bursts; (c) flat out.
Run grouped(const Options& o, const std::string& path, bool flatOut) {
    Setup s = fresh(path);
    const std::int64_t sessionId = s.sessionId;
    s.db.reset();
    OpenDesc d;
    d.path = path;
    auto w = Writer::start(d);
    if (!w) die(w.error().message);
    Writer& writer = **w;
    Run run;
    std::uint64_t posted = 0, failed = 0;
    auto post = [&](std::int64_t t, bool burst = false) {
        const auto at = Clock::now();
        writer.post([sessionId, t](Database& db) { return writeOne(db, sessionId, t); },
                    [&run, &failed, at, burst](const core::Status& st) {
                        if (!st.ok()) ++failed;
                        const double l = ms(Clock::now() - at);
                        run.latencyMs.push_back(l);
                        (burst ? run.burstMs : run.steadyMs).push_back(l);
                    });
        ++posted;
    };
    const auto t0 = Clock::now();
    if (flatOut) {
        for (int i = 0; i < o.flat; ++i) post(i);
        while (run.latencyMs.size() < posted) {
            writer.drainReplies();
            std::this_thread::sleep_for(std::chrono::microseconds(500));
        }
    } else {
        constexpr double kTick = 1.0 / 30.0;
        const int ticks = static_cast<int>(o.seconds * 30.0);
        double owed = 0;
        for (int tick = 0; tick < ticks; ++tick) {
            owed += o.steadyPerSecond * kTick;
            while (owed >= 1.0) {
                post(tick);
                owed -= 1.0;
            }
            if (tick % 60 == 30)
                for (int i = 0; i < o.burst; ++i) post(tick, true);
            const auto next = t0 + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>((tick + 1) * kTick));
            while (Clock::now() < next) {
                writer.drainReplies();
                std::this_thread::sleep_for(std::chrono::microseconds(500));
            }
        }
        writer.flush();
        writer.drainReplies();
    }
    const double seconds = ms(Clock::now() - t0) / 1000.0;
    if (failed) die(std::to_string(failed) + " jobs failed");
    const WriterStats st = writer.stats();
    run.recordsPerSecond = static_cast<double>(posted) / seconds;
    run.jobsPerBatch = st.batches ? static_cast<double>(st.jobs) / static_cast<double>(st.batches) : 0;
    return run;
}

enum class Pick : std::uint8_t { All, Steady, Burst };

void report(const char* name, const std::vector<Run>& runs, Pick pick = Pick::All) {
    std::vector<double> rate, lat, batch;
    for (const auto& r : runs) {
        rate.push_back(r.recordsPerSecond);
        batch.push_back(r.jobsPerBatch);
        const auto& from = pick == Pick::Steady ? r.steadyMs : pick == Pick::Burst ? r.burstMs : r.latencyMs;
        lat.insert(lat.end(), from.begin(), from.end());
    }
    using core::percentile;
    std::printf("| %s | %.0f (%.0f-%.0f) | %.2f | %.2f | %.2f | %.2f | %.1f | %zu |\n", name, percentile(rate, 0.5),
                percentile(rate, 0.0), percentile(rate, 1.0), percentile(lat, 0.5), percentile(lat, 0.1), percentile(lat, 0.9),
                percentile(lat, 1.0), percentile(batch, 0.5), lat.size());
}

} // namespace

int main(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto next = [&]() -> const char* {
            if (i + 1 >= argc) die("missing value after " + a);
            return argv[++i];
        };
        if (a == "--dir") o.dir = next();
        else if (a == "--runs") o.runs = std::atoi(next());
        else if (a == "--single") o.single = std::atoi(next());
        else if (a == "--seconds") o.seconds = std::atof(next());
        else if (a == "--rate") o.steadyPerSecond = std::atoi(next());
        else if (a == "--burst") o.burst = std::atoi(next());
        else if (a == "--flat") o.flat = std::atoi(next());
        else if (a == "--help" || a == "-h") {
            std::printf("usage: caseroom-bench-store [--dir DIR] [--runs N] [--single N] [--seconds S] [--rate N] [--burst N] [--flat N]\n");
            return 0;
        } else die("unknown option " + a + " (see --help)");
    }
    if (o.runs < 1 || o.single < 1 || o.flat < 1 || o.seconds <= 0) die("counts and durations must be positive");
    bool madeDir = false;
    if (o.dir.empty()) {
        char name[] = "/tmp/caseroom-bench-store-XXXXXX";
        if (!::mkdtemp(name)) die("cannot make a folder under /tmp");
        o.dir = name;
        madeDir = true;
    }
    const std::string path = (std::filesystem::path(o.dir) / "bench.db").string();

    std::vector<Run> a, b, c;
    for (int i = 0; i < o.runs; ++i) {
        a.push_back(single(o, path));
        b.push_back(grouped(o, path, false));
        c.push_back(grouped(o, path, true));
    }
    std::printf("database %s (WAL, synchronous=FULL), %d runs each\n", path.c_str(), o.runs);
    std::printf("| scenario | committed records/s, median (min-max) of runs | latency median ms | p10 | p90 | max | records per commit (median) | samples |\n");
    std::printf("|---|---:|---:|---:|---:|---:|---:|---:|\n");
    report("(a) one record per transaction", a);
    char name[160];
    std::snprintf(name, sizeof name, "(b) Writer, 30 Hz tick: %d/s + bursts of %d every 2 s, %.0f s", o.steadyPerSecond, o.burst, o.seconds);
    report(name, b);
    report("(b) latency of the steady records only", b, Pick::Steady);
    report("(b) latency of the burst records only", b, Pick::Burst);
    std::snprintf(name, sizeof name, "(c) Writer flat out: %d posted at once", o.flat);
    report(name, c);
    std::printf("(latency: (a) one transaction; (b), (c) post -> reply seen by the owner after the commit)\n");
    if (madeDir) {
        std::error_code ec;
        std::filesystem::remove_all(o.dir, ec);
    }
    return 0;
}
