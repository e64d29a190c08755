// media: VP8 for live video (issue 13), through libvpx; the only file that
// includes <vpx/...> for live video is vp8.cpp (caseroom_video).
//
// Encoder: real-time mode, one pass, no look-ahead (a frame in, its packet
// out), error resilient (the decoder survives a lost frame), key frames on
// request only (the first frame, then forceKeyframe: a receiver that lost the
// chain asks, the server relays with a rate limit), and temporal layers so
// the server can thin a stream for a weak link by dropping whole frames:
//   1 layer:  every frame a base frame;
//   2 layers: pattern 0 1: layer-1 frames reference the last base frame and
//             update nothing (droppable);
//   3 layers: pattern 0 2 1 2: layer 1 references the base and updates the
//             golden reference; layer 2 references both and updates nothing.
// Dropping layer 2 halves the frame rate, dropping 1 and 2 quarters it; what
// is left always decodes (tested). Each layer's share of the bitrate is set
// cumulatively (libvpx ts_target_bitrate; two layers: base 60 %, all 100 %;
// three: base 50 %, +1 75 %, all 100 %), so that a spoke tile's base layer
// (70 kbit/s) fits a 200 kbit/s link beside voice and state.
// Every setting of a use (size, rate, bitrate, layers, speed) is in one
// table, videoProfile(): the spoke's tile, the presenter's camera and a
// screen share.
//
// Decoder: VP8 packets to I420 frames; a packet that does not decode is an
// error (counted by the caller), never a crash; a frame whose references
// were lost decodes with artefacts (error resilience) and the caller asks
// for a key frame (net/video_wire.h tells it when).
// Thread rule: an encoder or decoder is used by one thread at a time.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/role.h"
#include "media/video_frame.h"

namespace caseroom::media {

enum class VideoUse : std::uint8_t { SpokeTile, Presenter, ScreenShare, Count };
const char* toString(VideoUse u);

struct VideoProfile {
    VideoUse use = VideoUse::SpokeTile;
    std::uint32_t width = 320, height = 180;
    std::uint32_t fps = 15;
    std::uint32_t bitrateKbps = 200;        // all layers together
    std::uint32_t temporalLayers = 2;       // 1..3
    std::int32_t cpuUsed = 8;               // libvpx real-time speed (VP8: 4..16 here; higher is faster)
    std::uint32_t maxIntraPercent = 300;    // a key frame at most this share of an average frame (bounds the burst)
    bool screenContent = false;             // text and sharp edges: no noise reduction, static threshold
};
// The one place the settings live.
[[nodiscard]] const VideoProfile& videoProfile(VideoUse use);
// A camera's use by who sends it: the hub (facilitator, specialists,
// coordinator) as presenters, spokes and everyone else as tiles (a spoke's
// uplink is the thin one).
[[nodiscard]] VideoUse cameraUse(core::Role role);

struct EncodedFrame {
    std::vector<std::uint8_t> bytes;
    bool keyframe = false;
    std::uint8_t layer = 0;                 // temporal layer, 0 = base
    std::uint32_t index = 0;                // frames encoded before this one
    std::uint64_t ptsUs = 0;                // the source frame's
};

class Vp8Encoder {
public:
    // Frames must then be profile.width x profile.height. Errors name the setting and libvpx's text.
    [[nodiscard]] static core::Result<std::unique_ptr<Vp8Encoder>> create(const VideoProfile& profile);
    ~Vp8Encoder();
    Vp8Encoder(const Vp8Encoder&) = delete;
    Vp8Encoder& operator=(const Vp8Encoder&) = delete;

    // Encodes one frame (real time: usually one packet comes out; the rate
    // control may drop a frame, then nothing does). A frame of the wrong size is an error.
    [[nodiscard]] core::Status encode(const I420Frame& frame, std::vector<EncodedFrame>& out);
    // The next frame is a key frame (and restarts the layer pattern).
    void forceKeyframe() { forceKey_ = true; }
    // Changes the target bitrate (all layers, keeping their shares), e.g. for a sender's uplink.
    [[nodiscard]] core::Status setBitrate(std::uint32_t kbps);
    [[nodiscard]] const VideoProfile& profile() const { return profile_; }
    // The temporal layer the next frame will be coded in.
    [[nodiscard]] std::uint8_t nextLayer() const;
    struct Stats {
        std::uint64_t frames = 0, keyframes = 0, dropped = 0, bytes = 0;
    };
    [[nodiscard]] const Stats& stats() const { return stats_; }
    struct Impl;

private:
    explicit Vp8Encoder(const VideoProfile& profile);
    VideoProfile profile_;
    std::unique_ptr<Impl> impl_;
    std::uint32_t patternPos_ = 0;
    bool forceKey_ = true;                  // the first frame
    Stats stats_;
};

class Vp8Decoder {
public:
    [[nodiscard]] static core::Result<std::unique_ptr<Vp8Decoder>> create();
    ~Vp8Decoder();
    Vp8Decoder(const Vp8Decoder&) = delete;
    Vp8Decoder& operator=(const Vp8Decoder&) = delete;
    // One packet in; the frame it shows (nullopt for a packet that shows none).
    // Bytes that are not VP8, or a frame bigger than `maxPixels`, are an error.
    [[nodiscard]] core::Result<std::optional<I420Frame>> decode(std::span<const std::uint8_t> packet,
                                                               std::uint64_t maxPixels = 4096ull * 4096ull);
    // Whether the last decoded frame's references were intact (libvpx's
    // VP8D_GET_FRAME_CORRUPTED, negated): false after a lost reference.
    [[nodiscard]] bool lastFrameIntact() const { return intact_; }
    struct Impl;

private:
    Vp8Decoder();
    std::unique_ptr<Impl> impl_;
    bool intact_ = true;
};

} // namespace caseroom::media
