// How the voice encoder follows the link (issue 14). On a poor link Opus
// spends fewer bits, down to 12 kbit/s (still wideband SILK speech), and
// tunes its in-band FEC to the loss measured; 20 ms frames are kept (fewer,
// larger packets would lose more speech per lost packet and add delay).
//  - voiceRateFor: pure, the rate a link calls for.
//  - VoiceRateControl: smooths the measurements (loss over a few seconds)
//    and moves the rate down at once but up only after the link has been
//    better for a while, so a flapping link does not flap the codec.
// The capture applies a new rate between talk spurts (capture.h), so within
// one spurt every packet keeps one size (audit F-09).
// Pure arithmetic, no clock of its own; thread rule: the caller's.
#pragma once
#include <cstdint>
#include <optional>

namespace caseroom::audio {

struct VoiceLink {
    double lossFraction = 0;      // packets lost, [0, 1] (the transport's estimate)
    double rttMs = 0;
    std::uint32_t uplinkKbps = 0; // what the user or the link says we may send; 0: unknown
    bool slowConnection = false;  // the user's "my connection is slow"
};

struct VoiceRate {
    std::int32_t bitrate = 24000;     // bits per second
    std::int32_t lossPercent = 10;    // OPUS_SET_PACKET_LOSS_PERC: how much FEC to carry
    friend bool operator==(const VoiceRate&, const VoiceRate&) = default;
};

inline constexpr std::int32_t kVoiceBitrateGood = 24000, kVoiceBitrateFair = 16000, kVoiceBitrateFloor = 12000;

[[nodiscard]] VoiceRate voiceRateFor(const VoiceLink& link);

class VoiceRateControl {
public:
    // One measurement at `now` (seconds); returns the new rate when it
    // should change, else nullopt. The first call sets the starting rate.
    std::optional<VoiceRate> update(const VoiceLink& link, double now);
    [[nodiscard]] const VoiceRate& rate() const { return rate_; }

    static constexpr double kLossSeconds = 4.0;   // smoothing of the loss estimate
    static constexpr double kUpAfterSeconds = 6.0; // a better rate must hold this long before we go up

private:
    VoiceRate rate_;
    bool started_ = false;
    double loss_ = 0, last_ = 0, betterSince_ = -1;
};

} // namespace caseroom::audio
