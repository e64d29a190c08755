#include "platform/audio/sdl_audio_device.h"

#include <SDL.h>

#include <cstring>
#include <string>

namespace caseroom::platform {
namespace {

core::Error sdlError(const char* what) { return core::Error{std::string(what) + ": " + SDL_GetError()}; }

} // namespace

core::Result<AudioDeviceList> listAudioDevices() {
    if (SDL_InitSubSystem(SDL_INIT_AUDIO) != 0) return sdlError("SDL audio init");
    AudioDeviceList list;
    if (const char* d = SDL_GetCurrentAudioDriver()) list.driver = d;
    for (int capture = 0; capture < 2; ++capture) {
        const int n = SDL_GetNumAudioDevices(capture);
        for (int i = 0; i < n; ++i) {
            const char* name = SDL_GetAudioDeviceName(i, capture);
            if (name) (capture ? list.capture : list.playback).emplace_back(name);
        }
    }
    SDL_QuitSubSystem(SDL_INIT_AUDIO);
    return list;
}

SdlAudioDevice::SdlAudioDevice(const audio::AudioDeviceDesc& desc) : desc_(desc) {}

SdlAudioDevice::~SdlAudioDevice() { stop(); }

void SdlAudioDevice::playbackThunk(void* self, std::uint8_t* stream, int len) {
    auto* dev = static_cast<SdlAudioDevice*>(self);
    // SDL hands out a float buffer as bytes; it is suitably aligned.
    auto* samples = reinterpret_cast<float*>(stream);
    dev->callback_->onPlayback(std::span<float>(samples, static_cast<std::size_t>(len) / sizeof(float)));
}

void SdlAudioDevice::captureThunk(void* self, std::uint8_t* stream, int len) {
    auto* dev = static_cast<SdlAudioDevice*>(self);
    const auto* samples = reinterpret_cast<const float*>(stream);
    dev->callback_->onCapture(std::span<const float>(samples, static_cast<std::size_t>(len) / sizeof(float)));
}

core::Status SdlAudioDevice::start(audio::AudioCallback& callback) {
    stop();
    if (SDL_InitSubSystem(SDL_INIT_AUDIO) != 0) return sdlError("SDL audio init");
    sdlInit_ = true;
    callback_ = &callback;
    SDL_AudioSpec want;
    std::memset(&want, 0, sizeof want);
    want.freq = static_cast<int>(audio::kSampleRate);
    want.format = AUDIO_F32SYS;
    want.samples = static_cast<Uint16>(desc_.blockFrames);
    want.userdata = this;
    SDL_AudioSpec have;
    if (desc_.playback) {
        want.channels = 2;
        want.callback = &SdlAudioDevice::playbackThunk;
        const char* name = desc_.playbackDevice.empty() ? nullptr : desc_.playbackDevice.c_str();
        playDev_ = SDL_OpenAudioDevice(name, 0, &want, &have, 0);
        if (playDev_ == 0) { auto e = sdlError("open playback device"); stop(); return e; }
        playFrames_ = have.samples;
    }
    if (desc_.capture) {
        want.channels = 1;
        want.callback = &SdlAudioDevice::captureThunk;
        const char* name = desc_.captureDevice.empty() ? nullptr : desc_.captureDevice.c_str();
        capDev_ = SDL_OpenAudioDevice(name, 1, &want, &have, 0);
        if (capDev_ == 0) { auto e = sdlError("open capture device"); stop(); return e; }
    }
    if (playDev_) SDL_PauseAudioDevice(playDev_, 0);
    if (capDev_) SDL_PauseAudioDevice(capDev_, 0);
    return {};
}

void SdlAudioDevice::stop() {
    // SDL_CloseAudioDevice waits for a running callback to return.
    if (capDev_) SDL_CloseAudioDevice(capDev_);
    if (playDev_) SDL_CloseAudioDevice(playDev_);
    capDev_ = playDev_ = 0;
    playFrames_ = 0;
    if (sdlInit_) SDL_QuitSubSystem(SDL_INIT_AUDIO);
    sdlInit_ = false;
    callback_ = nullptr;
}

} // namespace caseroom::platform
