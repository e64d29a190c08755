// WebM files decoded back for the tests with libavformat and libavcodec (the
// players' libraries, not ours): what the container says (codec, size,
// duration, colour signalling, tags, chapters) and every picture, handed to
// a callback as YUV 4:2:0 planes. Linked by tests that write video.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace caseroom::testing::webm {

struct Picture {
    int width = 0, height = 0;
    const std::uint8_t *y = nullptr, *u = nullptr, *v = nullptr;
    int yStride = 0, uvStride = 0;
    struct Sample {
        double y = 0, u = 0, v = 0;
    };
    // Means over the square of side 2 * half centred at (cx, cy), clipped to the picture.
    [[nodiscard]] Sample mean(int cx, int cy, int half) const;
};

struct Chapter {
    double startMs = 0, endMs = 0;
    std::string title;
};

struct Info {
    std::string error;                 // empty: read to the end
    std::string codec;                 // "vp8", "vp9" (avcodec_get_name)
    int width = 0, height = 0;
    int frames = 0;                    // pictures decoded
    double durationS = 0;              // the container's
    bool limitedRange = false;         // colour range signalled as MPEG (studio)
    bool bt601 = false;                // matrix signalled as BT.601 (BT470BG or SMPTE 170M)
    std::string title, date;           // the TITLE and DATE_RECORDED tags
    std::vector<Chapter> chapters;
};

// Every picture in order (k from 0) to `onPicture`, when given.
Info decodeWebm(const std::string& path, const std::function<void(int k, const Picture&)>& onPicture = {});

} // namespace caseroom::testing::webm
