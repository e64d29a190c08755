// See dicom_structure.h. PS3.5 section 7 (data elements), 7.5 (sequences
// and items) and 8.2 (encapsulated pixel data).
#include "media/dicom_structure.h"
#include "media/decoders.h"

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <utility>
#include <vector>

namespace caseroom::media {
namespace {

constexpr std::uint32_t kUndefined = 0xffffffffu;
constexpr int kMaxDepth = 32;

struct Walker {
    std::span<const std::uint8_t> b;
    std::string_view source;
    bool bigEndian = false;
    std::string error;
    // Fragments (offset, length) of the top-level encapsulated Pixel Data,
    // the Basic Offset Table first.
    std::vector<std::pair<std::size_t, std::size_t>> fragments;
    bool inPixelData = false;
    // Top-level elements: tag, where the element starts and ends, and its
    // value (offset, length; length 0xffffffff when undefined).
    struct Element {
        std::uint32_t tag = 0;
        std::size_t begin = 0, end = 0, value = 0;
        std::uint32_t length = 0;
        char vr[2] = {0, 0}; // explicit VR only
    };
    std::vector<Element> top;
    std::vector<DicomElementRef>* all = nullptr; // when set: list all, descend into defined-length items
    std::uint32_t topTag = 0;                    // the top-level element being walked

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
    // The VRs of PS3.5 Table 6.2-1; anything else is refused (GDCM's
    // handling of unknown VRs includes asserts).
    static bool knownVr(const char* vr) {
        static const char* kAll[] = {"AE", "AS", "AT", "CS", "DA", "DS", "DT", "FD", "FL", "IS", "LO", "LT", "OB",
                                     "OD", "OF", "OL", "OV", "OW", "PN", "SH", "SL", "SQ", "SS", "ST", "SV", "TM",
                                     "UC", "UI", "UL", "UN", "UR", "US", "UT", "UV"};
        for (const char* v : kAll)
            if (vr[0] == v[0] && vr[1] == v[1]) return true;
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
                if (inPixelData) fragments.emplace_back(pos, len);
                if (all && !inPixelData) {
                    std::size_t inner = pos;
                    if (!dataset(inner, pos + len, explicitVr, depth + 1, false)) return false;
                }
                pos += len; // defined-length item: contents inspected only when listing
            }
        }
    }

    // Items of a defined-length sequence value [pos, end) (listing only).
    bool definedItems(std::size_t& pos, std::size_t end, bool explicitVr, int depth) {
        while (pos < end) {
            if (end - pos < 8) return fail(pos, "truncated item in a sequence");
            if (u16(pos) != 0xfffe || u16(pos + 2) != 0xe000) return fail(pos, "expected an item tag in a sequence");
            const std::uint32_t len = u32(pos + 4);
            pos += 8;
            if (len == kUndefined) {
                if (!dataset(pos, end, explicitVr, depth + 1, true)) return false;
            } else {
                if (len > end - pos) return fail(pos, "item length " + std::to_string(len) + " runs past its sequence");
                std::size_t inner = pos;
                if (!dataset(inner, pos + len, explicitVr, depth + 1, false)) return false;
                pos += len;
            }
        }
        return true;
    }

