// RecordingReader: the header, then the index of a closed file or a scan of
// every frame (a crash, a truncation, a damaged index). Any bytes at all are
// read without a crash: every length is checked against the file and the
// limits, every block authenticated before it is decoded.
// Cost: a closed file reads its trailer, info and index only. A scan reads
// every byte once, plus one AEAD check per candidate frame during a resync;
// a crafted file of overlapping frame headers (the frame checksum is not
// keyed) can make that quadratic in its size: slow, never unsafe.
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <set>

#include "record/format.h"

namespace caseroom::record {

using namespace format;

namespace {

constexpr std::size_t kScanChunk = 64 * 1024;

} // namespace

struct RecordingReader::Impl {
    std::string path;
    int fd = -1;
    std::uint64_t size = 0;
    Key fileKey{};
    RecordingInfo info;
    ReaderSummary summary;
    std::uint32_t version = kFormatVersion; // the file's (the tick codec depends on it)
    std::vector<BlockRef> blocks;
    std::vector<std::uint64_t> seqs;       // blocks[i]'s frame sequence number
    std::vector<std::size_t> keyframes;    // indices into blocks, in file order
    std::vector<std::uint8_t> cipher, plain;

    ~Impl() {
        if (fd >= 0) ::close(fd);
    }

    bool readAt(std::uint64_t off, std::uint8_t* out, std::size_t n) const {
        if (off > size || n > size - off) return false;
        while (n > 0) {
            ssize_t r = ::pread(fd, out, n, off_t(off));
            if (r < 0 && errno == EINTR) continue;
            if (r <= 0) return false;
            out += r;
            n -= std::size_t(r);
            off += std::uint64_t(r);
        }
        return true;
    }

    std::string at(std::uint64_t off) const { return "recording " + path + " at byte " + std::to_string(off); }

    // Reads, authenticates and decrypts the frame at `off` into `plain`.
    // Empty string: done; otherwise what is wrong with it.
    std::string frameAt(std::uint64_t off, FrameHeader& f) {
        std::uint8_t fh[kFrameBytes];
        if (!readAt(off, fh, kFrameBytes)) return "truncated block";
        if (!getFrame(fh, f)) return std::memcmp(fh, kFrameMagic, 4) == 0 ? "checksum mismatch" : "no block here (bad magic)";
        if (f.cipherBytes < kTagBytes + 1 || f.cipherBytes > kMaxCipherBytes) return "bad block length";
        if (off + kFrameBytes + f.cipherBytes > size) return "truncated block";
        cipher.resize(f.cipherBytes);
        if (!readAt(off + kFrameBytes, cipher.data(), cipher.size())) return "truncated block";
        if (!format::open(plain, fh, cipher, fileKey)) return "authentication failed";
        return {};
    }

    // Decodes a Ticks or Keyframe block's plaintext (kind byte first) of a
    // file of format `version`.
    static bool decodeBlock(std::span<const std::uint8_t> bytes, Block& b, std::uint32_t version) {
        In in(bytes);
        std::uint8_t kind = in.u8();
        if (!in.ok()) return false;
        if (kind == std::uint8_t(BlockKind::Keyframe)) {
            b.kind = BlockKind::Keyframe;
            Keyframe k;
            if (!decodeKeyframe(in, k) || !in.done()) return false;
            b.keyframe = std::move(k);
            return true;
        }
        if (kind != std::uint8_t(BlockKind::Ticks)) return false;
        b.kind = BlockKind::Ticks;
        while (!in.done()) {
            auto item = Item(in.u8());
            if (item == Item::Tick) {
                b.ticks.emplace_back();
                if (!decodeTick(in, b.ticks.back(), version)) return false;
            } else if (item == Item::Pause) {
                b.pauses.emplace_back();
                if (!decodePause(in, b.pauses.back())) return false;
            } else if (item == Item::Mark) {
                b.marks.emplace_back();
                if (!decodeMark(in, b.marks.back())) return false;
            } else {
                return false;
            }
        }
        return b.ticks.size() + b.pauses.size() + b.marks.size() > 0;
    }

