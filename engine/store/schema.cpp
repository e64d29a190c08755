// Schema migrations (schema.h). Steps are appended only: a released step's
// SQL never changes, because databases in the field were made by it. The
// tables are described in docs/RECORDS.md.
#include "store/schema.h"

#include <array>
#include <string>

#include "store/database.h"

namespace caseroom::store {

namespace {

// v1: the programme side: programs, series and sessions, people and the
// roster, invitations, and the append-only audit trail.
constexpr std::string_view kV1 = R"sql(
CREATE TABLE programs (
    id                      INTEGER PRIMARY KEY,
    code                    TEXT NOT NULL UNIQUE CHECK (length(code) BETWEEN 1 AND 32),
    name                    TEXT NOT NULL,
    time_zone               TEXT NOT NULL DEFAULT 'UTC',
    form_template           TEXT NOT NULL DEFAULT '',
    cme_threshold           REAL NOT NULL DEFAULT 0.75,
    credit_type             TEXT NOT NULL DEFAULT '',
    credit_per_hour         REAL NOT NULL DEFAULT 1.0,
    credit_rounding         TEXT NOT NULL DEFAULT 'quarter-down',
    accreditation           TEXT NOT NULL DEFAULT '',
    attestation             TEXT NOT NULL DEFAULT '',
    liability               TEXT NOT NULL DEFAULT '',
    lobby_minutes           INTEGER NOT NULL DEFAULT 15,
    overrun_minutes         INTEGER NOT NULL DEFAULT 30,
    reconnect_grace_seconds INTEGER NOT NULL DEFAULT 120,
    created_at              INTEGER NOT NULL,
    updated_at              INTEGER NOT NULL
);
CREATE TABLE series (
    id               INTEGER PRIMARY KEY,
    program_id       INTEGER NOT NULL REFERENCES programs(id),
    title            TEXT NOT NULL,
    first_local_date TEXT NOT NULL,
    local_start      TEXT NOT NULL,
    duration_minutes INTEGER NOT NULL,
    weeks            INTEGER NOT NULL,
    created_at       INTEGER NOT NULL
);
CREATE TABLE sessions (
    id             INTEGER PRIMARY KEY,
    program_id     INTEGER NOT NULL REFERENCES programs(id),
    series_id      INTEGER REFERENCES series(id),
    title          TEXT NOT NULL,
    start_utc      INTEGER NOT NULL,
    end_utc        INTEGER NOT NULL,
    extended_until INTEGER NOT NULL DEFAULT 0,
    room           TEXT NOT NULL,
    status         TEXT NOT NULL DEFAULT 'scheduled',
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    CHECK (end_utc > start_utc)
);
CREATE INDEX sessions_room_start ON sessions(room, start_utc);
CREATE INDEX sessions_program ON sessions(program_id, start_utc);
CREATE TABLE people (
    id         INTEGER PRIMARY KEY,
    stable_id  TEXT NOT NULL UNIQUE CHECK (length(stable_id) > 0),
    name       TEXT NOT NULL,
    email      TEXT NOT NULL DEFAULT '',
    phone      TEXT NOT NULL DEFAULT '',
    profession TEXT NOT NULL DEFAULT '',
    credential TEXT NOT NULL DEFAULT '',
    site       TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE TABLE roster (
    program_id INTEGER NOT NULL REFERENCES programs(id),
    person_id  INTEGER NOT NULL REFERENCES people(id),
    role       TEXT NOT NULL,
    active     INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (program_id, person_id)
) WITHOUT ROWID;
CREATE TABLE invitations (
    id             INTEGER PRIMARY KEY,
    kind           TEXT NOT NULL,
    program_id     INTEGER NOT NULL REFERENCES programs(id),
    session_id     INTEGER REFERENCES sessions(id),
    person_id      INTEGER NOT NULL REFERENCES people(id),
    token_id       INTEGER NOT NULL UNIQUE,
    user_id        INTEGER NOT NULL,
    issued_at      INTEGER NOT NULL,
    valid_from     INTEGER NOT NULL,
    valid_until    INTEGER NOT NULL,
    revoked_at     INTEGER NOT NULL DEFAULT 0,
    revoked_reason TEXT NOT NULL DEFAULT ''
);
CREATE INDEX invitations_program ON invitations(program_id, session_id);
CREATE TABLE audit (
    seq  INTEGER PRIMARY KEY,
    time INTEGER NOT NULL,
    kind TEXT NOT NULL,
    text TEXT NOT NULL,
    mac  BLOB NOT NULL
);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only: rows cannot be changed'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only: rows cannot be deleted'); END;
)sql";

// v2: the clinic side: cases with their form fields, decks and PHI
// findings, attendance intervals and coordinators' adjustments.
constexpr std::string_view kV2 = R"sql(
CREATE TABLE cases (
    id               INTEGER PRIMARY KEY,
    program_id       INTEGER NOT NULL REFERENCES programs(id),
    presenter_id     INTEGER NOT NULL REFERENCES people(id),
    session_id       INTEGER REFERENCES sessions(id),
    status           TEXT NOT NULL DEFAULT 'draft',
    attested_at      INTEGER NOT NULL DEFAULT 0,
    phi_override     TEXT NOT NULL DEFAULT '',
    follow_up_date   TEXT NOT NULL DEFAULT '',
    original_case_id INTEGER REFERENCES cases(id),
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL
);
CREATE INDEX cases_program_status ON cases(program_id, status);
CREATE INDEX cases_presenter ON cases(presenter_id);
CREATE INDEX cases_session ON cases(session_id);
CREATE TABLE case_fields (
    case_id INTEGER NOT NULL REFERENCES cases(id),
    ord     INTEGER NOT NULL,
    name    TEXT NOT NULL,
    value   TEXT NOT NULL,
    PRIMARY KEY (case_id, ord)
) WITHOUT ROWID;
CREATE TABLE case_decks (
    case_id       INTEGER NOT NULL REFERENCES cases(id),
    ord           INTEGER NOT NULL,
    manifest_hash TEXT NOT NULL,
    PRIMARY KEY (case_id, ord)
) WITHOUT ROWID;
CREATE TABLE case_findings (
    case_id    INTEGER NOT NULL REFERENCES cases(id),
    ord        INTEGER NOT NULL,
    field      TEXT NOT NULL,
    begin_byte INTEGER NOT NULL,
    end_byte   INTEGER NOT NULL,
    kind       TEXT NOT NULL,
    PRIMARY KEY (case_id, ord)
) WITHOUT ROWID;
CREATE TABLE attendance (
    id           INTEGER PRIMARY KEY,
    session_id   INTEGER NOT NULL REFERENCES sessions(id),
    person_id    INTEGER REFERENCES people(id),
    user_id      INTEGER NOT NULL,
    display_name TEXT NOT NULL,
    role         TEXT NOT NULL,
    kind         TEXT NOT NULL,
    joined_at    INTEGER NOT NULL,
    left_at      INTEGER NOT NULL DEFAULT 0,
    last_seen    INTEGER NOT NULL DEFAULT 0,
    interrupted  INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX attendance_session ON attendance(session_id, person_id);
CREATE INDEX attendance_open ON attendance(session_id) WHERE left_at = 0;
CREATE TABLE attendance_adjustments (
    id           INTEGER PRIMARY KEY,
    session_id   INTEGER NOT NULL REFERENCES sessions(id),
    person_id    INTEGER NOT NULL REFERENCES people(id),
    minutes_old  INTEGER NOT NULL,
    minutes_new  INTEGER NOT NULL,
    reason       TEXT NOT NULL CHECK (length(reason) > 0),
    by_person_id INTEGER,
    by_os_user   TEXT NOT NULL DEFAULT '',
    at           INTEGER NOT NULL
);
CREATE INDEX adjustments_session ON attendance_adjustments(session_id, person_id);
)sql";

// v3: the teaching round: the board's recommendations and the room's chat
// and questions kept with the session, the program's confidentiality
// statement (liability is in v1), faculty financial disclosures, and a
// session's facilitator, co-facilitator and didactic title.
constexpr std::string_view kV3 = R"sql(
ALTER TABLE programs ADD COLUMN confidentiality TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN facilitator_id INTEGER REFERENCES people(id) DEFAULT NULL;
ALTER TABLE sessions ADD COLUMN co_facilitator_id INTEGER REFERENCES people(id) DEFAULT NULL;
ALTER TABLE sessions ADD COLUMN didactic TEXT NOT NULL DEFAULT '';
CREATE TABLE recommendations (
    id               INTEGER PRIMARY KEY,
    session_id       INTEGER NOT NULL REFERENCES sessions(id),
    case_id          INTEGER NOT NULL REFERENCES cases(id),
    entry_id         INTEGER NOT NULL,
    author_user_id   INTEGER NOT NULL,
    author_person_id INTEGER REFERENCES people(id),
    author_name      TEXT NOT NULL,
    author_role      TEXT NOT NULL,
    text             TEXT NOT NULL,
    consensus        INTEGER NOT NULL DEFAULT 0,
    created_at       INTEGER NOT NULL,
    edited_at        INTEGER NOT NULL DEFAULT 0,
    withdrawn_at     INTEGER NOT NULL DEFAULT 0,
    edits            INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX recommendations_session ON recommendations(session_id, case_id);
CREATE INDEX recommendations_entry ON recommendations(session_id, entry_id);
CREATE TABLE chat_lines (
    id               INTEGER PRIMARY KEY,
    session_id       INTEGER NOT NULL REFERENCES sessions(id),
    seq              INTEGER NOT NULL,
    kind             TEXT NOT NULL CHECK (kind IN ('chat', 'question')),
    author_user_id   INTEGER NOT NULL,
    author_person_id INTEGER REFERENCES people(id),
    author_name      TEXT NOT NULL,
    author_role      TEXT NOT NULL,
    text             TEXT NOT NULL,
    created_at       INTEGER NOT NULL,
    answered_at      INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX chat_lines_session ON chat_lines(session_id, seq);
CREATE TABLE disclosures (
    id         INTEGER PRIMARY KEY,
    program_id INTEGER NOT NULL REFERENCES programs(id),
    session_id INTEGER REFERENCES sessions(id),
    person_id  INTEGER NOT NULL REFERENCES people(id),
    text       TEXT NOT NULL CHECK (length(text) > 0),
    created_at INTEGER NOT NULL
);
CREATE INDEX disclosures_program ON disclosures(program_id, session_id);
)sql";

// v4 (RECORDING, issue 12): the program's recording policy (docs/RECORDING.md).
constexpr const char* kV4 = R"sql(
ALTER TABLE programs ADD COLUMN recording_policy TEXT NOT NULL DEFAULT 'didactic'
    CHECK (recording_policy IN ('never', 'didactic', 'whole'));
)sql";

// v5 (issue 13): whether the program's recordings keep cameras (faces
// identify people: off unless the program says so; docs/RECORDING.md).
constexpr const char* kV5 = R"sql(
ALTER TABLE programs ADD COLUMN record_cameras INTEGER NOT NULL DEFAULT 0 CHECK (record_cameras IN (0, 1));
)sql";

