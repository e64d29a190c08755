// [SECTION] lifetime and the worker
// [SECTION] receiving: puts and offers (server thread)
// [SECTION] verdicts and stalls (server thread)
// [SECTION] the checks (worker thread)
#include "session/deck_upload.h"

#include <map>
#include <system_error>

#include "core/log.h"
#include "media/image.h"
#include "media/raster.h"

namespace caseroom::session {
namespace fs = std::filesystem;

// ---- [SECTION] lifetime and the worker ----------------------------------------

core::Result<std::unique_ptr<DeckUploads>> DeckUploads::create(ContentStore& content, AuditSink* audit, DeckUploadConfig config) {
    const fs::path staging = content.blobs().dir() / "incoming";
    std::error_code ec;
    fs::remove_all(staging, ec); // leftovers of a previous run are never trusted
    if (ec) return core::Error{staging.string() + ": cannot clear: " + ec.message()};
    fs::create_directories(staging, ec);
    if (ec) return core::Error{staging.string() + ": cannot create: " + ec.message()};
    fs::permissions(staging, fs::perms::owner_all, ec);
    return std::unique_ptr<DeckUploads>(new DeckUploads(content, audit, std::move(config), staging));
}

DeckUploads::DeckUploads(ContentStore& content, AuditSink* audit, DeckUploadConfig config, fs::path staging)
    : content_(content), audit_(audit), config_(std::move(config)), staging_(std::move(staging)), storeDir_(content.blobs().dir()) {
    thread_ = std::thread([this] { worker(); });
}

DeckUploads::~DeckUploads() {
    {
        std::lock_guard lock(mutex_);
        stop_ = true;
    }
    wake_.notify_all();
    thread_.join();
    std::error_code ec;
    fs::remove_all(staging_, ec);
}

void DeckUploads::worker() {
    for (;;) {
        Job job;
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [&] { return stop_ || !jobs_.empty(); });
            if (stop_) return;
            job = std::move(jobs_.front());
            jobs_.pop_front();
        }
        if (config_.beforeVerify) config_.beforeVerify();
        Verdict v = verify(job);
        std::lock_guard lock(mutex_);
        verdicts_.push_back(std::move(v));
    }
}

// ---- [SECTION] receiving: puts and offers (server thread) ------------------------

void DeckUploads::auditUpload(const Uploader& who, const core::ContentHash& hash, bool accepted, const std::string& outcome) {
    if (!audit_) return;
    AuditRecord e = who.about;
    e.kind = AuditKind::DeckUpload;
    e.what = "upload deck " + hash.hex();
    e.outcome = (accepted ? "accepted: " : "refused: ") + outcome;
    audit_->record(e);
}

void DeckUploads::refuse(Upload& u, const core::ContentHash& hash, net::UploadRefusal why, const std::string& detail, const Reply& reply) {
    ++counters_.refused;
    auditUpload(u.who, hash, false, std::string(net::toString(why)) + (detail.empty() ? "" : " (" + detail + ")"));
    reply(u.who.peer, net::UploadStatus{hash, net::UploadState::Refused, u.bytes, why});
    drop(u.who.peer.value);
}

void DeckUploads::drop(std::uint32_t peer) {
    auto it = uploads_.find(peer);
    if (it == uploads_.end()) return;
    Upload& u = it->second;
    u.partial.close();
    if (u.verifying) { // the worker owns a verifying upload's files until its verdict
        std::lock_guard lock(mutex_);
        cancelled_.insert(u.serial);
    } else {
        std::error_code ec;
        fs::remove_all(u.dir, ec);
    }
    uploads_.erase(it);
}

void DeckUploads::refuseNotPermitted(core::PeerId peer, const core::ContentHash& hash, const Reply& reply) {
    ++counters_.refused;
    reply(peer, net::UploadStatus{hash, net::UploadState::Refused, 0, net::UploadRefusal::NotPermitted});
}

