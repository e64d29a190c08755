// A fresh folder under /tmp for one test, removed with everything in it (keys
// included) when the test ends, passed or not. Shared by unit and integration
// tests (the tests folder is on every test's include path).
#pragma once
#include <stdlib.h>

#include <filesystem>
#include <string>
#include <system_error>

namespace caseroom::testing {

struct TempDir {
    std::filesystem::path path;
    TempDir() {
        char name[] = "/tmp/caseroom-test-XXXXXX";
        if (::mkdtemp(name)) path = name;
    }
    ~TempDir() {
        std::error_code ec;
        if (!path.empty()) std::filesystem::remove_all(path, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    [[nodiscard]] bool ok() const { return !path.empty(); }
    [[nodiscard]] std::string file(const char* name) const { return (path / name).string(); }
};

} // namespace caseroom::testing
