#include <algorithm>
#include <cstdint>
#include <vector>

#include <catch2/catch.hpp>

#include "net/messages.h"
#include "net/video_numbering.h"
#include "net/video_wire.h"

using namespace caseroom::net;

namespace {

const VideoStreamId kStream{7, VideoKind::Camera};

VideoFragment sampleFragment() {
    VideoFragment f;
    f.stream = {1023, VideoKind::Screen};
    f.frame = 65535;
    f.layer = 3;
    f.keyframe = true;
    f.tl0 = 255;
    f.index = 62;
    f.count = 63;
    f.ptsMs = 0xFFFFFFFFu;
    f.size = static_cast<std::uint16_t>(kVideoFragmentBytes);
    for (std::size_t i = 0; i < f.size; ++i) f.bytes[i] = static_cast<std::uint8_t>(i * 31 + 5);
    return f;
}

VideoFrameData makeFrame(std::size_t size, std::uint16_t frame, std::uint8_t layer, bool key, std::uint8_t tl0) {
    VideoFrameData d;
    d.stream = kStream;
    d.frame = frame;
    d.layer = layer;
    d.keyframe = key;
    d.tl0 = tl0;
    d.ptsMs = 1000u + frame * 33u;
    d.bytes.resize(size);
    for (std::size_t i = 0; i < size; ++i) d.bytes[i] = static_cast<std::uint8_t>((i * 7 + frame) ^ (i >> 8));
    return d;
}

// Pushes fragments in the order given; returns what came out.
std::vector<VideoFrameData> feed(VideoReassembler& r, const std::vector<VideoFragment>& frags) {
    std::vector<VideoFrameData> out;
    for (const auto& f : frags) r.push(f, out);
    return out;
}

std::vector<VideoFrameData> feedFrame(VideoReassembler& r, const VideoFrameData& d) { return feed(r, fragmentVideoFrame(d)); }

void requireSame(const VideoFrameData& a, const VideoFrameData& b) {
    REQUIRE(a.stream == b.stream);
    REQUIRE(a.frame == b.frame);
    REQUIRE(a.layer == b.layer);
    REQUIRE(a.keyframe == b.keyframe);
    REQUIRE(a.tl0 == b.tl0);
    REQUIRE(a.ptsMs == b.ptsMs);
    REQUIRE(a.bytes == b.bytes);
}

} // namespace

TEST_CASE("video stream ids pack publisher and kind, and refuse out-of-range ids", "[net][video]") {
    const VideoStreamId id{1023, VideoKind::Screen};
    REQUIRE(id.packed() == ((1023u << 2) | 1u));
    REQUIRE(VideoStreamId::unpack(id.packed()) == id);
    REQUIRE(VideoStreamId::unpack(0) == VideoStreamId{0, VideoKind::Camera});
    REQUIRE_FALSE(VideoStreamId::unpack(static_cast<std::uint16_t>(kMaxEntities << 2)));  // publisher 1024
    REQUIRE_FALSE(VideoStreamId::unpack(static_cast<std::uint16_t>((5u << 2) | 2u)));      // kind == Count
    REQUIRE_FALSE(VideoStreamId::unpack(static_cast<std::uint16_t>((5u << 2) | 3u)));
}

TEST_CASE("video fragments round trip with fields at their bounds", "[net][video]") {
    const VideoFragment hi = sampleFragment();
    const auto bytes = encodeVideoFragment(hi);
    REQUIRE(bytes.size() == 13 + kVideoFragmentBytes);
    const auto back = decodeVideoFragment(bytes);
    REQUIRE(back);
    REQUIRE(*back == hi);
    REQUIRE(encodeVideoFragment(*back) == bytes);

    VideoFragment lo;
    lo.size = 1;
    lo.bytes[0] = 0xAB;
    const auto lb = encodeVideoFragment(lo);
    REQUIRE(lb.size() == 14);
    const auto lback = decodeVideoFragment(lb);
    REQUIRE(lback);
    REQUIRE(*lback == lo);
    REQUIRE(lback->payload().size() == 1);
    REQUIRE(lback->payload()[0] == 0xAB);

    VideoFragment other = hi;
    other.bytes[17] ^= 1;
    REQUIRE_FALSE(other == hi);
}

