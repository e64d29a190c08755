// [SECTION] refusals and the text gate (screening budget, the PHI screen, colleagues' names)
// [SECTION] plan and roster
// [SECTION] board intents
// [SECTION] chat intents
// [SECTION] publishing
#include "session/board_host.h"

#include <algorithm>
#include <string_view>

#include "clinic/phi_screen.h"
#include "session/clinic_wire.h"
#include "sim/board.h"
#include "sim/chat.h"

namespace caseroom::session {
namespace {

// ---- [SECTION] refusals and the text gate -----------------------------------

net::RefusalReason toWire(sim::RoundTextError e) {
    switch (e) {
    case sim::RoundTextError::NotPermitted: return net::RefusalReason::NotPermitted;
    case sim::RoundTextError::WrongPhase: return net::RefusalReason::WrongPhase;
    case sim::RoundTextError::NoAgenda: return net::RefusalReason::NoAgenda;
    case sim::RoundTextError::NoSuchEntry: return net::RefusalReason::NoSuchEntry;
    case sim::RoundTextError::NotAuthor: return net::RefusalReason::NotAuthor;
    case sim::RoundTextError::BoardFull: return net::RefusalReason::BoardFull;
    case sim::RoundTextError::BadText: return net::RefusalReason::BadText;
    case sim::RoundTextError::QueueFull: return net::RefusalReason::QueueFull;
    case sim::RoundTextError::NotInQueue: return net::RefusalReason::NotInQueue;
    case sim::RoundTextError::Count: break;
    }
    return net::RefusalReason::NotPermitted;
}

BoardHost::Outcome refusal(std::optional<sim::RoundTextError> e) {
    BoardHost::Outcome out;
    if (e) out.refused = toWire(*e);
    return out;
}

bool isAsciiSpace(char c) { return c == ' ' || c == '\t' || c == '\n'; }
char foldAscii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// A word as the name matching compares it: ASCII letters folded, a trailing
// possessive ("'s", U+2019 "s") and trailing dots dropped.
std::string nameKey(std::string_view w) {
    std::string k;
    k.reserve(w.size());
    for (char c : w) k.push_back(foldAscii(c));
    if (k.size() > 2 && k.compare(k.size() - 2, 2, "'s") == 0) k.resize(k.size() - 2);
    else if (k.size() > 4 && k.compare(k.size() - 4, 4, "\xe2\x80\x99s") == 0) k.resize(k.size() - 4);
    while (!k.empty() && k.back() == '.') k.pop_back();
    return k;
}

template <typename F>
void forEachWord(std::string_view text, F&& f) {
    std::size_t i = 0;
    while (i < text.size()) {
        while (i < text.size() && (isAsciiSpace(text[i]) || text[i] == ',' || text[i] == ':' || text[i] == ';')) ++i;
        std::size_t e = i;
        while (e < text.size() && !isAsciiSpace(text[e]) && text[e] != ',' && text[e] != ':' && text[e] != ';') ++e;
        if (e > i) f(text.substr(i, e - i));
        i = e;
    }
}

bool isTitle(std::string_view key) {
    constexpr std::string_view kTitles[] = {"dr", "mr", "mrs", "ms", "miss", "mx", "prof", "doctor", "professor"};
    return std::find(std::begin(kTitles), std::end(kTitles), key) != std::end(kTitles);
}

// The PHI screen flags names after titles and cues ("Dr Okafor", "talked
// with Jane Okafor"); a colleague's name is not PHI. A Name finding whose
// words are all titles or parts of a known name (the roster's, the
// presenters') is dropped. Known names are deliberately NOT passed to the
// screen as ScreenContext::knownNames: the screen flags those (they are the
// names that must not appear in a case), the opposite of what chat needs.
bool colleagueOnly(std::string_view span, const std::vector<std::string>& knownNames) {
    bool any = false, all = true;
    forEachWord(span, [&](std::string_view w) {
        if (!all) return;
        const std::string key = nameKey(w);
        if (key.empty() || isTitle(key)) return;
        bool found = false;
        for (const std::string& name : knownNames) {
            forEachWord(name, [&](std::string_view part) { found = found || nameKey(part) == key; });
            if (found) break;
        }
        any = true;
        all = found;
    });
    return any && all;
}

// What the gate decided: go on (nullopt) or answer `outcome`.
struct Gate {
    std::uint32_t& screensLeft;
    std::uint64_t& held;
    sim::EventStream* events;
    const std::vector<std::string>& knownNames;

