// caseroom-admin roster import|list: a program's roster from a CSV file
// (RFC 4180, UTF-8, clinic::parseCsv), re-imports updating people by stable id.
#include <algorithm>
#include <array>
#include <cstdio>
#include <set>
#include <string>

#include "admin.h"
#include "clinic/attendance.h"

namespace caseroom::admin {
namespace {

constexpr const char* kUsage =
    "usage: caseroom-admin --as STABLE_ID roster import --program CODE FILE.csv\n"
    "       caseroom-admin --as STABLE_ID roster list --program CODE\n"
    "\n"
    "import: adds or updates the program's roster from a CSV file (UTF-8, RFC 4180\n"
    "quoting, a header line naming the columns in any order):\n"
    "  stable_id,name,email,phone,profession,credential,site,role\n"
    "role is facilitator, specialist, coordinator, spoke or observer. A person is\n"
    "matched by stable_id: a re-import updates changed fields (each change audited)\n"
    "and people missing from the file stay on the roster. The whole file is checked\n"
    "first; any bad line (reported with its line and column) imports nothing.\n"
    "Needs ManagePrograms; the first import into an empty roster may be done by the\n"
    "owner of the state directory without --as.\n"
    "list: the roster with contact details (needs ManagePrograms).\n";

constexpr std::array<const char*, 8> kColumns = {"stable_id", "name", "email", "phone", "profession", "credential", "site", "role"};

struct Row {
    store::Person person;
    core::Role role = core::Role::Spoke;
    std::size_t line = 0;
};

// Checks the whole file; errors name FILE:LINE and the column.
core::Result<std::vector<Row>> parseRoster(std::string_view text, const std::string& source) {
    if (text.size() >= 3 && text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // a spreadsheet's BOM
    auto records = clinic::parseCsv(text, source);
    if (!records) return records.error();
    // Skip empty records (blank lines) while keeping line numbers true: a
    // record spans 1 + the line breaks inside its quoted fields.
    std::vector<std::pair<std::size_t, const std::vector<std::string>*>> lines;
    std::size_t line = 1;
    for (const auto& r : *records) {
        std::size_t breaks = 0;
        for (const auto& f : r) breaks += static_cast<std::size_t>(std::count(f.begin(), f.end(), '\n'));
        const bool blank = r.empty() || (r.size() == 1 && r[0].empty());
        if (!blank) lines.emplace_back(line, &r);
        line += 1 + breaks;
    }
    if (lines.empty()) return core::Error{source + ": empty file (a header line is expected: stable_id,name,...,role)"};
    const auto& header = *lines[0].second;
    std::array<int, kColumns.size()> col{};
    col.fill(-1);
    for (std::size_t i = 0; i < header.size(); ++i) {
        std::string h = header[i];
        while (!h.empty() && (h.back() == ' ' || h.back() == '\r')) h.pop_back();
        const auto it = std::find(kColumns.begin(), kColumns.end(), h);
        if (it == kColumns.end())
            return core::Error{source + ":" + std::to_string(lines[0].first) + ": column " + std::to_string(i + 1) + ": unknown column '" +
                               h + "' (expected stable_id,name,email,phone,profession,credential,site,role)"};
        const auto c = static_cast<std::size_t>(it - kColumns.begin());
        if (col[c] >= 0) return core::Error{source + ":" + std::to_string(lines[0].first) + ": column '" + h + "' given twice"};
        col[c] = static_cast<int>(i);
    }
    for (std::size_t c = 0; c < kColumns.size(); ++c)
        if (col[c] < 0) return core::Error{source + ":" + std::to_string(lines[0].first) + ": the header lacks column '" + kColumns[c] + "'"};

    std::vector<Row> rows;
    std::set<std::string> seen;
    for (std::size_t k = 1; k < lines.size(); ++k) {
        const auto& [ln, rec] = lines[k];
        const std::string where = source + ":" + std::to_string(ln) + ": ";
        if (rec->size() != header.size())
            return core::Error{where + std::to_string(rec->size()) + " fields, the header has " + std::to_string(header.size())};
        auto field = [&](std::size_t c) -> const std::string& { return (*rec)[static_cast<std::size_t>(col[c])]; };
        for (std::size_t c = 0; c < kColumns.size(); ++c) {
            if (!validUtf8(field(c))) return core::Error{where + "column " + kColumns[c] + ": not UTF-8 text"};
            for (const char ch : field(c))
                if (static_cast<unsigned char>(ch) < 0x20)
                    return core::Error{where + "column " + kColumns[c] + ": holds a control character or line break"};
        }
        Row row;
        row.line = ln;
        row.person.stableId = field(0);
        row.person.name = field(1);
        row.person.email = field(2);
        row.person.phone = field(3);
        row.person.profession = field(4);
        row.person.credential = field(5);
        row.person.site = field(6);
        if (row.person.stableId.empty() || row.person.stableId.size() > 64)
            return core::Error{where + "column stable_id: 1 to 64 bytes required"};
        if (row.person.name.empty() || row.person.name.size() > 200) return core::Error{where + "column name: 1 to 200 bytes required"};
        if (!row.person.email.empty() && row.person.email.find('@') == std::string::npos)
            return core::Error{where + "column email: '" + row.person.email + "' is not an e-mail address"};
        const auto role = roleFromString(field(7));
        if (!role)
            return core::Error{where + "column role: '" + field(7) + "' is not facilitator, specialist, coordinator, spoke or observer"};
        row.role = *role;
        if (!seen.insert(row.person.stableId).second)
            return core::Error{where + "column stable_id: '" + row.person.stableId + "' appears twice in the file"};
        rows.push_back(std::move(row));
    }
    return rows;
}

int import(Context& ctx, const ParsedArgs& a) {
    if (a.positional.size() != 2) return usageError(ctx, "give one CSV file (see --help)");
    const std::string file = a.positional[1];
    auto text = readWholeFile(file);
    if (!text) return fail(ctx, text.error());
    auto rows = parseRoster(*text, file);
    if (!rows) return fail(ctx, rows.error());
    if (auto st = ctx.open(false); !st) return fail(ctx, st.error());
    Tx tx(ctx.db());
    if (auto st = tx.begun(); !st) return fail(ctx, st.error());
    auto p = ctx.program(a.get("--program"));
    if (!p) return fail(ctx, p.error());
    if (auto st = ctx.requireOrBootstrap(p->id, sim::Action::ManagePrograms); !st) return fail(ctx, st.error());
    std::size_t added = 0, updated = 0;
    for (const auto& row : *rows) {
        auto before = ctx.records().personByStableId(row.person.stableId);
        if (!before) return fail(ctx, before.error());
        auto id = ctx.records().upsertPerson(row.person, ctx.actor(), ctx.globals.now);
        if (!id) return fail(ctx, file + ":" + std::to_string(row.line) + ": " + id.error().message);
        auto entry = ctx.records().rosterEntry(p->id, *id);
        if (!entry) return fail(ctx, entry.error());
        if (!*entry) ++added;
        else if (!*before || (*entry)->role != row.role || !(*entry)->active || before->value().name != row.person.name ||
                 before->value().email != row.person.email || before->value().phone != row.person.phone ||
                 before->value().profession != row.person.profession || before->value().credential != row.person.credential ||
                 before->value().site != row.person.site)
            ++updated;
        if (!*entry || (*entry)->role != row.role || !(*entry)->active) {
            store::RosterEntry e;
            e.programId = p->id;
            e.personId = *id;
            e.role = row.role;
            if (auto st = ctx.records().setRoster(e, ctx.actor(), ctx.globals.now); !st)
                return fail(ctx, file + ":" + std::to_string(row.line) + ": " + st.error().message);
        }
    }
    if (auto st = tx.commit(); !st) return fail(ctx, st.error());
    std::printf("roster of %s: %zu added, %zu updated, %zu unchanged (%zu lines)\n", p->code.c_str(), added, updated,
                rows->size() - added - updated, rows->size());
    return kExitOk;
}

int list(Context& ctx, const ParsedArgs& a) {
    if (auto st = ctx.open(false); !st) return fail(ctx, st.error());
    auto p = ctx.program(a.get("--program"));
    if (!p) return fail(ctx, p.error());
    if (auto st = ctx.require(p->id, sim::Action::ManagePrograms); !st) return fail(ctx, st.error());
    auto r = ctx.records().roster(p->id);
    if (!r) return fail(ctx, r.error());
    std::printf("stable_id,name,email,phone,profession,credential,site,role,active\n");
    for (const auto& e : *r) {
        auto person = ctx.records().person(e.personId);
        if (!person) return fail(ctx, person.error());
        std::string line;
        for (const std::string* f : {&person->stableId, &person->name, &person->email, &person->phone, &person->profession,
                                     &person->credential, &person->site})
            line += csvField(*f) + ",";
        std::printf("%s%s,%s\n", line.c_str(), core::toString(e.role), e.active ? "yes" : "no");
    }
    return kExitOk;
}

} // namespace

int runRoster(Context& ctx, std::span<const std::string> args) {
    static constexpr OptSpec kSpecs[] = {{"--program"}};
    int exitCode = kExitOk;
    auto a = beginCommand(ctx, args, kSpecs, kUsage, Sub::Required, exitCode);
    if (!a) return exitCode;
    const std::string sub = a->positional[0];
    ctx.command = "roster " + sub;
    if (!a->has("--program")) return usageError(ctx, "--program CODE is required");
    if (sub == "import") return import(ctx, *a);
    if (sub == "list" && a->positional.size() == 1) return list(ctx, *a);
    return usageError(ctx, "expected import or list (see --help)");
}

} // namespace caseroom::admin
