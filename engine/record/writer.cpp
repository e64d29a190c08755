// RecordingWriter: encodes on the caller's thread, seals and writes on its own.
//
// The caller's thread only appends to a plaintext buffer (no I/O, no system
// call); a sealed block's plaintext is queued to the worker, which encrypts,
// write()s and fdatasync()s it. The worker owns the file descriptor between
// create() and close(); close() drains the queue, stops the worker and then
// writes the index and the trailer itself.
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <condition_variable>
#include <cstring>
#include <deque>
#include <filesystem>
#include <mutex>
#include <set>
#include <thread>
#include <utility>

#include <sodium.h>

#include "record/format.h"

namespace caseroom::record {

using namespace format;

namespace {

std::string sysError(const std::string& path, const char* what) {
    return "recording " + path + ": " + what + ": " + std::strerror(errno);
}

// write() all of it (EINTR and short writes retried).
bool writeAll(int fd, const std::uint8_t* p, std::size_t n) {
    while (n > 0) {
        ssize_t w = ::write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        p += w;
        n -= std::size_t(w);
    }
    return true;
}

struct Job {
    std::uint64_t seq = 0;
    BlockRef ref;
    std::vector<std::uint8_t> plain;
};

} // namespace

struct RecordingWriter::Impl {
    WriterConfig config;
    Key fileKey{};
    int fd = -1;
    bool closed = false;

    // ---- caller's thread
    Out pending;                   // the open Ticks block's plaintext (kind byte first)
    std::uint32_t pendingTicks = 0;
    std::uint32_t pendingFirst = 0, pendingLast = 0;
    bool pendingHasItems = false;
    bool paused = false;           // after pause(): appends are dropped until the next keyframe
    std::uint64_t nextSeq = 1;     // 0 is the info block
    Sizes sizes;
    std::uint64_t ticks = 0, keyframes = 0, pauses = 0, sealed = 0;
    std::vector<Mark> marks;
    std::vector<Pause> pauseList;
    std::vector<Present> everyone;

    // ---- shared with the worker (mu)
    mutable std::mutex mu;
    std::condition_variable wake, drained;
    std::deque<Job> queue;
    std::vector<std::vector<std::uint8_t>> spare; // plaintext buffers handed back for reuse
    std::vector<IndexEntry> refs;                 // written blocks, in file order
    std::uint64_t fileBytes = 0, written = 0;
    std::string error;
    bool stop = false;
    bool busy = false;
    std::thread worker;

    void startPending() {
        pending.bytes.clear();
        pending.u8(std::uint8_t(BlockKind::Ticks));
        pendingTicks = 0;
        pendingHasItems = false;
    }

    void touch(std::uint32_t tick) {
        if (!pendingHasItems) { pendingFirst = pendingLast = tick; pendingHasItems = true; }
        pendingFirst = std::min(pendingFirst, tick);
        pendingLast = std::max(pendingLast, tick);
    }

    void see(const Present& p) { format::noteEveryone(everyone, p); }

    void enqueue(BlockKind kind, std::uint32_t first, std::uint32_t last, std::vector<std::uint8_t>&& plain) {
        Job job{nextSeq++, BlockRef{kind, 0, first, last}, std::move(plain)};
        ++sealed;
        std::vector<std::uint8_t> fresh;
        {
            std::lock_guard lock(mu);
            queue.push_back(std::move(job));
            if (!spare.empty()) { fresh = std::move(spare.back()); spare.pop_back(); }
        }
        wake.notify_one();
        pending.bytes = std::move(fresh);
    }

    void sealPending() {
        if (!pendingHasItems) return;
        auto first = pendingFirst, last = pendingLast;
        enqueue(BlockKind::Ticks, first, last, std::move(pending.bytes));
        startPending();
    }

    void maybeSeal() {
        if (pendingTicks >= config.flushTicks || pending.bytes.size() >= config.maxBlockBytes) sealPending();
    }