    // Elements from pos to end (or to an item delimiter when inItem).
    bool dataset(std::size_t& pos, std::size_t end, bool explicitVr, int depth, bool inItem) {
        if (depth > kMaxDepth) return fail(pos, "sequences nested deeper than " + std::to_string(kMaxDepth));
        while (pos < end) {
            if (end - pos < 8) return fail(pos, "truncated element header");
            const std::size_t begin = pos;
            const std::uint16_t g = u16(pos), e = u16(pos + 2);
            const char vrAt[2] = {explicitVr ? static_cast<char>(b[pos + 4]) : '\0',
                                  explicitVr ? static_cast<char>(b[pos + 5]) : '\0'};
            if (depth == 0) topTag = std::uint32_t{g} << 16 | e;
            const auto record = [&](std::size_t value, std::uint32_t length) {
                if (depth == 0) top.push_back({std::uint32_t{g} << 16 | e, begin, pos, value, length, {vrAt[0], vrAt[1]}});
                if (all)
                    all->push_back({std::uint32_t{g} << 16 | e, {vrAt[0], vrAt[1]}, length,
                                    static_cast<std::uint8_t>(depth), begin, value, pos, depth == 0 ? 0u : topTag});
            };
            if (g == 0xfffe && e == 0xe00d) {
                if (!inItem) return fail(pos, "item delimiter outside an item");
                pos += 8;
                return true;
            }
            std::uint32_t len = 0;
            bool isSq = false;
            if (explicitVr && g != 0xfffe) {
                const char vr[2] = {static_cast<char>(b[pos + 4]), static_cast<char>(b[pos + 5])};
                if (!knownVr(vr)) return fail(pos, "invalid VR in an explicit-VR data set");
                isSq = vr[0] == 'S' && vr[1] == 'Q';
                if (longVr(vr)) {
                    if (end - pos < 12) return fail(pos, "truncated element header");
                    len = u32(pos + 8);
                    pos += 12;
                } else {
                    len = u16(pos + 6);
                    pos += 8;
                }
                if (len == kUndefined) {
                    // Only SQ, UN (CP-246: contents implicit VR) and encapsulated
                    // OB/OW Pixel Data may have an undefined length (PS3.5 7.1.2);
                    // GDCM asserts on anything else.
                    const bool un = vr[0] == 'U' && vr[1] == 'N';
                    const bool pixelData = g == 0x7fe0 && e == 0x0010;
                    const bool obow = vr[0] == 'O' && (vr[1] == 'B' || vr[1] == 'W');
                    if (pixelData ? !obow : !(isSq || un))
                        return fail(pos, "undefined length on element (" + hex(g) + "," + hex(e) + ") with VR " +
                                             std::string(vr, 2));
                    inPixelData = depth == 0 && g == 0x7fe0 && e == 0x0010;
                    const std::size_t value = pos;
                    const bool ok = items(pos, un ? false : true, depth);
                    inPixelData = false;
                    if (!ok) return false;
                    record(value, kUndefined);
                    continue;
                }
            } else {
                len = u32(pos + 4);
                pos += 8;
                if (len == kUndefined) {
                    inPixelData = depth == 0 && g == 0x7fe0 && e == 0x0010;
                    const std::size_t value = pos;
                    const bool ok = items(pos, explicitVr, depth);
                    inPixelData = false;
                    if (!ok) return false;
                    record(value, kUndefined);
                    continue;
                }
            }
            // The retired Recognition Code (0008,0010) of ACR-NEMA files: GDCM
            // asserts on values it does not expect, and DICOM files omit it.
            if (depth == 0 && g == 0x0008 && e == 0x0010)
                return fail(pos, "retired Recognition Code (0008,0010) present (ACR-NEMA file)");
            if (len > end - pos)
                return fail(pos, "element (" + hex(g) + "," + hex(e) + ") length " + std::to_string(len) +
                                     " runs past the end of the file");
            if (all && len >= 8) {
                // Listing: a defined-length sequence's items are walked too
                // (strictly for an explicit SQ). Implicit-VR and UN values that
                // start with an item tag may be sequences the walk cannot name
                // (CP-246: UN contents are implicit VR): walked when they parse
                // as items, else left as an opaque value.
                const bool un = explicitVr && b[begin + 4] == 'U' && b[begin + 5] == 'N';
                const bool itemFirst = u16(pos) == 0xfffe && u16(pos + 2) == 0xe000;
                if (isSq) {
                    std::size_t inner = pos;
                    if (!definedItems(inner, pos + len, explicitVr, depth)) return false;
                } else if (itemFirst && (!explicitVr || un) && g != 0x7fe0) {
                    const std::size_t saved = all->size();
                    std::size_t inner = pos;
                    if (!definedItems(inner, pos + len, false, depth)) {
                        all->resize(saved);
                        error.clear();
                    }
                }
            }
            pos += len;
            record(pos - len, len);
        }
        if (inItem) return fail(pos, "truncated item (no item delimiter)");
        return true;
    }

    static std::string hex(std::uint16_t v) {
        static const char* d = "0123456789ABCDEF";
        return {d[v >> 12], d[(v >> 8) & 15], d[(v >> 4) & 15], d[v & 15]};
    }
};

bool isJpeg2000(const std::string& ts) {
    return ts == "1.2.840.10008.1.2.4.90" || ts == "1.2.840.10008.1.2.4.91" || ts == "1.2.840.10008.1.2.4.92" ||
           ts == "1.2.840.10008.1.2.4.93" || ts == "1.2.840.10008.1.2.4.201" || ts == "1.2.840.10008.1.2.4.202" ||
           ts == "1.2.840.10008.1.2.4.203";
}

