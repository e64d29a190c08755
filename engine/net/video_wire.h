// net: video frames on the wire (issue 13; PROTOCOL.md "Video" once the
// message joins the catalog). An encoded VP8 frame is cut into fragments
// that each fit one sealed datagram without ENet fragmentation, sent
// unreliable on the video channel; a receiver puts them back together per
// stream. The server forwards fragments as they are (it never reassembles
// or decodes); only receivers reassemble.
//
// One fragment (bit-packed, net/stream.h serialize):
//   stream u16 (publisher slot << 2 | kind), frame u16 (per stream, wraps),
//   layer 2 bits (temporal layer 0..3, 0 = base), keyframe 1 bit,
//   tl0 u8 (the base-layer frame this frame depends on, counting base
//   frames mod 256: a base frame carries its own; as VP8's RTP TL0PICIDX),
//   index 6 bits and count 6 bits (1..kMaxVideoFragments), ptsMs u32 (the
//   frame's capture time, ms), size u16 (1..kVideoFragmentBytes), bytes.
// The server may drop whole upper-layer frames for a receiver's budget: the
// frame numbers then skip, and tl0 tells the receiver that nothing it needs
// was lost.
// Frames are at most kMaxVideoFragments * kVideoFragmentBytes bytes; an
// encoder's frame bigger than that is not sent (the sender asks its
// encoder for a lower rate).
// Thread rule: a VideoReassembler is used by one thread.
#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "net/stream.h"

