// Runs a ClientSession's update() on its own thread every kPeriod (5 ms):
// the network drain, the client ticks and, through the session, the attached
// VoiceClient's pump (capture -> clean-up -> encode -> send; received
// packets -> jitter buffers). Voice is then serviced on its own schedule, not
// once per rendered frame (16.7 ms with vsync, longer on lavapipe or while
// minimised).
//
// Thread rule: while running, the pump thread is the one that calls
// session.update(). Every other use of the session and of the VoiceClient
// attached to it (UI reads, input, attachVoice, the voice panel's switches)
// happens on the main thread holding lock(). stop() before the session or
// the voice client goes (leave(), closeLink, stopVoice). The audio device
// callbacks never take this lock: they reach the VoiceClient only through
// its lock-free rings (audio/audio_bridge.h).
#pragma once
#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "session/client_session.h"

namespace caseroom::client {

struct PumpTiming {
    std::uint64_t runs = 0;
    double medianGapMs = 0, p99GapMs = 0, maxGapMs = 0; // between the starts of consecutive updates (recent runs)
};

class SessionPump {
public:
    static constexpr double kPeriod = 0.005; // seconds; VoiceClient wants a pump every 10 ms or less

    SessionPump() = default;
    SessionPump(const SessionPump&) = delete;
    SessionPump& operator=(const SessionPump&) = delete;
    ~SessionPump() { stop(); }

    // Starts calling s.update(now()) every kPeriod. `now`: the session's clock, seconds.
    void start(session::ClientSession& s, std::function<double()> now);
    // Joins the thread. Must not be called while holding lock().
    void stop();
    [[nodiscard]] bool running() const { return thread_.joinable(); }
    // Hold this while touching the session from any other thread.
    [[nodiscard]] std::unique_lock<std::mutex> lock() { return std::unique_lock<std::mutex>(mutex_); }
    // Measured gaps between updates over the recent runs (since start()). Call after stop().
    [[nodiscard]] PumpTiming timing() const;

private:
    void run(session::ClientSession& s, std::function<double()> now);

    std::thread thread_;
    std::mutex mutex_;
    std::atomic<bool> stop_{false};
    std::vector<double> gapsMs_;  // ring of recent gaps, written by the pump thread only while running
    std::size_t nextGap_ = 0;
    std::uint64_t runs_ = 0;
};

} // namespace caseroom::client
