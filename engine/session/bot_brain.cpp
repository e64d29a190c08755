// [SECTION] movement  [SECTION] slides  [SECTION] clinic script
#include "session/bot_brain.h"

#include <cmath>
#include <string>
#include <vector>

namespace caseroom::session {

const char* toString(BotMode m) {
    switch (m) {
    case BotMode::FindSeat: return "finding a seat";
    case BotMode::Seated: return "seated";
    case BotMode::Wander: return "wandering";
    case BotMode::Pause: return "standing";
    case BotMode::Count: break;
    }
    return "?";
}

namespace {
float planarLength(glm::vec2 v) { return std::sqrt(v.x * v.x + v.y * v.y); }
} // namespace

// [SECTION] movement
void BotBrain::chooseSeat(const ClientSession& s, glm::vec2 at) {
    const sim::RoomLayout* layout = s.layout();
    seat_.reset();
    if (!layout || layout->seats.empty()) return;
    std::vector<bool> taken(layout->seats.size(), false);
    for (const RemoteAvatar& a : s.avatars())
        if (a.hasPose && !a.self && a.pose.seated() && a.pose.seat < taken.size()) taken[a.pose.seat] = true;
    // Prefer table seats, then the nearest free ones, with a little chance.
    float best = 1e30f;
    for (std::uint16_t i = 0; i < layout->seats.size(); ++i) {
        if (taken[i]) continue;
        const sim::Seat& seat = layout->seats[i];
        const float score = planarLength(seat.position - at) + (seat.atTable ? 0.0f : 6.0f) + rng_.uniformf(0.0f, 4.0f);
        if (score < best) { best = score; seat_ = i; }
    }
}

glm::vec2 BotBrain::steer(const sim::RoomLayout& layout, glm::vec2 at, glm::vec2 target) const {
    glm::vec2 to = target - at;
    const float dist = planarLength(to);
    if (dist < 1e-3f) return glm::vec2(0.0f);
    glm::vec2 dir = to / dist;
    // If the straight line passes through the table, walk around it.
    const glm::vec2 c = layout.tableCenter - at;
    const float along = c.x * dir.x + c.y * dir.y;
    const float clearance = layout.tableRadius + sim::kAvatarRadius + 0.25f;
    if (along > 0 && along < dist) {
        const glm::vec2 closest = at + dir * along;
        const glm::vec2 off = closest - layout.tableCenter;
        const float miss = planarLength(off);
        if (miss < clearance) {
            glm::vec2 side = miss > 1e-3f ? off / miss : glm::vec2(-dir.y, dir.x);
            const glm::vec2 waypoint = layout.tableCenter + side * (clearance + 0.3f);
            const glm::vec2 w = waypoint - at;
            const float wl = planarLength(w);
            if (wl > 1e-3f) dir = w / wl;
        }
    }
    const float speed = dist < 0.5f ? dist / 0.5f : 1.0f; // slow down on arrival
    return dir * speed;
}

void BotBrain::lookAt(const sim::AvatarPose& me, glm::vec3 target) {
    const glm::vec3 eye = me.headPosition();
    const glm::vec3 d = target - eye;
    const float worldYaw = sim::yawToward({eye.x, eye.z}, {target.x, target.z});
    intent_.headYaw = sim::wrapAngle(worldYaw - intent_.bodyYaw);
    const float horiz = std::sqrt(d.x * d.x + d.z * d.z);
    intent_.headPitch = std::atan2(d.y, std::max(horiz, 0.1f));
}

// [SECTION] slides
void BotBrain::stepSlides(ClientSession& s, double now) {
    if (!show_ || now < nextSlideAt_) return;
    if (show_->deck.empty()) {
        const auto offered = s.decks();
        if (offered.empty()) return; // not offered yet (or none): ask again next tick
        show_->deck = offered.front().deck;
        show_->slides = offered.front().slides;
    }
    if (show_->slides == 0) return;
    nextSlideAt_ = now + show_->secondsPerSlide;
    sim::PanelCommand c;
    c.panel = show_->panel;
    c.deck = show_->deck;
    const auto panels = s.panels();
    if (show_->panel >= panels.size() || panels[show_->panel].deck != show_->deck) {
        c.op = sim::PanelOp::ShowDeck;
    } else {
        c.op = sim::PanelOp::SetSlide;
        c.index = static_cast<std::uint16_t>((panels[show_->panel].slide + 1u) % show_->slides);
    }
    s.sendPanelIntent(c);
}

void BotBrain::think(ClientSession& s, double now) {
    const sim::AvatarPose* me = s.selfPose();
    const sim::RoomLayout* layout = s.layout();
    if (!me || !layout || s.state() != ClientState::InRoom) return;
    stepSlides(s, now);
    stepClinic(s, now);
    const glm::vec2 at{me->body.x, me->body.z};
    intent_.move = glm::vec2(0.0f);

    if (me->seated()) {
        if (mode_ != BotMode::Seated) { mode_ = BotMode::Seated; nextLookAt_ = now; }
        intent_.bodyYaw = me->bodyYaw;
        if (now >= nextLookAt_) {
            // Mostly the presenter at the front; sometimes a neighbour or the table.
            const double r = rng_.uniform();
            glm::vec3 target{layout->front.x, 1.6f, layout->front.y};
            if (r > 0.5) {
                const auto others = s.avatars();
                std::vector<const RemoteAvatar*> near;
                for (const RemoteAvatar& a : others)
                    if (!a.self && a.hasPose && planarLength(glm::vec2(a.pose.body.x, a.pose.body.z) - at) < 3.0f) near.push_back(&a);
                if (!near.empty()) target = near[rng_.below(static_cast<std::uint32_t>(near.size()))]->pose.headPosition();
            } else if (r > 0.4) {
                target = {layout->tableCenter.x, 0.8f, layout->tableCenter.y};
            }
            lookAt(*me, target);
            nextLookAt_ = now + 2.0 + rng_.uniform() * 4.0;
        } else if (rng_.chance(0.02)) {
            intent_.headYaw += rng_.uniformf(-0.05f, 0.05f); // shift slightly
        }
        s.setIntent(intent_);
        return;
    }

    if (wanderer_) {
        if (mode_ == BotMode::Pause && now < pauseUntil_) {
            if (rng_.chance(0.03)) intent_.headYaw = rng_.uniformf(-1.0f, 1.0f);
            s.setIntent(intent_);
            return;
        }
        mode_ = BotMode::Wander;
        if (!hasWanderTarget_) {
            const glm::vec2 lim = layout->halfExtents - glm::vec2(1.0f);
            wanderTarget_ = layout->resolveCollision({rng_.uniformf(-lim.x, lim.x), rng_.uniformf(-lim.y, lim.y)});
            hasWanderTarget_ = true;
        }
        if (planarLength(wanderTarget_ - at) < 0.3f) {
            hasWanderTarget_ = false;
            mode_ = BotMode::Pause;
            pauseUntil_ = now + 1.0 + rng_.uniform() * 3.0;
            s.setIntent(intent_);
            return;
        }
        intent_.move = steer(*layout, at, wanderTarget_);
        if (planarLength(intent_.move) > 0.05f) intent_.bodyYaw = sim::yawToward(at, at + intent_.move);
        intent_.headYaw = 0.0f;
        intent_.headPitch = 0.0f;
        s.setIntent(intent_);
        return;
    }

    mode_ = BotMode::FindSeat;
    // Re-pick when the seat was taken by someone else, or sitting keeps failing.
    bool retarget = !seat_;
    if (seat_) {
        for (const RemoteAvatar& a : s.avatars())
            if (!a.self && a.hasPose && a.pose.seat == *seat_) retarget = true;
        if (sitAskedAt_ >= 0 && now - sitAskedAt_ > 1.0) { retarget = true; ++failedSits_; sitAskedAt_ = -1; }
    }
    if (retarget) chooseSeat(s, at);
    if (!seat_) { s.setIntent(intent_); return; }
    const sim::Seat& seat = layout->seats[*seat_];
    const float dist = planarLength(seat.position - at);
    if (dist < sim::kSitReach * 0.7f) {
        if (sitAskedAt_ < 0) {
            s.requestSit(*seat_);
            sitAskedAt_ = now;
        }
    } else {
        intent_.move = steer(*layout, at, seat.position);
        if (planarLength(intent_.move) > 0.05f) intent_.bodyYaw = sim::yawToward(at, at + intent_.move);
    }
    intent_.headYaw = 0.0f;
    intent_.headPitch = 0.0f;
    s.setIntent(intent_);
}

} // namespace caseroom::session