void DeckUploads::onPut(const Uploader& who, const net::BlobPut& put, double now, const Reply& reply) {
    auto it = uploads_.find(who.peer.value);
    if (it == uploads_.end()) {
        // Only a blob's first chunk opens an upload; the rest of a refused
        // upload's window (still in flight when it was refused) is dropped here.
        if (put.offset != 0) { ++counters_.stray; return; }
        if (uploads_.size() >= config_.maxConcurrent) {
            ++counters_.refused;
            reply(who.peer, net::UploadStatus{put.hash, net::UploadState::Refused, 0, net::UploadRefusal::Busy});
            return;
        }
        Upload u;
        u.who = who;
        u.serial = nextSerial_++;
        u.dir = staging_ / (std::to_string(who.peer.value) + "." + std::to_string(u.serial));
        auto store = media::BlobStore::open(u.dir);
        if (!store) {
            CR_LOG_ERROR("upload: %s", store.error().message.c_str());
            ++counters_.refused;
            reply(who.peer, net::UploadStatus{put.hash, net::UploadState::Refused, 0, net::UploadRefusal::StoreFailed});
            return;
        }
        u.store.emplace(std::move(*store));
        it = uploads_.emplace(who.peer.value, std::move(u)).first;
    }
    Upload& u = it->second;
    if (u.verifying) { refuse(u, put.hash, net::UploadRefusal::Busy, "a put while the deck is checked", reply); return; }
    u.lastPut = now;
    if (put.offset == 0) {
        if (u.receiving) { // a new blob while one is partial: the partial one is abandoned (its bytes stay charged)
            u.partial.close();
            u.receiving = false;
        }
        if (u.blobs.size() + 1 > config_.maxDeckBlobs) { refuse(u, put.hash, net::UploadRefusal::TooManyBlobs, "", reply); return; }
        if (u.bytes + put.total > config_.maxDeckBytes) {
            refuse(u, put.hash, net::UploadRefusal::OverQuota,
                   std::to_string(u.bytes + put.total) + " bytes, quota " + std::to_string(config_.maxDeckBytes), reply);
            return;
        }
        u.receiving = true;
        u.hash = put.hash;
        u.total = put.total;
        u.next = 0;
        u.hasher.emplace();
        u.partial.open(u.dir / "partial", std::ios::binary | std::ios::trunc);
        if (!u.partial) { refuse(u, put.hash, net::UploadRefusal::StoreFailed, "cannot open the staging file", reply); return; }
    } else if (!u.receiving || put.hash != u.hash || put.offset != u.next || put.total != u.total) {
        refuse(u, put.hash, net::UploadRefusal::OutOfOrder, "offset " + std::to_string(put.offset), reply);
        return;
    }
    const auto bytes = put.payload();
    u.hasher->update(bytes);
    u.partial.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    u.next += put.size;
    u.bytes += put.size;
    counters_.bytesReceived += put.size;
    if (u.next < u.total) {
        if (u.bytes - u.ackedAt >= net::kUploadAckBytes) {
            u.ackedAt = u.bytes;
            reply(u.who.peer, net::UploadStatus{u.hash, net::UploadState::Progress, u.bytes, net::UploadRefusal::None});
        }
        return;
    }
    // The blob's last chunk: its name must be its hash.
    u.receiving = false;
    u.partial.close();
    const core::ContentHash got = u.hasher->finish();
    u.hasher.reset();
    if (u.partial.fail()) { refuse(u, u.hash, net::UploadRefusal::StoreFailed, "staging write failed", reply); return; }
    if (got != u.hash) { refuse(u, u.hash, net::UploadRefusal::HashMismatch, "blob " + u.hash.hex(), reply); return; }
    const fs::path target = u.store->pathOf(u.hash);
    std::error_code ec;
    fs::create_directories(target.parent_path(), ec);
    if (!ec) fs::rename(u.dir / "partial", target, ec);
    if (ec) { refuse(u, u.hash, net::UploadRefusal::StoreFailed, "staging rename: " + ec.message(), reply); return; }
    u.blobs.insert(u.hash);
    ++counters_.blobsReceived;
    u.ackedAt = u.bytes;
    reply(u.who.peer, net::UploadStatus{u.hash, net::UploadState::Progress, u.bytes, net::UploadRefusal::None});
}

