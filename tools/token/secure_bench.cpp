// caseroom-secure-bench: the CPU cost of CaseRoom's security layer on this
// machine, single thread. Prints a Markdown table for BENCHMARKS.md.
//   caseroom-secure-bench [--quick]
// Rows: a server's work per connection request (token open + challenge), per
// full handshake (both round trips, both sides), and the per-packet seal/open
// cost of the secure channel at typical message sizes.
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string_view>
#include <vector>

#include "net/secure/channel.h"
#include "net/secure/handshake.h"
#include "net/secure/token.h"

using namespace caseroom;
using namespace caseroom::net::secure;

namespace {

using Clock = std::chrono::steady_clock;
double secondsSince(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

constexpr std::uint64_t kNow = 1'800'000'000;

} // namespace

int main(int argc, char** argv) {
    const std::string_view arg = argc > 1 ? std::string_view(argv[1]) : std::string_view();
    if (arg == "--help" || arg == "-h") {
        std::puts("usage: caseroom-secure-bench [--quick]\n"
                  "\n"
                  "Cost of the security layer, one thread: handshake requests answered, whole\n"
                  "handshakes, and sealing / opening datagrams of 32, 160 and 1200 bytes. Prints a\n"
                  "markdown table (BENCHMARKS.md \"## Security\").\n"
                  "\n"
                  "  --quick  fewer rounds (a smoke run)\n"
                  "  --help   this text");
        return 0;
    }
    if (argc > 2 || (argc == 2 && arg != "--quick")) {
        std::fprintf(stderr, "caseroom-secure-bench: unknown argument '%s' (see --help)\n", argc > 2 ? argv[2] : argv[1]);
        return 2;
    }
    const bool quick = arg == "--quick";
    if (!initCrypto()) return 1;
    SystemRandom rnd;
    Key secret{};
    rnd.fill(secret);
    MintDesc d;
    d.userId = 1;
    d.displayName = "Bench Spoke";
    d.roomCode = "demo";
    d.nowUnix = kNow;
    auto tok = mintToken(d, secret, rnd);
    if (!tok) return 1;

    // The budgets on unproven handshake work are lifted: this measures the work itself.
    ServerHandshakeConfig cfg;
    cfg.tokenOpensPerSecond = 1e12;
    cfg.requestsPerSourcePerSecond = 1e12;
    cfg.requestSourceBurst = 1e12;
    cfg.maxAdmissions = 1u << 20;
    ServerHandshake server(Keyring(secret), rnd, cfg);
    std::printf("| measure | value |\n|---|---|\n");

    // 1. Request -> challenge (what a flood costs the server per datagram).
    {
        ClientHandshake client(*tok, rnd, 0.0);
        Datagram req, reply;
        (void)client.poll(0, req);
        const int n = quick ? 2000 : 50000;
        const auto t0 = Clock::now();
        for (int i = 0; i < n; ++i) (void)server.receive(req.view(), PeerAddress{static_cast<std::uint32_t>(i), 1}, kNow, 1.0, reply);
        const double s = secondsSince(t0);
        std::printf("| connection requests verified + challenged per second | %.0f (%.2f us each) |\n", n / s, s / n * 1e6);
    }
    // 2. Full handshakes: client request, server challenge, client response,
    // server admission + Accepted, client accept.
    {
        const int n = quick ? 1000 : 20000;
        const auto t0 = Clock::now();
        for (int i = 0; i < n; ++i) {
            ClientHandshake client(*tok, rnd, 0.0);
            Datagram out, reply;
            const PeerAddress from{0x0100007F, static_cast<std::uint16_t>(i)};
            (void)client.poll(0, out);
            (void)server.receive(out.view(), from, kNow, 1.0, reply);
            (void)client.receive(reply.view(), 0);
            (void)client.poll(0, out);
            const auto r = server.receive(out.view(), from, kNow, 1.0, reply);
            (void)client.receive(reply.view(), 0);
            if (client.state() != ClientHandshakeState::Admitted || !r.admission) return 1;
            server.release(r.admission->id);
        }
        const double s = secondsSince(t0);
        std::printf("| full handshakes per second (both sides, one core) | %.0f (%.2f us each) |\n", n / s, s / n * 1e6);
    }
    // 3. Per-datagram channel cost (one seal per UDP datagram, ENet header included).
    SessionKeys ck, sk;
    rnd.fill(ck.send);
    rnd.fill(ck.receive);
    sk.send = ck.receive;
    sk.receive = ck.send;
    for (std::size_t size : {32u, 160u, 1200u}) {
        SecureChannel c(ck), s(sk);
        std::vector<std::uint8_t> plain(size, 0x5A), pkt, out;
        pkt.reserve(size + kSealedOverhead);
        out.reserve(size);
        const int n = quick ? 20000 : 400000;
        std::vector<std::vector<std::uint8_t>> sealed;
        double sealS = 0, openS = 0;
        const int batch = 1000;
        sealed.resize(batch);
        for (auto& v : sealed) v.reserve(size + kSealedOverhead);
        for (int done = 0; done < n; done += batch) {
            auto t0 = Clock::now();
            for (int i = 0; i < batch; ++i) (void)c.seal(plain, sealed[static_cast<std::size_t>(i)]);
            sealS += secondsSince(t0);
            t0 = Clock::now();
            for (int i = 0; i < batch; ++i)
                if (s.open(sealed[static_cast<std::size_t>(i)], out) != OpenResult::Ok) return 1;
            openS += secondsSince(t0);
        }
        std::printf("| seal / open, %zu-byte datagram (+%zu bytes on the wire) | %.0f ns / %.0f ns |\n", size,
                    kSealedOverhead, sealS / n * 1e9, openS / n * 1e9);
    }
    return 0;
}
