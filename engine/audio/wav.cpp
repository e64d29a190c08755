#include "audio/wav.h"

#include <speex/speex_resampler.h>

#include <algorithm>
#include <cstring>

#include "audio/audio_format.h"

namespace caseroom::audio {
namespace {

std::uint32_t le32(const std::uint8_t* p) { return p[0] | (p[1] << 8) | (p[2] << 16) | (static_cast<std::uint32_t>(p[3]) << 24); }
std::uint16_t le16(const std::uint8_t* p) { return static_cast<std::uint16_t>(p[0] | (p[1] << 8)); }
void put32(std::uint8_t* p, std::uint32_t v) { for (int i = 0; i < 4; ++i) p[i] = static_cast<std::uint8_t>(v >> (8 * i)); }
void put16(std::uint8_t* p, std::uint16_t v) { p[0] = static_cast<std::uint8_t>(v); p[1] = static_cast<std::uint8_t>(v >> 8); }

core::Error fileError(const std::string& path, const char* what) { return core::Error{path + ": " + what}; }

void header(std::uint8_t (&h)[44], std::uint32_t rate, std::uint16_t channels, std::uint32_t dataBytes) {
    std::memcpy(h, "RIFF", 4);
    put32(h + 4, 36 + dataBytes);
    std::memcpy(h + 8, "WAVEfmt ", 8);
    put32(h + 16, 16);
    put16(h + 20, 3); // IEEE float
    put16(h + 22, channels);
    put32(h + 24, rate);
    put32(h + 28, rate * channels * 4u);
    put16(h + 32, static_cast<std::uint16_t>(channels * 4));
    put16(h + 34, 32);
    std::memcpy(h + 36, "data", 4);
    put32(h + 40, dataBytes);
}

} // namespace

core::Result<WavData> readWav(const std::string& path) {
    std::FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) return fileError(path, "cannot open");
    std::vector<std::uint8_t> bytes;
    std::uint8_t chunk[65536];
    std::size_t n = 0;
    while ((n = std::fread(chunk, 1, sizeof chunk, f)) > 0) {
        bytes.insert(bytes.end(), chunk, chunk + n);
        if (bytes.size() > (1u << 30)) { std::fclose(f); return fileError(path, "larger than 1 GiB"); }
    }
    std::fclose(f);
    if (bytes.size() < 12 || std::memcmp(bytes.data(), "RIFF", 4) != 0 || std::memcmp(bytes.data() + 8, "WAVE", 4) != 0)
        return fileError(path, "not a RIFF/WAVE file");
    WavData out;
    std::uint16_t format = 0, bits = 0;
    bool haveFmt = false;
    std::size_t pos = 12;
    while (pos + 8 <= bytes.size()) {
        const std::uint32_t size = le32(bytes.data() + pos + 4);
        const std::uint8_t* body = bytes.data() + pos + 8;
        const std::size_t avail = bytes.size() - pos - 8;
        // espeak-ng writes 0x7FFFFFFF sizes when streaming: clamp to the file.
        const std::size_t len = size > avail ? avail : size;
        if (std::memcmp(bytes.data() + pos, "fmt ", 4) == 0) {
            if (len < 16) return fileError(path, "short fmt chunk");
            format = le16(body);
            out.channels = le16(body + 2);
            out.sampleRate = le32(body + 4);
            bits = le16(body + 14);
            if (format == 0xFFFE && len >= 26) format = le16(body + 24); // WAVE_FORMAT_EXTENSIBLE
            haveFmt = true;
        } else if (std::memcmp(bytes.data() + pos, "data", 4) == 0) {
            if (!haveFmt) return fileError(path, "data before fmt");
            if (out.channels == 0 || out.channels > 8 || out.sampleRate < 8000 || out.sampleRate > 192000)
                return fileError(path, "unsupported channel count or sample rate");
            if (format == 1 && bits == 16) {
                out.samples.resize(len / 2);
                for (std::size_t i = 0; i < out.samples.size(); ++i)
                    out.samples[i] = static_cast<float>(static_cast<std::int16_t>(le16(body + 2 * i))) / 32768.0f;
            } else if (format == 3 && bits == 32) {
                out.samples.resize(len / 4);
                for (std::size_t i = 0; i < out.samples.size(); ++i) {
                    const std::uint32_t u = le32(body + 4 * i);
                    std::memcpy(&out.samples[i], &u, 4);
                }
            } else {
                return fileError(path, "only 16-bit PCM and 32-bit float WAV are supported");
            }
            out.samples.resize(out.samples.size() / out.channels * out.channels);
            return out;
        }
        pos += 8 + len + (len & 1);
    }
    return fileError(path, "no data chunk");
}

