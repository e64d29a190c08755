// WebM through libvpx (encoding) and libavformat (muxing) with our own file
// sink (video_writer.h), so I/O errors carry errno, the .part is synced
// through the descriptor that wrote it, and the output appears only when
// committed.
//
// [SECTION] colour conversion
// [SECTION] file sink (AVIOContext callbacks)
// [SECTION] create
// [SECTION] frames, finish, commit
#include "video_writer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vpx/vp8cx.h>
#include <vpx/vpx_encoder.h>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/dict.h>
#include <libavutil/error.h>
#include <libavutil/mem.h>
}

#include <algorithm>
#include <cassert>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <thread>

#include "core/utf8.h"

namespace caseroom::replay {

const char* toString(VideoCodec c) {
    switch (c) {
    case VideoCodec::Vp8: return "VP8";
    case VideoCodec::Vp9: return "VP9";
    }
    return "?";
}

// [SECTION] colour conversion ------------------------------------------------

namespace {

// BT.601 (Kr 0.299, Kb 0.114) to limited range, in 16.16 fixed point. Each
// chroma row sums to 0 (grey has Cb = Cr = 128 exactly) and each positive
// coefficient is 112/255 (so pure blue and red reach 240).
constexpr std::int32_t kYr = 16829, kYg = 33039, kYb = 6416;     // 219/255 * (0.299, 0.587, 0.114)
constexpr std::int32_t kUr = -9714, kUg = -19070, kUb = 28784;
constexpr std::int32_t kVr = 28784, kVg = -24103, kVb = -4681;

std::uint8_t lumaOf(const std::uint8_t* p) {
    return static_cast<std::uint8_t>(16 + ((kYr * p[0] + kYg * p[1] + kYb * p[2] + 32768) >> 16));
}

} // namespace

void rgbaToI420(std::span<const std::uint8_t> rgba, std::uint32_t width, std::uint32_t height, std::uint8_t* y,
                std::uint8_t* u, std::uint8_t* v) {
    assert(width % 2 == 0 && height % 2 == 0);
    assert(rgba.size() >= std::size_t{width} * height * 4);
    const std::size_t stride = std::size_t{width} * 4;
    for (std::uint32_t row = 0; row < height; row += 2) {
        const std::uint8_t* top = rgba.data() + row * stride;
        const std::uint8_t* bottom = top + stride;
        std::uint8_t* yTop = y + std::size_t{row} * width;
        std::uint8_t* yBottom = yTop + width;
        std::uint8_t* uRow = u + std::size_t{row / 2} * (width / 2);
        std::uint8_t* vRow = v + std::size_t{row / 2} * (width / 2);
        for (std::uint32_t col = 0; col < width; col += 2) {
            const std::uint8_t* a = top + col * 4;
            const std::uint8_t* b = bottom + col * 4;
            yTop[col] = lumaOf(a);
            yTop[col + 1] = lumaOf(a + 4);
            yBottom[col] = lumaOf(b);
            yBottom[col + 1] = lumaOf(b + 4);
            // The mean of the 2x2 block: sums of four, so the shift is 16 + 2.
            const std::int32_t r = a[0] + a[4] + b[0] + b[4];
            const std::int32_t g = a[1] + a[5] + b[1] + b[5];
            const std::int32_t bl = a[2] + a[6] + b[2] + b[6];
            // >> of a negative value floors (C++20), so + half rounds to nearest.
            uRow[col / 2] = static_cast<std::uint8_t>(128 + ((kUr * r + kUg * g + kUb * bl + (1 << 17)) >> 18));
            vRow[col / 2] = static_cast<std::uint8_t>(128 + ((kVr * r + kVg * g + kVb * bl + (1 << 17)) >> 18));
        }
    }
}

// [SECTION] file sink ----------------------------------------------------------

namespace {

// libavformat 61 made the write callback's buffer const.
#if LIBAVFORMAT_VERSION_MAJOR < 61
using AvioWriteBuffer = std::uint8_t*;
#else
using AvioWriteBuffer = const std::uint8_t*;
#endif

constexpr int kAvioBufferBytes = 64 * 1024;

struct FileSink {
    int fd = -1;
    int error = 0;        // first errno of a failed write or seek
};

int sinkWrite(void* opaque, AvioWriteBuffer buf, int size) {
    auto* sink = static_cast<FileSink*>(opaque);
    const std::uint8_t* p = buf;
    auto left = static_cast<std::size_t>(size);
    while (left > 0) {
        const ssize_t n = ::write(sink->fd, p, left);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (!sink->error) sink->error = errno;
            return AVERROR(errno);
        }
        p += n;
        left -= static_cast<std::size_t>(n);
    }
    return size;
}

std::int64_t sinkSeek(void* opaque, std::int64_t offset, int whence) {
    auto* sink = static_cast<FileSink*>(opaque);
    whence &= ~AVSEEK_FORCE;
    if (whence == AVSEEK_SIZE) {
        struct stat st {};
        if (::fstat(sink->fd, &st) != 0) return AVERROR(errno);
        return st.st_size;
    }
    const off_t at = ::lseek(sink->fd, static_cast<off_t>(offset), whence);
    if (at < 0) {
        if (!sink->error) sink->error = errno;
        return AVERROR(errno);
    }
    return at;
}

std::string avText(int err) {
    char buf[AV_ERROR_MAX_STRING_SIZE] = {};
    if (av_strerror(err, buf, sizeof buf) < 0) std::snprintf(buf, sizeof buf, "error %d", err);
    return buf;
}

// Matroska strings are UTF-8: a title that is not (a damaged file) keeps its ASCII.
std::string utf8OrAscii(std::string text) {
    if (!core::validUtf8(text))
        for (auto& ch : text)
            if (static_cast<unsigned char>(ch) >= 0x80) ch = '?';
    return text;
}

} // namespace

