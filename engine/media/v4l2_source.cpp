// The device half of the V4L2 source (media/v4l2_source.h): listing the
// capture devices and capturing from one. The only file that includes
// libv4l2.h and linux/videodev2.h; conversions are in v4l2_convert.cpp.
// [SECTION] helpers
// [SECTION] listing devices and modes
// [SECTION] the capture source
#include "media/v4l2_source.h"

#include <fcntl.h>
#include <libv4l2.h>
#include <linux/videodev2.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <system_error>

namespace caseroom::media {

// [SECTION] helpers
namespace {

constexpr std::uint32_t kBuffers = 4;            // mmap streaming buffers asked for
constexpr int kFrameTimeoutMs = 1000;            // next() waits this long for a frame
constexpr std::uint32_t kMaxBadInARow = 10;      // bad frames skipped before next() gives up
constexpr std::uint32_t kMaxEmptyWakeups = 100;  // poll said ready but there was no frame (EAGAIN)
constexpr std::size_t kMaxModes = 512;           // per device: a driver listing more is not believed
constexpr std::uint32_t kMaxEnum = 256;          // indices tried per VIDIOC_ENUM_* list
constexpr double kDefaultFps = 30;               // when the driver does not say its rate

std::string sizeText(std::uint32_t w, std::uint32_t h) { return std::to_string(w) + "x" + std::to_string(h); }

std::string fpsText(double fps) {
    char buf[32];
    if (fps == std::floor(fps)) std::snprintf(buf, sizeof buf, "%.0f", fps);
    else std::snprintf(buf, sizeof buf, "%.3g", fps);
    return buf;
}

// "DEVICE: WHAT: strerror(err)".
core::Error sysFault(const std::string& device, const char* what, int err) {
    return core::Error{device + ": " + what + ": " + std::strerror(err)};
}

// ioctl through libv4l2 (capture) or plain (listing), retried on EINTR.
int xioctl(bool libv4l, int fd, unsigned long request, void* arg) {
    int r = 0;
    do r = libv4l ? v4l2_ioctl(fd, request, arg) : ::ioctl(fd, request, arg);
    while (r < 0 && errno == EINTR);
    return r;
}

std::optional<V4l2Pixel> pixelOf(std::uint32_t fourcc) {
    if (fourcc == V4L2_PIX_FMT_YUYV) return V4l2Pixel::Yuyv;
    if (fourcc == V4L2_PIX_FMT_MJPEG || fourcc == V4L2_PIX_FMT_JPEG) return V4l2Pixel::Mjpeg;
    return std::nullopt;
}

std::uint32_t fourccOf(V4l2Pixel p) { return p == V4l2Pixel::Mjpeg ? V4L2_PIX_FMT_MJPEG : V4L2_PIX_FMT_YUYV; }

std::string fourccText(std::uint32_t f) {
    std::string s;
    for (int i = 0; i < 4; ++i) {
        const char c = char((f >> (8 * i)) & 0xff);
        s += c >= 32 && c < 127 ? c : '?';
    }
    return s;
}

// The capabilities of this node (device_caps where the driver gives them).
std::uint32_t capsOf(const v4l2_capability& cap) {
    return (cap.capabilities & V4L2_CAP_DEVICE_CAPS) ? cap.device_caps : cap.capabilities;
}

// The card name, which the driver need not NUL-terminate.
std::string cardOf(const v4l2_capability& cap) {
    const auto* c = reinterpret_cast<const char*>(cap.card);
    return std::string(c, strnlen(c, sizeof cap.card));
}

// [SECTION] listing devices and modes

// Rates for one size: discrete intervals, or the ends of a stepwise range.
void addRates(int fd, V4l2Pixel pixel, std::uint32_t fourcc, std::uint32_t w, std::uint32_t h,
              std::vector<V4l2Mode>& out) {
    const auto push = [&](std::uint32_t num, std::uint32_t den) {
        if (out.size() < kMaxModes) out.push_back({pixel, w, h, num && den ? double(den) / num : 0.0});
    };
    for (std::uint32_t i = 0; i < kMaxEnum; ++i) {
        v4l2_frmivalenum iv{};
        iv.index = i;
        iv.pixel_format = fourcc;
        iv.width = w;
        iv.height = h;
        if (xioctl(false, fd, VIDIOC_ENUM_FRAMEINTERVALS, &iv) < 0) {
            if (i == 0) push(0, 0); // the driver does not list rates
            return;
        }
        if (iv.type == V4L2_FRMIVAL_TYPE_DISCRETE) {
            push(iv.discrete.numerator, iv.discrete.denominator);
            continue;
        }
        // Stepwise or continuous: the fastest and the slowest rate.
        push(iv.stepwise.min.numerator, iv.stepwise.min.denominator);
        push(iv.stepwise.max.numerator, iv.stepwise.max.denominator);
        return;
    }
}

void addSizes(int fd, V4l2Pixel pixel, std::uint32_t fourcc, std::vector<V4l2Mode>& out) {
    for (std::uint32_t i = 0; i < kMaxEnum && out.size() < kMaxModes; ++i) {
        v4l2_frmsizeenum fs{};
        fs.index = i;
        fs.pixel_format = fourcc;
        if (xioctl(false, fd, VIDIOC_ENUM_FRAMESIZES, &fs) < 0) return;
        if (fs.type == V4L2_FRMSIZE_TYPE_DISCRETE) {
            addRates(fd, pixel, fourcc, fs.discrete.width, fs.discrete.height, out);
            continue;
        }
        // Stepwise or continuous: the ends of the range and the common sizes that lie on its steps.
        const auto& s = fs.stepwise;
        const auto onStep = [&](std::uint32_t v, std::uint32_t lo, std::uint32_t hi, std::uint32_t step) {
            return v >= lo && v <= hi && (step <= 1 || (v - lo) % step == 0);
        };
        static constexpr std::uint32_t kCommon[][2] = {{320, 240}, {640, 480}, {800, 600},
                                                       {1280, 720}, {1920, 1080}, {3840, 2160}};
        addRates(fd, pixel, fourcc, s.min_width, s.min_height, out);
        for (const auto& c : kCommon)
            if (onStep(c[0], s.min_width, s.max_width, s.step_width) &&
                onStep(c[1], s.min_height, s.max_height, s.step_height) &&
                !(c[0] == s.min_width && c[1] == s.min_height) && !(c[0] == s.max_width && c[1] == s.max_height))
                addRates(fd, pixel, fourcc, c[0], c[1], out);
        if (s.max_width != s.min_width || s.max_height != s.min_height)
            addRates(fd, pixel, fourcc, s.max_width, s.max_height, out);
        return;
    }
}

std::optional<V4l2Device> probe(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return std::nullopt;
    std::optional<V4l2Device> dev;
    v4l2_capability cap{};
    const std::uint32_t need = V4L2_CAP_STREAMING | V4L2_CAP_READWRITE;
    if (xioctl(false, fd, VIDIOC_QUERYCAP, &cap) == 0 && (capsOf(cap) & V4L2_CAP_VIDEO_CAPTURE) &&
        (capsOf(cap) & need)) {
        V4l2Device d;
        d.path = path;
        d.card = cardOf(cap);
        for (std::uint32_t i = 0; i < kMaxEnum; ++i) {
            v4l2_fmtdesc desc{};
            desc.index = i;
            desc.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
            if (xioctl(false, fd, VIDIOC_ENUM_FMT, &desc) < 0) break;
            if (const auto p = pixelOf(desc.pixelformat)) addSizes(fd, *p, desc.pixelformat, d.modes);
        }
        if (!d.modes.empty()) dev = std::move(d);
    }
    ::close(fd);
    return dev;
}

} // namespace

std::vector<V4l2Device> listV4l2Devices() {
    // /dev/videoN, in N order.
    std::vector<std::pair<unsigned long, std::string>> nodes;
    std::error_code ec;
    for (std::filesystem::directory_iterator it("/dev", ec), end; !ec && it != end; it.increment(ec)) {
        const std::string name = it->path().filename().string();
        if (name.size() <= 5 || name.compare(0, 5, "video") != 0) continue;
        const std::string digits = name.substr(5);
        const auto digit = [](char c) { return c >= '0' && c <= '9'; };
        if (digits.size() > 6 || !std::all_of(digits.begin(), digits.end(), digit)) continue;
        nodes.emplace_back(std::stoul(digits), it->path().string());
    }
    std::sort(nodes.begin(), nodes.end());
    std::vector<V4l2Device> out;
    for (const auto& n : nodes)
        if (auto d = probe(n.second)) out.push_back(std::move(*d));
    return out;
}

// [SECTION] the capture source
namespace {

class V4l2Source final : public VideoSource {
public:
    V4l2Source(std::string path, std::uint32_t outW, std::uint32_t outH)
        : path_(std::move(path)), outW_(outW), outH_(outH) {}
    ~V4l2Source() override {
        if (streaming_) {
            int type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
            (void)xioctl(true, fd_, VIDIOC_STREAMOFF, &type);
        }
        for (const Mapping& m : maps_) v4l2_munmap(m.start, m.length);
        if (fd_ >= 0) v4l2_close(fd_);
    }
    V4l2Source(const V4l2Source&) = delete;
    V4l2Source& operator=(const V4l2Source&) = delete;

