// caseroom-audit: checks a CaseRoom audit log's hash chain and prints it.
// Thin: the format, the chain and the checks live in session/audit_log.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>

#include "session/audit_log.h"
#include "session/db_audit.h"
#include "store/database.h"

using namespace caseroom;

namespace {

void usage() {
    std::puts(
        "usage: caseroom-audit verify [--key FILE] AUDIT_FILE\n"
        "       caseroom-audit verify [--key FILE] --db CLINIC_DB\n"
        "       caseroom-audit show AUDIT_FILE\n"
        "\n"
        "verify  checks every line's sequence number and keyed BLAKE2b-256 chain\n"
        "        (docs/SECURITY.md, \"Audit trail\"). Exit 0: intact, prints\n"
        "        \"N entries, chain intact, FIRST .. LAST (UTC)\". Exit 1: a line was\n"
        "        deleted, edited, moved, inserted or cut; prints the first bad line's\n"
        "        number and why, then the others found. Exit 2: usage, or the file or\n"
        "        key cannot be read. With --db, the same checks over the audit rows\n"
        "        of the clinic database (\"line\" is then the row's place in the table).\n"
        "show    prints the entries readably (escapes kept); it does not verify.\n"
        "\n"
        "options:\n"
        "  --key FILE   the audit key (default: audit.key next to AUDIT_FILE or CLINIC_DB)\n"
        "  --db FILE    verify the audit trail in this clinic database (opened read-only)\n"
        "  --help       this text\n"
        "\n"
        "A verified chain proves no line before the last was changed. It cannot\n"
        "prove nothing was cut off the end: compare the last entry with what you\n"
        "expect (a clean stop writes ServerStopped), or keep a copy off the machine.");
}

int verify(const std::string& path, std::string keyPath, bool db) {
    if (keyPath.empty()) keyPath = session::defaultAuditKeyPath(path);
    auto key = session::loadAuditKey(keyPath);
    if (!key) { std::fprintf(stderr, "caseroom-audit: %s\n", key.error().message.c_str()); return 2; }
    core::Result<session::AuditVerifyReport> rep = core::Error{""};
    if (db) {
        store::OpenDesc od;
        od.path = path;
        od.create = false;
        od.migrate = false;
        od.readOnly = true;
        auto opened = store::Database::open(od);
        if (!opened) { std::fprintf(stderr, "caseroom-audit: %s\n", opened.error().message.c_str()); return 2; }
        rep = session::verifyAuditDb(**opened, *key);
    } else {
        rep = session::verifyAuditFile(path, *key);
    }
    if (!rep) { std::fprintf(stderr, "caseroom-audit: %s\n", rep.error().message.c_str()); return 2; }
    if (rep->ok()) {
        if (rep->intact == 0) std::printf("0 entries, chain intact (empty file)\n");
        else
            std::printf("%llu entries, chain intact, %s .. %s (UTC)\n", static_cast<unsigned long long>(rep->intact),
                        session::formatUtc(rep->firstTime).c_str(), session::formatUtc(rep->lastTime).c_str());
        return 0;
    }
    const session::AuditProblem& first = rep->problems.front();
    std::printf("%s: line %llu: %s\n", path.c_str(), static_cast<unsigned long long>(first.line), first.why.c_str());
    for (std::size_t i = 1; i < rep->problems.size(); ++i)
        std::printf("  also line %llu: %s\n", static_cast<unsigned long long>(rep->problems[i].line), rep->problems[i].why.c_str());
    if (rep->problemCount > rep->problems.size())
        std::printf("  ... and %llu more\n", static_cast<unsigned long long>(rep->problemCount - rep->problems.size()));
    for (std::uint64_t line : rep->restarts)
        std::printf("  the server restarted the chain at line %llu\n", static_cast<unsigned long long>(line));
    std::printf("chain broken: %llu problem(s), %llu of %llu lines intact\n", static_cast<unsigned long long>(rep->problemCount),
                static_cast<unsigned long long>(rep->intact), static_cast<unsigned long long>(rep->lines));
    return 1;
}

int show(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) { std::fprintf(stderr, "caseroom-audit: audit log %s: %s\n", path.c_str(), std::strerror(errno)); return 2; }
    std::string line;
    std::uint64_t n = 0;
    auto esc = [](const std::string& s) { return session::auditEscape(s); };
    while (std::getline(in, line)) {
        ++n;
        auto p = session::parseAuditLine(line);
        if (!p) { std::printf("%6llu  (not an entry: %s)\n", static_cast<unsigned long long>(n), p.error().message.c_str()); continue; }
        const session::AuditRecord& r = p->record;
        std::string who = esc(r.who);
        if (r.userId) who += " user " + std::to_string(r.userId);
        if (r.role) who += std::string(" (") + core::toString(*r.role) + ")";
        char token[24] = "";
        if (r.tokenId) std::snprintf(token, sizeof token, " token %016llx", static_cast<unsigned long long>(r.tokenId));
        std::printf("%6llu  %s  %-16s %s%s%s%s%s%s%s  %s%s%s\n", static_cast<unsigned long long>(p->seq), session::formatUtc(r.unixTime).c_str(),
                    session::toString(r.kind), r.room.empty() ? "" : "room ", esc(r.room).c_str(), r.room.empty() ? "" : "  ",
                    who.c_str(), token, r.address.empty() ? "" : " from ", esc(r.address).c_str(), esc(r.what).c_str(),
                    r.outcome.empty() ? "" : ": ", esc(r.outcome).c_str());
    }
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    std::string command, keyPath, file;
    bool db = false;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--help" || a == "-h") { usage(); return 0; }
        if (a == "--key") {
            if (i + 1 >= argc) { std::fprintf(stderr, "caseroom-audit: --key needs a value\n"); return 2; }
            keyPath = argv[++i];
        } else if (a == "--db") {
            if (i + 1 >= argc) { std::fprintf(stderr, "caseroom-audit: --db needs a value\n"); return 2; }
            if (!file.empty()) { std::fprintf(stderr, "caseroom-audit: one audit file at a time (see --help)\n"); return 2; }
            file = argv[++i];
            db = true;
        } else if (!a.empty() && a[0] == '-') {
            std::fprintf(stderr, "caseroom-audit: unknown option '%s' (see --help)\n", a.c_str());
            return 2;
        } else if (command.empty()) {
            command = a;
        } else if (file.empty()) {
            file = a;
        } else {
            std::fprintf(stderr, "caseroom-audit: one audit file at a time (see --help)\n");
            return 2;
        }
    }
    if (command.empty() || file.empty()) { usage(); return 2; }
    if (command == "verify") return verify(file, keyPath, db);
    if (db) { std::fprintf(stderr, "caseroom-audit: --db goes with verify (see --help)\n"); return 2; }
    if (command == "show") return show(file);
    std::fprintf(stderr, "caseroom-audit: unknown command '%s' (verify or show; see --help)\n", command.c_str());
    return 2;
}
