// Deck uploads, server side: a presenter's built deck (`caseroom-deck build`
// on their own machine, which does the de-identification) arrives as
// BlobPuts and a DeckOffer; the server re-checks everything that can be
// checked on the built deck and only then adds it to the content store. The
// server never runs GDCM or poppler: frames are decoded with
// media::decodeRaster (PNG and JPEG only).
//
// Per client, one upload at a time, within a quota (bytes and blobs per
// deck). Chunks are written in order to a staging directory
// <content>/incoming/<peer>/ and hashed as they arrive; a blob whose bytes do
// not match its name is refused at its last chunk. A DeckOffer queues the
// deck for checks on ONE worker thread (the tick never waits on them):
// the manifest parses and passes media::checkManifest, every listed blob is
// present and matches, every frame decodes to the declared width, height,
// bits and samples, and the metadata strippers find nothing to remove (no
// EXIF/XMP/comments in photos, no text chunks in PNGs). A deck that passes
// is moved into the content store (rename, same filesystem) and poll(), on
// the tick thread, allows it and calls onDeckAccepted. Any failure: the
// client gets UploadStatus Refused with the reason, the staging files go,
// and an audit record says who, what and why (never file contents).
// Thread rule: every public function on the server's thread; the worker
// touches only the staging directory, the store's directory (renames) and
// its own queue.
#pragma once
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/content_hash.h"
#include "core/ids.h"
#include "media/blob.h"
#include "media/deck.h"
#include "net/messages.h"
#include "session/audit_log.h"
#include "session/content_store.h"

namespace caseroom::session {

struct DeckUploadConfig {
    std::uint64_t maxDeckBytes = 256ull << 20;  // all blobs of one deck (manifest included)
    std::uint32_t maxDeckBlobs = media::kMaxDeckSlides * media::kMaxSlideFrames + 1; // what a manifest can list, plus itself
    std::uint32_t maxConcurrent = 4;            // uploads in progress server-wide (more: Busy)
    double stallSeconds = 60.0;                 // no BlobPut for this long: the upload is dropped (TimedOut)
    // Tests: runs on the worker before a deck is checked (e.g. to hold it
    // while ticks go on). Empty in production.
    std::function<void()> beforeVerify;
};

struct DeckUploadCounters {
    std::uint64_t bytesReceived = 0;   // BlobPut payload accepted into staging
    std::uint64_t blobsReceived = 0;   // blobs completed and hash-checked
    std::uint64_t stray = 0;           // BlobPuts with no upload to belong to (after a refusal): dropped
    std::uint64_t accepted = 0, refused = 0;
    std::uint64_t verifying = 0;       // decks queued or on the worker now
};

// Who an upload is from, for the replies and the audit trail.
struct Uploader {
    core::PeerId peer;
    AuditRecord about;   // who (ServerHost::auditAbout): kind, what and outcome are filled here
};

class DeckUploads {
public:
    using Reply = std::function<void(core::PeerId, const net::UploadStatus&)>;
    using Accepted = std::function<void(const core::ContentHash& manifest, const media::DeckManifest& deck)>;

    // Staging under content.blobs().dir() / "incoming" (emptied: leftovers of
    // a previous run are never trusted). `audit` may be null. Error names the
    // directory and the fault.
    static core::Result<std::unique_ptr<DeckUploads>> create(ContentStore& content, AuditSink* audit, DeckUploadConfig config = {});
    ~DeckUploads();
    DeckUploads(const DeckUploads&) = delete;
    DeckUploads& operator=(const DeckUploads&) = delete;

    // Fires on the server's thread (inside poll) for each deck accepted,
    // after the content store allows it. The lead wires it to the deck library.
    Accepted onDeckAccepted;

    // One BlobPut / DeckOffer from a client the host has found permitted.
    void onPut(const Uploader& who, const net::BlobPut& put, double now, const Reply& reply);
    void onOffer(const Uploader& who, const net::DeckOffer& offer, double now, const Reply& reply);
    // A client whose role may not upload: refused once per blob start and
    // per offer (the host audits through its rate limit).
    void refuseNotPermitted(core::PeerId peer, const core::ContentHash& hash, const Reply& reply);
    // The client left: its upload (and staging) goes. A deck on the worker
    // whose checks have not finished is dropped and nothing is stored; one
    // that already passed and moved into the store is accepted all the same
    // (audited as the uploader's; no reply, the client is gone).
    void onLeave(core::PeerId peer);
    // Verdicts from the worker (allow + onDeckAccepted, or refusals), and stalled uploads.
    void poll(double now, const Reply& reply);

    [[nodiscard]] const DeckUploadCounters& counters() const { return counters_; }
    [[nodiscard]] const std::filesystem::path& stagingRoot() const { return staging_; }
    // Uploads in progress (receiving or being checked).
    [[nodiscard]] std::size_t active() const { return uploads_.size(); }

private:
    struct Upload {
        Uploader who;
        std::filesystem::path dir;                  // <staging>/<peer>.<n>
        std::uint64_t bytes = 0;                    // received (quota)
        std::uint64_t ackedAt = 0;                  // bytes at the last Progress
        std::unordered_set<core::ContentHash, core::ContentHashHasher> blobs; // completed
        // The blob being received.
        bool receiving = false;
        core::ContentHash hash;
        std::uint32_t next = 0, total = 0;
        std::optional<media::BlobHasher> hasher;
        std::ofstream partial;
        double lastPut = 0;
        bool verifying = false;
        std::uint64_t serial = 0;                   // matches the worker's verdict to this upload
        std::optional<media::BlobStore> store;      // the staging store in `dir`
    };
    struct Job {
        Uploader who;
        std::uint32_t peer = 0;
        std::uint64_t serial = 0;
        std::filesystem::path dir;
        core::ContentHash manifest;
    };
    struct Verdict {
        Uploader who;
        bool cancelled = false;                     // the uploader left before the move: nothing stored
        std::uint32_t peer = 0;
        std::uint64_t serial = 0;
        core::ContentHash manifest;
        net::UploadRefusal reason = net::UploadRefusal::None;
        std::string detail;                         // for the audit record: which blob/slide and the fault
        media::DeckManifest deck;
        std::filesystem::path dir;                  // staging, removed by poll()
    };

    DeckUploads(ContentStore& content, AuditSink* audit, DeckUploadConfig config, std::filesystem::path staging);
    void refuse(Upload& u, const core::ContentHash& hash, net::UploadRefusal why, const std::string& detail, const Reply& reply);
    void drop(std::uint32_t peer);                 // removes the upload and its staging
    void auditUpload(const Uploader& who, const core::ContentHash& hash, bool accepted, const std::string& outcome);
    void worker();
    Verdict verify(const Job& job);

    ContentStore& content_;
    AuditSink* audit_;
    DeckUploadConfig config_;
    std::filesystem::path staging_;
    std::filesystem::path storeDir_;
    std::unordered_map<std::uint32_t, Upload> uploads_;
    std::uint64_t nextSerial_ = 1;
    DeckUploadCounters counters_;

    std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<Job> jobs_;                          // guarded by mutex_
    std::deque<Verdict> verdicts_;                  // guarded by mutex_
    bool stop_ = false;                             // guarded by mutex_
    std::unordered_set<std::uint64_t> cancelled_;   // serials whose uploader left; guarded by mutex_
    std::thread thread_;                            // last: starts after everything above exists
};

} // namespace caseroom::session
