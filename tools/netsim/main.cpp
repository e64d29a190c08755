// caseroom-netsim: a seeded UDP relay on loopback that impairs each client's
// traffic through net::LinkModel, one model per client and direction. Plain
// POSIX sockets and epoll, one thread. Clients send to the listen socket; each
// distinct client address gets its own upstream socket connected to the
// server (like a NAT), so the server sees one address per client. Packets wait
// in one time-ordered heap (bounded by --max-pending-bytes) until the model's
// arrival time. It only ever sends to 127.0.0.0/8: --server and --listen are
// checked at parse time, client sources on arrival, and every destination
// again before each send.
// Two signals change the link while it runs, for reconnect tests: SIGUSR1
// cuts every link (all packets both ways dropped, counted as cut) or, sent
// again, restores them; SIGUSR2 moves every client to a fresh upstream
// socket, so the server sees each client's address change (a NAT rebinding,
// Wi-Fi to cellular). SIGINT and SIGTERM stop it.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <queue>
#include <string>
#include <vector>

#include "core/rng.h"
#include "net/link_model.h"
#include "options.h"

using namespace caseroom;

namespace {

constexpr int kUp = 0;   // client -> server
constexpr int kDown = 1; // server -> client
constexpr std::uint64_t kListenTag = 0, kSignalTag = 1, kFirstSessionTag = 2;
constexpr std::size_t kMaxDatagram = 65536;

// What the relay itself counts per direction, beside the model's counters.
struct RelayCounters {
    std::uint64_t droppedOverflow = 0; // --max-pending-bytes reached
    std::uint64_t sent = 0;            // copies handed to the kernel
    std::uint64_t bytesSent = 0;
    std::uint64_t sendErrors = 0;
    std::uint64_t droppedCut = 0;      // while the links were cut (SIGUSR1)
};

struct Session {
    std::uint64_t tag = 0;
    sockaddr_in client{};
    int fd = -1;                 // connected to the server
    net::LinkModel model[2];
    double lastActive = 0;
    std::size_t pending = 0;     // packets in the heap for this session
};

struct Pending {
    double at = 0;
    std::uint64_t order = 0;
    std::uint64_t session = 0;
    int dir = kUp;
    std::vector<std::uint8_t> data;
    bool operator>(const Pending& o) const { return at != o.at ? at > o.at : order > o.order; }
};

bool loopbackAddr(const sockaddr_in& a) { return a.sin_family == AF_INET && netsim::isLoopback(ntohl(a.sin_addr.s_addr)); }

sockaddr_in toSockaddr(const netsim::Endpoint& e) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(e.ip);
    a.sin_port = htons(e.port);
    return a;
}

bool writeFileAtomically(const std::string& path, const std::string& text) {
    const std::string tmp = path + ".tmp";
    {
        std::ofstream f(tmp, std::ios::trunc);
        if (!(f << text) || !f.flush()) return false;
    }
    return std::rename(tmp.c_str(), path.c_str()) == 0;
}

class Relay {
public:
    explicit Relay(const netsim::Options& o) : opt_(o), rng_(o.seed) {}
    ~Relay() {
        for (auto& [tag, s] : sessions_) ::close(s->fd);
        if (listenFd_ >= 0) ::close(listenFd_);
        if (signalFd_ >= 0) ::close(signalFd_);
        if (epollFd_ >= 0) ::close(epollFd_);
    }
    Relay(const Relay&) = delete;
    Relay& operator=(const Relay&) = delete;

    // Opens sockets; false with a message on stderr.
    bool open();
    // Runs until the duration ends or a signal arrives.
    void run();
    [[nodiscard]] std::string statsLine() const;
    void printStats(const char* when) const;

private:
    [[nodiscard]] double now() const { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count(); }
    void watch(int fd, std::uint64_t tag);
    void drainListen(double t);
    void drainUpstream(Session& s, double t);
    void admit(Session& s, int dir, const std::uint8_t* data, std::size_t n, double t);
    void deliverDue(double t);
    void closeIdle(double t);
    // A socket connected to --server from a fresh local port (-1 on failure).
    [[nodiscard]] int openUpstream() const;
    Session* newSession(const sockaddr_in& from, double t);
    // SIGUSR1 / SIGUSR2 (see the header comment); false: stop.
    bool onSignal();
    void rebindAll();
    [[nodiscard]] net::LinkCounters total(int dir) const;

