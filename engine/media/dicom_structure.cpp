// See dicom_structure.h. PS3.5 section 7 (data elements), 7.5 (sequences
// and items) and 8.2 (encapsulated pixel data).
#include "media/dicom_structure.h"
#include "media/decoders.h"

#include <cstring>

namespace caseroom::media {
namespace {

constexpr std::uint32_t kUndefined = 0xffffffffu;
constexpr int kMaxDepth = 32;

struct Walker {
    std::span<const std::uint8_t> b;
    std::string_view source;
    bool bigEndian = false;
    std::string error;

    std::uint16_t u16(std::size_t at) const {
        return bigEndian ? static_cast<std::uint16_t>(b[at] << 8 | b[at + 1])
                         : static_cast<std::uint16_t>(b[at] | b[at + 1] << 8);
    }
    std::uint32_t u32(std::size_t at) const {
        const std::uint32_t a = b[at], c = b[at + 1], d = b[at + 2], e = b[at + 3];
        return bigEndian ? (a << 24 | c << 16 | d << 8 | e) : (a | c << 8 | d << 16 | e << 24);
    }
    bool fail(std::size_t at, const std::string& what) {
        error = what + " at byte " + std::to_string(at);
        return false;
    }
    static bool longVr(const char* vr) {
        static const char* kLong[] = {"OB", "OD", "OF", "OL", "OV", "OW", "SQ", "UC", "UN", "UR", "UT", "SV", "UV"};
        for (const char* l : kLong)
            if (vr[0] == l[0] && vr[1] == l[1]) return true;
        return false;
    }

    // Items of a sequence (or fragments of encapsulated pixel data) until the
    // sequence delimiter; pos is just past the element header.
    bool items(std::size_t& pos, bool explicitVr, int depth) {
        for (;;) {
            if (b.size() - pos < 8) return fail(pos, "truncated sequence (no sequence delimiter)");
            const std::uint16_t g = u16(pos), e = u16(pos + 2);
            const std::uint32_t len = u32(pos + 4);
            if (g == 0xfffe && e == 0xe0dd) { pos += 8; return true; }
            if (g != 0xfffe || e != 0xe000) return fail(pos, "expected an item tag in a sequence");
            pos += 8;
            if (len == kUndefined) {
                if (!dataset(pos, b.size(), explicitVr, depth + 1, true)) return false;
            } else {
                if (len > b.size() - pos) return fail(pos, "item length " + std::to_string(len) + " runs past the end");
                pos += len; // defined-length item: contents not inspected
            }
        }
    }

    // Elements from pos to end (or to an item delimiter when inItem).
    bool dataset(std::size_t& pos, std::size_t end, bool explicitVr, int depth, bool inItem) {
        if (depth > kMaxDepth) return fail(pos, "sequences nested deeper than " + std::to_string(kMaxDepth));
        while (pos < end) {
            if (end - pos < 8) return fail(pos, "truncated element header");
            const std::uint16_t g = u16(pos), e = u16(pos + 2);
            if (g == 0xfffe && e == 0xe00d) {
                if (!inItem) return fail(pos, "item delimiter outside an item");
                pos += 8;
                return true;
            }
            std::uint32_t len = 0;
            bool isSq = false;
            if (explicitVr && g != 0xfffe) {
                const char vr[2] = {static_cast<char>(b[pos + 4]), static_cast<char>(b[pos + 5])};
                if (vr[0] < 'A' || vr[0] > 'Z' || vr[1] < 'A' || vr[1] > 'Z')
                    return fail(pos, "invalid VR in an explicit-VR data set");
                if (longVr(vr)) {
                    if (end - pos < 12) return fail(pos, "truncated element header");
                    len = u32(pos + 8);
                    pos += 12;
                } else {
                    len = u16(pos + 6);
                    pos += 8;
                }
                isSq = vr[0] == 'S' && vr[1] == 'Q';
                if (len == kUndefined) {
                    // SQ, UN (CP-246: contents implicit VR) or encapsulated OB/OW pixel data.
                    const bool un = vr[0] == 'U' && vr[1] == 'N';
                    if (!items(pos, un ? false : true, depth)) return false;
                    continue;
                }
            } else {
                len = u32(pos + 4);
                pos += 8;
                if (len == kUndefined) {
                    if (!items(pos, explicitVr, depth)) return false;
                    continue;
                }
            }
            (void)isSq;
            if (len > end - pos)
                return fail(pos, "element (" + hex(g) + "," + hex(e) + ") length " + std::to_string(len) +
                                     " runs past the end of the file");
            pos += len;
        }
        if (inItem) return fail(pos, "truncated item (no item delimiter)");
        return true;
    }

    static std::string hex(std::uint16_t v) {
        static const char* d = "0123456789ABCDEF";
        return {d[v >> 12], d[(v >> 8) & 15], d[(v >> 4) & 15], d[v & 15]};
    }
};

} // namespace

core::Result<DicomFraming> checkDicomFraming(std::span<const std::uint8_t> bytes, std::string_view source) {
    if (bytes.size() < 132 || std::memcmp(bytes.data() + 128, "DICM", 4) != 0)
        return detail::fault(source, "DICOM: no \"DICM\" prefix at byte 128");
    Walker w{bytes, source, false, {}};
    // File meta group: always explicit VR little endian, group 0002 only.
    std::size_t pos = 132;
    DicomFraming out;
    while (pos < bytes.size()) {
        if (bytes.size() - pos < 8) return detail::fault(source, "DICOM: truncated file meta information at byte " + std::to_string(pos));
        if (w.u16(pos) != 0x0002) break;
        const std::uint16_t e = w.u16(pos + 2);
        const char vr[2] = {static_cast<char>(bytes[pos + 4]), static_cast<char>(bytes[pos + 5])};
        std::uint32_t len = 0;
        std::size_t header = 8;
        if (Walker::longVr(vr)) {
            if (bytes.size() - pos < 12) return detail::fault(source, "DICOM: truncated file meta information");
            len = w.u32(pos + 8);
            header = 12;
        } else {
            len = w.u16(pos + 6);
        }
        if (len == kUndefined || len > bytes.size() - pos - header)
            return detail::fault(source, "DICOM: file meta element (0002," + Walker::hex(e) + ") runs past the end of the file");
        if (e == 0x0010) {
            out.transferSyntaxUid.assign(reinterpret_cast<const char*>(bytes.data() + pos + header), len);
            while (!out.transferSyntaxUid.empty() &&
                   (out.transferSyntaxUid.back() == '\0' || out.transferSyntaxUid.back() == ' '))
                out.transferSyntaxUid.pop_back();
        }
        pos += header + len;
    }
    if (out.transferSyntaxUid.empty())
        return detail::fault(source, "DICOM: file meta information has no Transfer Syntax UID (0002,0010)");
    const std::string& ts = out.transferSyntaxUid;
    if (ts == "1.2.840.10008.1.2.1.99")
        return detail::fault(source, "DICOM: transfer syntax 1.2.840.10008.1.2.1.99 (Deflated Explicit VR Little Endian) is not supported");
    const bool implicitVr = ts == "1.2.840.10008.1.2";
    w.bigEndian = ts == "1.2.840.10008.1.2.2";
    if (!w.dataset(pos, bytes.size(), !implicitVr, 0, false))
        return detail::fault(source, "DICOM: malformed data set (" + w.error + ")");
    return out;
}

} // namespace caseroom::media
