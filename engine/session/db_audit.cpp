// The audit trail in the clinic database (db_audit.h).
// [SECTION] row text  [SECTION] appending  [SECTION] verification  [SECTION] the sink
#include "session/db_audit.h"

#include <sodium.h>

#include <array>
#include <string_view>
#include <vector>

#include "core/log.h"

namespace caseroom::session {

// ---- [SECTION] row text --------------------------------------------------------

namespace {

// The extra fields, in this order, each only when present.
constexpr std::string_view kExtraFields[] = {"actor", "os_user", "old", "new"};
constexpr std::size_t kBaseFields = 12;   // seq .. outcome (auditLineText)

std::string rowText(const AuditRecord& r, std::uint64_t seq) {
    std::string s = auditLineText(r, seq);
    const std::string* values[] = {&r.actor, &r.osUser, &r.oldValue, &r.newValue};
    for (std::size_t i = 0; i < std::size(kExtraFields); ++i) {
        if (values[i]->empty()) continue;
        s += '\t';
        s += kExtraFields[i];
        s += '=';
        // Old and new values may be long: kept up to a quarter of the line
        // limit, escaped like every field; a longer one says it was cut.
        const std::string_view v = *values[i];
        s += auditEscape(v.substr(0, kAuditMaxLine / 4));
        if (v.size() > kAuditMaxLine / 4) s += " [cut: " + std::to_string(v.size()) + " bytes]";
    }
    return s;
}

std::string hex(const AuditMac& mac) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string s;
    for (std::uint8_t b : mac) {
        s += kDigits[b >> 4];
        s += kDigits[b & 15];
    }
    return s;
}

std::vector<std::string_view> splitTabs(std::string_view s) {
    std::vector<std::string_view> out;
    std::size_t at = 0;
    for (;;) {
        const std::size_t tab = s.find('\t', at);
        out.push_back(s.substr(at, tab == std::string_view::npos ? std::string_view::npos : tab - at));
        if (tab == std::string_view::npos) return out;
        at = tab + 1;
    }
}

// Parses a row's text back into the record it was made from; the error
// names the field.
core::Result<ParsedAuditLine> parseRowText(std::string_view text, const AuditMac& mac, std::string& scratch) {
    const auto fields = splitTabs(text);
    if (fields.size() < kBaseFields) return core::Error{"has " + std::to_string(fields.size()) + " fields, not an audit entry"};
    std::size_t baseEnd = 0;
    for (std::size_t i = 0; i < kBaseFields; ++i) baseEnd += fields[i].size() + (i ? 1 : 0);
    scratch.assign(text.substr(0, baseEnd));
    scratch += "\tmac=";
    scratch += hex(mac);
    auto parsed = parseAuditLine(scratch);
    if (!parsed) return parsed.error();
    std::size_t next = 0;
    std::string* values[] = {&parsed->record.actor, &parsed->record.osUser, &parsed->record.oldValue, &parsed->record.newValue};
    for (std::size_t i = kBaseFields; i < fields.size(); ++i) {
        const std::string_view f = fields[i];
        const std::size_t eq = f.find('=');
        if (eq == std::string_view::npos) return core::Error{"field " + std::to_string(i + 1) + " has no name"};
        const std::string_view name = f.substr(0, eq);
        while (next < std::size(kExtraFields) && kExtraFields[next] != name) ++next;
        if (next == std::size(kExtraFields)) return core::Error{"field '" + std::string(name) + "' is unknown or out of order"};
        const auto value = auditUnescape(f.substr(eq + 1));
        if (!value) return core::Error{"field '" + std::string(name) + "' has a bad escape"};
        *values[next++] = *value;
    }
    parsed->text = text;
    return parsed;
}

} // namespace

std::string auditValueDigest(const AuditKey& key, std::string_view value) {
    if (value.empty()) return {};
    // BLAKE2b-128 keyed with the audit key, personalised so it can never be
    // mistaken for a chain mac: equal values match for a holder of the key;
    // the text cannot be read back.
    static constexpr unsigned char kPersonal[crypto_generichash_blake2b_PERSONALBYTES] = {
        'c', 'a', 's', 'e', 'r', 'o', 'o', 'm', '-', 'v', 'a', 'l', 'u', 'e', '1', 0};
    std::array<std::uint8_t, 16> d{};
    crypto_generichash_blake2b_salt_personal(d.data(), d.size(), reinterpret_cast<const unsigned char*>(value.data()), value.size(),
                                             key.bytes.data(), key.bytes.size(), nullptr, kPersonal);
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string s = std::to_string(value.size()) + " bytes, blake2b ";
    for (std::uint8_t b : d) {
        s += kDigits[b >> 4];
        s += kDigits[b & 15];
    }
    return s;
}

namespace {

// "person 7 (stable id 1234567890)", "server", "person 7 via caseroom-admin".
std::string actorText(store::Database& db, const store::Actor& a) {
    std::string s;
    if (a.personId > 0) {
        s = "person " + std::to_string(a.personId);
        store::Records records(db);
        if (auto p = records.person(a.personId)) s += " (stable id " + p->stableId + ")";
    }
    if (!a.via.empty()) s += s.empty() ? a.via : " via " + a.via;
    return s;
}

} // namespace

// ---- [SECTION] appending ----------------------------------------------------------

