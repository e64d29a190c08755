// The panels system's object codecs (session/panel_wire.h): panels and
// lasers round-trip through their room-object encodings within bounds, every
// truncation or bad field is refused, and the intents map to sim's commands.
#include <catch2/catch.hpp>

#include <cmath>

#include <glm/geometric.hpp>

#include "core/rng.h"
#include "session/panel_wire.h"

using namespace caseroom;
using namespace caseroom::session;

namespace {
sim::PanelState randomPanel(core::Rng& rng) {
    sim::PanelState p;
    if (rng.chance(0.8))
        for (auto& b : p.deck.bytes) b = static_cast<std::uint8_t>(rng.below(256));
    p.slide = static_cast<std::uint16_t>(rng.below(65535));
    p.frame = static_cast<std::uint16_t>(rng.below(65535));
    p.playing = rng.chance(0.3);
    p.view = sim::PanelView{rng.uniformf(0, 1), rng.uniformf(0, 1), rng.uniformf(1, sim::kMaxZoom)};
    if (rng.chance(0.6)) p.window = sim::PanelWindow{false, rng.uniformf(-2000, 3000), rng.uniformf(1, 4000)};
    if (rng.chance(0.5)) p.holder = core::EntityId{static_cast<std::uint16_t>(rng.below(1024))};
    p.requests.resize(rng.below(sim::kMaxControlRequests + 1));
    for (auto& r : p.requests) r = core::EntityId{static_cast<std::uint16_t>(rng.below(1024))};
    return p;
}
} // namespace

TEST_CASE("panel objects round-trip exactly and fit an object; corrupt ones are refused", "[session][panels][wire]") {
    core::Rng rng(909);
    std::size_t largest = 0;
    for (int i = 0; i < 500; ++i) {
        const sim::PanelState p = randomPanel(rng);
        net::ObjectBytes b;
        REQUIRE(encodePanel(p, b));
        largest = std::max<std::size_t>(largest, b.size);
        const auto back = decodePanel(b.view());
        REQUIRE(back.has_value());
        CHECK(*back == p);
        for (std::size_t len = 0; len < b.size; ++len) CHECK_FALSE(decodePanel(std::span(b.data.data(), len)).has_value());
    }
    CHECK(largest <= 80); // a full panel with eight requests
    // The idle panel is small.
    net::ObjectBytes idle;
    REQUIRE(encodePanel(sim::PanelState{}, idle));
    CHECK(idle.size <= 20);
    // Out of the codec's bounds: too many requests, a NaN view.
    sim::PanelState bad;
    bad.requests.resize(sim::kMaxControlRequests + 1);
    net::ObjectBytes b;
    CHECK_FALSE(encodePanel(bad, b));
    bad = sim::PanelState{};
    bad.view.zoom = std::nanf("");
    CHECK_FALSE(encodePanel(bad, b));
    // A NaN on the wire is refused on read.
    REQUIRE(encodePanel(sim::PanelState{}, b));
    b.data[6] = 0xFF; // inside the view's floats: exponent all ones
    b.data[7] = 0xFF;
    b.data[8] = 0xFF;
    CHECK_FALSE(decodePanel(b.view()).has_value());
}

