#include "webm_decode.h"

#include <algorithm>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/dict.h>
#include <libavutil/frame.h>
}

namespace caseroom::testing::webm {

Picture::Sample Picture::mean(int cx, int cy, int half) const {
    Sample s;
    const int x0 = std::clamp(cx - half, 0, width - 1), x1 = std::clamp(cx + half, 1, width);
    const int y0 = std::clamp(cy - half, 0, height - 1), y1 = std::clamp(cy + half, 1, height);
    double n = 0;
    for (int yy = y0; yy < y1; ++yy)
        for (int xx = x0; xx < x1; ++xx) {
            s.y += y[yy * yStride + xx];
            s.u += u[(yy / 2) * uvStride + xx / 2];
            s.v += v[(yy / 2) * uvStride + xx / 2];
            ++n;
        }
    if (n > 0) {
        s.y /= n;
        s.u /= n;
        s.v /= n;
    }
    return s;
}

namespace {
std::string tag(const AVDictionary* d, const char* key) {
    const AVDictionaryEntry* e = av_dict_get(d, key, nullptr, 0);
    return e ? e->value : "";
}
} // namespace

Info decodeWebm(const std::string& path, const std::function<void(int k, const Picture&)>& onPicture) {
    Info d;
    AVFormatContext* fmt = nullptr;
    if (avformat_open_input(&fmt, path.c_str(), nullptr, nullptr) < 0) return d.error = path + ": does not open", d;
    if (avformat_find_stream_info(fmt, nullptr) < 0 || fmt->nb_streams != 1) {
        avformat_close_input(&fmt);
        return d.error = path + ": not one stream", d;
    }
    const AVCodecParameters* par = fmt->streams[0]->codecpar;
    d.codec = avcodec_get_name(par->codec_id);
    d.width = par->width;
    d.height = par->height;
    d.limitedRange = par->color_range == AVCOL_RANGE_MPEG;
    d.bt601 = par->color_space == AVCOL_SPC_SMPTE170M || par->color_space == AVCOL_SPC_BT470BG;
    d.durationS = static_cast<double>(fmt->duration) / AV_TIME_BASE;
    d.title = tag(fmt->metadata, "title");
    d.date = tag(fmt->metadata, "DATE_RECORDED");
    for (unsigned i = 0; i < fmt->nb_chapters; ++i) {
        const AVChapter* c = fmt->chapters[i];
        d.chapters.push_back({static_cast<double>(c->start) * 1000.0 * av_q2d(c->time_base),
                              static_cast<double>(c->end) * 1000.0 * av_q2d(c->time_base), tag(c->metadata, "title")});
    }
    const AVCodec* codec = avcodec_find_decoder(par->codec_id);
    AVCodecContext* dec = codec ? avcodec_alloc_context3(codec) : nullptr;
    if (!dec || avcodec_parameters_to_context(dec, par) < 0 || avcodec_open2(dec, codec, nullptr) < 0) {
        avcodec_free_context(&dec);
        avformat_close_input(&fmt);
        return d.error = path + ": no decoder for " + d.codec, d;
    }
    AVPacket* pkt = av_packet_alloc();
    AVFrame* frame = av_frame_alloc();
    const auto drain = [&] {
        while (avcodec_receive_frame(dec, frame) == 0) {
            if (frame->format != AV_PIX_FMT_YUV420P && d.error.empty()) d.error = path + ": not YUV 4:2:0";
            if (onPicture && d.error.empty()) {
                Picture p;
                p.width = frame->width;
                p.height = frame->height;
                p.y = frame->data[0];
                p.u = frame->data[1];
                p.v = frame->data[2];
                p.yStride = frame->linesize[0];
                p.uvStride = frame->linesize[1];
                onPicture(d.frames, p);
            }
            ++d.frames;
            av_frame_unref(frame);
        }
    };
    while (av_read_frame(fmt, pkt) >= 0) {
        if (avcodec_send_packet(dec, pkt) < 0 && d.error.empty()) d.error = path + ": a packet does not decode";
        av_packet_unref(pkt);
        drain();
    }
    avcodec_send_packet(dec, nullptr);
    drain();
    av_frame_free(&frame);
    av_packet_free(&pkt);
    avcodec_free_context(&dec);
    avformat_close_input(&fmt);
    return d;
}

} // namespace caseroom::testing::webm
