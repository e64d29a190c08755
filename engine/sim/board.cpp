#include "sim/board.h"

#include <algorithm>

#include "core/utf8.h"

namespace caseroom::sim {

static_assert(kMaxCaseEntries + 1 < kMaxBoardEntries, "the current case's board (and its consensus) must fit beside nothing else");

const char* toString(RoundTextError e) {
    switch (e) {
    case RoundTextError::NotPermitted: return "not permitted";
    case RoundTextError::WrongPhase: return "not in this phase";
    case RoundTextError::NoAgenda: return "no session plan";
    case RoundTextError::NoSuchEntry: return "no such entry";
    case RoundTextError::NotAuthor: return "not the author";
    case RoundTextError::BoardFull: return "the board is full";
    case RoundTextError::BadText: return "bad text";
    case RoundTextError::QueueFull: return "the question queue is full";
    case RoundTextError::NotInQueue: return "no such queued question";
    case RoundTextError::Count: break;
    }
    return "?";
}

std::optional<std::string_view> checkText(std::string_view text, std::size_t maxBytes, bool lines) {
    if (text.size() > maxBytes || !core::validUtf8(text)) return std::nullopt;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c < 0x20) {
            if (!(lines && (c == '\n' || c == '\t'))) return std::nullopt;
        } else if (c == 0x7F) {
            return std::nullopt;
        } else if (c == 0xC2 && i + 1 < text.size()) {
            // U+0080..U+009F (C1 controls) are C2 80..C2 9F in valid UTF-8.
            const auto n = static_cast<unsigned char>(text[i + 1]);
            if (n >= 0x80 && n <= 0x9F) return std::nullopt;
        } else if (c == 0xE2 && i + 2 < text.size() && static_cast<unsigned char>(text[i + 1]) == 0x80) {
            // U+2028 and U+2029 (line and paragraph separators): a line break
            // the board writes as '\n' and chat has none of.
            const auto n = static_cast<unsigned char>(text[i + 2]);
            if (n == 0xA8 || n == 0xA9) return std::nullopt;
        }
    }
    constexpr std::string_view kSpace = " \t\n";
    const auto first = text.find_first_not_of(kSpace);
    if (first == std::string_view::npos) return std::nullopt;
    const auto last = text.find_last_not_of(kSpace);
    return text.substr(first, last - first + 1);
}

BoardSystem::BoardSystem(EventStream* events) : events_(events) {
    entries_.reserve(kMaxBoardEntries);
    authorUser_.reserve(kMaxBoardEntries);
}

void BoardSystem::reset() {
    if (!entries_.empty()) ++version_;
    for (const BoardEntry& e : entries_) dirty_.push_back(e.id);
    entries_.clear();
    authorUser_.clear();
    nextId_ = 1;
}

void BoardSystem::leave(core::EntityId who) {
    if (!who.valid()) return;
    for (BoardEntry& e : entries_)
        if (e.author == who) {
            e.author = core::EntityId::invalid();
            dirty_.push_back(e.id);
            ++version_;
        }
}

void BoardSystem::emit(std::uint32_t tick, core::EntityId actor, RoomEventKind kind, std::uint8_t caseIndex, std::uint16_t id,
                       std::string_view text) {
    if (!events_) return;
    RoomEvent e;
    e.tick = tick;
    e.actor = actor;
    e.kind = kind;
    e.panel = caseIndex;
    e.value = id;
    e.text = std::string(text);
    events_->push(e);
}

int BoardSystem::indexOf(std::uint16_t id) const {
    for (std::size_t i = 0; i < entries_.size(); ++i)
        if (entries_[i].id == id) return static_cast<int>(i);
    return -1;
}

const BoardEntry* BoardSystem::find(std::uint16_t id) const {
    const int i = indexOf(id);
    return i < 0 ? nullptr : &entries_[static_cast<std::size_t>(i)];
}

const BoardEntry* BoardSystem::consensus(std::uint8_t caseIndex) const {
    for (const BoardEntry& e : entries_)
        if (e.consensus && e.caseIndex == caseIndex) return &e;
    return nullptr;
}

