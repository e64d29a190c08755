// A secure server core and secure clients on 127.0.0.1 over real ENet, with
// tokens minted from a fresh deployment key: the product's real join path.
#pragma once
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <set>
#include <span>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "core/cli.h"
#include "net/secure/secure_transport.h"
#include "session/audit_log.h"
#include "session/client_session.h"
#include "session/server_host.h"

namespace caseroom::test {

inline std::uint64_t unixNow() { return core::cli::unixSecondsNow(); }

// 127.0.0.1:`port`, and a nonblocking UDP socket bound there on a free port (relays).
inline sockaddr_in loopbackAddress(std::uint16_t port) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return a;
}
inline int loopbackUdpSocket() {
    const int sock = ::socket(AF_INET, SOCK_DGRAM, 0);
    const sockaddr_in a = loopbackAddress(0);
    ::bind(sock, reinterpret_cast<const sockaddr*>(&a), sizeof a);
    ::fcntl(sock, F_SETFL, O_NONBLOCK);
    return sock;
}

// A UDP relay on loopback between one client and the server: records every
// datagram both ways and can tamper with client-to-server traffic. `inject`
// sends from the relay's socket, i.e. with the client's apparent address.
struct Relay {
    int sock = -1;
    sockaddr_in server{};
    sockaddr_in client{};
    bool haveClient = false;
    std::vector<std::vector<std::uint8_t>> captured;
    std::function<void(std::vector<std::uint8_t>&, std::vector<std::vector<std::uint8_t>>& extra)> tamper;

    explicit Relay(std::uint16_t serverPort) : sock(loopbackUdpSocket()), server(loopbackAddress(serverPort)) {}
    ~Relay() { ::close(sock); }
    std::uint16_t port() const {
        sockaddr_in a{};
        socklen_t len = sizeof a;
        ::getsockname(sock, reinterpret_cast<sockaddr*>(&a), &len);
        return ntohs(a.sin_port);
    }
    void inject(std::span<const std::uint8_t> d) {
        ::sendto(sock, d.data(), d.size(), 0, reinterpret_cast<const sockaddr*>(&server), sizeof server);
    }
    void pump() {
        std::uint8_t buf[65536];
        for (;;) {
            sockaddr_in from{};
            socklen_t len = sizeof from;
            const ssize_t n = ::recvfrom(sock, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &len);
            if (n < 0) return;
            std::vector<std::uint8_t> d(buf, buf + n);
            captured.push_back(d);
            const bool fromServer = from.sin_port == server.sin_port && from.sin_addr.s_addr == server.sin_addr.s_addr;
            if (fromServer) {
                if (haveClient) ::sendto(sock, d.data(), d.size(), 0, reinterpret_cast<sockaddr*>(&client), sizeof client);
                continue;
            }
            client = from;
            haveClient = true;
            std::vector<std::vector<std::uint8_t>> extra;
            if (tamper) tamper(d, extra);
            ::sendto(sock, d.data(), d.size(), 0, reinterpret_cast<sockaddr*>(&server), sizeof server);
            for (auto& e : extra) ::sendto(sock, e.data(), e.size(), 0, reinterpret_cast<sockaddr*>(&server), sizeof server);
        }
    }
};

struct SecureWorld {
    net::secure::SystemRandom random;
    net::secure::Key secret{};
    std::unique_ptr<net::secure::SecureTransport> serverT;
    session::MemoryAudit audit;
    std::unique_ptr<session::ServerHost> server;
    std::vector<std::unique_ptr<net::secure::SecureTransport>> clientT;
    std::vector<std::unique_ptr<session::ClientSession>> clients;
    std::chrono::steady_clock::time_point t0 = std::chrono::steady_clock::now();
    net::Address address;
    std::uint64_t nextUser = 100;
    std::vector<net::secure::AccessEvent> access; // what the transport reported (identity pointers cleared)
    std::set<std::uint64_t> revokedUsers;           // consulted by the handshake, like a revocation list

    // `configure` may add to the server's config (a session plan, readers, hooks) before the host is made.
    // `transport` may change the server transport's description (limits per address).
    explicit SecureWorld(std::string roomName = "Demo teleECHO clinic", std::function<void(session::ServerConfig&)> configure = {},
                         std::function<void(net::secure::SecureServerDesc&)> transport = {}) {
        (void)net::secure::initCrypto();
        random.fill(secret);
        net::secure::SecureServerDesc d;
        d.enet.bind = {"127.0.0.1", 0};
        d.keys = net::secure::Keyring(secret);
        d.unixClock = unixNow;
        d.handshake.roomHosted = [](std::string_view room) { return room == "demo"; };
        d.handshake.revoked = [this](std::uint64_t, std::uint64_t user) { return revokedUsers.contains(user); };
        d.onAccess = [this](const net::secure::AccessEvent& e) {
            access.push_back(e);
            access.back().identity = nullptr;
        };
        if (transport) transport(d);
        auto t = net::secure::SecureTransport::createServer(std::move(d), random);
        if (!t) throw std::runtime_error(t.error().message);
        serverT = std::move(*t);
        address = {"127.0.0.1", serverT->boundPort()};
        session::ServerConfig cfg;
        sim::RoomSpec spec;
        spec.name = std::move(roomName);
        cfg.rooms = {spec};
        cfg.audit = &audit;
        if (configure) configure(cfg);
        server = std::make_unique<session::ServerHost>(*serverT, cfg);
    }
    double clockOffset = 0; // where the callers' monotonic clock starts (e.g. seconds since boot)
    double now() const { return clockOffset + std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(); }

    net::secure::ConnectToken mint(const std::string& name, core::Role role = core::Role::Spoke, std::string room = "demo",
                                   const net::secure::Key* key = nullptr, std::uint64_t created = 0, std::uint64_t lifetime = 3600) {
        net::secure::MintDesc m;
        m.userId = nextUser++;
        m.displayName = name;
        m.roomCode = std::move(room);
        m.role = role;
        m.nowUnix = created ? created : unixNow();
        m.lifetimeSeconds = lifetime;
        auto t = net::secure::mintToken(m, key ? *key : secret, random);
        if (!t) throw std::runtime_error(t.error().message);
        return *t;
    }
    // Joins a client with `token`; `claim` overrides what the client asks for.
    session::ClientSession& join(const net::secure::ConnectToken& token, const net::Address* via = nullptr,
                                 std::function<void(session::ClientDesc&)> claim = {}) {
        auto t = net::secure::SecureTransport::createClient(token, random);
        if (!t) throw std::runtime_error(t.error().message);
        clientT.push_back(std::move(*t));
        session::ClientDesc d;
        d.roomCode = token.grant.roomCode;
        d.displayName = token.grant.displayName;
        d.role = token.grant.role;
        if (claim) claim(d);
        clients.push_back(std::make_unique<session::ClientSession>(*clientT.back(), d));
        clients.back()->connect(via ? *via : address, now());
        return *clients.back();
    }
    void step(const std::function<void()>& extra = {}) {
        const double t = now();
        for (auto& c : clients) c->update(t);
        server->update(t);
        if (extra) extra();
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    bool until(double seconds, const std::function<bool()>& pred, const std::function<void()>& extra = {}) {
        const double end = now() + seconds;
        while (now() < end) {
            step(extra);
            if (pred()) return true;
        }
        return false;
    }
};

} // namespace caseroom::test
