#include "audio/voice_rate.h"

#include <algorithm>
#include <cmath>

namespace caseroom::audio {

VoiceRate voiceRateFor(const VoiceLink& link) {
    const double loss = std::clamp(link.lossFraction, 0.0, 1.0);
    VoiceRate r;
    // Thin or lossy: fewer bits per frame, so voice, state and FEC fit.
    // 64 kbit/s up carries voice (12 kbit/s payload, ~30 with headers at
    // 50 packets/s), input and acknowledgements.
    const bool thin = link.uplinkKbps > 0 && link.uplinkKbps < 96;
    const bool veryThin = link.uplinkKbps > 0 && link.uplinkKbps <= 64;
    if (veryThin || loss > 0.15 || (link.slowConnection && loss > 0.05)) r.bitrate = kVoiceBitrateFloor;
    else if (thin || link.slowConnection || loss > 0.08 || link.rttMs > 400) r.bitrate = kVoiceBitrateFair;
    else r.bitrate = kVoiceBitrateGood;
    // FEC sized to the loss seen, with a margin, within what Opus uses well.
    r.lossPercent = static_cast<std::int32_t>(std::clamp(std::ceil(loss * 100.0) + 2.0, 2.0, 30.0));
    return r;
}

std::optional<VoiceRate> VoiceRateControl::update(const VoiceLink& link, double now) {
    if (!started_) {
        started_ = true;
        loss_ = link.lossFraction;
        last_ = now;
        rate_ = voiceRateFor(link);
        return rate_;
    }
    const double dt = std::max(0.0, now - last_);
    last_ = now;
    loss_ += std::min(1.0, dt / kLossSeconds) * (link.lossFraction - loss_);
    VoiceLink smoothed = link;
    smoothed.lossFraction = loss_;
    const VoiceRate want = voiceRateFor(smoothed);
    if (want.bitrate < rate_.bitrate) { // worse: at once
        betterSince_ = -1;
        rate_ = want;
        return rate_;
    }
    if (want.bitrate > rate_.bitrate) { // better: once it has held
        if (betterSince_ < 0) betterSince_ = now;
        if (now - betterSince_ < kUpAfterSeconds) return std::nullopt;
        betterSince_ = -1;
        rate_ = want;
        return rate_;
    }
    betterSince_ = -1;
    if (std::abs(want.lossPercent - rate_.lossPercent) >= 3) { // FEC follows the loss (no size change)
        rate_.lossPercent = want.lossPercent;
        return rate_;
    }
    return std::nullopt;
}

} // namespace caseroom::audio