std::size_t BoardSystem::countFor(std::uint8_t caseIndex) const {
    return static_cast<std::size_t>(
        std::count_if(entries_.begin(), entries_.end(), [&](const BoardEntry& e) { return !e.consensus && e.caseIndex == caseIndex; }));
}

bool BoardSystem::isAuthor(const ClinicActor& actor, std::size_t index) const {
    // The user id survives a reconnect (a new entity slot); the entity is the
    // fallback for actors without one (tests, guests).
    const std::uint64_t user = authorUser_[index];
    if (user != 0 && actor.userId != 0) return user == actor.userId;
    return actor.id.valid() && entries_[index].author == actor.id;
}

// Role and phase from the one table; the plan and the case are the round's.
std::optional<RoundTextError> BoardSystem::gate(const ClinicActor& actor, const RoundView& round, Action action) const {
    const auto denial = check(actor.role, actor.holding, action, round.phase);
    if (denial == Denial::NotPermitted) return RoundTextError::NotPermitted;
    if (!round.hasPlan || round.caseIndex >= kMaxPlanCases) return RoundTextError::NoAgenda;
    if (denial) return RoundTextError::WrongPhase;
    if (!isCasePhase(round.phase)) return RoundTextError::WrongPhase;
    return std::nullopt;
}

std::optional<RoundTextError> BoardSystem::canPost(const ClinicActor& actor, const RoundView& round) const {
    if (auto err = gate(actor, round, Action::Recommend)) return err;
    if (countFor(round.caseIndex) >= kMaxCaseEntries || nextId_ == 0) return RoundTextError::BoardFull;
    return std::nullopt;
}

std::optional<RoundTextError> BoardSystem::canSummary(const ClinicActor& actor, const RoundView& round) const {
    if (auto err = gate(actor, round, Action::WriteSummary)) return err;
    if (!consensus(round.caseIndex) && nextId_ == 0) return RoundTextError::BoardFull;
    return std::nullopt;
}

std::optional<RoundTextError> BoardSystem::canChange(const ClinicActor& actor, const RoundView& round, std::uint16_t id) const {
    const int i = indexOf(id);
    // Who may act on it depends on the entry; an unknown one is refused as
    // the plainest intent on it would be (NotPermitted before NoSuchEntry).
    const Action action = i >= 0 && entries_[static_cast<std::size_t>(i)].consensus ? Action::WriteSummary : Action::Recommend;
    if (auto err = gate(actor, round, action)) return err;
    if (i < 0) return RoundTextError::NoSuchEntry;
    const BoardEntry& e = entries_[static_cast<std::size_t>(i)];
    // A case's board is open only while it is the current case.
    if (e.caseIndex != round.caseIndex) return RoundTextError::WrongPhase;
    if (!e.consensus && !isAuthor(actor, static_cast<std::size_t>(i))) return RoundTextError::NotAuthor;
    return std::nullopt;
}

std::optional<RoundTextError> BoardSystem::canEdit(const ClinicActor& actor, const RoundView& round, std::uint16_t id) const {
    return canChange(actor, round, id);
}

std::optional<RoundTextError> BoardSystem::canWithdraw(const ClinicActor& actor, const RoundView& round, std::uint16_t id) const {
    return canChange(actor, round, id);
}

void BoardSystem::makeRoom(std::uint8_t caseIndex) {
    while (entries_.size() >= kMaxBoardEntries) {
        // entries_ is in id order: the first of another case is its oldest.
        const auto it = std::find_if(entries_.begin(), entries_.end(), [&](const BoardEntry& e) { return e.caseIndex != caseIndex; });
        if (it == entries_.end()) return;   // unreachable: kMaxCaseEntries + 1 < kMaxBoardEntries
        const auto at = it - entries_.begin();
        dirty_.push_back(it->id);
        entries_.erase(it);
        authorUser_.erase(authorUser_.begin() + at);
        ++retired_;
        ++version_;
    }
}

