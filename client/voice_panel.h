// The desktop client's voice: SDL2 capture and playback (48 kHz) feeding an
// audio::VoiceClient attached to the session, and the Voice window: device
// choice, mute / push-to-talk (hold V) / open mic with voice activity, the
// input level meter and the clean-up switches. A view plus actions: the
// session and the audio engine keep the rules.
// Thread rule: main thread only, holding the SessionPump's lock whenever a
// session is given (session_pump.h): the pump thread runs the VoiceClient's
// pump inside session.update(). The device callbacks run inside audio and
// take no lock.
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

// Opens the voice engine and the chosen devices for entity slot `self`,
// without touching a session (so the slow device opening can run outside the
// pump's lock); attach p.voice to the session afterwards. On failure voice
// stays off (p.voice null) and the panel says why; the room still works.
void openVoice(VoicePanel& p, std::uint16_t self);
// openVoice for the session's own avatar, then attaches it.
void startVoice(VoicePanel& p, session::ClientSession& s);
// Detaches from the session and closes the devices. Call before the session goes.
void stopVoice(VoicePanel& p, session::ClientSession* s);
// Per frame: push-to-talk from the key state, then the Voice window.
void voiceFrame(VoicePanel& p, session::ClientSession& s, bool pushToTalkDown);

} // namespace caseroom::client
