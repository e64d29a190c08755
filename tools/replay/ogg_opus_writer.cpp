// Ogg Opus through libopusenc with our own file sink (ogg_opus_writer.h), so
// I/O errors carry errno and the output appears only when committed.
#include "ogg_opus_writer.h"

#include <fcntl.h>
#include <opus/opusenc.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "core/utf8.h"

namespace caseroom::replay {

struct OggOpusWriter::Sink {
    int fd = -1;
    int error = 0;        // first errno of a failed write
};

namespace {

int writeCallback(void* user, const unsigned char* ptr, opus_int32 len) {
    auto* sink = static_cast<OggOpusWriter::Sink*>(user);
    while (len > 0) {
        const ssize_t n = ::write(sink->fd, ptr, static_cast<std::size_t>(len));
        if (n < 0) {
            if (errno == EINTR) continue;
            if (!sink->error) sink->error = errno;
            return 1;
        }
        ptr += n;
        len -= static_cast<opus_int32>(n);
    }
    return 0;
}

int closeCallback(void*) { return 0; }  // the writer closes the descriptor itself (after fsync)

} // namespace

core::Result<std::unique_ptr<OggOpusWriter>> OggOpusWriter::create(const OggOpusDesc& desc) {
    if (desc.channels != 1 && desc.channels != 2) return core::Error{desc.path + ": 1 or 2 channels only"};
    std::unique_ptr<OggOpusWriter> w(new OggOpusWriter(desc));
    w->sink_ = std::make_unique<Sink>();
    const std::string part = w->partPath();
    w->sink_->fd = ::open(part.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (w->sink_->fd < 0) return core::Error{desc.path + ": cannot write: " + std::strerror(errno) + " (creating " + part + ")"};
    OggOpusComments* comments = ope_comments_create();
    if (!comments) return core::Error{desc.path + ": out of memory"};
    for (const auto& [tag, value] : desc.tags) {
        // Vorbis comments are UTF-8: a label or name that is not (a damaged file) keeps its ASCII.
        std::string text = value;
        if (!core::validUtf8(text))
            for (auto& ch : text)
                if (static_cast<unsigned char>(ch) >= 0x80) ch = '?';
        if (const int e = ope_comments_add(comments, tag.c_str(), text.c_str()); e != OPE_OK) {
            ope_comments_destroy(comments);
            return core::Error{desc.path + ": tag " + tag + ": " + ope_strerror(e)};
        }
    }
    static const OpusEncCallbacks kCallbacks{writeCallback, closeCallback};
    int err = OPE_OK;
    OggOpusEnc* enc = ope_encoder_create_callbacks(&kCallbacks, w->sink_.get(), comments, static_cast<opus_int32>(kRate),
                                                   static_cast<int>(desc.channels), 0, &err);
    ope_comments_destroy(comments);  // the encoder keeps its own copy
    if (!enc || err != OPE_OK) return core::Error{desc.path + ": opus encoder: " + ope_strerror(err)};
    w->enc_ = enc;
    ope_encoder_ctl(enc, OPUS_SET_BITRATE(desc.bitrate));
    ope_encoder_ctl(enc, OPUS_SET_SIGNAL(OPUS_SIGNAL_VOICE));
    ope_encoder_ctl(enc, OPUS_SET_COMPLEXITY(desc.complexity));
    return w;
}

OggOpusWriter::OggOpusWriter(OggOpusDesc desc) : desc_(std::move(desc)) {}

OggOpusWriter::~OggOpusWriter() {
    if (enc_) ope_encoder_destroy(static_cast<OggOpusEnc*>(enc_));
    if (sink_ && sink_->fd >= 0) ::close(sink_->fd);
    if (!committed_ && sink_) std::remove(partPath().c_str());
}

core::Status OggOpusWriter::write(std::span<const float> interleaved) {
    if (finished_) return core::Error{desc_.path + ": written after finish"};
    const auto frames = static_cast<int>(interleaved.size() / desc_.channels);
    if (frames == 0) return {};
    const int e = ope_encoder_write_float(static_cast<OggOpusEnc*>(enc_), interleaved.data(), frames);
    if (e != OPE_OK) {
        if (sink_->error) return core::Error{desc_.path + ": cannot write: " + std::strerror(sink_->error)};
        return core::Error{desc_.path + ": opus encoder: " + ope_strerror(e)};
    }
    frames_ += static_cast<std::uint64_t>(frames);
    return {};
}

core::Status OggOpusWriter::finish() {
    if (finished_) return {};
    finished_ = true;
    const int e = ope_encoder_drain(static_cast<OggOpusEnc*>(enc_));
    if (e != OPE_OK) {
        if (sink_->error) return core::Error{desc_.path + ": cannot write: " + std::strerror(sink_->error)};
        return core::Error{desc_.path + ": opus encoder: " + ope_strerror(e)};
    }
    if (::fsync(sink_->fd) != 0) return core::Error{desc_.path + ": cannot sync: " + std::strerror(errno)};
    const int fd = sink_->fd;
    sink_->fd = -1;
    if (::close(fd) != 0) return core::Error{desc_.path + ": cannot close: " + std::strerror(errno)};
    return {};
}

core::Status OggOpusWriter::commit() {
    if (!finished_) return core::Error{desc_.path + ": committed before finish"};
    if (std::rename(partPath().c_str(), desc_.path.c_str()) != 0)
        return core::Error{desc_.path + ": cannot write: " + std::strerror(errno) + " (renaming " + partPath() + ")"};
    committed_ = true;
    return {};
}

} // namespace caseroom::replay
