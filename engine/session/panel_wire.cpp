#include "session/panel_wire.h"

#include <algorithm>
#include <cmath>

#include <glm/geometric.hpp>

namespace caseroom::session {

static_assert(static_cast<int>(sim::PanelOp::Count) == static_cast<int>(net::PanelIntent::Op::Count),
              "sim::PanelOp and net::PanelIntent::Op agree value by value");
static_assert(sim::kMaxControlRequests <= 8);

namespace {
constexpr float kDirScale = 32767.0f;

template <typename S>
bool serializePanel(S& s, sim::PanelState& p) {
    bool hasDeck = !p.deck.empty();
    if (!serializeBool(s, hasDeck)) return false;
    if (hasDeck && !s.serializeBytes(p.deck.bytes.data(), p.deck.bytes.size())) return false;
    if constexpr (S::kReading)
        if (!hasDeck) p.deck = core::ContentHash{};
    std::uint32_t slide = p.slide, frame = p.frame;
    if (!serializeUInt(s, slide, 0, net::kMaxPanelIndex) || !serializeUInt(s, frame, 0, net::kMaxPanelIndex) ||
        !serializeBool(s, p.playing))
        return false;
    if (p.playing && !serializeU32(s, p.playTick)) return false;
    if constexpr (S::kReading)
        if (!p.playing) p.playTick = 0;
    p.slide = static_cast<std::uint16_t>(slide);
    p.frame = static_cast<std::uint16_t>(frame);
    if (!net::serializeFiniteFloat(s, p.view.centerX) || !net::serializeFiniteFloat(s, p.view.centerY) ||
        !net::serializeFiniteFloat(s, p.view.zoom) || !serializeBool(s, p.window.useDefault))
        return false;
    if (!p.window.useDefault && (!net::serializeFiniteFloat(s, p.window.centre) || !net::serializeFiniteFloat(s, p.window.width)))
        return false;
    if constexpr (S::kReading)
        if (p.window.useDefault) p.window = sim::PanelWindow{};
    bool hasHolder = p.holder.valid();
    if (!serializeBool(s, hasHolder)) return false;
    std::uint16_t holder = hasHolder ? p.holder.value : 0;
    if (hasHolder && !serializeInt(s, holder, 0, net::kMaxEntities - 1)) return false;
    p.holder = hasHolder ? core::EntityId{holder} : core::EntityId::invalid();
    std::uint32_t n = static_cast<std::uint32_t>(p.requests.size());
    if (!serializeUInt(s, n, 0, sim::kMaxControlRequests)) return false;
    if constexpr (S::kReading) p.requests.resize(n);
    for (auto& r : p.requests) {
        std::uint16_t v = r.value;
        if (!serializeInt(s, v, 0, net::kMaxEntities - 1)) return false;
        r = core::EntityId{v};
    }
    return true;
}

std::int32_t toMm(float metres, std::int32_t lo, std::int32_t hi) {
    const float mm = std::round(metres * 1000.0f);
    if (!(mm == mm)) return 0;
    return static_cast<std::int32_t>(std::clamp(mm, static_cast<float>(lo), static_cast<float>(hi)));
}
std::int32_t toDir(float c) {
    if (!(c == c)) return 0;
    return static_cast<std::int32_t>(std::round(std::clamp(c, -1.0f, 1.0f) * kDirScale));
}

template <typename S>
bool serializeLaser(S& s, net::LaserInput& l) { // the object is the input's "on" body
    return serializeInt(s, l.x, net::kPosXZMin, net::kPosXZMax) && serializeInt(s, l.y, net::kPosYMin, net::kPosYMax) &&
           serializeInt(s, l.z, net::kPosXZMin, net::kPosXZMax) && serializeInt(s, l.dx, -32767, 32767) &&
           serializeInt(s, l.dy, -32767, 32767) && serializeInt(s, l.dz, -32767, 32767);
}
} // namespace

bool encodePanel(const sim::PanelState& p, net::ObjectBytes& out) {
    net::WriteStream w(net::kMaxObjectBytes);
    sim::PanelState copy = p;
    if (!serializePanel(w, copy) || !w.align()) return false;
    return out.assign(w.finish());
}

std::optional<sim::PanelState> decodePanel(std::span<const std::uint8_t> bytes) {
    net::ReadStream r(bytes);
    sim::PanelState p;
    if (!serializePanel(r, p) || !r.align() || r.bitsLeft() != 0) return std::nullopt;
    return p;
}

bool encodeLaser(const sim::LaserState& l, net::ObjectBytes& out) {
    net::LaserInput m = toWire(sim::LaserCommand{true, l.origin, l.direction});
    net::WriteStream w(net::kMaxObjectBytes);
    if (!serializeLaser(w, m) || !w.align()) return false;
    return out.assign(w.finish());
}

std::optional<sim::LaserState> decodeLaser(std::uint16_t owner, std::span<const std::uint8_t> bytes) {
    net::ReadStream r(bytes);
    net::LaserInput m;
    m.on = true;
    if (!serializeLaser(r, m) || !r.align() || r.bitsLeft() != 0) return std::nullopt;
    const sim::LaserCommand c = fromWire(m);
    return sim::LaserState{core::EntityId{owner}, true, c.origin, c.direction};
}

namespace {
template <typename S>
bool serializeDeck(S& s, sim::OfferedDeck& d) {
    if (!s.serializeBytes(d.deck.bytes.data(), d.deck.bytes.size())) return false;
    std::uint32_t slides = d.slides;
    if (!serializeUInt(s, slides, 1, kMaxDeckObjectSlides)) return false;
    d.slides = static_cast<std::uint16_t>(slides);
    return serializeString(s, d.title, kMaxDeckObjectTitleBytes);
}
} // namespace

std::string clipUtf8(std::string_view text, std::size_t maxBytes) {
    if (text.size() <= maxBytes) return std::string(text);
    std::size_t cut = maxBytes;
    // Back off over continuation bytes (10xxxxxx) to the start of the code point that would be split.
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0u) == 0x80u) --cut;
    return std::string(text.substr(0, cut));
}

