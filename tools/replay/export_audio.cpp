// Mix and tracks of a recording's voice (export_audio.h).
// [SECTION] names and times  [SECTION] speakers  [SECTION] rendering  [SECTION] export
#include "export_audio.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "core/utf8.h"
#include "loudness.h"

namespace caseroom::replay {

// [SECTION] names and times --------------------------------------------------------

std::string safeFileName(std::string_view s) {
    std::string out;
    const bool utf8 = core::validUtf8(s);
    for (const char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        const bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                          c == '_' || c == '-' || (utf8 && c >= 0x80);
        out += keep ? ch : '_';
    }
    if (out.empty()) out = "_";
    if (out[0] == '.') out[0] = '_';
    return out;
}

std::string clockText(double ms) {
    const auto total = static_cast<std::int64_t>(std::llround(std::max(0.0, ms)));
    char buf[48];
    std::snprintf(buf, sizeof buf, "%02lld:%02lld:%02lld.%03lld", static_cast<long long>(total / 3600000),
                  static_cast<long long>(total / 60000 % 60), static_cast<long long>(total / 1000 % 60),
                  static_cast<long long>(total % 1000));
    return buf;
}

core::Status probeWritable(const std::string& path) {
    const std::string part = path + ".part";
    const int fd = ::open(part.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return core::Error{path + ": cannot write: " + std::strerror(errno)};
    ::close(fd);
    std::remove(part.c_str());
    return {};
}

core::Status AudioExport::commitAll() {
    for (std::size_t i = 0; i < writers.size(); ++i) {
        if (auto st = writers[i]->commit(); !st) {
            for (std::size_t j = 0; j < i; ++j) std::remove(writers[j]->path().c_str());
            return st;
        }
    }
    return {};
}

namespace {

constexpr std::int64_t kChunk = 4800;   // 100 ms

// [SECTION] speakers ---------------------------------------------------------------

struct Speaker {
    std::size_t participant = 0;
    std::vector<std::size_t> streams;
    float panL = 0.70710678f, panR = 0.70710678f;
    std::vector<float> mono;               // the current chunk
    // tracks
    std::string fileName, what;
    std::unique_ptr<LoudnessMeter> meter;
    std::unique_ptr<PeakLimiter> limiter;
    OggOpusWriter* writer = nullptr;
    double gain = 1.0;
    std::size_t file = 0;                  // index into the export's files
};

// [SECTION] rendering --------------------------------------------------------------

// Renders [from, to) chunk by chunk; `sink(t0, n)` sees each speaker's mono chunk.
template <typename Sink>
core::Status renderPass(const Scan& scan, std::vector<Speaker>& speakers, std::int64_t from, std::int64_t to,
                        std::uint64_t& decodeErrors, const std::function<void(std::int64_t)>& progress, Sink&& sink) {
    std::vector<std::unique_ptr<StreamRenderer>> renderers(scan.streams.size());
    for (const auto& sp : speakers)
        for (auto s : sp.streams) {
            auto r = StreamRenderer::create(scan.streams[s]);
            if (!r) return r.error();
            renderers[s] = std::move(*r);
            renderers[s]->seek(from);
        }
    std::int64_t lastReport = from;
    for (std::int64_t t0 = from; t0 < to; t0 += kChunk) {
        const auto n = static_cast<std::size_t>(std::min(kChunk, to - t0));
        for (auto& sp : speakers) {
            sp.mono.assign(n, 0.0f);
            for (auto s : sp.streams) renderers[s]->render(t0, sp.mono);
        }
        if (auto st = sink(t0, n); !st) return st;
        if (progress && t0 - lastReport >= 48000) {
            progress(t0 - from);
            lastReport = t0;
        }
    }
    for (const auto& r : renderers)
        if (r) decodeErrors += r->decodeErrors();
    return {};
}

double dbToGain(double db) { return std::pow(10.0, db / 20.0); }

} // namespace

// [SECTION] export -----------------------------------------------------------------

core::Result<AudioExport> exportAudio(Scan& scan, const AudioExportOptions& options) {
    AudioExport result;
    const std::int64_t end = scan.durationSamples();
    const std::int64_t from = std::clamp<std::int64_t>(options.from, 0, end);
    const std::int64_t to = options.to < 0 ? end : std::clamp<std::int64_t>(options.to, from, end);
    if (to <= from) return core::Error{scan.path + ": the range to export is empty"};

    // Place every stream; the speakers are the participants with voice in the range.
    PlacementConfig placement;
    for (auto& s : scan.streams) s.placed = placeFrames(s.frames, placement, result.placement);
    std::vector<Speaker> speakers;
    for (std::size_t i = 0; i < scan.streams.size(); ++i) {
        const auto& placed = scan.streams[i].placed;
        const bool inRange = std::any_of(placed.begin(), placed.end(), [&](const PlacedFrame& p) {
            return p.frame >= 0 && p.pos < to && p.pos + p.samples > from;
        });
        if (!inRange) continue;
        const std::size_t who = scan.streams[i].speaker;
        auto it = std::find_if(speakers.begin(), speakers.end(), [&](const Speaker& s) { return s.participant == who; });
        if (it == speakers.end()) {
            speakers.emplace_back();
            speakers.back().participant = who;
            it = speakers.end() - 1;
        }
        it->streams.push_back(i);
    }
    // Seat order: by slot, then name.
    std::sort(speakers.begin(), speakers.end(), [&](const Speaker& a, const Speaker& b) {
        const auto& pa = scan.participants[a.participant].who;
        const auto& pb = scan.participants[b.participant].who;
        return pa.slot != pb.slot ? pa.slot < pb.slot : pa.name < pb.name;
    });
    if (speakers.size() > 1) {
        constexpr double kWidth = 0.4;  // of the half-width: a mild spread
        for (std::size_t i = 0; i < speakers.size(); ++i) {
            const double pos = -kWidth + 2.0 * kWidth * static_cast<double>(i) / static_cast<double>(speakers.size() - 1);
            const double angle = (pos + 1.0) * M_PI / 4.0;  // constant power
            speakers[i].panL = static_cast<float>(std::cos(angle));
            speakers[i].panR = static_cast<float>(std::sin(angle));
        }
    }

    const bool mix = !options.mixPath.empty(), tracks = !options.tracksDir.empty();
    if (tracks) {
        std::error_code ec;
        std::filesystem::create_directories(options.tracksDir, ec);
        if (ec) return core::Error{options.tracksDir + ": cannot create the tracks folder: " + ec.message()};
        std::vector<std::string> used;
        for (auto& sp : speakers) {
            const auto& p = scan.participants[sp.participant];
            std::string base = safeFileName(p.who.name) + "-" + (p.known ? core::toString(p.who.role) : "unknown");
            std::string name = base;
            for (int k = 2; std::find(used.begin(), used.end(), name) != used.end(); ++k) name = base + "-" + std::to_string(k);
            used.push_back(name);
            sp.fileName = (std::filesystem::path(options.tracksDir) / (name + ".opus")).string();
            sp.what = "track " + p.who.name + " (" + (p.known ? core::toString(p.who.role) : "unknown") + ")";
            sp.meter = std::make_unique<LoudnessMeter>(1);
        }
    }

    const double rangeSeconds = static_cast<double>(to - from) / kRate;
    // Progress in seconds of work: the second pass (encoding) takes about
    // four times the first (decoding and measuring), so it counts four times.
    constexpr double kPass2Weight = 4.0;
    const double totalWork = (1.0 + kPass2Weight) * rangeSeconds;
    auto progressAt = [&](double base, double weight) {
        return std::function<void(std::int64_t)>([&, base, weight](std::int64_t done) {
            if (options.progress) options.progress(base + weight * static_cast<double>(done) / kRate, totalWork);
        });
    };

    // Pass 1: measure.
    LoudnessMeter mixMeter(2);
    std::vector<float> stereo;
    auto st = renderPass(scan, speakers, from, to, result.decodeErrors, progressAt(0, 1.0), [&](std::int64_t, std::size_t n) {
        if (mix) {
            stereo.assign(2 * n, 0.0f);
            for (const auto& sp : speakers)
                for (std::size_t i = 0; i < n; ++i) {
                    stereo[2 * i] += sp.mono[i] * sp.panL;
                    stereo[2 * i + 1] += sp.mono[i] * sp.panR;
                }
            mixMeter.add(stereo);
        }
        if (tracks)
            for (auto& sp : speakers) sp.meter->add(sp.mono);
        return core::Status{};
    });
    if (!st) return st.error();
    result.decodeErrors = 0;  // counted again by the second pass (the same frames)

    // Gains and the writers.
    const auto ceiling = static_cast<float>(dbToGain(options.ceilingDb));
    double mixGain = 1.0;
    std::unique_ptr<PeakLimiter> mixLimiter;
    OggOpusWriter* mixWriter = nullptr;
    std::size_t mixFile = 0;
    const double fromMs = static_cast<double>(from) / 48.0, toMs = static_cast<double>(to) / 48.0;
    const std::string range = clockText(fromMs) + "-" + clockText(toMs);
    std::string what = "CaseRoom recording export: room " + scan.info.room +
                       (scan.info.session ? ", session " + std::to_string(scan.info.session) : std::string()) + ", " + range +
                       " of the recording";
    if (mix) {
        ExportedFile f;
        f.path = options.mixPath;
        f.what = "audio mix";
        f.channels = 2;
        f.measuredLufs = mixMeter.integrated();
        if (f.measuredLufs) f.gainDb = options.targetLufs - *f.measuredLufs;
        mixGain = dbToGain(f.gainDb);
        OggOpusDesc d;
        d.path = options.mixPath;
        d.channels = 2;
        d.bitrate = options.mixBitrate;
        d.tags.emplace_back("TITLE", scan.info.title.empty() ? "CaseRoom " + scan.info.room : scan.info.title);
        d.tags.emplace_back("DATE", isoDate(scan.info.startedUnix + static_cast<std::uint64_t>(fromMs / 1000)));
        d.tags.emplace_back("COMMENT", what + "; voice mixed to stereo, normalised to " +
                                           std::to_string(static_cast<int>(options.targetLufs)) + " LUFS");
        int n = 0;
        for (const Chapter& c : chaptersIn(scan, fromMs, toMs)) {
            char key[32];
            std::snprintf(key, sizeof key, "CHAPTER%03d", ++n);
            d.tags.emplace_back(key, clockText(c.atMs));
            d.tags.emplace_back(std::string(key) + "NAME", c.label);
        }
        auto w = OggOpusWriter::create(d);
        if (!w) return w.error();
        mixWriter = w->get();
        result.writers.push_back(std::move(*w));
        mixLimiter = std::make_unique<PeakLimiter>(2, ceiling);
        mixFile = result.files.size();
        result.files.push_back(f);
    }
    if (tracks) {
        for (auto& sp : speakers) {
            const auto& p = scan.participants[sp.participant];
            ExportedFile f;
            f.path = sp.fileName;
            f.what = sp.what;
            f.channels = 1;
            f.measuredLufs = sp.meter->integrated();
            if (options.normaliseTracks && f.measuredLufs) f.gainDb = options.targetLufs - *f.measuredLufs;
            sp.gain = dbToGain(f.gainDb);
            OggOpusDesc d;
            d.path = sp.fileName;
            d.channels = 1;
            d.bitrate = options.trackBitrate;
            d.tags.emplace_back("TITLE", (scan.info.title.empty() ? "CaseRoom " + scan.info.room : scan.info.title) + ": " + p.who.name);
            d.tags.emplace_back("ARTIST", p.who.name);
            d.tags.emplace_back("DATE", isoDate(scan.info.startedUnix + static_cast<std::uint64_t>(fromMs / 1000)));
            d.tags.emplace_back("COMMENT", what + "; the voice of " + p.who.name + " alone" +
                                               (options.normaliseTracks ? ", normalised to " +
                                                                              std::to_string(static_cast<int>(options.targetLufs)) + " LUFS"
                                                                        : ", not normalised"));
            auto w = OggOpusWriter::create(d);
            if (!w) return w.error();
            sp.writer = w->get();
            result.writers.push_back(std::move(*w));
            sp.limiter = std::make_unique<PeakLimiter>(1, ceiling);
            sp.file = result.files.size();
            result.files.push_back(f);
        }
    }

    // Pass 2: gain, limit, encode. The limiter delays by its latency: the
    // first that many output frames are dropped and the tail flushed after.
    std::vector<float> limited, scaled;
    auto write = [](OggOpusWriter* w, PeakLimiter& lim, std::uint64_t& skip, std::span<const float> in,
                    std::vector<float>& out, std::uint32_t ch) -> core::Status {
        lim.process(in, out);
        std::size_t off = 0;
        const std::size_t frames = out.size() / ch;
        if (skip) {
            off = static_cast<std::size_t>(std::min<std::uint64_t>(skip, frames));
            skip -= off;
        }
        return w->write(std::span<const float>(out).subspan(off * ch));
    };
    std::uint64_t mixSkip = mixLimiter ? mixLimiter->latency() : 0;
    std::vector<std::uint64_t> trackSkip(speakers.size());
    for (std::size_t i = 0; i < speakers.size(); ++i) trackSkip[i] = speakers[i].limiter ? speakers[i].limiter->latency() : 0;
    st = renderPass(scan, speakers, from, to, result.decodeErrors, progressAt(rangeSeconds, kPass2Weight), [&](std::int64_t, std::size_t n) {
        if (mix) {
            stereo.assign(2 * n, 0.0f);
            for (const auto& sp : speakers) {
                const auto l = static_cast<float>(sp.panL * mixGain), r = static_cast<float>(sp.panR * mixGain);
                for (std::size_t i = 0; i < n; ++i) {
                    stereo[2 * i] += sp.mono[i] * l;
                    stereo[2 * i + 1] += sp.mono[i] * r;
                }
            }
            if (auto s = write(mixWriter, *mixLimiter, mixSkip, stereo, limited, 2); !s) return s;
        }
        if (tracks)
            for (std::size_t k = 0; k < speakers.size(); ++k) {
                auto& sp = speakers[k];
                scaled.resize(n);
                for (std::size_t i = 0; i < n; ++i) scaled[i] = static_cast<float>(sp.mono[i] * sp.gain);
                if (auto s = write(sp.writer, *sp.limiter, trackSkip[k], scaled, limited, 1); !s) return s;
            }
        return core::Status{};
    });
    if (!st) return st.error();
    // The limiters' tails (their latency in silence), then finish.
    if (mix) {
        std::vector<float> zeros(2 * mixLimiter->latency(), 0.0f);
        if (auto s = write(mixWriter, *mixLimiter, mixSkip, zeros, limited, 2); !s) return s.error();
        result.files[mixFile].limiterMinGainDb = 20.0 * std::log10(std::max(1e-9f, mixLimiter->minGain()));
    }
    if (tracks)
        for (std::size_t k = 0; k < speakers.size(); ++k) {
            auto& sp = speakers[k];
            std::vector<float> zeros(sp.limiter->latency(), 0.0f);
            if (auto s = write(sp.writer, *sp.limiter, trackSkip[k], zeros, limited, 1); !s) return s.error();
            result.files[sp.file].limiterMinGainDb = 20.0 * std::log10(std::max(1e-9f, sp.limiter->minGain()));
        }
    for (std::size_t i = 0; i < result.writers.size(); ++i) {
        if (auto s = result.writers[i]->finish(); !s) return s.error();
        result.files[i].frames = result.writers[i]->framesWritten();
    }
    if (options.progress) options.progress(totalWork, totalWork);
    return result;
}

} // namespace caseroom::replay