    static void tickRange(const Block& b, std::uint32_t& first, std::uint32_t& last) {
        bool any = false;
        auto see = [&](std::uint32_t t) {
            if (!any) { first = last = t; any = true; }
            first = std::min(first, t);
            last = std::max(last, t);
        };
        if (b.keyframe) see(b.keyframe->tick);
        for (const auto& t : b.ticks) see(t.tick);
        for (const auto& p : b.pauses) see(p.tick);
        for (const auto& m : b.marks) see(m.tick);
    }

    void addBlock(const BlockRef& ref, std::uint64_t seq) {
        if (ref.kind == BlockKind::Keyframe) keyframes.push_back(blocks.size());
        blocks.push_back(ref);
        seqs.push_back(seq);
    }

    void see(const Present& p) { format::noteEveryone(summary.everyone, p); }

    bool readInfo() {
        FrameHeader f;
        if (!frameAt(kHeaderBytes, f).empty() || f.seq != 0) return false;
        In in(plain);
        if (in.u8() != std::uint8_t(BlockKind::Info)) return false;
        RecordingInfo i;
        if (!decodeInfo(in, i) || !in.done()) return false;
        info = std::move(i);
        return true;
    }

    // The closed path: trailer -> index. False (nothing kept) when any of it is wrong.
    bool readIndex() {
        if (size < kHeaderBytes + kTrailerBytes + kFrameBytes) return false;
        std::uint8_t tr[kTrailerBytes];
        std::uint64_t indexOffset = 0;
        if (!readAt(size - kTrailerBytes, tr, kTrailerBytes) || !getTrailer(tr, indexOffset)) return false;
        if (indexOffset < kHeaderBytes || indexOffset > size - kTrailerBytes - kFrameBytes) return false;
        FrameHeader f;
        if (!frameAt(indexOffset, f).empty()) return false;
        if (indexOffset + kFrameBytes + f.cipherBytes != size - kTrailerBytes) return false;
        In in(plain);
        if (in.u8() != std::uint8_t(BlockKind::Index)) return false;
        Index x;
        if (!decodeIndex(in, x)) return false;
        std::uint64_t prevOff = kHeaderBytes, prevSeq = 0;
        for (const auto& e : x.blocks) {
            // Offsets lie in the file, before the index, strictly increasing (as written).
            if (e.ref.offset <= prevOff || e.ref.offset + kFrameBytes + kTagBytes >= indexOffset) return false;
            if (e.seq <= prevSeq || e.seq >= f.seq || e.ref.firstTick > e.ref.lastTick) return false;
            prevOff = e.ref.offset;
            prevSeq = e.seq;
        }
        for (const auto& e : x.blocks) addBlock(e.ref, e.seq);
        summary.marks = std::move(x.marks);
        summary.pauses = std::move(x.pauses);
        for (const auto& p : x.everyone) see(p);
        summary.closed = true;
        return true;
    }

    // The next offset > `from` holding a frame whose header checksum holds
    // and whose seq is past `lastSeq`, or a valid trailer at the file's end;
    // `size` when none.
    std::uint64_t resync(std::uint64_t from, std::uint64_t lastSeq) {
        std::vector<std::uint8_t> buf(kScanChunk + kFrameBytes);
        for (std::uint64_t base = from; base < size; base += kScanChunk) {
            std::size_t n = std::size_t(std::min<std::uint64_t>(buf.size(), size - base));
            if (!readAt(base, buf.data(), n)) return size;
            std::size_t limit = std::min<std::size_t>(n, kScanChunk);
            for (std::size_t i = 0; i < limit; ++i) {
                if (buf[i] != kFrameMagic[0] && buf[i] != kTrailerMagic[0]) continue;
                std::uint64_t off = base + i;
                if (off + kTrailerBytes == size && isTrailer(off)) return off;
                if (buf[i] != kFrameMagic[0] || off + kFrameBytes > size) continue;
                std::uint8_t fh[kFrameBytes];
                FrameHeader f;
                if (i + kFrameBytes <= n) std::memcpy(fh, buf.data() + i, kFrameBytes);
                else if (!readAt(off, fh, kFrameBytes)) continue;
                if (getFrame(fh, f) && f.seq > lastSeq) return off;
            }
        }
        return size;
    }

    bool isTrailer(std::uint64_t off) {
        std::uint8_t tr[kTrailerBytes];
        std::uint64_t idx = 0;
        return readAt(off, tr, kTrailerBytes) && getTrailer(tr, idx) && idx < off;
    }

