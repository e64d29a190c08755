// SDL2 capture and playback behind the AudioDevice seam (engine/audio).
// 48 kHz float; SDL converts if the hardware differs. Playback and capture
// are two SDL devices, so onPlayback and onCapture run on two SDL threads.
// The SDL callbacks only forward to AudioCallback: no allocation, lock, log
// or I/O happens on them. Headless machines use SDL's "dummy" driver
// (silence) or "disk" driver (files), or the WavFileAudioDevice twin.
// Thread rule: construct, start and stop from one (the main) thread.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "audio/audio_device.h"

namespace caseroom::platform {

struct AudioDeviceList {
    std::string driver;                 // SDL's current audio driver ("pulseaudio", "dummy", ...)
    std::vector<std::string> playback;  // names to put in AudioDeviceDesc::playbackDevice
    std::vector<std::string> capture;   // names to put in AudioDeviceDesc::captureDevice
};

// Initialises SDL's audio subsystem for the call. For the device choice UI.
core::Result<AudioDeviceList> listAudioDevices();

class SdlAudioDevice final : public audio::AudioDevice {
public:
    explicit SdlAudioDevice(const audio::AudioDeviceDesc& desc = {});
    ~SdlAudioDevice() override;
    SdlAudioDevice(const SdlAudioDevice&) = delete;
    SdlAudioDevice& operator=(const SdlAudioDevice&) = delete;

    [[nodiscard]] core::Status start(audio::AudioCallback& callback) override;
    void stop() override;
    [[nodiscard]] const char* kind() const override { return "sdl"; }
    // Frames per callback SDL granted (0 before start).
    [[nodiscard]] std::uint32_t playbackBlockFrames() const { return playFrames_; }

private:
    static void playbackThunk(void* self, std::uint8_t* stream, int len);
    static void captureThunk(void* self, std::uint8_t* stream, int len);

    audio::AudioDeviceDesc desc_;
    audio::AudioCallback* callback_ = nullptr;
    std::uint32_t playDev_ = 0;
    std::uint32_t capDev_ = 0;
    std::uint32_t playFrames_ = 0;
    bool sdlInit_ = false;
};

} // namespace caseroom::platform