    void run() {
        std::vector<std::uint8_t> frame;
        std::unique_lock lock(mu);
        for (;;) {
            wake.wait(lock, [&] { return stop || !queue.empty(); });
            if (queue.empty()) break; // stop, and nothing left
            Job job = std::move(queue.front());
            queue.pop_front();
            busy = true;
            bool failed = !error.empty();
            std::uint64_t offset = fileBytes;
            lock.unlock();
            std::string why;
            if (!failed) {
                seal(frame, job.seq, job.plain, fileKey);
                if (!writeAll(fd, frame.data(), frame.size())) why = sysError(config.path, "write");
                else if (config.syncEachBlock && ::fdatasync(fd) != 0) why = sysError(config.path, "fdatasync");
            }
            job.plain.clear();
            lock.lock();
            busy = false;
            if (!failed) {
                if (why.empty()) {
                    fileBytes += frame.size();
                    ++written;
                    job.ref.offset = offset;
                    refs.push_back({job.ref, job.seq});
                } else if (error.empty()) {
                    error = why;
                }
            }
            if (spare.size() < 4) spare.push_back(std::move(job.plain));
            if (queue.empty()) drained.notify_all();
        }
        drained.notify_all();
    }

    // Waits until the worker wrote everything queued.
    void drain() {
        std::unique_lock lock(mu);
        drained.wait(lock, [&] { return queue.empty() && !busy; });
    }
};

RecordingWriter::RecordingWriter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

RecordingWriter::~RecordingWriter() {
    if (impl_) (void)close();
}

core::Result<std::unique_ptr<RecordingWriter>> RecordingWriter::create(const WriterConfig& config) {
    if (!initSodium()) return core::Error{"recording " + config.path + ": libsodium failed to start"};
    auto impl = std::make_unique<Impl>();
    impl->config = config;
    if (impl->config.flushTicks == 0) impl->config.flushTicks = 1;
    if (impl->config.maxBlockBytes < 1024) impl->config.maxBlockBytes = 1024;
    impl->config.maxBlockBytes = std::min<std::uint32_t>(impl->config.maxBlockBytes, kMaxCipherBytes / 2);

    Header h;
    h.keyId = keyIdOf(config.key);
    randombytes_buf(h.salt.data(), h.salt.size());
    impl->fileKey = fileKey(config.key, h.salt);

    int fd = ::open(config.path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        if (errno == EEXIST)
            return core::Error{"recording " + config.path + ": the file exists already (a recording is never overwritten)"};
        return core::Error{sysError(config.path, "cannot create")};
    }
    ::fchmod(fd, 0600); // exactly 0600 whatever the umask
    impl->fd = fd;

    std::vector<std::uint8_t> bytes(kHeaderBytes);
    putHeader(bytes.data(), h);
    Out info;
    info.u8(std::uint8_t(BlockKind::Info));
    encodeInfo(info, config.info);
    std::vector<std::uint8_t> frame;
    seal(frame, 0, info.bytes, impl->fileKey);
    bytes.insert(bytes.end(), frame.begin(), frame.end());
    auto fail = [&](const char* what) {
        std::string e = sysError(config.path, what);
        ::close(fd);
        std::error_code ec;
        std::filesystem::remove(config.path, ec);
        return core::Error{e};
    };
    if (!writeAll(fd, bytes.data(), bytes.size())) return fail("write");
    if (::fdatasync(fd) != 0) return fail("fdatasync");
    // The new name must survive a power loss too: sync its folder.
    auto dir = std::filesystem::path(config.path).parent_path();
    int dfd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) { ::fsync(dfd); ::close(dfd); }
    impl->fileBytes = bytes.size();

    impl->startPending();
    Impl* raw = impl.get();
    impl->worker = std::thread([raw] { raw->run(); });
    return std::unique_ptr<RecordingWriter>(new RecordingWriter(std::move(impl)));
}

