// The clear framing, the keys and the plaintext codec (format.h).
#include "record/format.h"

#include <sodium.h>

#include <cstring>

namespace caseroom::record::format {

namespace {

void le32(std::uint8_t* p, std::uint32_t v) { for (int i = 0; i < 4; ++i) p[i] = std::uint8_t(v >> (8 * i)); }
void le64(std::uint8_t* p, std::uint64_t v) { for (int i = 0; i < 8; ++i) p[i] = std::uint8_t(v >> (8 * i)); }
std::uint32_t rd32(const std::uint8_t* p) { std::uint32_t v = 0; for (int i = 3; i >= 0; --i) v = (v << 8) | p[i]; return v; }
std::uint64_t rd64(const std::uint8_t* p) { std::uint64_t v = 0; for (int i = 7; i >= 0; --i) v = (v << 8) | p[i]; return v; }

// Unkeyed BLAKE2b of `n` bytes, cut to `outBytes` (a damage check, not a MAC:
// the AEAD tag authenticates).
void digest(std::uint8_t* out, std::size_t outBytes, const std::uint8_t* in, std::size_t n) {
    std::uint8_t h[crypto_generichash_BYTES_MIN];
    crypto_generichash(h, sizeof h, in, n, nullptr, 0);
    std::memcpy(out, h, outBytes);
}

constexpr char kKeyIdContext[] = "caseroom recording key id";
constexpr char kFileKeyContext[] = "caseroom recording file key v1";

} // namespace

bool initSodium() { return sodium_init() >= 0; }

KeyId keyIdOf(const Key& key) {
    std::uint8_t h[crypto_generichash_BYTES_MIN];
    crypto_generichash(h, sizeof h, reinterpret_cast<const std::uint8_t*>(kKeyIdContext), sizeof kKeyIdContext - 1,
                       key.data(), key.size());
    KeyId id{};
    std::memcpy(id.data(), h, id.size());
    return id;
}

std::string hex(std::span<const std::uint8_t> bytes) {
    static const char* d = "0123456789abcdef";
    std::string s;
    for (auto b : bytes) { s += d[b >> 4]; s += d[b & 15]; }
    return s;
}

Key fileKey(const Key& key, const Salt& salt) {
    std::uint8_t msg[sizeof kFileKeyContext - 1 + kSaltBytes];
    std::memcpy(msg, kFileKeyContext, sizeof kFileKeyContext - 1);
    std::memcpy(msg + sizeof kFileKeyContext - 1, salt.data(), salt.size());
    Key k{};
    crypto_generichash(k.data(), k.size(), msg, sizeof msg, key.data(), key.size());
    return k;
}

void putHeader(std::uint8_t out[kHeaderBytes], const Header& h) {
    std::memset(out, 0, kHeaderBytes);
    std::memcpy(out, kFileMagic, 8);
    le32(out + 8, h.version);
    std::memcpy(out + 12, h.keyId.data(), kKeyIdBytes);
    std::memcpy(out + 20, h.salt.data(), kSaltBytes);
    // 36..39 reserved, zero
    digest(out + 40, 8, out, 40);
}

bool getHeader(const std::uint8_t in[kHeaderBytes], Header& h, std::string& why) {
    if (std::memcmp(in, kFileMagic, 8) != 0) { why = "not a CaseRoom recording (bad magic)"; return false; }
    std::uint8_t sum[8];
    digest(sum, 8, in, 40);
    if (std::memcmp(sum, in + 40, 8) != 0) { why = "damaged header (checksum mismatch)"; return false; }
    h.version = rd32(in + 8);
    std::memcpy(h.keyId.data(), in + 12, kKeyIdBytes);
    std::memcpy(h.salt.data(), in + 20, kSaltBytes);
    return true;
}

void putFrame(std::uint8_t out[kFrameBytes], const FrameHeader& f) {
    std::memcpy(out, kFrameMagic, 4);
    le64(out + 4, f.seq);
    le32(out + 12, f.cipherBytes);
    digest(out + 16, 4, out, 16);
}

bool getFrame(const std::uint8_t in[kFrameBytes], FrameHeader& f) {
    if (std::memcmp(in, kFrameMagic, 4) != 0) return false;
    std::uint8_t sum[4];
    digest(sum, 4, in, 16);
    if (std::memcmp(sum, in + 16, 4) != 0) return false;
    f.seq = rd64(in + 4);
    f.cipherBytes = rd32(in + 12);
    return true;
}

void putTrailer(std::uint8_t out[kTrailerBytes], std::uint64_t indexOffset) {
    std::memcpy(out, kTrailerMagic, 8);
    le64(out + 8, indexOffset);
    digest(out + 16, 8, out, 16);
}

bool getTrailer(const std::uint8_t in[kTrailerBytes], std::uint64_t& indexOffset) {
    if (std::memcmp(in, kTrailerMagic, 8) != 0) return false;
    std::uint8_t sum[8];
    digest(sum, 8, in, 16);
    if (std::memcmp(sum, in + 16, 8) != 0) return false;
    indexOffset = rd64(in + 8);
    return true;
}

namespace {
void nonceOf(std::uint8_t n[crypto_aead_xchacha20poly1305_ietf_NPUBBYTES], std::uint64_t seq) {
    std::memset(n, 0, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
    le64(n, seq);
}
} // namespace

void seal(std::vector<std::uint8_t>& out, std::uint64_t seq, std::span<const std::uint8_t> plain, const Key& key) {
    out.resize(kFrameBytes + plain.size() + kTagBytes);
    putFrame(out.data(), {seq, std::uint32_t(plain.size() + kTagBytes)});
    std::uint8_t n[crypto_aead_xchacha20poly1305_ietf_NPUBBYTES];
    nonceOf(n, seq);
    unsigned long long clen = 0;
    crypto_aead_xchacha20poly1305_ietf_encrypt(out.data() + kFrameBytes, &clen, plain.data(), plain.size(),
                                               out.data(), kFrameBytes, nullptr, n, key.data());
}

bool open(std::vector<std::uint8_t>& plain, const std::uint8_t frame[kFrameBytes], std::span<const std::uint8_t> cipher,
          const Key& key) {
    if (cipher.size() < kTagBytes) return false;
    FrameHeader f;
    if (!getFrame(frame, f)) return false;
    std::uint8_t n[crypto_aead_xchacha20poly1305_ietf_NPUBBYTES];
    nonceOf(n, f.seq);
    plain.resize(cipher.size() - kTagBytes);
    unsigned long long plen = 0;
    return crypto_aead_xchacha20poly1305_ietf_decrypt(plain.data(), &plen, nullptr, cipher.data(), cipher.size(), frame,
                                                      kFrameBytes, n, key.data()) == 0;
}

// ---- Codec ------------------------------------------------------------------------

void Out::str(const std::string& s, std::size_t max) {
    std::size_t n = std::min(s.size(), max);
    // Cut on a UTF-8 boundary so a cut name stays text.
    while (n < s.size() && n > 0 && (std::uint8_t(s[n]) & 0xC0) == 0x80) --n;
    var(n);
    bytes.insert(bytes.end(), s.begin(), s.begin() + std::ptrdiff_t(n));
}

std::uint8_t In::u8() {
    if (pos_ >= b_.size()) { fail(); return 0; }
    return b_[pos_++];
}
std::uint16_t In::u16() { std::uint16_t lo = u8(); return std::uint16_t(lo | (u8() << 8)); }
std::uint64_t In::u64() {
    if (left() < 8) { fail(); return 0; }
    std::uint64_t v = rd64(b_.data() + pos_);
    pos_ += 8;
    return v;
}
std::uint64_t In::var(std::uint64_t max) {
    std::uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        std::uint8_t b = u8();
        if (!ok_) return 0;
        v |= std::uint64_t(b & 0x7F) << shift;
        if (!(b & 0x80)) {
            if (v > max) { fail(); return 0; }
            return v;
        }
    }
    fail();
    return 0;
}
void In::blob(std::vector<std::uint8_t>& out, std::size_t max) {
    std::size_t n = count(max);
    if (!ok_) return;
    out.assign(b_.begin() + std::ptrdiff_t(pos_), b_.begin() + std::ptrdiff_t(pos_ + n));
    pos_ += n;
}
void In::str(std::string& out, std::size_t max) {
    std::size_t n = count(max);
    if (!ok_) return;
    out.assign(reinterpret_cast<const char*>(b_.data() + pos_), n);
    pos_ += n;
}

namespace {

template <typename T, typename F>
void list(Out& o, const std::vector<T>& v, F&& each) {
    std::size_t n = std::min(v.size(), kMaxPerTick);
    o.var(n);
    for (std::size_t i = 0; i < n; ++i) each(v[i]);
}
template <typename T, typename F>
bool list(In& in, std::vector<T>& v, std::size_t max, F&& each) {
    std::size_t n = in.count(max);
    v.clear();
    v.reserve(n);
    for (std::size_t i = 0; i < n && in.ok(); ++i) {
        v.emplace_back();
        if (!each(v.back())) in.fail();
    }
    return in.ok();
}

// Byte items over their limit are dropped by the writer (a cut Opus frame or
// avatar state would decode as garbage); counts give the kept ones.
template <typename T, typename P>
std::vector<const T*> kept(const std::vector<T>& v, P&& fits) {
    std::vector<const T*> out;
    for (const auto& x : v) if (out.size() < kMaxPerTick && fits(x)) out.push_back(&x);
    return out;
}

void encodeAvatar(Out& o, const AvatarSample& a) { o.var(a.slot); o.blob(a.state); }
bool decodeAvatar(In& in, AvatarSample& a) { a.slot = std::uint16_t(in.var(0xFFFF)); in.blob(a.state, kMaxState); return in.ok(); }

void encodeObject(Out& o, const ObjectSample& x) {
    o.u8(x.kind); o.var(x.id); o.u8(x.removed ? 1 : 0);
    if (x.removed) o.var(0); else o.blob(x.bytes);
}
bool decodeObject(In& in, ObjectSample& x) {
    x.kind = in.u8(); x.id = std::uint16_t(in.var(0xFFFF));
    std::uint8_t r = in.u8();
    if (r > 1) in.fail();
    x.removed = r == 1;
    in.blob(x.bytes, x.removed ? 0 : kMaxObject);
    return in.ok();
}

void encodeVoice(Out& o, const VoiceSample& v) {
    // flags bit 0: talkStart (silence before the frame, not loss).
    o.var(v.atMs); o.var(v.slot); o.u16(v.seq); o.u8(v.level); o.u8(v.frameMs); o.u8(v.talkStart ? 1 : 0); o.blob(v.opus);
}
bool decodeVoice(In& in, VoiceSample& v) {
    v.atMs = std::uint32_t(in.var(0xFFFFFFFFu)); v.slot = std::uint16_t(in.var(0xFFFF)); v.seq = in.u16();
    v.level = in.u8();
    v.frameMs = in.u8();
    const std::uint8_t flags = in.u8();
    if (flags > 1) in.fail();
    v.talkStart = flags == 1;
    in.blob(v.opus, kMaxOpus);
    return in.ok();
}

void encodeEvent(Out& o, const EventSample& e) {
    o.u8(e.kind); o.u16(e.actor); o.u16(e.target); o.var(e.item); o.var(e.value); o.str(e.text, kMaxText);
}
bool decodeEvent(In& in, EventSample& e) {
    e.kind = in.u8(); e.actor = in.u16(); e.target = in.u16(); e.item = std::uint16_t(in.var(0xFFFF));
    e.value = std::uint32_t(in.var(0xFFFFFFFFu)); in.str(e.text, kMaxText);
    return in.ok();
}

void encodeVideo(Out& o, const VideoSample& v) { o.var(v.atMs); o.u16(v.stream); o.blob(v.wire); }
bool decodeVideo(In& in, VideoSample& v) {
    v.atMs = std::uint32_t(in.var(0xFFFFFFFFu));
    v.stream = in.u16();
    in.blob(v.wire, kMaxVideo);
    if (v.wire.empty()) in.fail(); // a fragment is never empty (the writer keeps none)
    return in.ok();
}

bool fitsAvatar(const AvatarSample& a) { return a.state.size() <= kMaxState; }
bool fitsObject(const ObjectSample& x) { return x.removed || x.bytes.size() <= kMaxObject; }
bool fitsVoice(const VoiceSample& v) { return v.opus.size() <= kMaxOpus; }
bool fitsVideo(const VideoSample& v) { return !v.wire.empty() && v.wire.size() <= kMaxVideo; }

template <typename T, typename E>
void keptList(Out& o, const std::vector<const T*>& v, E&& enc) { o.var(v.size()); for (auto* x : v) enc(o, *x); }

} // namespace

void encodePresent(Out& o, const Present& p) {
    o.var(p.slot); o.var(p.instance); o.u8(std::uint8_t(p.role)); o.str(p.name, kMaxName);
}
bool decodePresent(In& in, Present& p) {
    p.slot = std::uint16_t(in.var(0xFFFF)); p.instance = std::uint16_t(in.var(0xFFFF));
    std::uint8_t r = in.u8();
    if (r >= std::uint8_t(core::Role::Count)) in.fail();
    p.role = core::Role(r);
    in.str(p.name, kMaxName);
    return in.ok();
}

void encodeInfo(Out& o, const RecordingInfo& i) {
    o.str(i.room, kMaxRoom); o.str(i.title, kMaxTitle); o.u64(i.session); o.u64(i.startedUnix);
    o.var(i.tickRate); o.var(i.firstTick); o.u8(std::uint8_t(i.policy)); o.str(i.roomSpec, kMaxRoomSpec);
}
bool decodeInfo(In& in, RecordingInfo& i) {
    in.str(i.room, kMaxRoom); in.str(i.title, kMaxTitle); i.session = in.u64(); i.startedUnix = in.u64();
    i.tickRate = std::uint32_t(in.var(100000)); i.firstTick = std::uint32_t(in.var(0xFFFFFFFFu));
    std::uint8_t p = in.u8();
    if (p >= std::uint8_t(Policy::Count)) in.fail();
    i.policy = Policy(p);
    in.str(i.roomSpec, kMaxRoomSpec);
    return in.ok();
}

void encodeTick(Out& o, const TickRecord& t, Sizes& s, std::uint32_t version) {
    o.var(t.tick);
    list(o, t.joined, [&](const Present& p) { encodePresent(o, p); });
    list(o, t.left, [&](std::uint16_t slot) { o.var(slot); });
    auto av = kept(t.avatars, fitsAvatar);
    keptList(o, av, encodeAvatar);
    for (auto* a : av) s.avatar += a->state.size();
    auto ob = kept(t.objects, fitsObject);
    keptList(o, ob, encodeObject);
    for (auto* x : ob) s.object += x->bytes.size();
    auto vo = kept(t.voice, fitsVoice);
    keptList(o, vo, encodeVoice);
    for (auto* v : vo) { s.voice += v->opus.size(); ++s.voiceFrames; }
    std::size_t before = o.bytes.size();
    list(o, t.events, [&](const EventSample& e) { encodeEvent(o, e); });
    s.event += o.bytes.size() - before;
    if (version < 2) return;
    auto vi = kept(t.video, fitsVideo);
    keptList(o, vi, encodeVideo);
    for (auto* v : vi) { s.video += v->wire.size(); ++s.videoFragments; }
}
bool decodeTick(In& in, TickRecord& t, std::uint32_t version) {
    t.tick = std::uint32_t(in.var(0xFFFFFFFFu));
    list(in, t.joined, kMaxPerTick, [&](Present& p) { return decodePresent(in, p); });
    list(in, t.left, kMaxPerTick, [&](std::uint16_t& s) { s = std::uint16_t(in.var(0xFFFF)); return in.ok(); });
    list(in, t.avatars, kMaxPerTick, [&](AvatarSample& a) { return decodeAvatar(in, a); });
    list(in, t.objects, kMaxPerTick, [&](ObjectSample& x) { return decodeObject(in, x); });
    list(in, t.voice, kMaxPerTick, [&](VoiceSample& v) { return decodeVoice(in, v); });
    list(in, t.events, kMaxPerTick, [&](EventSample& e) { return decodeEvent(in, e); });
    t.video.clear();
    if (version >= 2) list(in, t.video, kMaxPerTick, [&](VideoSample& v) { return decodeVideo(in, v); });
    return in.ok();
}

void encodePause(Out& o, const Pause& p) { o.var(p.tick); o.u8(p.phase); o.u8(p.why); }
bool decodePause(In& in, Pause& p) {
    p.tick = std::uint32_t(in.var(0xFFFFFFFFu)); p.phase = in.u8(); p.why = in.u8();
    return in.ok();
}
void encodeMark(Out& o, const Mark& m) { o.var(m.tick); o.u8(m.phase); o.var(m.entry); o.str(m.label, kMaxLabel); }
bool decodeMark(In& in, Mark& m) {
    m.tick = std::uint32_t(in.var(0xFFFFFFFFu)); m.phase = in.u8(); m.entry = std::uint16_t(in.var(0xFFFF));
    in.str(m.label, kMaxLabel);
    return in.ok();
}

void encodeKeyframe(Out& o, const Keyframe& k, Sizes& s) {
    o.var(k.tick);
    list(o, k.present, [&](const Present& p) { encodePresent(o, p); });
    auto av = kept(k.avatars, fitsAvatar);
    keptList(o, av, encodeAvatar);
    for (auto* a : av) s.avatar += a->state.size();
    auto ob = kept(k.objects, fitsObject);
    keptList(o, ob, encodeObject);
    for (auto* x : ob) s.object += x->bytes.size();
}
bool decodeKeyframe(In& in, Keyframe& k) {
    k.tick = std::uint32_t(in.var(0xFFFFFFFFu));
    list(in, k.present, kMaxPerTick, [&](Present& p) { return decodePresent(in, p); });
    list(in, k.avatars, kMaxPerTick, [&](AvatarSample& a) { return decodeAvatar(in, a); });
    list(in, k.objects, kMaxPerTick, [&](ObjectSample& x) { return decodeObject(in, x); });
    return in.ok();
}

void encodeIndex(Out& o, const Index& x) {
    o.var(x.blocks.size());
    for (const auto& b : x.blocks) {
        o.u8(std::uint8_t(b.ref.kind)); o.var(b.ref.offset); o.var(b.seq); o.var(b.ref.firstTick); o.var(b.ref.lastTick);
    }
    o.var(x.marks.size());
    for (const auto& m : x.marks) encodeMark(o, m);
    o.var(x.pauses.size());
    for (const auto& p : x.pauses) encodePause(o, p);
    o.var(x.everyone.size());
    for (const auto& p : x.everyone) encodePresent(o, p);
}
bool decodeIndex(In& in, Index& x) {
    list(in, x.blocks, kMaxIndexItems, [&](IndexEntry& b) {
        std::uint8_t k = in.u8();
        if (k != std::uint8_t(BlockKind::Ticks) && k != std::uint8_t(BlockKind::Keyframe)) in.fail();
        b.ref.kind = BlockKind(k);
        b.ref.offset = in.var(~0ull); b.seq = in.var(~0ull);
        b.ref.firstTick = std::uint32_t(in.var(0xFFFFFFFFu)); b.ref.lastTick = std::uint32_t(in.var(0xFFFFFFFFu));
        return in.ok();
    });
    list(in, x.marks, kMaxIndexItems, [&](Mark& m) { return decodeMark(in, m); });
    list(in, x.pauses, kMaxIndexItems, [&](Pause& p) { return decodePause(in, p); });
    list(in, x.everyone, kMaxIndexItems, [&](Present& p) { return decodePresent(in, p); });
    return in.ok() && in.done();
}

} // namespace caseroom::record::format
