#include <catch2/catch.hpp>

#include "core/config_text.h"

using namespace caseroom::core;

TEST_CASE("config text parses sections, keys and comments", "[core][config]") {
    auto doc = parseConfigText("# rooms\n[room demo]\nname = Liver clinic \n\n; other\n[room b]\nwidth=12\n", "rooms.txt");
    REQUIRE(doc.ok());
    REQUIRE(doc->sections.size() == 2);
    CHECK(doc->sections[0].type == "room");
    CHECK(doc->sections[0].name == "demo");
    REQUIRE(doc->sections[0].find("name"));
    CHECK(doc->sections[0].find("name")->value == "Liver clinic");
    CHECK(doc->sections[1].find("width")->line == 7);
}

TEST_CASE("config text errors name the source and the line", "[core][config]") {
    auto bad = parseConfigText("[room a]\nthis line has no equals\n", "clinic.rooms");
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().message.find("clinic.rooms:2:") == 0);

    auto dup = parseConfigText("[room a]\nx = 1\nx = 2\n", "f");
    REQUIRE_FALSE(dup.ok());
    CHECK(dup.error().message.find("duplicate key") != std::string::npos);

    auto orphan = parseConfigText("x = 1\n", "f");
    REQUIRE_FALSE(orphan.ok());
    CHECK(orphan.error().message.find("before any [section]") != std::string::npos);

    auto ctrl = parseConfigText(std::string("[a]\nx = \x01\n"), "f");
    CHECK_FALSE(ctrl.ok());
    auto unterminated = parseConfigText("[room a\n", "f");
    CHECK_FALSE(unterminated.ok());
}

TEST_CASE("config integers and numbers are range-checked", "[core][config]") {
    auto doc = parseConfigText("[r x]\na = 12\nb = 12abc\nc = 3.5\nd = nan\n", "f");
    REQUIRE(doc.ok());
    const auto& sec = doc->sections[0];
    CHECK(*configInt(*doc, *sec.find("a"), 0, 20) == 12);
    CHECK_FALSE(configInt(*doc, *sec.find("a"), 0, 10).ok());
    CHECK_FALSE(configInt(*doc, *sec.find("b"), 0, 100).ok());
    CHECK(*configDouble(*doc, *sec.find("c"), 0, 10) == Approx(3.5));
    CHECK_FALSE(configDouble(*doc, *sec.find("d"), 0, 10).ok());
}

TEST_CASE("loading a missing config file names the file", "[core][config]") {
    auto r = loadConfigFile("/nonexistent/caseroom.rooms");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message.find("/nonexistent/caseroom.rooms") == 0);
}
