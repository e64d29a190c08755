// Internal to caseroom_record: the file's clear framing (header, frame,
// trailer), the per-file key and the plaintext codec of the blocks.
// docs/RECORDING.md "File format" describes every byte; keep them in step.
#pragma once
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "record/recording.h"

namespace caseroom::record::format {

// ---- Clear framing ----------------------------------------------------------------
constexpr std::uint8_t kFileMagic[8] = {'C', 'R', 'R', 'E', 'C', 'O', 'R', 'D'};
constexpr std::uint8_t kFrameMagic[4] = {0xC5, 'R', 'B', 'K'};
constexpr std::uint8_t kTrailerMagic[8] = {'C', 'R', 'R', 'E', 'C', 'E', 'N', 'D'};
constexpr std::size_t kKeyIdBytes = 8;
constexpr std::size_t kSaltBytes = 16;
constexpr std::size_t kHeaderBytes = 48;   // magic 8, version 4, key id 8, salt 16, reserved 4, checksum 8
constexpr std::size_t kFrameBytes = 20;    // magic 4, seq 8, cipher length 4, checksum 4
constexpr std::size_t kTrailerBytes = 24;  // magic 8, index offset 8, checksum 8
constexpr std::size_t kTagBytes = 16;      // Poly1305
constexpr std::uint32_t kMaxCipherBytes = 64u * 1024 * 1024; // a frame longer than this is damage

using KeyId = std::array<std::uint8_t, kKeyIdBytes>;
using Salt = std::array<std::uint8_t, kSaltBytes>;

struct Header {
    std::uint32_t version = kFormatVersion;
    KeyId keyId{};
    Salt salt{};
};
struct FrameHeader {
    std::uint64_t seq = 0;
    std::uint32_t cipherBytes = 0;
};

[[nodiscard]] bool initSodium();
[[nodiscard]] KeyId keyIdOf(const Key& key);
[[nodiscard]] std::string hex(std::span<const std::uint8_t> bytes);
[[nodiscard]] Key fileKey(const Key& key, const Salt& salt);

void putHeader(std::uint8_t out[kHeaderBytes], const Header& h);
// False when the magic or checksum is wrong (version is returned as found).
[[nodiscard]] bool getHeader(const std::uint8_t in[kHeaderBytes], Header& h, std::string& why);
void putFrame(std::uint8_t out[kFrameBytes], const FrameHeader& f);
// Magic and checksum only; lengths are the caller's to judge.
[[nodiscard]] bool getFrame(const std::uint8_t in[kFrameBytes], FrameHeader& f);
void putTrailer(std::uint8_t out[kTrailerBytes], std::uint64_t indexOffset);
[[nodiscard]] bool getTrailer(const std::uint8_t in[kTrailerBytes], std::uint64_t& indexOffset);

// Seals `plain` as the frame `f` (f.cipherBytes must be plain.size() + 16):
// out = frame header || ciphertext. Open: false when the tag fails.
void seal(std::vector<std::uint8_t>& out, std::uint64_t seq, std::span<const std::uint8_t> plain, const Key& fileKey);
[[nodiscard]] bool open(std::vector<std::uint8_t>& plain, const std::uint8_t frame[kFrameBytes],
                        std::span<const std::uint8_t> cipher, const Key& fileKey);

// ---- Plaintext codec --------------------------------------------------------------
// Limits (recording.h): longer strings are cut, longer byte items dropped by
// the writer, and refused by the reader (damage).
constexpr std::size_t kMaxName = 48, kMaxState = 64, kMaxObject = 512, kMaxOpus = 400, kMaxVideo = kMaxVideoWireBytes;
constexpr std::size_t kMaxText = 512, kMaxLabel = 96, kMaxRoom = 64, kMaxTitle = 256;
constexpr std::size_t kMaxRoomSpec = 64 * 1024;
constexpr std::size_t kMaxPerTick = 4096;      // items of one kind in one tick or keyframe
constexpr std::size_t kMaxIndexItems = 1u << 22;

enum class Item : std::uint8_t { Tick = 1, Pause = 2, Mark = 3 };

class Out {
public:
    std::vector<std::uint8_t> bytes;
    void u8(std::uint8_t v) { bytes.push_back(v); }
    void u16(std::uint16_t v) { u8(std::uint8_t(v)); u8(std::uint8_t(v >> 8)); }
    void u64(std::uint64_t v) { for (int i = 0; i < 8; ++i) u8(std::uint8_t(v >> (8 * i))); }
    void var(std::uint64_t v) {
        while (v >= 0x80) { u8(std::uint8_t(v | 0x80)); v >>= 7; }
        u8(std::uint8_t(v));
    }
    void blob(std::span<const std::uint8_t> b) { var(b.size()); bytes.insert(bytes.end(), b.begin(), b.end()); }
    void str(const std::string& s, std::size_t max);
};

// Every read is bounded; the first failure sticks (ok() false) and every
// later read returns zero, so a decoder checks once at the end.
class In {
public:
    In(std::span<const std::uint8_t> b) : b_(b) {}
    [[nodiscard]] bool ok() const { return ok_; }
    [[nodiscard]] bool done() const { return pos_ == b_.size(); }
    [[nodiscard]] std::size_t left() const { return b_.size() - pos_; }
    void fail() { ok_ = false; pos_ = b_.size(); }
    std::uint8_t u8();
    std::uint16_t u16();
    std::uint64_t u64();
    std::uint64_t var(std::uint64_t max);
    // A length or count: at most `max` and at most the bytes left after it
    // (every item takes a byte at least), so nothing is allocated for bytes that are not there.
    std::size_t count(std::size_t max) {
        const std::uint64_t v = var(max);
        if (v > left()) { fail(); return 0; }
        return std::size_t(v);
    }
    void blob(std::vector<std::uint8_t>& out, std::size_t max);
    void str(std::string& out, std::size_t max);

private:
    std::span<const std::uint8_t> b_;
    std::size_t pos_ = 0;
    bool ok_ = true;
};

struct Sizes { std::uint64_t avatar = 0, object = 0, voice = 0, event = 0, voiceFrames = 0, video = 0, videoFragments = 0; };

void encodeInfo(Out& o, const RecordingInfo& i);
// `version`: the file's format version. A tick record of version 2 is
// version 1's followed by its video list; version 1 has none (t.video is
// not written, and read back empty).
void encodeTick(Out& o, const TickRecord& t, Sizes& s, std::uint32_t version = kFormatVersion);
void encodePause(Out& o, const Pause& p);
void encodeMark(Out& o, const Mark& m);
void encodeKeyframe(Out& o, const Keyframe& k, Sizes& s);
void encodePresent(Out& o, const Present& p);

bool decodeInfo(In& in, RecordingInfo& i);
bool decodeTick(In& in, TickRecord& t, std::uint32_t version = kFormatVersion);
bool decodePause(In& in, Pause& p);
bool decodeMark(In& in, Mark& m);
bool decodeKeyframe(In& in, Keyframe& k);
bool decodePresent(In& in, Present& p);

// The Index block's content (after its kind byte).
struct IndexEntry { BlockRef ref; std::uint64_t seq = 0; };
struct Index {
    std::vector<IndexEntry> blocks;
    std::vector<Mark> marks;
    std::vector<Pause> pauses;
    std::vector<Present> everyone;
};
void encodeIndex(Out& o, const Index& x);
bool decodeIndex(In& in, Index& x);

// Everyone present in a recording, by first appearance: a participant
// (slot, instance) is listed once; a later sample with a name fills in one
// that was unnamed (they acknowledged the recording after entering).
inline void noteEveryone(std::vector<Present>& everyone, const Present& p) {
    for (Present& e : everyone)
        if (e.slot == p.slot && e.instance == p.instance) {
            if (e.name.empty() && !p.name.empty()) e.name = p.name;
            return;
        }
    everyone.push_back(p);
}

} // namespace caseroom::record::format