void DeckUploads::onOffer(const Uploader& who, const net::DeckOffer& offer, double now, const Reply& reply) {
    auto it = uploads_.find(who.peer.value);
    if (it == uploads_.end()) {
        ++counters_.refused;
        auditUpload(who, offer.manifest, false, net::toString(net::UploadRefusal::MissingBlob));
        reply(who.peer, net::UploadStatus{offer.manifest, net::UploadState::Refused, 0, net::UploadRefusal::MissingBlob});
        return;
    }
    Upload& u = it->second;
    if (u.verifying) { refuse(u, offer.manifest, net::UploadRefusal::Busy, "offered twice", reply); return; }
    if (u.receiving) { refuse(u, offer.manifest, net::UploadRefusal::Incomplete, "blob " + u.hash.hex() + " partial", reply); return; }
    u.verifying = true;
    u.lastPut = now;
    ++counters_.verifying;
    {
        std::lock_guard lock(mutex_);
        jobs_.push_back(Job{who, who.peer.value, u.serial, u.dir, offer.manifest});
    }
    wake_.notify_one();
}

void DeckUploads::onLeave(core::PeerId peer) { drop(peer.value); }

// ---- [SECTION] verdicts and stalls (server thread) ------------------------------

void DeckUploads::poll(double now, const Reply& reply) {
    std::deque<Verdict> done;
    {
        std::lock_guard lock(mutex_);
        done.swap(verdicts_);
    }
    for (Verdict& v : done) {
        --counters_.verifying;
        {
            std::lock_guard lock(mutex_);
            cancelled_.erase(v.serial);
        }
        auto it = uploads_.find(v.peer);
        const bool current = it != uploads_.end() && it->second.verifying && it->second.serial == v.serial;
        if (!v.cancelled && v.reason == net::UploadRefusal::None) {
            // Passed and moved into the store: accepted, even if the uploader has gone since.
            const std::vector<core::ContentHash> frames = v.deck.blobs();
            if (auto st = content_.allowDeck(v.manifest, frames); !st) {
                v.reason = net::UploadRefusal::StoreFailed;
                v.detail = st.error().message;
            }
        }
        if (current) it->second.verifying = false; // the files are the server thread's again: drop() removes them
        if (v.cancelled || (!current && v.reason != net::UploadRefusal::None)) {
            std::error_code ec; // the client left while its deck was checked
            fs::remove_all(v.dir, ec);
            continue;
        }
        if (v.reason == net::UploadRefusal::None) {
            ++counters_.accepted;
            const std::uint64_t bytes = current ? it->second.bytes : 0;
            auditUpload(v.who, v.manifest, true, std::to_string(v.deck.slides.size()) + " slides" + (current ? "" : ", uploader gone"));
            if (current) {
                reply(v.who.peer, net::UploadStatus{v.manifest, net::UploadState::Accepted, bytes, net::UploadRefusal::None});
                drop(v.peer);
            } else {
                std::error_code ec;
                fs::remove_all(v.dir, ec);
            }
            if (onDeckAccepted) onDeckAccepted(v.manifest, v.deck);
        } else {
            refuse(it->second, v.manifest, v.reason, v.detail, reply);
        }
    }
    for (auto it = uploads_.begin(); it != uploads_.end();) {
        Upload& u = it->second;
        if (!u.verifying && now - u.lastPut > config_.stallSeconds) {
            ++it; // refuse() erases the entry
            refuse(u, u.hash, net::UploadRefusal::TimedOut, "", reply);
        } else {
            ++it;
        }
    }
}

// ---- [SECTION] the checks (worker thread) ------------------------------------------

