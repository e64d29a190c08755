#include "options.h"

#include <arpa/inet.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <functional>

namespace caseroom::netsim {

namespace {

// One impairment: --NAME sets both directions, --up-NAME and --down-NAME one.
struct Impairment {
    const char* name;
    const char* unit;
    double min;
    double max;
    bool minExclusive;
    std::function<void(net::LinkParams&, double)> apply;
};

const std::vector<Impairment>& impairments() {
    static const std::vector<Impairment> table = {
        {"loss", "percent", 0, 100, false, [](net::LinkParams& p, double v) { p.loss = v / 100.0; }},
        {"burst-enter", "percent", 0, 100, false, [](net::LinkParams& p, double v) { p.burst.enterBad = v / 100.0; }},
        {"burst-exit", "percent", 0, 100, true, [](net::LinkParams& p, double v) { p.burst.exitBad = v / 100.0; }},
        {"burst-loss", "percent", 0, 100, false, [](net::LinkParams& p, double v) { p.burst.lossBad = v / 100.0; }},
        {"delay", "ms", 0, 10000, false, [](net::LinkParams& p, double v) { p.delay = v / 1000.0; }},
        {"jitter", "ms", 0, 10000, false, [](net::LinkParams& p, double v) { p.jitter = v / 1000.0; }},
        {"reorder", "percent", 0, 100, false, [](net::LinkParams& p, double v) { p.reorder = v / 100.0; }},
        {"duplicate", "percent", 0, 100, false, [](net::LinkParams& p, double v) { p.duplicate = v / 100.0; }},
        {"rate", "kbit/s", 0, 10'000'000, false, [](net::LinkParams& p, double v) { p.rateBytesPerSecond = v * 1000.0 / 8.0; }},
        {"queue", "bytes", 1, 64 << 20, false, [](net::LinkParams& p, double v) { p.queueBytes = static_cast<std::size_t>(v); }},
    };
    return table;
}

core::Error bad(const std::string& option, const std::string& what, const std::string& got) {
    return core::Error{option + " " + what + ", got '" + got + "'"};
}

// A finite number in [min, max] (or (min, max]), nothing after it.
bool number(const std::string& s, double min, double max, bool minExclusive, double& out) {
    if (s.empty()) return false;
    char* end = nullptr;
    errno = 0;
    const double v = std::strtod(s.c_str(), &end);
    if (errno != 0 || *end != '\0' || !std::isfinite(v)) return false;
    if (v < min || v > max || (minExclusive && v <= min)) return false;
    out = v;
    return true;
}

bool wholeNumber(const std::string& s, std::uint64_t min, std::uint64_t max, std::uint64_t& out) {
    if (s.empty() || s[0] < '0' || s[0] > '9') return false;
    char* end = nullptr;
    errno = 0;
    const unsigned long long v = std::strtoull(s.c_str(), &end, 10);
    if (errno != 0 || *end != '\0' || v < min || v > max) return false;
    out = v;
    return true;
}

// HOST:PORT with HOST "localhost" or a dotted IPv4 address in 127.0.0.0/8.
core::Result<Endpoint> endpoint(const std::string& option, const std::string& s, bool allowPortZero) {
    const auto colon = s.rfind(':');
    if (colon == std::string::npos) return bad(option, "wants HOST:PORT", s);
    const std::string host = s.substr(0, colon);
    Endpoint e;
    if (host != "localhost") {
        in_addr a{};
        if (inet_pton(AF_INET, host.c_str(), &a) != 1) return bad(option, "wants a numeric IPv4 address or localhost", s);
        e.ip = ntohl(a.s_addr);
    }
    if (!isLoopback(e.ip)) return bad(option, "must be a loopback address (127.0.0.0/8): this tool only relays on this machine", s);
    std::uint64_t port = 0;
    if (!wholeNumber(s.substr(colon + 1), allowPortZero ? 0 : 1, 65535, port))
        return bad(option, allowPortZero ? "wants a port 0..65535" : "wants a port 1..65535", s);
    e.port = static_cast<std::uint16_t>(port);
    return e;
}

} // namespace

std::string toString(const Endpoint& e) {
    return std::to_string(e.ip >> 24) + "." + std::to_string((e.ip >> 16) & 255u) + "." + std::to_string((e.ip >> 8) & 255u) + "." +
           std::to_string(e.ip & 255u) + ":" + std::to_string(e.port);
}

std::string usage() {
    return "usage: caseroom-netsim --server HOST:PORT [options]\n"
           "\n"
           "A UDP relay on loopback that impairs traffic like a bad network link, for testing\n"
           "CaseRoom over loss, delay, jitter, reordering, duplication and thin links (the kernel\n"
           "here has no netem). Clients send to --listen; each distinct client address gets its\n"
           "own socket towards --server, so the server sees one address per client. Every\n"
           "decision comes from one seeded random generator (--seed).\n"
           "\n"
           "options:\n"
           "  --listen HOST:PORT      where clients send (default 127.0.0.1:0, any free port)\n"
           "  --server HOST:PORT      the real server (required); both must be in 127.0.0.0/8\n"
           "  --port-file FILE        write the bound listen port here (with a newline)\n"
           "  --stats-file FILE       on exit, write the counters here as one line of key=value\n"
           "  --stats-every SECONDS   also print the counters this often (default: only on exit)\n"
           "  --seed N                random seed (default 1)\n"
           "  --duration SECONDS      stop after this long (default: until SIGINT/SIGTERM)\n"
           "  --max-clients N         client addresses relayed at once (default 256, 1..65536)\n"
           "  --idle-timeout SECONDS  close a client's upstream socket after this long idle (default 60)\n"
           "  --max-pending-bytes N   bytes held for delay, all clients together (default 33554432)\n"
           "  --help                  this text\n"
           "\n"
           "impairments: --NAME V sets both directions, --up-NAME V client->server only,\n"
           "--down-NAME V server->client only (later flags win). Each client has its own link.\n"
           "  loss PERCENT          independent random loss (0..100)\n"
           "  burst-enter PERCENT   Gilbert-Elliott bursty loss: chance per packet to enter the bad state\n"
           "  burst-exit PERCENT    chance per packet to leave it (default 25: mean burst 4 packets)\n"
           "  burst-loss PERCENT    loss while in the bad state (default 100)\n"
           "  delay MS              fixed one-way delay (0..10000)\n"
           "  jitter MS             extra uniform delay 0..MS (0..10000)\n"
           "  reorder PERCENT       packets held back 2*jitter+10 ms, so later ones overtake them\n"
           "  duplicate PERCENT     packets sent twice\n"
           "  rate KBIT/S           bottleneck rate (0 = unlimited) with a drop-tail queue\n"
           "  queue BYTES           the bottleneck's queue (default 65536, 1..67108864)\n"
           "\n"
           "signals: SIGUSR1 cuts every link (all packets dropped) and, sent again, restores them;\n"
           "SIGUSR2 moves every client to a new upstream address (the server sees an address change).\n"
           "\n"
           "example: caseroom-netsim --server 127.0.0.1:7777 --listen 127.0.0.1:7800 \\\n"
           "           --loss 5 --delay 60 --jitter 20 --duplicate 1 --reorder 2 --down-rate 512\n";
}

core::Result<Options> parseOptions(const std::vector<std::string>& args) {
    Options o;
    o.up.burst.exitBad = 0.25;
    o.down.burst.exitBad = 0.25;
    bool haveServer = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a == "--help" || a == "-h") {
            o.help = true;
            return o;
        }
        if (a.rfind("--", 0) != 0) return core::Error{"unexpected argument '" + a + "' (see --help)"};
        if (i + 1 >= args.size()) return core::Error{a + " needs a value (see --help)"};
        const std::string& v = args[++i];
        std::uint64_t whole = 0;
        double real = 0;
        if (a == "--listen") {
            auto e = endpoint(a, v, true);
            if (!e) return e.error();
            o.listen = *e;
        } else if (a == "--server") {
            auto e = endpoint(a, v, false);
            if (!e) return e.error();
            o.server = *e;
            haveServer = true;
        } else if (a == "--port-file") {
            if (v.empty()) return bad(a, "wants a file name", v);
            o.portFile = v;
        } else if (a == "--stats-file") {
            if (v.empty()) return bad(a, "wants a file name", v);
            o.statsFile = v;
        } else if (a == "--seed") {
            if (!wholeNumber(v, 0, UINT64_MAX, whole)) return bad(a, "wants a whole number", v);
            o.seed = whole;
        } else if (a == "--duration") {
            if (!number(v, 0, 1e7, true, real)) return bad(a, "wants seconds, more than 0", v);
            o.duration = real;
        } else if (a == "--stats-every") {
            if (!number(v, 0.1, 1e7, false, real)) return bad(a, "wants seconds, at least 0.1", v);
            o.statsEvery = real;
        } else if (a == "--max-clients") {
            if (!wholeNumber(v, 1, 65536, whole)) return bad(a, "wants a whole number 1..65536", v);
            o.maxClients = static_cast<std::size_t>(whole);
        } else if (a == "--idle-timeout") {
            if (!number(v, 0, 1e7, true, real)) return bad(a, "wants seconds, more than 0", v);
            o.idleTimeout = real;
        } else if (a == "--max-pending-bytes") {
            if (!wholeNumber(v, 65536, 1ull << 32, whole)) return bad(a, "wants a whole number 65536..4294967296", v);
            o.maxPendingBytes = static_cast<std::size_t>(whole);
        } else {
            bool matched = false;
            for (const Impairment& imp : impairments()) {
                const std::string name = imp.name;
                const bool both = a == "--" + name, up = a == "--up-" + name, down = a == "--down-" + name;
                if (!both && !up && !down) continue;
                matched = true;
                const bool integral = name == "queue";
                bool ok = number(v, imp.min, imp.max, imp.minExclusive, real);
                if (ok && integral) ok = wholeNumber(v, static_cast<std::uint64_t>(imp.min), static_cast<std::uint64_t>(imp.max), whole);
                if (!ok) {
                    const std::string lo = std::to_string(static_cast<long long>(imp.min)), hi = std::to_string(static_cast<long long>(imp.max));
                    const std::string range = imp.minExclusive ? "(" + lo + ", " + hi + "]" : lo + ".." + hi;
                    return bad(a, std::string("wants ") + (integral ? "a whole number of " : "") + imp.unit + " in " + range, v);
                }
                if (both || up) imp.apply(o.up, real);
                if (both || down) imp.apply(o.down, real);
                break;
            }
            if (!matched) return core::Error{"unknown option '" + a + "' (see --help)"};
        }
    }
    if (!haveServer) return core::Error{"--server HOST:PORT is required (see --help)"};
    // The table's ranges keep every field valid; this is the model's own check.
    if (const std::string e = net::validate(o.up); !e.empty()) return core::Error{"up link: " + e};
    if (const std::string e = net::validate(o.down); !e.empty()) return core::Error{"down link: " + e};
    return o;
}

} // namespace caseroom::netsim