constexpr std::array<Migration, 5> kMigrations{{
    {1, "programs, series, sessions, people, roster, invitations, audit (append-only)", kV1},
    {2, "cases (fields, decks, PHI findings), attendance, attendance adjustments", kV2},
    {3, "recommendations, chat lines, disclosures; program confidentiality; session facilitators and didactic", kV3},
    {4, "program recording policy", kV4},
    {5, "program records cameras", kV5},
}};

} // namespace

std::span<const Migration> migrations() { return kMigrations; }
int currentSchemaVersion() { return kMigrations.back().version; }

core::Status migrate(Database& db, int target) {
    const int newest = currentSchemaVersion();
    if (target < 0) target = newest;
    if (target > newest)
        return core::Error{db.path() + ": cannot migrate to schema version " + std::to_string(target) +
                           ", this build knows up to " + std::to_string(newest)};
    const int have = db.schemaVersion();
    if (have < 0) return core::Error{db.path() + ": cannot read the schema version"};
    if (have > newest)
        return core::Error{db.path() + ": schema version " + std::to_string(have) + " is newer than this build's " +
                           std::to_string(newest) + "; it is left untouched (use a newer CaseRoom)"};
    for (const Migration& m : kMigrations) {
        if (m.version <= have || m.version > target) continue;
        // One transaction per step; user_version moves with the step's
        // tables, so a crash leaves the previous version whole.
        Transaction tx(db);
        if (!tx.begun().ok()) return tx.begun();
        // Another process may have migrated while this one waited for the lock.
        const int now = db.schemaVersion();
        if (now >= m.version) continue;
        if (now != m.version - 1)
            return core::Error{db.path() + ": schema version " + std::to_string(now) + ", expected " +
                               std::to_string(m.version - 1) + " before step " + std::to_string(m.version)};
        if (auto s = db.exec(m.sql); !s.ok())
            return core::Error{db.path() + ": migration to version " + std::to_string(m.version) + " (" +
                               std::string(m.what) + ") failed: " + s.error().message};
        if (auto s = db.exec("PRAGMA user_version = " + std::to_string(m.version)); !s.ok()) return s;
        if (auto s = tx.commit(); !s.ok()) return s;
    }
    return {};
}

} // namespace caseroom::store
