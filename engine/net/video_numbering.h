// net: a publisher's numbering of its encoded frames (issue 13), apart from
// video_wire.h so that only publishers (VideoClient, seed makers, benches)
// include it.
#pragma once
#include <cstdint>
#include <utility>
#include <vector>

#include "net/video_wire.h"

namespace caseroom::net {

// A publisher's numbering of its encoded frames as the wire carries them:
// frame numbers one up per frame, tl0 one up per base-layer frame after the
// first (the reassembler's chain). One per stream; the encoder's order.
class VideoFrameNumbering {
public:
    [[nodiscard]] VideoFrameData next(VideoStreamId stream, std::uint8_t layer, bool keyframe, std::uint64_t ptsUs,
                                      std::vector<std::uint8_t> bytes) {
        if (layer == 0) {
            if (anyBase_) ++tl0_;
            anyBase_ = true;
        }
        VideoFrameData d;
        d.stream = stream;
        d.frame = frame_++;
        d.layer = layer;
        d.keyframe = keyframe;
        d.tl0 = tl0_;
        d.ptsMs = static_cast<std::uint32_t>(ptsUs / 1000);
        d.bytes = std::move(bytes);
        return d;
    }

private:
    std::uint16_t frame_ = 0;
    std::uint8_t tl0_ = 0;
    bool anyBase_ = false;
};

} // namespace caseroom::net
