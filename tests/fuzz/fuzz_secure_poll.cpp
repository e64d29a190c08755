// The secure server's datagram path as ENet's socket hook drives it: each
// input is [source selector][datagram]; the datagram goes through
// SecureTransport::inbound (handshake, sealed-datagram opening, the
// per-address connection table) and then poll() runs the housekeeping and
// ENet. One transport lives across inputs, so state built by earlier inputs
// (admissions, used cookies) meets later ones. Properties: no crash, nothing
// handed to ENet larger than its buffer, no peer connected without the
// handshake.
#include <cstdint>
#include <memory>
#include <span>

#include "fuzz_common.h"
#include "net/secure/secure_transport.h"

using namespace caseroom::net;
using namespace caseroom::net::secure;
namespace fz = caseroom::fuzz;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const bool ready = initCrypto();
    if (!ready || size < 1) return 0;
    static fz::Deterministic rnd(5);
    static std::unique_ptr<SecureTransport> server = [] {
        SecureServerDesc d;
        d.enet.bind = {"127.0.0.1", 0};
        d.keys = Keyring(fz::secretKey());
        d.unixClock = [] { return fz::kNow; };
        auto t = SecureTransport::createServer(std::move(d), rnd);
        return t.ok() ? std::move(*t) : nullptr;
    }();
    if (!server) return 0;
    static double now = 1.0;
    now += 0.01;
    const RawAddress from{0x0100007F, static_cast<std::uint16_t>(40000 + (data[0] & 7))};
    std::uint8_t out[4096];
    const std::size_t n = server->inbound(std::span(data + 1, size - 1), from, std::span(out));
    if (n > sizeof out) __builtin_trap();
    TransportEvent ev;
    while (server->poll(now, ev))
        if (ev.type == TransportEventType::Connected && server->identity(ev.peer) == nullptr) __builtin_trap();
    return 0;
}