// [SECTION] clinic script
namespace caseroom::session {

const char* toString(ClinicPart p) {
    switch (p) {
    case ClinicPart::Facilitator: return "facilitator";
    case ClinicPart::Specialist: return "specialist";
    case ClinicPart::Spoke: return "spoke";
    case ClinicPart::Count: break;
    }
    return "?";
}

namespace {
// Synthetic clinical text only (no names, dates or places: the PHI screen
// runs on every line and would hold them, which is its job, not the demo's).
constexpr const char* kQuestions[] = {
    "Would you check HCV RNA again before starting treatment?",
    "Is the ALT trend relevant to the choice of regimen?",
    "Does the fibrosis score change the length of treatment?",
    "Was there any prior exposure to NS5A inhibitors?",
};
constexpr const char* kRecommendations[] = {
    "Check the resistance profile before retreatment.",
    "Repeat the viral load at week 4 and at the end of treatment.",
    "Screen for hepatitis B co-infection before starting direct-acting antivirals.",
    "Review drug interactions with the current medication list.",
    "Refer for elastography to stage the fibrosis.",
    "Offer harm-reduction services and follow up at the spoke clinic.",
};
template <std::size_t N>
const char* pick(core::Rng& rng, const char* const (&list)[N]) {
    return list[rng.below(static_cast<std::uint32_t>(N))];
}
bool handsPhase(sim::Phase p) { return p == sim::Phase::Didactic || p == sim::Phase::CaseQuestions; }
} // namespace

void BotBrain::playClinic(std::optional<ClinicScript> script) {
    script_ = std::move(script);
    progress_ = {};
    phaseIndex_ = -1;
}

void BotBrain::stepClinic(ClientSession& s, double now) {
    if (!script_) return;
    const ClinicViewModel& v = s.clinic();
    const sim::AgendaState& a = v.agenda();
    // Recording: agree when asked; the facilitator starts it as the session begins.
    if (script_->acknowledgeRecording && v.recording().status != sim::RecordingStatus::Off && !s.recordingAcknowledged()) {
        s.acknowledgeRecording();
        ++progress_.recordingsAcknowledged;
    }
    // With a plan it starts as the session leaves the lobby; a room without one has no session to wait for.
    if (script_->record && script_->part == ClinicPart::Facilitator && !recordAsked_ && s.state() == ClientState::InRoom &&
        (!a.hasPlan || a.phase != sim::Phase::Lobby) && v.recording().status == sim::RecordingStatus::Off) {
        net::RecordingIntent r;
        r.op = net::RecordingIntent::Op::Start;
        s.sendClinic(r);
        recordAsked_ = true;
        ++progress_.recordingsStarted;
    }
    // ... and stops it when the agenda has ended (the file is closed with its index).
    if (script_->record && script_->part == ClinicPart::Facilitator && recordAsked_ && !recordStopped_ && a.hasPlan &&
        a.phase == sim::Phase::Ended && v.recording().status != sim::RecordingStatus::Off) {
        net::RecordingIntent r;
        r.op = net::RecordingIntent::Op::Stop;
        s.sendClinic(r);
        recordStopped_ = true;
    }
    if (!a.hasPlan) return; // no session plan (yet): nothing to play
    if (phaseIndex_ != static_cast<int>(a.current)) {
        // A new phase in our view: plan this phase's moves from here.
        phaseIndex_ = a.current;
        phaseSeenAt_ = now;
        ++progress_.phasesSeen;
        actAt_ = now + script_->phaseSeconds * (0.1 + 0.4 * rng_.uniform());
        // Spokes raise a hand in the didactic by chance, and in every case's
        // clarifying questions (so each case gets its question).
        wantsFloor_ = a.phase == sim::Phase::CaseQuestions || (a.phase == sim::Phase::Didactic && rng_.chance(script_->raiseChance));
        raised_ = posted_ = summarised_ = false;
        takenAt_ = -1;
        callsThisPhase_ = 0;
        nextAskedAt_ = -1;
    }
    if (a.phase == sim::Phase::Ended) {
        progress_.finished = true;
        return;
    }
    // Who holds the floor, as the view shows it, and since when.
    const sim::ModerationState& m = v.moderation();
    if (m.floor != floorSeen_) {
        floorSeen_ = m.floor;
        floorSeenAt_ = now;
        askedOnFloor_ = releasedFloor_ = false;
        if (m.floor == s.self()) ++progress_.floorsHeld;
    }
    if (script_->part == ClinicPart::Facilitator) facilitate(s, now);
    else participate(s, now);
}

void BotBrain::facilitate(ClientSession& s, double now) {
    const ClinicViewModel& v = s.clinic();
    const sim::AgendaState& a = v.agenda();
    const sim::ModerationState& m = v.moderation();
    const double inPhase = now - phaseSeenAt_;
    const double T = script_->phaseSeconds;
    bool ready = inPhase >= T;
    switch (a.phase) {
    case sim::Phase::Lobby:
        ready = ready && s.avatars().size() >= script_->startWith;
        break;
    case sim::Phase::Didactic:
    case sim::Phase::CaseQuestions: {
        // The queue: the first hand gets the floor, a while later it ends.
        const bool someoneElse = m.floor.valid() && m.floor != s.self();
        if (!m.floor.valid() && !v.hands().entries.empty() && inPhase >= 0.25 * T && callsThisPhase_ < 3 &&
            (lastCallAt_ < 0 || now - lastCallAt_ > 0.5)) {
            net::FloorIntent f;
            f.op = net::FloorIntent::Op::CallNext;
            s.sendClinic(f);
            lastCallAt_ = now;
            ++callsThisPhase_;
            ++progress_.floorsCalled;
        } else if (someoneElse && !releasedFloor_ && now - floorSeenAt_ > std::max(2.0, 0.5 * T)) {
            // The speaker hands the floor back first; this ends it if they do not.
            net::FloorIntent f;
            f.op = net::FloorIntent::Op::Release;
            s.sendClinic(f);
            releasedFloor_ = true;
        }
        // Queued questions are taken in turn, one a second (each once: the
        // view drops it from the queue when the server has taken it).
        if (a.phase == sim::Phase::CaseQuestions && !v.questions().entries.empty() && inPhase >= 0.5 * T &&
            v.questions().entries.front().line != lastTaken_ && (takenAt_ < 0 || now - takenAt_ > 1.0)) {
            net::ChatIntent c;
            c.op = net::ChatIntent::Op::TakeNext;
            c.clientSeq = ++clientSeq_;
            s.sendClinic(c);
            lastTaken_ = v.questions().entries.front().line;
            takenAt_ = now;
            ++progress_.questionsTaken;
        }
        // Give the floor its time before moving on (at most twice the phase).
        if (m.floor.valid() && inPhase < 2 * T) ready = false;
        break;
    }
    case sim::Phase::CaseSummary:
        if (!summarised_ && inPhase >= 0.2 * T) {
            std::size_t entries = 0;
            for (const sim::BoardEntry& e : v.board())
                if (e.caseIndex == a.caseIndex && !e.consensus) ++entries;
            net::BoardIntent b;
            b.op = net::BoardIntent::Op::Summary;
            b.clientSeq = ++clientSeq_;
            b.text = "Consensus for case " + std::to_string(a.caseIndex + 1) + " (" + std::to_string(entries) +
                     " recommendations): check resistance, treat for 12 weeks, repeat the viral load at week 4.";
            s.sendClinic(b);
            summarised_ = true;
            ++progress_.summaries;
        }
        ready = ready && summarised_;
        break;
    default: break;
    }
    if (!ready) return;
    // Advance; resend only if the view has not moved on after a while (a
    // refusal or a lost race), so one phase is one Next.
    if (nextAskedAt_ >= 0 && now - nextAskedAt_ < 2.0) return;
    net::AgendaIntent next;
    next.op = net::AgendaIntent::Op::Next;
    s.sendClinic(next);
    nextAskedAt_ = now;
    ++progress_.advances;
}

void BotBrain::participate(ClientSession& s, double now) {
    const ClinicViewModel& v = s.clinic();
    const sim::AgendaState& a = v.agenda();
    const sim::ModerationState& m = v.moderation();
    const core::EntityId me = s.self();
    if (m.floor == me) {
        // Given the floor: in the questions, ask; then hand it back.
        if (a.phase == sim::Phase::CaseQuestions && !askedOnFloor_ && now - floorSeenAt_ > 0.3) {
            net::ChatIntent c;
            c.op = net::ChatIntent::Op::Ask;
            c.clientSeq = ++clientSeq_;
            c.text = pick(rng_, kQuestions);
            s.sendClinic(c);
            askedOnFloor_ = true;
            ++progress_.questionsAsked;
        }
        if (!releasedFloor_ && now - floorSeenAt_ > std::max(0.8, 0.25 * script_->phaseSeconds)) {
            net::FloorIntent f;
            f.op = net::FloorIntent::Op::Release;
            s.sendClinic(f);
            releasedFloor_ = true;
        }
        return;
    }
    if (handsPhase(a.phase) && script_->part == ClinicPart::Spoke && wantsFloor_ && !raised_ && now >= actAt_ &&
        v.handPosition(me) == 0) {
        net::FloorIntent f;
        f.op = net::FloorIntent::Op::Raise;
        s.sendClinic(f);
        raised_ = true;
        ++progress_.handsRaised;
    }
    if (a.phase == sim::Phase::CaseRecommendations && !posted_ && now >= actAt_) {
        net::BoardIntent b;
        b.op = net::BoardIntent::Op::Post;
        b.clientSeq = ++clientSeq_;
        b.text = pick(rng_, kRecommendations);
        s.sendClinic(b);
        posted_ = true;
        ++progress_.recommendations;
    }
}

} // namespace caseroom::session
