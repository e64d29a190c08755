// The permission table (sim::permitted) against its documentation: the test
// reads the markdown table in docs/PERMISSIONS.md and checks every cell, so
// the doc and the code cannot drift apart. Columns are matched to roles by
// core::toString(Role), rows to actions by sim::toString(Action) (a row may
// name several actions joined by " / "; a parenthesised note is ignored).
#include <catch2/catch.hpp>

#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "core/role.h"
#include "sim/permissions.h"

using namespace caseroom;

namespace {

std::string trim(std::string s) {
    const auto b = s.find_first_not_of(" \t");
    const auto e = s.find_last_not_of(" \t\r");
    return b == std::string::npos ? std::string{} : s.substr(b, e - b + 1);
}

// "| a | b |" -> {"a", "b"}
std::vector<std::string> cells(const std::string& line) {
    std::vector<std::string> out;
    std::string t = trim(line);
    if (t.size() < 2 || t.front() != '|' || t.back() != '|') return out;
    t = t.substr(1, t.size() - 2);
    std::stringstream ss(t);
    std::string c;
    while (std::getline(ss, c, '|')) out.push_back(trim(c));
    return out;
}

struct DocTable {
    std::vector<std::string> header;              // "action", then role names
    std::vector<std::vector<std::string>> rows;   // label, then yes/no per column
};

// The first markdown table whose header starts with "action".
DocTable readTable(const std::string& path) {
    std::ifstream in(path);
    INFO("reading " << path);
    REQUIRE(in);
    DocTable t;
    std::string line;
    bool inTable = false, sawSeparator = false;
    while (std::getline(in, line)) {
        const auto c = cells(line);
        if (!inTable) {
            if (!c.empty() && c[0] == "action") { t.header = c; inTable = true; }
            continue;
        }
        if (c.empty()) break; // the table ended
        if (!sawSeparator) { sawSeparator = true; continue; } // |---|:-:|...
        t.rows.push_back(c);
    }
    return t;
}

// "sit / stand" -> {"sit", "stand"}; "walk (move own avatar)" -> {"walk"}
std::vector<std::string> actionNames(std::string label) {
    if (const auto p = label.find(" ("); p != std::string::npos) label = label.substr(0, p);
    std::vector<std::string> out;
    std::size_t start = 0;
    for (;;) {
        const auto p = label.find(" / ", start);
        out.push_back(trim(label.substr(start, p == std::string::npos ? std::string::npos : p - start)));
        if (p == std::string::npos) break;
        start = p + 3;
    }
    return out;
}

} // namespace

TEST_CASE("the permission table matches docs/PERMISSIONS.md cell by cell", "[sim][permissions]") {
    const DocTable doc = readTable(CASEROOM_PERMISSIONS_DOC);
    REQUIRE(doc.header.size() == 1 + static_cast<std::size_t>(core::Role::Count));

    // Columns: every role exactly once.
    std::map<std::size_t, core::Role> roleOfColumn;
    for (std::size_t col = 1; col < doc.header.size(); ++col) {
        bool found = false;
        for (std::uint8_t r = 0; r < static_cast<std::uint8_t>(core::Role::Count); ++r) {
            if (doc.header[col] == core::toString(static_cast<core::Role>(r))) {
                roleOfColumn[col] = static_cast<core::Role>(r);
                found = true;
            }
        }
        INFO("column '" << doc.header[col] << "' names no role");
        CHECK(found);
    }
    REQUIRE(roleOfColumn.size() == static_cast<std::size_t>(core::Role::Count));
    std::map<core::Role, int> columnsPerRole;
    for (const auto& [col, role] : roleOfColumn) ++columnsPerRole[role];
    for (const auto& [role, n] : columnsPerRole) CHECK(n == 1);

    // Rows: every action exactly once, every cell yes or no and equal to the code.
    std::map<sim::Action, int> rowsPerAction;
    std::size_t checkedCells = 0;
    for (const auto& row : doc.rows) {
        INFO("row '" << (row.empty() ? std::string{} : row[0]) << "'");
        REQUIRE(row.size() == doc.header.size());
        for (const std::string& name : actionNames(row[0])) {
            INFO("action '" << name << "'");
            std::optional<sim::Action> action;
            for (std::uint8_t a = 0; a < static_cast<std::uint8_t>(sim::Action::Count); ++a)
                if (name == sim::toString(static_cast<sim::Action>(a))) action = static_cast<sim::Action>(a);
            REQUIRE(action.has_value());
            ++rowsPerAction[*action];
            for (std::size_t col = 1; col < row.size(); ++col) {
                const core::Role role = roleOfColumn.at(col);
                INFO("role " << core::toString(role) << ", cell '" << row[col] << "'");
                REQUIRE((row[col] == "yes" || row[col] == "no"));
                CHECK(sim::permitted(role, *action) == (row[col] == "yes"));
                ++checkedCells;
            }
        }
    }
    for (std::uint8_t a = 0; a < static_cast<std::uint8_t>(sim::Action::Count); ++a) {
        INFO("action '" << sim::toString(static_cast<sim::Action>(a)) << "' in the doc table");
        CHECK(rowsPerAction[static_cast<sim::Action>(a)] == 1);
    }
    CHECK(checkedCells == static_cast<std::size_t>(sim::Action::Count) * static_cast<std::size_t>(core::Role::Count));
}

