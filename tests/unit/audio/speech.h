// Test speech, generated at test time and never committed: espeak-ng (Debian)
// renders the text to a temporary WAV which is resampled to 48 kHz mono; when
// espeak-ng is missing, a synthetic voiced signal stands in (a glottal pulse
// train with a wandering pitch through three formant resonators, in
// syllable-like bursts). Deterministic for a given (text, voice).
#pragma once
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "audio/voice_client.h"

namespace caseroom::audio::test {

// A voice client for the transport tests: push-to-talk held (`talk`) or
// released, no Speex clean-up and no ambience, so what is compared is the
// transport path. Null if it could not be made.
std::unique_ptr<VoiceClient> plainVoice(bool talk);

// 48 kHz mono speech, padded or looped to at least `minSeconds`.
std::vector<float> speech(const std::string& text, const std::string& voice = "en-us", double minSeconds = 0.0);
// Whether the last speech() came from espeak-ng (for test messages).
bool speechIsEspeak();

// Synthetic voiced signal of the given length; `seed` varies pitch and vowels.
std::vector<float> syntheticVoice(double seconds, std::uint32_t seed);

// Energy (sum of squares) of x after a 4th-order Butterworth high-pass at fc Hz.
double highPassEnergy(std::span<const float> x, double fc);
double energy(std::span<const float> x);
// Lag (samples) in [-maxLag, maxLag] maximising sum a[i] * b[i + lag]:
// positive when b lags a.
int bestLag(std::span<const float> a, std::span<const float> b, int maxLag);
// Normalised cross-correlation of a and b at `lag` (b shifted by lag), over the overlap.
double correlationAt(std::span<const float> a, std::span<const float> b, int lag);

// Speech heard against speech said, judged in segments of `segSamples`,
// each at its own best lag within maxLag (a jitter buffer moves its delay
// while it plays, so one lag for a whole utterance can miss while every part
// was heard): the median normalised correlation over the segments that hold
// speech (energy at least 0.3 of the mean), how many there were, and
// whether every well matched one (> 0.5) was heard after it was said.
struct SegmentScore {
    double median = 0;
    std::size_t segments = 0;
    bool causal = true;
};
SegmentScore segmentCorrelation(std::span<const float> said, std::span<const float> heard, std::size_t segSamples, int maxLag);

// One channel of an interleaved stereo buffer.
std::vector<float> channel(std::span<const float> stereo, int which);

} // namespace caseroom::audio::test