struct VideoWriter::Impl {
    VideoDesc desc;
    FileSink sink;
    bool created = false;             // the .part is ours to remove
    vpx_codec_ctx_t codec{};
    bool codecOpen = false;
    vpx_image_t image{};
    std::vector<std::uint8_t> planes;    // I420, tightly packed; `image` wraps it
    AVFormatContext* format = nullptr;
    AVIOContext* io = nullptr;
    AVPacket* packet = nullptr;
    AVRational frameBase{1, 1};          // pts units: one per frame
    unsigned long deadline = VPX_DL_GOOD_QUALITY;
    std::uint64_t frames = 0, bytes = 0;
    bool finished = false, committed = false;
    std::string failure;                 // the first error; later calls repeat it

    ~Impl() {
        if (codecOpen) vpx_codec_destroy(&codec);
        av_packet_free(&packet);
        if (format) {
            format->pb = nullptr;        // ours, freed below
            avformat_free_context(format);
        }
        if (io) {
            av_freep(&io->buffer);
            avio_context_free(&io);
        }
        if (sink.fd >= 0) ::close(sink.fd);
        if (created && !committed) std::remove((desc.path + ".part").c_str());
    }

    core::Error fail(std::string what) {
        if (failure.empty()) failure = desc.path + ": " + std::move(what);
        return core::Error{failure};
    }
    core::Error vpxFail(const char* what) {
        const char* detail = vpx_codec_error_detail(&codec);
        return fail(std::string(what) + " (libvpx: " + (detail ? detail : vpx_codec_error(&codec)) + ")");
    }
    // An error from libavformat: the sink's errno when the file was the cause.
    core::Error avFail(const char* what, int err) {
        if (sink.error) return fail(std::string("cannot write: ") + std::strerror(sink.error));
        return fail(std::string(what) + " (libavformat: " + avText(err) + ")");
    }

    core::Status writePackets();
};

// [SECTION] create -------------------------------------------------------------

namespace {

std::string checkDesc(const VideoDesc& d) {
    if (d.width < 16 || d.width > 4096 || d.height < 16 || d.height > 4096 || d.width % 2 || d.height % 2)
        return "frame size " + std::to_string(d.width) + "x" + std::to_string(d.height) +
               " (even, 16..4096 each way)";
    if (d.fps < 1 || d.fps > 60) return "frame rate " + std::to_string(d.fps) + " (1..60)";
    if (d.bitrateKbps < 1 || d.bitrateKbps > 100000) return "bitrate " + std::to_string(d.bitrateKbps) + " kbit/s (1..100000)";
    const std::int32_t maxCpu = d.codec == VideoCodec::Vp8 ? 16 : 8;
    if (d.cpuUsed < -maxCpu || d.cpuUsed > maxCpu)
        return std::string("cpu-used ") + std::to_string(d.cpuUsed) + " for " + toString(d.codec) + " (-" +
               std::to_string(maxCpu) + ".." + std::to_string(maxCpu) + ")";
    if (d.keyframeSeconds < 1 || d.keyframeSeconds > 3600)
        return "keyframe interval " + std::to_string(d.keyframeSeconds) + " s (1..3600)";
    double lastStart = 0;
    for (std::size_t i = 0; i < d.chapters.size(); ++i) {
        const auto& c = d.chapters[i];
        if (!std::isfinite(c.startMs) || !std::isfinite(c.endMs) || c.startMs < 0 || c.endMs < c.startMs ||
            c.startMs < lastStart)
            return "chapter " + std::to_string(i + 1) + " (" + c.title + ") out of order or negative";
        lastStart = c.startMs;
    }
    return {};
}

// VP9 tiles are at least 256 pixels wide; more columns let the row-MT threads share a frame.
int vp9TileColumnsLog2(std::uint32_t width) {
    int log2 = 0;
    while (log2 < 6 && (width >> (log2 + 1)) >= 256) ++log2;
    return log2;
}

} // namespace