    std::uint32_t width() const override { return outW_; }
    std::uint32_t height() const override { return outH_; }
    double frameRate() const override { return fps_; }
    std::string describe() const override {
        return "v4l2 " + path_ + (card_.empty() ? "" : " (" + card_ + ")") + " " + toString(mode_.pixel) + " " +
               sizeText(mode_.width, mode_.height) + " at " + fpsText(fps_) + " fps to " + sizeText(outW_, outH_) +
               (streaming_ ? "" : " (read)");
    }

    core::Status open(const V4l2Mode& mode);
    core::Result<std::optional<I420Frame>> next() override;

private:
    struct Mapping {
        void* start = nullptr;
        std::size_t length = 0;
    };
    core::Error fail(core::Error e) {
        error_ = e;
        return e;
    }
    core::Status startStreaming();

    std::string path_, card_;
    std::uint32_t outW_ = 0, outH_ = 0;
    int fd_ = -1;
    V4l2Mode mode_{};
    std::uint32_t stride_ = 0;
    double fps_ = kDefaultFps;
    bool streaming_ = false;
    std::vector<Mapping> maps_;
    std::vector<std::uint8_t> readBuf_;   // read() mode: one frame
    std::uint64_t index_ = 0;
    std::optional<core::Error> error_;    // set once next() failed: the source is done
};

core::Status V4l2Source::open(const V4l2Mode& mode) {
    // Opened and asked plainly first, so a path that is no V4L2 device gets
    // our error (not libv4l2's refusal and its message on stderr); then
    // handed to libv4l2, which wraps the fd for the rest (no format emulation:
    // the modes offered are the native ones).
    const int fd = ::open(path_.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return sysFault(path_, "open", errno);
    v4l2_capability cap{};
    if (xioctl(false, fd, VIDIOC_QUERYCAP, &cap) < 0) {
        const int err = errno;
        ::close(fd);
        return core::Error{sysFault(path_, "VIDIOC_QUERYCAP", err).message +
                           (err == ENOTTY || err == EINVAL ? " (not a V4L2 device)" : "")};
    }
    fd_ = v4l2_fd_open(fd, V4L2_DISABLE_CONVERSION); // native YUYV / MJPEG only, as listed
    if (fd_ < 0) {
        const int err = errno;
        ::close(fd);
        return sysFault(path_, "v4l2_fd_open (libv4l2)", err);
    }
    card_ = cardOf(cap);
    const std::uint32_t caps = capsOf(cap);
    if (!(caps & V4L2_CAP_VIDEO_CAPTURE)) return core::Error{path_ + ": not a video capture device"};
    if (!(caps & (V4L2_CAP_STREAMING | V4L2_CAP_READWRITE)))
        return core::Error{path_ + ": neither streaming nor read() capture"};

    v4l2_format fmt{};
    fmt.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
    fmt.fmt.pix.width = mode.width;
    fmt.fmt.pix.height = mode.height;
    fmt.fmt.pix.pixelformat = fourccOf(mode.pixel);
    fmt.fmt.pix.field = V4L2_FIELD_ANY;
    if (xioctl(true, fd_, VIDIOC_S_FMT, &fmt) < 0) return sysFault(path_, "VIDIOC_S_FMT", errno);
    const auto& pix = fmt.fmt.pix;
    if (pixelOf(pix.pixelformat) != mode.pixel || pix.width != mode.width || pix.height != mode.height)
        return core::Error{path_ + ": VIDIOC_S_FMT gave " + fourccText(pix.pixelformat) + " " +
                           sizeText(pix.width, pix.height) + " for " + toString(mode.pixel) + " " +
                           sizeText(mode.width, mode.height)};
    mode_ = mode;
    stride_ = std::max(pix.bytesperline, 2 * pix.width);

    // The rate: asked for where the driver takes one; a driver without S_PARM runs at its own.
    v4l2_streamparm parm{};
    parm.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
    if (xioctl(true, fd_, VIDIOC_G_PARM, &parm) == 0 && (parm.parm.capture.capability & V4L2_CAP_TIMEPERFRAME) &&
        mode.fps > 0) {
        parm.parm.capture.timeperframe.numerator = 1000;
        parm.parm.capture.timeperframe.denominator = std::uint32_t(std::lround(mode.fps * 1000));
        if (xioctl(true, fd_, VIDIOC_S_PARM, &parm) < 0) return sysFault(path_, "VIDIOC_S_PARM", errno);
    }
    const auto& tpf = parm.parm.capture.timeperframe;
    fps_ = tpf.numerator && tpf.denominator ? double(tpf.denominator) / tpf.numerator
           : mode.fps > 0                   ? mode.fps
                                            : kDefaultFps;
    mode_.fps = fps_;

    if (caps & V4L2_CAP_STREAMING) {
        auto st = startStreaming();
        // No buffers at all (REQBUFS refused): read() where the driver has it.
        if (st || !maps_.empty() || !(caps & V4L2_CAP_READWRITE)) return st;
        v4l2_requestbuffers none{};
        none.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
        none.memory = V4L2_MEMORY_MMAP;
        (void)xioctl(true, fd_, VIDIOC_REQBUFS, &none);
    }
    // read(): one frame per call.
    std::size_t size = pix.sizeimage;
    if (size == 0) size = std::size_t(stride_) * pix.height;
    readBuf_.resize(size);
    return {};
}

core::Status V4l2Source::startStreaming() {
    v4l2_requestbuffers req{};
    req.count = kBuffers;
    req.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
    req.memory = V4L2_MEMORY_MMAP;
    if (xioctl(true, fd_, VIDIOC_REQBUFS, &req) < 0) return sysFault(path_, "VIDIOC_REQBUFS", errno);
    if (req.count < 2)
        return core::Error{path_ + ": VIDIOC_REQBUFS gave " + std::to_string(req.count) + " buffers, need 2"};
    for (std::uint32_t i = 0; i < req.count; ++i) {
        v4l2_buffer b{};
        b.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
        b.memory = V4L2_MEMORY_MMAP;
        b.index = i;
        if (xioctl(true, fd_, VIDIOC_QUERYBUF, &b) < 0) return sysFault(path_, "VIDIOC_QUERYBUF", errno);
        void* p = v4l2_mmap(nullptr, b.length, PROT_READ | PROT_WRITE, MAP_SHARED, fd_, b.m.offset);
        if (p == MAP_FAILED) return sysFault(path_, "mmap", errno);
        maps_.push_back({p, b.length});
        if (xioctl(true, fd_, VIDIOC_QBUF, &b) < 0) return sysFault(path_, "VIDIOC_QBUF", errno);
    }
    int type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
    if (xioctl(true, fd_, VIDIOC_STREAMON, &type) < 0) return sysFault(path_, "VIDIOC_STREAMON", errno);
    streaming_ = true;
    return {};
}

core::Result<std::optional<I420Frame>> V4l2Source::next() {
    if (error_) return *error_;
    std::uint32_t bad = 0, empty = 0;
    for (;;) {
        pollfd p{fd_, POLLIN, 0};
        const int r = ::poll(&p, 1, kFrameTimeoutMs);
        if (r < 0) {
            if (errno == EINTR) continue;
            return fail(sysFault(path_, "poll", errno));
        }
        if (r == 0) return fail(core::Error{path_ + ": no frame in 1 s"});
        if (p.revents & (POLLERR | POLLHUP | POLLNVAL))
            return fail(core::Error{path_ + ": device error while waiting for a frame (unplugged?)"});

        std::span<const std::uint8_t> bytes;
        v4l2_buffer b{};
        bool driverBad = false;
        if (streaming_) {
            b.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
            b.memory = V4L2_MEMORY_MMAP;
            if (xioctl(true, fd_, VIDIOC_DQBUF, &b) < 0) {
                if (errno == EAGAIN && ++empty < kMaxEmptyWakeups) continue;
                return fail(sysFault(path_, "VIDIOC_DQBUF", errno));
            }
            if (b.index >= maps_.size())
                return fail(core::Error{path_ + ": VIDIOC_DQBUF gave buffer " + std::to_string(b.index)});
            const Mapping& m = maps_[b.index];
            const std::size_t used = b.bytesused ? std::min<std::size_t>(b.bytesused, m.length) : m.length;
            bytes = {static_cast<const std::uint8_t*>(m.start), used};
            driverBad = (b.flags & V4L2_BUF_FLAG_ERROR) != 0;
        } else {
            const ssize_t n = v4l2_read(fd_, readBuf_.data(), readBuf_.size());
            if (n < 0) {
                if (errno == EAGAIN && ++empty < kMaxEmptyWakeups) continue;
                return fail(sysFault(path_, "read", errno));
            }
            bytes = {readBuf_.data(), std::size_t(n)};
        }
        auto frame = driverBad ? core::Result<I420Frame>(core::Error{"the driver marked the frame bad"})
                               : convertV4l2Buffer(mode_.pixel, bytes, mode_.width, mode_.height, stride_, outW_,
                                                   outH_);
        if (streaming_ && xioctl(true, fd_, VIDIOC_QBUF, &b) < 0)
            return fail(sysFault(path_, "VIDIOC_QBUF", errno));
        if (frame) {
            frame->ptsUs = std::uint64_t(std::llround(double(index_) * 1e6 / fps_));
            ++index_;
            return std::optional<I420Frame>(std::move(*frame));
        }
        if (++bad >= kMaxBadInARow)
            return fail(core::Error{path_ + ": " + std::to_string(bad) + " bad frames in a row, the last: " +
                                    frame.error().message});
    }
}

} // namespace

core::Result<std::unique_ptr<VideoSource>> openV4l2(const std::string& device, const V4l2Mode& mode,
                                                    std::uint32_t outW, std::uint32_t outH) {
    if (outW < 16 || outW > 4096 || outH < 16 || outH > 4096 || outW % 2 != 0 || outH % 2 != 0)
        return core::Error{device + ": output size " + sizeText(outW, outH) + " not even and within 16..4096"};
    if (mode.pixel >= V4l2Pixel::Count || mode.width < 16 || mode.width > 8192 || mode.height < 16 ||
        mode.height > 8192 || !(mode.fps >= 0 && mode.fps <= 1000))
        return core::Error{device + ": bad mode " + toString(mode.pixel) + " " + sizeText(mode.width, mode.height) +
                           " at " + fpsText(mode.fps) + " fps"};
    auto src = std::make_unique<V4l2Source>(device, outW, outH);
    if (auto st = src->open(mode); !st) return st.error();
    return std::unique_ptr<VideoSource>(std::move(src));
}

} // namespace caseroom::media
