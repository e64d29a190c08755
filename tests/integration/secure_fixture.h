// A secure server core and secure clients on 127.0.0.1 over real ENet, with
// tokens minted from a fresh deployment key: the product's real join path.
#pragma once
#include <chrono>
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

    explicit SecureWorld(std::string roomName = "Demo teleECHO clinic") {
        (void)net::secure::initCrypto();
        random.fill(secret);
        net::secure::SecureServerDesc d;
        d.enet.bind = {"127.0.0.1", 0};
        d.secret = secret;
        d.unixClock = unixNow;
        d.handshake.roomHosted = [](std::string_view room) { return room == "demo"; };
        auto t = net::secure::SecureTransport::createServer(std::move(d), random);
        if (!t) throw std::runtime_error(t.error().message);
        serverT = std::move(*t);
        address = {"127.0.0.1", serverT->boundPort()};
        session::ServerConfig cfg;
        sim::RoomSpec spec;
        spec.name = std::move(roomName);
        cfg.rooms = {spec};
        cfg.audit = &audit;
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
