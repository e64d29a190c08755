// VP8 through libvpx (vp8.h). [SECTION] profiles  [SECTION] encoder  [SECTION] decoder
#include "media/vp8.h"

#include <vpx/vp8cx.h>
#include <vpx/vp8dx.h>
#include <vpx/vpx_decoder.h>
#include <vpx/vpx_encoder.h>

#include <algorithm>
#include <array>
#include <cstring>

namespace caseroom::media {

// [SECTION] profiles -------------------------------------------------------------------

const char* toString(VideoUse u) {
    switch (u) {
    case VideoUse::SpokeTile: return "spoke tile";
    case VideoUse::Presenter: return "presenter";
    case VideoUse::ScreenShare: return "screen share";
    case VideoUse::Count: break;
    }
    return "?";
}

const VideoProfile& videoProfile(VideoUse use) {
    // A spoke's face on a tile: small and cheap, three layers so a 200 kbit/s
    // link keeps a 4 fps face. The presenter: larger, smoother. A screen:
    // sharp text at a low rate, two layers, more bits per frame, no noise
    // filter, big key frames allowed (a slide change is one).
    static const std::array<VideoProfile, static_cast<std::size_t>(VideoUse::Count)> kProfiles = {{
        {VideoUse::SpokeTile, 320, 180, 15, 140, 3, 10, 300, false},
        {VideoUse::Presenter, 640, 360, 24, 600, 3, 8, 300, false},
        {VideoUse::ScreenShare, 1280, 720, 5, 800, 2, 6, 900, true},
    }};
    return kProfiles[std::min<std::size_t>(static_cast<std::size_t>(use), kProfiles.size() - 1)];
}

VideoUse cameraUse(core::Role role) {
    const bool hub = role == core::Role::Facilitator || role == core::Role::Specialist || role == core::Role::Coordinator;
    return hub ? VideoUse::Presenter : VideoUse::SpokeTile;
}

// [SECTION] encoder --------------------------------------------------------------------

namespace {

// The layer pattern and each position's reference flags (vp8.h).
struct Pattern {
    std::uint32_t period = 1;
    std::array<std::uint8_t, 4> layer{};
    std::array<vpx_enc_frame_flags_t, 4> flags{};
};

constexpr vpx_enc_frame_flags_t kRefLastOnly = VP8_EFLAG_NO_REF_GF | VP8_EFLAG_NO_REF_ARF;
constexpr vpx_enc_frame_flags_t kUpdateNothing = VP8_EFLAG_NO_UPD_LAST | VP8_EFLAG_NO_UPD_GF | VP8_EFLAG_NO_UPD_ARF | VP8_EFLAG_NO_UPD_ENTROPY;

Pattern patternFor(std::uint32_t layers) {
    Pattern p;
    if (layers == 2) {
        p.period = 2;
        p.layer = {0, 1, 0, 0};
        p.flags = {kRefLastOnly | VP8_EFLAG_NO_UPD_GF | VP8_EFLAG_NO_UPD_ARF, kRefLastOnly | kUpdateNothing, 0, 0};
    } else if (layers == 3) {
        p.period = 4;
        p.layer = {0, 2, 1, 2};
        p.flags = {kRefLastOnly | VP8_EFLAG_NO_UPD_GF | VP8_EFLAG_NO_UPD_ARF,           // base: LAST -> LAST
                   kRefLastOnly | kUpdateNothing,                                       // top: LAST, droppable
                   kRefLastOnly | VP8_EFLAG_NO_UPD_LAST | VP8_EFLAG_NO_UPD_ARF | VP8_EFLAG_NO_UPD_ENTROPY, // middle: LAST -> GOLDEN
                   VP8_EFLAG_NO_REF_ARF | kUpdateNothing};                              // top: LAST and GOLDEN, droppable
    } else {
        p.period = 1;
        p.flags = {0, 0, 0, 0};
    }
    return p;
}

std::string vpxError(vpx_codec_ctx_t& c, const char* what) {
    const char* detail = vpx_codec_error_detail(&c);
    return std::string(what) + " (libvpx: " + vpx_codec_error(&c) + (detail ? std::string(", ") + detail : std::string()) + ")";
}

// Cumulative layer targets (vp8.h): two layers 60 %, 100 %; three 50 %, 75 %, 100 % of the total.
void setLayerRates(vpx_codec_enc_cfg_t& cfg, std::uint32_t layers, std::uint32_t kbps) {
    cfg.rc_target_bitrate = kbps;
    cfg.ts_number_layers = layers;
    if (layers == 1) {
        cfg.ts_target_bitrate[0] = kbps;
        cfg.ts_rate_decimator[0] = 1;
    } else if (layers == 2) {
        cfg.ts_target_bitrate[0] = kbps * 6 / 10;
        cfg.ts_target_bitrate[1] = kbps;
        cfg.ts_rate_decimator[0] = 2;
        cfg.ts_rate_decimator[1] = 1;
    } else {
        cfg.ts_target_bitrate[0] = kbps / 2;
        cfg.ts_target_bitrate[1] = kbps * 3 / 4;
        cfg.ts_target_bitrate[2] = kbps;
        cfg.ts_rate_decimator[0] = 4;
        cfg.ts_rate_decimator[1] = 2;
        cfg.ts_rate_decimator[2] = 1;
    }
}

} // namespace

struct Vp8Encoder::Impl {
    vpx_codec_ctx_t codec{};
    vpx_codec_enc_cfg_t cfg{};
    bool open = false;
    Pattern pattern;
    ~Impl() {
        if (open) vpx_codec_destroy(&codec);
    }
};

Vp8Encoder::Vp8Encoder(const VideoProfile& profile) : profile_(profile), impl_(std::make_unique<Impl>()) {}
Vp8Encoder::~Vp8Encoder() = default;

core::Result<std::unique_ptr<Vp8Encoder>> Vp8Encoder::create(const VideoProfile& p) {
    if (p.width < 16 || p.height < 16 || p.width > 4096 || p.height > 4096 || p.width % 2 || p.height % 2)
        return core::Error{"VP8 encoder: frame size " + std::to_string(p.width) + "x" + std::to_string(p.height) + " (even, 16..4096 each way)"};
    if (p.fps < 1 || p.fps > 60) return core::Error{"VP8 encoder: " + std::to_string(p.fps) + " fps (1..60)"};
    if (p.bitrateKbps < 20 || p.bitrateKbps > 20000) return core::Error{"VP8 encoder: " + std::to_string(p.bitrateKbps) + " kbit/s (20..20000)"};
    if (p.temporalLayers < 1 || p.temporalLayers > 3) return core::Error{"VP8 encoder: " + std::to_string(p.temporalLayers) + " temporal layers (1..3)"};
    if (p.cpuUsed < 4 || p.cpuUsed > 16) return core::Error{"VP8 encoder: speed " + std::to_string(p.cpuUsed) + " (4..16)"};
    std::unique_ptr<Vp8Encoder> e(new Vp8Encoder(p));
    Impl& m = *e->impl_;
    if (vpx_codec_enc_config_default(vpx_codec_vp8_cx(), &m.cfg, 0) != VPX_CODEC_OK) return core::Error{"VP8 encoder: no default configuration"};
    vpx_codec_enc_cfg_t& c = m.cfg;
    c.g_w = p.width;
    c.g_h = p.height;
    c.g_timebase = {1, 1000000};             // pts in microseconds
    c.g_threads = 1;                         // one encoder per stream; streams run in parallel
    c.g_lag_in_frames = 0;
    c.g_pass = VPX_RC_ONE_PASS;
    c.g_error_resilient = VPX_ERROR_RESILIENT_DEFAULT;
    c.rc_end_usage = VPX_CBR;
    c.rc_min_quantizer = 2;
    c.rc_max_quantizer = 56;
    c.rc_undershoot_pct = 50;
    c.rc_overshoot_pct = 50;
    c.rc_buf_initial_sz = 500;
    c.rc_buf_optimal_sz = 600;
    c.rc_buf_sz = 1000;
    c.rc_dropframe_thresh = p.screenContent ? 0 : 30;   // a screen keeps every frame; a face may skip one to hold the rate
    c.kf_mode = VPX_KF_DISABLED;             // key frames on request only
    m.pattern = patternFor(p.temporalLayers);
    setLayerRates(c, p.temporalLayers, p.bitrateKbps);
    c.ts_periodicity = m.pattern.period;
    for (std::uint32_t i = 0; i < m.pattern.period; ++i) c.ts_layer_id[i] = m.pattern.layer[i];
    if (vpx_codec_enc_init(&m.codec, vpx_codec_vp8_cx(), &c, 0) != VPX_CODEC_OK)
        return core::Error{vpxError(m.codec, "VP8 encoder: init failed")};
    m.open = true;
    vpx_codec_control(&m.codec, VP8E_SET_CPUUSED, p.cpuUsed);
    vpx_codec_control(&m.codec, VP8E_SET_NOISE_SENSITIVITY, p.screenContent ? 0u : 1u);
    vpx_codec_control(&m.codec, VP8E_SET_STATIC_THRESHOLD, p.screenContent ? 100u : 1u);
    vpx_codec_control(&m.codec, VP8E_SET_MAX_INTRA_BITRATE_PCT, p.maxIntraPercent);
    vpx_codec_control(&m.codec, VP8E_SET_TOKEN_PARTITIONS, static_cast<int>(VP8_ONE_TOKENPARTITION));
    vpx_codec_control(&m.codec, VP8E_SET_SCREEN_CONTENT_MODE, p.screenContent ? 1u : 0u);
    return e;
}

std::uint8_t Vp8Encoder::nextLayer() const {
    return forceKey_ ? 0 : impl_->pattern.layer[patternPos_ % impl_->pattern.period];
}

core::Status Vp8Encoder::encode(const I420Frame& frame, std::vector<EncodedFrame>& out) {
    if (frame.width != profile_.width || frame.height != profile_.height || !frame.valid())
        return core::Error{"VP8 encoder: a " + std::to_string(frame.width) + "x" + std::to_string(frame.height) + " frame for a " +
                           std::to_string(profile_.width) + "x" + std::to_string(profile_.height) + " stream"};
    Impl& m = *impl_;
    vpx_image_t img;
    // libvpx reads the planes only; vpx_img_wrap takes a non-const pointer.
    vpx_img_wrap(&img, VPX_IMG_FMT_I420, frame.width, frame.height, 1, const_cast<std::uint8_t*>(frame.y.data()));
    img.planes[VPX_PLANE_Y] = const_cast<std::uint8_t*>(frame.y.data());
    img.planes[VPX_PLANE_U] = const_cast<std::uint8_t*>(frame.u.data());
    img.planes[VPX_PLANE_V] = const_cast<std::uint8_t*>(frame.v.data());
    img.stride[VPX_PLANE_Y] = static_cast<int>(frame.width);
    img.stride[VPX_PLANE_U] = img.stride[VPX_PLANE_V] = static_cast<int>(frame.width / 2);

    const bool key = forceKey_;
    if (key) patternPos_ = 0;
    const std::uint32_t pos = patternPos_ % m.pattern.period;
    const std::uint8_t layer = m.pattern.layer[pos];
    vpx_enc_frame_flags_t flags = m.pattern.flags[pos];
    if (key) flags = VPX_EFLAG_FORCE_KF;
    if (profile_.temporalLayers > 1) vpx_codec_control(&m.codec, VP8E_SET_TEMPORAL_LAYER_ID, static_cast<int>(layer));
    const auto pts = static_cast<vpx_codec_pts_t>(frame.ptsUs);
    const auto duration = static_cast<unsigned long>(1000000u / profile_.fps);
    if (vpx_codec_encode(&m.codec, &img, pts, duration, flags, VPX_DL_REALTIME) != VPX_CODEC_OK)
        return core::Error{vpxError(m.codec, "VP8 encoder: encoding a frame")};
    forceKey_ = false;
    ++patternPos_;
    bool any = false;
    vpx_codec_iter_t iter = nullptr;
    while (const vpx_codec_cx_pkt_t* pkt = vpx_codec_get_cx_data(&m.codec, &iter)) {
        if (pkt->kind != VPX_CODEC_CX_FRAME_PKT) continue;
        EncodedFrame f;
        const auto* data = static_cast<const std::uint8_t*>(pkt->data.frame.buf);
        f.bytes.assign(data, data + pkt->data.frame.sz);
        f.keyframe = (pkt->data.frame.flags & VPX_FRAME_IS_KEY) != 0;
        f.layer = f.keyframe ? 0 : layer;
        f.index = static_cast<std::uint32_t>(stats_.frames);
        f.ptsUs = frame.ptsUs;
        ++stats_.frames;
        if (f.keyframe) ++stats_.keyframes;
        stats_.bytes += f.bytes.size();
        out.push_back(std::move(f));
        any = true;
    }
    if (!any) {
        ++stats_.dropped;
        if (key) forceKey_ = true;   // a dropped key frame is asked for again
    }
    return {};
}

core::Status Vp8Encoder::setBitrate(std::uint32_t kbps) {
    if (kbps < 20 || kbps > 20000) return core::Error{"VP8 encoder: " + std::to_string(kbps) + " kbit/s (20..20000)"};
    Impl& m = *impl_;
    setLayerRates(m.cfg, profile_.temporalLayers, kbps);
    if (vpx_codec_enc_config_set(&m.codec, &m.cfg) != VPX_CODEC_OK) return core::Error{vpxError(m.codec, "VP8 encoder: changing the bitrate")};
    profile_.bitrateKbps = kbps;
    return {};
}

// [SECTION] decoder --------------------------------------------------------------------

struct Vp8Decoder::Impl {
    vpx_codec_ctx_t codec{};
    bool open = false;
    ~Impl() {
        if (open) vpx_codec_destroy(&codec);
    }
};

Vp8Decoder::Vp8Decoder() : impl_(std::make_unique<Impl>()) {}
Vp8Decoder::~Vp8Decoder() = default;

core::Result<std::unique_ptr<Vp8Decoder>> Vp8Decoder::create() {
    std::unique_ptr<Vp8Decoder> d(new Vp8Decoder());
    vpx_codec_dec_cfg_t cfg{};
    cfg.threads = 1;
    if (vpx_codec_dec_init(&d->impl_->codec, vpx_codec_vp8_dx(), &cfg, 0) != VPX_CODEC_OK)
        return core::Error{vpxError(d->impl_->codec, "VP8 decoder: init failed")};
    d->impl_->open = true;
    return d;
}

core::Result<std::optional<I420Frame>> Vp8Decoder::decode(std::span<const std::uint8_t> packet, std::uint64_t maxPixels) {
    if (packet.empty()) return core::Error{"VP8 decoder: an empty packet"};
    // The frame header gives the size before decoding: refuse a huge one first.
    vpx_codec_stream_info_t si{};
    si.sz = sizeof si;
    if (vpx_codec_peek_stream_info(vpx_codec_vp8_dx(), packet.data(), static_cast<unsigned int>(packet.size()), &si) == VPX_CODEC_OK && si.is_kf &&
        static_cast<std::uint64_t>(si.w) * si.h > maxPixels)
        return core::Error{"VP8 decoder: a " + std::to_string(si.w) + "x" + std::to_string(si.h) + " key frame is over the limit"};
    vpx_codec_ctx_t& c = impl_->codec;
    if (vpx_codec_decode(&c, packet.data(), static_cast<unsigned int>(packet.size()), nullptr, 0) != VPX_CODEC_OK)
        return core::Error{vpxError(c, "VP8 decoder: a packet does not decode")};
    int corrupted = 0;
    if (vpx_codec_control(&c, VP8D_GET_FRAME_CORRUPTED, &corrupted) == VPX_CODEC_OK) intact_ = corrupted == 0;
    vpx_codec_iter_t iter = nullptr;
    const vpx_image_t* img = vpx_codec_get_frame(&c, &iter);
    if (!img) return std::optional<I420Frame>{};
    if (img->fmt != VPX_IMG_FMT_I420) return core::Error{"VP8 decoder: not a 4:2:0 picture"};
    if (img->d_w % 2 || img->d_h % 2 || img->d_w < 16 || img->d_h < 16 || static_cast<std::uint64_t>(img->d_w) * img->d_h > maxPixels)
        return core::Error{"VP8 decoder: a " + std::to_string(img->d_w) + "x" + std::to_string(img->d_h) + " picture (even, 16.. and within the limit)"};
    I420Frame f;
    f.width = img->d_w;
    f.height = img->d_h;
    f.y.resize(static_cast<std::size_t>(f.width) * f.height);
    f.u.resize(static_cast<std::size_t>(f.width / 2) * (f.height / 2));
    f.v.resize(f.u.size());
    const auto copyPlane = [&](int plane, std::uint8_t* dst, std::uint32_t w, std::uint32_t h) {
        const std::uint8_t* src = img->planes[plane];
        for (std::uint32_t row = 0; row < h; ++row)
            std::memcpy(dst + static_cast<std::size_t>(row) * w, src + static_cast<std::ptrdiff_t>(row) * img->stride[plane], w);
    };
    copyPlane(VPX_PLANE_Y, f.y.data(), f.width, f.height);
    copyPlane(VPX_PLANE_U, f.u.data(), f.width / 2, f.height / 2);
    copyPlane(VPX_PLANE_V, f.v.data(), f.width / 2, f.height / 2);
    return std::optional<I420Frame>(std::move(f));
}

} // namespace caseroom::media