std::vector<float> resampleMono(std::span<const float> in, std::uint32_t fromRate, std::uint32_t toRate) {
    if (fromRate == toRate) return {in.begin(), in.end()};
    int err = 0;
    SpeexResamplerState* st = speex_resampler_init(1, fromRate, toRate, 8, &err);
    if (!st || err != 0) return {};
    // Feed zeros past the end to flush the filter, then cut its latency off
    // the front so that the output lines up with the input.
    const auto latencyIn = static_cast<std::size_t>(speex_resampler_get_input_latency(st));
    const auto latencyOut = static_cast<std::size_t>(speex_resampler_get_output_latency(st));
    std::vector<float> padded(in.begin(), in.end());
    padded.insert(padded.end(), latencyIn * 2, 0.0f);
    const auto want = static_cast<std::size_t>(static_cast<double>(in.size()) * toRate / fromRate);
    std::vector<float> out(want + latencyOut * 2 + 16);
    auto inLen = static_cast<spx_uint32_t>(padded.size());
    auto outLen = static_cast<spx_uint32_t>(out.size());
    speex_resampler_process_float(st, 0, padded.data(), &inLen, out.data(), &outLen);
    speex_resampler_destroy(st);
    if (outLen <= latencyOut) return {};
    const std::size_t end = std::min<std::size_t>(outLen, latencyOut + want);
    return {out.begin() + static_cast<std::ptrdiff_t>(latencyOut), out.begin() + static_cast<std::ptrdiff_t>(end)};
}

core::Result<std::vector<float>> readWavMono48k(const std::string& path) {
    auto wav = readWav(path);
    if (!wav) return wav.error();
    std::vector<float> mono(wav->samples.size() / wav->channels);
    for (std::size_t i = 0; i < mono.size(); ++i) {
        float acc = 0.0f;
        for (std::uint16_t c = 0; c < wav->channels; ++c) acc += wav->samples[i * wav->channels + c];
        mono[i] = acc / static_cast<float>(wav->channels);
    }
    if (wav->sampleRate == kSampleRate) return mono;
    auto r = resampleMono(mono, wav->sampleRate, kSampleRate);
    // A file shorter than one 48 kHz sample resamples to nothing, and that is no failure.
    const auto want = static_cast<std::uint64_t>(mono.size()) * kSampleRate / wav->sampleRate;
    if (r.empty() && want > 0) return fileError(path, "resampling failed");
    return r;
}

core::Status writeWav(const std::string& path, std::uint32_t sampleRate, std::uint16_t channels,
                      std::span<const float> interleaved) {
    WavWriter w;
    if (auto s = w.open(path, sampleRate, channels); !s) return s;
    if (auto s = w.write(interleaved); !s) return s;
    return w.close();
}

WavWriter::~WavWriter() {
    if (file_) (void)close();
}

core::Status WavWriter::open(const std::string& path, std::uint32_t sampleRate, std::uint16_t channels) {
    if (file_) (void)close();
    file_ = std::fopen(path.c_str(), "wb");
    if (!file_) return fileError(path, "cannot create");
    path_ = path;
    rate_ = sampleRate;
    channels_ = channels;
    dataBytes_ = 0;
    std::uint8_t h[44];
    header(h, rate_, channels_, 0);
    if (std::fwrite(h, 1, sizeof h, file_) != sizeof h) return fileError(path, "write failed");
    return {};
}

core::Status WavWriter::write(std::span<const float> interleaved) {
    if (!file_) return core::Error{"WavWriter: not open"};
    if (std::fwrite(interleaved.data(), sizeof(float), interleaved.size(), file_) != interleaved.size())
        return fileError(path_, "write failed");
    dataBytes_ += interleaved.size() * sizeof(float);
    return {};
}

core::Status WavWriter::close() {
    if (!file_) return {};
    std::uint8_t h[44];
    header(h, rate_, channels_, static_cast<std::uint32_t>(dataBytes_ > 0xFFFFFFD0u ? 0xFFFFFFD0u : dataBytes_));
    bool ok = std::fseek(file_, 0, SEEK_SET) == 0 && std::fwrite(h, 1, sizeof h, file_) == sizeof h;
    ok = std::fclose(file_) == 0 && ok;
    file_ = nullptr;
    if (!ok) return fileError(path_, "finishing the header failed");
    return {};
}

} // namespace caseroom::audio