namespace caseroom::net {

constexpr std::uint32_t kVideoFragmentBytes = 1100;   // payload per fragment: one datagram with headers and sealing
constexpr std::uint32_t kMaxVideoFragments = 63;       // 6 bits: a frame is at most 69300 bytes
constexpr std::uint32_t kMaxVideoFrameBytes = kVideoFragmentBytes * kMaxVideoFragments;
constexpr std::uint32_t kMaxVideoLayers = 4;

enum class VideoKind : std::uint8_t { Camera, Screen, Count };   // 2 bits in the stream id

struct VideoStreamId {
    std::uint16_t publisher = 0;   // entity slot, < 1024 (sim's 10 bits)
    VideoKind kind = VideoKind::Camera;
    [[nodiscard]] std::uint16_t packed() const;
    [[nodiscard]] static std::optional<VideoStreamId> unpack(std::uint16_t v);
    friend bool operator==(const VideoStreamId&, const VideoStreamId&) = default;
    friend auto operator<=>(const VideoStreamId&, const VideoStreamId&) = default;
};

struct VideoFragment {
    VideoStreamId stream;
    std::uint16_t frame = 0;
    std::uint8_t layer = 0;        // < kMaxVideoLayers
    bool keyframe = false;
    std::uint8_t tl0 = 0;
    std::uint8_t index = 0;        // < count
    std::uint8_t count = 1;        // 1..kMaxVideoFragments
    std::uint32_t ptsMs = 0;
    std::uint16_t size = 0;        // 1..kVideoFragmentBytes
    std::array<std::uint8_t, kVideoFragmentBytes> bytes{};   // inline: decoding allocates nothing
    [[nodiscard]] std::span<const std::uint8_t> payload() const { return {bytes.data(), size}; }
    friend bool operator==(const VideoFragment& a, const VideoFragment& b);
};

// Every field within its bounds (the stream's publisher and kind, layer,
// index < count, size).
[[nodiscard]] bool videoFragmentValid(const VideoFragment& f);

// One layout for both directions (the catalog's VideoFragment message
// carries it after its type byte). Count and size go raw (6 and 16 bits) and
// are range-checked, so a zero on the wire is a refusal, not an offset.
template <typename S>
bool serializeVideoFragment(S& s, VideoFragment& f) {
    std::uint16_t stream = 0;
    if constexpr (S::kWriting) stream = f.stream.packed();
    if (!serializeU16(s, stream)) return false;
    if constexpr (S::kReading) {
        const auto id = VideoStreamId::unpack(stream);
        if (!id) return false;
        f.stream = *id;
    }
    std::uint32_t layer = f.layer, tl0 = f.tl0, index = f.index, count = f.count;
    if (!serializeU16(s, f.frame) || !s.serializeBits(layer, 2) || !serializeBool(s, f.keyframe) ||
        !s.serializeBits(tl0, 8) || !s.serializeBits(index, 6) || !s.serializeBits(count, 6) ||
        !serializeU32(s, f.ptsMs) || !serializeU16(s, f.size))
        return false;
    if constexpr (S::kReading) {
        f.layer = static_cast<std::uint8_t>(layer);
        f.tl0 = static_cast<std::uint8_t>(tl0);
        f.index = static_cast<std::uint8_t>(index);
        f.count = static_cast<std::uint8_t>(count);
    }
    if (!videoFragmentValid(f)) return false;
    // Aligned, so the payload is one copy each way.
    return s.align() && s.serializeBytes(f.bytes.data(), f.size);
}

// Wire bytes of one fragment (13 header bytes + the payload; empty when a
// field is out of range), and back; decode refuses (nullopt) anything
// out of range (index >= count, size 0 or too big, layer, kind, publisher),
// short, or with bytes left over.
[[nodiscard]] std::vector<std::uint8_t> encodeVideoFragment(const VideoFragment& f);
[[nodiscard]] std::optional<VideoFragment> decodeVideoFragment(std::span<const std::uint8_t> bytes);

// An encoded frame as the encoder gave it and as the reassembler gives it back.
struct VideoFrameData {
    VideoStreamId stream;
    std::uint16_t frame = 0;
    std::uint8_t layer = 0;
    bool keyframe = false;
    std::uint8_t tl0 = 0;
    std::uint32_t ptsMs = 0;
    std::vector<std::uint8_t> bytes;   // 1..kMaxVideoFrameBytes
};

// Cuts a frame into ceil(size / kVideoFragmentBytes) fragments (empty when
// the frame is empty or bigger than kMaxVideoFrameBytes).
[[nodiscard]] std::vector<VideoFragment> fragmentVideoFrame(const VideoFrameData& frame);

// Puts one stream's fragments back together and gives out only frames the
// decoder can use. Fragments may come in any order, duplicated, or not at
// all. A frame is complete when all its fragments arrived and comes out at
// once (no waiting for older ones: latency first); a frame older
// (wrap-aware) than one already given out is dropped (late). At most kWindow
// frames are assembled at once; when a newer frame starts and the window is
// full, the oldest incomplete one is abandoned (counted lost). Fragments that
// disagree with the frame's first fragment (count, layer, keyframe, tl0, pts)
// are dropped and counted malformed.
// The reference chain, by tl0: a keyframe always decodes and restarts it; a
// base frame decodes when its tl0 follows the last base frame given out; an
// upper-layer frame decodes when its tl0 is the last base frame given out
// (else it is dropped, counted undecodable, and asks for nothing). A base
// frame that does not follow (a base frame was lost or late) sets
// needKeyframe(): nothing but a keyframe comes out until one completes (the
// receiver asks for it, rate limited by the server). needKeyframe() is true
// from the start until the first keyframe.
class VideoReassembler {
public:
    static constexpr std::size_t kWindow = 4;
    explicit VideoReassembler(VideoStreamId stream) : stream_(stream) {}
    // Returns the frames this fragment completed (usually 0 or 1), in order.
    void push(const VideoFragment& f, std::vector<VideoFrameData>& out);
    [[nodiscard]] bool needKeyframe() const { return needKeyframe_; }
    struct Stats {
        std::uint64_t fragments = 0, frames = 0, lost = 0, late = 0, duplicates = 0, malformed = 0, undecodable = 0;
    };
    [[nodiscard]] const Stats& stats() const { return stats_; }

private:
    struct Pending {
        std::uint16_t frame = 0;
        std::uint8_t layer = 0, count = 0, have = 0;
        bool keyframe = false;
        std::uint8_t tl0 = 0;
        std::uint32_t ptsMs = 0;
        std::array<bool, kMaxVideoFragments> got{};
        std::vector<std::uint8_t> bytes;   // count * kVideoFragmentBytes reserved; the last fragment sets the size
        std::uint32_t lastSize = 0;
    };
    VideoStreamId stream_;
    std::vector<Pending> pending_;         // at most kWindow, by frame order
    std::optional<std::uint16_t> lastOut_; // the newest frame given out
    std::uint8_t lastTl0_ = 0;             // the tl0 of the last base frame given out
    bool needKeyframe_ = true;             // until the first keyframe
    Stats stats_;
};

} // namespace caseroom::net
