// caseroom-replay (tools/replay): the BS.1770-4 meter against the standard's
// figures, the limiter, frame placement, and the tool as a process on a
// synthetic recording made with RecordingWriter (three speakers with real
// Opus frames of sine tones, a pause, marks, one speaker leaving): the mix and
// the tracks decoded with opusfile, verify on a truncated copy, info --json,
// refusals, and the audit row in a real clinic database.
// [SECTION] helpers  [SECTION] synthetic recording  [SECTION] meter and limiter
// [SECTION] placement  [SECTION] the tool  [SECTION] speed (hidden: [.bench])
#include <catch2/catch.hpp>

#include <opus/opusfile.h>
#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "audio/codec.h"
#include "integration/process.h"
#include "loudness.h"
#include "net/secure/crypto.h"
#include "record/recording.h"
#include "session/audit_log.h"
#include "session/db_audit.h"
#include "store/database.h"
#include "store/records.h"
#include "temp_dir.h"
#include "voice_schedule.h"
#include "integration/replay_tool.h"

using namespace caseroom;
using caseroom::testing::slurp;
using caseroom::testing::waitExit;
using namespace caseroom::testing::replay_tool;

namespace {

// [SECTION] helpers ------------------------------------------------------------------

struct Decoded {
    int channels = 0;
    std::int64_t total = 0;                      // samples per channel (op_pcm_total)
    std::vector<float> pcm;                      // interleaved
    std::map<std::string, std::string> tags;     // upper-case names
};

Decoded decodeOpus(const std::string& path) {
    Decoded d;
    int err = 0;
    OggOpusFile* of = op_open_file(path.c_str(), &err);
    REQUIRE(of != nullptr);
    d.channels = op_channel_count(of, -1);
    d.total = op_pcm_total(of, -1);
    const OpusTags* tags = op_tags(of, -1);
    for (int i = 0; tags && i < tags->comments; ++i) {
        const std::string c(tags->user_comments[i], static_cast<std::size_t>(tags->comment_lengths[i]));
        const auto eq = c.find('=');
        if (eq == std::string::npos) continue;
        std::string k = c.substr(0, eq);
        for (auto& ch : k) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
        d.tags[k] = c.substr(eq + 1);
    }
    std::vector<float> buf(5760 * 2);
    while (true) {
        const int n = op_read_float(of, buf.data(), static_cast<int>(buf.size()), nullptr);
        REQUIRE(n >= 0);
        if (n == 0) break;
        d.pcm.insert(d.pcm.end(), buf.begin(), buf.begin() + n * d.channels);
    }
    op_free(of);
    return d;
}

// One channel (or the sum of both) of [fromS, toS).
std::vector<float> window(const Decoded& d, double fromS, double toS, int channel = -1) {
    std::vector<float> out;
    const auto a = static_cast<std::size_t>(fromS * 48000), b = static_cast<std::size_t>(toS * 48000);
    for (std::size_t i = a; i < b && (i + 1) * static_cast<std::size_t>(d.channels) <= d.pcm.size(); ++i) {
        float v = 0;
        for (int c = 0; c < d.channels; ++c)
            if (channel < 0 || channel == c) v += d.pcm[i * static_cast<std::size_t>(d.channels) + static_cast<std::size_t>(c)];
        out.push_back(v);
    }
    return out;
}

double rms(const std::vector<float>& x) {
    double s = 0;
    for (float v : x) s += static_cast<double>(v) * v;
    return x.empty() ? 0 : std::sqrt(s / static_cast<double>(x.size()));
}

// Goertzel: the amplitude of `freq` in x (a sine of amplitude A reads about A).
double tone(const std::vector<float>& x, double freq) {
    const double w = 2 * M_PI * freq / 48000.0, coeff = 2 * std::cos(w);
    double s1 = 0, s2 = 0;
    for (float v : x) {
        const double s0 = v + coeff * s1 - s2;
        s2 = s1;
        s1 = s0;
    }
    const double power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
    return 2 * std::sqrt(std::max(0.0, power)) / static_cast<double>(x.size());
}

double integratedOf(const Decoded& d) {
    replay::LoudnessMeter m(static_cast<std::uint32_t>(d.channels));
    m.add(d.pcm);
    auto l = m.integrated();
    REQUIRE(l.has_value());
    return *l;
}

// A small JSON reader for info --json: enough to check the fields' presence and values.
struct Json {
    std::variant<std::nullptr_t, bool, double, std::string, std::vector<Json>, std::map<std::string, Json>> v;
    const Json& operator[](const std::string& k) const { return std::get<std::map<std::string, Json>>(v).at(k); }
    const Json& operator[](std::size_t i) const { return std::get<std::vector<Json>>(v).at(i); }
    [[nodiscard]] bool has(const std::string& k) const { return std::get<std::map<std::string, Json>>(v).count(k) > 0; }
    [[nodiscard]] std::size_t size() const { return std::get<std::vector<Json>>(v).size(); }
    [[nodiscard]] double num() const { return std::get<double>(v); }
    [[nodiscard]] const std::string& str() const { return std::get<std::string>(v); }
};

struct JsonParser {
    const std::string& s;
    std::size_t i = 0;
    bool ok = true;
    void ws() {
        while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    }
    bool eat(char c) {
        ws();
        if (i < s.size() && s[i] == c) {
            ++i;
            return true;
        }
        return false;
    }
    std::string str() {
        std::string out;
        if (!eat('"')) return ok = false, out;
        while (i < s.size() && s[i] != '"') {
            if (s[i] == '\\') {
                ++i;
                if (i >= s.size()) return ok = false, out;
                const char e = s[i++];
                if (e == 'u') {
                    out += '?';
                    i += 4;
                } else {
                    out += e == 'n' ? '\n' : e == 't' ? '\t' : e == 'r' ? '\r' : e;
                }
                continue;
            }
            out += s[i++];
        }
        if (i >= s.size()) return ok = false, out;
        ++i;
        return out;
    }
    Json value() {
        ws();
        Json j;
        if (i >= s.size()) return ok = false, j;
        if (s[i] == '{') {
            ++i;
            std::map<std::string, Json> m;
            if (!eat('}')) {
                do {
                    const std::string k = str();
                    if (!eat(':')) return ok = false, j;
                    m[k] = value();
                } while (ok && eat(','));
                if (!eat('}')) ok = false;
            }
            j.v = std::move(m);
        } else if (s[i] == '[') {
            ++i;
            std::vector<Json> a;
            if (!eat(']')) {
                do a.push_back(value());
                while (ok && eat(','));
                if (!eat(']')) ok = false;
            }
            j.v = std::move(a);
        } else if (s[i] == '"') {
            j.v = str();
        } else if (s.compare(i, 4, "true") == 0) {
            i += 4;
            j.v = true;
        } else if (s.compare(i, 5, "false") == 0) {
            i += 5;
            j.v = false;
        } else if (s.compare(i, 4, "null") == 0) {
            i += 4;
        } else {
            char* end = nullptr;
            j.v = std::strtod(s.c_str() + i, &end);
            if (end == s.c_str() + i) ok = false;
            i = static_cast<std::size_t>(end - s.c_str());
        }
        return j;
    }
};

// [SECTION] synthetic recording -----------------------------------------------------

struct Talk {
    double fromS, toS;
};
struct Voice {
    record::Present who;
    double freq = 440, peakDb = -12;
    std::vector<Talk> talks;
    double leaveS = -1;          // leaves the room then (-1: stays)
};
struct Synth {
    std::uint32_t tickRate = 30, firstTick = 1000;
    double durationS = 20;
    double pauseFromS = -1, pauseToS = -1;
    std::vector<std::pair<double, std::string>> marks;
    std::vector<Voice> voices;
    std::uint64_t session = 0;
    std::string room = "hcv";
};

record::Present present(std::uint16_t slot, core::Role role, std::string name) {
    record::Present p;
    p.slot = slot;
    p.instance = 1;
    p.role = role;
    p.name = std::move(name);
    return p;
}

Synth standardSynth() {
    Synth s;
    s.pauseFromS = 8.0;
    s.pauseToS = 11.0;
    s.marks = {{0.0, "didactic"}, {11.0, "case 1: hepatitis C"}};
    s.voices.push_back({present(1, core::Role::Facilitator, "Ana Lima"), 440, -12, {{0.5, 3.5}, {15.5, 19.0}}, -1});
    s.voices.push_back({present(2, core::Role::Specialist, "Ben Okafor"), 1000, -20, {{4.0, 7.0}}, -1});
    s.voices.push_back({present(3, core::Role::Spoke, "Cai Nguyễn"), 2500, -6, {{11.5, 14.5}}, 15.0});
    return s;
}

// Writes the recording: a keyframe at the first tick, a tick record for every
// live tick, the pause and the resuming keyframe, the marks; each speaker's
// frames are real Opus (a fresh encoder per talk, 20 ms, seq advancing across
// the silences as DTX does), arriving with up to 30 ms of jitter (so some
// arrive out of order) and one in 41 lost.
void writeSynth(const std::string& path, const record::Key& key, const Synth& s) {
    record::WriterConfig c;
    c.path = path;
    c.key = key;
    c.info.room = s.room;
    c.info.title = "HCV ECHO";
    c.info.session = s.session;
    c.info.startedUnix = 1764676800;  // 2025-12-02T12:00:00Z
    c.info.tickRate = s.tickRate;
    c.info.firstTick = s.firstTick;
    c.info.policy = record::Policy::WholeSession;
    c.syncEachBlock = false;
    auto w = record::RecordingWriter::create(c);
    REQUIRE(w.ok());
    auto& writer = **w;

    struct Frame {
        std::uint32_t atMs;
        record::VoiceSample v;
    };
    std::vector<Frame> frames;
    std::uint32_t rng = 12345;
    auto next = [&rng] { return rng = rng * 1664525u + 1013904223u; };
    for (const auto& v : s.voices) {
        std::uint16_t seq = 0;
        double lastEnd = 0;
        const double amp = std::pow(10.0, v.peakDb / 20.0);
        for (const auto& t : v.talks) {
            seq = static_cast<std::uint16_t>(seq + static_cast<int>(std::lround((t.fromS - lastEnd) / 0.02)));
            audio::EncoderConfig ec;
            ec.dtx = false;  // Opus's DTX takes a steady tone for background noise
            auto enc = audio::createOpusEncoder(ec);
            REQUIRE(enc.ok());
            const int n = static_cast<int>(std::lround((t.toS - t.fromS) / 0.02));
            std::vector<float> pcm(960);
            std::vector<std::uint8_t> out(400);
            for (int k = 0; k < n; ++k, ++seq) {
                for (int i = 0; i < 960; ++i) {
                    const double ts = t.fromS + (k * 960 + i) / 48000.0;
                    pcm[static_cast<std::size_t>(i)] = static_cast<float>(amp * std::sin(2 * M_PI * v.freq * ts));
                }
                auto bytes = (*enc)->encode(pcm, out);
                REQUIRE(bytes.ok());
                if (k % 41 == 20 || *bytes <= 2) continue;  // lost on the way (or DTX)
                record::VoiceSample vs;
                vs.slot = v.who.slot;
                vs.seq = seq;
                vs.level = 8;
                vs.frameMs = 20;
                vs.opus.assign(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(*bytes));
                const double at = (t.fromS + k * 0.02) * 1000.0 + (next() >> 8) % 30;
                vs.atMs = static_cast<std::uint32_t>(at);
                frames.push_back({vs.atMs, std::move(vs)});
            }
            lastEnd = t.toS;
        }
    }
    std::stable_sort(frames.begin(), frames.end(), [](const Frame& a, const Frame& b) { return a.atMs < b.atMs; });

    auto tickOf = [&](double seconds) { return s.firstTick + static_cast<std::uint32_t>(std::lround(seconds * s.tickRate)); };
    const std::uint32_t last = tickOf(s.durationS) - 1;
    const std::uint32_t pauseFrom = s.pauseFromS >= 0 ? tickOf(s.pauseFromS) : 0xFFFFFFFFu;
    const std::uint32_t pauseTo = s.pauseToS >= 0 ? tickOf(s.pauseToS) : 0xFFFFFFFFu;
    std::vector<std::uint16_t> here;
    auto keyframe = [&](std::uint32_t tick) {
        record::Keyframe k;
        k.tick = tick;
        for (const auto& v : s.voices)
            if (std::find(here.begin(), here.end(), v.who.slot) != here.end()) {
                k.present.push_back(v.who);
                k.avatars.push_back({v.who.slot, std::vector<std::uint8_t>(24, 7)});
            }
        writer.keyframe(k);
    };
    for (const auto& v : s.voices) here.push_back(v.who.slot);
    std::size_t f = 0, m = 0;
    for (std::uint32_t tick = s.firstTick; tick <= last; ++tick) {
        while (m < s.marks.size() && tickOf(s.marks[m].first) <= tick) {
            record::Mark mk;
            mk.tick = tickOf(s.marks[m].first);
            mk.phase = static_cast<std::uint8_t>(m + 1);
            mk.label = s.marks[m].second;
            writer.mark(mk);
            ++m;
        }
        if (tick == pauseFrom) {
            writer.pause({tick, 2, 0});
            continue;
        }
        if (tick > pauseFrom && tick < pauseTo) continue;
        if (tick == s.firstTick || tick == pauseTo) {
            keyframe(tick);
            continue;
        }
        record::TickRecord t;
        t.tick = tick;
        const double tickEndMs = (tick - s.firstTick) * 1000.0 / s.tickRate;
        while (f < frames.size() && frames[f].atMs <= tickEndMs) t.voice.push_back(std::move(frames[f++].v));
        for (const auto& v : s.voices)
            if (v.leaveS >= 0 && tickOf(v.leaveS) == tick) {
                t.left.push_back(v.who.slot);
                here.erase(std::find(here.begin(), here.end(), v.who.slot));
            }
        if (!here.empty()) t.avatars.push_back({here.front(), std::vector<std::uint8_t>(6, 1)});
        writer.append(t);
    }
    REQUIRE(writer.close().ok());
}

// [SECTION] meter and limiter -------------------------------------------------------

std::vector<float> sine(double freq, double peakDb, double seconds, int channels, int onlyChannel = -1) {
    const auto n = static_cast<std::size_t>(seconds * 48000);
    std::vector<float> x(n * static_cast<std::size_t>(channels), 0.0f);
    const double a = std::pow(10.0, peakDb / 20.0);
    for (std::size_t i = 0; i < n; ++i)
        for (int c = 0; c < channels; ++c)
            if (onlyChannel < 0 || onlyChannel == c)
                x[i * static_cast<std::size_t>(channels) + static_cast<std::size_t>(c)] =
                    static_cast<float>(a * std::sin(2 * M_PI * freq * static_cast<double>(i) / 48000.0));
    return x;
}

} // namespace

