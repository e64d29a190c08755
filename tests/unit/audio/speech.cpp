#include "speech.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <unistd.h>

#include "audio/audio_format.h"
#include "audio/wav.h"
#include "core/rng.h"

namespace caseroom::audio::test {
namespace {

bool gEspeak = false;

std::vector<float> espeak(const std::string& text, const std::string& voice) {
    if (std::system("command -v espeak-ng >/dev/null 2>&1") != 0) return {};
    char path[] = "/tmp/caseroom-speech-XXXXXX";
    const int fd = mkstemp(path);
    if (fd < 0) return {};
    close(fd);
    // Text and voice come from the tests themselves: plain words, no quotes.
    const std::string cmd = "espeak-ng -v " + voice + " -s 165 -w " + path + " \"" + text + "\" >/dev/null 2>&1";
    std::vector<float> out;
    if (std::system(cmd.c_str()) == 0) {
        auto r = readWavMono48k(path);
        if (r) out = std::move(*r);
    }
    std::remove(path);
    return out;
}

struct Biquad {
    double b0 = 1, b1 = 0, b2 = 0, a1 = 0, a2 = 0, z1 = 0, z2 = 0;
    double run(double x) {
        const double y = b0 * x + z1;
        z1 = b1 * x - a1 * y + z2;
        z2 = b2 * x - a2 * y;
        return y;
    }
};
Biquad highPass(double fc, double q) {
    const double w = 2 * M_PI * fc / kSampleRate, c = std::cos(w), alpha = std::sin(w) / (2 * q);
    const double a0 = 1 + alpha;
    Biquad b;
    b.b0 = (1 + c) / 2 / a0;
    b.b1 = -(1 + c) / a0;
    b.b2 = (1 + c) / 2 / a0;
    b.a1 = -2 * c / a0;
    b.a2 = (1 - alpha) / a0;
    return b;
}
Biquad resonator(double f, double bw) {
    const double r = std::exp(-M_PI * bw / kSampleRate), w = 2 * M_PI * f / kSampleRate;
    Biquad b;
    b.b0 = 1 - r;
    b.a1 = -2 * r * std::cos(w);
    b.a2 = r * r;
    return b;
}

} // namespace

std::vector<float> syntheticVoice(double seconds, std::uint32_t seed) {
    core::Rng rng(seed);
    const auto n = static_cast<std::size_t>(seconds * kSampleRate);
    std::vector<float> out(n, 0.0f);
    double phase = 0;
    const double basePitch = 100 + 60 * rng.uniform();
    Biquad f1 = resonator(700, 110), f2 = resonator(1200, 120), f3 = resonator(2600, 160);
    std::size_t i = 0;
    while (i < n) {
        const auto syll = static_cast<std::size_t>((0.15 + 0.2 * rng.uniform()) * kSampleRate);
        const auto gap = static_cast<std::size_t>((0.05 + 0.15 * rng.uniform()) * kSampleRate);
        f1 = resonator(300 + 600 * rng.uniform(), 100);
        f2 = resonator(900 + 1400 * rng.uniform(), 120);
        f3 = resonator(2300 + 900 * rng.uniform(), 170);
        for (std::size_t k = 0; k < syll && i < n; ++k, ++i) {
            const double t = static_cast<double>(k) / static_cast<double>(syll);
            const double pitch = basePitch * (1 + 0.15 * std::sin(2 * M_PI * (static_cast<double>(i) / kSampleRate) * 0.7));
            phase += pitch / kSampleRate;
            double src = 0;
            if (phase >= 1) { phase -= 1; src = 1; }
            src += 0.02 * (rng.uniform() - 0.5); // breath
            const double env = std::sin(M_PI * t);
            const double y = f1.run(src) * 1.0 + f2.run(src) * 0.6 + f3.run(src) * 0.3;
            out[i] = static_cast<float>(0.5 * env * y);
        }
        i += gap;
    }
    return out;
}

std::vector<float> speech(const std::string& text, const std::string& voice, double minSeconds) {
    static std::map<std::string, std::vector<float>> cache;
    const std::string key = voice + "|" + text;
    auto it = cache.find(key);
    if (it == cache.end()) {
        auto s = espeak(text, voice);
        gEspeak = !s.empty();
        if (s.empty()) s = syntheticVoice(3.0, static_cast<std::uint32_t>(std::hash<std::string>{}(key)));
        it = cache.emplace(key, std::move(s)).first;
    }
    std::vector<float> out = it->second;
    const auto want = static_cast<std::size_t>(minSeconds * kSampleRate);
    const std::size_t base = out.size();
    while (out.size() < want && base > 0) out.insert(out.end(), it->second.begin(), it->second.end());
    return out;
}

bool speechIsEspeak() { return gEspeak; }

double energy(std::span<const float> x) {
    double e = 0;
    for (float s : x) e += static_cast<double>(s) * s;
    return e;
}

double highPassEnergy(std::span<const float> x, double fc) {
    Biquad a = highPass(fc, 0.5411961), b = highPass(fc, 1.3065630); // 4th-order Butterworth
    double e = 0;
    for (float s : x) {
        const double y = b.run(a.run(s));
        e += y * y;
    }
    return e;
}

namespace {

double dotAt(std::span<const float> a, std::span<const float> b, int lag) {
    double acc = 0;
    const std::ptrdiff_t nb = static_cast<std::ptrdiff_t>(b.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
        const auto j = static_cast<std::ptrdiff_t>(i) + lag;
        if (j < 0 || j >= nb) continue;
        acc += static_cast<double>(a[i]) * b[static_cast<std::size_t>(j)];
    }
    return acc;
}

int bestLagIn(std::span<const float> a, std::span<const float> b, int lo, int hi) {
    int best = lo;
    double bestV = -1e300;
    for (int lag = lo; lag <= hi; ++lag) {
        const double v = dotAt(a, b, lag);
        if (v > bestV) { bestV = v; best = lag; }
    }
    return best;
}

std::vector<float> decimate(std::span<const float> x, std::size_t k) {
    std::vector<float> out(x.size() / k);
    for (std::size_t i = 0; i < out.size(); ++i) {
        float acc = 0;
        for (std::size_t j = 0; j < k; ++j) acc += x[i * k + j];
        out[i] = acc;
    }
    return out;
}

} // namespace

int bestLag(std::span<const float> a, std::span<const float> b, int maxLag) {
    if (maxLag <= 64) return bestLagIn(a, b, -maxLag, maxLag);
    // Coarse search on 8x decimated signals, then refine at full rate.
    constexpr int kDec = 8;
    const auto ad = decimate(a, kDec), bd = decimate(b, kDec);
    const int coarse = bestLagIn(ad, bd, -maxLag / kDec - 1, maxLag / kDec + 1) * kDec;
    return bestLagIn(a, b, std::max(-maxLag, coarse - 2 * kDec), std::min(maxLag, coarse + 2 * kDec));
}

double correlationAt(std::span<const float> a, std::span<const float> b, int lag) {
    double ab = 0, aa = 0, bb = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        const auto j = static_cast<std::ptrdiff_t>(i) + lag;
        if (j < 0 || j >= static_cast<std::ptrdiff_t>(b.size())) continue;
        const double x = a[i], y = b[static_cast<std::size_t>(j)];
        ab += x * y;
        aa += x * x;
        bb += y * y;
    }
    return aa > 0 && bb > 0 ? ab / std::sqrt(aa * bb) : 0.0;
}