TEST_CASE("video fragment encoding refuses out-of-range fields", "[net][video]") {
    auto bad = [](auto mutate) {
        VideoFragment f = sampleFragment();
        mutate(f);
        return encodeVideoFragment(f).empty();
    };
    REQUIRE(bad([](VideoFragment& f) { f.index = f.count; }));
    REQUIRE(bad([](VideoFragment& f) { f.count = 0; f.index = 0; }));
    REQUIRE(bad([](VideoFragment& f) { f.count = 64; }));
    REQUIRE(bad([](VideoFragment& f) { f.size = 0; }));
    REQUIRE(bad([](VideoFragment& f) { f.size = static_cast<std::uint16_t>(kVideoFragmentBytes + 1); }));
    REQUIRE(bad([](VideoFragment& f) { f.layer = 4; }));
    REQUIRE(bad([](VideoFragment& f) { f.stream.publisher = 1024; }));
    REQUIRE(bad([](VideoFragment& f) { f.stream.kind = VideoKind::Count; }));
}

TEST_CASE("video fragment decoding refuses every bad field, short input and trailing bytes", "[net][video]") {
    const auto good = encodeVideoFragment(sampleFragment());
    REQUIRE(decodeVideoFragment(good));
    // Bit positions (LSB first): stream 0..15, frame 16..31, layer 32..33,
    // keyframe 34, tl0 35..42, index 43..48, count 49..54, pts 55..86,
    // size 87..102, pad 103, payload from byte 13.
    auto setBits = [](std::vector<std::uint8_t> b, std::size_t at, int n, std::uint32_t v) {
        for (int i = 0; i < n; ++i) {
            const std::size_t bit = at + static_cast<std::size_t>(i);
            const auto mask = static_cast<std::uint8_t>(1u << (bit % 8));
            if ((v >> i) & 1u) b[bit / 8] = static_cast<std::uint8_t>(b[bit / 8] | mask);
            else b[bit / 8] = static_cast<std::uint8_t>(b[bit / 8] & ~mask);
        }
        return b;
    };
    // The helper itself writes back what is there.
    REQUIRE(decodeVideoFragment(setBits(good, 16, 16, 65535)));
    REQUIRE_FALSE(decodeVideoFragment(setBits(good, 0, 16, 1024u << 2)));          // publisher 1024
    REQUIRE_FALSE(decodeVideoFragment(setBits(good, 0, 16, (3u << 2) | 2u)));       // kind == Count
    REQUIRE_FALSE(decodeVideoFragment(setBits(good, 43, 6, 63)));                   // index 63 >= count 63
    REQUIRE_FALSE(decodeVideoFragment(setBits(setBits(good, 43, 6, 0), 49, 6, 0))); // count 0
    REQUIRE_FALSE(decodeVideoFragment(setBits(good, 87, 16, 0)));                   // size 0
    {
        auto big = setBits(good, 87, 16, kVideoFragmentBytes + 1);                  // size 1101
        big.push_back(0);
        REQUIRE_FALSE(decodeVideoFragment(big));
    }
    REQUIRE_FALSE(decodeVideoFragment(setBits(good, 103, 1, 1)));                   // non-zero padding
    for (std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{12}, std::size_t{13}, good.size() - 1})
        REQUIRE_FALSE(decodeVideoFragment(std::span<const std::uint8_t>(good.data(), n)));
    auto trailing = good;
    trailing.push_back(0);
    REQUIRE_FALSE(decodeVideoFragment(trailing));
    // A shorter size with the same bytes leaves bytes over: refused too.
    REQUIRE_FALSE(decodeVideoFragment(setBits(good, 87, 16, kVideoFragmentBytes - 1)));
}