    struct Hole { std::uint64_t offset, bytes; std::string what; std::size_t before; };

    // The open path: every frame from the start.
    void scan() {
        std::vector<Hole> holes;
        std::uint64_t pos = kHeaderBytes, lastSeq = 0;
        bool first = true;
        while (pos < size) {
            if (pos + kTrailerBytes == size && isTrailer(pos)) break;
            FrameHeader f;
            std::string why = frameAt(pos, f);
            if (why.empty() && !first && f.seq <= lastSeq) why = "out of order";
            Block b;
            BlockKind kind = BlockKind::Count;
            if (why.empty()) {
                std::uint8_t k = plain.empty() ? 0xFF : plain[0];
                if (k == std::uint8_t(BlockKind::Info) && pos == kHeaderBytes) kind = BlockKind::Info;
                else if (k == std::uint8_t(BlockKind::Index)) kind = BlockKind::Index;
                else if (decodeBlock(plain, b, version)) kind = b.kind;
                else why = "decode error";
            }
            if (!why.empty()) {
                std::uint64_t next = resync(pos + 1, first ? 0 : lastSeq);
                if (pos == kHeaderBytes && first) next = std::max(next, pos + 1);
                holes.push_back({pos, next - pos, why, blocks.size()});
                pos = next;
                continue;
            }
            first = false;
            lastSeq = f.seq;
            if (kind == BlockKind::Ticks || kind == BlockKind::Keyframe) {
                BlockRef ref{kind, pos, 0, 0};
                tickRange(b, ref.firstTick, ref.lastTick);
                addBlock(ref, f.seq);
                for (auto& m : b.marks) summary.marks.push_back(std::move(m));
                for (auto& p : b.pauses) summary.pauses.push_back(p);
                for (const auto& t : b.ticks) for (const auto& p : t.joined) see(p);
                if (b.keyframe) for (const auto& p : b.keyframe->present) see(p);
            }
            pos += kFrameBytes + f.cipherBytes;
        }
        // The ticks a hole lost, from its neighbours: after the block before it,
        // before the block after it. Unknown (0, 0) at the file's end.
        for (const auto& h : holes) {
            Damage d{h.offset, h.bytes, 0, 0, h.what};
            if (h.before < blocks.size()) {
                std::uint32_t from = h.before > 0 ? blocks[h.before - 1].lastTick + 1 : info.firstTick;
                std::uint32_t next = blocks[h.before].firstTick;
                if (next > from) { d.fromTick = from; d.toTick = next - 1; }
            }
            summary.damage.push_back(std::move(d));
        }
    }