// The JPEG 2000 main header (ISO 15444-1 A.4-A.6) from SOC to the first
// SOD: every marker segment's length fits in the fragment, and COD carries
// its fixed fields. GDCM 3.0.21 reads these without bounds checks
// (JPEG2000Codec::GetHeaderInfo), so a lying length would read past the
// buffer; we refuse such a codestream first.
bool checkJ2kMainHeader(std::span<const std::uint8_t> f, std::string& why) {
    if (f.size() < 4 || f[0] != 0xff || f[1] != 0x4f || f[2] != 0xff || f[3] != 0x51) {
        why = "JPEG 2000 fragment does not start with SOC and SIZ (a JP2-wrapped stream is not accepted)";
        return false;
    }
    std::size_t pos = 2;
    while (pos + 2 <= f.size()) {
        const unsigned marker = static_cast<unsigned>(f[pos] << 8 | f[pos + 1]);
        pos += 2;
        if (marker == 0xff93) return true; // SOD: the main and first tile-part headers are sound
        const bool noLength = (marker >= 0xff30 && marker <= 0xff3f) || marker == 0xff4f || marker == 0xffd9 ||
                              marker == 0xff92;
        if (noLength) continue;
        if (pos + 2 > f.size()) break;
        const std::size_t len = static_cast<std::size_t>(f[pos] << 8 | f[pos + 1]);
        if (len < 2 || len - 2 > f.size() - pos - 2) {
            why = "JPEG 2000 marker segment length runs past its fragment";
            return false;
        }
        if (marker == 0xff52 && len < 12) { // COD: Scod, SGcod (4), SPcod (>= 5)
            why = "JPEG 2000 COD segment too short";
            return false;
        }
        pos += len;
    }
    why = "JPEG 2000 main header truncated (no SOD in the first fragment)";
    return false;
}


struct Geometry {
    unsigned rows = 0, columns = 0, samples = 1, bitsAllocated = 0;
};

unsigned be16(std::span<const std::uint8_t> f, std::size_t at) { return static_cast<unsigned>(f[at] << 8 | f[at + 1]); }
std::uint32_t be32(std::span<const std::uint8_t> f, std::size_t at) {
    return std::uint32_t{f[at]} << 24 | std::uint32_t{f[at + 1]} << 16 | std::uint32_t{f[at + 2]} << 8 | f[at + 3];
}

// The codestream's own size must be the one the data set states: GDCM's
// JPEG and JPEG-LS codecs assert when a stream decodes to more bytes than
// the frame holds. Finds the first SOFn (JPEG, ITU T.81 B.2.2) or SOF55
// (JPEG-LS, T.87) in the fragment, walking marker segments by length.
bool checkJpegFrameHeader(std::span<const std::uint8_t> f, const Geometry& geo, std::string& why) {
    if (f.size() < 4 || f[0] != 0xff || f[1] != 0xd8) {
        why = "JPEG fragment does not start with SOI";
        return false;
    }
    std::size_t pos = 2;
    while (pos + 4 <= f.size()) {
        if (f[pos] != 0xff) break;
        const unsigned marker = f[pos + 1];
        if (marker == 0xff) { ++pos; continue; } // fill byte
        const std::size_t len = be16(f, pos + 2);
        if (len < 2 || len > f.size() - pos - 2) break;
        const bool sof = (marker >= 0xc0 && marker <= 0xcf && marker != 0xc4 && marker != 0xc8 && marker != 0xcc) ||
                         marker == 0xf7;
        if (sof) {
            if (len < 8) break;
            const unsigned precision = f[pos + 4], y = be16(f, pos + 5), x = be16(f, pos + 7), nf = f[pos + 9];
            if (y != geo.rows || x != geo.columns || nf != geo.samples || precision == 0 || precision > geo.bitsAllocated) {
                why = "JPEG frame header (" + std::to_string(x) + "x" + std::to_string(y) + ", " + std::to_string(nf) +
                      " components, " + std::to_string(precision) + " bits) does not match the data set";
                return false;
            }
            return true;
        }
        if (marker == 0xda) break; // SOS before any SOF
        pos += 2 + len;
    }
    why = "JPEG fragment has no readable frame header";
    return false;
}

