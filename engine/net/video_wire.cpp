#include "net/video_wire.h"

#include <algorithm>
#include <cassert>
#include <cstring>

#include "net/messages.h"
#include "net/stream.h"

namespace caseroom::net {

namespace {

constexpr std::uint32_t kKindCount = static_cast<std::uint32_t>(VideoKind::Count);
static_assert(kKindCount <= 4, "the kind has 2 bits in the stream id");
static_assert(kMaxEntities <= (1u << 14), "the publisher has 14 bits in the stream id");
static_assert(kMaxVideoFragments < 64 && kMaxVideoLayers <= 4);

// Header bits (103) padded to a byte, then the payload: 13 + size bytes.
constexpr std::size_t kHeaderBytes = 13;
constexpr std::size_t kMaxFragmentWireBytes = kHeaderBytes + kVideoFragmentBytes;

bool validStream(const VideoStreamId& s) {
    return s.publisher < kMaxEntities && static_cast<std::uint32_t>(s.kind) < kKindCount;
}

} // namespace

bool videoFragmentValid(const VideoFragment& f) {
    return validStream(f.stream) && f.layer < kMaxVideoLayers && f.count >= 1 && f.count <= kMaxVideoFragments &&
           f.index < f.count && f.size >= 1 && f.size <= kVideoFragmentBytes;
}

namespace {
bool validFields(const VideoFragment& f) { return videoFragmentValid(f); }

bool sameFrame(const VideoFragment& f, std::uint8_t count, std::uint8_t layer, bool keyframe, std::uint8_t tl0,
               std::uint32_t ptsMs) {
    return f.count == count && f.layer == layer && f.keyframe == keyframe && f.tl0 == tl0 && f.ptsMs == ptsMs;
}

} // namespace

std::uint16_t VideoStreamId::packed() const {
    assert(publisher < kMaxEntities && static_cast<std::uint32_t>(kind) < kKindCount);
    return static_cast<std::uint16_t>((publisher << 2) | static_cast<std::uint16_t>(kind));
}

std::optional<VideoStreamId> VideoStreamId::unpack(std::uint16_t v) {
    const auto publisher = static_cast<std::uint16_t>(v >> 2);
    const std::uint32_t kind = v & 3u;
    if (publisher >= kMaxEntities || kind >= kKindCount) return std::nullopt;
    return VideoStreamId{publisher, static_cast<VideoKind>(kind)};
}

bool operator==(const VideoFragment& a, const VideoFragment& b) {
    return a.stream == b.stream && a.frame == b.frame && a.layer == b.layer && a.keyframe == b.keyframe && a.tl0 == b.tl0 &&
           a.index == b.index && a.count == b.count && a.ptsMs == b.ptsMs && a.size == b.size &&
           (a.size > kVideoFragmentBytes || std::memcmp(a.bytes.data(), b.bytes.data(), a.size) == 0);
}

// Empty when a field is out of range (the same bounds decode checks).
std::vector<std::uint8_t> encodeVideoFragment(const VideoFragment& f) {
    if (!validFields(f)) return {};
    WriteStream w(kMaxFragmentWireBytes);
    VideoFragment copy = f;
    if (!serializeVideoFragment(w, copy)) return {};
    const auto bytes = w.finish();
    return {bytes.begin(), bytes.end()};
}

std::optional<VideoFragment> decodeVideoFragment(std::span<const std::uint8_t> bytes) {
    if (bytes.size() > kMaxFragmentWireBytes) return std::nullopt;
    ReadStream r(bytes);
    VideoFragment f;
    if (!serializeVideoFragment(r, f) || r.bitsLeft() != 0) return std::nullopt;
    return f;
}

// Also empty when the frame's stream or layer cannot go on the wire.
std::vector<VideoFragment> fragmentVideoFrame(const VideoFrameData& frame) {
    const std::size_t n = frame.bytes.size();
    if (n == 0 || n > kMaxVideoFrameBytes || frame.layer >= kMaxVideoLayers || !validStream(frame.stream)) return {};
    const auto count = static_cast<std::uint8_t>((n + kVideoFragmentBytes - 1) / kVideoFragmentBytes);
    std::vector<VideoFragment> out(count);
    for (std::uint8_t i = 0; i < count; ++i) {
        VideoFragment& f = out[i];
        f.stream = frame.stream;
        f.frame = frame.frame;
        f.layer = frame.layer;
        f.keyframe = frame.keyframe;
        f.tl0 = frame.tl0;
        f.index = i;
        f.count = count;
        f.ptsMs = frame.ptsMs;
        const std::size_t at = std::size_t{i} * kVideoFragmentBytes;
        f.size = static_cast<std::uint16_t>(std::min<std::size_t>(kVideoFragmentBytes, n - at));
        std::memcpy(f.bytes.data(), frame.bytes.data() + at, f.size);
    }
    return out;
}

// ---- VideoReassembler ------------------------------------------------------
// pending_ holds up to kWindow frames in frame order, oldest first. An entry
// with have == count is done (given out, or dropped as undecodable): it stays
// as a marker so that its repeated fragments count as duplicates, and leaves
// when the window moves past it. Every fragment but a frame's last carries
// exactly kVideoFragmentBytes (as fragmentVideoFrame cuts), so fragment i
// lands at i * kVideoFragmentBytes and the last one sets the size.
// Counters: fragments, duplicates, malformed and late count fragments;
// frames, lost and undecodable count frames.

void VideoReassembler::push(const VideoFragment& f, std::vector<VideoFrameData>& out) {
    if (pending_.capacity() < kWindow) pending_.reserve(kWindow);
    ++stats_.fragments;
    if (f.stream != stream_ || !validFields(f) || (f.index + 1u < f.count && f.size != kVideoFragmentBytes)) {
        ++stats_.malformed;
        return;
    }

    auto it = std::find_if(pending_.begin(), pending_.end(), [&](const Pending& p) { return p.frame == f.frame; });
    if (it == pending_.end()) {
        if (lastOut_ && !seqNewer(f.frame, *lastOut_)) {
            ++stats_.late;
            return;
        }
        if (pending_.size() == kWindow) {
            // A done marker goes first; else the oldest incomplete frame is
            // abandoned, unless this one is older still (no room for it).
            auto victim = std::find_if(pending_.begin(), pending_.end(), [](const Pending& q) { return q.have == q.count; });
            if (victim == pending_.end()) {
                if (seqNewer(pending_.front().frame, f.frame)) {
                    ++stats_.late;
                    return;
                }
                victim = pending_.begin();
                ++stats_.lost;
            }
            pending_.erase(victim);
        }
        it = std::find_if(pending_.begin(), pending_.end(), [&](const Pending& p) { return seqNewer(p.frame, f.frame); });
        it = pending_.insert(it, Pending{});
        it->frame = f.frame;
        it->layer = f.layer;
        it->count = f.count;
        it->keyframe = f.keyframe;
        it->tl0 = f.tl0;
        it->ptsMs = f.ptsMs;
        it->bytes.reserve(std::size_t{f.count} * kVideoFragmentBytes); // the one allocation per frame
        it->bytes.resize(std::size_t{f.count} * kVideoFragmentBytes);
    } else if (!sameFrame(f, it->count, it->layer, it->keyframe, it->tl0, it->ptsMs)) {
        ++stats_.malformed;
        return;
    }
    Pending& p = *it;
    if (p.got[f.index]) {
        ++stats_.duplicates;
        return;
    }
    p.got[f.index] = true;
    ++p.have;
    std::memcpy(p.bytes.data() + std::size_t{f.index} * kVideoFragmentBytes, f.bytes.data(), f.size);
    if (f.index + 1u == f.count) p.lastSize = f.size;
    if (p.have < p.count) return;

    // Complete: does the decoder have what it references?
    bool decodes = false;
    if (p.keyframe) {
        decodes = true;
        needKeyframe_ = false;
    } else if (needKeyframe_) {
        decodes = false;
    } else if (p.layer == 0) {
        decodes = p.tl0 == static_cast<std::uint8_t>(lastTl0_ + 1);
        if (!decodes) needKeyframe_ = true; // a base frame was lost or came late
    } else {
        decodes = p.tl0 == lastTl0_;
    }
    if (!decodes) {
        ++stats_.undecodable;
        p.bytes.clear();
        return;
    }
    if (p.layer == 0 || p.keyframe) lastTl0_ = p.tl0;
    VideoFrameData& d = out.emplace_back();
    d.stream = stream_;
    d.frame = p.frame;
    d.layer = p.layer;
    d.keyframe = p.keyframe;
    d.tl0 = p.tl0;
    d.ptsMs = p.ptsMs;
    p.bytes.resize(std::size_t{p.count - 1u} * kVideoFragmentBytes + p.lastSize);
    d.bytes = std::move(p.bytes);
    p.bytes = {};
    ++stats_.frames;
    lastOut_ = p.frame;
    // Older frames can no longer come out (they would be late): abandon them.
    const std::uint16_t newest = p.frame;
    std::size_t keep = 0;
    for (std::size_t i = 0; i < pending_.size(); ++i) {
        if (seqNewer(newest, pending_[i].frame)) {
            if (pending_[i].have < pending_[i].count) ++stats_.lost;
            continue;
        }
        if (keep != i) pending_[keep] = std::move(pending_[i]);
        ++keep;
    }
    pending_.erase(pending_.begin() + static_cast<std::ptrdiff_t>(keep), pending_.end());
}

} // namespace caseroom::net
