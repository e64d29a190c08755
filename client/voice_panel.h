// The desktop client's voice: SDL2 capture and playback (48 kHz) feeding an
// audio::VoiceClient attached to the session, and the Voice window: device
// choice, mute / push-to-talk (hold V) / open mic with voice activity, the
// input level meter and the clean-up switches. A view plus actions: the
// session and the audio engine keep the rules.
// Thread rule: main thread only (the device callbacks run inside audio).
#pragma once
#include <memory>
#include <string>

#include "audio/voice_client.h"
#include "platform/audio/sdl_audio_device.h"
#include "session/client_session.h"

namespace caseroom::client {

struct VoicePanel {
    std::unique_ptr<audio::VoiceClient> voice;
    std::unique_ptr<platform::SdlAudioDevice> device;
    platform::AudioDeviceList devices;   // listed once per join
    int capture = 0, playback = 0;       // index into devices (0: system default)
    audio::MicMode mode = audio::MicMode::PushToTalk;
    bool echoCancel = true, noiseSuppress = true, autoGain = true;
    bool started = false;                // tried this join (success or error)
    std::string error;                   // why voice is off, in words
};

// Starts voice for the session's own avatar with the chosen devices. On
// failure voice stays off and the panel says why; the room still works.
void startVoice(VoicePanel& p, session::ClientSession& s);
// Detaches from the session and closes the devices. Call before the session goes.
void stopVoice(VoicePanel& p, session::ClientSession* s);
// Per frame: push-to-talk from the key state, then the Voice window.
void voiceFrame(VoicePanel& p, session::ClientSession& s, bool pushToTalkDown);

} // namespace caseroom::client