    std::optional<BoardHost::Outcome> screen(const sim::ClinicActor& actor, net::IntentKind intent, std::uint16_t clientSeq,
                                             std::string_view field, std::string_view text, std::uint16_t panel,
                                             std::uint32_t tick) {
        if (screensLeft == 0) {
            BoardHost::Outcome out;
            out.refused = net::RefusalReason::RateLimited;
            return out;
        }
        --screensLeft;
        auto findings = clinic::screenText(field, text);
        findings.erase(std::remove_if(findings.begin(), findings.end(),
                                      [&](const clinic::PhiFinding& f) {
                                          return f.kind == clinic::PhiKind::Name && f.end <= text.size() && f.begin < f.end &&
                                                 colleagueOnly(text.substr(f.begin, f.end - f.begin), knownNames);
                                      }),
                       findings.end());
        if (findings.empty()) return std::nullopt;
        net::TextHeld h;
        h.intent = intent;
        h.clientSeq = clientSeq;
        std::uint32_t kinds = 0;
        for (const clinic::PhiFinding& f : findings) {
            kinds |= 1u << static_cast<unsigned>(f.kind);
            if (h.findings.size() < net::kMaxWireFindings)
                h.findings.push_back(net::WireFinding{std::string(field), f.begin, f.end, static_cast<std::uint32_t>(f.kind)});
        }
        ++held;
        if (events) {
            sim::RoomEvent e;
            e.tick = tick;
            e.actor = actor.id;
            e.kind = sim::RoomEventKind::TextHeld;
            e.panel = panel;
            e.value = kinds;
            events->push(e);   // never the text
        }
        BoardHost::Outcome out;
        out.refused = net::RefusalReason::PhiHeld;
        out.held = std::move(h);
        return out;
    }
};

} // namespace

BoardHost::BoardHost(sim::EventStream* events, BoardConfig config)
    : board_(std::make_unique<sim::BoardSystem>(events)), chat_(std::make_unique<sim::ChatSystem>(events)), events_(events),
      config_(config), screensLeft_(config.screensPerTick) {}

BoardHost::~BoardHost() = default;

// ---- [SECTION] plan and roster ----------------------------------------------

namespace {
void addName(std::vector<std::string>& names, const std::string& name) {
    if (name.empty() || std::find(names.begin(), names.end(), name) != names.end()) return;
    names.push_back(name);
}
} // namespace

void BoardHost::setPlan(const sim::SessionPlan& plan) {
    // A new session: the boards and the chat start empty, numbered from 1.
    board_->reset();
    chat_->reset();
    for (const sim::AgendaEntry& e : plan.entries) addName(knownNames_, e.presenter);
}

void BoardHost::join(const sim::ClinicActor& who) { addName(knownNames_, who.name); }

void BoardHost::leave(core::EntityId who, std::uint32_t tick) {
    board_->leave(who);
    chat_->leave(who, tick);
}

// ---- [SECTION] board intents ------------------------------------------------

BoardHost::Outcome BoardHost::onIntent(const sim::ClinicActor& actor, const sim::RoundView& round, const net::BoardIntent& m,
                                       std::uint32_t tick) {
    using Op = net::BoardIntent::Op;
    Gate gate{screensLeft_, held_, events_, knownNames_};
    const auto panel = static_cast<std::uint16_t>(round.caseIndex);
    // Cheap checks first: a refused intent costs no screen.
    auto textGate = [&](std::string_view field) -> std::optional<Outcome> {
        if (!sim::checkText(m.text, sim::kMaxEntryTextBytes, true)) return refusal(sim::RoundTextError::BadText);
        return gate.screen(actor, net::IntentKind::Board, m.clientSeq, field, m.text, panel, tick);
    };
    switch (m.op) {
    case Op::Post: {
        if (auto err = board_->canPost(actor, round)) return refusal(err);
        if (auto out = textGate("recommendation")) return *out;
        return refusal(board_->post(actor, round, m.text, tick));
    }
    case Op::Edit: {
        if (auto err = board_->canEdit(actor, round, m.entry)) return refusal(err);
        const sim::BoardEntry* e = board_->find(m.entry);
        if (auto out = textGate(e && e->consensus ? "summary" : "recommendation")) return *out;
        return refusal(board_->edit(actor, round, m.entry, m.text, tick));
    }
    case Op::Withdraw: return refusal(board_->withdraw(actor, round, m.entry, tick));
    case Op::Summary: {
        if (auto err = board_->canSummary(actor, round)) return refusal(err);
        if (auto out = textGate("summary")) return *out;
        return refusal(board_->summary(actor, round, m.text, tick));
    }
    case Op::Count: break;
    }
    Outcome out;
    out.refused = net::RefusalReason::BadValue;
    return out;
}

// ---- [SECTION] chat intents -------------------------------------------------

BoardHost::Outcome BoardHost::onIntent(const sim::ClinicActor& actor, const sim::RoundView& round, const net::ChatIntent& m,
                                       std::uint32_t tick) {
    using Op = net::ChatIntent::Op;
    Gate gate{screensLeft_, held_, events_, knownNames_};
    auto textGate = [&](std::string_view field) -> std::optional<Outcome> {
        if (!sim::checkText(m.text, sim::kMaxEntryTextBytes, false)) return refusal(sim::RoundTextError::BadText);
        return gate.screen(actor, net::IntentKind::Chat, m.clientSeq, field, m.text, 0, tick);
    };
    switch (m.op) {
    case Op::Say: {
        if (auto err = chat_->canSay(actor, round)) return refusal(err);
        if (auto out = textGate("chat")) return *out;
        return refusal(chat_->say(actor, round, m.text, tick));
    }
    case Op::Ask: {
        if (auto err = chat_->canAsk(actor, round)) return refusal(err);
        if (auto out = textGate("question")) return *out;
        return refusal(chat_->ask(actor, round, m.text, tick));
    }
    case Op::Withdraw: return refusal(chat_->withdraw(actor, round, m.seq, tick));
    case Op::Answered: return refusal(chat_->answered(actor, round, m.seq, tick));
    case Op::TakeNext: return refusal(chat_->takeNext(actor, round, tick));
    case Op::Count: break;
    }
    Outcome out;
    out.refused = net::RefusalReason::BadValue;
    return out;
}

// ---- [SECTION] publishing ---------------------------------------------------

void BoardHost::tick(std::uint32_t /*tick*/, net::ObjectTable& objects) {
    screensLeft_ = config_.screensPerTick;
    net::ObjectBytes bytes;

    std::vector<std::uint16_t> ids;
    board_->takeDirty(ids);
    for (std::uint16_t id : ids) {
        const net::ObjectKey key{net::ObjectKind::BoardEntry, id};
        if (const sim::BoardEntry* e = board_->find(id)) {
            if (!encodeBoardEntry(*e, bytes) || !objects.set(key, bytes.view())) ++publishFailures_;
        } else {
            objects.remove(key);
        }
    }

    std::vector<std::uint32_t> seqs;
    chat_->takeDirtyLines(seqs);
    const auto& lines = chat_->lines();
    for (std::uint32_t seq : seqs) {
        // A key holds whichever live line has seq % kMaxChatLines (at most
        // one: the ring holds that many consecutive seqs), or nothing.
        const auto id = static_cast<std::uint16_t>(seq % sim::kMaxChatLines);
        const net::ObjectKey key{net::ObjectKind::ChatLine, id};
        const auto it = std::find_if(lines.begin(), lines.end(), [&](const sim::ChatLine& l) { return l.seq % sim::kMaxChatLines == id; });
        if (it == lines.end()) objects.remove(key);
        else if (!encodeChatLine(*it, bytes) || !objects.set(key, bytes.view())) ++publishFailures_;
    }

    if (chat_->takeQueueDirty()) {
        if (!encodeQueue(chat_->questions(), bytes) ||
            !objects.set(net::ObjectKey{net::ObjectKind::Queue, sim::kQuestionsQueue}, bytes.view()))
            ++publishFailures_;
    }
}

} // namespace caseroom::session