TEST_CASE("out-of-range roles and actions are never permitted", "[sim][permissions]") {
    // Values off the wire or a corrupt token must not index past the table.
    for (std::uint8_t a = 0; a <= static_cast<std::uint8_t>(sim::Action::Count); ++a) {
        CHECK_FALSE(sim::permitted(core::Role::Count, static_cast<sim::Action>(a)));
        CHECK_FALSE(sim::permitted(static_cast<core::Role>(200), static_cast<sim::Action>(a)));
    }
    for (std::uint8_t r = 0; r < static_cast<std::uint8_t>(core::Role::Count); ++r) {
        CHECK_FALSE(sim::permitted(static_cast<core::Role>(r), sim::Action::Count));
        CHECK_FALSE(sim::permitted(static_cast<core::Role>(r), static_cast<sim::Action>(250)));
    }
}

TEST_CASE("every action has a distinct name for the doc and the audit log", "[sim][permissions]") {
    std::map<std::string, int> seen;
    for (std::uint8_t a = 0; a < static_cast<std::uint8_t>(sim::Action::Count); ++a) {
        const std::string n = sim::toString(static_cast<sim::Action>(a));
        CHECK(n != "?");
        CHECK(n.find('/') == std::string::npos); // "/" joins actions in a doc row
        CHECK(++seen[n] == 1);
    }
}

namespace {
// The first markdown table whose header starts with `first`.
DocTable readTableNamed(const std::string& path, const std::string& first) {
    std::ifstream in(path);
    REQUIRE(in);
    DocTable t;
    std::string line;
    bool inTable = false, sawSeparator = false;
    while (std::getline(in, line)) {
        const auto c = cells(line);
        if (!inTable) {
            if (!c.empty() && c[0] == first) { t.header = c; inTable = true; }
            continue;
        }
        if (c.empty()) break;
        if (!sawSeparator) { sawSeparator = true; continue; }
        t.rows.push_back(c);
    }
    return t;
}
} // namespace