// JPEG 2000 SIZ (ISO 15444-1 A.5.1) against the data set.
bool checkJ2kSize(std::span<const std::uint8_t> f, const Geometry& geo, std::string& why) {
    // f starts FF4F FF51 Lsiz(2) Rsiz(2) Xsiz Ysiz XOsiz YOsiz XTsiz YTsiz XTOsiz YTOsiz (4 each) Csiz(2) Ssiz...
    if (f.size() < 4 + 2 + 2 + 32 + 2 + 1) {
        why = "JPEG 2000 SIZ segment truncated";
        return false;
    }
    const std::uint32_t xs = be32(f, 8), ys = be32(f, 12), xo = be32(f, 16), yo = be32(f, 20);
    const unsigned cs = be16(f, 40);
    if (xs < xo || ys < yo || xs - xo != geo.columns || ys - yo != geo.rows || cs != geo.samples ||
        f.size() < 42 + 3 * std::size_t{cs}) {
        why = "JPEG 2000 image size or components do not match the data set";
        return false;
    }
    for (unsigned c = 0; c < cs; ++c)
        if ((f[42 + 3 * c] & 0x7fu) + 1u > geo.bitsAllocated) {
            why = "JPEG 2000 component depth exceeds Bits Allocated";
            return false;
        }
    return true;
}

// RLE header (PS3.5 G.5): 16 little-endian uint32, the segment count (one
// per byte of each sample) and the segment offsets, which GDCM divides by
// and follows without checks.
bool checkRleHeader(std::span<const std::uint8_t> f, const Geometry& geo, std::string& why) {
    const auto le32 = [&f](std::size_t at) {
        return std::uint32_t{f[at]} | std::uint32_t{f[at + 1]} << 8 | std::uint32_t{f[at + 2]} << 16 |
               std::uint32_t{f[at + 3]} << 24;
    };
    if (f.size() < 64) {
        why = "RLE fragment shorter than its 64-byte header";
        return false;
    }
    const std::uint32_t segments = le32(0);
    if (segments != geo.samples * (geo.bitsAllocated / 8) || segments == 0 || segments > 15) {
        why = "RLE segment count " + std::to_string(segments) + " does not match the data set";
        return false;
    }
    std::uint32_t previous = 63;
    for (std::uint32_t i = 0; i < segments; ++i) {
        const std::uint32_t offset = le32(4 + 4 * i);
        if (offset <= previous || offset >= f.size() || (i == 0 && offset != 64)) {
            why = "RLE segment offsets out of order or past the fragment";
            return false;
        }
        previous = offset;
    }
    return true;
}

bool isJpegFamily(const std::string& ts) {
    static const char* kJpeg[] = {"1.2.840.10008.1.2.4.50", "1.2.840.10008.1.2.4.51", "1.2.840.10008.1.2.4.57",
                                  "1.2.840.10008.1.2.4.70", "1.2.840.10008.1.2.4.80", "1.2.840.10008.1.2.4.81"};
    for (const char* k : kJpeg)
        if (ts == k) return true;
    return false;
}

// The first value of a DS/IS string at [value, value + length), if it is a finite number.
std::optional<double> firstNumber(std::span<const std::uint8_t> bytes, std::size_t value, std::uint32_t length) {
    std::string text(reinterpret_cast<const char*>(bytes.data() + value), length);
    text = text.substr(0, text.find('\\'));
    const auto b0 = text.find_first_not_of(' ');
    if (b0 == std::string::npos) return std::nullopt;
    const char* start = text.c_str() + b0;
    char* stop = nullptr;
    const double v = std::strtod(start, &stop);
    if (stop == start || !std::isfinite(v)) return std::nullopt;
    return v;
}

} // namespace

