// A receiver's whole video input path on hostile datagrams, as
// session/video_client.cpp runs it: each datagram decoded as a message on
// the video channel (net::decodeMessage, the client session's call), a
// VideoFragmentMsg pushed into its stream's VideoReassembler, and every
// frame that comes out decoded by the real libvpx decoder
// (media::Vp8Decoder, the decode thread's limit and intact rule).
// fuzz_video_wire covers the fragment framing and the reassembler's rules;
// this one is about what reaches libvpx and what comes back.
// Input: datagrams until the input runs out, each [u16 len][len bytes]
// (len little-endian; the message's type byte first).
// Properties: nothing crashes; a picture that comes back is valid I420,
// even-sized, 16.. and within the limit; a twin decoder fed the same
// packets gives the same verdicts and the same pictures, byte for byte
// (decoding depends on the packets alone: no uninitialised memory reaches
// a picture).
// State: everything is made per input (reassemblers, decoders), so a run
// depends on its input only.
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "fuzz_common.h"
#include "media/vp8.h"
#include "net/messages.h"
#include "net/video_wire.h"

using namespace caseroom;

namespace {

using Reader = caseroom::fuzz::InputReader;

constexpr std::size_t kMaxStreams = 4;       // streams followed per input; fragments of others are ignored (not published)
constexpr std::size_t kMaxDatagrams = 4096;
constexpr std::size_t kMaxFrames = 64;       // frames decoded per input: a big key frame costs milliseconds under ASan
constexpr std::uint64_t kMaxPixels = std::uint64_t{net::kMaxVideoSide} * net::kMaxVideoSide;   // VideoClient's limit

struct Stream {
    net::VideoStreamId id;
    net::VideoReassembler reassembler;
    std::unique_ptr<media::Vp8Decoder> decoder, twin;
    explicit Stream(net::VideoStreamId s) : id(s), reassembler(s) {}
};

void checkPicture(const media::I420Frame& f) {
    if (!f.valid() || f.width % 2 || f.height % 2 || f.width < 16 || f.height < 16 ||
        std::uint64_t{f.width} * f.height > kMaxPixels)
        std::abort();
    if (f.y.size() != std::size_t{f.width} * f.height || f.u.size() != std::size_t{f.width / 2} * (f.height / 2) ||
        f.v.size() != f.u.size())
        std::abort();
}

bool samePicture(const media::I420Frame& a, const media::I420Frame& b) {
    return a.width == b.width && a.height == b.height && a.y == b.y && a.u == b.u && a.v == b.v;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::vector<std::unique_ptr<Stream>> streams;
    std::vector<net::VideoFrameData> frames;
    Reader in{data, size};
    std::size_t datagrams = 0, decoded = 0;
    std::uint16_t len = 0;
    while (datagrams++ < kMaxDatagrams && decoded < kMaxFrames && in.u16(len)) {
        const auto bytes = in.take(len);
        net::DecodeResult r = net::decodeMessage(bytes, net::Channel::Video);
        if (!r.ok) continue;
        const auto* m = std::get_if<net::VideoFragmentMsg>(&r.message);
        if (!m) continue;
        const net::VideoFragment& f = m->fragment;
        Stream* s = nullptr;
        for (auto& x : streams)
            if (x->id == f.stream) s = x.get();
        if (!s) {
            if (streams.size() == kMaxStreams) continue;
            streams.push_back(std::make_unique<Stream>(f.stream));
            s = streams.back().get();
        }
        frames.clear();
        s->reassembler.push(f, frames);
        for (const auto& d : frames) {
            if (decoded == kMaxFrames) break;
            ++decoded;
            // The decode thread makes a stream's decoder at its first frame.
            if (!s->decoder) {
                auto a = media::Vp8Decoder::create();
                auto b = media::Vp8Decoder::create();
                if (!a || !b) std::abort();   // libvpx init does not depend on the input
                s->decoder = std::move(*a);
                s->twin = std::move(*b);
            }
            auto one = s->decoder->decode(d.bytes, kMaxPixels);
            auto two = s->twin->decode(d.bytes, kMaxPixels);
            if (one.ok() != two.ok()) std::abort();
            if (!one.ok()) continue;   // VideoClient: a decode error, the stream asks for a key frame
            if (one->has_value() != two->has_value()) std::abort();
            if (s->decoder->lastFrameIntact() != s->twin->lastFrameIntact()) std::abort();
            if (!one->has_value()) continue;
            checkPicture(**one);
            if (!samePicture(**one, **two)) std::abort();
        }
    }
    return 0;
}