DeckUploads::Verdict DeckUploads::verify(const Job& job) {
    Verdict v;
    v.who = job.who;
    v.peer = job.peer;
    v.serial = job.serial;
    v.manifest = job.manifest;
    v.dir = job.dir;
    auto fail = [&](net::UploadRefusal why, std::string detail) {
        v.reason = why;
        v.detail = std::move(detail);
        return v;
    };
    auto staging = media::BlobStore::open(job.dir);
    if (!staging) return fail(net::UploadRefusal::StoreFailed, staging.error().message);
    if (!staging->has(job.manifest)) return fail(net::UploadRefusal::BadManifest, "manifest blob not uploaded");
    auto mbytes = staging->read(job.manifest, media::kMaxManifestBytes);
    if (!mbytes) return fail(net::UploadRefusal::BadManifest, mbytes.error().message);
    auto deck = media::parseManifest(*mbytes, "manifest " + job.manifest.hex());
    if (!deck) return fail(net::UploadRefusal::BadManifest, deck.error().message);
    if (auto st = media::checkManifest(*deck); !st) return fail(net::UploadRefusal::BadManifest, st.error().message);

    struct Seen { std::uint32_t w, h; std::uint8_t bits, spp; media::Format format; };
    std::map<core::ContentHash, Seen> seen;
    media::DecodeLimits limits;
    limits.maxBytes = net::kMaxBlobBytes;
    for (std::size_t i = 0; i < deck->slides.size(); ++i) {
        const media::DeckSlide& s = deck->slides[i];
        for (std::size_t f = 0; f < s.frames.size(); ++f) {
            const core::ContentHash& h = s.frames[f];
            const std::string where = "slide " + std::to_string(i + 1) + " frame " + std::to_string(f + 1) + " (blob " + h.hex() + ")";
            auto known = seen.find(h);
            if (known == seen.end()) {
                if (!staging->has(h)) return fail(net::UploadRefusal::MissingBlob, where);
                auto bytes = staging->read(h, net::kMaxBlobBytes);
                if (!bytes) return fail(net::UploadRefusal::HashMismatch, where + ": " + bytes.error().message);
                auto img = media::decodeRaster(*bytes, where, limits);
                if (!img) return fail(net::UploadRefusal::Undecodable, img.error().message);
                if (img->frames != 1) return fail(net::UploadRefusal::FrameMismatch, where + ": more than one frame in the blob");
                // What the strippers would remove is what a frame must not carry.
                auto stripped = media::stripPhotoMetadata(*bytes, where);
                if (!stripped) return fail(net::UploadRefusal::Undecodable, stripped.error().message);
                for (const media::RemovedPart& part : stripped->removed) {
                    const bool text = part.name == "tEXt" || part.name == "zTXt" || part.name == "iTXt";
                    return fail(text ? net::UploadRefusal::PngText : net::UploadRefusal::PhotoMetadata, where + ": carries " + part.name);
                }
                known = seen.emplace(h, Seen{img->width, img->height, img->bits, img->samplesPerPixel, img->format}).first;
            }
            const Seen& got = known->second;
            if (got.w != s.width || got.h != s.height || got.bits != s.bits || got.spp != s.samplesPerPixel)
                return fail(net::UploadRefusal::FrameMismatch,
                            where + ": decodes to " + std::to_string(got.w) + "x" + std::to_string(got.h) + " " +
                                std::to_string(got.bits) + "-bit x" + std::to_string(got.spp) + ", the manifest says " +
                                std::to_string(s.width) + "x" + std::to_string(s.height) + " " + std::to_string(s.bits) +
                                "-bit x" + std::to_string(s.samplesPerPixel));
            if (s.kind != media::SlideKind::Photo && got.format != media::Format::Png)
                return fail(net::UploadRefusal::FrameMismatch, where + ": a DICOM or PDF slide's frames are PNG");
        }
    }
    // Everything checks: move the deck's blobs (and only those) into the
    // store. A blob the store already has is left as it is (same name, same
    // bytes). Not once the uploader has left: nothing of theirs is stored then.
    {
        std::lock_guard lock(mutex_);
        if (cancelled_.count(job.serial)) {
            v.cancelled = true;
            return v;
        }
    }
    auto store = media::BlobStore::open(storeDir_);
    if (!store) return fail(net::UploadRefusal::StoreFailed, store.error().message);
    std::vector<core::ContentHash> all = deck->blobs();
    all.push_back(job.manifest);
    for (const core::ContentHash& h : all) {
        if (store->has(h)) continue;
        const fs::path target = store->pathOf(h);
        std::error_code ec;
        fs::create_directories(target.parent_path(), ec);
        if (!ec) fs::rename(staging->pathOf(h), target, ec);
        if (ec) return fail(net::UploadRefusal::StoreFailed, target.string() + ": " + ec.message());
    }
    v.deck = std::move(*deck);
    return v;
}

} // namespace caseroom::session
