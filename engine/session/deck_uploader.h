// Deck uploads, client side: sends a built deck (`caseroom-deck build --out
// DIR`: DIR/deck names the manifest, DIR/blobs holds it and every frame) to
// the server through a ClientSession, then offers it and waits for the
// server's verdict (session/deck_upload.h does the checks).
// Every blob is sent, the manifest first: there is no probing for blobs the
// server already has (it would tell a client what the store holds, and the
// saving is one deck's bytes once). Puts go in order, paced at
// kUploadBytesPerSecond and with at most kUploadWindowBytes sent but not yet
// acknowledged (UploadStatus Progress), so an upload stays inside the media
// channel's rate limit (net/secure/limits.cpp) and never queues megabytes in
// the transport. The DeckOffer goes once every byte is acknowledged.
// Thread rule: the ClientSession's thread; time comes in as `now`.
#pragma once
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/content_hash.h"
#include "core/result.h"
#include "media/blob.h"
#include "net/messages.h"

namespace caseroom::session {

class ClientSession;

constexpr double kUploadBytesPerSecond = 192.0 * 1024.0;
constexpr std::uint64_t kUploadWindowBytes = 256u << 10;

enum class UploadPhase : std::uint8_t { Idle, Sending, Offered, Accepted, Refused, Failed, Count };
const char* toString(UploadPhase p);

// For a UI: how far the upload is and, at the end, the verdict.
struct UploadProgress {
    UploadPhase phase = UploadPhase::Idle;
    core::ContentHash deck;                            // the manifest's hash
    std::uint64_t totalBytes = 0, sentBytes = 0, ackedBytes = 0;
    std::uint32_t blobs = 0, blobsSent = 0;
    net::UploadRefusal reason = net::UploadRefusal::None; // Refused: the server's reason
    std::string error;                                 // Refused / Failed: in words
};

class DeckUploader {
public:
    explicit DeckUploader(ClientSession& session);
    ~DeckUploader();
    DeckUploader(const DeckUploader&) = delete;
    DeckUploader& operator=(const DeckUploader&) = delete;

    // Reads DIR/deck and the manifest from DIR/blobs, checks that every blob
    // the manifest lists is there (sizes within net::kMaxBlobBytes), and
    // starts. Error names the file and the fault. One upload per uploader.
    core::Status start(const std::filesystem::path& deckDir, double now);
    // Sends what the window and pace allow; call every frame while in the room.
    void update(double now);
    [[nodiscard]] const UploadProgress& progress() const { return progress_; }
    [[nodiscard]] bool finished() const {
        return progress_.phase == UploadPhase::Accepted || progress_.phase == UploadPhase::Refused || progress_.phase == UploadPhase::Failed;
    }

private:
    void onStatus(const net::UploadStatus& st);
    void fail(std::string why);

    ClientSession& session_;
    std::optional<media::BlobStore> store_;
    std::vector<core::ContentHash> order_;      // manifest first, then the frames
    std::size_t nextBlob_ = 0;
    std::vector<std::uint8_t> current_;         // the blob being sent
    std::uint32_t offset_ = 0;
    bool loaded_ = false;
    double budget_ = 0, last_ = 0;              // pacing (bytes)
    UploadProgress progress_;
    net::BlobPut put_;                          // reused
};

} // namespace caseroom::session