TEST_CASE("BS.1770-4 meter: the standard's reference and EBU Tech 3341's gating cases") {
    SECTION("a 0 dBFS 997 Hz sine in one channel reads -3.01 LUFS (BS.1770-4 Annex 1)") {
        replay::LoudnessMeter stereo(2);
        stereo.add(sine(997, 0, 10, 2, 0));
        REQUIRE(stereo.integrated().has_value());
        CHECK(*stereo.integrated() == Approx(-3.01).margin(0.02));
        replay::LoudnessMeter mono(1);
        mono.add(sine(997, -20, 10, 1));
        CHECK(*mono.integrated() == Approx(-23.01).margin(0.02));
    }
    SECTION("Tech 3341 case 1: stereo 1 kHz at -23 dBFS reads -23.0") {
        replay::LoudnessMeter m(2);
        m.add(sine(1000, -23, 20, 2));
        CHECK(*m.integrated() == Approx(-23.0).margin(0.1));
    }
    SECTION("Tech 3341 case 3: -36, -23, -36 dBFS reads -23.0 (the relative gate)") {
        replay::LoudnessMeter m(2);
        m.add(sine(1000, -36, 10, 2));
        m.add(sine(1000, -23, 60, 2));
        m.add(sine(1000, -36, 10, 2));
        CHECK(*m.integrated() == Approx(-23.0).margin(0.1));
    }
    SECTION("Tech 3341 case 4: -72, -36, -23, -36, -72 dBFS reads -23.0 (both gates)") {
        replay::LoudnessMeter m(2);
        for (auto [db, s] : std::vector<std::pair<double, double>>{{-72, 10}, {-36, 10}, {-23, 60}, {-36, 10}, {-72, 10}})
            m.add(sine(1000, db, s, 2));
        CHECK(*m.integrated() == Approx(-23.0).margin(0.1));
    }
    SECTION("silence and less than one block measure nothing") {
        replay::LoudnessMeter m(2);
        m.add(std::vector<float>(2 * 48000 * 3, 0.0f));
        CHECK_FALSE(m.integrated().has_value());
        replay::LoudnessMeter shortOne(1);
        shortOne.add(sine(1000, -10, 0.3, 1));
        CHECK(shortOne.blocks() == 0);
        CHECK_FALSE(shortOne.integrated().has_value());
    }
}

