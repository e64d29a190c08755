// Audio device seam. A device calls an AudioCallback from its own thread with
// playback blocks (stereo interleaved, to fill) and capture blocks (mono, to
// consume), 48 kHz float. Implementations:
//   NullAudioDevice     (here) no sound: silence in, output discarded; the
//                       caller pumps it with simulated time.
//   WavFileAudioDevice  (here) speaks a WAV file into capture and writes what
//                       playback produced to a WAV file; pumped by the caller,
//                       so bots and headless clients run faster than real time
//                       and deterministically.
//   SdlAudioDevice      (engine/platform/audio) real capture/playback.
// Callback contract: onPlayback runs on one device thread and onCapture on one
// (possibly different, possibly concurrent: SDL opens two devices) thread;
// they must not allocate, lock, log or do I/O. Use SpscRing to reach other
// threads, one ring per direction.
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "audio/audio_format.h"
#include "audio/wav.h"
#include "core/result.h"

namespace caseroom::audio {

class AudioCallback {
public:
    virtual ~AudioCallback() = default;
    // Fill `stereo` (interleaved L R) with what the speakers should play.
    virtual void onPlayback(std::span<float> stereo) noexcept = 0;
    // `mono` is what the microphone heard.
    virtual void onCapture(std::span<const float> mono) noexcept = 0;
};

struct AudioDeviceDesc {
    std::string playbackDevice;  // empty: the system default
    std::string captureDevice;   // empty: the system default
    bool playback = true;
    bool capture = true;
    // Frames per callback the device is asked for: 5 ms. Each device buffer
    // adds one block of delay on each side; with 20 ms frames, 5 ms blocks
    // keep mouth-to-ear on loopback under the 60 ms target (46.4 ms measured
    // between the devices + 2 x 5 ms = 56.4 ms; BENCHMARKS.md "Voice")
    // without doubling the packet rate as 10 ms frames would. The mixer decodes in 10 ms units and serves any
    // block size up to MixerConfig::maxBlockFrames.
    std::uint32_t blockFrames = kBlockSamples / 2;
};

class AudioDevice {
public:
    virtual ~AudioDevice() = default;
    // Opens and starts calling `callback` (which must outlive stop()).
    [[nodiscard]] virtual core::Status start(AudioCallback& callback) = 0;
    // Stops; no callback runs after this returns.
    virtual void stop() = 0;
    [[nodiscard]] virtual const char* kind() const = 0;
};

// Runs both callbacks in `blockFrames` steps; pump() is the simulated device
// thread (the caller's thread).
class NullAudioDevice final : public AudioDevice {
public:
    explicit NullAudioDevice(const AudioDeviceDesc& desc = {});
    [[nodiscard]] core::Status start(AudioCallback& callback) override;
    void stop() override { callback_ = nullptr; }
    [[nodiscard]] const char* kind() const override { return "null"; }
    // Runs callbacks for `frames` frames (rounded up to whole blocks).
    void pump(std::uint32_t frames);
    [[nodiscard]] std::uint64_t framesPumped() const { return frames_; }

private:
    AudioDeviceDesc desc_;
    AudioCallback* callback_ = nullptr;
    std::vector<float> in_, out_;
    std::uint64_t frames_ = 0;
};

struct WavDeviceDesc {
    std::string inputWav;        // speech to capture; empty: silence
    std::string outputWav;       // where playback goes; empty: discarded
    bool loopInput = false;      // repeat the input; otherwise silence after it
    double inputDelaySec = 0.0;  // silence before the input starts
    std::uint32_t blockFrames = kBlockSamples;
};

class WavFileAudioDevice final : public AudioDevice {
public:
    explicit WavFileAudioDevice(const WavDeviceDesc& desc);
    // Loads the input (any rate, resampled to 48 kHz mono) and opens the output.
    [[nodiscard]] core::Status start(AudioCallback& callback) override;
    void stop() override;
    [[nodiscard]] const char* kind() const override { return "wav-file"; }
    // Runs callbacks for `frames` frames (whole blocks) and writes the output.
    [[nodiscard]] core::Status pump(std::uint32_t frames);
    [[nodiscard]] bool inputFinished() const { return !desc_.loopInput && readPos_ >= input_.size() + delayFrames_; }
    [[nodiscard]] std::span<const float> input() const { return input_; }
    // Closes the output file and reports a write failure, if any.
    [[nodiscard]] core::Status finish();

private:
    WavDeviceDesc desc_;
    AudioCallback* callback_ = nullptr;
    std::vector<float> input_;
    std::size_t readPos_ = 0;
    std::size_t delayFrames_ = 0;
    std::vector<float> in_, out_;
    WavWriter writer_;
};

} // namespace caseroom::audio