void RecordingWriter::append(const TickRecord& t) {
    auto& m = *impl_;
    if (m.closed || m.paused) return;
    m.pending.u8(std::uint8_t(Item::Tick));
    encodeTick(m.pending, t, m.sizes);
    for (const auto& p : t.joined) m.see(p);
    m.touch(t.tick);
    ++m.ticks;
    ++m.pendingTicks;
    m.maybeSeal();
}

void RecordingWriter::keyframe(const Keyframe& k) {
    auto& m = *impl_;
    if (m.closed) return;
    m.sealPending();
    Out o;
    o.u8(std::uint8_t(BlockKind::Keyframe));
    encodeKeyframe(o, k, m.sizes);
    for (const auto& p : k.present) m.see(p);
    ++m.keyframes;
    m.paused = false;
    m.enqueue(BlockKind::Keyframe, k.tick, k.tick, std::move(o.bytes));
    m.startPending();
}

void RecordingWriter::pause(const Pause& p) {
    auto& m = *impl_;
    if (m.closed) return;
    m.pending.u8(std::uint8_t(Item::Pause));
    encodePause(m.pending, p);
    m.touch(p.tick);
    m.pauseList.push_back(p);
    ++m.pauses;
    m.paused = true;
    m.sealPending(); // the pause is on disk before the pause takes effect
}

void RecordingWriter::mark(const Mark& mk) {
    auto& m = *impl_;
    if (m.closed) return;
    m.pending.u8(std::uint8_t(Item::Mark));
    encodeMark(m.pending, mk);
    m.touch(mk.tick);
    m.marks.push_back(mk);
    m.maybeSeal();
}

void RecordingWriter::flush() {
    if (!impl_->closed) impl_->sealPending();
}

core::Status RecordingWriter::close() {
    auto& m = *impl_;
    if (m.closed) {
        std::lock_guard lock(m.mu);
        if (!m.error.empty()) return core::Error{m.error};
        return {};
    }
    m.sealPending();
    m.drain();
    {
        std::lock_guard lock(m.mu);
        m.stop = true;
    }
    m.wake.notify_all();
    if (m.worker.joinable()) m.worker.join();
    m.closed = true;

    std::lock_guard lock(m.mu);
    if (m.error.empty()) {
        Index x;
        x.blocks = m.refs;
        x.marks = m.marks;
        x.pauses = m.pauseList;
        x.everyone = m.everyone;
        Out o;
        o.u8(std::uint8_t(BlockKind::Index));
        encodeIndex(o, x);
        std::vector<std::uint8_t> frame;
        seal(frame, m.nextSeq++, o.bytes, m.fileKey);
        std::uint64_t indexOffset = m.fileBytes;
        frame.resize(frame.size() + kTrailerBytes);
        putTrailer(frame.data() + frame.size() - kTrailerBytes, indexOffset);
        if (!writeAll(m.fd, frame.data(), frame.size())) m.error = sysError(m.config.path, "write");
        else if (::fdatasync(m.fd) != 0) m.error = sysError(m.config.path, "fdatasync");
        else m.fileBytes += frame.size();
    }
    if (::close(m.fd) != 0 && m.error.empty()) m.error = sysError(m.config.path, "close");
    m.fd = -1;
    sodium_memzero(m.fileKey.data(), m.fileKey.size());
    if (!m.error.empty()) return core::Error{m.error};
    return {};
}

WriterStats RecordingWriter::stats() const {
    const auto& m = *impl_;
    WriterStats s;
    s.ticks = m.ticks;
    s.keyframes = m.keyframes;
    s.pauses = m.pauses;
    s.avatarBytes = m.sizes.avatar;
    s.objectBytes = m.sizes.object;
    s.voiceBytes = m.sizes.voice;
    s.eventBytes = m.sizes.event;
    s.videoBytes = m.sizes.video;
    s.videoFragments = m.sizes.videoFragments;
    std::lock_guard lock(m.mu);
    s.blocks = m.written;
    s.fileBytes = m.fileBytes;
    s.queuedBlocks = m.queue.size() + (m.busy ? 1 : 0);
    s.error = m.error;
    return s;
}

} // namespace caseroom::record
