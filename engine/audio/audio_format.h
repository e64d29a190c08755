// Voice audio format shared by every stage: 48 kHz, mono voices, stereo out,
// float samples in [-1, 1]. A "block" is the 10 ms unit the mixer and the
// jitter buffer work in; a "frame" is one codec packet (10 or 20 ms).
#pragma once
#include <cstdint>

namespace caseroom::audio {

constexpr std::uint32_t kSampleRate = 48000;                 // Hz, everywhere in the voice path
constexpr std::uint32_t kBlockSamples = kSampleRate / 100;   // 10 ms = 480 samples
constexpr std::uint32_t kMaxFrameSamples = kSampleRate / 50; // 20 ms = 960 samples

// Codec frame length. Explicit width: it travels on the wire (1 bit).
enum class FrameDuration : std::uint8_t { Ms10, Ms20, Count };

constexpr const char* toString(FrameDuration d) { return d == FrameDuration::Ms10 ? "10ms" : d == FrameDuration::Ms20 ? "20ms" : "?"; }
constexpr std::uint32_t frameSamples(FrameDuration d) { return d == FrameDuration::Ms10 ? kBlockSamples : kMaxFrameSamples; }
constexpr std::uint32_t frameBlocks(FrameDuration d) { return frameSamples(d) / kBlockSamples; }
constexpr double frameSeconds(FrameDuration d) { return static_cast<double>(frameSamples(d)) / kSampleRate; }

} // namespace caseroom::audio