TEST_CASE("the holding table matches docs/PERMISSIONS.md; unlisted actions are granted by no holding", "[sim][permissions]") {
    const DocTable doc = readTableNamed(CASEROOM_PERMISSIONS_DOC, "holding");
    REQUIRE(doc.header.size() == 1 + static_cast<std::size_t>(sim::Holding::Count));
    std::map<std::size_t, sim::Holding> holdingOfColumn;
    for (std::size_t col = 1; col < doc.header.size(); ++col)
        for (std::uint8_t h = 0; h < static_cast<std::uint8_t>(sim::Holding::Count); ++h)
            if (doc.header[col] == sim::toString(static_cast<sim::Holding>(h))) holdingOfColumn[col] = static_cast<sim::Holding>(h);
    REQUIRE(holdingOfColumn.size() == static_cast<std::size_t>(sim::Holding::Count));
    std::map<sim::Action, bool> listed;
    for (const auto& row : doc.rows) {
        REQUIRE(row.size() == doc.header.size());
        std::optional<sim::Action> action;
        for (std::uint8_t a = 0; a < static_cast<std::uint8_t>(sim::Action::Count); ++a)
            if (actionNames(row[0]).front() == sim::toString(static_cast<sim::Action>(a))) action = static_cast<sim::Action>(a);
        INFO("row '" << row[0] << "'");
        REQUIRE(action.has_value());
        listed[*action] = true;
        for (std::size_t col = 1; col < row.size(); ++col) {
            REQUIRE((row[col] == "yes" || row[col] == "no"));
            CHECK(sim::grantedBy(holdingOfColumn.at(col), *action) == (row[col] == "yes"));
        }
    }
    for (std::uint8_t a = 0; a < static_cast<std::uint8_t>(sim::Action::Count); ++a) {
        if (listed[static_cast<sim::Action>(a)]) continue;
        for (std::uint8_t h = 0; h < static_cast<std::uint8_t>(sim::Holding::Count); ++h)
            CHECK_FALSE(sim::grantedBy(static_cast<sim::Holding>(h), static_cast<sim::Action>(a)));
    }
}

TEST_CASE("permitted(role, holding, action): the role's row or a held state's; observers gain nothing", "[sim][permissions]") {
    const sim::HoldingSet none;
    const sim::HoldingSet holder = none.with(sim::Holding::PanelHolder);
    CHECK(holder.has(sim::Holding::PanelHolder));
    CHECK_FALSE(none.has(sim::Holding::PanelHolder));
    CHECK_FALSE(holder.has(sim::Holding::Count));
    CHECK_FALSE(sim::permitted(core::Role::Spoke, none, sim::Action::DrivePanel));
    CHECK(sim::permitted(core::Role::Spoke, holder, sim::Action::DrivePanel));
    CHECK(sim::permitted(core::Role::Spoke, holder, sim::Action::PointLaser));
    CHECK(sim::permitted(core::Role::Spoke, holder, sim::Action::GrantControl));
    CHECK_FALSE(sim::permitted(core::Role::Spoke, holder, sim::Action::TakeControl));
    CHECK(sim::permitted(core::Role::Facilitator, none, sim::Action::DrivePanel));
    CHECK(sim::permitted(core::Role::Coordinator, none, sim::Action::TakeControl));
    CHECK_FALSE(sim::permitted(core::Role::Observer, holder, sim::Action::DrivePanel));
    CHECK_FALSE(sim::mayHold(core::Role::Observer));
    CHECK(sim::mayHold(core::Role::Spoke));
    CHECK_FALSE(sim::permitted(core::Role::Count, holder, sim::Action::DrivePanel));
    CHECK_FALSE(sim::grantedBy(sim::Holding::Count, sim::Action::DrivePanel));
    // Holding does not change anything the role already had or lacked elsewhere.
    CHECK_FALSE(sim::permitted(core::Role::Spoke, holder, sim::Action::Moderate));
}

TEST_CASE("every role but observers may upload a deck; holding grants it to nobody", "[sim][permissions]") {
    for (core::Role r : {core::Role::Facilitator, core::Role::Specialist, core::Role::Coordinator, core::Role::Spoke})
        CHECK(sim::permitted(r, sim::Action::UploadDeck));
    CHECK_FALSE(sim::permitted(core::Role::Observer, sim::Action::UploadDeck));
    for (std::uint8_t h = 0; h < static_cast<std::uint8_t>(sim::Holding::Count); ++h)
        CHECK_FALSE(sim::grantedBy(static_cast<sim::Holding>(h), sim::Action::UploadDeck));
}
