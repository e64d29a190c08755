// What the clinic process tests share: the clinic database opened as the
// server opens it, and the audit key in a state directory (made with fixed
// bytes when absent, so a test can chain rows before the server starts).
#pragma once
#include <catch2/catch.hpp>

#include <memory>
#include <span>
#include <string>

#include "session/audit_log.h"
#include "store/database.h"

namespace caseroom::testing {

inline std::unique_ptr<store::Database> openClinicDb(const std::string& path) {
    store::OpenDesc od;
    od.path = path;
    auto db = store::Database::open(od);
    REQUIRE(db);
    return std::move(*db);
}

inline session::AuditKey stateAuditKey(const std::string& stateDir) {
    bool created = false;
    auto key = session::loadOrCreateAuditKey(stateDir + "/audit.key", [](std::span<std::uint8_t> out) {
        for (std::size_t i = 0; i < out.size(); ++i) out[i] = static_cast<std::uint8_t>(i * 29 + 11);
    }, created);
    REQUIRE(key);
    return *key;
}

} // namespace caseroom::testing
