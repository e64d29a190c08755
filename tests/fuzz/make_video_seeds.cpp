// Writes fuzz_video_decode's seeds into DIR/fuzz_video_decode/:
//   caseroom_make_video_seeds tests/fuzz/corpus
// Real VP8 from the real encoder (media/vp8.h) at the spoke tile's and the
// presenter's profiles, numbered and cut into fragments as VideoClient's
// publisher does (frame numbers, tl0 per base frame), each fragment as the
// VideoFragment message a receiver gets: so the fuzzer starts from key
// frames and deltas that decode. Beside make_seeds.cpp so that it links
// only the wire and libvpx (run by hand when the format changes; the output
// is committed).
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "media/video_frame.h"
#include "media/vp8.h"
#include "net/messages.h"
#include "net/video_numbering.h"
#include "net/video_wire.h"

using namespace caseroom;
namespace fs = std::filesystem;

namespace {

const net::VideoStreamId kStream{5, net::VideoKind::Camera};

// `count` frames of the test pattern with +-`grain` luma noise through the
// profile's encoder, as the publisher numbers them; `keyAt` frames are
// forced key frames.
std::vector<net::VideoFrameData> encode(const media::VideoProfile& p, std::uint32_t count, std::uint32_t grain,
                                        const std::vector<std::uint32_t>& keyAt = {}) {
    std::vector<net::VideoFrameData> out;
    auto enc = media::Vp8Encoder::create(p);
    if (!enc) {
        std::fprintf(stderr, "caseroom_make_video_seeds: %s\n", enc.error().message.c_str());
        return out;
    }
    net::VideoFrameNumbering numbering;
    std::vector<media::EncodedFrame> packets;
    for (std::uint32_t i = 0; i < count; ++i) {
        media::I420Frame f = media::testPattern(p.width, p.height, i);
        media::addLumaNoise(f, i + 1, grain);
        f.ptsUs = std::uint64_t{i} * 1'000'000u / p.fps;
        for (std::uint32_t k : keyAt)
            if (k == i) (*enc)->forceKeyframe();
        packets.clear();
        if (!(*enc)->encode(f, packets).ok()) return {};
        for (auto& pk : packets) out.push_back(numbering.next(kStream, pk.layer, pk.keyframe, pk.ptsUs, std::move(pk.bytes)));
    }
    return out;
}

// One datagram of the harness's input: [u16 len][VideoFragment message].
void datagram(std::vector<std::uint8_t>& v, const net::VideoFragment& f) {
    const auto bytes = net::encodeMessage(net::Message{net::VideoFragmentMsg{f}});
    v.push_back(static_cast<std::uint8_t>(bytes.size()));
    v.push_back(static_cast<std::uint8_t>(bytes.size() >> 8));
    v.insert(v.end(), bytes.begin(), bytes.end());
}

// The frames a seed carries must decode (the fuzzer starts from valid VP8).
int pictures(const std::vector<net::VideoFrameData>& frames) {
    auto dec = media::Vp8Decoder::create();
    if (!dec) return -1;
    int n = 0;
    for (const auto& d : frames) {
        auto r = (*dec)->decode(d.bytes);
        if (r && r->has_value()) ++n;
    }
    return n;
}

bool put(const fs::path& dir, const std::string& name, const std::vector<std::uint8_t>& bytes, const std::vector<net::VideoFrameData>& frames) {
    std::ofstream out(dir / name, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    const int decoded = pictures(frames);
    std::printf("%-26s %6zu bytes, %zu frames, %d decode\n", name.c_str(), bytes.size(), frames.size(), decoded);
    return static_cast<bool>(out) && decoded == static_cast<int>(frames.size());
}

} // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: caseroom_make_video_seeds CORPUS_DIR\n");
        return 2;
    }
    const fs::path dir = fs::path(argv[1]) / "fuzz_video_decode";
    fs::create_directories(dir);
    const auto& tile = media::videoProfile(media::VideoUse::SpokeTile);
    const auto& presenter = media::videoProfile(media::VideoUse::Presenter);
    bool ok = true;

    // A key frame and the deltas of two layer patterns, in order.
    const auto t = encode(tile, 8, 6);
    if (t.empty()) return 1;
    std::vector<std::uint8_t> inOrder, shuffled, gap;
    for (const auto& d : t)
        for (const auto& f : net::fragmentVideoFrame(d)) datagram(inOrder, f);
    ok &= put(dir, "tile-key-deltas", inOrder, t);

    // The same, each frame's fragments last first, every fragment twice.
    for (const auto& d : t) {
        const auto frags = net::fragmentVideoFrame(d);
        for (auto it = frags.rbegin(); it != frags.rend(); ++it) {
            datagram(shuffled, *it);
            datagram(shuffled, *it);
        }
    }
    ok &= put(dir, "tile-shuffled-duplicated", shuffled, t);

    // A base frame lost, then a key frame on request (the receiver's recovery).
    const auto r = encode(tile, 10, 6, {6});
    std::vector<net::VideoFrameData> kept;
    int bases = 0;
    for (const auto& d : r) {
        if (d.layer == 0 && !d.keyframe && ++bases == 1) continue;   // the first base frame after the key frame
        for (const auto& f : net::fragmentVideoFrame(d)) datagram(gap, f);
        kept.push_back(d);
    }
    // Decoded in a row, the frames over the lost one decode with artefacts (error resilience): all still give a picture.
    ok &= put(dir, "tile-lost-base-then-key", gap, kept);

    // The presenter's camera on grainy content: a key frame of several fragments, and deltas.
    std::vector<std::uint8_t> big;
    const auto pf = encode(presenter, 4, 20);
    for (const auto& d : pf)
        for (const auto& f : net::fragmentVideoFrame(d)) datagram(big, f);
    ok &= put(dir, "presenter-key-deltas", big, pf);
    return ok ? 0 : 1;
}
