// The crash test's child (test_store_crash.cpp): opens DB through a Writer
// and records attendance intervals in a loop, printing "ack ID" on stdout
// only from a job's reply, i.e. after the batch that wrote it committed. The
// parent kills it with SIGKILL at some moment and checks that every
// acknowledged row is in the file.
#include <chrono>
#include <cstdio>
#include <memory>
#include <thread>

#include "store/database.h"
#include "store/records.h"
#include "store/writer.h"

using namespace caseroom;
using namespace caseroom::store;

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: store_crash_child DB\n");
        return 2;
    }
    std::int64_t sessionId = 0;
    {
        auto db = Database::open({.path = argv[1], .create = true, .busyTimeoutMs = 5000, .migrate = true, .readOnly = false});
        if (!db) {
            std::fprintf(stderr, "store_crash_child: %s\n", db.error().message.c_str());
            return 1;
        }
        Records r(**db);
        auto prog = r.programByCode("crash");
        std::int64_t programId = prog ? prog->id : 0;
        if (!prog) {
            Program p;
            p.code = "crash";
            p.name = "Crash test";
            auto id = r.createProgram(p, Actor{}, 1);
            if (!id) return std::fprintf(stderr, "store_crash_child: %s\n", id.error().message.c_str()), 1;
            programId = *id;
        }
        Session s;
        s.programId = programId;
        s.title = "run";
        s.startUtc = 1000;
        s.endUtc = 4600;
        auto sess = r.createSession(s, Actor{}, 1);
        if (!sess) return std::fprintf(stderr, "store_crash_child: %s\n", sess.error().message.c_str()), 1;
        sessionId = *sess;
    }
    OpenDesc d;
    d.path = argv[1];
    auto writer = Writer::start(d);
    if (!writer) return std::fprintf(stderr, "store_crash_child: %s\n", writer.error().message.c_str()), 1;
    Writer& w = **writer;
    std::uint64_t posted = 0, acked = 0;
    for (std::int64_t t = 1000;; ++t) {
        for (int i = 0; i < 8; ++i) {
            auto id = std::make_shared<std::int64_t>(0);
            w.post(
                [id, sessionId, t](Database& db) -> core::Status {
                    Records r(db);
                    AttendanceInterval a;
                    a.sessionId = sessionId;
                    a.displayName = "Nguyễn Thị Lan";
                    a.joinedAt = t;
                    auto got = r.openInterval(a);
                    if (!got) return got.error();
                    *id = *got;
                    return r.heartbeat(sessionId, t);
                },
                [id, &acked](const core::Status& s) {
                    if (!s.ok()) {
                        std::fprintf(stderr, "store_crash_child: %s\n", s.error().message.c_str());
                        return;
                    }
                    std::printf("ack %lld\n", static_cast<long long>(*id));
                    std::fflush(stdout);
                    ++acked;
                });
            ++posted;
        }
        w.drainReplies();
        // Keep the queue short, like a server tick would.
        while (posted - acked > 400) {
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
            w.drainReplies();
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
}
