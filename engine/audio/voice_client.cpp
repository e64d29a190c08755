#include "audio/voice_client.h"

namespace caseroom::audio {

core::Result<std::unique_ptr<VoiceClient>> VoiceClient::create(const VoiceClientConfig& config) {
    auto enc = createOpusEncoder(config.encoder);
    if (!enc) return enc.error();
    std::unique_ptr<VoiceProcessor> proc;
    if (config.useSpeex) {
        auto p = createSpeexProcessor(config.processor);
        if (!p) return p.error();
        proc = std::move(*p);
    } else {
        proc = createPassThroughProcessor(config.processor);
    }
    CaptureConfig cc = config.capture;
    cc.frame = config.encoder.frame;
    cc.speaker = config.speaker;
    auto capture = std::make_unique<VoiceCapture>(cc, std::move(proc), std::move(*enc));
    DecoderFactory decoders = []() -> std::unique_ptr<VoiceDecoder> {
        auto d = createOpusDecoder();
        return d ? std::move(*d) : createPcmDecoder();
    };
    auto mixer = std::make_unique<Mixer>(config.mixer, decoders);
    return std::unique_ptr<VoiceClient>(new VoiceClient(config, std::move(mixer), std::move(capture)));
}

VoiceClient::VoiceClient(const VoiceClientConfig& config, std::unique_ptr<Mixer> mixer, std::unique_ptr<VoiceCapture> capture)
    : mixer_(std::move(mixer)), bridge_(*mixer_), receiver_(*mixer_, config.receiver), capture_(std::move(capture)),
      mic_(kBlockSamples), far_(kBlockSamples) {}

} // namespace caseroom::audio