std::unique_ptr<VoiceClient> plainVoice(bool talk) {
    VoiceClientConfig cfg;
    cfg.useSpeex = false;
    cfg.capture.mode = MicMode::PushToTalk;
    auto v = VoiceClient::create(cfg);
    if (!v.ok()) return nullptr;
    (*v)->capture().setPushToTalk(talk);
    (*v)->mixer().setAmbience(false);
    return std::move(*v);
}

SegmentScore segmentCorrelation(std::span<const float> said, std::span<const float> heard, std::size_t segSamples, int maxLag) {
    SegmentScore out;
    std::vector<double> scores;
    const double meanEnergy = said.empty() ? 0.0 : energy(said) / static_cast<double>(said.size());
    for (std::size_t o = 0; o + segSamples <= said.size() && o < heard.size(); o += segSamples) {
        const std::span<const float> s = said.subspan(o, segSamples);
        if (energy(s) < 0.3 * meanEnergy * static_cast<double>(segSamples)) continue; // mostly silence
        const std::span<const float> h = heard.subspan(o, std::min<std::size_t>(heard.size() - o, segSamples + static_cast<std::size_t>(maxLag)));
        const int lag = bestLag(s, h, maxLag);
        const double c = correlationAt(s, h, lag);
        scores.push_back(c);
        if (c > 0.5 && lag <= 0) out.causal = false;
    }
    std::sort(scores.begin(), scores.end());
    out.segments = scores.size();
    out.median = scores.empty() ? 0.0 : scores[scores.size() / 2];
    return out;
}

std::vector<float> channel(std::span<const float> stereo, int which) {
    std::vector<float> out(stereo.size() / 2);
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = stereo[2 * i + static_cast<std::size_t>(which)];
    return out;
}

} // namespace caseroom::audio::test