TEST_CASE("The limiter keeps every sample under the ceiling and leaves quiet audio as it was") {
    const float ceiling = static_cast<float>(std::pow(10.0, -1.0 / 20.0));
    replay::PeakLimiter lim(2, ceiling);
    auto loud = sine(1000, -20, 1, 2);
    auto burst = sine(1000, +6, 0.5, 2);  // over full scale
    loud.insert(loud.end(), burst.begin(), burst.end());
    auto after = sine(1000, -20, 1, 2);
    loud.insert(loud.end(), after.begin(), after.end());
    std::vector<float> out;
    lim.process(loud, out);
    REQUIRE(out.size() == loud.size());
    float peak = 0;
    for (float v : out) peak = std::max(peak, std::fabs(v));
    CHECK(peak <= ceiling);
    CHECK(lim.minGain() < 0.5f);
    // Before the burst (and its look-ahead) the signal passes unchanged, delayed.
    const std::size_t lat = lim.latency();
    for (std::size_t i = 0; i < 2 * 24000; ++i) CHECK(out[i + 2 * lat] == Approx(loud[i]).margin(1e-6));
}

// [SECTION] placement ----------------------------------------------------------------

TEST_CASE("Frame placement: sequence order through jitter, loss concealed, DTX gaps silent") {
    std::vector<record::VoiceSample> f;
    auto add = [&](std::uint16_t seq, std::uint32_t at) {
        record::VoiceSample v;
        v.seq = seq;
        v.atMs = at;
        v.opus = {1, 2, 3};
        f.push_back(v);
    };
    // Talk starts at 1000 ms: seq 10, 11, 13 (12 lost), 15 before 14 (reordered), 15 again (duplicate).
    add(10, 1000);
    add(11, 1031);
    add(13, 1062);
    add(15, 1101);
    add(14, 1105);
    add(15, 1110);
    // After 2 s of DTX (seq advanced by 100), then a far-off arrival (a new stream).
    add(116, 3125);
    add(40000, 9000);
    replay::PlacementStats st;
    const auto placed = replay::placeFrames(f, {}, st);
    std::vector<std::int64_t> pos;
    for (const auto& p : placed) pos.push_back(p.pos / 48);
    // 10, 11, (12 concealed), 13, 14, 15, then 116 at its sequence place, then the new stream at its arrival.
    CHECK(pos == std::vector<std::int64_t>{1000, 1020, 1040, 1060, 1080, 1100, 1100 + 20 * 101, 9000});
    REQUIRE(placed.size() == 8);
    CHECK(placed[2].frame == -1);
    CHECK(placed[2].fecFrom == 2);        // concealed from frame 13's FEC
    CHECK(placed[6].reset);               // after DTX
    CHECK(placed[7].reset);
    CHECK(st.concealed == 1);
    CHECK(st.dropped == 1);
}

