#include "sim/chat.h"

#include <algorithm>

namespace caseroom::sim {

ChatSystem::ChatSystem(EventStream* events) : events_(events) {
    lines_.reserve(kMaxChatLines);
    questions_.entries.reserve(kMaxQueue);
}

void ChatSystem::reset() {
    if (!lines_.empty()) ++linesVersion_;
    if (!questions_.entries.empty()) {
        ++queueVersion_;
        queueDirty_ = true;
    }
    for (const ChatLine& l : lines_) dirtyLines_.push_back(l.seq);
    lines_.clear();
    questions_.entries.clear();
    nextSeq_ = 1;
}

void ChatSystem::emit(std::uint32_t tick, core::EntityId actor, RoomEventKind kind, std::uint32_t seq, std::string_view text) {
    if (!events_) return;
    RoomEvent e;
    e.tick = tick;
    e.actor = actor;
    e.kind = kind;
    e.value = seq;
    e.text = std::string(text);
    events_->push(e);
}

const ChatLine* ChatSystem::find(std::uint32_t seq) const {
    for (const ChatLine& l : lines_)
        if (l.seq == seq) return &l;
    return nullptr;
}

std::optional<RoundTextError> ChatSystem::gate(const ClinicActor& actor, const RoundView& round, Action action) {
    if (const auto denial = check(actor.role, actor.holding, action, round.phase))
        return *denial == Denial::WrongPhase ? RoundTextError::WrongPhase : RoundTextError::NotPermitted;
    return std::nullopt;
}

std::optional<RoundTextError> ChatSystem::canSay(const ClinicActor& actor, const RoundView& round) const {
    if (auto err = gate(actor, round, Action::Chat)) return err;
    if (nextSeq_ == 0) return RoundTextError::QueueFull;   // 2^32 lines: never in a real session
    return std::nullopt;
}

std::optional<RoundTextError> ChatSystem::canAsk(const ClinicActor& actor, const RoundView& round) const {
    if (auto err = gate(actor, round, Action::AskQuestion)) return err;
    if (questions_.entries.size() >= kMaxQueue || nextSeq_ == 0) return RoundTextError::QueueFull;
    return std::nullopt;
}

std::uint32_t ChatSystem::append(const ClinicActor& actor, ChatKind kind, std::string_view text, std::uint32_t tick) {
    ChatLine l;
    l.seq = nextSeq_++;
    l.kind = kind;
    l.author = actor.id;
    l.authorName = actor.name;
    l.authorRole = actor.role;
    l.tick = tick;
    l.text = std::string(text);
    if (lines_.size() >= kMaxChatLines) lines_.erase(lines_.begin());
    dirtyLines_.push_back(l.seq);
    lines_.push_back(std::move(l));
    ++linesVersion_;
    return lines_.back().seq;
}

std::optional<RoundTextError> ChatSystem::say(const ClinicActor& actor, const RoundView& round, std::string_view text,
                                              std::uint32_t tick, std::uint32_t* seq) {
    if (auto err = canSay(actor, round)) return err;
    const auto clean = checkText(text, kMaxEntryTextBytes, false);
    if (!clean) return RoundTextError::BadText;
    const std::uint32_t s = append(actor, ChatKind::Chat, *clean, tick);
    if (seq) *seq = s;
    emit(tick, actor.id, RoomEventKind::ChatSaid, s, *clean);
    return std::nullopt;
}

std::optional<RoundTextError> ChatSystem::ask(const ClinicActor& actor, const RoundView& round, std::string_view text,
                                              std::uint32_t tick, std::uint32_t* seq) {
    if (auto err = canAsk(actor, round)) return err;
    const auto clean = checkText(text, kMaxEntryTextBytes, false);
    if (!clean) return RoundTextError::BadText;
    const std::uint32_t s = append(actor, ChatKind::Question, *clean, tick);
    questions_.entries.push_back(QueueEntry{actor.id, tick, s});
    ++queueVersion_;
    queueDirty_ = true;
    if (seq) *seq = s;
    emit(tick, actor.id, RoomEventKind::QuestionAsked, s, *clean);
    return std::nullopt;
}

void ChatSystem::take(std::size_t index, core::EntityId actor, std::uint32_t tick) {
    const std::uint32_t seq = questions_.entries[index].line;
    questions_.entries.erase(questions_.entries.begin() + static_cast<std::ptrdiff_t>(index));
    ++queueVersion_;
    queueDirty_ = true;
    for (ChatLine& l : lines_)
        if (l.seq == seq && !l.answered) {
            l.answered = true;
            dirtyLines_.push_back(l.seq);
            ++linesVersion_;
        }
    emit(tick, actor, RoomEventKind::QuestionAnswered, seq, {});
}

std::optional<RoundTextError> ChatSystem::withdraw(const ClinicActor& actor, const RoundView& round, std::uint32_t seq,
                                                   std::uint32_t tick) {
    if (auto err = gate(actor, round, Action::AskQuestion)) return err;
    const auto& q = questions_.entries;
    const auto it = std::find_if(q.begin(), q.end(), [&](const QueueEntry& e) { return e.line == seq && e.who == actor.id; });
    if (!actor.id.valid() || it == q.end()) return RoundTextError::NotInQueue;
    take(static_cast<std::size_t>(it - q.begin()), actor.id, tick);
    return std::nullopt;
}

std::optional<RoundTextError> ChatSystem::answered(const ClinicActor& actor, const RoundView& round, std::uint32_t seq,
                                                   std::uint32_t tick) {
    if (auto err = gate(actor, round, Action::RunFloor)) return err;
    const auto& q = questions_.entries;
    const auto it = std::find_if(q.begin(), q.end(), [&](const QueueEntry& e) { return e.line == seq; });
    if (it == q.end()) return RoundTextError::NotInQueue;
    take(static_cast<std::size_t>(it - q.begin()), actor.id, tick);
    return std::nullopt;
}

std::optional<RoundTextError> ChatSystem::takeNext(const ClinicActor& actor, const RoundView& round, std::uint32_t tick,
                                                   std::uint32_t* seq) {
    if (auto err = gate(actor, round, Action::RunFloor)) return err;
    if (questions_.entries.empty()) return RoundTextError::NotInQueue;
    if (seq) *seq = questions_.entries.front().line;
    take(0, actor.id, tick);
    return std::nullopt;
}

void ChatSystem::leave(core::EntityId who, std::uint32_t tick) {
    if (!who.valid()) return;
    for (std::size_t i = 0; i < questions_.entries.size();) {
        if (questions_.entries[i].who == who) take(i, who, tick);
        else ++i;
    }
    for (ChatLine& l : lines_)
        if (l.author == who) {
            l.author = core::EntityId::invalid();
            dirtyLines_.push_back(l.seq);
            ++linesVersion_;
        }
}

} // namespace caseroom::sim
