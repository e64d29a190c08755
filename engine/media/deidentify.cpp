// DICOM de-identification (deidentify.h). Sections:
//   [rules]   table lookup and repeating groups
//   [screen]  what a file holds that could identify
//   [scrub]   the byte-level de-identified copy
#include "media/deidentify.h"

#include "media/blob.h"
#include "media/decoders.h"
#include "media/dicom_structure.h"

#include <algorithm>
#include <cstring>
#include <map>

namespace caseroom::media {
namespace {

// [rules] ---------------------------------------------------------------

constexpr std::uint32_t kUndefined = 0xffffffffu;
constexpr ConfidentialityRule kCurve{0x50000000, "CurveData", "OB", "X"};
constexpr ConfidentialityRule kOverlayData{0x60003000, "OverlayData", "OW", "X"};
constexpr ConfidentialityRule kOverlayComments{0x60004000, "OverlayComments", "LT", "X"};

std::string hex4(unsigned v) {
    static const char* d = "0123456789ABCDEF";
    return {d[(v >> 12) & 15], d[(v >> 8) & 15], d[(v >> 4) & 15], d[v & 15]};
}

std::string vrOf(const DicomElementRef& el, const ConfidentialityRule* rule) {
    if (el.vr[0] != '\0') return std::string(el.vr, 2);
    if (rule) return std::string(rule->vr).substr(0, 2);
    return "??";
}

// The value as text, blanks and NULs trimmed; "" for an undefined length or
// one over maxBytes.
std::string trimmed(std::span<const std::uint8_t> b, const DicomElementRef& el, std::uint32_t maxBytes = 256) {
    if (el.length == kUndefined || el.length > maxBytes) return {};
    std::string s(reinterpret_cast<const char*>(b.data() + el.value), el.length);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\0')) s.pop_back();
    while (!s.empty() && s.front() == ' ') s.erase(s.begin());
    return s;
}

bool isSecondaryCapture(const std::string& uid) {
    return uid == "1.2.840.10008.5.1.4.1.1.7" || uid.rfind("1.2.840.10008.5.1.4.1.1.7.", 0) == 0;
}

} // namespace

const ConfidentialityRule* findBasicProfileRule(std::uint32_t tag) {
    const auto table = basicProfileTable();
    const auto it = std::lower_bound(table.begin(), table.end(), tag,
                                     [](const ConfidentialityRule& r, std::uint32_t t) { return r.tag < t; });
    if (it != table.end() && it->tag == tag) return &*it;
    const std::uint32_t group = tag >> 16, element = tag & 0xffff;
    if ((group & 0xff00) == 0x5000 && group % 2 == 0) return &kCurve;
    if ((group & 0xff00) == 0x6000 && group % 2 == 0 && element == 0x3000) return &kOverlayData;
    if ((group & 0xff00) == 0x6000 && group % 2 == 0 && element == 0x4000) return &kOverlayComments;
    return nullptr;
}

std::string tagText(std::uint32_t tag) { return "(" + hex4(tag >> 16) + "," + hex4(tag & 0xffff) + ")"; }

std::string DicomFinding::kind() const {
    if (length == kUndefined) return vr + ", undefined length";
    return vr + ", " + std::to_string(length) + (length == 1 ? " byte" : " bytes");
}

std::string DicomFinding::describe() const {
    std::string s = tagText(tag) + " " + keyword + ": " + kind() + " (" + reason + ")";
    if (depth > 0) s += " in " + tagText(topTag);
    return s;
}

bool DicomScreen::burnedInRefused() const {
    if (burnedIn == "YES") return true;
    if (burnedIn == "NO") return false;
    return modality == "US" || modality == "XA" || isSecondaryCapture(sopClassUid);
}

std::string DicomScreen::burnedInWhy() const {
    if (burnedIn == "YES") return "Burned In Annotation (0028,0301) is YES: the pixels show identifying text";
    const std::string what = isSecondaryCapture(sopClassUid) ? "secondary capture" : modality;
    return "Burned In Annotation (0028,0301) is " + (burnedIn.empty() ? std::string("absent") : "'" + burnedIn + "'") +
           " on a " + what + " image: counts as unknown (such images often show names in the pixels)";
}

// [screen] --------------------------------------------------------------

namespace {

std::string dummyFor(const std::string& vr);

// In a file that says Patient Identity Removed = YES, a UID made by
// scrubDicom ("2.25." + digits, action U) or a dummy value it wrote (action
// D) is what de-identification leaves behind, not PHI: not listed, so a
// scrubbed file builds without --scrub. Checked on the value, never on the
// claim alone.
bool leftByScrub(std::span<const std::uint8_t> bytes, const DicomElementRef& el, const ConfidentialityRule& rule,
                 const std::string& vr) {
    const std::string value = trimmed(bytes, el, 1u << 16); // a multi-valued UI may be long
    if (std::strcmp(rule.actionCode, "U") == 0 && vr == "UI") {
        std::size_t start = 0;
        for (;;) {
            const std::size_t bs = value.find('\\', start);
            const std::string one = value.substr(start, bs == std::string::npos ? std::string::npos : bs - start);
            if (one.rfind("2.25.", 0) != 0 || one.size() <= 5 ||
                one.find_first_not_of("0123456789", 5) != std::string::npos)
                return false;
            if (bs == std::string::npos) return true;
            start = bs + 1;
        }
    }
    return std::strcmp(rule.actionCode, "D") == 0 && value == dummyFor(vr);
}

core::Result<std::pair<DicomScreen, std::vector<DicomElementRef>>> screenImpl(std::span<const std::uint8_t> bytes,
                                                                              std::string_view source) {
    std::vector<DicomElementRef> all;
    auto framing = checkDicomFraming(bytes, source, &all);
    if (!framing) return framing.error();
    DicomScreen out;
    for (const auto& el : all) {
        if (el.depth == 0 && el.tag == 0x00080060) out.modality = trimmed(bytes, el);
        if (el.depth == 0 && el.tag == 0x00080016) out.sopClassUid = trimmed(bytes, el);
        if (el.depth == 0 && el.tag == 0x00280301) out.burnedIn = trimmed(bytes, el);
    }
    bool identityRemoved = false;
    for (const auto& el : all)
        if (el.depth == 0 && el.tag == 0x00120062) identityRemoved = trimmed(bytes, el) == "YES";
    for (const auto& el : all) {
        if (el.length == 0) continue; // an empty value carries nothing
        const std::uint32_t group = el.tag >> 16;
        if (group == 0xfffe) continue; // item framing
        const ConfidentialityRule* rule = findBasicProfileRule(el.tag);
        DicomFinding f;
        f.tag = el.tag;
        f.length = el.length;
        f.depth = el.depth;
        f.topTag = el.depth == 0 ? el.tag : el.parent;
        f.vr = vrOf(el, rule);
        if (group % 2 == 1) {
            f.keyword = (el.tag & 0xffff) >= 0x0010 && (el.tag & 0xffff) <= 0x00ff ? "PrivateCreator" : "private tag";
            f.reason = "private tag";
            f.actionCode = "X";
        } else if (rule) {
            if (identityRemoved && leftByScrub(bytes, el, *rule, f.vr)) continue;
            f.keyword = rule->keyword;
            f.reason = std::string("Table E.1-1 action ") + rule->actionCode;
            f.actionCode = rule->actionCode;
        } else if (f.vr == "PN" && group != 0x0002) { // the file meta group is the table's alone (it frames the file)
            f.keyword = "person name";
            f.reason = "person name (PN)";
            f.actionCode = "Z";
        } else {
            continue;
        }
        out.findings.push_back(std::move(f));
    }
    // Tag order, outer before inner, so a report reads like the file.
    std::stable_sort(out.findings.begin(), out.findings.end(), [](const DicomFinding& a, const DicomFinding& b) {
        return std::pair(a.topTag, a.depth) < std::pair(b.topTag, b.depth);
    });
    return std::pair{std::move(out), std::move(all)};
}

} // namespace

core::Result<DicomScreen> screenDicom(std::span<const std::uint8_t> bytes, std::string_view source) {
    auto r = screenImpl(bytes, source);
    if (!r) return r.error();
    return std::move(r->first);
}

// [scrub] ---------------------------------------------------------------

namespace {

enum class Op : std::uint8_t { Keep, Remove, Empty, Dummy, NewUid };

Op opFor(const std::string& code, const std::string& vr) {
    const auto has = [&code](char c) { return code.find(c) != std::string::npos; };
    if (has('Z')) return Op::Empty;
    if (has('X') || has('C')) return Op::Remove;
    if (has('U')) return vr == "UI" ? Op::NewUid : Op::Empty;
    if (has('D')) return vr == "SQ" ? Op::Empty : Op::Dummy;
    return Op::Remove;
}

const char* opText(Op op) {
    switch (op) {
    case Op::Keep: return "kept";
    case Op::Remove: return "removed";
    case Op::Empty: return "emptied";
    case Op::Dummy: return "replaced by a dummy value";
    case Op::NewUid: return "replaced by a new UID";
    }
    return "?";
}

} // namespace

namespace {

std::string dummyFor(const std::string& vr) {
    if (vr == "DA") return "19000101";
    if (vr == "TM") return "000000";
    if (vr == "DT") return "19000101000000";
    if (vr == "AS") return "000Y";
    if (vr == "DS" || vr == "IS") return "0";
    if (vr == "PN") return "ANONYMOUS";
    return "ANONYMIZED";
}

bool isStringVr(const std::string& vr) {
    static const char* kText[] = {"AE", "AS", "CS", "DA", "DS", "DT", "IS", "LO", "LT", "PN", "SH", "ST", "TM", "UC", "UR", "UT"};
    for (const char* t : kText)
        if (vr == t) return true;
    return false;
}

// 128 bits as a decimal number (PS3.5 B.2: "2.25." + the UUID as an integer).
std::string decimal128(std::array<std::uint8_t, 16> n) {
    std::string digits;
    for (;;) {
        bool zero = true;
        unsigned rem = 0;
        for (auto& byte : n) {
            const unsigned cur = rem * 256 + byte;
            byte = static_cast<std::uint8_t>(cur / 10);
            rem = cur % 10;
            zero = zero && byte == 0;
        }
        digits.push_back(static_cast<char>('0' + rem));
        if (zero) break;
    }
    std::reverse(digits.begin(), digits.end());
    return digits;
}

std::string newUid(const std::string& old, const ScrubOptions& options) {
    std::vector<std::uint8_t> input(options.uidKey.begin(), options.uidKey.end());
    input.insert(input.end(), old.begin(), old.end());
    const BlobHash h = hashBlob(input);
    std::array<std::uint8_t, 16> n{};
    std::memcpy(n.data(), h.bytes.data(), n.size());
    return "2.25." + decimal128(n);
}

struct Writer {
    bool explicitVr = true, bigEndian = false;
    std::vector<std::uint8_t> out;
    void u16(unsigned v) {
        if (bigEndian) { out.push_back(static_cast<std::uint8_t>(v >> 8)); out.push_back(static_cast<std::uint8_t>(v)); }
        else { out.push_back(static_cast<std::uint8_t>(v)); out.push_back(static_cast<std::uint8_t>(v >> 8)); }
    }
    void u32(std::uint32_t v) {
        if (bigEndian) { u16(v >> 16); u16(v & 0xffff); }
        else { u16(v & 0xffff); u16(v >> 16); }
    }
    // One element with a defined length; value padded to even length.
    void element(std::uint32_t tag, const std::string& vr, std::string value) {
        if (value.size() % 2) value.push_back(vr == "UI" || !isStringVr(vr) ? '\0' : ' ');
        u16(tag >> 16);
        u16(tag & 0xffff);
        if (explicitVr) {
            out.push_back(static_cast<std::uint8_t>(vr[0]));
            out.push_back(static_cast<std::uint8_t>(vr[1]));
            static const char* kLong[] = {"OB", "OD", "OF", "OL", "OV", "OW", "SQ", "UC", "UN", "UR", "UT", "SV", "UV"};
            bool isLong = false;
            for (const char* l : kLong) isLong = isLong || vr == l;
            if (isLong) { u16(0); u32(static_cast<std::uint32_t>(value.size())); }
            else u16(static_cast<unsigned>(value.size()));
        } else {
            u32(static_cast<std::uint32_t>(value.size()));
        }
        out.insert(out.end(), value.begin(), value.end());
    }
};

} // namespace

core::Result<ScrubbedDicom> scrubDicom(std::span<const std::uint8_t> bytes, std::string_view source,
                                       const ScrubOptions& options) {
    auto screened = screenImpl(bytes, source);
    if (!screened) return screened.error();
    const DicomScreen& screen = screened->first;
    const std::vector<DicomElementRef>& all = screened->second;
    std::string ts;
    for (const auto& el : all)
        if (el.tag == 0x00020010) ts = trimmed(bytes, el);

    // One operation per top-level element (file meta included).
    std::map<std::uint32_t, std::pair<Op, std::string>> ops; // tag -> (op, why)
    for (const DicomFinding& f : screen.findings) {
        if (f.depth == 0) {
            ops[f.tag] = {opFor(f.actionCode, f.vr), f.keyword + " (" + f.actionCode + ")"};
        } else if (!ops.count(f.topTag) || ops[f.topTag].first == Op::Keep) {
            // A nested finding whose sequence has no rule: the whole sequence goes.
            ops[f.topTag] = {Op::Remove, "sequence holding " + tagText(f.tag) + " " + f.keyword};
        }
    }
    for (const auto& el : all)
        if (el.depth == 0 && (el.tag & 0xffff) == 0 && (el.tag >> 16) != 0x0002 && !ops.count(el.tag))
            ops[el.tag] = {Op::Remove, "group length (retired; recomputed values would be wrong)"};

    ScrubbedDicom out;
    const auto valueOf = [&](const DicomElementRef& el) {
        return std::string(reinterpret_cast<const char*>(bytes.data() + el.value), el.length == kUndefined ? 0 : el.length);
    };
    const auto vrFor = [&](const DicomElementRef& el) { return vrOf(el, findBasicProfileRule(el.tag)); };
    // Emits one top-level element per its operation into w.
    const auto emit = [&](Writer& w, const DicomElementRef& el) {
        const auto it = ops.find(el.tag);
        if (it == ops.end()) {
            w.out.insert(w.out.end(), bytes.begin() + static_cast<std::ptrdiff_t>(el.begin),
                         bytes.begin() + static_cast<std::ptrdiff_t>(el.end));
            return;
        }
        const Op op = it->second.first;
        const std::string vr = vrFor(el);
        const std::string vrForWrite = vr == "??" ? "UN" : vr;
        out.actions.push_back(tagText(el.tag) + " " + it->second.second + ": " + opText(op));
        switch (op) {
        case Op::Keep:
            w.out.insert(w.out.end(), bytes.begin() + static_cast<std::ptrdiff_t>(el.begin),
                         bytes.begin() + static_cast<std::ptrdiff_t>(el.end));
            break;
        case Op::Remove: break;
        case Op::Empty: w.element(el.tag, vrForWrite, {}); break;
        case Op::Dummy:
            if (isStringVr(vr)) w.element(el.tag, vr, dummyFor(vr));
            else w.element(el.tag, vrForWrite, {});
            break;
        case Op::NewUid: {
            std::string value = valueOf(el);
            while (!value.empty() && (value.back() == '\0' || value.back() == ' ')) value.pop_back();
            std::string replaced;
            std::size_t start = 0;
            for (;;) { // multi-valued UI: each value on its own
                const std::size_t bs = value.find('\\', start);
                if (!replaced.empty()) replaced.push_back('\\');
                replaced += newUid(value.substr(start, bs == std::string::npos ? std::string::npos : bs - start), options);
                if (bs == std::string::npos) break;
                start = bs + 1;
            }
            w.element(el.tag, "UI", replaced);
            break;
        }
        }
    };

    // File meta group: explicit VR little endian; its group length recomputed.
    Writer meta;
    for (const auto& el : all)
        if (el.depth == 0 && (el.tag >> 16) == 0x0002 && el.tag != 0x00020000) emit(meta, el);
    Writer head;
    head.element(0x00020000, "UL", std::string(4, '\0'));
    const auto len = static_cast<std::uint32_t>(meta.out.size());
    std::memcpy(head.out.data() + 8, &len, 4); // little endian host (checked below)
    {
        const std::uint16_t probe = 1;
        std::uint8_t first = 0;
        std::memcpy(&first, &probe, 1);
        if (first != 1) {
            head.out[8] = static_cast<std::uint8_t>(len);
            head.out[9] = static_cast<std::uint8_t>(len >> 8);
            head.out[10] = static_cast<std::uint8_t>(len >> 16);
            head.out[11] = static_cast<std::uint8_t>(len >> 24);
        }
    }
    out.bytes.assign(bytes.begin(), bytes.begin() + 132); // preamble and "DICM"
    std::fill(out.bytes.begin(), out.bytes.begin() + 128, std::uint8_t{0}); // the preamble may hold anything
    out.bytes.insert(out.bytes.end(), head.out.begin(), head.out.end());
    out.bytes.insert(out.bytes.end(), meta.out.begin(), meta.out.end());

    Writer body;
    body.explicitVr = ts != "1.2.840.10008.1.2";
    body.bigEndian = ts == "1.2.840.10008.1.2.2";
    bool marked = false;
    const auto mark = [&] {
        body.element(0x00120062, "CS", "YES");
        body.element(0x00120063, "LO", "CaseRoom caseroom-deck scrub, PS3.15 E.1-1 Basic Profile");
        out.actions.push_back("(0012,0062) PatientIdentityRemoved: set to YES; (0012,0063) DeidentificationMethod: added");
        marked = true;
    };
    for (const auto& el : all) {
        if (el.depth != 0 || (el.tag >> 16) == 0x0002) continue;
        if (!marked && el.tag >= 0x00120062) mark();
        if (el.tag == 0x00120062 || el.tag == 0x00120063) continue; // replaced by ours
        emit(body, el);
    }
    if (!marked) mark();
    out.bytes.insert(out.bytes.end(), body.out.begin(), body.out.end());
    return out;
}

} // namespace caseroom::media
