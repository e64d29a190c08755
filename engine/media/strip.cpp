// Byte-level metadata strippers for photos (raster.h). PNG: ISO/IEC 15948
// (PNG 3rd ed.) chunk layout; JPEG: ITU T.81 Annex B marker segments. No
// library: segments are walked by their lengths and copied verbatim.
#include "media/raster.h"
#include "media/decoders.h"

#include <array>
#include <cstring>

namespace caseroom::media {
namespace {

std::uint32_t be32(std::span<const std::uint8_t> b, std::size_t at) {
    return std::uint32_t{b[at]} << 24 | std::uint32_t{b[at + 1]} << 16 | std::uint32_t{b[at + 2]} << 8 | b[at + 3];
}

bool isLetter(std::uint8_t c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }

void append(std::vector<std::uint8_t>& out, std::span<const std::uint8_t> b, std::size_t from, std::size_t to) {
    out.insert(out.end(), b.begin() + static_cast<std::ptrdiff_t>(from), b.begin() + static_cast<std::ptrdiff_t>(to));
}

// A JPEG APPn identifier for the report: the printable bytes before the
// first NUL, at most 32 (e.g. "Exif", "http://ns.adobe.com/xap/1.0/").
std::string appIdentifier(std::span<const std::uint8_t> payload) {
    std::string id;
    for (std::size_t i = 0; i < payload.size() && id.size() < 32; ++i) {
        const std::uint8_t c = payload[i];
        if (c == 0) break;
        if (c < 0x20 || c > 0x7e) return id;
        id.push_back(static_cast<char>(c));
    }
    return id;
}

} // namespace

core::Result<Stripped> stripPngMetadata(std::span<const std::uint8_t> b, std::string_view source) {
    static constexpr std::array<std::uint8_t, 8> kSig{0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a};
    if (b.size() < kSig.size() || std::memcmp(b.data(), kSig.data(), kSig.size()) != 0)
        return detail::fault(source, "not a PNG file (no PNG signature)");
    static constexpr const char* kKeep[] = {"IHDR", "PLTE", "IDAT", "IEND", "tRNS", "gAMA", "cHRM", "sRGB"};
    Stripped out;
    out.bytes.reserve(b.size());
    append(out.bytes, b, 0, kSig.size());
    std::size_t pos = kSig.size();
    bool first = true;
    for (;;) {
        if (b.size() - pos < 12)
            return detail::fault(source, "PNG truncated at byte " + std::to_string(pos) + " (no IEND chunk)");
        const std::uint32_t len = be32(b, pos);
        const char type[5] = {static_cast<char>(b[pos + 4]), static_cast<char>(b[pos + 5]),
                              static_cast<char>(b[pos + 6]), static_cast<char>(b[pos + 7]), '\0'};
        for (int i = 4; i < 8; ++i)
            if (!isLetter(b[pos + static_cast<std::size_t>(i)]))
                return detail::fault(source, "PNG chunk at byte " + std::to_string(pos) + " has an invalid type");
        if (len > 0x7fffffffu || len > b.size() - pos - 12)
            return detail::fault(source, std::string("PNG chunk ") + type + " at byte " + std::to_string(pos) +
                                             " runs past the end of the file");
        const std::size_t end = pos + 12 + len;
        if (first && std::strcmp(type, "IHDR") != 0)
            return detail::fault(source, "PNG does not start with an IHDR chunk");
        first = false;
        bool keep = false;
        for (const char* k : kKeep) keep = keep || std::strcmp(type, k) == 0;
        if (!keep && type[0] >= 'A' && type[0] <= 'Z')
            return detail::fault(source, std::string("PNG has an unknown critical chunk ") + type);
        if (keep) append(out.bytes, b, pos, end);
        else out.removed.push_back({type, 12u + std::uint64_t{len}});
        pos = end;
        if (std::strcmp(type, "IEND") == 0) break;
    }
    if (pos < b.size()) out.removed.push_back({"bytes after IEND", b.size() - pos});
    return out;
}

core::Result<Stripped> stripJpegMetadata(std::span<const std::uint8_t> b, std::string_view source) {
    if (b.size() < 4 || b[0] != 0xff || b[1] != 0xd8)
        return detail::fault(source, "not a JPEG file (no SOI marker)");
    Stripped out;
    out.bytes.reserve(b.size());
    append(out.bytes, b, 0, 2);
    std::size_t pos = 2;
    const auto at = [](std::size_t p) { return " at byte " + std::to_string(p); };
    for (;;) {
        if (pos >= b.size()) return detail::fault(source, "JPEG truncated (no EOI marker)");
        if (b[pos] != 0xff) return detail::fault(source, "JPEG: expected a marker" + at(pos));
        // Fill bytes: any number of 0xFF before a marker code.
        std::size_t m = pos + 1;
        while (m < b.size() && b[m] == 0xff) ++m;
        if (m >= b.size()) return detail::fault(source, "JPEG truncated (no EOI marker)");
        const std::uint8_t code = b[m];
        const std::size_t markerAt = m - 1;
        if (code == 0x00) return detail::fault(source, "JPEG: stray 0xFF00 outside a scan" + at(markerAt));
        // Fill bytes before a kept marker are kept (copied with it); before a
        // dropped segment they are counted in its size.
        if (code == 0xd9) { // EOI
            append(out.bytes, b, pos, m + 1);
            pos = m + 1;
            break;
        }
        if (code == 0xd8) return detail::fault(source, "JPEG: a second SOI marker" + at(markerAt));
        if ((code >= 0xd0 && code <= 0xd7) || code == 0x01) { // RSTn, TEM: no length
            append(out.bytes, b, pos, m + 1);
            pos = m + 1;
            continue;
        }
        if (b.size() - m < 3) return detail::fault(source, "JPEG truncated in a marker segment" + at(markerAt));
        const std::size_t len = static_cast<std::size_t>(b[m + 1]) << 8 | b[m + 2];
        if (len < 2 || len > b.size() - m - 1)
            return detail::fault(source, "JPEG marker segment length runs past the end of the file" + at(markerAt));
        const std::size_t end = m + 1 + len;
        const auto payload = b.subspan(m + 3, len - 2);
        if (code == 0xe0) {
            // JFIF (JFIF 1.02): identifier(5) version(2) units(1) density(4)
            // thumbnail size(2), then 3*w*h thumbnail bytes.
            if (payload.size() >= 14 && std::memcmp(payload.data(), "JFIF", 5) == 0) {
                append(out.bytes, b, pos, markerAt);
                out.bytes.insert(out.bytes.end(), {0xff, 0xe0, 0x00, 0x10});
                append(out.bytes, payload, 0, 12);
                out.bytes.push_back(0); // no thumbnail
                out.bytes.push_back(0);
                if (payload.size() > 14) out.removed.push_back({"APP0 JFIF thumbnail", payload.size() - 14});
            } else {
                const std::string id = appIdentifier(payload);
                out.removed.push_back({id.empty() ? "APP0" : "APP0 " + id, end - pos});
            }
        } else if (code >= 0xe1 && code <= 0xef) {
            const std::string id = appIdentifier(payload);
            const bool adobe = code == 0xee && payload.size() >= 5 && std::memcmp(payload.data(), "Adobe", 5) == 0;
            if (adobe) append(out.bytes, b, pos, end);
            else out.removed.push_back({"APP" + std::to_string(code - 0xe0) + (id.empty() ? "" : " " + id), end - pos});
        } else if (code == 0xfe) {
            out.removed.push_back({"COM", end - pos});
        } else {
            append(out.bytes, b, pos, end);
            if (code == 0xda) {
                // Entropy-coded data up to the next marker that is not a
                // stuffed 0xFF00 or a restart marker.
                std::size_t i = end;
                for (;;) {
                    if (i >= b.size()) return detail::fault(source, "JPEG truncated in a scan (no EOI marker)");
                    if (b[i] != 0xff) { ++i; continue; }
                    if (i + 1 >= b.size()) return detail::fault(source, "JPEG truncated in a scan (no EOI marker)");
                    const std::uint8_t next = b[i + 1];
                    if (next == 0x00 || (next >= 0xd0 && next <= 0xd7)) { i += 2; continue; }
                    if (next == 0xff) { ++i; continue; }
                    break;
                }
                append(out.bytes, b, end, i);
                pos = i;
                continue;
            }
        }
        pos = end;
    }
    if (pos < b.size()) out.removed.push_back({"bytes after EOI", b.size() - pos});
    return out;
}

core::Result<Stripped> stripPhotoMetadata(std::span<const std::uint8_t> bytes, std::string_view source) {
    const auto format = sniffFormat(bytes);
    if (format == Format::Png) return stripPngMetadata(bytes, source);
    if (format == Format::Jpeg) return stripJpegMetadata(bytes, source);
    return detail::fault(source, "not a PNG or JPEG photo");
}

} // namespace caseroom::media
