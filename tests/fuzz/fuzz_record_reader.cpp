// record::RecordingReader over any bytes: open, read every block, seek, verify.
// Input: [u8 mode][rest]
//   mode & 1 == 0: rest is a recording file as is (the seeds are real ones);
//   mode & 1 == 1: rest is [u16 length][plaintext]... block plaintexts that the
//     harness seals with the fuzz key into a well-framed file (seq 0, 1, ...),
//     so the block decoders see arbitrary authenticated content; with
//     mode & 2 a trailer names the last block as the index.
// The file lives in a memfd: no disk I/O per input.
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <string>
#include <vector>

#include "record/format.h"
#include "record_fuzz_common.h"

using namespace caseroom;
using namespace caseroom::record;

namespace {

std::vector<std::uint8_t> sealFile(const std::uint8_t* p, std::size_t n, bool trailer) {
    const Key key = fuzz::recordFuzzKey();
    format::Header h;
    h.keyId = format::keyIdOf(key);
    for (std::size_t i = 0; i < h.salt.size(); ++i) h.salt[i] = static_cast<std::uint8_t>(i);
    const Key fk = format::fileKey(key, h.salt);
    std::vector<std::uint8_t> out(format::kHeaderBytes);
    format::putHeader(out.data(), h);
    std::vector<std::uint8_t> frame;
    std::uint64_t seq = 0, last = 0;
    while (n >= 2) {
        std::size_t len = static_cast<std::size_t>(p[0] | (p[1] << 8));
        p += 2;
        n -= 2;
        if (len > n) len = n;
        last = out.size();
        format::seal(frame, seq++, std::span<const std::uint8_t>(p, len), fk);
        out.insert(out.end(), frame.begin(), frame.end());
        p += len;
        n -= len;
    }
    if (trailer) {
        std::uint8_t t[format::kTrailerBytes];
        format::putTrailer(t, last);
        out.insert(out.end(), t, t + sizeof t);
    }
    return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1 || !format::initSodium()) return 0;
    const std::uint8_t mode = data[0];
    std::vector<std::uint8_t> file = (mode & 1) ? sealFile(data + 1, size - 1, (mode & 2) != 0)
                                                : std::vector<std::uint8_t>(data + 1, data + size);
    const int fd = ::memfd_create("fuzz_record", MFD_CLOEXEC);
    if (fd < 0) return 0;
    if (!file.empty() && ::write(fd, file.data(), file.size()) != static_cast<ssize_t>(file.size())) {
        ::close(fd);
        return 0;
    }
    const std::string path = "/proc/self/fd/" + std::to_string(fd);
    auto r = RecordingReader::open(path, fuzz::recordFuzzKey());
    if (r) {
        auto& rd = **r;
        (void)rd.info();
        const auto n = rd.blocks().size();
        for (std::size_t i = 0; i < n && i < 4096; ++i) (void)rd.read(i);
        (void)rd.read(n);
        const auto& s = rd.summary();
        for (std::uint32_t t : {0u, s.firstTick, s.lastTick, (s.firstTick + s.lastTick) / 2, 0xFFFFFFFFu})
            if (auto k = rd.keyframeAtOrBefore(t)) (void)rd.read(*k);
        (void)rd.verifyAll();
    }
    ::close(fd);
    return 0;
}