core::Status appendChainedAudit(store::Database& db, const AuditKey& key, const AuditRecord& r) {
    if (sodium_init() < 0) return core::Error{"libsodium failed to initialise"};
    // Nests in the caller's transaction (the writer's batch) or opens its
    // own BEGIN IMMEDIATE: the last row is read under the write lock.
    store::WriteScope scope(db);
    if (!scope.begun()) return scope.begun();
    store::Records records(db);
    auto last = records.lastAudit();
    if (!last) return core::Error{"audit trail in " + db.path() + ": " + last.error().message};
    const std::uint64_t seq = *last ? static_cast<std::uint64_t>((*last)->seq) + 1 : 1;
    AuditMac prev = auditGenesis(key);
    if (*last) std::copy((*last)->mac.begin(), (*last)->mac.end(), prev.begin());
    store::AuditRow row;
    row.seq = static_cast<std::int64_t>(seq);
    row.time = static_cast<std::int64_t>(r.unixTime);
    row.kind = toString(r.kind);
    row.text = rowText(r, seq);
    const AuditMac mac = auditChain(key, prev, row.text);
    std::copy(mac.begin(), mac.end(), row.mac.begin());
    if (auto st = records.appendAudit(row); !st) return st;
    return scope.commit();
}

void installEditAudit(store::Records& records, const AuditKey& key) {
    records.setAuditHook([key](store::Database& db, const store::Records::Edit& e, const store::Actor& by, std::int64_t now) {
        AuditRecord r;
        r.kind = AuditKind::RecordEdit;
        r.unixTime = now > 0 ? static_cast<std::uint64_t>(now) : 0;
        r.what = e.what.empty() ? e.record : e.what + ": " + e.record;
        if (!e.field.empty()) r.what += " " + e.field;
        r.outcome = "done";
        r.actor = actorText(db, by);
        r.osUser = by.osUser;
        if (sodium_init() < 0) return core::Status(core::Error{"libsodium failed to initialise"});
        r.oldValue = e.sensitive ? auditValueDigest(key, e.oldValue) : e.oldValue;
        r.newValue = e.sensitive ? auditValueDigest(key, e.newValue) : e.newValue;
        return appendChainedAudit(db, key, r);
    });
}

// ---- [SECTION] verification ---------------------------------------------------------

// Row by row, as verifyAuditFd does line by line: after a bad row the walk
// resynchronises on its mac and sequence, so one edit is one problem.
core::Result<AuditVerifyReport> verifyAuditDb(store::Database& db, const AuditKey& key) {
    if (sodium_init() < 0) return core::Error{"libsodium failed to initialise"};
    store::Records records(db);
    AuditVerifyReport rep;
    const AuditMac genesis = auditGenesis(key);
    AuditMac prev = genesis;
    std::uint64_t expect = 1;
    std::string scratch;
    auto problem = [&](std::uint64_t n, std::string why) {
        ++rep.problemCount;
        rep.tailIntact = false;
        if (!rep.tailBreak) rep.tailBreak = AuditProblem{n, why};
        if (rep.problems.size() < kAuditMaxProblems) rep.problems.push_back(AuditProblem{n, std::move(why)});
    };
    constexpr std::int64_t kPage = 512;
    std::int64_t from = 1;
    for (;;) {
        auto rows = records.auditRows(from, kPage);
        if (!rows) return core::Error{"audit trail in " + db.path() + ": " + rows.error().message};
        for (const store::AuditRow& row : *rows) {
            const std::uint64_t n = ++rep.lines;
            const auto seq = static_cast<std::uint64_t>(row.seq);
            AuditMac mac{};
            std::copy(row.mac.begin(), row.mac.end(), mac.begin());
            const auto p = parseRowText(row.text, mac, scratch);
            const std::string at = "row " + std::to_string(seq);
            if (!p) {
                problem(n, at + ": not an audit entry: " + p.error().message);
            } else if (auditChain(key, prev, row.text) != mac) {
                problem(n, seq != expect ? at + " (expected " + std::to_string(expect) + "): a row before it was deleted or inserted (mac does not chain)"
                                         : at + ": mac mismatch: the row was edited, or the key is not the one that wrote it");
            } else if (seq != expect || p->seq != seq) {
                problem(n, at + ": sequence number " + std::to_string(p->seq) + " (expected " + std::to_string(expect) + ")");
            } else if (p->record.unixTime != static_cast<std::uint64_t>(row.time) || row.kind != toString(p->record.kind)) {
                problem(n, at + ": the time or kind column disagrees with the chained text");
            } else {
                if (rep.intact++ == 0) rep.firstTime = p->record.unixTime;
                rep.lastTime = p->record.unixTime;
            }
            prev = mac;
            expect = seq + 1;
            from = row.seq + 1;
        }
        if (static_cast<std::int64_t>(rows->size()) < kPage) break;
    }
    rep.lastMac = prev;
    return rep;
}

// ---- [SECTION] the sink ----------------------------------------------------------------

void DbAudit::record(const AuditRecord& r) {
    AuditRecord row = r;
    if (row.unixTime == 0 && unixClock_) row.unixTime = unixClock_();
    writer_.post([key = key_, row = std::move(row)](store::Database& db) { return appendChainedAudit(db, key, row); },
                 [this](const core::Status& st) {
                     if (st) return;
                     if (++failures_ <= 5 || failures_ % 100 == 0)
                         CR_LOG_ERROR("audit trail: row not written (%llu so far): %s", static_cast<unsigned long long>(failures_),
                                      st.error().message.c_str());
                 });
}

} // namespace caseroom::session
