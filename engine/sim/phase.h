// The agenda's phases (a teleECHO session, in order): the room's clock of
// what may happen now. The agenda system (sim/agenda.h) owns which phase the
// room is in; the permissions table (sim/permissions.h) gates actions by it.
// Values are on the wire and in recordings: append only.
#pragma once
#include <cstdint>
#include <optional>
#include <string_view>

namespace caseroom::sim {

enum class Phase : std::uint8_t {
    Lobby,               // open before the start: people arrive, chat, check their audio
    Introductions,       // the hub and spokes introduce themselves; confidentiality, disclosures
    Didactic,            // the short talk: spokes muted by default, hands raised
    CasePresentation,    // the presenter gives the case and the question
    CaseQuestions,       // clarifying questions only
    CaseRecommendations, // hub and spokes write recommendations ("all teach, all learn")
    CaseSummary,         // the facilitator's summary, marked as the consensus
    WrapUp,
    Ended,
    Count
};

[[nodiscard]] constexpr bool isCasePhase(Phase p) {
    return p == Phase::CasePresentation || p == Phase::CaseQuestions || p == Phase::CaseRecommendations ||
           p == Phase::CaseSummary;
}

inline const char* toString(Phase p) {
    switch (p) {
    case Phase::Lobby: return "lobby";
    case Phase::Introductions: return "introductions";
    case Phase::Didactic: return "didactic";
    case Phase::CasePresentation: return "case presentation";
    case Phase::CaseQuestions: return "clarifying questions";
    case Phase::CaseRecommendations: return "recommendations";
    case Phase::CaseSummary: return "summary";
    case Phase::WrapUp: return "wrap-up";
    case Phase::Ended: return "ended";
    case Phase::Count: break;
    }
    return "?";
}

// A set of phases (bit i: Phase i).
struct PhaseSet {
    std::uint16_t bits = 0;
    [[nodiscard]] constexpr bool has(Phase p) const { return p < Phase::Count && ((bits >> static_cast<unsigned>(p)) & 1u); }
    [[nodiscard]] static constexpr PhaseSet all() { return {static_cast<std::uint16_t>((1u << static_cast<unsigned>(Phase::Count)) - 1u)}; }
    [[nodiscard]] constexpr PhaseSet with(Phase p) const { return {static_cast<std::uint16_t>(bits | (1u << static_cast<unsigned>(p)))}; }
    [[nodiscard]] constexpr PhaseSet without(Phase p) const { return {static_cast<std::uint16_t>(bits & ~(1u << static_cast<unsigned>(p)))}; }
    friend constexpr bool operator==(PhaseSet, PhaseSet) = default;
};

} // namespace caseroom::sim
