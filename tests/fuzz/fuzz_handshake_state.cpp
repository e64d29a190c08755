// The server handshake as a state machine over several addresses and tokens:
// the input is a script of (op, arg) byte pairs. Invariants checked after
// every step: at most one admission per token and per address; an admission
// for an address is what find() returns; a Resent never changes keys; a
// released admission is never re-admitted by a replayed Response; connection
// keys never repeat across admissions.
//   op 0: client c (= arg % 3) sends a request   op 1: c answers its challenge
//   op 2: c's response is replayed               op 3: mark c's admission connected
//   op 4: release c's admission                  op 5: advance time by arg/16 s
//   op 6: c moves to another address (new port)  op 7: c restarts its handshake
#include <array>
#include <cstdint>
#include <memory>
#include <set>
#include <span>

#include "fuzz_common.h"
#include "net/secure/handshake.h"

using namespace caseroom::net::secure;
namespace fz = caseroom::fuzz;

namespace {
struct Client {
    std::unique_ptr<ClientHandshake> hs;
    PeerAddress address;
    Datagram lastResponse;
    std::uint64_t admission = 0;
};
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const bool ready = initCrypto();
    if (!ready) return 0;
    fz::Deterministic rnd(size);
    ServerHandshakeConfig cfg;
    cfg.maxAdmissions = 4;
    ServerHandshake server(Keyring(fz::secretKey()), rnd, cfg);
    // Two clients share one token (the same person on two computers), one has its own.
    static const ConnectToken other = [] {
        fz::Deterministic r(99);
        MintDesc d;
        d.userId = 4;
        d.displayName = "Other";
        d.roomCode = "demo";
        d.nowUnix = fz::kNow - 10;
        d.lifetimeSeconds = 86400;
        auto t = mintToken(d, fz::secretKey(), r);
        return t.ok() ? *t : ConnectToken{};
    }();
    std::array<Client, 3> clients;
    for (std::size_t i = 0; i < clients.size(); ++i) {
        clients[i].address = PeerAddress{0x0100007F, static_cast<std::uint16_t>(40000 + i)};
        clients[i].hs = std::make_unique<ClientHandshake>(i == 2 ? other : fz::token(), rnd, 0.0);
    }
    std::set<std::array<std::uint8_t, kKeyBytes>> keysSeen;
    double now = 1.0;
    std::uint16_t nextPort = 50000;
    for (std::size_t i = 0; i + 1 < size; i += 2) {
        Client& c = clients[data[i + 1] % clients.size()];
        Datagram out, reply;
        ServerHandshakeResult r;
        bool fed = false;
        switch (data[i] % 8) {
        case 0:
        case 1:
            if (c.hs->poll(now + 1000, out)) { // due at once: the resend interval is on the client's clock
                r = server.receive(out.view(), c.address, fz::kNow, now, reply);
                fed = true;
                if (out.size >= 2 && out.bytes[1] == 3) c.lastResponse = out;
                if (reply.size) (void)c.hs->receive(reply.view(), now + 1000);
            }
            break;
        case 2:
            if (c.lastResponse.size) {
                r = server.receive(c.lastResponse.view(), c.address, fz::kNow, now, reply);
                fed = true;
            }
            break;
        case 3: if (c.admission) (void)server.markConnected(c.admission); break;
        case 4:
            if (c.admission) {
                server.release(c.admission);
                c.admission = 0;
            }
            break;
        case 5: now += data[i + 1] / 16.0; server.update(now); break;
        case 6: c.address.port = nextPort++; break;
        case 7: c.hs = std::make_unique<ClientHandshake>(&c == &clients[2] ? other : fz::token(), rnd, now); c.lastResponse = {}; break;
        }
        if (reply.size > kMaxHandshakeBytes) __builtin_trap();
        if (fed && r.event == ServerHandshakeEvent::Admitted) {
            if (!r.admission || server.find(c.address) != r.admission) __builtin_trap();
            if (!keysSeen.insert(r.admission->keys.receive).second) __builtin_trap(); // keys never repeat
            for (auto& other2 : clients)
                for (const Replaced& rep : r.replaced)
                    if (rep.id && other2.admission == rep.id) other2.admission = 0;
            c.admission = r.admission->id;
        }
        if (fed && r.event == ServerHandshakeEvent::Resent) {
            if (!r.admission || r.admission->id != c.admission || server.find(c.address) != r.admission) __builtin_trap();
        }
        // Invariants over the whole table.
        std::set<std::uint64_t> tokens;
        std::set<std::uint64_t> addresses;
        std::size_t n = 0;
        server.forEachAdmission([&](const Admission& a) {
            ++n;
            if (!tokens.insert(a.tokenId).second) __builtin_trap();
            if (!addresses.insert((static_cast<std::uint64_t>(a.address.host) << 16) | a.address.port).second) __builtin_trap();
            if (server.find(a.address) != &a || server.findId(a.id) != &a) __builtin_trap();
        });
        if (n != server.admissionCount()) __builtin_trap();
    }
    return 0;
}
