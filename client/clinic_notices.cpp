#include "clinic_notices.h"

#include <algorithm>
#include <cstdio>

#include "sim/permissions.h"

namespace caseroom::client {

sim::HoldingSet clinicHoldings(const session::ClinicViewModel& v, core::EntityId self) {
    sim::HoldingSet h;
    if (!self.valid()) return h;
    if (v.moderation().floor == self) h = h.with(sim::Holding::FloorHolder);
    if (v.moderation().facilitator == self) h = h.with(sim::Holding::ActingFacilitator);
    return h;
}

ClinicFacts factsOf(const session::ClinicViewModel& v, core::EntityId self, core::Role role) {
    ClinicFacts f;
    const sim::AgendaState& a = v.agenda();
    const sim::ModerationState& m = v.moderation();
    f.hasPlan = a.hasPlan;
    f.phase = a.phase;
    f.current = a.current;
    if (const sim::AgendaEntry* e = v.currentEntry()) f.title = e->title;
    f.handPosition = v.handPosition(self);
    f.haveFloor = self.valid() && m.floor == self;
    f.mutedByModeration = self.valid() && v.isMuted(self);
    const sim::HoldingSet held = clinicHoldings(v, self);
    // The phase's mute: speaking is refused for the phase only (the role may speak elsewhere).
    f.mutedByPhase = a.hasPlan && sim::check(role, held, sim::Action::Speak, a.phase) == sim::Denial::WrongPhase;
    f.mayUnmuteSelf = f.mutedByModeration && m.muteAll == sim::MuteAll::SelfUnmute;
    f.mayRecommend = a.hasPlan && sim::permitted(role, held, sim::Action::Recommend, a.phase);
    f.locked = m.locked;
    f.muteAll = m.muteAll;
    f.facilitator = m.facilitator;
    f.coFacilitator = m.coFacilitator;
    f.chair = m.chair;
    f.floor = m.floor;
    f.recording = v.recording().status;
    f.recordingPolicy = v.recording().policy;
    return f;
}

std::string nameOf(std::span<const session::RemoteAvatar> people, core::EntityId who) {
    for (const session::RemoteAvatar& p : people)
        if (p.slot == who.value && !p.name.empty()) return p.name;
    return text(StringId::UnknownParticipant, {std::to_string(who.value)});
}

std::string clockText(std::uint32_t fromTick, std::uint32_t toTick, double tickRate) {
    const double rate = tickRate > 0 ? tickRate : 30.0;
    const auto secs = static_cast<std::uint64_t>(toTick > fromTick ? static_cast<double>(toTick - fromTick) / rate : 0.0);
    char buf[32];
    if (secs >= 3600)
        std::snprintf(buf, sizeof buf, "%llu:%02llu:%02llu", static_cast<unsigned long long>(secs / 3600),
                      static_cast<unsigned long long>(secs / 60 % 60), static_cast<unsigned long long>(secs % 60));
    else
        std::snprintf(buf, sizeof buf, "%llu:%02llu", static_cast<unsigned long long>(secs / 60),
                      static_cast<unsigned long long>(secs % 60));
    return buf;
}

std::vector<ClinicNotice> clinicNotices(const ClinicFacts& before, const ClinicFacts& now, core::EntityId self,
                                        std::span<const session::RemoteAvatar> people) {
    std::vector<ClinicNotice> out;
    auto say = [&](StringId id, std::initializer_list<std::string_view> args = {}) { out.push_back({id, text(id, args)}); };
    const bool me = self.valid();

    // The agenda: every step, and what it opens for me.
    if (now.hasPlan && (!before.hasPlan || before.current != now.current || before.phase != now.phase)) {
        say(StringId::NoticePhase, {phaseName(now.phase), now.title});
        if (now.mayRecommend && !before.mayRecommend) say(StringId::NoticeRecommendOpen);
    }

    // The floor.
    if (now.haveFloor && !before.haveFloor) say(StringId::NoticeFloorGiven);
    else if (!now.haveFloor && before.haveFloor) say(StringId::NoticeFloorEnded);

    // Muted, and why; then unmuted.
    const bool wasMuted = before.mutedByModeration || before.mutedByPhase;
    const bool isMuted = now.mutedByModeration || now.mutedByPhase;
    if (now.mutedByModeration && !before.mutedByModeration) {
        if (now.mayUnmuteSelf) say(StringId::NoticeMutedSelfUnmute);
        else say(StringId::NoticeMutedByModerator);
    } else if (now.mutedByPhase && !before.mutedByPhase && !now.mutedByModeration) {
        say(StringId::NoticeMutedDidactic, {phaseName(now.phase)});
    } else if (!isMuted && wasMuted) {
        say(StringId::NoticeUnmuted);
    }

    // My hand.
    if (now.handPosition != 0 && now.handPosition != before.handPosition)
        say(StringId::NoticeHandPosition, {std::to_string(now.handPosition)});
    else if (now.handPosition == 0 && before.handPosition != 0 && !now.haveFloor)
        say(StringId::NoticeHandLowered);

    // Recording: everyone is told, every time it changes.
    if (now.recording != before.recording) {
        const char* phase = phaseName(now.phase);
        if (before.recording == sim::RecordingStatus::Off) say(StringId::NoticeRecordingStarted, {recordingPolicyName(now.recordingPolicy)});
        if (now.recording == sim::RecordingStatus::Paused) say(StringId::NoticeRecordingPaused, {phase});
        else if (now.recording == sim::RecordingStatus::Live && before.recording == sim::RecordingStatus::Paused)
            say(StringId::NoticeRecordingResumed, {phase});
        else if (now.recording == sim::RecordingStatus::Off) say(StringId::NoticeRecordingStopped);
    }
    // The room.
    if (now.locked && !before.locked) say(StringId::NoticeLocked);
    else if (!now.locked && before.locked) say(StringId::NoticeUnlocked);
    if (now.muteAll != before.muteAll) {
        if (now.muteAll == sim::MuteAll::Hard) say(StringId::NoticeMuteAllHard);
        else if (now.muteAll == sim::MuteAll::SelfUnmute) say(StringId::NoticeMuteAllSoft);
        else if (before.muteAll != sim::MuteAll::Off) say(StringId::NoticeMuteAllOff);
    }

    // Who runs the session.
    if (now.facilitator != before.facilitator && now.facilitator.valid()) {
        if (me && now.facilitator == self) say(StringId::NoticeYouFacilitate);
        else if (before.facilitator.valid()) say(StringId::NoticeFacilitationPassed, {nameOf(people, now.facilitator)});
    }
    if (now.coFacilitator != before.coFacilitator && now.coFacilitator.valid()) {
        if (me && now.coFacilitator == self) say(StringId::NoticeYouCoFacilitate);
        else say(StringId::NoticeCoFacilitatorNamed, {nameOf(people, now.coFacilitator)});
    }
    // The presenter's chair.
    if (now.chair != before.chair && now.chair.valid()) {
        if (me && now.chair == self) say(StringId::NoticeYouInChair);
        else say(StringId::NoticeInChair, {nameOf(people, now.chair)});
    }
    // Someone else's floor: who speaks to the room now.
    if (now.floor != before.floor && now.floor.valid() && !(me && now.floor == self))
        say(StringId::NoticeOtherFloor, {nameOf(people, now.floor)});
    return out;
}

std::string describePhase(const session::ClinicViewModel& v, std::uint32_t tick, double tickRate) {
    const sim::AgendaState& a = v.agenda();
    if (!a.hasPlan) return text(StringId::PrintNoPlan);
    const sim::AgendaEntry* e = v.currentEntry();
    const std::string elapsed = clockText(a.phaseStartTick, tick, tickRate);
    if (!e || e->plannedSeconds == 0)
        return text(StringId::PrintPhaseOpen, {phaseName(a.phase), e ? e->title : std::string(), elapsed});
    return text(StringId::PrintPhase, {phaseName(a.phase), e->title, elapsed,
                                       clockText(0, static_cast<std::uint32_t>(e->plannedSeconds), 1.0)});
}

std::string describeQueue(const sim::QueueState& q, std::span<const session::RemoteAvatar> people, std::uint32_t tick,
                          double tickRate) {
    if (q.entries.empty()) return text(StringId::PrintHandsNone);
    std::string list;
    for (std::size_t i = 0; i < q.entries.size(); ++i) {
        if (i) list += ", ";
        list += text(StringId::PrintHandItem, {std::to_string(i + 1), nameOf(people, q.entries[i].who),
                                               clockText(q.entries[i].sinceTick, tick, tickRate)});
    }
    return text(StringId::PrintHands, {list});
}

std::vector<const sim::BoardEntry*> currentBoard(const session::ClinicViewModel& v) {
    std::vector<const sim::BoardEntry*> out;
    const sim::AgendaState& a = v.agenda();
    if (!a.hasPlan || !sim::isCasePhase(a.phase)) return out;
    for (const sim::BoardEntry& b : v.board())
        if (b.caseIndex == a.caseIndex) out.push_back(&b);
    return out;
}

std::vector<std::string> describeBoard(const session::ClinicViewModel& v) {
    std::vector<std::string> out;
    for (const sim::BoardEntry* b : currentBoard(v)) {
        std::string flat = b->text;
        for (char& c : flat)
            if (c == '\n' || c == '\r' || c == '\t') c = ' ';
        out.push_back(text(b->consensus ? StringId::PrintBoardConsensus : StringId::PrintBoardEntry,
                           {std::to_string(b->id), b->authorName, roleName(b->authorRole), flat}));
    }
    return out;
}

std::vector<HeldSegment> heldSegments(std::string_view text, std::span<const net::WireFinding> findings) {
    std::vector<std::pair<std::uint32_t, std::uint32_t>> spans;
    for (const net::WireFinding& f : findings)
        if (f.begin < f.end && f.end <= text.size()) spans.emplace_back(f.begin, f.end);
    std::sort(spans.begin(), spans.end());
    std::vector<HeldSegment> out;
    std::uint32_t at = 0;
    for (const auto& [b, e] : spans) {
        if (e <= at) continue;                     // inside the previous span
        const std::uint32_t from = std::max(at, b);
        if (from > at) out.push_back({at, from, false});
        if (!out.empty() && out.back().held && out.back().end == from) out.back().end = e; // overlapping: merged
        else out.push_back({from, e, true});
        at = e;
    }
    if (at < text.size()) out.push_back({at, static_cast<std::uint32_t>(text.size()), false});
    return out;
}

} // namespace caseroom::client
