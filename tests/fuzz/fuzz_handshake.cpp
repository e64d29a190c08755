// Handshake datagrams, both ends.
// Raw mode (first byte not 'M'): the input is one datagram, fed to a fresh
// server (from an address picked by the last byte) and to a fresh client.
// Mutation mode ('M' + mask): a real request, challenge and response are made
// with the fixed key, the mask is XORed over the response (and the challenge),
// and the results are fed back, so the exact-length paths behind the size
// checks are exercised. Properties: no crash, no reply larger than its cause,
// an admission only when find() agrees.
#include <algorithm>
#include <cstdint>
#include <span>

#include "fuzz_common.h"
#include "net/secure/handshake.h"

using namespace caseroom::net::secure;
namespace fz = caseroom::fuzz;

namespace {

void feedServer(ServerHandshake& server, std::span<const std::uint8_t> in, PeerAddress from) {
    Datagram reply;
    const auto r = server.receive(in, from, fz::kNow, 0.0, reply);
    if (reply.size > in.size()) __builtin_trap(); // never amplify
    if (r.event == ServerHandshakeEvent::Admitted && server.find(from) == nullptr) __builtin_trap();
}

void mask(Datagram& d, std::span<const std::uint8_t> m) {
    for (std::size_t i = 0; i < std::min(d.size, m.size()); ++i) d.bytes[i] ^= m[i];
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const bool ready = initCrypto();
    if (!ready) return 0;
    static fz::Deterministic rnd(1);
    const std::span<const std::uint8_t> in(data, size);
    PeerAddress from{0x0100007F, 40000};
    if (size > 0 && (data[size - 1] & 0x80)) from.port = 40001;

    ServerHandshake server(Keyring(fz::secretKey()), rnd);
    ClientHandshake client(fz::token(), rnd, 0.0);
    if (size == 0 || data[0] != 'M') {
        feedServer(server, in, from);
        (void)client.receive(in, 0.0);
        Datagram out;
        (void)client.poll(0.0, out);
        return 0;
    }
    const auto m = in.subspan(1);
    Datagram req, challenge, resp;
    (void)client.poll(0.0, req);
    (void)server.receive(req.view(), PeerAddress{0x0100007F, 40000}, fz::kNow, 0.0, challenge);
    Datagram mutatedChallenge = challenge;
    mask(mutatedChallenge, m);
    ClientHandshake other(fz::token(), rnd, 0.0);
    (void)other.receive(mutatedChallenge.view(), 0.0);
    if (!client.receive(challenge.view(), 0.0) || !client.poll(0.0, resp)) return 0;
    mask(resp, m);
    feedServer(server, resp.view(), from);
    return 0;
}
