// Slide change latency (not a test; numbers go to BENCHMARKS.md "## Slides
// on the panels"): from the presenter's input (ClientSession::sendPanelIntent
// of SetSlide) to each other client's panel state showing the new slide, over
// the real server core and secure ENet transport on 127.0.0.1. The client's
// renderer shows a new panel state on its next frame, so a frame (16.7 ms at
// 60 Hz) adds to what is printed here; decoding a slide that is not yet
// decoded adds its decode time (BENCHMARKS.md "Decks"). One thread runs the
// server and every client (1 ms steps), as the server's own loop does.
// Usage: caseroom_bench_slide_change [clients 30] [changes 60] [tick Hz 30]
#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/cli.h"
#include "core/percentile.h"
#include "core/rng.h"
#include "integration/secure_fixture.h"

using namespace caseroom;

namespace {
struct Catalog final : sim::DeckCatalog {
    core::ContentHash deck;
    std::optional<std::uint16_t> slideCount(const core::ContentHash& d) const override {
        return d == deck ? std::optional<std::uint16_t>(20) : std::nullopt;
    }
    std::optional<std::uint16_t> frameCount(const core::ContentHash& d, std::uint16_t s) const override {
        return d == deck && s < 20 ? std::optional<std::uint16_t>(1) : std::nullopt;
    }
};
} // namespace

int main(int argc, char** argv) {
    const long clients = argc > 1 ? std::strtol(argv[1], nullptr, 10) : 30;
    const long changes = argc > 2 ? std::strtol(argv[2], nullptr, 10) : 60;
    const double tickHz = argc > 3 ? std::strtod(argv[3], nullptr) : 30.0;
    if (clients < 2 || clients > 500 || changes < 1 || changes > 10000 || !(tickHz >= 1 && tickHz <= 240)) {
        std::fprintf(stderr, "usage: caseroom_bench_slide_change [clients 2..500] [changes] [tick Hz]\n");
        return 2;
    }
    Catalog catalog;
    for (std::size_t i = 0; i < catalog.deck.bytes.size(); ++i) catalog.deck.bytes[i] = static_cast<std::uint8_t>(i + 1);
    test::SecureWorld w;
    session::ServerConfig cfg;
    cfg.rooms = {sim::RoomSpec{}};
    cfg.audit = &w.audit;
    cfg.decks = &catalog;
    cfg.tickRate = tickHz;
    w.server = std::make_unique<session::ServerHost>(*w.serverT, cfg);

    auto step = [&] {
        const double t = w.now();
        for (auto& c : w.clients) c->update(t);
        w.server->update(t);
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    };
    auto until = [&](double seconds, auto pred) {
        const double end = w.now() + seconds;
        while (w.now() < end) {
            step();
            if (pred()) return true;
        }
        return false;
    };
    session::ClientSession& presenter = w.join(w.mint("Presenter", core::Role::Facilitator));
    for (long i = 1; i < clients; ++i) (void)w.join(w.mint("Viewer " + std::to_string(i)));
    if (!until(60.0, [&] {
            for (auto& c : w.clients)
                if (c->state() != session::ClientState::InRoom || c->stats().snapshotsApplied == 0) return false;
            return true;
        })) {
        std::fprintf(stderr, "clients did not all join\n");
        return 1;
    }
    sim::PanelCommand show;
    show.op = sim::PanelOp::ShowDeck;
    show.deck = catalog.deck;
    presenter.sendPanelIntent(show);
    if (!until(10.0, [&] {
            for (auto& c : w.clients)
                if (c->panels().empty() || c->panels()[0].deck != catalog.deck) return false;
            return true;
        })) {
        std::fprintf(stderr, "the deck was not shown\n");
        return 1;
    }

    core::Rng rng(7);
    std::vector<double> latencyMs, lastMs; // per viewer per change; per change the slowest viewer
    std::uint16_t slide = 0;
    for (long k = 0; k < changes; ++k) {
        // Wait a random part of a tick so inputs land anywhere in the tick.
        const double pause = 0.1 + rng.uniform() * 0.2;
        until(pause, [] { return false; });
        slide = static_cast<std::uint16_t>((slide + 1) % 20);
        sim::PanelCommand c;
        c.op = sim::PanelOp::SetSlide;
        c.index = slide;
        c.deck = catalog.deck;
        const double t0 = w.now();
        presenter.sendPanelIntent(c);
        std::vector<bool> seen(w.clients.size(), false);
        seen[0] = true;
        std::size_t left = w.clients.size() - 1;
        double slowest = 0;
        const double end = t0 + 5.0;
        while (left > 0 && w.now() < end) {
            step();
            const double t = w.now();
            for (std::size_t i = 1; i < w.clients.size(); ++i) {
                if (seen[i] || w.clients[i]->panels()[0].slide != slide) continue;
                seen[i] = true;
                --left;
                latencyMs.push_back((t - t0) * 1000.0);
                slowest = std::max(slowest, (t - t0) * 1000.0);
            }
        }
        if (left > 0) {
            std::fprintf(stderr, "change %ld: %zu viewers never saw slide %u\n", k, left, slide);
            return 1;
        }
        lastMs.push_back(slowest);
    }
    auto line = [](const char* what, std::vector<double> v) {
        std::sort(v.begin(), v.end());
        std::printf("%-34s median %6.1f ms  p99 %6.1f ms  min %6.1f  max %6.1f  (n=%zu)\n", what, core::percentile(v, 0.5),
                    core::percentile(v, 0.99), v.front(), v.back(), v.size());
    };
    std::printf("slide change, %ld clients, %ld changes, tick %.0f Hz, secure ENet on 127.0.0.1, one thread\n", clients,
                changes, tickHz);
    line("presenter input -> each viewer", latencyMs);
    line("presenter input -> every viewer", lastMs);
    return 0;
}
