// A receiver's video path on hostile datagrams: fragments off the wire
// (net::decodeVideoFragment) pushed into one stream's VideoReassembler.
// Input: chunks until the input runs out, each [u8 len][len bytes] decoded
// as one fragment; len 255 means a u16 length follows (a full fragment is
// 1113 bytes, more than a byte can count).
// Properties: nothing crashes; a decoded fragment encodes back to its exact
// bytes; the reassembler gives out at most one frame per fragment, only for
// its own stream, only the frame the fragment completed (same header, size
// consistent with the fragment count, the fragment's payload in place), in
// wrap-aware frame order, and nothing but a keyframe while it needs one;
// its counters never go back and count what was pushed and given out.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <span>
#include <vector>

#include "fuzz_common.h"
#include "net/stream.h"
#include "net/video_wire.h"

using namespace caseroom;

namespace {

using Reader = caseroom::fuzz::InputReader;
using Stats = net::VideoReassembler::Stats;

constexpr net::VideoStreamId kStream{5, net::VideoKind::Camera}; // the seeds' stream

void requireMonotonic(const Stats& a, const Stats& b) {
    if (b.fragments < a.fragments || b.frames < a.frames || b.lost < a.lost || b.late < a.late ||
        b.duplicates < a.duplicates || b.malformed < a.malformed || b.undecodable < a.undecodable)
        std::abort();
}

void checkFrame(const net::VideoFrameData& d, const net::VideoFragment& f) {
    if (d.stream != kStream || d.frame != f.frame || d.layer != f.layer || d.keyframe != f.keyframe || d.tl0 != f.tl0 ||
        d.ptsMs != f.ptsMs)
        std::abort();
    const std::size_t n = d.bytes.size();
    if (n == 0 || n > net::kMaxVideoFrameBytes) std::abort();
    if (n <= std::size_t{f.count - 1u} * net::kVideoFragmentBytes || n > std::size_t{f.count} * net::kVideoFragmentBytes)
        std::abort();
    const std::size_t at = std::size_t{f.index} * net::kVideoFragmentBytes;
    if (f.index + 1u == f.count && at + f.size != n) std::abort();
    if (at + f.size > n || std::memcmp(d.bytes.data() + at, f.bytes.data(), f.size) != 0) std::abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    net::VideoReassembler r(kStream);
    std::vector<net::VideoFrameData> out;
    Reader in{data, size};
    std::uint64_t pushed = 0, given = 0;
    std::optional<std::uint16_t> lastOut;
    std::uint8_t len8 = 0;
    int chunks = 0;
    while (in.u8(len8) && chunks++ < 4096) {
        std::uint16_t len = len8;
        if (len8 == 255 && !in.u16(len)) return 0;
        const auto bytes = in.take(len);
        const auto f = net::decodeVideoFragment(bytes);
        if (!f) continue;
        const auto again = net::encodeVideoFragment(*f);
        if (again.size() != bytes.size() || std::memcmp(again.data(), bytes.data(), bytes.size()) != 0) std::abort();

        const Stats before = r.stats();
        const bool neededKey = r.needKeyframe();
        out.clear();
        r.push(*f, out);
        ++pushed;
        requireMonotonic(before, r.stats());
        if (out.size() > 1) std::abort();
        for (const auto& d : out) {
            checkFrame(d, *f);
            if (neededKey && !d.keyframe) std::abort();
            if (lastOut && !net::seqNewer(d.frame, *lastOut)) std::abort();
            lastOut = d.frame;
            ++given;
        }
        if (!out.empty() && out.back().keyframe && r.needKeyframe()) std::abort();
        if (r.stats().fragments != pushed || r.stats().frames != given) std::abort();
    }
    return 0;
}