core::Result<std::unique_ptr<VideoWriter>> VideoWriter::create(const VideoDesc& desc) {
    if (const std::string bad = checkDesc(desc); !bad.empty()) return core::Error{desc.path + ": bad video: " + bad};
    auto impl = std::make_unique<Impl>();
    impl->desc = desc;
    Impl& m = *impl;
    std::unique_ptr<VideoWriter> w(new VideoWriter(std::move(impl)));
    const std::string part = w->partPath();

    // Encoder first: a failure here leaves no file behind.
    vpx_codec_iface_t* iface = desc.codec == VideoCodec::Vp8 ? vpx_codec_vp8_cx() : vpx_codec_vp9_cx();
    vpx_codec_enc_cfg_t cfg{};
    if (const vpx_codec_err_t e = vpx_codec_enc_config_default(iface, &cfg, 0); e != VPX_CODEC_OK)
        return core::Error{desc.path + ": encoder settings (libvpx: " + vpx_codec_err_to_string(e) + ")"};
    cfg.g_w = desc.width;
    cfg.g_h = desc.height;
    cfg.g_timebase = {1, static_cast<int>(desc.fps)};
    cfg.rc_end_usage = VPX_VBR;
    cfg.rc_target_bitrate = desc.bitrateKbps;
    cfg.g_pass = VPX_RC_ONE_PASS;
    cfg.g_lag_in_frames = 0;     // one pass, no look-ahead: memory and latency stay flat
    cfg.g_error_resilient = 0;
    cfg.kf_mode = VPX_KF_AUTO;
    cfg.kf_min_dist = 0;
    cfg.kf_max_dist = desc.keyframeSeconds * desc.fps;
    cfg.g_threads = std::clamp(std::thread::hardware_concurrency(), 1u, 4u);
    if (vpx_codec_enc_init(&m.codec, iface, &cfg, 0) != VPX_CODEC_OK) {
        std::string text = desc.path + ": encoder (libvpx: ";
        text += m.codec.err_detail ? m.codec.err_detail : vpx_codec_err_to_string(m.codec.err);
        return core::Error{text + ")"};
    }
    m.codecOpen = true;
    // GOOD quality for an export; libvpx's speeds 8 and up exist only in real-time mode (VP9), so
    // those ask for it.
    m.deadline = desc.cpuUsed >= 8 ? VPX_DL_REALTIME : VPX_DL_GOOD_QUALITY;
    bool controlsOk = vpx_codec_control(&m.codec, VP8E_SET_CPUUSED, desc.cpuUsed) == VPX_CODEC_OK;
    if (desc.codec == VideoCodec::Vp9) {
        controlsOk = controlsOk && vpx_codec_control(&m.codec, VP9E_SET_ROW_MT, 1u) == VPX_CODEC_OK;
        controlsOk = controlsOk &&
                     vpx_codec_control(&m.codec, VP9E_SET_TILE_COLUMNS, vp9TileColumnsLog2(desc.width)) == VPX_CODEC_OK;
        controlsOk = controlsOk && vpx_codec_control(&m.codec, VP9E_SET_COLOR_SPACE, int{VPX_CS_BT_601}) == VPX_CODEC_OK;
        controlsOk = controlsOk && vpx_codec_control(&m.codec, VP9E_SET_COLOR_RANGE, int{VPX_CR_STUDIO_RANGE}) == VPX_CODEC_OK;
    }
    if (!controlsOk) return m.vpxFail("encoder settings");
    const std::size_t lumaBytes = std::size_t{desc.width} * desc.height;
    m.planes.resize(lumaBytes + lumaBytes / 2);
    // Wrapping our own buffer with alignment 1 makes the strides width and width/2, as rgbaToI420 writes.
    if (!vpx_img_wrap(&m.image, VPX_IMG_FMT_I420, desc.width, desc.height, 1, m.planes.data()))
        return core::Error{desc.path + ": out of memory"};
    m.image.cs = VPX_CS_BT_601;
    m.image.range = VPX_CR_STUDIO_RANGE;
    m.frameBase = AVRational{1, static_cast<int>(desc.fps)};

    m.sink.fd = ::open(part.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (m.sink.fd < 0)
        return core::Error{desc.path + ": cannot write: " + std::strerror(errno) + " (creating " + part + ")"};
    m.created = true;

    int err = avformat_alloc_output_context2(&m.format, nullptr, "webm", part.c_str());
    if (err < 0 || !m.format) return m.avFail("webm muxer", err);
    auto* buffer = static_cast<unsigned char*>(av_malloc(kAvioBufferBytes));
    if (!buffer) return m.fail("out of memory");
    m.io = avio_alloc_context(buffer, kAvioBufferBytes, 1, &m.sink, nullptr, sinkWrite, sinkSeek);
    if (!m.io) {
        av_free(buffer);
        return m.fail("out of memory");
    }
    m.format->pb = m.io;     // seekable (it has a seek callback): the muxer writes cues and the duration

    AVStream* st = avformat_new_stream(m.format, nullptr);
    if (!st) return m.fail("out of memory");
    st->time_base = m.frameBase;     // a hint: the Matroska muxer picks 1/1000
    st->avg_frame_rate = AVRational{static_cast<int>(desc.fps), 1};   // written as DefaultDuration
    AVCodecParameters* par = st->codecpar;
    par->codec_type = AVMEDIA_TYPE_VIDEO;
    par->codec_id = desc.codec == VideoCodec::Vp8 ? AV_CODEC_ID_VP8 : AV_CODEC_ID_VP9;
    par->width = static_cast<int>(desc.width);
    par->height = static_cast<int>(desc.height);
    par->format = AV_PIX_FMT_YUV420P;
    if (desc.codec == VideoCodec::Vp9) par->profile = 0;   // 8-bit 4:2:0 (the VP9 CodecPrivate)
    par->color_range = AVCOL_RANGE_MPEG;
    par->color_space = AVCOL_SPC_SMPTE170M;
    par->chroma_location = AVCHROMA_LOC_CENTER;   // rgbaToI420 averages each 2x2 block
    par->sample_aspect_ratio = AVRational{1, 1};

    if (!desc.title.empty() && av_dict_set(&m.format->metadata, "title", utf8OrAscii(desc.title).c_str(), 0) < 0)
        return m.fail("out of memory");
    if (!desc.date.empty() &&
        av_dict_set(&m.format->metadata, "DATE_RECORDED", utf8OrAscii(desc.date).c_str(), 0) < 0)
        return m.fail("out of memory");
    if (!desc.chapters.empty()) {
        // avformat_free_context frees the array, each chapter and its metadata.
        m.format->chapters = static_cast<AVChapter**>(av_calloc(desc.chapters.size(), sizeof(AVChapter*)));
        if (!m.format->chapters) return m.fail("out of memory");
        for (const auto& c : desc.chapters) {
            auto* ch = static_cast<AVChapter*>(av_mallocz(sizeof(AVChapter)));
            if (!ch) return m.fail("out of memory");
            m.format->chapters[m.format->nb_chapters++] = ch;
            ch->id = m.format->nb_chapters;   // 1, 2, ...: written as the ChapterUID, which must not be 0
            ch->time_base = AVRational{1, 1000};
            ch->start = std::llround(c.startMs);
            ch->end = std::llround(c.endMs);
            if (av_dict_set(&ch->metadata, "title", utf8OrAscii(c.title).c_str(), 0) < 0)
                return m.fail("out of memory");
        }
    }
    if ((err = avformat_write_header(m.format, nullptr)) < 0) return m.avFail("webm header", err);
    m.packet = av_packet_alloc();
    if (!m.packet) return m.fail("out of memory");
    return w;
}

VideoWriter::VideoWriter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
VideoWriter::~VideoWriter() = default;

const std::string& VideoWriter::path() const { return impl_->desc.path; }
std::string VideoWriter::partPath() const { return impl_->desc.path + ".part"; }
std::uint64_t VideoWriter::framesWritten() const { return impl_->frames; }
std::uint64_t VideoWriter::bytesWritten() const { return impl_->bytes; }

// [SECTION] frames, finish, commit ---------------------------------------------

// Every packet the encoder holds, into the muxer (pts in frames, rescaled to the stream's 1/1000).
core::Status VideoWriter::Impl::writePackets() {
    vpx_codec_iter_t iter = nullptr;
    while (const vpx_codec_cx_pkt_t* p = vpx_codec_get_cx_data(&codec, &iter)) {
        if (p->kind != VPX_CODEC_CX_FRAME_PKT) continue;
        const auto size = p->data.frame.sz;
        if (size > static_cast<std::size_t>(INT32_MAX - AV_INPUT_BUFFER_PADDING_SIZE)) return fail("frame too large");
        if (const int e = av_new_packet(packet, static_cast<int>(size)); e < 0) return avFail("packet", e);
        std::memcpy(packet->data, p->data.frame.buf, size);
        packet->stream_index = 0;
        packet->pts = packet->dts = p->data.frame.pts;
        packet->duration = static_cast<std::int64_t>(p->data.frame.duration);
        if (p->data.frame.flags & VPX_FRAME_IS_KEY) packet->flags |= AV_PKT_FLAG_KEY;
        av_packet_rescale_ts(packet, frameBase, format->streams[0]->time_base);
        bytes += size;
        // Takes the packet's reference and leaves it blank for the next one.
        if (const int e = av_interleaved_write_frame(format, packet); e < 0) return avFail("writing a frame", e);
    }
    return {};
}

core::Status VideoWriter::addFrame(std::span<const std::uint8_t> rgba) {
    Impl& m = *impl_;
    if (!m.failure.empty()) return core::Error{m.failure};
    if (m.finished) return core::Error{m.desc.path + ": frame added after finish"};
    const std::size_t expected = std::size_t{m.desc.width} * m.desc.height * 4;
    if (rgba.size() != expected)
        return core::Error{m.desc.path + ": frame of " + std::to_string(rgba.size()) + " bytes, expected " +
                           std::to_string(expected) + " (" + std::to_string(m.desc.width) + "x" +
                           std::to_string(m.desc.height) + " RGBA)"};
    rgbaToI420(rgba, m.desc.width, m.desc.height, m.image.planes[VPX_PLANE_Y], m.image.planes[VPX_PLANE_U],
               m.image.planes[VPX_PLANE_V]);
    if (vpx_codec_encode(&m.codec, &m.image, static_cast<vpx_codec_pts_t>(m.frames), 1, 0, m.deadline) != VPX_CODEC_OK)
        return m.vpxFail("encoding a frame");
    ++m.frames;
    return m.writePackets();
}

core::Status VideoWriter::finish() {
    Impl& m = *impl_;
    if (!m.failure.empty()) return core::Error{m.failure};
    if (m.finished) return {};
    m.finished = true;
    // A null image flushes; get_cx_data then yields the rest (none with no look-ahead, but
    // the encoder decides).
    do {
        if (vpx_codec_encode(&m.codec, nullptr, 0, 1, 0, m.deadline) != VPX_CODEC_OK) return m.vpxFail("draining");
        const std::uint64_t before = m.bytes;
        if (auto s = m.writePackets(); !s) return s;
        if (m.bytes == before) break;
    } while (true);
    if (const int e = av_write_trailer(m.format); e < 0) return m.avFail("webm trailer (cues)", e);
    avio_flush(m.io);
    if (m.io->error < 0) return m.avFail("flushing", m.io->error);
    if (::fsync(m.sink.fd) != 0) return m.fail(std::string("cannot sync: ") + std::strerror(errno));
    const int fd = m.sink.fd;
    m.sink.fd = -1;
    if (::close(fd) != 0) return m.fail(std::string("cannot close: ") + std::strerror(errno));
    return {};
}

core::Status VideoWriter::commit() {
    Impl& m = *impl_;
    if (!m.failure.empty()) return core::Error{m.failure};
    if (!m.finished) return core::Error{m.desc.path + ": committed before finish"};
    if (m.committed) return {};
    if (std::rename(partPath().c_str(), m.desc.path.c_str()) != 0)
        return core::Error{m.desc.path + ": cannot write: " + std::strerror(errno) + " (renaming " + partPath() + ")"};
    m.committed = true;
    return {};
}

} // namespace caseroom::replay
