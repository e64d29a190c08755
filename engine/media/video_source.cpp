// Video sources and the capture thread (media/video_source.h).
// [SECTION] helpers
// [SECTION] test pattern source
// [SECTION] Y4M: header parsing, the reading source, the writer
// [SECTION] VideoCapture
#include "media/video_source.h"

#include <cerrno>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string_view>
#include <vector>

namespace caseroom::media {

// [SECTION] helpers
namespace {

constexpr std::uint32_t kMinSide = 16, kMaxSide = 4096;
// A stream header or a frame header longer than this is not Y4M (real ones
// are tens of bytes); reading stops here, so a binary file cannot make us
// read it whole looking for a newline.
constexpr std::size_t kMaxHeader = 256;
// Frame rates a source may state: a frame every 100 s up to 1000 fps.
constexpr double kMinFps = 0.01, kMaxFps = 1000.0;

std::uint64_t ptsOf(std::uint64_t index, double fps) {
    return std::uint64_t(std::llround(double(index) * 1e6 / fps));
}

// "15", "29.97": a rate as people write it.
std::string fpsText(double fps) {
    char buf[32];
    if (fps == std::floor(fps)) std::snprintf(buf, sizeof buf, "%.0f", fps);
    else std::snprintf(buf, sizeof buf, "%.3g", fps);
    return buf;
}

bool sizeOk(std::uint32_t w, std::uint32_t h) {
    return w >= kMinSide && w <= kMaxSide && h >= kMinSide && h <= kMaxSide && w % 2 == 0 && h % 2 == 0;
}

core::Error fault(const std::filesystem::path& p, std::string_view what) {
    return core::Error{p.string() + ": " + std::string(what)};
}

struct FileCloser {
    void operator()(std::FILE* f) const { std::fclose(f); }
};
using FilePtr = std::unique_ptr<std::FILE, FileCloser>;

// [SECTION] test pattern source

class TestPatternSource final : public VideoSource {
public:
    TestPatternSource(std::uint32_t w, std::uint32_t h, double fps) : w_(w), h_(h), fps_(fps) {}
    std::uint32_t width() const override { return w_; }
    std::uint32_t height() const override { return h_; }
    double frameRate() const override { return fps_; }
    core::Result<std::optional<I420Frame>> next() override {
        if (!sizeOk(w_, h_))
            return core::Error{"test pattern: size " + std::to_string(w_) + "x" + std::to_string(h_) +
                               " not even and within 16..4096"};
        if (!(fps_ >= kMinFps && fps_ <= kMaxFps))
            return core::Error{"test pattern: frame rate " + fpsText(fps_) + " outside 0.01..1000 fps"};
        I420Frame f = testPattern(w_, h_, std::uint32_t(index_));
        f.ptsUs = ptsOf(index_, fps_);
        ++index_;
        return std::optional<I420Frame>(std::move(f));
    }
    std::string describe() const override {
        return "test pattern " + std::to_string(w_) + "x" + std::to_string(h_) + " at " + fpsText(fps_) + " fps";
    }

private:
    std::uint32_t w_, h_;
    double fps_;
    std::uint64_t index_ = 0;
};

// [SECTION] Y4M

// A decimal of 1..10 digits that fits in uint32; the whole token.
bool parseU32(std::string_view s, std::uint32_t& out) {
    if (s.empty() || s.size() > 10) return false;
    for (char c : s)
        if (c < '0' || c > '9') return false;
    const auto r = std::from_chars(s.data(), s.data() + s.size(), out);
    return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

// Reads up to '\n' (consumed, not stored), at most kMaxHeader bytes.
// 1: a line; 0: end of file before any byte; -1: no newline in bound or end of file mid-line.
int readLine(std::FILE* f, std::string& line) {
    line.clear();
    for (std::size_t n = 0; n <= kMaxHeader; ++n) {
        const int c = std::fgetc(f);
        if (c == EOF) return line.empty() ? 0 : -1;
        if (c == '\n') return 1;
        line.push_back(char(c));
    }
    return -1;
}

struct Y4mHeader {
    std::uint32_t width = 0, height = 0, rateNum = 0, rateDen = 0;
};

// Parses "YUV4MPEG2 W.. H.. F..:.. [I..] [A..] [C..] [X..]" (without the '\n').
core::Result<Y4mHeader> parseHeader(const std::filesystem::path& file, std::string_view line) {
    constexpr std::string_view kMagic = "YUV4MPEG2";
    if (line.substr(0, kMagic.size()) != kMagic || (line.size() > kMagic.size() && line[kMagic.size()] != ' '))
        return fault(file, "not a YUV4MPEG2 (Y4M) file");
    Y4mHeader h;
    bool seen[128] = {};
    std::size_t pos = kMagic.size();
    while (pos < line.size()) {
        ++pos; // the space
        const std::size_t end = std::min(line.find(' ', pos), line.size());
        const std::string_view tok = line.substr(pos, end - pos);
        pos = end;
        if (tok.empty()) return fault(file, "header: empty parameter (two spaces)");
        const char tag = tok[0];
        const std::string_view val = tok.substr(1);
        if (tag != 'W' && tag != 'H' && tag != 'F' && tag != 'I' && tag != 'A' && tag != 'C' && tag != 'X')
            return fault(file, "header: unknown parameter '" + std::string(tok) + "'");
        if (tag != 'X' && seen[int(tag)]) return fault(file, std::string("header: parameter ") + tag + " given twice");
        seen[int(tag)] = true;
        if (tag == 'W' || tag == 'H') {
            std::uint32_t v = 0;
            if (!parseU32(val, v)) return fault(file, "header: bad " + std::string(1, tag) + " '" + std::string(tok) + "'");
            (tag == 'W' ? h.width : h.height) = v;
        } else if (tag == 'F') {
            const std::size_t colon = val.find(':');
            if (colon == std::string_view::npos || !parseU32(val.substr(0, colon), h.rateNum) ||
                !parseU32(val.substr(colon + 1), h.rateDen) || h.rateNum == 0 || h.rateDen == 0)
                return fault(file, "header: bad frame rate '" + std::string(tok) + "' (want F<n>:<d>, both > 0)");
        } else if (tag == 'C') {
            if (val != "420jpeg" && val != "420paldv" && val != "420mpeg2" && val != "420")
                return fault(file, "colour space C" + std::string(val) + " not supported (4:2:0 only)");
        }
        // I (interlacing), A (pixel aspect), X (extensions): not needed here.
    }
    if (!seen[int('W')] || !seen[int('H')] || !seen[int('F')])
        return fault(file, std::string("header without ") + (!seen[int('W')] ? "W" : !seen[int('H')] ? "H" : "F"));
    if (!sizeOk(h.width, h.height))
        return fault(file, "size " + std::to_string(h.width) + "x" + std::to_string(h.height) +
                               " not even and within 16..4096");
    const double fps = double(h.rateNum) / double(h.rateDen);
    if (!(fps >= kMinFps && fps <= kMaxFps))
        return fault(file, "frame rate " + std::to_string(h.rateNum) + ":" + std::to_string(h.rateDen) +
                               " outside 0.01..1000 fps");
    return h;
}

class Y4mSource final : public VideoSource {
public:
    Y4mSource(std::filesystem::path file, FilePtr f, const Y4mHeader& h, long dataStart, bool loop)
        : file_(std::move(file)), f_(std::move(f)), h_(h), fps_(double(h.rateNum) / double(h.rateDen)),
          dataStart_(dataStart), loop_(loop) {}
    std::uint32_t width() const override { return h_.width; }
    std::uint32_t height() const override { return h_.height; }
    double frameRate() const override { return fps_; }
    std::string describe() const override {
        return "y4m " + file_.string() + " " + std::to_string(h_.width) + "x" + std::to_string(h_.height) + " at " +
               fpsText(fps_) + " fps";
    }

    core::Result<std::optional<I420Frame>> next() override {
        if (error_) return *error_;
        if (ended_) return std::optional<I420Frame>();
        std::string line;
        int r = readLine(f_.get(), line);
        if (r == 0 && loop_ && frameInFile_ > 0) {
            // Start again; a file with no frames at all just ends.
            if (std::fseek(f_.get(), dataStart_, SEEK_SET) != 0) return fail("cannot seek back to the first frame");
            frameInFile_ = 0;
            r = readLine(f_.get(), line);
        }
        if (r == 0) {
            if (std::ferror(f_.get())) return fail("frame " + std::to_string(frameInFile_) + ": read error");
            ended_ = true;
            return std::optional<I420Frame>();
        }
        const std::string frameNo = "frame " + std::to_string(frameInFile_);
        if (r < 0) {
            if (std::feof(f_.get())) return fail(frameNo + ": truncated frame header");
            return fail(frameNo + ": frame header longer than 256 bytes");
        }
        if (line.compare(0, 5, "FRAME") != 0 || (line.size() > 5 && line[5] != ' '))
            return fail(frameNo + ": bad frame header (want FRAME)");
        I420Frame fr;
        fr.width = h_.width;
        fr.height = h_.height;
        const std::size_t ySize = std::size_t(h_.width) * h_.height, cSize = ySize / 4;
        fr.y.resize(ySize);
        fr.u.resize(cSize);
        fr.v.resize(cSize);
        std::size_t got = std::fread(fr.y.data(), 1, ySize, f_.get());
        if (got == ySize) got += std::fread(fr.u.data(), 1, cSize, f_.get());
        if (got == ySize + cSize) got += std::fread(fr.v.data(), 1, cSize, f_.get());
        if (got != ySize + 2 * cSize)
            return fail(frameNo + ": truncated (got " + std::to_string(got) + " of " + std::to_string(ySize + 2 * cSize) +
                        " bytes)");
        fr.ptsUs = ptsOf(produced_, fps_);
        ++produced_;
        ++frameInFile_;
        return std::optional<I420Frame>(std::move(fr));
    }

private:
    core::Error fail(const std::string& what) {
        error_ = fault(file_, what);
        return *error_;
    }
    std::filesystem::path file_;
    FilePtr f_;
    Y4mHeader h_;
    double fps_;
    long dataStart_;
    bool loop_;
    std::uint64_t frameInFile_ = 0; // counting from 0, for messages; restarts on a loop
    std::uint64_t produced_ = 0;    // for the timestamps; does not restart
    bool ended_ = false;
    std::optional<core::Error> error_; // the source is done after a fault: the same error again
};

} // namespace

std::unique_ptr<VideoSource> makeTestPatternSource(std::uint32_t width, std::uint32_t height, double fps) {
    return std::make_unique<TestPatternSource>(width, height, fps);
}

core::Result<std::unique_ptr<VideoSource>> openY4m(const std::filesystem::path& file, bool loop) {
    FilePtr f(std::fopen(file.c_str(), "rb"));
    if (!f) return fault(file, std::string("cannot open: ") + std::strerror(errno));
    std::string line;
    const int r = readLine(f.get(), line);
    if (r == 0) return fault(file, "empty file, not a YUV4MPEG2 (Y4M) file");
    if (r < 0) {
        // Say "not Y4M" before "too long": a binary file has no early newline.
        if (line.compare(0, 10, "YUV4MPEG2 ") != 0) return fault(file, "not a YUV4MPEG2 (Y4M) file");
        return fault(file, std::feof(f.get()) ? "truncated header" : "header longer than 256 bytes");
    }
    auto h = parseHeader(file, line);
    if (!h) return h.error();
    const long dataStart = std::ftell(f.get());
    if (dataStart < 0) return fault(file, "cannot tell the position after the header");
    return std::unique_ptr<VideoSource>(std::make_unique<Y4mSource>(file, std::move(f), *h, dataStart, loop));
}

core::Status writeY4m(const std::filesystem::path& file, std::span<const I420Frame> frames, std::uint32_t fps) {
    if (frames.empty()) return fault(file, "no frames to write");
    if (fps == 0 || fps > std::uint32_t(kMaxFps)) return fault(file, "frame rate " + std::to_string(fps) + " outside 1..1000 fps");
    const std::uint32_t w = frames[0].width, h = frames[0].height;
    for (std::size_t i = 0; i < frames.size(); ++i) {
        if (!frames[i].valid()) return fault(file, "frame " + std::to_string(i) + ": not a valid I420 frame");
        if (frames[i].width != w || frames[i].height != h)
            return fault(file, "frame " + std::to_string(i) + ": size differs from frame 0");
    }
    FilePtr f(std::fopen(file.c_str(), "wb"));
    if (!f) return fault(file, std::string("cannot create: ") + std::strerror(errno));
    if (std::fprintf(f.get(), "YUV4MPEG2 W%u H%u F%u:1 Ip A1:1 C420jpeg\n", w, h, fps) < 0)
        return fault(file, "write failed");
    for (const I420Frame& fr : frames) {
        const bool ok = std::fputs("FRAME\n", f.get()) >= 0 &&
                        std::fwrite(fr.y.data(), 1, fr.y.size(), f.get()) == fr.y.size() &&
                        std::fwrite(fr.u.data(), 1, fr.u.size(), f.get()) == fr.u.size() &&
                        std::fwrite(fr.v.data(), 1, fr.v.size(), f.get()) == fr.v.size();
        if (!ok) return fault(file, std::string("write failed: ") + std::strerror(errno));
    }
    if (std::fclose(f.release()) != 0) return fault(file, std::string("write failed on close: ") + std::strerror(errno));
    return {};
}

// [SECTION] VideoCapture

VideoCapture::VideoCapture(std::unique_ptr<VideoSource> source, bool paced)
    : source_(std::move(source)), paced_(paced), thread_([this] { run(); }) {}

VideoCapture::~VideoCapture() {
    {
        // Under the lock, so the thread cannot miss it between its check and its wait.
        std::lock_guard lock(mutex_);
        stop_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void VideoCapture::run() {
    using Clock = std::chrono::steady_clock;
    auto finish = [this](std::optional<std::string> error) {
        {
            std::lock_guard lock(mutex_);
            stats_.ended = true;
            if (error) stats_.error = std::move(error);
        }
        cv_.notify_all();
    };
    if (!source_) return finish("no source");
    const double fps = source_->frameRate();
    if (paced_ && !(fps >= kMinFps && fps <= kMaxFps))
        return finish(source_->describe() + ": frame rate " + fpsText(fps) + " outside 0.01..1000 fps");
    const auto period = paced_ ? std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(1.0 / fps))
                               : Clock::duration::zero();
    auto due = Clock::now();
    for (;;) {
        if (paced_) {
            // sleep_until `due`, but woken at once by the destructor.
            std::unique_lock lock(mutex_);
            if (cv_.wait_until(lock, due, [this] { return stop_.load(); })) break;
        } else if (stop_) {
            break;
        }
        auto r = source_->next(); // outside the lock: the consumer never waits on the source
        if (!r) return finish(r.error().message);
        if (!r.value()) return finish(std::nullopt);
        {
            std::lock_guard lock(mutex_);
            if (newest_) ++stats_.skipped; // replaced before anyone took it
            newest_ = std::move(*r.value());
            ++stats_.produced;
        }
        cv_.notify_all();
        if (paced_) {
            // The next frame one period on; when late (a slow source, a
            // descheduled thread) start again from now rather than bursting
            // the missed frames out back to back.
            due += period;
            const auto now = Clock::now();
            if (due < now) due = now;
        }
    }
    finish(std::nullopt);
}

std::optional<I420Frame> VideoCapture::take() {
    std::lock_guard lock(mutex_);
    if (!newest_) return std::nullopt;
    std::optional<I420Frame> out = std::move(newest_);
    newest_.reset();
    ++stats_.taken;
    return out;
}

std::optional<I420Frame> VideoCapture::waitTake(std::uint32_t timeoutMs) {
    std::unique_lock lock(mutex_);
    // A frame still waiting is given even after the source ended.
    cv_.wait_for(lock, std::chrono::milliseconds(timeoutMs), [this] { return newest_.has_value() || stats_.ended; });
    if (!newest_) return std::nullopt;
    std::optional<I420Frame> out = std::move(newest_);
    newest_.reset();
    ++stats_.taken;
    return out;
}

VideoCapture::Stats VideoCapture::stats() const {
    std::lock_guard lock(mutex_);
    return stats_;
}

} // namespace caseroom::media
