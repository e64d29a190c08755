#include "audio/jitter_buffer.h"

#include <algorithm>
#include <cassert>
#include <cmath>

namespace caseroom::audio {

JitterBuffer::JitterBuffer(std::unique_ptr<VoiceDecoder> decoder, const JitterConfig& config)
    : decoder_(std::move(decoder)), config_(config), slots_(kSlots), transit_(config.windowPackets),
      scratch_(config.windowPackets) {
    assert(decoder_ && config_.windowPackets > 0);
    targetSec_ = config_.minTargetMs / 1000.0;
}

std::uint32_t JitterBuffer::expandAround(std::uint16_t wire, std::uint32_t reference) {
    const auto diff = static_cast<std::int16_t>(static_cast<std::uint16_t>(wire - static_cast<std::uint16_t>(reference)));
    const auto r = static_cast<std::int64_t>(reference) + diff;
    return r < 0 ? wire : static_cast<std::uint32_t>(r);
}

JitterBuffer::Slot* JitterBuffer::find(std::uint32_t seq) {
    Slot& s = slots_[seq % kSlots];
    return s.full && s.seq == seq ? &s : nullptr;
}

bool JitterBuffer::anyAhead(std::uint32_t from) const {
    if (highest_ < from) return false;
    for (std::uint32_t s = from; s <= highest_ && s - from < kSlots; ++s) {
        const Slot& slot = slots_[s % kSlots];
        if (slot.full && slot.seq == s) return true;
    }
    return false;
}

void JitterBuffer::resetStream() {
    for (auto& s : slots_) s = Slot{};
    haveSeq_ = false;
    transitCount_ = transitPos_ = 0;
    mode_ = Mode::Idle;
    frameLen_ = frameOffset_ = 0;
    decoder_->reset();
}

void JitterBuffer::clear() {
    resetStream();
    stats_ = JitterStats{};
    targetSec_ = config_.minTargetMs / 1000.0;
    lastDelaySec_ = 0.0;
    dryRun_ = 0;
    decoderStale_ = false;
    fadeInNext_ = false;
}

void JitterBuffer::push(const VoicePacket& packet, double now) {
    if (haveSeq_ && packet.frame != frame_) resetStream(); // the speaker changed frame length
    frame_ = packet.frame;
    std::uint32_t seq = 0;
    if (!haveSeq_) {
        seq = 0x10000u + packet.sequence; // room below for reordered early packets
        highest_ = seq;
        haveSeq_ = true;
    } else if (mode_ == Mode::Idle) {
        // After a pause the sender's counter moved on by about the elapsed
        // time (it counts unsent frames too): expand around that estimate, so
        // even a pause longer than the 16-bit range lands ahead.
        const double elapsed = (now - lastArrival_) / frameSeconds(frame_);
        const auto ahead = static_cast<std::uint32_t>(std::clamp(elapsed, 0.0, 1e9));
        seq = expandAround(packet.sequence, highest_ + ahead);
    } else {
        seq = expandAround(packet.sequence, highest_);
    }
    lastArrival_ = now;
    lastLevel_ = packet.level;

    // Transit = arrival minus the nominal send time; only its spread matters.
    const double transit = now - static_cast<double>(seq) * frameSeconds(frame_);
    transit_[transitPos_] = transit;
    transitPos_ = (transitPos_ + 1) % config_.windowPackets;
    if (transitCount_ < config_.windowPackets) ++transitCount_;

    if (mode_ == Mode::Playing && seq < next_) {
        Slot& s = slots_[seq % kSlots];
        if (s.seq == seq && s.playedReal) ++stats_.duplicate;
        else ++stats_.late;
        return;
    }
    if (mode_ == Mode::Playing && seq >= next_ + kSlots) { ++stats_.tooFarAhead; return; }
    if (seq + kSlots <= highest_) { ++stats_.tooFarAhead; return; } // far behind the newest
    Slot& s = slots_[seq % kSlots];
    if (s.full && s.seq == seq) { ++stats_.duplicate; return; }
    s.full = true;
    s.playedReal = false;
    s.seq = seq;
    s.packet = packet;
    highest_ = std::max(highest_, seq);
    ++stats_.received;
    if (mode_ == Mode::Idle) {
        mode_ = Mode::Buffering;
        bufferingSince_ = now;
        ++stats_.restarts;
    }
}

void JitterBuffer::updateTarget() {
    if (transitCount_ == 0) return;
    std::copy_n(transit_.begin(), transitCount_, scratch_.begin());
    const auto first = scratch_.begin();
    const auto last = first + transitCount_;
    minTransit_ = *std::min_element(first, last);
    auto q = static_cast<std::ptrdiff_t>(config_.quantile * static_cast<double>(transitCount_ - 1) + 0.5);
    std::nth_element(first, first + q, last);
    const double spread = scratch_[static_cast<std::size_t>(q)] - minTransit_;
    const double t = spread + config_.safetyMs / 1000.0;
    targetSec_ = std::clamp(t, config_.minTargetMs / 1000.0, config_.maxTargetMs / 1000.0);
}

void JitterBuffer::playSlot(Slot& s, std::span<float> out) {
    auto r = decoder_->decode(s.packet.payload(), out);
    s.full = false;
    s.playedReal = true;
    if (r) {
        ++stats_.real;
    } else {
        ++stats_.malformed;
        conceal(out);
        ++stats_.concealed;
    }
}

void JitterBuffer::fec(const Slot& nextSlot, std::span<float> out) {
    auto r = decoder_->decodeFec(nextSlot.packet.payload(), out);
    if (r) {
        ++stats_.fec;
    } else {
        conceal(out);
        ++stats_.concealed;
    }
}

void JitterBuffer::conceal(std::span<float> out) {
    if (!decoder_->conceal(out)) std::fill(out.begin(), out.end(), 0.0f);
}

void JitterBuffer::produceFrame(double now) {
    const std::uint32_t n = frameSamples(frame_);
    const std::span<float> out(frameBuf_.data(), n);
    frameLen_ = n;
    frameOffset_ = 0;
    const double f = frameSeconds(frame_);
    updateTarget();
    lastDelaySec_ = (now - static_cast<double>(next_) * f) - minTransit_;
    ++framesSinceAdjust_;

    // Grow: short of the target by half a frame -> one concealment frame.
    if (lastDelaySec_ < targetSec_ - f / 2 && framesSinceAdjust_ >= 2 && dryRun_ == 0) {
        conceal(out);
        ++stats_.inserted;
        framesSinceAdjust_ = 0;
        return;
    }
    // Shrink: a frame over the target for half a second -> drop one frame.
    overTargetFrames_ = lastDelaySec_ > targetSec_ + f ? overTargetFrames_ + 1 : 0;
    if (overTargetFrames_ * f >= 0.5 && framesSinceAdjust_ >= 2) {
        Slot* a = find(next_);
        Slot* b = find(next_ + 1);
        if (a && b) {
            const std::span<float> other(spare_.data(), n);
            playSlot(*a, out);
            playSlot(*b, other);
            --stats_.real; // two packets, one frame played
            for (std::uint32_t i = 0; i < n; ++i) {
                const float w = (static_cast<float>(i) + 0.5f) / static_cast<float>(n);
                out[i] = out[i] * (1.0f - w) + other[i] * w;
            }
            ++stats_.dropped;
            next_ += 2;
            framesSinceAdjust_ = 0;
            overTargetFrames_ = 0;
            dryRun_ = 0;
            return;
        }
    }

    if (Slot* s = find(next_)) {
        playSlot(*s, out);
        dryRun_ = 0;
    } else if (Slot* nx = find(next_ + 1)) {
        fec(*nx, out);
        dryRun_ = 0;
    } else if (anyAhead(next_ + 2)) {
        conceal(out);
        ++stats_.concealed;
        dryRun_ = 0;
    } else {
        conceal(out);
        ++stats_.dry;
        if (++dryRun_ >= config_.dryFramesToIdle) {
            // Nothing more is coming for now: fade out and go idle.
            for (std::uint32_t i = 0; i < n; ++i) out[i] *= 1.0f - static_cast<float>(i + 1) / static_cast<float>(n);
            mode_ = Mode::Idle;
            dryRun_ = 0;
            decoderStale_ = true;
            for (auto& sl : slots_) sl.full = false; // nothing left is playable
        }
    }
    ++next_;
}

bool JitterBuffer::pull(double now, std::span<float> out) {
    assert(out.size() == kBlockSamples);
    if (mode_ == Mode::Buffering && now - bufferingSince_ + 1e-9 >= targetSec_) {
        // Start at the oldest buffered frame.
        std::uint32_t first = highest_;
        for (const auto& s : slots_)
            if (s.full && s.seq < first) first = s.seq;
        next_ = first;
        mode_ = Mode::Playing;
        fadeInNext_ = true;
        framesSinceAdjust_ = 0;
        overTargetFrames_ = 0;
        frameLen_ = frameOffset_ = 0;
        if (decoderStale_) { decoder_->reset(); decoderStale_ = false; }
    }
    if (mode_ != Mode::Playing && frameOffset_ >= frameLen_) {
        std::fill(out.begin(), out.end(), 0.0f);
        return false;
    }
    if (frameOffset_ >= frameLen_) {
        produceFrame(now);
        if (fadeInNext_) {
            const auto fadeN = std::min<std::uint32_t>(frameLen_, static_cast<std::uint32_t>(config_.fadeMs * 1e-3 * kSampleRate));
            for (std::uint32_t i = 0; i < fadeN; ++i) frameBuf_[i] *= static_cast<float>(i) / static_cast<float>(fadeN);
            fadeInNext_ = false;
        }
    }
    std::copy_n(frameBuf_.begin() + frameOffset_, kBlockSamples, out.begin());
    frameOffset_ += kBlockSamples;
    return true;
}

} // namespace caseroom::audio