TEST_CASE("frames are cut into full fragments and a last partial one", "[net][video]") {
    struct Case { std::size_t size; std::size_t count; };
    for (const Case c : {Case{1, 1}, Case{1100, 1}, Case{1101, 2}, Case{69300, 63}}) {
        const VideoFrameData d = makeFrame(c.size, 9, 1, false, 4);
        const auto frags = fragmentVideoFrame(d);
        REQUIRE(frags.size() == c.count);
        std::vector<std::uint8_t> joined;
        for (std::size_t i = 0; i < frags.size(); ++i) {
            const VideoFragment& f = frags[i];
            REQUIRE(f.index == i);
            REQUIRE(f.count == c.count);
            REQUIRE(f.stream == kStream);
            REQUIRE(f.frame == 9);
            REQUIRE(f.layer == 1);
            REQUIRE(f.tl0 == 4);
            REQUIRE(f.ptsMs == d.ptsMs);
            if (i + 1 < frags.size()) REQUIRE(f.size == kVideoFragmentBytes);
            const auto wire = encodeVideoFragment(f);
            REQUIRE_FALSE(wire.empty());
            REQUIRE(decodeVideoFragment(wire) == f);
            joined.insert(joined.end(), f.payload().begin(), f.payload().end());
        }
        REQUIRE(joined == d.bytes);
    }
    REQUIRE(fragmentVideoFrame(makeFrame(69301, 9, 0, false, 0)).empty());
    REQUIRE(fragmentVideoFrame(makeFrame(0, 9, 0, false, 0)).empty());
}

TEST_CASE("reassembly in order, reversed and shuffled gives each frame once", "[net][video]") {
    const VideoFrameData key = makeFrame(5000, 100, 0, true, 10);
    auto frags = fragmentVideoFrame(key);
    REQUIRE(frags.size() == 5);

    SECTION("in order") {
        VideoReassembler r(kStream);
        REQUIRE(r.needKeyframe());
        const auto out = feed(r, frags);
        REQUIRE(out.size() == 1);
        requireSame(out[0], key);
        REQUIRE_FALSE(r.needKeyframe());
        REQUIRE(r.stats().fragments == 5);
        REQUIRE(r.stats().frames == 1);
    }
    SECTION("reversed") {
        std::reverse(frags.begin(), frags.end());
        VideoReassembler r(kStream);
        std::vector<VideoFrameData> out;
        for (std::size_t i = 0; i < frags.size(); ++i) {
            r.push(frags[i], out);
            REQUIRE(out.size() == (i + 1 == frags.size() ? 1u : 0u)); // out only once complete
        }
        requireSame(out[0], key);
    }
    SECTION("shuffled, interleaved with the next frames") {
        std::vector<VideoFragment> all = frags;
        std::vector<VideoFrameData> sent{key};
        for (std::uint16_t n = 1; n <= 2; ++n) {
            sent.push_back(makeFrame(2300u * n, static_cast<std::uint16_t>(100 + n), 0, false, static_cast<std::uint8_t>(10 + n)));
            const auto more = fragmentVideoFrame(sent.back());
            all.insert(all.end(), more.begin(), more.end());
        }
        // Shuffle only within each frame, keeping frames in order, with a fixed LCG.
        std::uint32_t lcg = 12345;
        auto next = [&lcg] { lcg = lcg * 1664525u + 1013904223u; return lcg >> 8; };
        std::size_t begin = 0;
        for (const auto& s : sent) {
            const std::size_t n = fragmentVideoFrame(s).size();
            for (std::size_t i = n; i > 1; --i) std::swap(all[begin + i - 1], all[begin + next() % i]);
            begin += n;
        }
        VideoReassembler r(kStream);
        const auto out = feed(r, all);
        REQUIRE(out.size() == 3);
        for (std::size_t i = 0; i < 3; ++i) requireSame(out[i], sent[i]);
        REQUIRE(r.stats().lost == 0);
    }
}

TEST_CASE("duplicated fragments are counted and give no second frame", "[net][video]") {
    const VideoFrameData key = makeFrame(3000, 1, 0, true, 0);
    std::vector<VideoFragment> twice;
    for (const auto& f : fragmentVideoFrame(key)) {
        twice.push_back(f);
        twice.push_back(f);
    }
    VideoReassembler r(kStream);
    const auto out = feed(r, twice);
    REQUIRE(out.size() == 1);
    requireSame(out[0], key);
    REQUIRE(r.stats().duplicates == 3);
    REQUIRE(r.stats().fragments == 6);
}

