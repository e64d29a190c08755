#include "audio/audio_device.h"

#include <algorithm>

namespace caseroom::audio {

NullAudioDevice::NullAudioDevice(const AudioDeviceDesc& desc)
    : desc_(desc), in_(desc.blockFrames, 0.0f), out_(2u * desc.blockFrames, 0.0f) {}

core::Status NullAudioDevice::start(AudioCallback& callback) {
    callback_ = &callback;
    return {};
}

void NullAudioDevice::pump(std::uint32_t frames) {
    if (!callback_) return;
    for (std::uint32_t done = 0; done < frames; done += desc_.blockFrames) {
        if (desc_.capture) callback_->onCapture(in_);
        if (desc_.playback) callback_->onPlayback(out_);
        frames_ += desc_.blockFrames;
    }
}

WavFileAudioDevice::WavFileAudioDevice(const WavDeviceDesc& desc)
    : desc_(desc), in_(desc.blockFrames, 0.0f), out_(2u * desc.blockFrames, 0.0f) {}

core::Status WavFileAudioDevice::start(AudioCallback& callback) {
    if (!desc_.inputWav.empty()) {
        auto r = readWavMono48k(desc_.inputWav);
        if (!r) return r.error();
        input_ = std::move(*r);
    }
    if (!desc_.outputWav.empty()) {
        if (auto s = writer_.open(desc_.outputWav, kSampleRate, 2); !s) return s;
    }
    delayFrames_ = static_cast<std::size_t>(desc_.inputDelaySec * kSampleRate);
    readPos_ = 0;
    callback_ = &callback;
    return {};
}

void WavFileAudioDevice::stop() { callback_ = nullptr; }

core::Status WavFileAudioDevice::pump(std::uint32_t frames) {
    if (!callback_) return core::Error{"wav device: not started"};
    for (std::uint32_t done = 0; done < frames; done += desc_.blockFrames) {
        for (float& s : in_) {
            float v = 0.0f;
            if (readPos_ >= delayFrames_ && !input_.empty()) {
                std::size_t i = readPos_ - delayFrames_;
                if (desc_.loopInput) i %= input_.size();
                if (i < input_.size()) v = input_[i];
            }
            s = v;
            ++readPos_;
        }
        callback_->onCapture(in_);
        callback_->onPlayback(out_);
        if (writer_.isOpen()) {
            if (auto s = writer_.write(out_); !s) return s;
        }
    }
    return {};
}

core::Status WavFileAudioDevice::finish() {
    callback_ = nullptr;
    return writer_.close();
}

} // namespace caseroom::audio
