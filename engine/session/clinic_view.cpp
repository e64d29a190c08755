#include "session/clinic_view.h"

#include <algorithm>

#include "session/clinic_wire.h"

namespace caseroom::session {

bool ClinicViewModel::handles(net::ObjectKind kind) {
    switch (kind) {
    case net::ObjectKind::Agenda:
    case net::ObjectKind::AgendaEntry:
    case net::ObjectKind::Queue:
    case net::ObjectKind::Moderation:
    case net::ObjectKind::BoardEntry:
    case net::ObjectKind::ChatLine:
    case net::ObjectKind::Statement:
    case net::ObjectKind::Recording: return true;
    default: return false;
    }
}

void ClinicViewModel::reset() {
    *this = ClinicViewModel{};
}

namespace {
// Keeps `v` sorted by `keyOf`: replaces, inserts or (value empty) erases the element with `key`.
template <typename T, typename K, typename F>
void upsert(std::vector<T>& v, K key, const std::optional<T>& value, F keyOf) {
    auto it = std::lower_bound(v.begin(), v.end(), key, [&](const T& e, K k) { return keyOf(e) < k; });
    const bool found = it != v.end() && keyOf(*it) == key;
    if (!value) {
        if (found) v.erase(it);
    } else if (found) {
        *it = *value;
    } else {
        v.insert(it, *value);
    }
}
} // namespace

bool ClinicViewModel::apply(const net::ObjectUpdate& u) {
    const auto bytes = u.bytes.view();
    const std::uint16_t id = u.key.id;
    switch (u.key.kind) {
    case net::ObjectKind::Agenda: {
        if (u.removed) { agenda_ = {}; entries_.clear(); break; }
        const auto a = decodeAgenda(bytes);
        if (!a) return false;
        agenda_ = *a;
        entries_.resize(a->entryCount);
        break;
    }
    case net::ObjectKind::AgendaEntry: {
        if (id >= sim::kMaxPlanEntries) return false;
        if (u.removed) {
            if (id < entries_.size()) entries_[id] = {};
            break;
        }
        const auto e = decodeAgendaEntry(bytes);
        if (!e) return false;
        if (id >= entries_.size()) entries_.resize(id + 1u);
        entries_[id] = *e;
        break;
    }
    case net::ObjectKind::Queue: {
        if (id != sim::kHandsQueue && id != sim::kQuestionsQueue) return false;
        sim::QueueState& q = id == sim::kHandsQueue ? hands_ : questions_;
        if (u.removed) { q = {}; break; }
        const auto d = decodeQueue(bytes);
        if (!d) return false;
        q = *d;
        break;
    }
    case net::ObjectKind::Recording: {
        if (u.removed) { recording_ = {}; break; }
        const auto r = decodeRecording(bytes);
        if (!r) return false;
        recording_ = *r;
        break;
    }
    case net::ObjectKind::Moderation: {
        if (u.removed) { moderation_ = {}; break; }
        const auto m = decodeModeration(bytes);
        if (!m) return false;
        moderation_ = *m;
        break;
    }
    case net::ObjectKind::BoardEntry: {
        std::optional<sim::BoardEntry> e;
        if (!u.removed) {
            e = decodeBoardEntry(bytes);
            if (!e || e->id != id) return false;
        }
        upsert(board_, id, e, [](const sim::BoardEntry& b) { return b.id; });
        break;
    }
    case net::ObjectKind::ChatLine: {
        if (id >= sim::kMaxChatLines) return false;
        // The object's id is a ring slot: the line it held before is replaced.
        auto it = std::find_if(chat_.begin(), chat_.end(), [&](const sim::ChatLine& l) { return l.seq % sim::kMaxChatLines == id; });
        if (it != chat_.end()) chat_.erase(it);
        if (!u.removed) {
            const auto l = decodeChatLine(bytes);
            if (!l || l->seq % sim::kMaxChatLines != id) return false;
            upsert(chat_, l->seq, l, [](const sim::ChatLine& c) { return c.seq; });
        }
        break;
    }
    case net::ObjectKind::Statement: {
        if (id >= sim::kMaxStatements) return false;
        if (u.removed) {
            // Keep the others at their ids (an erase would shift them onto the
            // wrong objects): the slot empties, trailing empty ones go.
            if (id < statements_.size()) statements_[id] = {};
            while (!statements_.empty() && statements_.back() == sim::Statement{}) statements_.pop_back();
            break;
        }
        const auto st = decodeStatement(bytes);
        if (!st) return false;
        if (id >= statements_.size()) statements_.resize(id + 1u);
        statements_[id] = *st;
        break;
    }
    default: return false;
    }
    ++changes_;
    return true;
}

const sim::AgendaEntry* ClinicViewModel::currentEntry() const {
    if (!agenda_.hasPlan || agenda_.current >= entries_.size()) return nullptr;
    return &entries_[agenda_.current];
}

std::size_t ClinicViewModel::handPosition(core::EntityId who) const {
    for (std::size_t i = 0; i < hands_.entries.size(); ++i)
        if (hands_.entries[i].who == who) return i + 1;
    return 0;
}

bool ClinicViewModel::isMuted(core::EntityId who) const {
    return std::binary_search(moderation_.muted.begin(), moderation_.muted.end(), who.value);
}

} // namespace caseroom::session
