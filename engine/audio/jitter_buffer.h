// Per-speaker adaptive jitter buffer with the speaker's decoder inside it.
//
// push() stores encoded packets as they arrive (any order, duplicates and
// losses allowed); pull() hands out decoded audio one 10 ms block at a time,
// on the playout clock. Per codec frame it plays, in order of preference:
//   real       the frame's own packet;
//   fec        the frame rebuilt from the next packet's in-band FEC (Opus);
//   concealed  packet loss concealment, when later packets exist;
//   dry        concealment fading to silence when nothing is buffered (the
//              speaker paused, DTX, or the link stalled); after
//              `dryFramesToIdle` such frames the stream goes idle and restarts
//              buffering with the next packet.
// The playout delay targets the observed jitter: target = clamp(q-quantile of
// (arrival - sequence * frame) minus its minimum over the recent window +
// safety, minTarget, maxTarget). When the delay is short of the target by half
// a frame it inserts one concealment frame (fast); when it is over by a frame
// for half a second it drops one frame with a crossfade (slow), so delay
// follows the link both ways. Starts and idles fade over fadeMs, never click.
//
// Time is an input: `now` in seconds on any monotonic clock shared by push()
// and pull(). Thread rule: one thread calls push(), pull() and clear(): the
// audio callback (through the Mixer, decoding in the callback so that no
// extra buffering sits between the jitter buffer and the device) or, in
// tests, any single thread. Storage is fixed at construction: push(), pull()
// and clear() never allocate, lock, log or do I/O (Opus decoding included).
#pragma once
#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "audio/audio_format.h"
#include "audio/codec.h"
#include "audio/voice_packet.h"

namespace caseroom::audio {

struct JitterConfig {
    double minTargetMs = 20.0;   // the delay never aims lower than this
    double maxTargetMs = 400.0;  // nor higher than this
    double safetyMs = 10.0;      // added to the observed spread
    double quantile = 0.98;      // of the transit spread that must arrive in time
    std::uint32_t windowPackets = 200; // transit history (4 s of 20 ms frames)
    std::uint32_t dryFramesToIdle = 3;
    double fadeMs = 5.0;
};

struct JitterStats {
    std::uint64_t received = 0;   // packets stored
    std::uint64_t real = 0;       // frames played from their own packet
    std::uint64_t fec = 0;        // frames rebuilt from the next packet's FEC
    std::uint64_t concealed = 0;  // frames concealed with later data present (loss)
    std::uint64_t dry = 0;        // frames concealed with nothing buffered
    std::uint64_t late = 0;       // packets that arrived after their play time: underruns
    std::uint64_t duplicate = 0;  // packets received twice
    std::uint64_t inserted = 0;   // frames inserted to grow the delay
    std::uint64_t dropped = 0;    // frames dropped to shrink the delay
    std::uint64_t restarts = 0;   // idle -> buffering transitions
    std::uint64_t malformed = 0;  // packets the decoder refused
    std::uint64_t tooFarAhead = 0; // packets beyond the buffer's reach, dropped
};

class JitterBuffer {
public:
    explicit JitterBuffer(std::unique_ptr<VoiceDecoder> decoder, const JitterConfig& config = {});

    // Stores one packet that arrived at `now` (seconds).
    void push(const VoicePacket& packet, double now);
    // Writes one 10 ms block (out.size() == kBlockSamples). Returns false when
    // the stream is idle or still buffering (then `out` is silence).
    bool pull(double now, std::span<float> out);

    // Forgets the stream and its statistics (a new speaker takes over). No allocation.
    void clear();

    [[nodiscard]] const JitterStats& stats() const { return stats_; }
    [[nodiscard]] double targetMs() const { return targetSec_ * 1000.0; }
    // Current playout delay over the earliest observed arrival, ms (0 when not playing).
    [[nodiscard]] double delayMs() const { return mode_ == Mode::Playing ? lastDelaySec_ * 1000.0 : 0.0; }
    [[nodiscard]] bool playing() const { return mode_ == Mode::Playing; }
    // Level byte of the most recent packet (for "who is speaking").
    [[nodiscard]] std::uint8_t lastLevel() const { return lastLevel_; }

private:
    enum class Mode : std::uint8_t { Idle, Buffering, Playing };
    static constexpr std::uint32_t kSlots = 64; // 1.28 s of 20 ms frames
    struct Slot {
        bool full = false;
        bool playedReal = false;
        std::uint32_t seq = 0;
        VoicePacket packet;
    };

    static std::uint32_t expandAround(std::uint16_t wire, std::uint32_t reference);
    void produceFrame(double now);
    void updateTarget();
    bool anyAhead(std::uint32_t from) const;
    Slot* find(std::uint32_t seq);
    void playSlot(Slot& s, std::span<float> out);
    void fec(const Slot& next, std::span<float> out);
    void conceal(std::span<float> out);
    void resetStream();

    std::unique_ptr<VoiceDecoder> decoder_;
    JitterConfig config_;
    JitterStats stats_;
    Mode mode_ = Mode::Idle;
    FrameDuration frame_ = FrameDuration::Ms20;
    bool haveSeq_ = false;
    std::uint32_t highest_ = 0;    // highest expanded sequence seen
    std::uint32_t next_ = 0;       // next sequence to play
    double bufferingSince_ = 0.0;
    double lastArrival_ = 0.0;
    double targetSec_ = 0.02;
    double lastDelaySec_ = 0.0;
    double minTransit_ = 0.0;
    std::uint32_t framesSinceAdjust_ = 0;
    std::uint32_t overTargetFrames_ = 0;
    std::uint32_t dryRun_ = 0;
    bool fadeInNext_ = false;
    bool decoderStale_ = false;
    std::uint8_t lastLevel_ = 0;
    std::vector<Slot> slots_;
    std::vector<double> transit_;  // ring of recent transit times
    std::vector<double> scratch_;  // for the quantile, sized once
    std::uint32_t transitCount_ = 0;
    std::uint32_t transitPos_ = 0;
    std::array<float, kMaxFrameSamples> frameBuf_{};
    std::array<float, kMaxFrameSamples> spare_{};
    std::uint32_t frameLen_ = 0;
    std::uint32_t frameOffset_ = 0;
};

} // namespace caseroom::audio
