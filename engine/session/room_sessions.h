// The session clock of the server's rooms (a RoomEventReader): for each
// room, until when its scheduled session keeps it open, from the clinic
// database: max(end, extendedUntil) + the program's overrun, or 0 when no
// session holds the room (Records::sessionAt). The value is refreshed by a
// writer job every refreshSeconds and after each extension, and read from
// memory (never a database read on the tick): the secure transport keeps a
// peer whose token has expired while its room is open
// (SecureServerDesc::roomOpenUntil), and the host refuses SessionExtend in
// a room with no open session (ServerConfig::sessionOpen).
//
// SessionExtended events (the facilitator's SessionExtend, permitted by the
// host) become a job: Records::extendSession moves the end (its edit is a
// RecordEdit row through the audit hook) and a SessionExtended audit row
// names who, with the old and the new end; a session that ended meanwhile
// gets a refused row instead. The job checks the roster, not the token: the
// person (the token's user id) must be active on the program's roster in a
// role that may ExtendSession (sim::permitted), else the row says refused
// and, once it is committed, onRefused() tells the host (IntentRefused to
// the client): someone demoted after their invitation was issued cannot.
// Thread rule: the server thread; jobs on the writer's.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "session/audit_log.h"
#include "session/room_events.h"
#include "store/writer.h"

namespace caseroom::session {

struct RoomSessionsConfig {
    double refreshSeconds = 5.0;      // how often each room's open-until is read again
};

class RoomSessions final : public RoomEventReader {
public:
    RoomSessions(store::Writer& writer, AuditKey key, std::vector<std::string> rooms, RoomSessionsConfig config = {});

    void onTick(const RoomTick& t) override;
    // Posts a refresh of every room now (at start; the reply fills the values).
    void refresh(std::uint64_t unixNow);
    // Unix seconds until which `room` stays open; 0: no session holds it (or not known yet).
    [[nodiscard]] std::uint64_t openUntil(std::string_view room) const;
    [[nodiscard]] bool open(std::string_view room, std::uint64_t unixNow) const { return unixNow < openUntil(room); }
    [[nodiscard]] std::uint64_t extensions() const { return extensions_; }       // carried out (replies drained)
    [[nodiscard]] std::uint64_t refreshFailures() const { return failures_; }
    // Called (server thread, from a reply) for each extension the roster refused.
    using Refused = std::function<void(const RoomActor& who)>;
    void onRefused(Refused f) { refused_ = std::move(f); }

private:
    void post(std::vector<std::string> rooms, std::uint64_t unixNow);
    store::Writer& writer_;
    AuditKey key_;
    std::vector<std::string> rooms_;
    RoomSessionsConfig config_;
    std::unordered_map<std::string, std::uint64_t> until_;
    std::uint64_t nextRefresh_ = 0;
    std::uint64_t extensions_ = 0, failures_ = 0;
    Refused refused_;
};

} // namespace caseroom::session
