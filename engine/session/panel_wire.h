// The panels system's wire forms: its room-object codecs (a panel's state and
// a laser, each one net::ObjectTable entry, written with the serialize()
// stream style and bounded fields) and the intent messages to and from sim's
// commands. The only place that knows both sim/panels.h and net.
//
// Panel object (key {Panel, panel index}):
//   hasDeck:1 [deck: 32 bytes] | slide [0,65534] | frame [0,65534] | playing:1 |
//   centerX, centerY, zoom: finite float32 | useDefault:1 [centre, width: finite float32] |
//   hasHolder:1 [holder [0,1023]] | requests [0,8] x entity [0,1023]
// Laser object (key {Laser, owner's entity slot}; present only while on):
//   origin mm (x,z [-32768,32767], y [-1000,3095]) | direction 3 x [-32767,32767] / 32767
// Deck object (key {Deck, index in the server's offered list}; published at
// room creation, never changed): a deck the room offers to its presenters.
//   deck: 32 bytes (never empty) | slides [1,512] | title length [0,80] | title: UTF-8 bytes
//   (the manifest's title clipped to 80 bytes on a code point boundary; no control characters)
#pragma once
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "net/messages.h"
#include "net/room_objects.h"
#include "sim/panel_state.h"
#include "sim/panels.h"

namespace caseroom::session {

// Encodes into `out`; false only for a state that breaks the codec's bounds.
[[nodiscard]] bool encodePanel(const sim::PanelState& p, net::ObjectBytes& out);
[[nodiscard]] std::optional<sim::PanelState> decodePanel(std::span<const std::uint8_t> bytes);
[[nodiscard]] bool encodeLaser(const sim::LaserState& l, net::ObjectBytes& out);
[[nodiscard]] std::optional<sim::LaserState> decodeLaser(std::uint16_t owner, std::span<const std::uint8_t> bytes);

// Decks offered per room: with every panel and laser they fit the room's objects.
constexpr std::size_t kMaxOfferedDecks = 16;
static_assert(net::kMaxPanels + sim::kMaxLasers + kMaxOfferedDecks <= net::kMaxRoomObjects);
constexpr std::uint32_t kMaxDeckObjectTitleBytes = 80; // 32 + 2 + 1 + 80 bytes fit net::kMaxObjectBytes
constexpr std::uint32_t kMaxDeckObjectSlides = 512;    // media::kMaxDeckSlides (checked where both are seen)
// Encodes an offered deck, clipping its title; false for an empty hash, no
// slides or more than kMaxDeckObjectSlides.
[[nodiscard]] bool encodeDeck(const sim::OfferedDeck& d, net::ObjectBytes& out);
[[nodiscard]] std::optional<sim::OfferedDeck> decodeDeck(std::span<const std::uint8_t> bytes);
// The longest prefix of `text` of at most maxBytes bytes that ends on a
// UTF-8 code point boundary (a cut never splits a multi-byte sequence).
std::string clipUtf8(std::string_view text, std::size_t maxBytes);

net::PanelIntent toWire(const sim::PanelCommand& c);
// nullopt for a wire op sim does not know (never, while the enums agree).
std::optional<sim::PanelCommand> fromWire(const net::PanelIntent& m);
net::LaserInput toWire(const sim::LaserCommand& c);
sim::LaserCommand fromWire(const net::LaserInput& m);
net::RefusalReason toWire(sim::PanelError e);

} // namespace caseroom::session