    netsim::Options opt_;
    core::Rng rng_;
    std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
    int listenFd_ = -1, signalFd_ = -1, epollFd_ = -1;
    std::uint16_t boundPort_ = 0;
    std::map<std::uint64_t, std::unique_ptr<Session>> sessions_; // by tag
    std::map<std::uint64_t, std::uint64_t> byClient_;             // (ip << 16 | port) -> tag
    std::uint64_t nextTag_ = kFirstSessionTag;
    std::uint64_t clientsTotal_ = 0, refusedClients_ = 0, refusedSources_ = 0;
    bool cut_ = false;
    std::uint64_t cuts_ = 0, rebinds_ = 0;
    net::LinkCounters closed_[2];      // sessions already closed
    RelayCounters relay_[2];
    std::priority_queue<Pending, std::vector<Pending>, std::greater<>> heap_;
    std::uint64_t order_ = 0;
    std::size_t pendingBytes_ = 0;
    std::vector<std::uint8_t> buf_ = std::vector<std::uint8_t>(kMaxDatagram);
};

void Relay::watch(int fd, std::uint64_t tag) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = tag;
    if (epoll_ctl(epollFd_, EPOLL_CTL_ADD, fd, &ev) != 0) std::perror("caseroom-netsim: epoll_ctl");
}

