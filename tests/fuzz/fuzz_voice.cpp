// The client's voice receive path on hostile packets: VoiceFrame messages off
// the wire (net::decodeMessage, then session::fromWire into an
// audio::VoicePacket), a JitterBuffer with a real Opus decoder fed directly,
// and the Mixer + VoiceReceiver pair that decodes inside render(), all on one
// clock the input drives. Any sequence, frame length, talkStart and codec
// bytes an attacker can send are reachable.
// Input: repeated operations until the input runs out:
//   0 [u16 len][len bytes]      a voice-channel message
//   1 [u16 speaker][u16 seq][u8 level][u8 flags][u8 size][size bytes]
//                               a packet pushed as is (flags bit 0: 20 ms
//                               frame, bit 1: talkStart; size 0 reads as 1)
//   2 [u8 ms]                   time passes: pull / render every 10 ms block due
//   3 [u8 size][size bytes]     straight into the Opus decoder (decode, FEC, conceal)
// Properties: nothing crashes; every sample played is finite; a decoded
// VoiceFrame converts to a VoicePacket whose own encoding is the message body
// (the two share one layout) and that reads back equal.
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <span>
#include <vector>

#include "fuzz_common.h"
#include "audio/codec.h"
#include "audio/jitter_buffer.h"
#include "audio/mixer.h"
#include "audio/voice_receiver.h"
#include "net/messages.h"
#include "net/stream.h"
#include "session/voice_wire.h"

using namespace caseroom;

namespace {

using Reader = caseroom::fuzz::InputReader;

void requireFinite(std::span<const float> x) {
    for (float s : x)
        if (!std::isfinite(s)) std::abort();
}

std::unique_ptr<audio::VoiceDecoder> opus() {
    auto d = audio::createOpusDecoder();
    if (!d) std::abort();
    return std::move(*d);
}

// The catalog's VoiceFrame and the audio packet it converts to share one wire
// layout: the packet's encoding must be the message body, and read back equal.
void checkLayout(std::span<const std::uint8_t> message, const audio::VoicePacket& p) {
    net::WriteStream ws;
    audio::VoicePacket copy = p;
    if (!copy.serialize(ws)) std::abort();
    const auto bytes = ws.finish();
    if (bytes.size() + 1 != message.size()) std::abort();
    for (std::size_t i = 0; i < bytes.size(); ++i)
        if (bytes[i] != message[i + 1]) std::abort();
    net::ReadStream rs(bytes);
    audio::VoicePacket back;
    if (!back.serialize(rs)) std::abort();
    if (back.speaker != p.speaker || back.sequence != p.sequence || back.level != p.level || back.frame != p.frame ||
        back.talkStart != p.talkStart || back.size != p.size)
        std::abort();
    for (std::uint16_t i = 0; i < p.size; ++i)
        if (back.bytes[i] != p.bytes[i]) std::abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    audio::JitterBuffer jb(opus());
    audio::MixerConfig mc;
    mc.maxVoices = 3; // fewer slots than speakers: attach, release and "no slot" all happen
    audio::Mixer mixer(mc, [] { return opus(); });
    audio::VoiceReceiverConfig rc;
    rc.idleReleaseSec = 0.2;
    mixer.setAmbience(false); // the reverb tail is not on the untrusted path, and is slow under ASan
    audio::VoiceReceiver receiver(mixer, rc);
    auto raw = opus();

    std::vector<float> block(audio::kBlockSamples), stereo(2 * audio::kBlockSamples), frame(audio::kMaxFrameSamples);
    audio::VoicePacket p;
    double now = 0.0, played = 0.0;
    Reader in{data, size};
    std::uint8_t op = 0;
    int ops = 0;
    while (in.u8(op) && ops++ < 512) {
        switch (op % 4) {
        case 0: {
            std::uint16_t len = 0;
            if (!in.u16(len)) return 0;
            std::vector<std::uint8_t> msg;
            msg.push_back(static_cast<std::uint8_t>(net::MessageType::VoiceFrame)); // the type byte, then the body
            const auto body = in.take(len);
            msg.insert(msg.end(), body.begin(), body.end());
            const net::DecodeResult r = net::decodeMessage(msg, net::Channel::Voice);
            const auto* f = r.ok ? std::get_if<net::VoiceFrame>(&r.message) : nullptr;
            if (!f) break;
            session::fromWire(*f, p);
            checkLayout(msg, p);
            receiver.onPacket(p, now);
            jb.push(p, now);
            break;
        }
        case 1: {
            std::uint8_t level = 0, flags = 0, n = 0;
            if (!in.u16(p.speaker) || !in.u16(p.sequence) || !in.u8(level) || !in.u8(flags) || !in.u8(n)) return 0;
            p.speaker %= 6;
            p.level = level;
            p.frame = (flags & 1) ? audio::FrameDuration::Ms20 : audio::FrameDuration::Ms10;
            p.talkStart = (flags & 2) != 0;
            const auto bytes = in.take(n ? n : 1);
            if (bytes.empty()) return 0;
            p.size = static_cast<std::uint16_t>(bytes.size());
            std::copy(bytes.begin(), bytes.end(), p.bytes.begin());
            receiver.onPacket(p, now);
            jb.push(p, now);
            break;
        }
        case 2: {
            std::uint8_t ms = 0;
            if (!in.u8(ms)) return 0;
            now += ms * 1e-3;
            while (played + 0.01 <= now) {
                played += 0.01;
                (void)jb.pull(played, block);
                requireFinite(block);
                mixer.render(stereo);
                requireFinite(stereo);
            }
            receiver.update(now);
            (void)receiver.speakers();
            break;
        }
        case 3: {
            std::uint8_t n = 0, which = 0;
            if (!in.u8(n) || !in.u8(which)) return 0;
            const auto bytes = in.take(n);
            const std::span<float> out(frame.data(), (which & 1) ? audio::kMaxFrameSamples : audio::kMaxFrameSamples / 2);
            if (which & 2) {
                if (raw->decodeFec(bytes, out)) requireFinite(out);
            } else if (raw->decode(bytes, out)) {
                requireFinite(out);
            }
            if (raw->conceal(out)) requireFinite(out);
            if (which & 4) raw->reset();
            break;
        }
        }
    }
    return 0;
}
