// caseroom-admin invite|credential|revoke|invitations: connect tokens minted
// with the deployment key per the identity conventions (room = program code,
// user id = the person's id, name and role from the roster, valid from the
// lobby's opening to the end plus the overrun), written as .caseroom files
// (net/secure/invitation.h) and recorded as store::Invitation; revoking marks
// the record and appends the token id to the server's revocation file.
#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <functional>
#include <set>
#include <string>

#include "admin.h"
#include "clinic/schedule.h"
#include "core/cli.h"
#include "net/secure/invitation.h"
#include "net/secure/key_file.h"
#include "net/secure/revocation.h"
#include "net/secure/token.h"

namespace caseroom::admin {
namespace {

constexpr const char* kInviteUsage =
    "usage: caseroom-admin --as STABLE_ID invite --session ID (--person STABLE ... | --all)\n"
    "           --server HOST:PORT --out DIR [--key FILE]\n"
    "\n"
    "Issues session invitations: for each person, a connect token for the program's\n"
    "room (their roster name and role; valid from the lobby's opening to the scheduled\n"
    "end plus the program's overrun allowance), written as DIR/STABLE_ID.caseroom\n"
    "(mode 0600: it is a credential; give each file to its person only) and recorded\n"
    "in the database. The file's content is also a caseroom:// link. Needs IssueInvitations.\n"
    "  --session ID        the session (see caseroom-admin sessions)\n"
    "  --person STABLE     a person on the roster; repeatable, or comma-separated\n"
    "  --all               every active person on the program's roster\n"
    "  --server HOST:PORT  the address people connect to\n"
    "  --out DIR           where the files go (created mode 0700)\n"
    "  --key FILE          the deployment key (default STATE_DIR/caseroom.key, the\n"
    "                      server's; never created here)\n";

constexpr const char* kCredentialUsage =
    "usage: caseroom-admin --as STABLE_ID credential --program CODE --person STABLE\n"
    "           --server HOST:PORT --out DIR [--days N] [--key FILE]\n"
    "\n"
    "Issues a program-scoped credential: a token for the room \"@CODE\" (it cannot join\n"
    "a session; it reaches the case desk: submit cases, read vetted ones as the role\n"
    "allows), valid N days (1..366, default 30), written as\n"
    "DIR/STABLE_ID.program-CODE.caseroom (0600) and recorded. Needs IssueInvitations.\n";

constexpr const char* kRevokeUsage =
    "usage: caseroom-admin --as STABLE_ID revoke (--invitation ID | --session ID --person STABLE)\n"
    "           [--reason TEXT]\n"
    "\n"
    "Withdraws an invitation (or every live invitation of a person to a session): marks\n"
    "it revoked in the database and appends its token id to the revocation file the\n"
    "server watches (--revocations, default STATE_DIR/revocations), so a running\n"
    "server refuses it and disconnects its holder at once. Needs IssueInvitations.\n";

constexpr const char* kInvitationsUsage =
    "usage: caseroom-admin --as STABLE_ID invitations (--session ID | --program CODE)\n"
    "\n"
    "Lists invitations: id, kind, person, token id, validity and whether revoked\n"
    "(never the tokens themselves). Needs IssueInvitations.\n";

struct Minted {
    store::Invitation record;
    net::secure::Invitation file;
    std::string path, comment, who;
};

core::Result<net::secure::SecretKey> loadKey(const Context& ctx, const ParsedArgs& a) {
    const std::string path = a.get("--key", ctx.stateDir() + "/caseroom.key");
    auto key = net::secure::loadKeyFile(path);
    if (!key)
        return core::Error{key.error().message +
                           " (the deployment key is made by caseroom-server on its first start, or by caseroom-token --create-key)"};
    return key;
}

// Writes every file (each fsync'd) with no transaction open, then records
// the invitations in one short write transaction (`recheck` first: the
// permission and session checks again, under the lock). On any failure the
// files written are removed, so no file exists without its record.
int writeThenRecord(Context& ctx, std::vector<Minted>& minted, const std::string& outDir, const std::function<core::Status()>& recheck) {
    std::error_code ec;
    std::filesystem::create_directories(outDir, ec);
    if (ec) return fail(ctx, outDir + ": " + ec.message());
    std::set<std::string> paths;
    for (const auto& m : minted)
        if (!paths.insert(m.path).second) return fail(ctx, m.path + ": two people map to one file name (stable ids differ only in odd characters)");
    std::vector<std::string> written;
    auto undo = [&](const core::Error& why) {
        for (const auto& w : written) std::filesystem::remove(w, ec);
        return fail(ctx, why.message + (written.empty() ? "" : " (the invitation files written were removed)"));
    };
    for (auto& m : minted) {
        if (auto st = net::secure::writeInvitationFile(m.path, m.file, m.comment); !st) return undo(st.error());
        written.push_back(m.path);
    }
    Tx tx(ctx.db());
    if (auto st = tx.begun(); !st) return undo(st.error());
    if (auto st = recheck(); !st) return undo(st.error());
    for (auto& m : minted) {
        auto id = ctx.records().recordInvitation(m.record, ctx.actor(), ctx.globals.now);
        if (!id) return undo(id.error());
        m.record.id = *id;
    }
    if (auto st = tx.commit(); !st) return undo(st.error());
    for (const auto& m : minted)
        std::printf("wrote %s: %s, invitation %lld, token id %s, valid %s .. %s\n", m.path.c_str(), m.who.c_str(),
                    static_cast<long long>(m.record.id), hex16(m.record.tokenId).c_str(), clinic::formatUtcIso(m.record.validFrom).c_str(),
                    clinic::formatUtcIso(m.record.validUntil).c_str());
    return kExitOk;
}

core::Result<Minted> mint(Context& ctx, const net::secure::SecretKey& key, net::secure::RandomSource& random, const store::Person& person,
                          core::Role role, const std::string& room, std::int64_t from, std::int64_t until) {
    net::secure::MintDesc d;
    d.userId = static_cast<std::uint64_t>(person.id);
    d.displayName = utf8Prefix(person.name, net::secure::kTokenNameMax);
    d.roomCode = room;
    d.role = role;
    d.nowUnix = static_cast<std::uint64_t>(from);
    d.lifetimeSeconds = static_cast<std::uint64_t>(until - from);
    auto tok = net::secure::mintToken(d, key.bytes, random);
    if (!tok) return core::Error{person.stableId + ": " + tok.error().message};
    Minted m;
    m.file.room = room;
    m.file.token = *tok;
    m.record.personId = person.id;
    m.record.tokenId = tok->grant.tokenId;
    m.record.userId = d.userId;
    m.record.issuedAt = ctx.globals.now;
    m.record.validFrom = from;
    m.record.validUntil = until;
    m.who = person.name + " (" + core::toString(role) + ")";
    return m;
}

core::Result<std::vector<std::string>> peopleArgs(const ParsedArgs& a) {
    std::vector<std::string> out;
    for (const auto& v : a.all("--person")) {
        std::size_t start = 0;
        while (start <= v.size()) {
            const std::size_t comma = v.find(',', start);
            const std::string one = v.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
            if (!one.empty()) out.push_back(one);
            if (comma == std::string::npos) break;
            start = comma + 1;
        }
    }
    return out;
}

} // namespace

int runInvite(Context& ctx, std::span<const std::string> args) {
    static constexpr OptSpec kSpecs[] = {{"--session"}, {"--person", true, true}, {"--all", false}, {"--server"}, {"--out"}, {"--key"}};
    int exitCode = kExitOk;
    auto a = beginCommand(ctx, args, kSpecs, kInviteUsage, Sub::None, exitCode);
    if (!a) return exitCode;
    for (const char* req : {"--session", "--server", "--out"})
        if (!a->has(req)) return usageError(ctx, std::string(req) + " is required (see --help)");
    auto sessionId = parseId("--session", a->get("--session"));
    if (!sessionId) return usageError(ctx, sessionId.error().message);
    auto hp = core::cli::parseHostPort(a->get("--server"));
    if (!hp) return usageError(ctx, "--server: " + hp.error().message);
    auto people = peopleArgs(*a);
    if (!people) return usageError(ctx, people.error().message);
    if (people->empty() == !a->has("--all")) return usageError(ctx, "give --person STABLE (one or more) or --all");

    if (auto st = ctx.open(false); !st) return fail(ctx, st.error());
    auto key = loadKey(ctx, *a);
    if (!key) return fail(ctx, key.error());
    auto s = ctx.records().session(*sessionId);
    if (!s) return fail(ctx, s.error());
    auto p = ctx.records().program(s->programId);
    if (!p) return fail(ctx, p.error());
    // Run now, and again inside the transaction that records the invitations.
    const std::int64_t programId = p->id;
    auto checks = [&ctx, programId, sid = s->id]() -> core::Status {
        if (auto st = ctx.require(programId, sim::Action::IssueInvitations); !st) return st;
        auto now = ctx.records().session(sid);
        if (!now) return now.error();
        if (now->status == store::SessionStatus::Ended || now->status == store::SessionStatus::Cancelled)
            return core::Error{"session " + std::to_string(sid) + " is " + store::toString(now->status) + ": no invitations"};
        return {};
    };
    if (auto st = checks(); !st) return fail(ctx, st.error());
    const std::int64_t from = s->startUtc - std::int64_t{p->lobbyMinutes} * 60;
    const std::int64_t until = std::max(s->endUtc, s->extendedUntil) + std::int64_t{p->overrunMinutes} * 60;
    if (ctx.globals.now >= until) return fail(ctx, "session " + std::to_string(s->id) + " is over (" + clinic::formatUtcIso(until) + ")");

    std::vector<std::pair<store::Person, core::Role>> who;
    if (a->has("--all")) {
        auto r = ctx.records().roster(p->id);
        if (!r) return fail(ctx, r.error());
        for (const auto& e : *r) {
            if (!e.active) continue;
            auto person = ctx.records().person(e.personId);
            if (!person) return fail(ctx, person.error());
            who.emplace_back(*person, e.role);
        }
        if (who.empty()) return fail(ctx, "the roster of " + p->code + " is empty (caseroom-admin roster import)");
    } else {
        for (const auto& stable : *people) {
            auto person = ctx.personByStable(stable);
            if (!person) return fail(ctx, person.error());
            auto e = ctx.records().rosterEntry(p->id, person->id);
            if (!e) return fail(ctx, e.error());
            if (!*e || !(*e)->active) return fail(ctx, stable + " is not on the roster of " + p->code);
            who.emplace_back(*person, (*e)->role);
        }
    }
    net::secure::SystemRandom random;
    const std::string room = s->room.empty() ? p->code : s->room;
    const std::string outDir = a->get("--out");
    std::vector<Minted> minted;
    for (const auto& [person, role] : who) {
        auto m = mint(ctx, *key, random, person, role, room, from, until);
        if (!m) return fail(ctx, m.error());
        m->file.host = hp->first;
        m->file.port = hp->second;
        m->file.sessionId = s->id;
        m->file.kind = "session";
        m->record.kind = store::InvitationKind::Session;
        m->record.programId = p->id;
        m->record.sessionId = s->id;
        m->path = outDir + "/" + safeFileName(person.stableId) + ".caseroom";
        m->comment = p->name + ", session " + std::to_string(s->id) + " (" + s->title + ", " +
                     clinic::formatLocal(s->startUtc, p->timeZone) + "), for " + person.name;
        minted.push_back(std::move(*m));
    }
    return writeThenRecord(ctx, minted, outDir, checks);
}

int runCredential(Context& ctx, std::span<const std::string> args) {
    static constexpr OptSpec kSpecs[] = {{"--program"}, {"--person"}, {"--server"}, {"--out"}, {"--days"}, {"--key"}};
    int exitCode = kExitOk;
    auto a = beginCommand(ctx, args, kSpecs, kCredentialUsage, Sub::None, exitCode);
    if (!a) return exitCode;
    for (const char* req : {"--program", "--person", "--server", "--out"})
        if (!a->has(req)) return usageError(ctx, std::string(req) + " is required (see --help)");
    auto hp = core::cli::parseHostPort(a->get("--server"));
    if (!hp) return usageError(ctx, "--server: " + hp.error().message);
    auto days = core::cli::parseInt("--days", a->get("--days", "30"), 1, 366);
    if (!days) return usageError(ctx, days.error().message);

    if (auto st = ctx.open(false); !st) return fail(ctx, st.error());
    auto key = loadKey(ctx, *a);
    if (!key) return fail(ctx, key.error());
    auto p = ctx.program(a->get("--program"));
    if (!p) return fail(ctx, p.error());
    // Run now, and again inside the transaction that records the credential.
    auto checks = [&ctx, programId = p->id]() { return ctx.require(programId, sim::Action::IssueInvitations); };
    if (auto st = checks(); !st) return fail(ctx, st.error());
    auto person = ctx.personByStable(a->get("--person"));
    if (!person) return fail(ctx, person.error());
    auto e = ctx.records().rosterEntry(p->id, person->id);
    if (!e) return fail(ctx, e.error());
    if (!*e || !(*e)->active) return fail(ctx, person->stableId + " is not on the roster of " + p->code);
    net::secure::SystemRandom random;
    const std::int64_t from = ctx.globals.now, until = ctx.globals.now + *days * 86400;
    auto m = mint(ctx, *key, random, *person, (*e)->role, "@" + p->code, from, until);
    if (!m) return fail(ctx, m.error());
    m->file.host = hp->first;
    m->file.port = hp->second;
    m->file.sessionId = 0;
    m->file.kind = "program";
    m->record.kind = store::InvitationKind::Program;
    m->record.programId = p->id;
    m->path = a->get("--out") + "/" + safeFileName(person->stableId) + ".program-" + p->code + ".caseroom";
    m->comment = p->name + ": program credential (cases before the session) for " + person->name;
    std::vector<Minted> one;
    one.push_back(std::move(*m));
    return writeThenRecord(ctx, one, a->get("--out"), checks);
}

int runRevoke(Context& ctx, std::span<const std::string> args) {
    static constexpr OptSpec kSpecs[] = {{"--invitation"}, {"--session"}, {"--person"}, {"--reason"}};
    int exitCode = kExitOk;
    auto a = beginCommand(ctx, args, kSpecs, kRevokeUsage, Sub::None, exitCode);
    if (!a) return exitCode;
    const bool byId = a->has("--invitation");
    if (byId == (a->has("--session") || a->has("--person")) || (!byId && !(a->has("--session") && a->has("--person"))))
        return usageError(ctx, "give --invitation ID, or --session ID with --person STABLE");
    const std::string reason = a->get("--reason");
    if (!validUtf8(reason)) return usageError(ctx, "--reason: not UTF-8 text");

    if (auto st = ctx.open(false); !st) return fail(ctx, st.error());
    Tx tx(ctx.db());
    if (auto st = tx.begun(); !st) return fail(ctx, st.error());
    std::vector<store::Invitation> targets;
    if (byId) {
        auto id = parseId("--invitation", a->get("--invitation"));
        if (!id) return usageError(ctx, id.error().message);
        auto programs = ctx.records().programs();
        if (!programs) return fail(ctx, programs.error());
        for (const auto& p : *programs) {
            auto invs = ctx.records().invitations(p.id);
            if (!invs) return fail(ctx, invs.error());
            for (const auto& inv : *invs)
                if (inv.id == *id) targets.push_back(inv);
        }
        if (targets.empty()) return fail(ctx, "no invitation " + std::to_string(*id));
        if (targets[0].revokedAt != 0)
            return fail(ctx, "invitation " + std::to_string(*id) + " was revoked already (" + clinic::formatUtcIso(targets[0].revokedAt) + ")");
    } else {
        auto sid = parseId("--session", a->get("--session"));
        if (!sid) return usageError(ctx, sid.error().message);
        auto s = ctx.records().session(*sid);
        if (!s) return fail(ctx, s.error());
        auto person = ctx.personByStable(a->get("--person"));
        if (!person) return fail(ctx, person.error());
        auto invs = ctx.records().invitations(s->programId, s->id);
        if (!invs) return fail(ctx, invs.error());
        for (const auto& inv : *invs)
            if (inv.personId == person->id && inv.sessionId == s->id && inv.revokedAt == 0) targets.push_back(inv);
        if (targets.empty()) return fail(ctx, "no live invitation of " + person->stableId + " to session " + std::to_string(s->id));
    }
    if (auto st = ctx.require(targets[0].programId, sim::Action::IssueInvitations); !st) return fail(ctx, st.error());
    // The database first, then the file, then the commit: if the file cannot
    // be written nothing is marked; if the commit failed after the file, the
    // token is refused anyway (the safe side).
    for (const auto& inv : targets)
        if (auto st = ctx.records().revokeInvitation(inv.id, reason, ctx.actor(), ctx.globals.now); !st) return fail(ctx, st.error());
    for (const auto& inv : targets)
        if (auto st = net::secure::appendRevocation(ctx.revocationsPath(), net::secure::tokenRevocationLine(inv.tokenId, reason)); !st)
            return fail(ctx, st.error());
    if (auto st = tx.commit(); !st) return fail(ctx, st.error());
    for (const auto& inv : targets)
        std::printf("revoked invitation %lld (token id %s) in %s%s%s\n", static_cast<long long>(inv.id), hex16(inv.tokenId).c_str(),
                    ctx.revocationsPath().c_str(), reason.empty() ? "" : ": ", reason.c_str());
    return kExitOk;
}

int runInvitations(Context& ctx, std::span<const std::string> args) {
    static constexpr OptSpec kSpecs[] = {{"--session"}, {"--program"}};
    auto a = parseArgs(args, kSpecs);
    if (!a) return usageError(ctx, a.error().message);
    if (a->help) {
        std::fputs(kInvitationsUsage, stdout);
        return kExitOk;
    }
    if (a->has("--session") == a->has("--program")) return usageError(ctx, "give --session ID or --program CODE");
    if (auto st = ctx.open(false); !st) return fail(ctx, st.error());
    std::int64_t programId = 0, sessionId = 0;
    if (a->has("--session")) {
        auto sid = parseId("--session", a->get("--session"));
        if (!sid) return usageError(ctx, sid.error().message);
        auto s = ctx.records().session(*sid);
        if (!s) return fail(ctx, s.error());
        programId = s->programId;
        sessionId = s->id;
    } else {
        auto p = ctx.program(a->get("--program"));
        if (!p) return fail(ctx, p.error());
        programId = p->id;
    }
    if (auto st = ctx.require(programId, sim::Action::IssueInvitations); !st) return fail(ctx, st.error());
    auto invs = ctx.records().invitations(programId, sessionId);
    if (!invs) return fail(ctx, invs.error());
    std::printf("%-6s %-8s %-8s %-16s %-16s %-21s %-21s %s\n", "id", "kind", "session", "person", "token id", "valid from", "valid until", "revoked");
    for (const auto& inv : *invs) {
        auto person = ctx.records().person(inv.personId);
        std::printf("%-6lld %-8s %-8lld %-16s %-16s %-21s %-21s %s\n", static_cast<long long>(inv.id), store::toString(inv.kind),
                    static_cast<long long>(inv.sessionId), person ? person->stableId.c_str() : "?", hex16(inv.tokenId).c_str(),
                    clinic::formatUtcIso(inv.validFrom).c_str(), clinic::formatUtcIso(inv.validUntil).c_str(),
                    inv.revokedAt ? (clinic::formatUtcIso(inv.revokedAt) + " " + inv.revokedReason).c_str() : "no");
    }
    return kExitOk;
}

} // namespace caseroom::admin