TEST_CASE("a frame missing a fragment is abandoned and counted lost", "[net][video]") {
    VideoReassembler r(kStream);
    REQUIRE(feedFrame(r, makeFrame(10, 1, 0, true, 0)).size() == 1);
    auto partial = fragmentVideoFrame(makeFrame(3000, 2, 1, false, 0));
    partial.erase(partial.begin() + 1);
    REQUIRE(feed(r, partial).empty());
    REQUIRE(r.stats().lost == 0);
    // The window moves on: frame 3 (base, follows) comes out; frame 2 can no longer.
    const auto out = feedFrame(r, makeFrame(2000, 3, 0, false, 1));
    REQUIRE(out.size() == 1);
    REQUIRE(out[0].frame == 3);
    REQUIRE(r.stats().lost == 1);
    REQUIRE_FALSE(r.needKeyframe()); // what was lost was an upper layer

    SECTION("the window overflowing abandons the oldest incomplete frame") {
        VideoReassembler w(kStream);
        std::vector<VideoFrameData> got;
        for (std::uint16_t n = 10; n < 10 + VideoReassembler::kWindow + 1; ++n)
            w.push(fragmentVideoFrame(makeFrame(2000, n, 1, false, 0))[0], got); // first halves only
        REQUIRE(got.empty());
        REQUIRE(w.stats().lost == 1);
    }
}

TEST_CASE("a frame older than one given out is dropped as late", "[net][video]") {
    VideoReassembler r(kStream);
    REQUIRE(feedFrame(r, makeFrame(10, 1, 0, true, 0)).size() == 1);
    const auto older = makeFrame(10, 0, 0, false, 0);
    REQUIRE(feedFrame(r, makeFrame(10, 2, 1, false, 0)).size() == 1);
    REQUIRE(feedFrame(r, older).empty());
    REQUIRE(r.stats().late == 1);
    REQUIRE(r.stats().frames == 2);
}

TEST_CASE("frame numbers wrap from 65535 to 0", "[net][video]") {
    VideoReassembler r(kStream);
    REQUIRE(feedFrame(r, makeFrame(1500, 65534, 0, true, 254)).size() == 1);
    REQUIRE(feedFrame(r, makeFrame(1500, 65535, 0, false, 255)).size() == 1);
    const auto out = feedFrame(r, makeFrame(1500, 0, 0, false, 0)); // tl0 wraps too
    REQUIRE(out.size() == 1);
    REQUIRE(out[0].frame == 0);
    REQUIRE(feedFrame(r, makeFrame(1500, 1, 1, false, 0)).size() == 1);
    REQUIRE(feedFrame(r, makeFrame(1500, 65535, 1, false, 255)).empty()); // before the wrap: late
    REQUIRE(r.stats().late == 2);
    REQUIRE_FALSE(r.needKeyframe());
}

TEST_CASE("the tl0 chain decides what decodes", "[net][video]") {
    VideoReassembler r(kStream);
    SECTION("nothing but a keyframe comes out at the start") {
        REQUIRE(feedFrame(r, makeFrame(100, 1, 0, false, 1)).empty());
        REQUIRE(r.needKeyframe());
        REQUIRE(r.stats().undecodable == 1);
        REQUIRE(feedFrame(r, makeFrame(100, 2, 0, true, 2)).size() == 1);
        REQUIRE_FALSE(r.needKeyframe());
    }
    SECTION("a base chain 0,1,2 with upper layers on it decodes") {
        REQUIRE(feedFrame(r, makeFrame(100, 10, 0, true, 0)).size() == 1);
        REQUIRE(feedFrame(r, makeFrame(100, 11, 1, false, 0)).size() == 1);
        REQUIRE(feedFrame(r, makeFrame(100, 12, 0, false, 1)).size() == 1);
        REQUIRE(feedFrame(r, makeFrame(100, 13, 2, false, 1)).size() == 1);
        REQUIRE(feedFrame(r, makeFrame(100, 14, 0, false, 2)).size() == 1);
        REQUIRE_FALSE(r.needKeyframe());
        REQUIRE(r.stats().undecodable == 0);
    }
    SECTION("a base frame skipping a tl0 asks for a keyframe, and only a keyframe comes out") {
        REQUIRE(feedFrame(r, makeFrame(100, 10, 0, true, 0)).size() == 1);
        REQUIRE(feedFrame(r, makeFrame(100, 12, 0, false, 2)).empty()); // base tl0 1 was lost
        REQUIRE(r.needKeyframe());
        REQUIRE(feedFrame(r, makeFrame(100, 13, 1, false, 2)).empty());
        REQUIRE(feedFrame(r, makeFrame(100, 14, 0, false, 3)).empty());
        REQUIRE(r.needKeyframe());
        REQUIRE(r.stats().undecodable == 3);
        const auto out = feedFrame(r, makeFrame(100, 15, 0, true, 4));
        REQUIRE(out.size() == 1);
        REQUIRE(out[0].keyframe);
        REQUIRE_FALSE(r.needKeyframe());
        REQUIRE(feedFrame(r, makeFrame(100, 16, 1, false, 4)).size() == 1);
    }
    SECTION("an upper-layer frame on a stale tl0 is dropped without asking for a keyframe") {
        REQUIRE(feedFrame(r, makeFrame(100, 10, 0, true, 0)).size() == 1);
        REQUIRE(feedFrame(r, makeFrame(100, 11, 0, false, 1)).size() == 1);
        REQUIRE(feedFrame(r, makeFrame(100, 12, 1, false, 0)).empty());
        REQUIRE(feedFrame(r, makeFrame(100, 13, 2, false, 2)).empty());
        REQUIRE(r.stats().undecodable == 2);
        REQUIRE_FALSE(r.needKeyframe());
        REQUIRE(feedFrame(r, makeFrame(100, 14, 0, false, 2)).size() == 1);
    }
    SECTION("thinning by the server (every upper-layer frame dropped) never asks for a keyframe") {
        std::uint8_t tl0 = 0;
        std::size_t outs = 0;
        for (std::uint16_t n = 0; n < 64; ++n) {
            const std::uint8_t layer = (n % 4 == 0) ? 0 : (n % 2 == 0 ? 1 : 2);
            if (layer == 0 && n > 0) ++tl0;
            if (layer != 0) continue; // the server's cut
            outs += feedFrame(r, makeFrame(1500, n, layer, n == 0, tl0)).size();
            REQUIRE_FALSE(r.needKeyframe());
        }
        REQUIRE(outs == 16);
        REQUIRE(r.stats().lost == 0);
        REQUIRE(r.stats().undecodable == 0);
    }
}