std::optional<RoundTextError> BoardSystem::post(const ClinicActor& actor, const RoundView& round, std::string_view text,
                                                std::uint32_t tick, std::uint16_t* id) {
    if (auto err = canPost(actor, round)) return err;
    const auto clean = checkText(text, kMaxEntryTextBytes, true);
    if (!clean) return RoundTextError::BadText;
    makeRoom(round.caseIndex);
    BoardEntry e;
    e.id = nextId_++;
    e.caseIndex = round.caseIndex;
    e.author = actor.id;
    e.authorName = actor.name;
    e.authorRole = actor.role;
    e.postedTick = tick;
    e.text = std::string(*clean);
    entries_.push_back(e);
    authorUser_.push_back(actor.userId);
    dirty_.push_back(e.id);
    ++version_;
    if (id) *id = e.id;
    emit(tick, actor.id, RoomEventKind::RecommendationPosted, e.caseIndex, e.id, e.text);
    return std::nullopt;
}

std::optional<RoundTextError> BoardSystem::edit(const ClinicActor& actor, const RoundView& round, std::uint16_t id,
                                                std::string_view text, std::uint32_t tick) {
    if (auto err = canEdit(actor, round, id)) return err;
    const auto clean = checkText(text, kMaxEntryTextBytes, true);
    if (!clean) return RoundTextError::BadText;
    const auto at = static_cast<std::size_t>(indexOf(id));
    BoardEntry& e = entries_[at];
    if (e.text == *clean) return std::nullopt;   // nothing changed: no edit to audit
    e.text = std::string(*clean);
    e.editedTick = tick;
    if (e.consensus) {
        // The consensus is whoever wrote it last.
        e.author = actor.id;
        e.authorName = actor.name;
        e.authorRole = actor.role;
        authorUser_[at] = actor.userId;
    }
    dirty_.push_back(id);
    ++version_;
    emit(tick, actor.id, e.consensus ? RoomEventKind::SummaryWritten : RoomEventKind::RecommendationEdited, e.caseIndex, e.id, e.text);
    return std::nullopt;
}

std::optional<RoundTextError> BoardSystem::withdraw(const ClinicActor& actor, const RoundView& round, std::uint16_t id,
                                                    std::uint32_t tick) {
    if (auto err = canWithdraw(actor, round, id)) return err;
    const auto at = static_cast<std::size_t>(indexOf(id));
    const std::uint8_t caseIndex = entries_[at].caseIndex;
    entries_.erase(entries_.begin() + static_cast<std::ptrdiff_t>(at));
    authorUser_.erase(authorUser_.begin() + static_cast<std::ptrdiff_t>(at));
    dirty_.push_back(id);
    ++version_;
    emit(tick, actor.id, RoomEventKind::RecommendationWithdrawn, caseIndex, id, {});
    return std::nullopt;
}

std::optional<RoundTextError> BoardSystem::summary(const ClinicActor& actor, const RoundView& round, std::string_view text,
                                                   std::uint32_t tick, std::uint16_t* id) {
    if (auto err = canSummary(actor, round)) return err;
    const auto clean = checkText(text, kMaxEntryTextBytes, true);
    if (!clean) return RoundTextError::BadText;
    const BoardEntry* existing = consensus(round.caseIndex);
    if (existing) {
        const auto at = static_cast<std::size_t>(indexOf(existing->id));
        BoardEntry& e = entries_[at];
        if (id) *id = e.id;
        if (e.text == *clean && e.author == actor.id) return std::nullopt;
        e.text = std::string(*clean);
        e.editedTick = tick;
        e.author = actor.id;
        e.authorName = actor.name;
        e.authorRole = actor.role;
        authorUser_[at] = actor.userId;
        dirty_.push_back(e.id);
        ++version_;
        emit(tick, actor.id, RoomEventKind::SummaryWritten, e.caseIndex, e.id, e.text);
        return std::nullopt;
    }
    makeRoom(round.caseIndex);
    BoardEntry e;
    e.id = nextId_++;
    e.caseIndex = round.caseIndex;
    e.author = actor.id;
    e.authorName = actor.name;
    e.authorRole = actor.role;
    e.postedTick = tick;
    e.consensus = true;
    e.text = std::string(*clean);
    entries_.push_back(e);
    authorUser_.push_back(actor.userId);
    dirty_.push_back(e.id);
    ++version_;
    if (id) *id = e.id;
    emit(tick, actor.id, RoomEventKind::SummaryWritten, e.caseIndex, e.id, e.text);
    return std::nullopt;
}

} // namespace caseroom::sim
