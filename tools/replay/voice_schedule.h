// One sender's voice frames (as the recording has them, in arrival order)
// placed on the programme timeline, and decoded back to 48 kHz mono.
//
// Placement (placeFrames), per sender:
// - frames are put in sequence order within a short reorder window
//   (reorderWindowMs of arrival time); a duplicate or a frame older than one
//   already placed is dropped;
// - a talk spurt starts at its first frame's arrival time (atMs); each next
//   frame is placed right after the previous one by sequence number, so
//   network jitter does not move it, as long as its arrival stays within
//   jitterToleranceMs of that place; beyond that (or a sequence jump of more
//   than maxSeqGapFrames) a new spurt starts at the arrival time (never
//   overlapping the previous frame);
// - up to maxConcealFrames missing sequence numbers inside a spurt are
//   concealed (Opus PLC, the last one from the next frame's in-band FEC);
//   a longer gap was the sender's DTX or mute: silence, decoder reset.
// Positions are samples at 48 kHz since the recording's first tick.
//
// Rendering (StreamRenderer): decodes the placed frames with the project's
// Opus adapter (audio/codec.h) chunk by chunk, in time order; a malformed
// packet is concealed and counted, never fatal. Deterministic: rendering the
// same range twice gives the same samples.
// Thread rule: one thread per object.
#pragma once
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "audio/codec.h"
#include "core/result.h"
#include "record/recording.h"

namespace caseroom::replay {

struct PlacementConfig {
    std::uint32_t reorderWindowMs = 200;
    std::uint32_t jitterToleranceMs = 500;
    std::uint32_t maxConcealFrames = 3;      // 60 ms of 20 ms frames
    std::uint32_t maxSeqGapFrames = 3000;    // a minute of 20 ms frames: beyond, a new stream
};

struct PlacedFrame {
    std::int64_t pos = 0;          // first sample on the timeline
    std::uint32_t samples = 0;     // frameMs x 48
    std::int32_t frame = -1;       // index into the sender's frames; -1: concealed (no packet)
    std::int32_t fecFrom = -1;     // concealed from this frame's in-band FEC (-1: PLC)
    bool reset = false;            // reset the decoder first (a new spurt)
};

struct PlacementStats {
    std::uint64_t placed = 0, concealed = 0, dropped = 0, invalid = 0, spurts = 0;
};

// `frames`: one sender's frames in arrival order (atMs non-decreasing).
[[nodiscard]] std::vector<PlacedFrame> placeFrames(std::span<const record::VoiceSample> frames, const PlacementConfig& config,
                                                   PlacementStats& stats);

struct VoiceStream {
    std::uint32_t speaker = 0;                   // index of the speaker it belongs to
    std::vector<record::VoiceSample> frames;     // arrival order
    std::vector<PlacedFrame> placed;             // by position
};

class StreamRenderer {
public:
    // The stream must outlive the renderer.
    [[nodiscard]] static core::Result<std::unique_ptr<StreamRenderer>> create(const VoiceStream& stream);
    // Starts at `from` (samples): frames ending before from - 200 ms are not
    // decoded; those just before are, to prime the decoder.
    void seek(std::int64_t from);
    // Adds the stream's samples for [t0, t0 + out.size()) into `out`; calls
    // must follow one another in time (t0 = the previous t0 + size).
    void render(std::int64_t t0, std::span<float> out);
    [[nodiscard]] std::uint64_t decodeErrors() const { return decodeErrors_; }

private:
    explicit StreamRenderer(const VoiceStream& s) : stream_(s) {}
    void decodeInto(const PlacedFrame& p);
    const VoiceStream& stream_;
    std::unique_ptr<audio::VoiceDecoder> decoder_;
    std::size_t next_ = 0;                 // next placed frame to decode
    std::vector<float> frame_;             // the last decoded frame
    std::int64_t framePos_ = 0;            // its first sample
    bool haveFrame_ = false;
    std::uint64_t decodeErrors_ = 0;
};

} // namespace caseroom::replay