TEST_CASE("deck objects round-trip, clip the title on a UTF-8 boundary and fit an object", "[session][panels][wire]") {
    sim::OfferedDeck d;
    for (std::size_t i = 0; i < d.deck.bytes.size(); ++i) d.deck.bytes[i] = static_cast<std::uint8_t>(200 - i);
    d.title = "Week 3: chest pain";
    d.slides = 20;
    net::ObjectBytes b;
    REQUIRE(encodeDeck(d, b));
    auto back = decodeDeck(b.view());
    REQUIRE(back.has_value());
    CHECK(*back == d);
    for (std::size_t len = 0; len < b.size; ++len) CHECK_FALSE(decodeDeck(std::span(b.data.data(), len)).has_value());

    // The longest title (a manifest allows 120 bytes), of 3-byte code points:
    // clipped to whole code points within 80 bytes.
    std::string longTitle;
    while (longTitle.size() < 120) longTitle += "\xE2\x80\x94"; // U+2014 EM DASH
    d.title = longTitle;
    d.slides = static_cast<std::uint16_t>(kMaxDeckObjectSlides);
    REQUIRE(encodeDeck(d, b));
    CHECK(b.size <= net::kMaxObjectBytes);
    back = decodeDeck(b.view());
    REQUIRE(back.has_value());
    CHECK(back->title.size() == 78); // 26 whole dashes; an 80-byte cut would split the 27th
    CHECK(back->title == longTitle.substr(0, 78));
    CHECK(back->slides == kMaxDeckObjectSlides);
    CHECK(clipUtf8("ab\xC3\xA9", 3) == "ab");      // never half of U+00E9
    CHECK(clipUtf8("ab\xC3\xA9", 4) == "ab\xC3\xA9");
    CHECK(clipUtf8("abc", 2) == "ab");

    // Out of bounds: no hash, no slides, too many.
    sim::OfferedDeck bad = d;
    bad.deck = core::ContentHash{};
    CHECK_FALSE(encodeDeck(bad, b));
    bad = d;
    bad.slides = 0;
    CHECK_FALSE(encodeDeck(bad, b));
    bad.slides = static_cast<std::uint16_t>(kMaxDeckObjectSlides + 1);
    CHECK_FALSE(encodeDeck(bad, b));
    // A control character in the title is refused on read.
    d.title = "ok";
    REQUIRE(encodeDeck(d, b));
    b.data[b.size - 1] = 0x07;
    CHECK_FALSE(decodeDeck(b.view()).has_value());
}

TEST_CASE("laser objects round-trip within a millimetre and a tenth of a degree", "[session][panels][wire]") {
    core::Rng rng(77);
    for (int i = 0; i < 500; ++i) {
        sim::LaserState l;
        l.owner = core::EntityId{static_cast<std::uint16_t>(rng.below(1024))};
        l.on = true;
        l.origin = {rng.uniformf(-8, 8), rng.uniformf(0, 2.5f), rng.uniformf(-6, 6)};
        l.direction = glm::normalize(glm::vec3(rng.uniformf(-1, 1), rng.uniformf(-1, 1), rng.uniformf(-1, 1)) + glm::vec3(0, 0, 0.01f));
        net::ObjectBytes b;
        REQUIRE(encodeLaser(l, b));
        CHECK(b.size <= 12);
        const auto back = decodeLaser(l.owner.value, b.view());
        REQUIRE(back.has_value());
        CHECK(back->owner == l.owner);
        CHECK(glm::length(back->origin - l.origin) <= 0.0009f);
        CHECK(std::abs(glm::length(back->direction) - 1.0f) < 1e-5f);
        CHECK(glm::dot(back->direction, l.direction) >= std::cos(0.1f * 3.14159265f / 180.0f));
        for (std::size_t len = 0; len < b.size; ++len) CHECK_FALSE(decodeLaser(0, std::span(b.data.data(), len)).has_value());
    }
}

TEST_CASE("panel intents map to sim commands op by op", "[session][panels][wire]") {
    for (std::uint8_t op = 0; op < static_cast<std::uint8_t>(sim::PanelOp::Count); ++op) {
        sim::PanelCommand c;
        c.op = static_cast<sim::PanelOp>(op);
        c.panel = 3;
        c.index = 17;
        c.deck.bytes.fill(9);
        c.view = sim::PanelView{0.25f, 0.75f, 2.0f};
        c.window = sim::PanelWindow{false, 40.0f, 80.0f};
        c.target = core::EntityId{12};
        const auto back = fromWire(toWire(c));
        REQUIRE(back.has_value());
        CHECK(back->op == c.op);
        CHECK(back->panel == 3);
        CHECK(back->index == 17);
        CHECK(back->deck == c.deck);
        CHECK(back->view == c.view);
        CHECK(back->window == c.window);
        CHECK(back->target == c.target);
        CHECK(std::string(net::toString(net::IntentKind::Panel)) == "panel");
    }
    for (std::uint8_t e = 0; e < static_cast<std::uint8_t>(sim::PanelError::Count); ++e)
        CHECK(toWire(static_cast<sim::PanelError>(e)) < net::RefusalReason::Count);
}
