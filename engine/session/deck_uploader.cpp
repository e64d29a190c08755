#include "session/deck_uploader.h"

#include <algorithm>
#include <fstream>

#include "media/deck.h"
#include "session/client_session.h"

namespace caseroom::session {
namespace fs = std::filesystem;

const char* toString(UploadPhase p) {
    switch (p) {
    case UploadPhase::Idle: return "idle";
    case UploadPhase::Sending: return "sending";
    case UploadPhase::Offered: return "offered";
    case UploadPhase::Accepted: return "accepted";
    case UploadPhase::Refused: return "refused";
    case UploadPhase::Failed: return "failed";
    case UploadPhase::Count: break;
    }
    return "?";
}

DeckUploader::DeckUploader(ClientSession& session) : session_(session) {
    session_.setUploadSink([this](const net::UploadStatus& st) { onStatus(st); });
}

DeckUploader::~DeckUploader() { session_.setUploadSink({}); }

core::Status DeckUploader::start(const fs::path& deckDir, double now) {
    if (progress_.phase != UploadPhase::Idle) return core::Error{"an upload was already started"};
    const fs::path deckFile = deckDir / "deck";
    std::ifstream in(deckFile);
    std::string line;
    if (!in || !std::getline(in, line)) return core::Error{deckFile.string() + ": cannot read (not a built deck?)"};
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    const auto manifest = core::ContentHash::fromHex(line);
    if (!manifest) return core::Error{deckFile.string() + ": not one line of 64 hex digits (a manifest hash)"};
    auto store = media::BlobStore::open(deckDir / "blobs");
    if (!store) return store.error();
    auto bytes = store->read(*manifest, media::kMaxManifestBytes);
    if (!bytes) return core::Error{"manifest: " + bytes.error().message};
    auto deck = media::parseManifest(*bytes, store->pathOf(*manifest).string());
    if (!deck) return deck.error();
    order_.clear();
    order_.push_back(*manifest);
    for (const auto& h : deck->blobs()) order_.push_back(h);
    progress_ = UploadProgress{};
    for (const auto& h : order_) {
        const auto size = store->size(h);
        if (!size) return core::Error{store->pathOf(h).string() + ": missing (the deck lists it)"};
        if (*size == 0 || *size > net::kMaxBlobBytes)
            return core::Error{store->pathOf(h).string() + ": " + std::to_string(*size) + " bytes (1.." +
                               std::to_string(net::kMaxBlobBytes) + " may be uploaded)"};
        progress_.totalBytes += *size;
    }
    store_.emplace(std::move(*store));
    progress_.deck = *manifest;
    progress_.blobs = static_cast<std::uint32_t>(order_.size());
    progress_.phase = UploadPhase::Sending;
    nextBlob_ = 0;
    loaded_ = false;
    budget_ = 0;
    last_ = now;
    return {};
}

void DeckUploader::fail(std::string why) {
    progress_.phase = UploadPhase::Failed;
    progress_.error = std::move(why);
}

void DeckUploader::update(double now) {
    if (progress_.phase != UploadPhase::Sending || session_.state() != ClientState::InRoom) return;
    if (now > last_) budget_ = std::min(budget_ + (now - last_) * kUploadBytesPerSecond, 16.0 * net::kBlobChunkBytes);
    last_ = std::max(last_, now);
    while (nextBlob_ < order_.size() && progress_.sentBytes - progress_.ackedBytes < kUploadWindowBytes &&
           budget_ >= net::kBlobChunkBytes) {
        if (!loaded_) {
            auto bytes = store_->read(order_[nextBlob_], net::kMaxBlobBytes); // verified: we send only what the name says
            if (!bytes) { fail(bytes.error().message); return; }
            current_ = std::move(*bytes);
            offset_ = 0;
            loaded_ = true;
        }
        const auto n = static_cast<std::uint16_t>(std::min<std::size_t>(net::kBlobChunkBytes, current_.size() - offset_));
        put_.hash = order_[nextBlob_];
        put_.offset = offset_;
        put_.total = static_cast<std::uint32_t>(current_.size());
        put_.size = n;
        std::copy_n(current_.begin() + offset_, n, put_.bytes.begin());
        if (!session_.sendUpload(put_)) return; // the transport is full: try next update
        offset_ += n;
        progress_.sentBytes += n;
        budget_ -= n;
        if (offset_ == current_.size()) {
            ++nextBlob_;
            ++progress_.blobsSent;
            loaded_ = false;
            current_.clear();
            current_.shrink_to_fit();
        }
    }
    if (nextBlob_ == order_.size() && progress_.ackedBytes == progress_.totalBytes) {
        if (session_.sendUpload(net::DeckOffer{progress_.deck})) progress_.phase = UploadPhase::Offered;
    }
}

void DeckUploader::onStatus(const net::UploadStatus& st) {
    if (progress_.phase != UploadPhase::Sending && progress_.phase != UploadPhase::Offered) return;
    switch (st.state) {
    case net::UploadState::Progress: progress_.ackedBytes = std::min(st.bytes, progress_.sentBytes); break;
    case net::UploadState::Accepted:
        if (st.hash == progress_.deck) {
            progress_.ackedBytes = progress_.totalBytes;
            progress_.phase = UploadPhase::Accepted;
        }
        break;
    case net::UploadState::Refused:
        progress_.phase = UploadPhase::Refused;
        progress_.reason = st.reason;
        progress_.error = std::string("refused: ") + net::toString(st.reason) + " (" + st.hash.hex() + ")";
        break;
    case net::UploadState::Count: break;
    }
}

} // namespace caseroom::session