bool encodeDeck(const sim::OfferedDeck& d, net::ObjectBytes& out) {
    if (d.deck.empty() || d.slides == 0 || d.slides > kMaxDeckObjectSlides) return false;
    sim::OfferedDeck copy = d;
    copy.title = clipUtf8(d.title, kMaxDeckObjectTitleBytes);
    net::WriteStream w(net::kMaxObjectBytes);
    if (!serializeDeck(w, copy) || !w.align()) return false;
    return out.assign(w.finish());
}

std::optional<sim::OfferedDeck> decodeDeck(std::span<const std::uint8_t> bytes) {
    net::ReadStream r(bytes);
    sim::OfferedDeck d;
    if (!serializeDeck(r, d) || !r.align() || r.bitsLeft() != 0 || d.deck.empty()) return std::nullopt;
    return d;
}

net::PanelIntent toWire(const sim::PanelCommand& c) {
    net::PanelIntent m;
    m.op = static_cast<net::PanelIntent::Op>(c.op);
    m.panel = c.panel;
    m.hasDeck = !c.deck.empty();
    m.deck = c.deck.bytes;
    m.index = c.index;
    m.centerX = c.view.centerX;
    m.centerY = c.view.centerY;
    m.zoom = c.view.zoom;
    m.centre = c.window.centre;
    m.width = c.window.width;
    m.target = c.target.valid() ? c.target.value : 0;
    return m;
}

std::optional<sim::PanelCommand> fromWire(const net::PanelIntent& m) {
    if (m.op >= net::PanelIntent::Op::Count) return std::nullopt;
    sim::PanelCommand c;
    c.op = static_cast<sim::PanelOp>(m.op);
    c.panel = static_cast<std::uint16_t>(m.panel);
    if (m.hasDeck) c.deck.bytes = m.deck;
    c.index = static_cast<std::uint16_t>(std::min<std::uint32_t>(m.index, net::kMaxPanelIndex));
    c.view = sim::PanelView{m.centerX, m.centerY, m.zoom};
    c.window = sim::PanelWindow{false, m.centre, m.width};
    c.target = core::EntityId{m.target};
    return c;
}

net::LaserInput toWire(const sim::LaserCommand& c) {
    net::LaserInput m;
    m.on = c.on;
    if (!c.on) return m;
    m.x = toMm(c.origin.x, net::kPosXZMin, net::kPosXZMax);
    m.y = toMm(c.origin.y, net::kPosYMin, net::kPosYMax);
    m.z = toMm(c.origin.z, net::kPosXZMin, net::kPosXZMax);
    const float len = glm::length(c.direction);
    const glm::vec3 d = len > 0.0f && len == len ? c.direction / len : glm::vec3(0.0f, 0.0f, -1.0f);
    m.dx = toDir(d.x);
    m.dy = toDir(d.y);
    m.dz = toDir(d.z);
    return m;
}

sim::LaserCommand fromWire(const net::LaserInput& m) {
    sim::LaserCommand c;
    c.on = m.on;
    if (!m.on) return c;
    c.origin = glm::vec3(static_cast<float>(m.x), static_cast<float>(m.y), static_cast<float>(m.z)) * 0.001f;
    const glm::vec3 d(static_cast<float>(m.dx) / kDirScale, static_cast<float>(m.dy) / kDirScale, static_cast<float>(m.dz) / kDirScale);
    const float len = glm::length(d);
    // Quantization leaves a unit vector within 1e-4 of unit length; anything
    // else stays as sent, and the panels system refuses it.
    c.direction = std::fabs(len - 1.0f) < 1e-3f ? d / len : d;
    return c;
}

net::RefusalReason toWire(sim::PanelError e) {
    switch (e) {
    case sim::PanelError::NotPermitted: return net::RefusalReason::NotPermitted;
    case sim::PanelError::NoSuchPanel: return net::RefusalReason::NoSuchPanel;
    case sim::PanelError::UnknownDeck: return net::RefusalReason::UnknownDeck;
    case sim::PanelError::NoDeck: return net::RefusalReason::NoDeck;
    case sim::PanelError::SlideOutOfRange: return net::RefusalReason::SlideOutOfRange;
    case sim::PanelError::FrameOutOfRange: return net::RefusalReason::FrameOutOfRange;
    case sim::PanelError::BadValue: return net::RefusalReason::BadValue;
    case sim::PanelError::RequestsFull: return net::RefusalReason::RequestsFull;
    case sim::PanelError::NoSuchRequest: return net::RefusalReason::NoSuchRequest;
    case sim::PanelError::NoSuchParticipant: return net::RefusalReason::NoSuchParticipant;
    case sim::PanelError::TargetMayNotHold: return net::RefusalReason::TargetMayNotHold;
    case sim::PanelError::TooManyLasers: return net::RefusalReason::RateLimited;
    case sim::PanelError::LaserTooFar: return net::RefusalReason::BadValue;
    case sim::PanelError::Count: break;
    }
    return net::RefusalReason::NotPermitted;
}

} // namespace caseroom::session