// [SECTION] the tool ------------------------------------------------------------------

TEST_CASE("caseroom-replay exports, verifies and describes a recording") {
    Fixture fx;
    const std::string dbPath = fx.dir + "/clinic.db";
    Synth synth = standardSynth();
    synth.session = static_cast<std::uint64_t>(makeClinic(dbPath));
    writeSynth(fx.rec, fx.key, synth);
    const std::size_t rowsBefore = auditRows(dbPath).size();

    SECTION("export --audio: a stereo mix at -16 LUFS with chapters, each tone where its speaker spoke") {
        const std::string out = fx.dir + "/mix.opus";
        auto r = runReplay(fx.dir, {"export", fx.rec, "--audio", out, "--by", "Dr. Mara Voss"});
        INFO(r.out);
        REQUIRE(r.rc == 0);
        CHECK_FALSE(std::filesystem::exists(out + ".part"));
        const Decoded d = decodeOpus(out);
        CHECK(d.channels == 2);
        CHECK(std::llabs(d.total - 20 * 48000) <= 960);   // the recording's 20 s (pauses kept as silence), within 20 ms
        CHECK(static_cast<std::int64_t>(d.pcm.size() / 2) == d.total);
        CHECK(integratedOf(d) == Approx(-16.0).margin(1.0));
        float peak = 0;
        for (float v : d.pcm) peak = std::max(peak, std::fabs(v));
        CHECK(peak < 1.0f);
        // Tags.
        CHECK(d.tags.at("TITLE") == "HCV ECHO");
        CHECK(d.tags.at("DATE").rfind("2025-12-02", 0) == 0);
        CHECK(d.tags.at("COMMENT").find("CaseRoom recording export") != std::string::npos);
        CHECK(d.tags.at("CHAPTER001") == "00:00:00.000");
        CHECK(d.tags.at("CHAPTER001NAME") == "didactic");
        CHECK(d.tags.at("CHAPTER002") == "00:00:11.000");
        CHECK(d.tags.at("CHAPTER002NAME") == "case 1: hepatitis C");
        CHECK(d.tags.count("CHAPTER003") == 0);
        // Each speaker's tone in their time, the others' absent.
        struct Span { double a, b, freq; };
        const std::vector<Span> spans = {{0.6, 3.4, 440}, {4.1, 6.9, 1000}, {11.6, 14.4, 2500}, {15.6, 18.9, 440}};
        const std::vector<double> freqs = {440, 1000, 2500};
        for (const auto& s : spans) {
            const auto w = window(d, s.a, s.b);
            INFO("span " << s.a << "-" << s.b << " s, tone " << s.freq << " Hz");
            const double own = tone(w, s.freq);
            CHECK(own > 0.02);
            for (double other : freqs)
                if (other != s.freq) CHECK(tone(w, other) < own / 20);
        }
        // Silence where nobody spoke: before the first word, 7-8 s, the pause 8-11 s, the end.
        for (auto [a, b] : std::vector<std::pair<double, double>>{{0.0, 0.45}, {7.2, 7.95}, {8.1, 10.9}, {19.2, 19.95}}) {
            INFO("silence " << a << "-" << b << " s");
            CHECK(rms(window(d, a, b)) < 1e-3);
        }
        // Seat order: Ana (slot 1) to the left, Cai (slot 3) to the right, Ben in the middle.
        CHECK(rms(window(d, 0.6, 3.4, 0)) > 1.3 * rms(window(d, 0.6, 3.4, 1)));
        CHECK(rms(window(d, 11.6, 14.4, 1)) > 1.3 * rms(window(d, 11.6, 14.4, 0)));
        CHECK(rms(window(d, 4.1, 6.9, 0)) == Approx(rms(window(d, 4.1, 6.9, 1))).epsilon(0.1));

        // Exactly one audit row, chained, naming who, the recording, its session and what.
        const auto rows = auditRows(dbPath);
        REQUIRE(rows.size() == rowsBefore + 1);
        const std::string& text = rows.back().text;
        INFO(text);
        CHECK(text.find("session.caseroom-rec") != std::string::npos);
        CHECK(text.find("room hcv") != std::string::npos);
        CHECK(text.find("Week 3: retreatment") != std::string::npos);
        CHECK(text.find("audio mix") != std::string::npos);
        CHECK(text.find("00:00:00.000-00:00:20.000") != std::string::npos);
        CHECK(text.find("Dr. Mara Voss") != std::string::npos);
        CHECK(text.find("os_user=" + osUser()) != std::string::npos);
        auto db = store::Database::open({.path = dbPath, .create = false});
        REQUIRE(db.ok());
        auto report = session::verifyAuditDb(**db, auditKeyFor(dbPath));
        REQUIRE(report.ok());
        CHECK(report->ok());
    }

    SECTION("export --tracks: one mono file per speaker with only that speaker's tone") {
        const std::string dir = fx.dir + "/tracks";
        auto r = runReplay(fx.dir, {"export", fx.rec, "--tracks", dir, "--quiet"});
        INFO(r.out);
        REQUIRE(r.rc == 0);
        struct Expect { std::string file; double freq; std::vector<Talk> own; };
        const std::vector<Expect> tracks = {{"Ana_Lima-facilitator.opus", 440, {{0.6, 3.4}, {15.6, 18.9}}},
                                            {"Ben_Okafor-specialist.opus", 1000, {{4.1, 6.9}}},
                                            {"Cai_Nguyễn-spoke.opus", 2500, {{11.6, 14.4}}}};
        CHECK(std::distance(std::filesystem::directory_iterator(dir), std::filesystem::directory_iterator()) == 3);
        const std::vector<Talk> everyone = {{0.6, 3.4}, {4.1, 6.9}, {11.6, 14.4}, {15.6, 18.9}};
        for (const auto& t : tracks) {
            INFO(t.file);
            const Decoded d = decodeOpus(dir + "/" + t.file);
            CHECK(d.channels == 1);
            CHECK(std::llabs(d.total - 20 * 48000) <= 960);
            CHECK(integratedOf(d) == Approx(-16.0).margin(1.0));  // each normalised on its own
            for (const auto& span : everyone) {
                const bool mine = std::any_of(t.own.begin(), t.own.end(), [&](const Talk& o) { return o.fromS == span.fromS; });
                const auto w = window(d, span.fromS, span.toS);
                if (mine) CHECK(tone(w, t.freq) > 0.02);
                else CHECK(rms(w) < 1e-3);
            }
        }
        CHECK(auditRows(dbPath).size() == rowsBefore + 1);
        CHECK(auditRows(dbPath).back().text.find("tracks to") != std::string::npos);
    }

    SECTION("export --from --to: the part, its chapters from the part's start") {
        const std::string out = fx.dir + "/part.opus";
        auto r = runReplay(fx.dir, {"export", fx.rec, "--audio", out, "--from", "10", "--to", "00:00:16"});
        INFO(r.out);
        REQUIRE(r.rc == 0);
        const Decoded d = decodeOpus(out);
        CHECK(std::llabs(d.total - 6 * 48000) <= 960);
        CHECK(d.tags.at("CHAPTER001") == "00:00:00.000");
        CHECK(d.tags.at("CHAPTER001NAME") == "didactic");   // the phase in progress at 10 s
        CHECK(d.tags.at("CHAPTER002") == "00:00:01.000");
        CHECK(tone(window(d, 1.6, 4.4), 2500) > 0.02);       // Cai, 11.5-14.5 s in the recording
        CHECK(rms(window(d, 0.1, 0.9)) < 1e-3);
        CHECK(auditRows(dbPath).back().text.find("00:00:10.000-00:00:16.000") != std::string::npos);
    }

    SECTION("--no-db exports with a warning and no row; a missing database refuses") {
        auto r = runReplay(fx.dir, {"export", fx.rec, "--audio", fx.dir + "/unaudited.opus", "--no-db", "--quiet"});
        INFO(r.out);
        CHECK(r.rc == 0);
        CHECK(r.out.find("not audited") != std::string::npos);
        CHECK(auditRows(dbPath).size() == rowsBefore);
        auto missing = runReplay(fx.dir, {"export", fx.rec, "--audio", fx.dir + "/x.opus", "--db", fx.dir + "/none.db"});
        CHECK(missing.rc == 1);
        CHECK(missing.out.find(fx.dir + "/none.db") != std::string::npos);
        CHECK_FALSE(std::filesystem::exists(fx.dir + "/x.opus"));
    }

    SECTION("faults: unwritable output, wrong key, not a recording, bad usage") {
        auto unwritable = runReplay(fx.dir, {"export", fx.rec, "--audio", "/nonexistent-dir/out.opus"});
        CHECK(unwritable.rc == 1);
        CHECK(unwritable.out.find("/nonexistent-dir/out.opus") != std::string::npos);
        CHECK(auditRows(dbPath).size() == rowsBefore);

        caseroom::testing::TempDir other;
        REQUIRE(record::loadRecordingKey(other.file("recording.key"), true).ok());
        auto wrongKey = runReplay(fx.dir, {"--key", other.file("recording.key"), "verify", fx.rec});
        CHECK(wrongKey.rc == 2);
        CHECK(wrongKey.out.find(fx.rec) != std::string::npos);
        CHECK(wrongKey.out.find("another key") != std::string::npos);

        const std::string junk = fx.dir + "/junk.bin";
        std::ofstream(junk) << std::string(4096, 'x');
        auto notRec = runReplay(fx.dir, {"info", junk});
        CHECK(notRec.rc == 2);
        CHECK(notRec.out.find(junk) != std::string::npos);
        CHECK(runReplay(fx.dir, {"verify", fx.dir + "/missing.rec"}).rc == 2);
        CHECK(runReplay(fx.dir, {"export", fx.rec, "--audio", fx.dir + "/y.opus", "--from", "abc"}).rc == 64);
        CHECK(runReplay(fx.dir, {"export", fx.rec}).rc == 64);
        CHECK(runReplay(fx.dir, {"frobnicate"}).rc == 64);
    }

    SECTION("verify: intact exits 0; a truncated copy exits 1 and lists the damage") {
        auto ok = runReplay(fx.dir, {"verify", fx.rec});
        INFO(ok.out);
        CHECK(ok.rc == 0);
        CHECK(ok.out.find("intact") != std::string::npos);
        const std::string cut = fx.dir + "/cut.caseroom-rec";
        std::filesystem::copy_file(fx.rec, cut);
        std::filesystem::resize_file(cut, std::filesystem::file_size(fx.rec) * 6 / 10);
        auto bad = runReplay(fx.dir, {"verify", cut});
        INFO(bad.out);
        CHECK(bad.rc == 1);
        CHECK(bad.out.find("DAMAGED") != std::string::npos);
        CHECK(bad.out.find("bytes ") != std::string::npos);
        CHECK(bad.out.find("not closed") != std::string::npos);
        // A flipped byte inside a closed file: that block fails authentication, its ticks are named.
        const std::string flipped = fx.dir + "/flipped.caseroom-rec";
        std::filesystem::copy_file(fx.rec, flipped);
        {
            std::fstream io(flipped, std::ios::in | std::ios::out | std::ios::binary);
            io.seekg(static_cast<std::streamoff>(std::filesystem::file_size(flipped) / 2));
            char c = 0;
            io.read(&c, 1);
            io.seekp(static_cast<std::streamoff>(std::filesystem::file_size(flipped) / 2));
            c = static_cast<char>(c ^ 0x40);
            io.write(&c, 1);
        }
        auto flip = runReplay(fx.dir, {"verify", flipped});
        INFO(flip.out);
        CHECK(flip.rc == 1);
        CHECK(flip.out.find("DAMAGED: 1 fault") != std::string::npos);
        CHECK(flip.out.find(" lost: ") != std::string::npos);
        // info still describes what is left, with the damage.
        auto info = runReplay(fx.dir, {"info", cut, "--json", "--quiet"});
        REQUIRE(info.rc == 0);
        JsonParser p{info.out};
        const Json j = p.value();
        REQUIRE(p.ok);
        CHECK(j["damage"].size() >= 1);
        CHECK(std::get<bool>(j["closed"].v) == false);
        // ... and an export of what is left still works.
        auto part = runReplay(fx.dir, {"export", cut, "--audio", fx.dir + "/cut.opus", "--no-db", "--quiet"});
        INFO(part.out);
        CHECK(part.rc == 0);
        CHECK(part.out.find("damaged") != std::string::npos);
    }

    SECTION("info --json: every field, present times without the pause, the phases and the pause") {
        auto r = runReplay(fx.dir, {"info", fx.rec, "--json"});
        INFO(r.out);
        REQUIRE(r.rc == 0);
        const std::string jsonLine = r.out.substr(r.out.find('{'));
        JsonParser p{jsonLine};
        const Json j = p.value();
        REQUIRE(p.ok);
        for (const char* k : {"file", "bytes", "closed", "room", "title", "session", "startedUnix", "tickRate", "firstTick",
                              "lastTick", "durationMs", "participants", "marks", "pauses", "voiceFrames", "voiceBytes",
                              "stateBytes", "damage"})
            CHECK(j.has(k));
        CHECK(j["room"].str() == "hcv");
        CHECK(j["sessionRecord"].str().find("Week 3: retreatment") != std::string::npos);
        CHECK(j["session"].num() == static_cast<double>(synth.session));
        CHECK(j["durationMs"].num() == Approx(20000).margin(1));
        REQUIRE(j["participants"].size() == 3);
        CHECK(j["participants"][0]["name"].str() == "Ana Lima");
        CHECK(j["participants"][0]["role"].str() == "facilitator");
        CHECK(j["participants"][0]["presentMs"].num() == Approx(17000).margin(50));   // 20 s less the 3 s pause
        CHECK(j["participants"][2]["presentMs"].num() == Approx(12000).margin(50));   // left at 15 s
        REQUIRE(j["marks"].size() == 2);
        CHECK(j["marks"][1]["atMs"].num() == Approx(11000).margin(1));
        CHECK(j["marks"][1]["label"].str() == "case 1: hepatitis C");
        REQUIRE(j["pauses"].size() == 1);
        CHECK(j["pauses"][0]["fromMs"].num() == Approx(8000).margin(1));
        CHECK(j["pauses"][0]["toMs"].num() == Approx(11000).margin(1));
        CHECK(j["voiceFrames"].num() > 500);
        CHECK(j["stateBytes"].num() > 0);
        CHECK(j["damage"].size() == 0);
        auto text = runReplay(fx.dir, {"info", fx.rec});
        CHECK(text.rc == 0);
        CHECK(text.out.find("Cai Nguyễn") != std::string::npos);
        CHECK(text.out.find("Week 3: retreatment") != std::string::npos);   // the session, named from the clinic database
        CHECK(text.out.find("00:00:11.000  case 1: hepatitis C") != std::string::npos);
    }
}

