// The PHI screen's pattern scanners (phi_scan.h): every kind but names.
// Hand-written scanners over the UTF-8 bytes, no std::regex.
//
// [1] structured patterns (e-mail, URL, IP, SSN, phone, numeric dates, VIN, ZIP+4)
// [2] cue-valued identifiers ("MRN 123", "fax: ...", "member ID ...")
// [3] month-name dates, ages
// (street addresses and ZIP codes: phi_places.cpp)
//
// Policy: generous after a cue ("MRN", "fax:", "plate"), conservative
// without one (a bare number is clinical until its shape says otherwise).
#include "clinic/phi_scan.h"

#include <algorithm>
#include <array>

namespace caseroom::clinic::detail {
namespace {

// [1] structured patterns ---------------------------------------------------------

void scanEmails(Scan& s) {
    const Sv t = s.t;
    for (std::size_t at = t.find('@'); at != npos; at = t.find('@', at + 1)) {
        auto local = [](char c) { return isAlnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-'; };
        std::size_t b = at;
        while (b > 0 && local(t[b - 1])) --b;
        while (b < at && (t[b] == '.' || t[b] == '-')) ++b;
        std::size_t e = at + 1, lastDot = npos;
        while (e < t.size() && (isAlnum(t[e]) || t[e] == '-' || (t[e] == '.' && isAlnum(s.at(e + 1))))) {
            if (t[e] == '.') lastDot = e;
            ++e;
        }
        if (b == at || lastDot == npos || e - lastDot < 3) continue;
        bool tldAlpha = true;
        for (std::size_t k = lastDot + 1; k < e; ++k) tldAlpha = tldAlpha && isAlpha(t[k]);
        if (tldAlpha) s.add(b, e, PhiKind::Email);
    }
}

std::size_t urlEnd(Sv t, std::size_t i) {
    while (i < t.size() && !isSpace(t[i]) && t[i] != '<' && t[i] != '>' && t[i] != '"' && t[i] != '\'') ++i;
    while (i > 0 && (t[i - 1] == '.' || t[i - 1] == ',' || t[i - 1] == ';' || t[i - 1] == ':' || t[i - 1] == ')' ||
                     t[i - 1] == '!' || t[i - 1] == '?' || t[i - 1] == ']'))
        --i;
    return i;
}

void scanUrls(Scan& s) {
    const Sv t = s.t;
    constexpr Sv kTlds[] = {"com", "org", "net", "edu", "gov", "io", "us", "info"};
    for (std::size_t i = 0; i < t.size(); ++i) {
        if (!isAlpha(t[i]) || wordBefore(t, i)) continue;
        std::size_t e = npos;
        for (Sv scheme : {Sv("https://"), Sv("http://"), Sv("ftp://"), Sv("www.")})
            if (t.size() - i > scheme.size() && ieq(t.substr(i, scheme.size()), scheme) && !isSpace(t[i + scheme.size()])) {
                e = urlEnd(t, i + scheme.size());
                break;
            }
        if (e == npos) { // a bare host name with a well-known top-level domain: "portal.example.org/x"
            std::size_t j = i, dots = 0, lastDot = npos;
            while (j < t.size() && (isAlnum(t[j]) || t[j] == '-' || (t[j] == '.' && isAlnum(s.at(j + 1))))) {
                if (t[j] == '.') { ++dots; lastDot = j; }
                ++j;
            }
            if (dots == 0 || s.at(j) == '@' || (j > 0 && t[i] == '@')) { i = j; continue; }
            const Sv tld = t.substr(lastDot + 1, j - lastDot - 1);
            if (lastDot - i >= 2 && inList(kTlds, tld) && isAlpha(t[lastDot - 1]) && (j >= t.size() || t[j] != '@'))
                e = s.at(j) == '/' ? urlEnd(t, j) : j;
            else { i = j; continue; }
        }
        if (i > 0 && t[i - 1] == '@') continue;
        if (e > i) { s.add(i, e, PhiKind::Url); i = e; }
    }
}

// IPv4 dotted quad at i (each part 0..255); returns the end or npos.
std::size_t ipv4At(Sv t, std::size_t i) {
    std::size_t j = i;
    for (int part = 0; part < 4; ++part) {
        std::size_t n = 0;
        unsigned v = 0;
        while (j < t.size() && isDigit(t[j]) && n < 4) { v = v * 10 + static_cast<unsigned>(t[j] - '0'); ++j; ++n; }
        if (n == 0 || n > 3 || v > 255) return npos;
        if (part < 3) {
            if (j >= t.size() || t[j] != '.') return npos;
            ++j;
        }
    }
    if (digitAt(t, j) || (j + 1 < t.size() && t[j] == '.' && isDigit(t[j + 1]))) return npos;
    return j;
}

void scanIps(Scan& s) {
    const Sv t = s.t;
    for (std::size_t i = 0; i < t.size(); ++i) {
        if (isDigit(t[i]) && !digitBefore(t, i) && !(i > 0 && (t[i - 1] == '.' || isAlpha(t[i - 1])))) {
            const std::size_t e = ipv4At(t, i);
            if (e != npos) { s.add(i, e, PhiKind::Ip); i = e; continue; }
        }
        // IPv6: hex groups of 1..4 and colons; 8 groups, or "::" with a hex letter or 3+ groups.
        if ((isHex(t[i]) || (t[i] == ':' && s.at(i + 1) == ':')) && !(i > 0 && (isAlnum(t[i - 1]) || t[i - 1] == ':'))) {
            std::size_t j = i, groups = 0, colons = 0;
            bool dbl = false, letter = false, bad = false;
            while (j < t.size()) {
                std::size_t n = 0;
                while (j < t.size() && isHex(t[j]) && n < 5) { letter = letter || isAlpha(t[j]); ++j; ++n; }
                if (n > 4) { bad = true; break; }
                if (n > 0) ++groups;
                if (j < t.size() && t[j] == ':') {
                    ++colons;
                    if (s.at(j + 1) == ':') { if (dbl) { bad = true; break; } dbl = true; ++colons; j += 2; }
                    else ++j;
                    if (!isHex(s.at(j))) break;
                } else {
                    break;
                }
            }
            if (bad || wordAt(t, j)) continue;
            const bool full = groups == 8 && colons == 7;
            const bool compressed = dbl && groups >= 1 && colons >= 2 && (letter || groups >= 3);
            if (full || compressed) { s.add(i, j, PhiKind::Ip); i = j; }
        }
    }
}

// A fax cue earlier in the sentence, a few words before b: "fax:", "Fax #",
// "faxed to", "fax the signed recommendations to".
// `sameSentence`: the near bytes too may not cross a sentence's end ("Fax sent. RNA 1200000000").
bool faxBefore(Sv t, std::size_t b, bool sameSentence = false) {
    const std::size_t from = b > 48 ? b - 48 : 0;
    const std::string back = foldAscii(t.substr(from, b - from));
    // The last 24 bytes are near ("Fax no. 505 ..."); farther back, not across a sentence's end.
    const std::size_t nearFrom = sameSentence ? back.size() : back.size() > 24 ? back.size() - 24 : 0;
    std::size_t start = 0;
    for (Sv stop : {Sv(". "), Sv(";"), Sv("\n")}) {
        const auto k = back.rfind(stop, nearFrom);
        if (k == std::string::npos || k + stop.size() > nearFrom) continue;
        if (stop == Sv(". ") && k >= 2 && (back.substr(k - 2, 2) == "no" || back[k - 1] == '#')) continue; // "Fax no. 505..."
        start = std::max(start, k + stop.size());
    }
    const auto f = back.rfind("fax");
    if (f == std::string::npos || f < start) return false;
    // No other phone cue between the fax cue and the number.
    for (Sv other : {Sv("phone"), Sv("tel"), Sv("cell"), Sv("mobile"), Sv("call")})
        if (back.find(other, f) != std::string::npos) return false;
    return true;
}

// "555-123-4567 (fax)", "555-123-4567 fax".
bool faxAfter(Sv t, std::size_t e) {
    std::size_t j = e;
    while (j < t.size() && j - e < 3 && (t[j] == ' ' || t[j] == '(' || t[j] == '-' || t[j] == ',')) ++j;
    return j + 3 <= t.size() && ieq(t.substr(j, 3), "fax") && !wordAt(t, j + 3);
}

// A North American number at i: [+1 ](ddd) ddd-dddd, ddd-ddd-dddd, ddd.ddd.dddd,
// with spaces only after "+1" or parentheses. Returns the end or npos.
std::size_t nanpAt(Sv t, std::size_t i, bool loose) {
    std::size_t j = i;
    bool intl = false;
    if (j < t.size() && t[j] == '+') {
        if (j + 1 >= t.size() || t[j + 1] != '1') return npos;
        j += 2;
        intl = true;
        while (j < t.size() && (t[j] == ' ' || t[j] == '-' || t[j] == '.')) ++j;
    } else if (j + 1 < t.size() && t[j] == '1' && (t[j + 1] == '-' || t[j + 1] == ' ' || t[j + 1] == '.' || t[j + 1] == '(')) {
        const std::size_t k = t[j + 1] == '(' ? j + 1 : j + 2;
        if (nanpAt(t, k, loose || t[j + 1] != ' ') != npos) { j = k; intl = true; }
    }
    auto digits = [&](std::size_t n) {
        for (std::size_t k = 0; k < n; ++k)
            if (!digitAt(t, j + k)) return false;
        j += n;
        return true;
    };
    bool paren = false;
    if (j < t.size() && t[j] == '(') {
        ++j;
        if (!digits(3) || j >= t.size() || t[j] != ')') return npos;
        ++j;
        paren = true;
        while (j < t.size() && (t[j] == ' ' || t[j] == '-' || t[j] == '.') && j - i < 32) ++j;
    } else {
        if (!digits(3)) return npos;
        if (j >= t.size()) return npos;
        const char sep = t[j];
        if (sep != '-' && sep != '.' && !(sep == ' ' && (intl || loose))) return npos;
        ++j;
    }
    if (!digits(3)) return npos;
    if (j >= t.size()) return npos;
    const char sep2 = t[j];
    if (sep2 != '-' && sep2 != '.' && !(sep2 == ' ' && (intl || loose || paren))) return npos;
    ++j;
    if (!digits(4) || digitAt(t, j)) return npos;
    if (j + 1 < t.size() && (t[j] == '-' || t[j] == '.') && isDigit(t[j + 1])) return npos;
    // Extension: "x123", "ext. 12".
    std::size_t k = j;
    while (k < t.size() && t[k] == ' ') ++k;
    if (k + 1 < t.size() && (t[k] == 'x' || t[k] == 'X') && isDigit(t[k + 1])) {
        j = k + 1;
        while (digitAt(t, j)) ++j;
    } else if (k + 4 < t.size() && ieq(t.substr(k, 3), "ext")) {
        std::size_t m = k + 3;
        if (t[m] == '.') ++m;
        while (m < t.size() && t[m] == ' ') ++m;
        if (digitAt(t, m)) { while (digitAt(t, m)) ++m; j = m; }
    }
    return j;
}

// "555-0148" without area code: an exchange (2..9) and four digits, not a
// range of a unit ("200-1000 mg").
std::size_t localNumberAt(const Scan& s, std::size_t i) {
    const Sv t = s.t;
    if (s.digitsFrom(i) != 3 || t[i] < '2' || s.at(i + 3) != '-' || s.digitsFrom(i + 4) != 4) return npos;
    const std::size_t e = i + 8;
    if (wordAt(t, e) || (s.at(e) == '-' && digitAt(t, e + 1)) || (s.at(e) == '.' && digitAt(t, e + 1)) || s.at(e) == '%' ||
        s.at(e) == '/')
        return npos;
    const std::size_t w = s.skipSpaces(e);
    const std::size_t we = s.wordEnd(w);
    constexpr Sv kUnits[] = {"mg", "mcg", "ug", "g", "kg", "ml", "l", "iu", "u", "units", "cells", "copies", "mm", "cm",
                             "m", "ng", "pg", "mmol", "umol", "meq", "x", "times", "days", "weeks", "months", "years",
                             "hrs", "hours", "min", "steps", "cal", "kcal", "lb", "lbs", "ft", "per", "k", "mcl", "ul"};
    if (we > w && inList(kUnits, t.substr(w, we - w))) return npos;
    return e;
}

void scanPhones(Scan& s) {
    const Sv t = s.t;
    for (std::size_t i = 0; i < t.size(); ++i) {
        const char c = t[i];
        if (!(isDigit(c) || c == '(' || c == '+')) continue;
        if (digitBefore(t, i) || (i > 0 && (isAlpha(t[i - 1]) || t[i - 1] == '/' || t[i - 1] == '.'))) continue;
        if (i > 0 && t[i - 1] == '-' && digitBefore(t, i - 1)) continue;
        std::size_t e = nanpAt(t, i, false);
        if (e == npos && c == '+' && s.digitsFrom(i + 1) >= 10 && s.digitsFrom(i + 1) <= 15 && !wordAt(t, i + 1 + s.digitsFrom(i + 1)))
            e = i + 1 + s.digitsFrom(i + 1); // E.164: +15555551234
        // "555 123 4567" without punctuation: only with a plausible area code (2..9).
        if (e == npos && c >= '2' && c <= '9' && s.digitsFrom(i) == 3) e = nanpAt(t, i, true);
        if (e == npos && isDigit(c)) e = localNumberAt(s, i);
        // Ten bare digits after a fax cue: "fax the note to 5055550142".
        // (Shaped as a North American number, the cue in the same sentence.)
        if (e == npos && s.digitsFrom(i) == 10 && !wordAt(t, i + 10) && t[i] >= '2' && t[i + 3] >= '2' &&
            faxBefore(t, i, true))
            e = i + 10;
        if (e == npos) continue;
        s.add(i, e, faxBefore(t, i) || faxAfter(t, e) ? PhiKind::Fax : PhiKind::Phone);
        i = e;
    }
}

void scanSsns(Scan& s) {
    const Sv t = s.t;
    for (std::size_t i = 0; i + 11 <= t.size(); ++i) {
        if (!isDigit(t[i]) || digitBefore(t, i) || (i > 0 && (t[i - 1] == '-' || isAlpha(t[i - 1])))) continue;
        if (s.digitsFrom(i) != 3 || t[i + 3] != '-' || s.digitsFrom(i + 4) != 2 || t[i + 6] != '-' ||
            s.digitsFrom(i + 7) != 4)
            continue;
        if (i + 11 < t.size() && (t[i + 11] == '-' || isAlpha(t[i + 11]))) continue;
        s.add(i, i + 11, PhiKind::Ssn);
    }
}

bool validMonthDay(unsigned m, unsigned d) { return m >= 1 && m <= 12 && d >= 1 && d <= 31; }
unsigned num(Sv t, std::size_t b, std::size_t n) {
    unsigned v = 0;
    for (std::size_t k = 0; k < n; ++k) v = v * 10 + static_cast<unsigned>(t[b + k] - '0');
    return v;
}

// A numeric date at i: m/d/y(y)(yy), d/m/y, yyyy-mm-dd, m/yyyy; with `twoPart`
// (after a date cue) also m/d and yyyymmdd. Returns the end or npos.
std::size_t numericDateAt(const Scan& s, std::size_t i, bool cued) {
    const Sv t = s.t;
    const std::size_t n1 = s.digitsFrom(i);
    const std::size_t a = i + n1;
    const char sep = s.at(a);
    auto endOk = [&](std::size_t e) {
        return !digitAt(t, e) && !(e + 1 < t.size() && (t[e] == sep || t[e] == '.') && isDigit(t[e + 1])) &&
               !isAlpha(s.at(e));
    };
    if (cued && n1 == 8 && !(sep == '/' || sep == '-' || sep == '.')) { // 20250314 or 03142025
        const unsigned y = num(t, i, 4), m = num(t, i + 4, 2), d = num(t, i + 6, 2);
        const unsigned m2 = num(t, i, 2), d2 = num(t, i + 2, 2), y2 = num(t, i + 4, 4);
        if ((y >= 1900 && y <= 2100 && validMonthDay(m, d)) || (y2 >= 1900 && y2 <= 2100 && validMonthDay(m2, d2)))
            return endOk(a) ? a : npos;
        return npos;
    }
    if (sep != '/' && sep != '-' && sep != '.') return npos;
    const std::size_t n2 = s.digitsFrom(a + 1);
    const std::size_t b = a + 1 + n2;
    if (n2 == 0) return npos;
    const unsigned v1 = num(t, i, n1), v2 = num(t, a + 1, n2);
    const bool third = s.at(b) == sep && digitAt(t, b + 1);
    if (third) {
        const std::size_t n3 = s.digitsFrom(b + 1);
        const std::size_t e = b + 1 + n3;
        const unsigned v3 = num(t, b + 1, std::min<std::size_t>(n3, 4));
        if (n1 == 4 && n2 <= 2 && n3 <= 2 && v1 >= 1900 && v1 <= 2100 && validMonthDay(v2, v3)) return endOk(e) ? e : npos;
        if (n1 <= 2 && n2 <= 2 && (n3 == 2 || n3 == 4) && (validMonthDay(v1, v2) || validMonthDay(v2, v1))) {
            if (n3 == 4 && (v3 < 1900 || v3 > 2100)) return npos;
            if (sep == '.' && n3 == 2) return npos; // "1.2.10": a version or a list, not a date
            return endOk(e) ? e : npos;
        }
        return npos;
    }
    // m/yyyy: a month of a year is more precise than the year.
    if (n1 <= 2 && n2 == 4 && sep != '.' && v1 >= 1 && v1 <= 12 && v2 >= 1900 && v2 <= 2100) return endOk(b) ? b : npos;
    // m/d after a cue ("on 3/14", "DOB: 3/14"); bare "3/12" is clinical shorthand.
    if (cued && n1 <= 2 && n2 <= 2 && sep != '.' && validMonthDay(v1, v2)) return endOk(b) ? b : npos;
    return npos;
}

// Words after which a two-part m/d is a date, not a duration.
bool dateCueBefore(Sv t, std::size_t i) {
    std::size_t j = i;
    while (j > 0 && (t[j - 1] == ' ' || t[j - 1] == ':' || t[j - 1] == '\t')) --j;
    std::size_t b = j;
    while (b > 0 && (isAlpha(t[b - 1]) || t[b - 1] == '.')) --b;
    if (b == j) return false;
    Sv w = t.substr(b, j - b);
    while (!w.empty() && w.back() == '.') w.remove_suffix(1);
    constexpr Sv kCues[] = {"on", "dob", "d.o.b", "dated", "date", "born", "admitted", "discharged",
                                          "died", "seen", "birthday", "until", "dos", "doa", "dod", "birthdate", "bd"};
    return inList(kCues, w);
}

void scanNumericDates(Scan& s) {
    const Sv t = s.t;
    for (std::size_t i = 0; i < t.size(); ++i) {
        if (!isDigit(t[i]) || digitBefore(t, i)) continue;
        if (i > 0 && (isAlpha(t[i - 1]) || t[i - 1] == '/' || t[i - 1] == '.' || t[i - 1] == ':' ||
                      (t[i - 1] == '-' && digitBefore(t, i - 1)))) {
            i += s.digitsFrom(i) - 1;
            continue;
        }
        const std::size_t e = numericDateAt(s, i, dateCueBefore(t, i));
        if (e != npos) { s.add(i, e, PhiKind::Date); i = e - 1; }
        else i += s.digitsFrom(i) - 1;
    }
}

// VIN: 17 of [A-HJ-NPR-Z0-9] with letters and digits; ZIP+4 anywhere.
void scanVinsAndZip4(Scan& s) {
    const Sv t = s.t;
    for (std::size_t i = 0; i < t.size(); ++i) {
        if (!isAlnum(t[i]) || wordBefore(t, i)) continue;
        std::size_t j = i, letters = 0, digits = 0;
        bool vinChars = true;
        while (j < t.size() && isAlnum(t[j])) {
            const char c = t[j];
            if (isDigit(c)) ++digits;
            else { ++letters; vinChars = vinChars && isUpper(c) && c != 'I' && c != 'O' && c != 'Q'; }
            ++j;
        }
        if (j - i == 17 && vinChars && letters >= 2 && digits >= 3 && !wordAt(t, j)) s.add(i, j, PhiKind::Vehicle);
        if (j - i == 5 && digits == 5 && s.at(j) == '-' && s.digitsFrom(j + 1) == 4 && !wordAt(t, j + 5) &&
            !(s.at(j + 5) == '-' && digitAt(t, j + 6)) && !(i > 0 && t[i - 1] == '-'))
            s.add(i, j + 5, PhiKind::Zip);
        i = j;
    }
}

// [2] cue-valued identifiers ---------------------------------------------------------

enum class Value : std::uint8_t { Id, Phone, Ssn, Zip, Date, Plate };

struct Cue {
    Sv phrase;
    PhiKind kind;
    Value value;
    std::uint8_t minDigits; // of an Id value
    bool caseSensitive;
};

// Longer phrases first where one starts another ("license plate" before "license").
constexpr Cue kCues[] = {
    // vehicles
    {"license plate number", PhiKind::Vehicle, Value::Plate, 1, false},
    {"licence plate number", PhiKind::Vehicle, Value::Plate, 1, false},
    {"license plate", PhiKind::Vehicle, Value::Plate, 1, false},
    {"licence plate", PhiKind::Vehicle, Value::Plate, 1, false},
    {"plate number", PhiKind::Vehicle, Value::Plate, 1, false},
    {"plate no", PhiKind::Vehicle, Value::Plate, 1, false},
    {"plates", PhiKind::Vehicle, Value::Plate, 1, false},
    {"plate", PhiKind::Vehicle, Value::Plate, 1, false},
    {"license tag", PhiKind::Vehicle, Value::Plate, 1, false},
    {"licence tag", PhiKind::Vehicle, Value::Plate, 1, false},
    {"tag number", PhiKind::Vehicle, Value::Plate, 1, false},
    {"tags", PhiKind::Vehicle, Value::Plate, 1, false},
    {"tag", PhiKind::Vehicle, Value::Plate, 1, false},
    {"registration number", PhiKind::Vehicle, Value::Plate, 1, false},
    {"registration", PhiKind::Vehicle, Value::Plate, 1, false},
    {"reg no", PhiKind::Vehicle, Value::Plate, 1, false},
    {"vehicle identification number", PhiKind::Vehicle, Value::Id, 3, false},
    {"vehicle id", PhiKind::Vehicle, Value::Id, 3, false},
    {"VIN", PhiKind::Vehicle, Value::Id, 3, true},
    // licences, state identity cards and provider numbers
    {"commercial driver's license", PhiKind::Licence, Value::Id, 3, false},
    {"commercial driver\xe2\x80\x99s license", PhiKind::Licence, Value::Id, 3, false},
    {"commercial drivers license", PhiKind::Licence, Value::Id, 3, false},
    {"commercial driver license", PhiKind::Licence, Value::Id, 3, false},
    {"CDL", PhiKind::Licence, Value::Id, 3, true},
    {"state identification card", PhiKind::Licence, Value::Id, 3, false},
    {"state identification", PhiKind::Licence, Value::Id, 3, false},
    {"state id card", PhiKind::Licence, Value::Id, 3, false},
    {"state id", PhiKind::Licence, Value::Id, 3, false},
    {"identification card", PhiKind::Licence, Value::Id, 3, false},
    {"identity card", PhiKind::Licence, Value::Id, 3, false},
    {"id card", PhiKind::Licence, Value::Id, 3, false},
    {"tribal id", PhiKind::Licence, Value::Id, 3, false},
    {"military id", PhiKind::Licence, Value::Id, 3, false},
    {"driver\xe2\x80\x99s license", PhiKind::Licence, Value::Id, 3, false},
    {"driver\xe2\x80\x99s licence", PhiKind::Licence, Value::Id, 3, false},
    {"driver's lic", PhiKind::Licence, Value::Id, 3, false},
    {"drivers licence", PhiKind::Licence, Value::Id, 3, false},
    {"driver licence", PhiKind::Licence, Value::Id, 3, false},
    {"driver's license number", PhiKind::Licence, Value::Id, 3, false},
    {"driver's license", PhiKind::Licence, Value::Id, 3, false},
    {"drivers license", PhiKind::Licence, Value::Id, 3, false},
    {"driver license", PhiKind::Licence, Value::Id, 3, false},
    {"driver's licence", PhiKind::Licence, Value::Id, 3, false},
    {"driving licence", PhiKind::Licence, Value::Id, 3, false},
    {"license number", PhiKind::Licence, Value::Id, 3, false},
    {"licence number", PhiKind::Licence, Value::Id, 3, false},
    {"license", PhiKind::Licence, Value::Id, 3, false},
    {"licence", PhiKind::Licence, Value::Id, 3, false},
    {"lic", PhiKind::Licence, Value::Id, 3, false},
    {"DLN", PhiKind::Licence, Value::Id, 3, true},
    {"DL", PhiKind::Licence, Value::Id, 3, true},
    {"DEA number", PhiKind::Licence, Value::Id, 3, false},
    {"DEA", PhiKind::Licence, Value::Id, 3, false},
    {"NPI number", PhiKind::Licence, Value::Id, 3, false},
    {"NPI", PhiKind::Licence, Value::Id, 3, false},
    {"certificate number", PhiKind::Licence, Value::Id, 3, false},
    {"certificate no", PhiKind::Licence, Value::Id, 3, false},
    {"cert", PhiKind::Licence, Value::Id, 3, false},
    {"permit number", PhiKind::Licence, Value::Id, 3, false},
    {"passport number", PhiKind::Licence, Value::Id, 3, false},
    {"passport", PhiKind::Licence, Value::Id, 4, false},
    // medical record numbers
    {"medical record number", PhiKind::Mrn, Value::Id, 3, false},
    {"medical record no", PhiKind::Mrn, Value::Id, 3, false},
    {"medical record", PhiKind::Mrn, Value::Id, 3, false},
    {"record number", PhiKind::Mrn, Value::Id, 3, false},
    {"record no", PhiKind::Mrn, Value::Id, 3, false},
    {"record #", PhiKind::Mrn, Value::Id, 3, false},
    {"MRN", PhiKind::Mrn, Value::Id, 3, false},
    {"MR#", PhiKind::Mrn, Value::Id, 3, false},
    {"MR #", PhiKind::Mrn, Value::Id, 3, false},
    {"MR no", PhiKind::Mrn, Value::Id, 3, false},
    {"MR number", PhiKind::Mrn, Value::Id, 3, false},
    {"MR", PhiKind::Mrn, Value::Id, 6, true}, // "MR 2+" is mitral regurgitation: six digits make it a record
    {"med rec", PhiKind::Mrn, Value::Id, 3, false},
    {"medical rec", PhiKind::Mrn, Value::Id, 3, false},
    {"hospital #", PhiKind::Mrn, Value::Id, 3, false},
    {"hospital id", PhiKind::Mrn, Value::Id, 3, false},
    {"chart number", PhiKind::Mrn, Value::Id, 3, false},
    {"chart no", PhiKind::Mrn, Value::Id, 3, false},
    {"chart #", PhiKind::Mrn, Value::Id, 3, false},
    {"hospital number", PhiKind::Mrn, Value::Id, 3, false},
    {"hospital no", PhiKind::Mrn, Value::Id, 3, false},
    {"patient id", PhiKind::Mrn, Value::Id, 3, false},
    {"patient number", PhiKind::Mrn, Value::Id, 3, false},
    {"patient identifier", PhiKind::Mrn, Value::Id, 3, false},
    {"pt id", PhiKind::Mrn, Value::Id, 3, false},
    {"unit number", PhiKind::Mrn, Value::Id, 4, false},
    {"EMR", PhiKind::Mrn, Value::Id, 4, true},
    // health plans
    {"health plan beneficiary number", PhiKind::HealthPlan, Value::Id, 3, false},
    {"health plan number", PhiKind::HealthPlan, Value::Id, 3, false},
    {"health plan id", PhiKind::HealthPlan, Value::Id, 3, false},
    {"beneficiary number", PhiKind::HealthPlan, Value::Id, 3, false},
    {"beneficiary id", PhiKind::HealthPlan, Value::Id, 3, false},
    {"member number", PhiKind::HealthPlan, Value::Id, 3, false},
    {"member id", PhiKind::HealthPlan, Value::Id, 3, false},
    {"member no", PhiKind::HealthPlan, Value::Id, 3, false},
    {"member #", PhiKind::HealthPlan, Value::Id, 3, false},
    {"subscriber number", PhiKind::HealthPlan, Value::Id, 3, false},
    {"subscriber id", PhiKind::HealthPlan, Value::Id, 3, false},
    {"policy number", PhiKind::HealthPlan, Value::Id, 3, false},
    {"policy no", PhiKind::HealthPlan, Value::Id, 3, false},
    {"policy #", PhiKind::HealthPlan, Value::Id, 3, false},
    {"policy", PhiKind::HealthPlan, Value::Id, 4, false},
    {"medicaid number", PhiKind::HealthPlan, Value::Id, 3, false},
    {"medicaid id", PhiKind::HealthPlan, Value::Id, 3, false},
    {"medicaid no", PhiKind::HealthPlan, Value::Id, 3, false},
    {"medicaid", PhiKind::HealthPlan, Value::Id, 5, false},
    {"medicare beneficiary identifier", PhiKind::HealthPlan, Value::Id, 3, false},
    {"medicare beneficiary id", PhiKind::HealthPlan, Value::Id, 3, false},
    {"beneficiary identifier", PhiKind::HealthPlan, Value::Id, 3, false},
    {"medicare number", PhiKind::HealthPlan, Value::Id, 3, false},
    {"medicare id", PhiKind::HealthPlan, Value::Id, 3, false},
    {"medicare no", PhiKind::HealthPlan, Value::Id, 3, false},
    {"medicare", PhiKind::HealthPlan, Value::Id, 5, false},
    {"insurance number", PhiKind::HealthPlan, Value::Id, 3, false},
    {"insurance id", PhiKind::HealthPlan, Value::Id, 3, false},
    {"insurance no", PhiKind::HealthPlan, Value::Id, 3, false},
    {"insurance #", PhiKind::HealthPlan, Value::Id, 3, false},
    {"insurance policy", PhiKind::HealthPlan, Value::Id, 3, false},
    {"group number", PhiKind::HealthPlan, Value::Id, 3, false},
    {"group no", PhiKind::HealthPlan, Value::Id, 3, false},
    {"group #", PhiKind::HealthPlan, Value::Id, 3, false},
    {"subscriber #", PhiKind::HealthPlan, Value::Id, 3, false},
    {"subscriber no", PhiKind::HealthPlan, Value::Id, 3, false},
    {"member", PhiKind::HealthPlan, Value::Id, 5, false},
    {"plan id", PhiKind::HealthPlan, Value::Id, 3, false},
    {"plan number", PhiKind::HealthPlan, Value::Id, 3, false},
    {"plan #", PhiKind::HealthPlan, Value::Id, 3, false},
    {"care id", PhiKind::HealthPlan, Value::Id, 3, false},
    {"care number", PhiKind::HealthPlan, Value::Id, 3, false},
    {"health id", PhiKind::HealthPlan, Value::Id, 3, false},
    {"insurance card", PhiKind::HealthPlan, Value::Id, 3, false},
    {"coverage id", PhiKind::HealthPlan, Value::Id, 3, false},
    {"enrollee id", PhiKind::HealthPlan, Value::Id, 3, false},
    {"recipient id", PhiKind::HealthPlan, Value::Id, 3, false},
    {"recipient number", PhiKind::HealthPlan, Value::Id, 3, false},
    {"MBI", PhiKind::HealthPlan, Value::Id, 3, true},
    {"HICN", PhiKind::HealthPlan, Value::Id, 3, true},
    // accounts
    {"account number", PhiKind::Account, Value::Id, 3, false},
    {"account no", PhiKind::Account, Value::Id, 3, false},
    {"account #", PhiKind::Account, Value::Id, 3, false},
    {"account", PhiKind::Account, Value::Id, 4, false},
    {"acct", PhiKind::Account, Value::Id, 3, false},
    {"acc #", PhiKind::Account, Value::Id, 3, false},
    {"acc no", PhiKind::Account, Value::Id, 3, false},
    {"billing number", PhiKind::Account, Value::Id, 3, false},
    {"billing id", PhiKind::Account, Value::Id, 3, false},
    {"invoice number", PhiKind::Account, Value::Id, 3, false},
    // devices
    {"serial number", PhiKind::Device, Value::Id, 2, false},
    {"serial no", PhiKind::Device, Value::Id, 2, false},
    {"serial #", PhiKind::Device, Value::Id, 2, false},
    {"serial", PhiKind::Device, Value::Id, 4, false},
    {"S/N", PhiKind::Device, Value::Id, 2, false},
    {"SN", PhiKind::Device, Value::Id, 3, true},
    {"device identifier", PhiKind::Device, Value::Id, 3, false},
    {"device id", PhiKind::Device, Value::Id, 3, false},
    {"device number", PhiKind::Device, Value::Id, 3, false},
    {"implant id", PhiKind::Device, Value::Id, 3, false},
    {"pacemaker id", PhiKind::Device, Value::Id, 3, false},
    {"pump id", PhiKind::Device, Value::Id, 3, false},
    {"UDI", PhiKind::Device, Value::Id, 3, true},
    // social security numbers
    {"social security number", PhiKind::Ssn, Value::Ssn, 4, false},
    {"social security no", PhiKind::Ssn, Value::Ssn, 4, false},
    {"social security", PhiKind::Ssn, Value::Ssn, 4, false},
    {"SSN", PhiKind::Ssn, Value::Ssn, 4, false},
    {"SS#", PhiKind::Ssn, Value::Ssn, 4, false},
    // phones, faxes, ZIP codes, dates of birth
    {"fax", PhiKind::Fax, Value::Phone, 7, false},
    {"facsimile", PhiKind::Fax, Value::Phone, 7, false},
    {"zip code", PhiKind::Zip, Value::Zip, 5, false},
    {"zip", PhiKind::Zip, Value::Zip, 5, false},
    {"postal code", PhiKind::Zip, Value::Zip, 5, false},
    {"date of birth", PhiKind::Date, Value::Date, 0, false},
};

constexpr Cue kPhoneCues[] = {
    {"telephone", PhiKind::Phone, Value::Phone, 7, false},
    {"phone", PhiKind::Phone, Value::Phone, 7, false},
    {"tel", PhiKind::Phone, Value::Phone, 7, false},
    {"cell", PhiKind::Phone, Value::Phone, 7, false},
    {"mobile", PhiKind::Phone, Value::Phone, 7, false},
    {"ph", PhiKind::Phone, Value::Phone, 7, false},
    {"pager", PhiKind::Phone, Value::Phone, 7, false},
    {"call", PhiKind::Phone, Value::Phone, 7, false},
    {"contact", PhiKind::Phone, Value::Phone, 7, false},
    {"number", PhiKind::Phone, Value::Phone, 10, false},
    {"reached at", PhiKind::Phone, Value::Phone, 7, false},
    {"text", PhiKind::Phone, Value::Phone, 10, false},
};

// Words between a cue and its value: "MRN: 123", "member ID is 123", "acct no. 5".
std::size_t skipFiller(const Scan& s, std::size_t i) {
    constexpr Sv kFiller[] = {"number", "no", "num", "nbr", "is", "was", "of", "id", "code", "ending"};
    for (int round = 0; round < 4; ++round) {
        while (i < s.t.size() && (s.t[i] == ' ' || s.t[i] == '\t' || s.t[i] == ':' || s.t[i] == '#' || s.t[i] == '=' ||
                                  s.t[i] == '.' || s.t[i] == '-' || s.t[i] == '(' || s.t[i] == ','))
            ++i;
        if (!isAlpha(s.at(i))) break;
        const std::size_t e = s.wordEnd(i);
        if (!inList(kFiller, s.t.substr(i, e - i))) break;
        i = e;
    }
    return i;
}

// An identifier value: letters/digits with internal - / . and digit groups
// joined by single spaces ("1234 5678"). Returns the end (== i: none).
std::size_t idValueEnd(const Scan& s, std::size_t i, std::size_t minDigits) {
    const Sv t = s.t;
    std::size_t j = i, digits = 0;
    while (j < t.size()) {
        if (isAlnum(t[j])) { digits += isDigit(t[j]) ? 1 : 0; ++j; continue; }
        if ((t[j] == '-' || t[j] == '/' || t[j] == '.') && j > i && isAlnum(s.at(j + 1))) { ++j; continue; }
        if ((t[j] == '(' || t[j] == ')') && j > i && isDigit(s.at(j + 1))) { ++j; continue; } // GS1 UDI "(01)0084...(17)..."
        if (t[j] == ' ' && j > i && isDigit(t[j - 1]) && s.digitsFrom(j + 1) >= 3 && !wordAt(t, j + 1 + s.digitsFrom(j + 1))) {
            ++j;
            continue;
        }
        break;
    }
    if (j > i && isHigh(s.at(j))) return i; // runs into a non-ASCII word
    // "serial 12-lead ECGs", "account of 8-week": a lower-case word is not an identifier.
    for (std::size_t k = i, run = 0; k < j; ++k) {
        run = isLower(t[k]) ? run + 1 : 0;
        if (run >= 3) return i;
    }
    return digits >= std::max<std::size_t>(minDigits, 1) ? j : i;
}

std::size_t phoneValueEnd(const Scan& s, std::size_t i, std::size_t minDigits) {
    const Sv t = s.t;
    if (!(isDigit(s.at(i)) || s.at(i) == '(' || s.at(i) == '+')) return i;
    if (const std::size_t e = nanpAt(t, i, true); e != npos) return e;
    std::size_t j = i, digits = 0, end = i;
    while (j < t.size() && (isDigit(t[j]) || t[j] == '(' || t[j] == ')' || t[j] == '+' || t[j] == '-' || t[j] == '.' ||
                            t[j] == ' ')) {
        if (isDigit(t[j])) { ++digits; end = j + 1; }
        if (t[j] == ')') end = j + 1;
        if (t[j] == ' ' && !(isDigit(s.at(j + 1)) || s.at(j + 1) == '(')) break;
        ++j;
    }
    if (wordAt(t, end)) return i;
    return digits >= minDigits && digits <= 15 ? end : i;
}

std::size_t ssnValueEnd(const Scan& s, std::size_t i) {
    const Sv t = s.t;
    std::size_t j = i, digits = 0, end = i;
    while (j < t.size() && (isDigit(t[j]) || t[j] == 'x' || t[j] == 'X' || t[j] == '*' || t[j] == '-' || t[j] == ' ')) {
        if (t[j] != ' ' && t[j] != '-') end = j + 1;
        if (isDigit(t[j])) ++digits;
        if (t[j] == ' ' && !(isDigit(s.at(j + 1)) || s.at(j + 1) == 'x' || s.at(j + 1) == 'X' || s.at(j + 1) == '*')) break;
        ++j;
    }
    if (wordAt(t, end)) return i;
    return digits >= 4 && digits <= 9 ? end : i;
}

// A plate: one or two short alphanumeric groups with a digit ("7ABC123", "ABC 1234").
std::size_t plateValueEnd(const Scan& s, std::size_t i) {
    const Sv t = s.t;
    std::size_t j = i, digits = 0, groups = 0;
    while (j < t.size() && groups < 3) {
        const std::size_t g = j;
        while (j < t.size() && (isUpper(t[j]) || isDigit(t[j]))) { digits += isDigit(t[j]) ? 1 : 0; ++j; }
        if (j == g || j - g > 8 || isLower(s.at(j))) { j = g; break; }
        ++groups;
        if ((s.at(j) == ' ' || s.at(j) == '-') && (isUpper(s.at(j + 1)) || isDigit(s.at(j + 1))) && groups < 3) { ++j; continue; }
        break;
    }
    while (j > i && (t[j - 1] == ' ' || t[j - 1] == '-')) --j;
    std::size_t letters = 0;
    for (std::size_t k = i; k < j; ++k) letters += isUpper(t[k]) ? 1 : 0;
    return digits >= 1 && letters >= 1 && digits + letters >= 4 ? j : i; // "plate 12 mm" is a bone plate
}

// A serial code after a device cue: letters and digits mixed, five or more,
// at least one digit ("95B7ZM", "8PZBXG"); "serial CXRs" has no digit.
std::size_t serialCodeEnd(const Scan& s, std::size_t i) {
    std::size_t j = i, digits = 0, letters = 0;
    while (j < s.t.size() && (isUpper(s.t[j]) || isDigit(s.t[j]) || (s.t[j] == '-' && j > i && isAlnum(s.at(j + 1))))) {
        digits += isDigit(s.t[j]) ? 1 : 0;
        letters += isUpper(s.t[j]) ? 1 : 0;
        ++j;
    }
    if (wordAt(s.t, j)) return i;
    return digits >= 1 && letters >= 1 && digits + letters >= 5 ? j : i;
}

// A date value after a date-of-birth cue: numeric or "14 Mar 2025" forms.
std::size_t monthDateAt(const Scan& s, std::size_t i, std::size_t* beginOut);

std::size_t valueEnd(const Scan& s, const Cue& c, std::size_t v) {
    switch (c.value) {
    case Value::Id: return idValueEnd(s, v, c.minDigits);
    case Value::Phone: return phoneValueEnd(s, v, c.minDigits);
    case Value::Ssn: return ssnValueEnd(s, v);
    case Value::Zip: return zipValueEnd(s, v);
    case Value::Plate: return plateValueEnd(s, v);
    case Value::Date: {
        if (isDigit(s.at(v))) {
            const std::size_t e = numericDateAt(s, v, true);
            if (e != npos) return e;
        }
        std::size_t b = v;
        const std::size_t e = monthDateAt(s, v, &b);
        return e != npos && b == v ? e : v;
    }
    }
    return v;
}

// The cues of a table by their first letter (built once, immutable after).
template <const auto& Cues>
const std::vector<const Cue*>& cuesStartingWith(char letter) {
    static const auto index = [] {
        std::array<std::vector<const Cue*>, 26> by{};
        for (const Cue& c : Cues) by[static_cast<std::size_t>(lower(c.phrase[0]) - 'a')].push_back(&c);
        return by;
    }();
    return index[static_cast<std::size_t>(lower(letter) - 'a')];
}

template <const auto& Cues>
bool tryCues(Scan& s, std::size_t i) {
    for (const Cue* cue : cuesStartingWith<Cues>(s.t[i])) {
        const Cue& c = *cue;
        const std::size_t e = s.phrase(i, c.phrase, c.caseSensitive);
        if (e == npos) continue;
        std::size_t v = skipFiller(s, e);
        std::size_t ve = valueEnd(s, c, v);
        if (c.value == Value::Id && c.phrase == Sv("DL") && v == s.skipSpaces(e) && !(s.at(e) == ':' || s.at(e) == '#')) {
            // "DL" is also decilitre ("mg DL 5"): a bare "DL" takes only a licence-shaped
            // value (six digits or more), never after a unit's slash.
            std::size_t digits = 0;
            for (std::size_t k = v; k < ve; ++k) digits += isDigit(s.t[k]) ? 1 : 0;
            if (digits < 6 || (i > 0 && s.t[i - 1] == '/')) return false;
        }
        if (ve == v && c.kind == PhiKind::Device) ve = serialCodeEnd(s, v);
        if (ve > v) {
            PhiKind kind = c.kind;
            s.add(v, ve, kind);
            return true;
        }
        return false; // the longest cue at i decides (e.g. "plate" without a plate is nothing)
    }
    return false;
}

void scanCues(Scan& s) {
    const Sv t = s.t;
    for (std::size_t i = 0; i < t.size(); ++i) {
        if (!isAlpha(t[i]) || wordBefore(t, i)) continue;
        if (!tryCues<kCues>(s, i)) (void)tryCues<kPhoneCues>(s, i);
        i = s.wordEnd(i);
        if (i == 0) break;
        --i;
    }
}

// [3] month-name dates, ages ------------------------------------------------------

// A month name or abbreviation at i ("March", "Mar", "Mar.", "MAR", "Sept");
// returns its end (after a '.') or npos. "May" and abbreviations need a capital.
std::size_t monthWordAt(const Scan& s, std::size_t i) {
    if (!isAlpha(s.at(i)) || wordBefore(s.t, i)) return npos;
    std::size_t e = i;
    while (e < s.t.size() && isAlpha(s.t[e])) ++e;
    if (wordAt(s.t, e)) return npos;
    const Sv w = s.t.substr(i, e - i);
    if (inSet<kMonths>(w)) return (ieq(w, "may") && !isUpper(w[0])) ? npos : e;
    if (!isUpper(w[0])) return npos;
    if (inSet<kMonthAbbr>(w) || ieq(w, "Sept")) return s.at(e) == '.' ? e + 1 : e;
    return npos;
}

// Day of month at i: 1..31 with an optional ordinal suffix; returns the end or npos.
std::size_t dayAt(const Scan& s, std::size_t i) {
    const std::size_t n = s.digitsFrom(i);
    if (n == 0 || n > 2 || (i > 0 && (isAlnum(s.t[i - 1]) || s.t[i - 1] == '.' || s.t[i - 1] == '/'))) return npos;
    const unsigned d = num(s.t, i, n);
    if (d < 1 || d > 31) return npos;
    std::size_t e = i + n;
    for (Sv suf : {Sv("st"), Sv("nd"), Sv("rd"), Sv("th")})
        if (e + 2 <= s.t.size() && ieq(s.t.substr(e, 2), suf)) { e += 2; break; }
    if (wordAt(s.t, e) || s.at(e) == '/' || (s.at(e) == '.' && digitAt(s.t, e + 1)) || (s.at(e) == ':' && digitAt(s.t, e + 1)))
        return npos;
    return e;
}

// A four-digit year (1900..2100) at i, or after '-' a two-digit one.
std::size_t yearAt(const Scan& s, std::size_t i, bool twoDigitsOk) {
    const std::size_t n = s.digitsFrom(i);
    if (n == 4 && !wordAt(s.t, i + 4)) {
        const unsigned y = num(s.t, i, 4);
        return y >= 1900 && y <= 2100 ? i + 4 : npos;
    }
    if (twoDigitsOk && n == 2 && !wordAt(s.t, i + 2)) return i + 2;
    return npos;
}

std::size_t monthDateAt(const Scan& s, std::size_t i, std::size_t* beginOut) {
    const std::size_t me = monthWordAt(s, i);
    if (me == npos) return npos;
    std::size_t begin = i;
    // Before: "14 March", "14-Mar-2025", "14th of March", "the 14th of March".
    {
        std::size_t j = i;
        bool dash = false;
        if (j > 0 && s.t[j - 1] == '-') { --j; dash = true; }
        else {
            while (j > 0 && s.t[j - 1] == ' ') --j;
            if (j >= 3 && ieq(s.t.substr(j - 2, 2), "of") && s.t[j - 3] == ' ') {
                j -= 3;
                while (j > 0 && s.t[j - 1] == ' ') --j;
            }
        }
        std::size_t k = j;
        while (k > 0 && isAlpha(s.t[k - 1]) && j - k < 2) --k;
        std::size_t d = k;
        while (d > 0 && isDigit(s.t[d - 1]) && k - d < 3) --d;
        if (d < k && j < i && dayAt(s, d) == j) {
            begin = d;
            if (d >= 4 && ieq(s.t.substr(d - 4, 4), "the ")) begin = d - 4;
            std::size_t y = me;
            if (dash && s.at(y) == '-') y = yearAt(s, y + 1, true);
            else {
                if (s.at(y) == ',') ++y;
                y = s.skipSpaces(y);
                y = y == me ? npos : yearAt(s, y, false);
            }
            *beginOut = begin;
            return y != npos ? y : me;
        }
    }
    // After: "March 14", "Mar 14th, 2025", "March the 14th", "Mar-14-2025", "March 2025".
    std::size_t j = s.skipSpaces(me);
    const bool dash = s.at(me) == '-';
    if (dash) j = me + 1;
    else if (j == me) return npos;
    if (!dash && j + 4 <= s.t.size() && ieq(s.t.substr(j, 4), "the ")) j = s.skipSpaces(j + 4);
    const std::size_t de = dayAt(s, j);
    if (de != npos && s.digitsFrom(j) <= 2) {
        std::size_t y = de;
        if (dash && s.at(y) == '-') y = yearAt(s, y + 1, true);
        else {
            if (s.at(y) == ',') ++y;
            const std::size_t ys = s.skipSpaces(y);
            y = ys == y && s.at(de) != ',' ? npos : yearAt(s, ys, false);
        }
        *beginOut = begin;
        return y != npos ? y : de;
    }
    // Month and year: the month is an element of a date (Safe Harbor keeps only the year).
    std::size_t y = me;
    if (s.at(y) == ',') ++y;
    if (!dash) y = s.skipSpaces(y);
    const std::size_t ye = yearAt(s, y, false);
    if (ye != npos && y > me) { *beginOut = begin; return ye; }
    return npos;
}

void scanMonthDates(Scan& s) {
    for (std::size_t i = 0; i < s.t.size(); ++i) {
        if (!isAlpha(s.t[i]) || wordBefore(s.t, i)) continue;
        std::size_t b = i;
        const std::size_t e = monthDateAt(s, i, &b);
        if (e != npos) { s.add(b, e, PhiKind::Date); i = e; continue; }
        i = s.wordEnd(i);
        if (i == 0) break;
        --i;
    }
}

// Ages over 89: "92 yo", "92-year-old", "95 y/o", "92yoF", "aged 95", "age: 101".
// "90+" and "90 or older" are Safe Harbor's own aggregate and stay.
void scanAges(Scan& s) {
    const Sv t = s.t;
    constexpr Sv kUnits[] = {"years old", "year old", "yrs old", "yr old", "years-old", "year-old",
                                           "yr-old", "years of age", "y.o.", "y.o", "y/o", "yo", "yoa", "yom", "yof",
                                           "yrs", "yr", "years", "year", "y"};
    for (std::size_t i = 0; i < t.size(); ++i) {
        if (!isDigit(t[i]) || (i > 0 && (isAlnum(t[i - 1]) || t[i - 1] == '.' || t[i - 1] == '/' || t[i - 1] == ','))) continue;
        const std::size_t n = s.digitsFrom(i);
        const unsigned v = n <= 3 ? num(t, i, n) : 0;
        const std::size_t ne = i + n;
        i = ne;
        if (v < 90 || v > 130 || ((s.at(ne) == '.' || s.at(ne) == ',') && digitAt(t, ne + 1))) continue;
        if (s.at(ne) == '+') continue;
        // A unit after the number.
        std::size_t u = ne;
        if (s.at(u) == ' ' || s.at(u) == '-') ++u;
        std::size_t ue = npos;
        for (Sv unit : kUnits) {
            std::size_t e = s.phrase(u, unit);
            if (e == npos && (unit == Sv("yo") || unit == Sv("y")) && u + unit.size() < t.size() &&
                ieq(t.substr(u, unit.size()), unit) && (t[u + unit.size()] == 'M' || t[u + unit.size()] == 'F') &&
                !wordAt(t, u + unit.size() + 1))
                e = u + unit.size() + 1; // 92yoF, 92yM
            if (e == npos) continue;
            if (unit == Sv("y") && !(s.at(e) == ' ' && (s.at(e + 1) == 'M' || s.at(e + 1) == 'F') && !wordAt(t, e + 2)) &&
                e != u + 2)
                continue; // a bare "y" only as "92 y M"
            ue = e;
            break;
        }
        // "92F with", "a 95M": sex right after the age; not a temperature ("Tmax 100F").
        if (ue == npos && (s.at(ne) == 'M' || s.at(ne) == 'F') && !wordAt(t, ne + 1) && !(s.at(ne + 1) == '.' && isAlpha(s.at(ne + 2)))) {
            const std::size_t from = ne - n > 14 ? ne - n - 14 : 0;
            const std::string back = foldAscii(t.substr(from, ne - n - from));
            if (back.find("temp") == std::string::npos && back.find("tmax") == std::string::npos &&
                back.find("fever") == std::string::npos && back.find("t ") != back.size() - 2 &&
                back.find("febrile") == std::string::npos)
                ue = ne + 1;
        }
        if (ue != npos) { s.add(i - n, ue, PhiKind::Age); i = ue; continue; }
        // A cue before the number.
        std::size_t j = ne - n;
        while (j > 0 && (t[j - 1] == ' ' || t[j - 1] == ':' || t[j - 1] == '=')) --j;
        std::size_t w = j;
        while (w > 0 && isAlpha(t[w - 1])) --w;
        const Sv cue = t.substr(w, j - w);
        if (!(ieq(cue, "age") || ieq(cue, "aged") || ieq(cue, "ages"))) continue;
        const std::size_t after = s.skipSpaces(ne);
        if (s.phrase(after, "or older") != npos || s.phrase(after, "and older") != npos ||
            s.phrase(after, "or over") != npos || s.phrase(after, "and over") != npos)
            continue;
        s.add(ne - n, ne, PhiKind::Age);
    }
}

} // namespace

void scanPatterns(Scan& s) {
    scanEmails(s);
    scanUrls(s);
    scanIps(s);
    scanSsns(s);
    scanPhones(s);
    scanNumericDates(s);
    scanVinsAndZip4(s);
    scanCues(s);
    scanMonthDates(s);
    scanAges(s);
    scanStreets(s);
    scanStateZips(s);
}

} // namespace caseroom::clinic::detail
