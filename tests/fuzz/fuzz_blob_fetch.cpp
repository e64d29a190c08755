// The client's blob fetcher against a hostile server: chunks with any
// offsets, sizes, totals and bytes (true bytes of the blob, or junk), for
// blobs wanted or not, "unavailable" answers, disconnects and reconnects in
// any order, and whatever decodes from raw media-channel packets. The cache
// is a fresh directory per input.
// Input: repeated operations until the input runs out (at most 300):
//   0 [u8 k]                                    want blob k % 4 (3: one the "server" does not have)
//   1                                           pump: the fetcher sends its requests
//   2 [u8 k][u32 offset][u16 size][u8 mode]     a chunk for blob k: mode even: the blob's true bytes
//                                               at offset; odd: junk bytes from the input; mode & 2: a false total
//   3 [u8 k]                                    BlobUnavailable for blob k
//   4 / 5                                       disconnect / connect
//   6 [u16 len][len bytes]                      a raw media-channel packet, fed if it decodes
// Properties: nothing crashes and no UB (sanitizers); every request is for a
// wanted blob with a length in range; a blob's bytes never exceed its total;
// a blob marked Done reads back (verified) as exactly its true bytes.
// Seeds (corpus/fuzz_blob_fetch) are written by hand in this script format,
// not by make_seeds: fetch_verify_resume completes two blobs across a
// disconnect; junk_then_true feeds wrong bytes before the true ones.
#include <stdlib.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <span>
#include <vector>

#include "fuzz_common.h"
#include "media/blob.h"
#include "net/messages.h"
#include "session/content_fetch.h"

using namespace caseroom;

namespace {
struct Known {
    std::vector<std::uint8_t> bytes;
    core::ContentHash hash;
};
const std::vector<Known>& known() {
    static const std::vector<Known> k = [] {
        std::vector<Known> out;
        for (std::size_t n : {std::size_t{100}, std::size_t{2000}, std::size_t{5000}}) {
            Known b;
            b.bytes.resize(n);
            for (std::size_t i = 0; i < n; ++i) b.bytes[i] = static_cast<std::uint8_t>(i * 7 + n);
            b.hash = media::hashBlob(b.bytes);
            out.push_back(std::move(b));
        }
        Known absent;
        absent.hash.bytes[0] = 0xAB;
        out.push_back(std::move(absent));
        return out;
    }();
    return k;
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    char name[] = "/tmp/caseroom-fuzz-fetch-XXXXXX";
    if (!::mkdtemp(name)) return 0;
    const std::filesystem::path dir(name);
    {
        const auto& blobs = known();
        session::BlobFetcher f(dir / "cache");
        caseroom::fuzz::InputReader in{data, size};
        std::uint8_t op = 0;
        for (int steps = 0; steps < 300 && in.u8(op); ++steps) {
            switch (op % 7) {
            case 0: {
                std::uint8_t k = 0;
                if (!in.u8(k)) break;
                f.want(blobs[k % 4].hash);
                break;
            }
            case 1:
                f.pump([&](const net::BlobRequest& r) {
                    if (!f.progress(r.hash) || r.length == 0 || r.length > net::kMaxBlobRequestBytes) std::abort();
                    return true;
                });
                break;
            case 2: {
                std::uint8_t k = 0, mode = 0;
                std::uint32_t offset = 0;
                std::uint16_t n = 0;
                if (!in.u8(k) || !in.u32(offset) || !in.u16(n) || !in.u8(mode)) break;
                const Known& b = blobs[k % 4];
                net::BlobChunk c;
                c.hash = b.hash;
                c.size = static_cast<std::uint16_t>(1 + n % net::kBlobChunkBytes);
                c.total = static_cast<std::uint32_t>(b.bytes.empty() ? 4096 : b.bytes.size());
                if (mode & 2) c.total = 1 + offset % (1u << 20);
                c.offset = c.total > c.size ? offset % (c.total - c.size + 1) : 0;
                if (c.size > c.total) c.size = static_cast<std::uint16_t>(c.total);
                if (mode & 1) {
                    const auto junk = in.take(c.size);
                    std::copy(junk.begin(), junk.end(), c.bytes.begin());
                } else if (c.offset + c.size <= b.bytes.size()) {
                    std::copy_n(b.bytes.begin() + c.offset, c.size, c.bytes.begin());
                }
                f.onChunk(c);
                break;
            }
            case 3: {
                std::uint8_t k = 0;
                if (in.u8(k)) f.onUnavailable(blobs[k % 4].hash);
                break;
            }
            case 4: f.onDisconnected(); break;
            case 5: f.onConnected(); break;
            case 6: {
                std::uint16_t len = 0;
                if (!in.u16(len)) break;
                const auto bytes = in.take(len % 1200);
                net::DecodeResult r = net::decodeMessage(bytes, net::Channel::Media);
                if (!r.ok) break;
                if (auto* c = std::get_if<net::BlobChunk>(&r.message)) f.onChunk(*c);
                else if (auto* u = std::get_if<net::BlobUnavailable>(&r.message)) f.onUnavailable(u->hash);
                break;
            }
            default: break;
            }
            for (const session::BlobProgress& p : f.all()) {
                if (p.total && p.bytes > p.total) std::abort();
                if (p.state == session::FetchState::Done) {
                    const auto back = f.read(p.hash);
                    if (!back) std::abort();
                    bool matched = false;
                    for (const Known& b : blobs)
                        if (b.hash == p.hash) matched = *back == b.bytes;
                    if (!matched) std::abort();
                }
            }
        }
    }
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
    return 0;
}
