// caseroom-replay (tools/replay) as a process in the integration tests: a
// state folder with a recording key, running the tool, and a real clinic
// database with its audit chain (test_replay_export.cpp, test_replay_video.cpp).
// Needs CASEROOM_REPLAY_EXE.
#pragma once
#include <pwd.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "integration/process.h"
#include "net/secure/crypto.h"
#include "record/recording.h"
#include "session/audit_log.h"
#include "session/db_audit.h"
#include "store/database.h"
#include "store/records.h"
#include "temp_dir.h"

namespace caseroom::testing::replay_tool {

struct Ran {
    int rc = -1;
    std::string out;  // stdout and stderr together
};

inline Ran runReplay(const std::string& dir, std::vector<std::string> args) {
    static int runs = 0;
    args.insert(args.begin(), {CASEROOM_REPLAY_EXE, "--state-dir", dir});
    const std::string log = dir + "/replay-" + std::to_string(++runs) + ".log";
    const pid_t pid = caseroom::testing::spawnLogged(args, log);
    Ran r;
    r.rc = pid > 0 ? caseroom::testing::waitExit(pid, 300) : -1;
    r.out = caseroom::testing::slurp(log);
    return r;
}

// A temporary state folder with its recording key; `rec` names the recording in it.
struct Fixture {
    caseroom::testing::TempDir tmp;
    std::string dir, rec;
    record::Key key{};
    Fixture() : dir(tmp.path.string()), rec(dir + "/session.caseroom-rec") {
        REQUIRE(net::secure::initCrypto());
        auto k = record::loadRecordingKey(dir + "/recording.key", true);
        REQUIRE(k.ok());
        key = *k;
    }
};

inline session::AuditKey auditKeyFor(const std::string& dbPath) {
    bool created = false;
    std::uint8_t counter = 11;
    auto key = session::loadOrCreateAuditKey(
        session::defaultAuditKeyPath(dbPath), [&counter](std::span<std::uint8_t> out) {
            for (auto& b : out) b = counter++;
        },
        created);
    REQUIRE(key.ok());
    return *key;
}

// A clinic database with program "hcv" and one session; returns the session's id.
inline std::int64_t makeClinic(const std::string& dbPath) {
    auto db = store::Database::open({.path = dbPath});
    REQUIRE(db.ok());
    store::Records r(**db);
    session::installEditAudit(r, auditKeyFor(dbPath));
    store::Actor by;
    by.via = "test";
    store::Program p;
    p.code = "hcv";
    p.name = "Hepatitis C ECHO";
    auto pid = r.createProgram(p, by, 1764670000);
    REQUIRE(pid.ok());
    store::Session s;
    s.programId = *pid;
    s.title = "Week 3: retreatment";
    s.startUtc = 1764676800;
    s.endUtc = s.startUtc + 3600;
    s.room = "hcv";
    auto sid = r.createSession(s, by, 1764670000);
    REQUIRE(sid.ok());
    return *sid;
}

inline std::vector<store::AuditRow> auditRows(const std::string& dbPath) {
    auto db = store::Database::open({.path = dbPath, .create = false});
    REQUIRE(db.ok());
    store::Records r(**db);
    auto rows = r.auditRows(1, 100000);
    REQUIRE(rows.ok());
    return *rows;
}

inline std::string osUser() {
    const passwd* pw = ::getpwuid(::geteuid());
    return pw ? pw->pw_name : "";
}

} // namespace caseroom::testing::replay_tool