TEST_CASE("fragments that disagree with their frame, or are foreign, are counted malformed", "[net][video]") {
    VideoReassembler r(kStream);
    auto frags = fragmentVideoFrame(makeFrame(3000, 5, 0, true, 0));
    std::vector<VideoFrameData> out;
    r.push(frags[0], out);
    VideoFragment wrongCount = frags[1];
    wrongCount.count = 4;
    r.push(wrongCount, out);
    REQUIRE(r.stats().malformed == 1);
    VideoFragment wrongPts = frags[1];
    ++wrongPts.ptsMs;
    r.push(wrongPts, out);
    VideoFragment foreign = frags[1];
    foreign.stream = {8, VideoKind::Camera};
    r.push(foreign, out);
    VideoFragment shortMiddle = frags[1];
    shortMiddle.size = 10; // only a frame's last fragment may be short
    r.push(shortMiddle, out);
    REQUIRE(r.stats().malformed == 4);
    REQUIRE(out.empty());
    r.push(frags[1], out);
    r.push(frags[2], out);
    REQUIRE(out.size() == 1);
    REQUIRE(out[0].bytes.size() == 3000);
}

TEST_CASE("video wire: a publisher's numbering counts frames, and tl0 per base frame after the first", "[video][net]") {
    VideoFrameNumbering n;
    const VideoStreamId s{3, VideoKind::Camera};
    const std::uint8_t layers[] = {0, 2, 1, 2, 0, 2, 1, 2, 0};
    std::vector<VideoFrameData> out;
    for (std::size_t i = 0; i < std::size(layers); ++i) out.push_back(n.next(s, layers[i], i == 0, i * 41'666u, {std::uint8_t(i)}));
    for (std::size_t i = 0; i < out.size(); ++i) {
        CHECK(out[i].frame == i);
        CHECK(out[i].stream == s);
        CHECK(out[i].layer == layers[i]);
        CHECK(out[i].tl0 == i / 4);            // one up at each base frame after the first
        CHECK(out[i].ptsMs == i * 41'666u / 1000);
        CHECK(out[i].bytes == std::vector<std::uint8_t>{std::uint8_t(i)});
    }
    CHECK(out[0].keyframe);
    CHECK_FALSE(out[1].keyframe);
    // tl0 is a byte: 256 base frames later it is back at 0, as the reassembler expects.
    VideoFrameNumbering w;
    VideoFrameData last;
    for (int i = 0; i < 257; ++i) last = w.next(s, 0, false, 0, {1});
    CHECK(last.tl0 == 0);
    CHECK(last.frame == 256);
}