core::Result<DicomFraming> checkDicomFraming(std::span<const std::uint8_t> bytes, std::string_view source,
                                             std::vector<DicomElementRef>* elements) {
    if (bytes.size() < 132 || std::memcmp(bytes.data() + 128, "DICM", 4) != 0)
        return detail::fault(source, "DICOM: no \"DICM\" prefix at byte 128");
    Walker w{bytes, source, false, {}, {}, false, {}};
    w.top.reserve(64);
    // Every element is listed (into a local list when the caller wants none):
    // enhanced objects keep rescale and window inside functional groups.
    std::vector<DicomElementRef> local;
    w.all = elements ? elements : &local;
    w.all->clear();
    // File meta group: always explicit VR little endian, group 0002 only.
    std::size_t pos = 132;
    DicomFraming out;
    // It opens with its group length (0002,0000) UL, as PS3.10 7.1 requires.
    static constexpr std::uint8_t kGroupLength[] = {0x02, 0x00, 0x00, 0x00, 'U', 'L', 0x04, 0x00};
    if (bytes.size() < 144 || std::memcmp(bytes.data() + 132, kGroupLength, sizeof kGroupLength) != 0)
        return detail::fault(source, "DICOM: file meta information does not start with its group length (0002,0000)");
    while (pos < bytes.size()) {
        if (bytes.size() - pos < 8) return detail::fault(source, "DICOM: truncated file meta information at byte " + std::to_string(pos));
        if (w.u16(pos) != 0x0002) break;
        const std::uint16_t e = w.u16(pos + 2);
        const char vr[2] = {static_cast<char>(bytes[pos + 4]), static_cast<char>(bytes[pos + 5])};
        std::uint32_t len = 0;
        std::size_t header = 8;
        if (!Walker::knownVr(vr) || (vr[0] == 'S' && vr[1] == 'Q'))
            return detail::fault(source, "DICOM: file meta element (0002," + Walker::hex(e) + ") has an invalid VR");
        if (Walker::longVr(vr)) {
            if (bytes.size() - pos < 12) return detail::fault(source, "DICOM: truncated file meta information");
            len = w.u32(pos + 8);
            header = 12;
        } else {
            len = w.u16(pos + 6);
        }
        if (len == kUndefined || len > bytes.size() - pos - header)
            return detail::fault(source, "DICOM: file meta element (0002," + Walker::hex(e) + ") runs past the end of the file");
        if (elements)
            elements->push_back({0x00020000u | e, {vr[0], vr[1]}, len, 0, pos, pos + header, pos + header + len, 0});
        if (e == 0x0010) {
            out.transferSyntaxUid.assign(reinterpret_cast<const char*>(bytes.data() + pos + header), len);
            while (!out.transferSyntaxUid.empty() &&
                   (out.transferSyntaxUid.back() == '\0' || out.transferSyntaxUid.back() == ' '))
                out.transferSyntaxUid.pop_back();
        }
        pos += header + len;
    }
    if (bytes.size() - pos < 8) return detail::fault(source, "DICOM: no data set after the file meta information");
    if (out.transferSyntaxUid.empty())
        return detail::fault(source, "DICOM: file meta information has no Transfer Syntax UID (0002,0010)");
    const std::string& ts = out.transferSyntaxUid;
    if (ts == "1.2.840.10008.1.2.1.99")
        return detail::fault(source, "DICOM: transfer syntax 1.2.840.10008.1.2.1.99 (Deflated Explicit VR Little Endian) is not supported");
    const bool implicitVr = ts == "1.2.840.10008.1.2";
    w.bigEndian = ts == "1.2.840.10008.1.2.2";
    if (!w.dataset(pos, bytes.size(), !implicitVr, 0, false))
        return detail::fault(source, "DICOM: malformed data set (" + w.error + ")");
    // Elements in strictly ascending tag order (PS3.5 7.1): no duplicate
    // can make GDCM and this check read different values.
    for (std::size_t i = 1; i < w.top.size(); ++i)
        if (w.top[i].tag <= w.top[i - 1].tag)
            return detail::fault(source, "DICOM: data set elements out of order or repeated at byte " +
                                             std::to_string(w.top[i].begin));
    // Image Pixel module values GDCM asserts on (PixelFormat setters and
    // friends): checked here so that an odd value is an error, not an abort.
    for (const auto& el : w.top) {
        const std::string name = "(" + Walker::hex(static_cast<std::uint16_t>(el.tag >> 16)) + "," +
                                 Walker::hex(static_cast<std::uint16_t>(el.tag)) + ")";
        const bool us = el.tag == 0x00280002 || el.tag == 0x00280006 || el.tag == 0x00280010 || el.tag == 0x00280011 ||
                        el.tag == 0x00280100 || el.tag == 0x00280101 || el.tag == 0x00280102 || el.tag == 0x00280103;
        const auto vrIs = [&el](const char* want) { return el.vr[0] == '\0' || (el.vr[0] == want[0] && el.vr[1] == want[1]); };
        if ((us && !vrIs("US")) || (el.tag == 0x00280004 && !vrIs("CS")) || (el.tag == 0x00280008 && !vrIs("IS")) ||
            (el.tag == 0x7fe00010 && !(vrIs("OB") || vrIs("OW"))))
            return detail::fault(source, "DICOM: " + name + " has the wrong VR " + std::string(el.vr, 2));
        if (us) {
            if (el.length != 2)
                return detail::fault(source, "DICOM: " + name + " must be one US value, has " + std::to_string(el.length) + " bytes");
            const unsigned v = w.u16(el.value);
            const bool ok = el.tag == 0x00280002 ? (v == 1 || v == 3)
                            : el.tag == 0x00280006 ? v <= 1
                            : el.tag == 0x00280010 || el.tag == 0x00280011 ? v >= 1
                            : el.tag == 0x00280100 ? (v == 8 || v == 16)
                            : el.tag == 0x00280101 ? (v >= 1 && v <= 16)
                            : el.tag == 0x00280102 ? v <= 15
                                                   : v <= 1;
            if (!ok) return detail::fault(source, "DICOM: " + name + " value " + std::to_string(v) + " not supported");
        }
        if (el.tag == 0x00280004 || el.tag == 0x00280008) {
            if (el.length == kUndefined || el.length > 16)
                return detail::fault(source, "DICOM: " + name + " too long");
            std::string text(reinterpret_cast<const char*>(bytes.data() + el.value), el.length);
            while (!text.empty() && (text.back() == ' ' || text.back() == '\0')) text.pop_back();
            bool ok = !text.empty();
            if (el.tag == 0x00280008) {
                for (char c : text) ok = ok && (c >= '0' && c <= '9');
                ok = ok && text.size() <= 9;
            } else {
                static const char* kPi[] = {"MONOCHROME1", "MONOCHROME2", "RGB", "YBR_FULL", "YBR_FULL_422",
                                            "YBR_ICT", "YBR_RCT", "PALETTE COLOR"};
                bool known = false;
                for (const char* k : kPi) known = known || text == k;
                ok = ok && known;
            }
            if (!ok) return detail::fault(source, "DICOM: " + name + " value \"" + text + "\" not supported");
        }
        if (el.tag == 0x00283010) out.hasVoiLut = true;
        if (el.length != kUndefined && el.length <= 64) {
            const auto first = [&] { return firstNumber(bytes, el.value, el.length); };
            if (el.tag == 0x00281050) out.windowCentre = first();
            if (el.tag == 0x00281051) out.windowWidth = first();
            if (el.tag == 0x00281052) out.rescaleIntercept = first();
            if (el.tag == 0x00281053) out.rescaleSlope = first();
            if (el.tag == 0x00181063) out.frameTimeMs = first();
            if (el.tag == 0x00180040) out.cineRate = first();
            if (el.tag == 0x00082144) out.recommendedRate = first();
        }
    }
    // Enhanced multi-frame objects (PS3.3 C.7.6.16) carry the Modality LUT
    // (Pixel Value Transformation Sequence, 0028,9145) and the window (Frame
    // VOI LUT Sequence, 0028,9132) in functional group macros: the Shared
    // Functional Groups Sequence (5200,9229), else the first frame's item of
    // the Per-frame one (5200,9230). Used only where the top level has none.
    for (const std::uint32_t groups : {0x52009229u, 0x52009230u}) {
        std::optional<double> centre, width, intercept, slope;
        for (const auto& el : *w.all) {
            if (el.depth != 2 || el.parent != groups || el.length == kUndefined || el.length > 64) continue;
            const auto v = [&] { return firstNumber(bytes, el.value, el.length); };
            if (el.tag == 0x00281050 && !centre) centre = v();
            if (el.tag == 0x00281051 && !width) width = v();
            if (el.tag == 0x00281052 && !intercept) intercept = v();
            if (el.tag == 0x00281053 && !slope) slope = v();
        }
        if (!out.windowCentre && !out.windowWidth && centre && width) out.windowCentre = centre, out.windowWidth = width;
        if (!out.rescaleIntercept && !out.rescaleSlope && (intercept || slope)) out.rescaleIntercept = intercept, out.rescaleSlope = slope;
    }
    Geometry geo;
    for (const auto& el : w.top) {
        if (el.length != 2) continue;
        if (el.tag == 0x00280010) geo.rows = w.u16(el.value);
        if (el.tag == 0x00280011) geo.columns = w.u16(el.value);
        if (el.tag == 0x00280002) geo.samples = w.u16(el.value);
        if (el.tag == 0x00280100) geo.bitsAllocated = w.u16(el.value);
    }
    if (isJpegFamily(ts)) {
        if (w.fragments.size() < 2)
            return detail::fault(source, "DICOM: JPEG transfer syntax " + ts + " without encapsulated pixel data fragments");
        for (std::size_t i = 1; i < w.fragments.size(); ++i) {
            const auto [at, len] = w.fragments[i];
            const auto frag = bytes.subspan(at, len);
            const bool frameStart = frag.size() >= 2 && frag[0] == 0xff && frag[1] == 0xd8;
            if (i != 1 && !frameStart) continue;
            std::string why;
            if (!checkJpegFrameHeader(frag, geo, why))
                return detail::fault(source, "DICOM: " + why + " (fragment " + std::to_string(i) + ", transfer syntax " + ts + ")");
        }
    }
    if (ts == "1.2.840.10008.1.2.5") {
        // One fragment per frame (PS3.5 A.4.2).
        if (w.fragments.size() < 2)
            return detail::fault(source, "DICOM: RLE transfer syntax without encapsulated pixel data fragments");
        for (std::size_t i = 1; i < w.fragments.size(); ++i) {
            const auto [at, len] = w.fragments[i];
            std::string why;
            if (!checkRleHeader(bytes.subspan(at, len), geo, why))
                return detail::fault(source, "DICOM: " + why + " (fragment " + std::to_string(i) + ")");
        }
    }
    if (isJpeg2000(ts)) {
        if (w.fragments.size() < 2)
            return detail::fault(source, "DICOM: JPEG 2000 transfer syntax " + ts + " without encapsulated pixel data fragments");
        for (std::size_t i = 1; i < w.fragments.size(); ++i) {
            const auto [at, len] = w.fragments[i];
            const auto frag = bytes.subspan(at, len);
            const bool frameStart = frag.size() >= 2 && frag[0] == 0xff && frag[1] == 0x4f;
            if (i != 1 && !frameStart) continue; // a continuation of the previous frame's codestream
            std::string why;
            if (!checkJ2kMainHeader(frag, why) || !checkJ2kSize(frag, geo, why))
                return detail::fault(source, "DICOM: " + why + " (fragment " + std::to_string(i) + ", transfer syntax " + ts + ")");
        }
    }
    // The file GDCM will read: a fresh meta group and only the elements
    // decoding needs, copied verbatim (GDCM's handling of the rest, e.g.
    // geometry, has asserts of its own).
    static constexpr std::uint32_t kKeep[] = {0x00280002, 0x00280004, 0x00280006, 0x00280008, 0x00280010,
                                              0x00280011, 0x00280100, 0x00280101, 0x00280102, 0x00280103,
                                              0x7fe00010};
    std::string uid = ts;
    if (uid.size() % 2) uid.push_back('\0');
    std::vector<std::uint8_t>& f = out.minimal;
    f.assign(128, 0);
    const auto put16 = [&f](unsigned v) { f.push_back(static_cast<std::uint8_t>(v)); f.push_back(static_cast<std::uint8_t>(v >> 8)); };
    const auto put32 = [&](std::uint32_t v) { put16(v & 0xffff); put16(v >> 16); };
    f.insert(f.end(), {'D', 'I', 'C', 'M'});
    // (0002,0000) UL, (0002,0001) OB 00 01, (0002,0010) UI.
    put16(0x0002); put16(0x0000); f.push_back('U'); f.push_back('L'); put16(4);
    put32(static_cast<std::uint32_t>(14 + 8 + uid.size()));
    put16(0x0002); put16(0x0001); f.push_back('O'); f.push_back('B'); put16(0); put32(2); f.push_back(0); f.push_back(1);
    put16(0x0002); put16(0x0010); f.push_back('U'); f.push_back('I'); put16(static_cast<unsigned>(uid.size()));
    f.insert(f.end(), uid.begin(), uid.end());
    bool hasPixels = false;
    for (const auto& el : w.top) {
        bool keep = false;
        for (std::uint32_t k : kKeep) keep = keep || el.tag == k;
        if (!keep) continue;
        hasPixels = hasPixels || el.tag == 0x7fe00010;
        f.insert(f.end(), bytes.begin() + static_cast<std::ptrdiff_t>(el.begin), bytes.begin() + static_cast<std::ptrdiff_t>(el.end));
    }
    if (!hasPixels) return detail::fault(source, "DICOM: no Pixel Data (7FE0,0010)");
    return out;
}

} // namespace caseroom::media
