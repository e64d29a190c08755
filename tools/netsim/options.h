// caseroom-netsim's command line: every option, its unit and its range, the
// per-direction impairments as net::LinkParams, and the loopback-only rule.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"
#include "net/link_model.h"

namespace caseroom::netsim {

// An IPv4 endpoint; `ip` in host byte order.
struct Endpoint {
    std::uint32_t ip = 0x7F000001u; // 127.0.0.1
    std::uint16_t port = 0;
};
[[nodiscard]] inline bool isLoopback(std::uint32_t ipHostOrder) { return (ipHostOrder >> 24) == 127u; }
[[nodiscard]] std::string toString(const Endpoint& e);

struct Options {
    Endpoint listen;                    // where clients send; 127.0.0.0/8 only, port 0 = any
    Endpoint server;                    // where the relay forwards; 127.0.0.0/8 only
    std::string portFile;               // written with the bound listen port and a newline
    std::string statsFile;              // one line of key=value counters, written on exit
    std::uint64_t seed = 1;
    net::LinkParams up;                 // client -> server
    net::LinkParams down;               // server -> client
    double duration = 0;                // seconds; 0 = until SIGINT/SIGTERM
    double statsEvery = 0;              // seconds between printed counters; 0 = only on exit
    std::size_t maxClients = 256;       // distinct client addresses relayed at once
    double idleTimeout = 60;            // seconds without traffic before a client's upstream socket closes
    std::size_t maxPendingBytes = 32u << 20; // all packets held for delay, together
    bool help = false;
};

// Parses argv[1..]. A bad option or value gives an error that names it.
[[nodiscard]] core::Result<Options> parseOptions(const std::vector<std::string>& args);
[[nodiscard]] std::string usage();

} // namespace caseroom::netsim