bool Relay::open() {
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGINT);
    sigaddset(&mask, SIGTERM);
    sigaddset(&mask, SIGUSR1);
    sigaddset(&mask, SIGUSR2);
    if (sigprocmask(SIG_BLOCK, &mask, nullptr) != 0 || (signalFd_ = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC)) < 0) {
        std::perror("caseroom-netsim: signalfd");
        return false;
    }
    epollFd_ = epoll_create1(EPOLL_CLOEXEC);
    listenFd_ = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (epollFd_ < 0 || listenFd_ < 0) {
        std::perror("caseroom-netsim: socket");
        return false;
    }
    const int big = 1 << 20;
    (void)setsockopt(listenFd_, SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
    (void)setsockopt(listenFd_, SOL_SOCKET, SO_SNDBUF, &big, sizeof big);
    const sockaddr_in addr = toSockaddr(opt_.listen);
    if (bind(listenFd_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
        std::fprintf(stderr, "caseroom-netsim: --listen %s: cannot bind: %s\n", netsim::toString(opt_.listen).c_str(), std::strerror(errno));
        return false;
    }
    sockaddr_in bound{};
    socklen_t len = sizeof bound;
    (void)getsockname(listenFd_, reinterpret_cast<sockaddr*>(&bound), &len);
    boundPort_ = ntohs(bound.sin_port);
    watch(listenFd_, kListenTag);
    watch(signalFd_, kSignalTag);
    if (!opt_.portFile.empty() && !writeFileAtomically(opt_.portFile, std::to_string(boundPort_) + "\n")) {
        std::fprintf(stderr, "caseroom-netsim: --port-file %s: cannot write: %s\n", opt_.portFile.c_str(), std::strerror(errno));
        return false;
    }
    netsim::Endpoint shown = opt_.listen;
    shown.port = boundPort_;
    std::printf("caseroom-netsim: relaying %s -> %s, seed %llu\n", netsim::toString(shown).c_str(), netsim::toString(opt_.server).c_str(),
                static_cast<unsigned long long>(opt_.seed));
    std::fflush(stdout);
    return true;
}

int Relay::openUpstream() const {
    const int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    const int big = 1 << 20;
    (void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
    sockaddr_in local{};
    local.sin_family = AF_INET;
    local.sin_addr.s_addr = htonl(0x7F000001u);
    const sockaddr_in server = toSockaddr(opt_.server);
    if (bind(fd, reinterpret_cast<const sockaddr*>(&local), sizeof local) != 0 ||
        connect(fd, reinterpret_cast<const sockaddr*>(&server), sizeof server) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

void Relay::rebindAll() {
    for (auto& [tag, s] : sessions_) {
        const int fd = openUpstream();
        if (fd < 0) {
            std::perror("caseroom-netsim: rebind");
            continue;
        }
        ::close(s->fd); // also leaves the epoll set; what the server still sends to the old port is lost
        s->fd = fd;
        watch(fd, tag);
    }
    ++rebinds_;
    std::printf("caseroom-netsim: every client moved to a new address (%zu)\n", sessions_.size());
    std::fflush(stdout);
}

bool Relay::onSignal() {
    signalfd_siginfo si{};
    bool go = true;
    while (read(signalFd_, &si, sizeof si) == static_cast<ssize_t>(sizeof si)) {
        if (si.ssi_signo == SIGUSR1) {
            cut_ = !cut_;
            cuts_ += cut_ ? 1 : 0;
            std::printf("caseroom-netsim: links %s\n", cut_ ? "cut" : "restored");
            std::fflush(stdout);
        } else if (si.ssi_signo == SIGUSR2) {
            rebindAll();
        } else {
            go = false;
        }
    }
    return go;
}

Session* Relay::newSession(const sockaddr_in& from, double t) {
    if (sessions_.size() >= opt_.maxClients) return nullptr;
    const int fd = openUpstream();
    if (fd < 0) return nullptr;
    auto s = std::make_unique<Session>();
    s->tag = nextTag_++;
    s->client = from;
    s->fd = fd;
    s->model[kUp].setParams(opt_.up);
    s->model[kDown].setParams(opt_.down);
    s->lastActive = t;
    Session* raw = s.get();
    byClient_[(std::uint64_t{ntohl(from.sin_addr.s_addr)} << 16) | ntohs(from.sin_port)] = raw->tag;
    sessions_[raw->tag] = std::move(s);
    watch(fd, raw->tag);
    ++clientsTotal_;
    return raw;
}

void Relay::admit(Session& s, int dir, const std::uint8_t* data, std::size_t n, double t) {
    s.lastActive = t;
    if (cut_) {
        ++relay_[dir].droppedCut;
        return;
    }
    const net::LinkDecision d = s.model[dir].send(t, n, rng_);
    for (int k = 0; k < d.copies; ++k) {
        if (pendingBytes_ + n > opt_.maxPendingBytes) {
            ++relay_[dir].droppedOverflow;
            continue;
        }
        Pending p;
        p.at = d.arriveAt[k];
        p.order = order_++;
        p.session = s.tag;
        p.dir = dir;
        p.data.assign(data, data + n);
        pendingBytes_ += n;
        ++s.pending;
        heap_.push(std::move(p));
    }
}

void Relay::drainListen(double t) {
    for (int i = 0; i < 512; ++i) { // bounded, so due deliveries are not starved
        sockaddr_in from{};
        socklen_t len = sizeof from;
        const ssize_t n = recvfrom(listenFd_, buf_.data(), buf_.size(), 0, reinterpret_cast<sockaddr*>(&from), &len);
        if (n < 0) return; // EAGAIN, or an ICMP error from a client that went away
        if (!loopbackAddr(from)) {
            ++refusedSources_;
            continue;
        }
        const auto key = (std::uint64_t{ntohl(from.sin_addr.s_addr)} << 16) | ntohs(from.sin_port);
        Session* s = nullptr;
        if (const auto it = byClient_.find(key); it != byClient_.end()) s = sessions_.at(it->second).get();
        else s = newSession(from, t);
        if (!s) {
            ++refusedClients_;
            continue;
        }
        admit(*s, kUp, buf_.data(), static_cast<std::size_t>(n), t);
    }
}

void Relay::drainUpstream(Session& s, double t) {
    for (int i = 0; i < 512; ++i) {
        const ssize_t n = recv(s.fd, buf_.data(), buf_.size(), 0);
        if (n < 0) return; // EAGAIN, or ECONNREFUSED while the server is not up
        admit(s, kDown, buf_.data(), static_cast<std::size_t>(n), t);
    }
}

void Relay::deliverDue(double t) {
    while (!heap_.empty() && heap_.top().at <= t) {
        // top() is const; moving out is safe because we pop at once.
        Pending p = std::move(const_cast<Pending&>(heap_.top()));
        heap_.pop();
        pendingBytes_ -= p.data.size();
        const auto it = sessions_.find(p.session);
        if (it == sessions_.end()) continue; // cannot happen: sessions with packets stay open
        Session& s = *it->second;
        --s.pending;
        RelayCounters& c = relay_[p.dir];
        ssize_t rc = -1;
        if (p.dir == kUp) {
            rc = send(s.fd, p.data.data(), p.data.size(), 0); // connected to --server, checked loopback
        } else if (loopbackAddr(s.client)) {
            rc = sendto(listenFd_, p.data.data(), p.data.size(), 0, reinterpret_cast<const sockaddr*>(&s.client), sizeof s.client);
        }
        if (rc < 0) {
            ++c.sendErrors;
            continue;
        }
        ++c.sent;
        c.bytesSent += p.data.size();
    }
}

void Relay::closeIdle(double t) {
    for (auto it = sessions_.begin(); it != sessions_.end();) {
        Session& s = *it->second;
        if (s.pending > 0 || t - s.lastActive < opt_.idleTimeout) {
            ++it;
            continue;
        }
        closed_[kUp] += s.model[kUp].counters();
        closed_[kDown] += s.model[kDown].counters();
        byClient_.erase((std::uint64_t{ntohl(s.client.sin_addr.s_addr)} << 16) | ntohs(s.client.sin_port));
        ::close(s.fd); // also leaves the epoll set
        it = sessions_.erase(it);
    }
}

void Relay::run() {
    const double end = opt_.duration > 0 ? opt_.duration : INFINITY;
    double nextStats = opt_.statsEvery > 0 ? opt_.statsEvery : INFINITY;
    double nextSweep = 1.0;
    epoll_event events[64];
    for (;;) {
        double t = now();
        if (t >= end) return;
        deliverDue(t);
        if (t >= nextStats) {
            printStats("every");
            nextStats = t + opt_.statsEvery;
        }
        if (t >= nextSweep) {
            closeIdle(t);
            nextSweep = t + 1.0;
        }
        double wake = std::min({end, nextStats, nextSweep});
        if (!heap_.empty()) wake = std::min(wake, heap_.top().at);
        const int timeoutMs = static_cast<int>(std::clamp(std::ceil((wake - t) * 1000.0), 0.0, 1000.0));
        const int n = epoll_wait(epollFd_, events, 64, timeoutMs);
        t = now();
        for (int i = 0; i < n; ++i) {
            const std::uint64_t tag = events[i].data.u64;
            if (tag == kSignalTag) {
                if (!onSignal()) return;
                continue;
            }
            if (tag == kListenTag) drainListen(t);
            else if (const auto it = sessions_.find(tag); it != sessions_.end()) drainUpstream(*it->second, t);
        }
    }
}

net::LinkCounters Relay::total(int dir) const {
    net::LinkCounters sum = closed_[dir];
    for (const auto& [tag, s] : sessions_) sum += s->model[dir].counters();
    return sum;
}

std::string Relay::statsLine() const {
    std::string line = "seconds=" + std::to_string(now()) + " port=" + std::to_string(boundPort_) + " clients=" + std::to_string(sessions_.size()) +
                       " clients_total=" + std::to_string(clientsTotal_) + " refused_clients=" + std::to_string(refusedClients_) +
                       " refused_sources=" + std::to_string(refusedSources_) + " cuts=" + std::to_string(cuts_) +
                       " rebinds=" + std::to_string(rebinds_);
    for (int dir = kUp; dir <= kDown; ++dir) {
        const std::string p = dir == kUp ? " up_" : " down_";
        const net::LinkCounters c = total(dir);
        const RelayCounters& r = relay_[dir];
        auto add = [&](const char* key, std::uint64_t v) { line += p + key + "=" + std::to_string(v); };
        add("received", c.received);
        add("forwarded", c.forwarded);
        add("dropped", c.dropped() + r.droppedOverflow);
        add("dropped_loss", c.droppedLoss);
        add("dropped_burst", c.droppedBurst);
        add("dropped_queue", c.droppedQueue);
        add("dropped_overflow", r.droppedOverflow);
        add("dropped_cut", r.droppedCut);
        add("duplicated", c.duplicated);
        add("reordered", c.reordered);
        add("bytes_in", c.bytesIn);
        add("bytes_out", c.bytesOut);
        add("sent", r.sent);
        add("bytes_sent", r.bytesSent);
        add("send_errors", r.sendErrors);
    }
    return line;
}

void Relay::printStats(const char* when) const {
    std::printf("caseroom-netsim %s at %.1f s: %zu client(s) now, %llu in all\n", when, now(), sessions_.size(),
                static_cast<unsigned long long>(clientsTotal_));
    for (int dir = kUp; dir <= kDown; ++dir) {
        const net::LinkCounters c = total(dir);
        const RelayCounters& r = relay_[dir];
        std::printf("  %-4s received %llu, forwarded %llu, dropped %llu (loss %llu, burst %llu, queue %llu, overflow %llu), duplicated %llu, "
                    "reordered %llu, bytes in %llu, sent %llu\n",
                    dir == kUp ? "up" : "down", static_cast<unsigned long long>(c.received), static_cast<unsigned long long>(c.forwarded),
                    static_cast<unsigned long long>(c.dropped() + r.droppedOverflow), static_cast<unsigned long long>(c.droppedLoss),
                    static_cast<unsigned long long>(c.droppedBurst), static_cast<unsigned long long>(c.droppedQueue),
                    static_cast<unsigned long long>(r.droppedOverflow), static_cast<unsigned long long>(c.duplicated),
                    static_cast<unsigned long long>(c.reordered), static_cast<unsigned long long>(c.bytesIn),
                    static_cast<unsigned long long>(r.bytesSent));
    }
    std::fflush(stdout);
}

} // namespace

int main(int argc, char** argv) {
    const std::vector<std::string> args(argv + 1, argv + argc);
    auto parsed = netsim::parseOptions(args);
    if (!parsed) {
        std::fprintf(stderr, "caseroom-netsim: %s\n", parsed.error().message.c_str());
        return 2;
    }
    if (parsed->help) {
        std::fputs(netsim::usage().c_str(), stdout);
        return 0;
    }
    Relay relay(*parsed);
    if (!relay.open()) return 1;
    relay.run();
    relay.printStats("exit");
    if (!parsed->statsFile.empty() && !writeFileAtomically(parsed->statsFile, relay.statsLine() + "\n")) {
        std::fprintf(stderr, "caseroom-netsim: --stats-file %s: cannot write: %s\n", parsed->statsFile.c_str(), std::strerror(errno));
        return 1;
    }
    return 0;
}
