// A secure client with its own blob cache, for tests against a real server
// process: a token minted with the server's key for room "demo", its own
// ENet socket, a ClientSession connecting at `now`.
#pragma once
#include <catch2/catch.hpp>

#include <filesystem>
#include <memory>
#include <string>

#include "core/cli.h"
#include "net/secure/secure_transport.h"
#include "session/client_session.h"

namespace caseroom::testing {

struct Client {
    std::unique_ptr<net::secure::SecureTransport> transport;
    std::unique_ptr<session::ClientSession> session;
};

inline Client makeClient(const net::secure::Key& key, net::secure::RandomSource& random, std::uint64_t user,
                         const std::string& name, core::Role role, const std::filesystem::path& cache, const net::Address& to,
                         double now) {
    net::secure::MintDesc m;
    m.userId = user;
    m.displayName = name;
    m.roomCode = "demo";
    m.role = role;
    m.nowUnix = core::cli::unixSecondsNow();
    auto token = net::secure::mintToken(m, key, random);
    REQUIRE(token);
    auto t = net::secure::SecureTransport::createClient(*token, random);
    REQUIRE(t);
    Client c;
    c.transport = std::move(*t);
    session::ClientDesc d;
    d.displayName = name;
    d.role = role;
    d.blobCacheDir = cache;
    c.session = std::make_unique<session::ClientSession>(*c.transport, d);
    c.session->connect(to, now);
    return c;
}

} // namespace caseroom::testing