// [SECTION] speed (hidden: [.bench]) -------------------------------------------------

// Export speed relative to real time: a 10-minute recording with 3 speakers
// taking turns (and overlapping a little), exported as the mix and the tracks;
// seconds of audio per second of wall time, the median of 3 runs. Not a test
// (no bound): `test_replay_export "[.bench]"`; the figure goes in BENCHMARKS.md.
TEST_CASE("export speed", "[.bench]") {
    Fixture fx;
    Synth s;
    s.durationS = 600;
    s.marks = {{0.0, "didactic"}, {300.0, "case 1"}};
    s.voices.push_back({present(1, core::Role::Facilitator, "A"), 440, -12, {}, -1});
    s.voices.push_back({present(2, core::Role::Specialist, "B"), 1000, -18, {}, -1});
    s.voices.push_back({present(3, core::Role::Spoke, "C"), 2500, -9, {}, -1});
    for (double t = 0; t + 12 <= 600; t += 12)
        s.voices[static_cast<std::size_t>(t / 12) % 3].talks.push_back({t, t + 11.5});
    writeSynth(fx.rec, fx.key, s);
    for (const char* what : {"--audio", "--tracks"}) {
        std::vector<double> rates;
        for (int i = 0; i < 3; ++i) {
            const std::string out = fx.dir + "/bench" + std::to_string(i) + (std::string(what) == "--audio" ? ".opus" : "");
            const auto t0 = std::chrono::steady_clock::now();
            auto r = runReplay(fx.dir, {"export", fx.rec, what, out, "--no-db", "--quiet"});
            const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
            REQUIRE(r.rc == 0);
            rates.push_back(600.0 / wall);
        }
        std::sort(rates.begin(), rates.end());
        std::printf("caseroom-replay export %s, 10 min, 3 speakers: %.1f x real time (median of 3: %.1f %.1f %.1f)\n", what,
                    rates[1], rates[0], rates[1], rates[2]);
    }
}
