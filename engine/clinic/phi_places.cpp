// The PHI screen's place scanners (phi_scan.h): street addresses, P.O.
// boxes, ZIP codes after a state or before "ZIP code". Split from
// phi_patterns.cpp to keep each file short; same policy: a street needs a
// house number and a street word (a suffix, a route, a Spanish or French
// prefix such as "Calle"); a bare five-digit number is no ZIP code.
#include "clinic/phi_scan.h"

namespace caseroom::clinic::detail {
namespace {

// Street words written before the street's name (Spanish, Portuguese,
// Italian, French forms common in US addresses): "305 Calle Cielo".
constexpr Sv kPrefixes[] = {"Calle", "Avenida", "Avda", "Camino", "Paseo", "Via", "V\xc3\xad" "a", "Rue", "Rua",
                            "Carrera", "Calzada", "Callej\xc3\xb3" "n", "Callejon", "Vereda", "Sendero", "Placita",
                            "Corte", "Circulo", "Entrada", "Cerrada", "Privada", "Strada", "Viale"};
// Particles inside a street's name: "Paseo de Peralta", "Calle de los Robles".
constexpr Sv kParticles[] = {"de", "del", "la", "las", "los", "el", "y", "du", "des", "di", "della", "da", "do", "dos"};

bool isSuffix(Sv w) {
    if (inSet<kStreetSuffixes>(w, true)) return true;
    bool caps = w.size() >= 2;
    for (char c : w) caps = caps && isUpper(c);
    return caps && inSet<kStreetSuffixes>(w); // "ST", "AVE"
}
bool isRouteWord(Sv w) {
    return w == "Route" || w == "Rte" || w == "Highway" || w == "Hwy" || w == "Road" || w == "Interstate" || w == "Box";
}

// A unit after a street: ", Apt 4B", " Suite 200", " #12".
std::size_t unitAfter(const Scan& s, std::size_t e) {
    std::size_t j = e;
    if (s.at(j) == ',') ++j;
    j = s.skipSpaces(j);
    if (s.at(j) == '#' && isAlnum(s.at(j + 1))) {
        ++j;
        while (isAlnum(s.at(j))) ++j;
        return j;
    }
    for (Sv u : {Sv("Apartment"), Sv("Apt"), Sv("Suite"), Sv("Ste"), Sv("Unit"), Sv("Unit #"), Sv("Fl"), Sv("Floor"),
                 Sv("Room"), Sv("Rm"), Sv("Bldg"), Sv("Lot")}) {
        std::size_t k = s.phrase(j, u);
        if (k == npos) continue;
        if (s.at(k) == '.') ++k;
        if (s.at(k) == '#') ++k;
        k = s.skipSpaces(k);
        if (s.at(k) == '#') ++k;
        const std::size_t v = k;
        while (isAlnum(s.at(k)) || (s.at(k) == '-' && isAlnum(s.at(k + 1)))) ++k;
        bool digit = false;
        for (std::size_t m = v; m < k; ++m) digit = digit || isDigit(s.t[m]);
        if (digit && k - v <= 6) return k;
    }
    return e;
}

} // namespace

std::size_t zipValueEnd(const Scan& s, std::size_t i) {
    if (s.digitsFrom(i) != 5 || (i > 0 && isDigit(s.t[i - 1]))) return i;
    std::size_t e = i + 5;
    if (s.at(e) == '-' && s.digitsFrom(e + 1) == 4) e += 5;
    return wordAt(s.t, e) ? i : e;
}

void scanStreets(Scan& s) {
    const Sv t = s.t;
    for (std::size_t i = 0; i < t.size(); ++i) {
        // P.O. Box 1234
        if (isAlpha(t[i]) && !wordBefore(t, i)) {
            for (Sv p : {Sv("P.O. Box"), Sv("P. O. Box"), Sv("PO Box"), Sv("P O Box"), Sv("P.O.Box"), Sv("Post Office Box")}) {
                const std::size_t e = s.phrase(i, p);
                if (e == npos) continue;
                std::size_t v = s.skipSpaces(e);
                if (s.at(v) == '#') ++v;
                const std::size_t n = s.digitsFrom(v);
                if (n >= 1 && n <= 7 && !wordAt(t, v + n)) s.add(i, v + n, PhiKind::Street);
                break;
            }
        }
        if (!isDigit(t[i]) || (i > 0 && (isAlnum(t[i - 1]) || t[i - 1] == '.' || t[i - 1] == '/' || t[i - 1] == '-' ||
                                         t[i - 1] == ':' || t[i - 1] == '$' || t[i - 1] == ','))) continue;
        const std::size_t n = s.digitsFrom(i);
        std::size_t j = i + n;
        if (n > 6) { i = j; continue; }
        if (isUpper(s.at(j)) && !wordAt(t, j + 1)) ++j; // 12B
        if (s.at(j) == '-' && digitAt(t, j + 1)) { j += 1; j += s.digitsFrom(j); } // 12-14
        if (s.at(j) != ' ') { i = j; continue; }
        std::size_t k = j, names = 0, capsNames = 0, end = npos, prefixEnd = npos;
        bool prefixed = false;
        for (int word = 0; word < 6; ++word) {
            const std::size_t b = s.skipSpaces(k);
            if (b == k || b - k > 2) break;
            const std::size_t e = s.wordEnd(b);
            if (e == b) break;
            const Sv w = t.substr(b, e - b);
            std::size_t we = e;
            constexpr Sv kFullWords[] = {"Lane", "Road", "Way", "Row", "Run", "Path", "Loop", "Walk", "Cove", "Bend",
                                         "Pass", "Park", "Mews", "Pike", "Oak", "Elm"};
            if (s.at(we) == '.' && w.size() <= 4 && !inList(kFullWords, w, true)) ++we; // "St.", "N."
            bool suffixCaps = w.size() >= 2;
            for (char c : w) suffixCaps = suffixCaps && isUpper(c);
            // "123 MAIN ST" or "123 Main St", not "2 ICU Dr" (capitals before a Title-case suffix).
            if (names > 0 && isSuffix(w) && (suffixCaps || capsNames < names)) {
                prefixed = false;
                end = we;
                // "Main St N", "Oak Ave NW"
                const std::size_t d = s.skipSpaces(we);
                if (d > we) {
                    const std::size_t de = s.wordEnd(d);
                    if (de > d && inSet<kDirections>(t.substr(d, de - d), true)) end = de; // a '.' after it ends the sentence
                }
            }
            if (isRouteWord(w) && s.at(e) == ' ' && digitAt(t, e + 1)) {
                const std::size_t rn = e + 1 + s.digitsFrom(e + 1);
                if (!wordAt(t, rn)) { end = rn; break; }
            }
            const bool ordinal = isDigit(w[0]) && w.size() >= 3 && w.size() <= 5 &&
                                 (ieq(w.substr(w.size() - 2), "st") || ieq(w.substr(w.size() - 2), "nd") ||
                                  ieq(w.substr(w.size() - 2), "rd") || ieq(w.substr(w.size() - 2), "th"));
            bool caps = w.size() >= 2;
            for (char c : w) caps = caps && isUpper(c);
            const bool nameLike = s.isTitleWord(b, e) || caps || ordinal || inSet<kDirections>(w, true);
            // "Paseo de Peralta", "Calle de la Luna": a particle between name words.
            if (!nameLike && names > 0 && inList(kParticles, w, true)) {
                const std::size_t nb = s.skipSpaces(e);
                if (nb == e + 1 && (s.isTitleWord(nb, s.wordEnd(nb)) || inList(kParticles, t.substr(nb, s.wordEnd(nb) - nb), true))) {
                    k = e;
                    continue;
                }
            }
            if (!nameLike) break;
            // "305 Calle Cielo", "12 Rue Lafayette": a street word before the name needs no suffix.
            // Each further name word extends it, until a suffix ends it ("Paseo de Peralta Blvd NW").
            if (word == 0 && inList(kPrefixes, w, true)) prefixed = true;
            else if (prefixed && s.isTitleWord(b, e) && end == prefixEnd) end = prefixEnd = e; // "Sol." ends a sentence
            ++names;
            capsNames += caps ? 1 : 0;
            k = we;
        }
        if (end != npos) {
            end = unitAfter(s, end);
            s.add(i, end, PhiKind::Street);
            i = end;
        } else {
            i = j;
        }
    }
}

void scanStateZips(Scan& s) {
    const Sv t = s.t;
    for (std::size_t i = 0; i < t.size(); ++i) {
        // "the 87501 ZIP code", "87501 zip": five digits named a ZIP by the word after them.
        if (isDigit(t[i]) && !wordBefore(t, i)) {
            const std::size_t ze = zipValueEnd(s, i);
            if (ze > i && s.at(ze) == ' ' &&
                (s.phrase(ze + 1, "zip") != npos || s.phrase(ze + 1, "zipcode") != npos || s.phrase(ze + 1, "postal code") != npos))
                s.add(i, ze, PhiKind::Zip);
            i += s.digitsFrom(i) - 1;
            continue;
        }
        if (!isUpper(t[i]) || wordBefore(t, i)) continue;
        const std::size_t e = s.wordEnd(i);
        const Sv w = t.substr(i, e - i);
        const bool abbr = w.size() == 2 && isUpper(w[1]) && inSet<kStates>(w, true);
        const bool full = !abbr && inSet<kStateNames>(w, true);
        if (abbr || full) {
            std::size_t v = e;
            if (s.at(v) == ',') ++v;
            v = s.skipSpaces(v);
            const std::size_t ze = v > e ? zipValueEnd(s, v) : v;
            if (ze > v) {
                // "Boise, ID 83702" / "Springfield IL 62701": a place before the state.
                std::size_t p = i;
                while (p > 0 && t[p - 1] == ' ') --p;
                bool place = full || (p > 0 && t[p - 1] == ',');
                if (!place && p < i && p > 0) {
                    std::size_t q = p;
                    while (q > 0 && (isAlpha(t[q - 1]) || isHigh(t[q - 1]))) --q;
                    place = q < p && s.isTitleWord(q, p);
                }
                if (place) s.add(v, ze, PhiKind::Zip);
            }
        }
        i = e == i ? i : e - 1;
    }
}

} // namespace caseroom::clinic::detail
