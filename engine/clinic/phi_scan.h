// Internal to caseroom_phi: the characters, word tables and the scanning
// state shared by the pattern scanners (phi_patterns.cpp) and the name
// scanners and API (phi_screen.cpp). Not part of the module's interface.
#pragma once
#include "clinic/phi_screen.h"

#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace caseroom::clinic::detail {

using Sv = std::string_view;
inline constexpr std::size_t npos = Sv::npos;

// [1] characters and UTF-8 ---------------------------------------------------

inline bool isDigit(char c) { return c >= '0' && c <= '9'; }
inline bool isUpper(char c) { return c >= 'A' && c <= 'Z'; }
inline bool isLower(char c) { return c >= 'a' && c <= 'z'; }
inline bool isAlpha(char c) { return isUpper(c) || isLower(c); }
inline bool isAlnum(char c) { return isAlpha(c) || isDigit(c); }
inline bool isHigh(char c) { return static_cast<unsigned char>(c) >= 0x80; }
inline bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
inline char lower(char c) { return isUpper(c) ? static_cast<char>(c - 'A' + 'a') : c; }
inline bool isHex(char c) { return isDigit(c) || (lower(c) >= 'a' && lower(c) <= 'f'); }

struct Cp {
    std::uint32_t cp = 0;
    std::uint32_t len = 1;
    bool valid = false;
};

