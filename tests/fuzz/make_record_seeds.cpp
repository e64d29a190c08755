// Writes fuzz_record_reader's seeds into DIR/fuzz_record_reader/:
//   caseroom_make_record_seeds tests/fuzz/corpus
// Small real recordings (closed, unclosed, truncated) under the fuzz key,
// mode byte 0, and block plaintexts for the harness's sealing mode (1, 3).
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "record/format.h"
#include "record_fuzz_common.h"

using namespace caseroom;
using namespace caseroom::record;
namespace fs = std::filesystem;

namespace {

fs::path gDir;

void put(const std::string& name, std::uint8_t mode, const std::vector<std::uint8_t>& bytes) {
    fs::create_directories(gDir);
    std::ofstream out(gDir / name, std::ios::binary | std::ios::trunc);
    out.put(static_cast<char>(mode));
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

TickRecord tick(std::uint32_t t) {
    TickRecord r;
    r.tick = t;
    if (t == 2) r.joined = {{1, 1, core::Role::Spoke, "Dr. Spoke"}};
    if (t == 9) r.left = {1};
    r.avatars = {{0, {1, 2, 3, std::uint8_t(t)}}, {1, {4, 5}}};
    if (t % 3 == 0) r.objects = {{3, 7, false, {9, 8, 7}}, {4, 2, true, {}}};
    if (t % 2 == 0) r.voice = {{t * 33, 0, std::uint16_t(t), 7, 20, false, std::vector<std::uint8_t>(12, std::uint8_t(t))}};
    if (t == 5) r.events = {{2, 0, 0xFFFF, 1, 3, "case 1: hepatitis"}};
    if (t % 2 == 1) r.video = {{t * 33, 5, std::vector<std::uint8_t>(20, std::uint8_t(t))}}; // format version 2
    return r;
}

Keyframe key(std::uint32_t t) {
    Keyframe k;
    k.tick = t;
    k.present = {{0, 1, core::Role::Facilitator, "Fac"}};
    k.avatars = {{0, {1, 2, 3, 4, 5, 6}}};
    k.objects = {{3, 7, false, {1, 2}}};
    return k;
}

std::vector<std::uint8_t> recording(const fs::path& tmp, std::uint32_t ticks, std::uint32_t flush) {
    std::error_code ec;
    fs::remove(tmp, ec);
    WriterConfig c;
    c.path = tmp.string();
    c.key = fuzz::recordFuzzKey();
    c.info.room = "FUZZ";
    c.info.title = "seed";
    c.info.roomSpec = "[room FUZZ]\n";
    c.flushTicks = flush;
    c.syncEachBlock = false;
    auto w = RecordingWriter::create(c);
    if (!w) return {};
    for (std::uint32_t t = 1; t <= ticks; ++t) {
        if (t % 8 == 1) (*w)->keyframe(key(t));
        else (*w)->append(tick(t));
        if (t == 4) (*w)->mark({t, 1, 0, "didactic"});
        if (t == 12) (*w)->pause({t, 2, 0});
    }
    (void)(*w)->close();
    std::ifstream in(tmp, std::ios::binary);
    std::vector<std::uint8_t> b{std::istreambuf_iterator<char>(in), {}};
    fs::remove(tmp, ec);
    return b;
}

// [u16 len][plaintext] for the sealing mode.
void block(std::vector<std::uint8_t>& out, const format::Out& o) {
    out.push_back(std::uint8_t(o.bytes.size()));
    out.push_back(std::uint8_t(o.bytes.size() >> 8));
    out.insert(out.end(), o.bytes.begin(), o.bytes.end());
}

} // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: caseroom_make_record_seeds CORPUS_DIR\n");
        return 2;
    }
    gDir = fs::path(argv[1]) / "fuzz_record_reader";
    const fs::path tmp = fs::temp_directory_path() / "caseroom_record_seed.crrec";
    auto closed = recording(tmp, 20, 4);
    if (closed.empty()) return 1;
    put("closed", 0, closed);
    put("closed-one-block-per-tick", 0, recording(tmp, 10, 1));
    auto cut = closed;
    cut.resize(cut.size() * 2 / 3);
    put("truncated", 0, cut);
    auto flipped = closed;
    flipped[flipped.size() / 2] ^= 0x20;
    put("flipped", 0, flipped);

    // Sealing mode: info, ticks, keyframe, index.
    format::Sizes sizes;
    std::vector<std::uint8_t> blocks;
    format::Out info;
    info.u8(std::uint8_t(BlockKind::Info));
    format::encodeInfo(info, RecordingInfo{"FUZZ", "t", 1, 2, 30, 1, Policy::DidacticOnly, "[room FUZZ]\n"});
    block(blocks, info);
    format::Out kf;
    kf.u8(std::uint8_t(BlockKind::Keyframe));
    format::encodeKeyframe(kf, key(1), sizes);
    block(blocks, kf);
    format::Out ticks;
    ticks.u8(std::uint8_t(BlockKind::Ticks));
    for (std::uint32_t t = 2; t <= 6; ++t) {
        ticks.u8(std::uint8_t(format::Item::Tick));
        format::encodeTick(ticks, tick(t), sizes);
    }
    ticks.u8(std::uint8_t(format::Item::Mark));
    format::encodeMark(ticks, {4, 1, 0, "didactic"});
    ticks.u8(std::uint8_t(format::Item::Pause));
    format::encodePause(ticks, {6, 2, 1});
    block(blocks, ticks);
    put("sealed-blocks", 1, blocks);
    format::Out index;
    index.u8(std::uint8_t(BlockKind::Index));
    format::Index x;
    const std::uint64_t infoEnd = format::kHeaderBytes + format::kFrameBytes + info.bytes.size() + format::kTagBytes;
    x.blocks = {{{BlockKind::Keyframe, infoEnd, 1, 1}, 1},
                {{BlockKind::Ticks, infoEnd + format::kFrameBytes + kf.bytes.size() + format::kTagBytes, 2, 6}, 2}};
    x.marks = {{4, 1, 0, "didactic"}};
    x.pauses = {{6, 2, 1}};
    x.everyone = {{0, 1, core::Role::Facilitator, "Fac"}};
    format::encodeIndex(index, x);
    block(blocks, index);
    put("sealed-with-index", 3, blocks);
    std::printf("seeds written under %s\n", gDir.c_str());
    return 0;
}