    core::Result<Block> read(std::size_t i) {
        if (i >= blocks.size()) return core::Error{"recording " + path + ": no block " + std::to_string(i)};
        FrameHeader f;
        std::string why = frameAt(blocks[i].offset, f);
        if (why.empty() && f.seq != seqs[i]) why = "not the block the index names";
        Block b;
        if (why.empty() && (!decodeBlock(plain, b, version) || b.kind != blocks[i].kind)) why = "decode error";
        if (!why.empty()) return core::Error{at(blocks[i].offset) + ": " + why};
        return b;
    }
};

RecordingReader::RecordingReader(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RecordingReader::~RecordingReader() = default;

core::Result<std::unique_ptr<RecordingReader>> RecordingReader::open(const std::string& path, const Key& key) {
    if (!initSodium()) return core::Error{"recording " + path + ": libsodium failed to start"};
    auto m = std::make_unique<Impl>();
    m->path = path;
    m->fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (m->fd < 0) return core::Error{"recording " + path + ": cannot open: " + std::strerror(errno)};
    struct stat st {};
    if (::fstat(m->fd, &st) != 0 || !S_ISREG(st.st_mode)) return core::Error{"recording " + path + ": not a regular file"};
    m->size = std::uint64_t(st.st_size);
    std::uint8_t hb[kHeaderBytes];
    if (!m->readAt(0, hb, kHeaderBytes)) return core::Error{"recording " + path + ": too short for a recording header"};
    Header h;
    std::string why;
    if (!getHeader(hb, h, why)) return core::Error{"recording " + path + ": " + why};
    // Older versions are read as they were written (format.h encodeTick).
    if (h.version < kOldestFormatVersion || h.version > kFormatVersion)
        return core::Error{"recording " + path + ": format version " + std::to_string(h.version) + " (this build reads versions " +
                           std::to_string(kOldestFormatVersion) + " to " + std::to_string(kFormatVersion) + ")"};
    auto mine = keyIdOf(key);
    if (mine != h.keyId)
        return core::Error{"recording " + path + ": recorded under another key (id " + hex(h.keyId) +
                           "; the key given has id " + hex(mine) + ")"};
    m->fileKey = fileKey(key, h.salt);
    m->version = h.version;
    m->summary.fileBytes = m->size;
    m->summary.version = h.version;

    bool infoOk = m->readInfo();
    if (!m->readIndex()) {
        m->blocks.clear();
        m->seqs.clear();
        m->keyframes.clear();
        m->summary = ReaderSummary{};
        m->summary.fileBytes = m->size;
        m->summary.version = m->version;
        m->scan();
    } else if (!infoOk) {
        m->summary.damage.push_back({kHeaderBytes, 0, 0, 0, "info block unreadable"});
    }
    // Keyframes in tick order for the binary search (a file's are already,
    // unless its writer's caller broke the tick rule or the bytes are hostile).
    std::stable_sort(m->keyframes.begin(), m->keyframes.end(),
                     [&](std::size_t a, std::size_t b) { return m->blocks[a].firstTick < m->blocks[b].firstTick; });
    auto& s = m->summary;
    bool any = false;
    for (const auto& b : m->blocks) {
        if (!any) { s.firstTick = b.firstTick; s.lastTick = b.lastTick; any = true; }
        s.firstTick = std::min(s.firstTick, b.firstTick);
        s.lastTick = std::max(s.lastTick, b.lastTick);
    }
    return std::unique_ptr<RecordingReader>(new RecordingReader(std::move(m)));
}

const RecordingInfo& RecordingReader::info() const { return impl_->info; }
const ReaderSummary& RecordingReader::summary() const { return impl_->summary; }
const std::vector<BlockRef>& RecordingReader::blocks() const { return impl_->blocks; }
core::Result<Block> RecordingReader::read(std::size_t i) { return impl_->read(i); }

std::optional<std::size_t> RecordingReader::keyframeAtOrBefore(std::uint32_t tick) const {
    const auto& k = impl_->keyframes;
    const auto& b = impl_->blocks;
    // keyframes is sorted by tick (open).
    auto it = std::upper_bound(k.begin(), k.end(), tick, [&](std::uint32_t t, std::size_t i) { return t < b[i].firstTick; });
    if (it == k.begin()) return std::nullopt;
    return *(it - 1);
}

core::Status RecordingReader::verifyAll() {
    auto& m = *impl_;
    auto& s = m.summary;
    s.voiceFrames = s.voiceBytes = s.stateBytes = s.videoFragments = s.videoBytes = 0;
    std::string first;
    for (std::size_t i = 0; i < m.blocks.size(); ++i) {
        auto b = m.read(i);
        if (!b) {
            if (first.empty()) first = b.error().message;
            bool known = false;
            for (const auto& d : s.damage) known = known || d.offset == m.blocks[i].offset;
            if (!known) s.damage.push_back({m.blocks[i].offset, 0, m.blocks[i].firstTick, m.blocks[i].lastTick, "unreadable block"});
            continue;
        }
        if (b->keyframe) {
            for (const auto& a : b->keyframe->avatars) s.stateBytes += a.state.size();
            for (const auto& o : b->keyframe->objects) s.stateBytes += o.bytes.size();
        }
        for (const auto& t : b->ticks) {
            for (const auto& a : t.avatars) s.stateBytes += a.state.size();
            for (const auto& o : t.objects) s.stateBytes += o.bytes.size();
            for (const auto& v : t.voice) { ++s.voiceFrames; s.voiceBytes += v.opus.size(); }
            for (const auto& v : t.video) { ++s.videoFragments; s.videoBytes += v.wire.size(); }
        }
    }
    if (!first.empty()) return core::Error{first};
    if (!s.damage.empty()) return core::Error{"recording " + m.path + ": " + std::to_string(s.damage.size()) + " damaged range(s), first at byte " + std::to_string(s.damage.front().offset) + ": " + s.damage.front().what};
    return {};
}

} // namespace caseroom::record