// One code point at t[i]; an invalid or truncated sequence is one invalid byte.
inline Cp decode(Sv t, std::size_t i) {
    const auto b0 = static_cast<unsigned char>(t[i]);
    if (b0 < 0x80) return {b0, 1, true};
    std::uint32_t n = 0, cp = 0, min = 0;
    if ((b0 & 0xe0) == 0xc0) { n = 2; cp = b0 & 0x1fu; min = 0x80; }
    else if ((b0 & 0xf0) == 0xe0) { n = 3; cp = b0 & 0x0fu; min = 0x800; }
    else if ((b0 & 0xf8) == 0xf0) { n = 4; cp = b0 & 0x07u; min = 0x10000; }
    else return {};
    if (i + n > t.size()) return {};
    for (std::uint32_t k = 1; k < n; ++k) {
        const auto b = static_cast<unsigned char>(t[i + k]);
        if ((b & 0xc0) != 0x80) return {};
        cp = (cp << 6) | (b & 0x3fu);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return {};
    return {cp, n, true};
}

// Letters beyond ASCII: Latin-1, Latin Extended A/B, IPA, Greek, Cyrillic,
// Latin Extended Additional, and the CJK/Hangul blocks (names, not words).
inline bool isLetterCp(std::uint32_t cp) {
    if (cp < 0x80) return isAlpha(static_cast<char>(cp));
    if (cp >= 0xc0 && cp <= 0x24f) return cp != 0xd7 && cp != 0xf7;
    return (cp >= 0x250 && cp <= 0x2af) || (cp >= 0x370 && cp <= 0x3ff && cp != 0x37e && cp != 0x387) ||
           (cp >= 0x400 && cp <= 0x52f) || (cp >= 0x1e00 && cp <= 0x1eff) || (cp >= 0x3040 && cp <= 0x30ff) ||
           (cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0xac00 && cp <= 0xd7af);
}
// Upper case for the Latin ranges (enough to tell "Ørsted" from "ørsted").
inline bool isUpperCp(std::uint32_t cp) {
    if (cp < 0x80) return isUpper(static_cast<char>(cp));
    if (cp >= 0xc0 && cp <= 0xde) return cp != 0xd7;
    if ((cp >= 0x100 && cp <= 0x17f) || (cp >= 0x1e00 && cp <= 0x1eff)) return cp % 2 == 0;
    if (cp >= 0x391 && cp <= 0x3ab) return true;
    if (cp >= 0x400 && cp <= 0x42f) return true;
    return false;
}
inline bool isLowerCp(std::uint32_t cp) { return isLetterCp(cp) && !isUpperCp(cp); }

// Is the byte before i part of a word (ASCII alnum or a non-ASCII letter)?
inline bool wordBefore(Sv t, std::size_t i) {
    if (i == 0) return false;
    const char c = t[i - 1];
    if (isAlnum(c)) return true;
    if (!isHigh(c)) return false;
    std::size_t j = i - 1; // back to the lead byte (at most 3 continuation bytes)
    while (j > 0 && i - j < 4 && (static_cast<unsigned char>(t[j]) & 0xc0) == 0x80) --j;
    const Cp cp = decode(t, j);
    return cp.valid && j + cp.len == i && isLetterCp(cp.cp);
}
inline bool wordAt(Sv t, std::size_t i) {
    if (i >= t.size()) return false;
    if (isAlnum(t[i])) return true;
    if (!isHigh(t[i])) return false;
    const Cp cp = decode(t, i);
    return cp.valid && isLetterCp(cp.cp);
}
inline bool digitBefore(Sv t, std::size_t i) { return i > 0 && isDigit(t[i - 1]); }
inline bool digitAt(Sv t, std::size_t i) { return i < t.size() && isDigit(t[i]); }

// ASCII case-insensitive equality.
inline bool ieq(Sv a, Sv b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (lower(a[i]) != lower(b[i])) return false;
    return true;
}
inline std::string foldAscii(Sv s) {
    std::string out(s);
    for (char& c : out) c = lower(c);
    return out;
}
// A word list as a hash set (ASCII case-folded or exact), for the long
// tables: built once on first use, immutable after (thread-safe statics).
class WordSet {
public:
    template <std::size_t N>
    WordSet(const Sv (&list)[N], bool caseSensitive) : caseSensitive_(caseSensitive) {
        storage_.reserve(N);
        for (Sv w : list) storage_.push_back(caseSensitive ? std::string(w) : foldAscii(w));
        for (const std::string& w : storage_) set_.insert(w);
    }
    WordSet(const WordSet&) = delete;
    WordSet& operator=(const WordSet&) = delete;
    [[nodiscard]] bool contains(Sv w) const {
        if (caseSensitive_) return set_.count(w) != 0;
        char buf[48];
        if (w.size() > sizeof buf) return false;
        for (std::size_t i = 0; i < w.size(); ++i) buf[i] = lower(w[i]);
        return set_.count(Sv(buf, w.size())) != 0;
    }

private:
    bool caseSensitive_;
    std::vector<std::string> storage_;
    std::unordered_set<Sv> set_;
};

template <const auto& List>
bool inSet(Sv w, bool caseSensitive = false) {
    static const WordSet exact(List, true), folded(List, false);
    return (caseSensitive ? exact : folded).contains(w);
}

// Linear search, for the short lists local to a scanner.
template <std::size_t N>
inline bool inList(const Sv (&list)[N], Sv w, bool caseSensitive = false) {
    for (Sv s : list)
        if (caseSensitive ? s == w : ieq(s, w)) return true;
    return false;
}

// [2] word tables --------------------------------------------------------------

inline constexpr Sv kMonths[] = {"january", "february", "march", "april", "may", "june",
                                        "july", "august", "september", "october", "november", "december"};
inline constexpr Sv kMonthAbbr[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                           "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

inline constexpr Sv kStates[] = {"AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "FL", "GA", "HI", "ID", "IL", "IN",
                                        "IA", "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV",
                                        "NH", "NJ", "NM", "NY", "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN",
                                        "TX", "UT", "VT", "VA", "WA", "WV", "WI", "WY", "DC", "PR", "GU"};
inline constexpr Sv kStateNames[] = {
    "Alabama", "Alaska", "Arizona", "Arkansas", "California", "Colorado", "Connecticut", "Delaware", "Florida",
    "Georgia", "Hawaii", "Idaho", "Illinois", "Indiana", "Iowa", "Kansas", "Kentucky", "Louisiana", "Maine",
    "Maryland", "Massachusetts", "Michigan", "Minnesota", "Mississippi", "Missouri", "Montana", "Nebraska", "Nevada",
    "Hampshire", "Jersey", "Mexico", "York", "Carolina", "Dakota", "Ohio", "Oklahoma", "Oregon", "Pennsylvania",
    "Island", "Tennessee", "Texas", "Utah", "Vermont", "Virginia", "Washington", "Wisconsin", "Wyoming", "Columbia",
    "Rico", "Guam", "Samoa"};

// Street suffixes as written after a street name (Title case or capitals).
inline constexpr Sv kStreetSuffixes[] = {
    "Street", "St", "Avenue", "Ave", "Av", "Road", "Rd", "Boulevard", "Blvd", "Lane", "Ln", "Drive", "Dr", "Court",
    "Ct", "Way", "Highway", "Hwy", "Route", "Rte", "Place", "Pl", "Terrace", "Ter", "Circle", "Cir", "Parkway", "Pkwy",
    "Trail", "Trl", "Square", "Sq", "Loop", "Alley", "Row", "Crescent", "Pike", "Turnpike", "Expressway", "Freeway",
    "Plaza", "Path", "Crossing", "Point", "Ridge", "Hollow", "Heights", "Bend", "Cove", "Creek", "Park",
    "Mews", "Gardens"};
inline constexpr Sv kDirections[] = {"N", "S", "E", "W", "NE", "NW", "SE", "SW", "North", "South", "East",
                                            "West", "Northeast", "Northwest", "Southeast", "Southwest"};

// Capitalised words that are not names (sentence starts, clinical terms).
inline constexpr Sv kNotNames[] = {
    "the", "a", "an", "he", "she", "they", "his", "her", "hers", "their", "it", "is", "was", "has", "had", "have",
    "with", "without", "and", "or", "no", "not", "also", "in", "on", "at", "for", "to", "of", "from", "by", "as",
    "this", "that", "these", "those", "who", "which", "what", "when", "where", "why", "how", "but", "if", "then",
    "denies", "denied", "reports", "reported", "presents", "presented", "presenting", "states", "stated", "notes",
    "noted", "complains", "returns", "returned", "admits", "admitted", "underwent", "started", "starts", "remains",
    "history", "hx", "medications", "meds", "labs", "lab", "imaging", "exam", "plan", "assessment", "impression",
    "question", "questions", "case", "cases", "hepatitis", "cirrhosis", "diabetes", "hypertension", "genotype",
    "type", "stage", "grade", "class", "echo", "hub", "spoke", "clinic", "hospital", "center", "centre", "county",
    "university", "medical", "health", "care", "primary", "emergency", "department", "unit", "service", "team",
    "january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november",
    "december", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "american", "english",
    "spanish", "hispanic", "latino", "latina", "caucasian", "white", "black", "asian", "african", "native", "medicaid",
    "medicare", "insurance", "male", "female", "man", "woman", "boy", "girl", "patient", "pt", "client", "resident", "chief", "complaint",
    "past", "family", "social", "review", "physical", "current", "prior", "previous", "recent", "new", "follow",
    "followup", "up", "today", "yesterday", "tomorrow", "now", "here", "there", "please", "thanks", "thank", "yes",
    "none", "unknown", "negative", "positive", "normal", "abnormal", "mild", "moderate", "severe", "acute", "chronic",
    "left", "right", "bilateral", "fibroscan", "ultrasound", "biopsy", "sofosbuvir", "velpatasvir", "glecaprevir",
    "ledipasvir", "ribavirin", "insulin", "metformin", "treatment", "therapy", "visit", "name", "named", "age",
    "sex", "setting", "rural", "urban", "cardiology", "hepatology", "gastroenterology", "gi", "nephrology", "radiology", "pathology", "psychiatry", "neurology", "oncology", "surgery", "pharmacy", "nursing", "dermatology", "endocrinology", "infectious", "pulmonology", "urology", "obstetrics", "gynecology", "pediatrics", "hospice", "palliative", "podiatry", "ophthalmology", "nutrition", "dietitian", "staff", "nurse", "practitioner", "physician", "pharmacist", "doctor", "provider", "clinician", "specialist", "deceased", "alive", "living", "healthy", "died", "adopted", "notification", "precautions", "state", "college", "school", "institute", "foundation", "memorial", "general", "regional", "community", "valley", "river", "mountain", "lake", "city", "town", "village", "road", "street", "avenue", "arbor", "santa", "san", "fort", "saint", "st", "mr", "mrs", "ms", "dr", "miss", "prof", "non", "post", "pre"};

// [3] scanning helpers ----------------------------------------------------------

struct Cand {
    std::uint32_t begin = 0, end = 0;
    PhiKind kind = PhiKind::Name;
};

struct Scan {
    Sv t;
    const ScreenContext& ctx;
    std::vector<Cand> out;

    void add(std::size_t b, std::size_t e, PhiKind k) {
        if (e > b) out.push_back({static_cast<std::uint32_t>(b), static_cast<std::uint32_t>(e), k});
    }
    char at(std::size_t i) const { return i < t.size() ? t[i] : '\0'; }
    std::size_t digitsFrom(std::size_t i) const {
        std::size_t j = i;
        while (j < t.size() && isDigit(t[j])) ++j;
        return j - i;
    }
    std::size_t skipSpaces(std::size_t i, bool newlines = false) const {
        while (i < t.size() && (t[i] == ' ' || t[i] == '\t' || (newlines && isSpace(t[i])))) ++i;
        return i;
    }
    // End of the word (letters, digits, non-ASCII letters; internal ' ’ -) at i.
    std::size_t wordEnd(std::size_t i) const {
        std::size_t j = i;
        while (j < t.size()) {
            if (isAlnum(t[j])) { ++j; continue; }
            if (isHigh(t[j])) {
                const Cp cp = decode(t, j);
                if (cp.valid && isLetterCp(cp.cp)) { j += cp.len; continue; }
                if (cp.valid && cp.cp == 0x2019 && j > i && wordAt(t, j + 3)) { j += 3; continue; } // ’
                break;
            }
            if ((t[j] == '\'' || t[j] == '-') && j > i && wordAt(t, j + 1) && !isDigit(t[j + 1])) { ++j; continue; }
            break;
        }
        return j;
    }
    // Case-insensitive phrase at i: ' ' in the phrase matches one or more
    // blanks (or '-', '_'); a phrase ending in a letter or digit must end a word.
    std::size_t phrase(std::size_t i, Sv p, bool caseSensitive = false) const {
        std::size_t j = i;
        for (std::size_t k = 0; k < p.size(); ++k) {
            if (p[k] == ' ') {
                const std::size_t s = j;
                while (j < t.size() && (t[j] == ' ' || t[j] == '\t' || t[j] == '-' || t[j] == '_')) ++j;
                if (j == s) return npos;
                continue;
            }
            if (j >= t.size()) return npos;
            if (caseSensitive ? t[j] != p[k] : lower(t[j]) != lower(p[k])) return npos;
            ++j;
        }
        if (isAlnum(p.back()) && wordAt(t, j)) return npos;
        return j;
    }
    bool isTitleWord(std::size_t b, std::size_t e) const {
        if (e <= b) return false;
        const Cp c0 = decode(t, b);
        if (!c0.valid || !isUpperCp(c0.cp)) return false;
        const std::size_t n = b + c0.len;
        if (n >= e) return false;
        if (t[n] == '\'') return true; // O'Brien
        const Cp c1 = decode(t, n);
        return c1.valid && isLowerCp(c1.cp);
    }
    // A word that may be (part of) a name: Title case, not a known non-name.
    bool isNameWord(std::size_t b, std::size_t e) const {
        if (!isTitleWord(b, e)) return false;
        const Sv w = t.substr(b, e - b);
        const Sv head = w.substr(0, w.find('-')); // "Spanish-speaking"
        return !inSet<kNotNames>(w) && !inSet<kNotNames>(head) && !inSet<kMonths>(w) &&
               !inSet<kStreetSuffixes>(w, true);
    }
    bool isInitial(std::size_t b) const { return isUpper(at(b)) && at(b + 1) == '.' && !wordAt(t, b + 2); }
};

// Appends the candidates of every kind but names (phi_patterns.cpp).
void scanPatterns(Scan& s);
// Places (phi_places.cpp): street addresses; ZIP codes after a state or
// before "ZIP code"; the end of a ZIP value at i ("87501", "87501-1234"), i if none.
void scanStreets(Scan& s);
void scanStateZips(Scan& s);
std::size_t zipValueEnd(const Scan& s, std::size_t i);

} // namespace caseroom::clinic::detail
