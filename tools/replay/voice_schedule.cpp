// Placing a sender's frames on the timeline and decoding them (voice_schedule.h).
#include "voice_schedule.h"

#include <algorithm>
#include <cstdlib>

namespace caseroom::replay {
namespace {

constexpr std::int64_t kSamplesPerMs = 48;
constexpr std::int64_t kPrimeSamples = 200 * kSamplesPerMs;   // decoded before a seek point, then dropped

bool validFrameMs(std::uint8_t ms) { return ms == 10 || ms == 20 || ms == 40 || ms == 60; }

struct Ordered {
    std::int64_t useq = 0;       // unwrapped sequence
    std::uint32_t atMs = 0;
    std::int32_t index = 0;
};

} // namespace

std::vector<PlacedFrame> placeFrames(std::span<const record::VoiceSample> frames, const PlacementConfig& config,
                                     PlacementStats& stats) {
    // 1. Sequence order within the reorder window (arrival order otherwise).
    std::vector<Ordered> order;
    order.reserve(frames.size());
    {
        std::vector<Ordered> pending;  // sorted by useq
        std::int64_t lastUseq = 0, maxUseq = 0;
        std::uint16_t lastSeq = 0;
        bool first = true;
        auto release = [&](std::uint32_t now) {
            // Release from the front while anything pending is older than the window.
            while (!pending.empty()) {
                bool stale = false;
                for (const auto& p : pending)
                    if (p.atMs + config.reorderWindowMs < now) stale = true;
                if (!stale) break;
                order.push_back(pending.front());
                pending.erase(pending.begin());
            }
        };
        for (std::size_t i = 0; i < frames.size(); ++i) {
            const auto& f = frames[i];
            if (!validFrameMs(f.frameMs) || f.opus.empty()) {
                ++stats.invalid;
                continue;
            }
            std::int64_t useq = 0;
            if (first) {
                first = false;
            } else {
                const auto diff = static_cast<std::int16_t>(static_cast<std::uint16_t>(f.seq - lastSeq));
                // A jump this large is not reordering: a new sender on the slot.
                useq = std::abs(diff) > 1000 ? maxUseq + 100000 : lastUseq + diff;
            }
            lastSeq = f.seq;
            lastUseq = useq;
            maxUseq = std::max(maxUseq, useq);
            release(f.atMs);
            const Ordered o{useq, f.atMs, static_cast<std::int32_t>(i)};
            pending.insert(std::upper_bound(pending.begin(), pending.end(), o,
                                            [](const Ordered& a, const Ordered& b) { return a.useq < b.useq; }),
                           o);
        }
        order.insert(order.end(), pending.begin(), pending.end());
    }

    // 2. Positions.
    std::vector<PlacedFrame> out;
    out.reserve(order.size());
    const std::int64_t tolerance = static_cast<std::int64_t>(config.jitterToleranceMs) * kSamplesPerMs;
    bool have = false;
    std::int64_t prevUseq = 0, prevEnd = 0;
    for (const auto& o : order) {
        const auto& f = frames[static_cast<std::size_t>(o.index)];
        const std::int64_t samples = static_cast<std::int64_t>(f.frameMs) * kSamplesPerMs;
        const std::int64_t arrival = static_cast<std::int64_t>(f.atMs) * kSamplesPerMs;
        PlacedFrame p;
        p.samples = static_cast<std::uint32_t>(samples);
        p.frame = o.index;
        if (!have) {
            p.pos = arrival;
            p.reset = true;
            ++stats.spurts;
        } else {
            const std::int64_t d = o.useq - prevUseq;
            if (d <= 0) {  // a duplicate, or later than the frame already placed after it
                ++stats.dropped;
                continue;
            }
            const std::int64_t missing = d - 1;
            const std::int64_t expected = prevEnd + missing * samples;
            if (missing <= static_cast<std::int64_t>(config.maxSeqGapFrames) && std::llabs(arrival - expected) <= tolerance) {
                p.pos = expected;
                if (missing > 0 && missing <= static_cast<std::int64_t>(config.maxConcealFrames)) {
                    for (std::int64_t k = 0; k < missing; ++k) {
                        PlacedFrame c;
                        c.pos = prevEnd + k * samples;
                        c.samples = p.samples;
                        c.fecFrom = k + 1 == missing ? o.index : -1;
                        out.push_back(c);
                        ++stats.concealed;
                    }
                } else if (missing > 0) {
                    p.reset = true;  // DTX or mute: silence, then a fresh start
                    ++stats.spurts;
                }
            } else {
                p.pos = std::max(arrival, prevEnd);
                p.reset = true;
                ++stats.spurts;
            }
        }
        have = true;
        prevUseq = o.useq;
        prevEnd = p.pos + samples;
        out.push_back(p);
        ++stats.placed;
    }
    return out;
}

// ---- rendering ---------------------------------------------------------------------

core::Result<std::unique_ptr<StreamRenderer>> StreamRenderer::create(const VoiceStream& stream) {
    auto dec = audio::createOpusDecoder();
    if (!dec) return dec.error();
    std::unique_ptr<StreamRenderer> r(new StreamRenderer(stream));
    r->decoder_ = std::move(*dec);
    return r;
}

void StreamRenderer::seek(std::int64_t from) {
    const auto& placed = stream_.placed;
    next_ = static_cast<std::size_t>(
        std::partition_point(placed.begin(), placed.end(),
                             [&](const PlacedFrame& p) { return p.pos + p.samples <= from - kPrimeSamples; }) -
        placed.begin());
    haveFrame_ = false;
    decoder_->reset();
}

void StreamRenderer::decodeInto(const PlacedFrame& p) {
    if (p.reset) decoder_->reset();
    frame_.assign(p.samples, 0.0f);
    framePos_ = p.pos;
    haveFrame_ = true;
    if (p.frame >= 0) {
        const auto& opus = stream_.frames[static_cast<std::size_t>(p.frame)].opus;
        if (decoder_->decode(opus, frame_)) return;
        ++decodeErrors_;
    } else if (p.fecFrom >= 0) {
        if (decoder_->decodeFec(stream_.frames[static_cast<std::size_t>(p.fecFrom)].opus, frame_)) return;
        ++decodeErrors_;
    }
    if (!decoder_->conceal(frame_)) std::fill(frame_.begin(), frame_.end(), 0.0f);
}

void StreamRenderer::render(std::int64_t t0, std::span<float> out) {
    const std::int64_t t1 = t0 + static_cast<std::int64_t>(out.size());
    auto addOverlap = [&] {
        const std::int64_t a = std::max(t0, framePos_);
        const std::int64_t b = std::min(t1, framePos_ + static_cast<std::int64_t>(frame_.size()));
        for (std::int64_t t = a; t < b; ++t) out[static_cast<std::size_t>(t - t0)] += frame_[static_cast<std::size_t>(t - framePos_)];
        if (framePos_ + static_cast<std::int64_t>(frame_.size()) <= t1) haveFrame_ = false;
    };
    if (haveFrame_) addOverlap();
    const auto& placed = stream_.placed;
    while (next_ < placed.size() && placed[next_].pos < t1) {
        decodeInto(placed[next_++]);
        addOverlap();
    }
}

} // namespace caseroom::replay
