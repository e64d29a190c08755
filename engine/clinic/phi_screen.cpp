// The PHI screen (phi_screen.h): names here, every other kind in
// phi_patterns.cpp; then one sort and merge per field, and the JSON form.
//
// [1] name tables   [2] known names (the roster)   [3] name-like patterns
// [4] merge and API [5] JSON
#include "clinic/phi_screen.h"

#include "clinic/phi_scan.h"

#include <algorithm>
#include <cstdio>

namespace caseroom::clinic {
namespace {

using namespace detail;

// [1] name tables ---------------------------------------------------------------

// Common English words that a roster part may also be ("Will", "Rose"):
// a lower-case occurrence of such a part is a word, not the person.
constexpr Sv kCommonWords[] = {
    "will", "may", "rose", "hope", "faith", "grace", "joy", "mark", "bill", "art", "dawn", "june", "april", "august",
    "summer", "rich", "young", "white", "black", "brown", "green", "gray", "grey", "long", "short", "hall", "king",
    "wood", "price", "cook", "baker", "mason", "hunter", "page", "bell", "lane", "little", "strong", "rice", "sharp",
    "day", "love", "child", "field", "ward", "hill", "stone", "well", "wells", "best", "hale", "moss", "reed", "bass",
    "fox", "lee", "ray", "sky", "star", "penny", "patience", "sage", "iris", "jade"};

// Given names common in the US (compiled for this screen): a capitalised
// one followed by a capitalised word is a name pair even without a cue.
constexpr Sv kGivenNames[] = {
    "James", "John", "Robert", "Michael", "William", "David", "Richard", "Joseph", "Thomas", "Charles", "Christopher",
    "Daniel", "Matthew", "Anthony", "Donald", "Steven", "Paul", "Andrew", "Joshua", "Kenneth", "Kevin", "Brian",
    "George", "Edward", "Ronald", "Timothy", "Jason", "Jeffrey", "Ryan", "Jacob", "Gary", "Nicholas", "Eric",
    "Jonathan", "Stephen", "Larry", "Justin", "Scott", "Brandon", "Benjamin", "Samuel", "Gregory", "Frank",
    "Alexander", "Raymond", "Patrick", "Jack", "Dennis", "Jerry", "Tyler", "Aaron", "Jose", "Adam", "Henry", "Nathan",
    "Douglas", "Zachary", "Peter", "Kyle", "Walter", "Ethan", "Jeremy", "Harold", "Keith", "Roger",
    "Noah", "Gerald", "Carl", "Terry", "Sean", "Arthur", "Lawrence", "Jesse", "Dylan", "Bryan", "Joe",
    "Billy", "Bruce", "Albert", "Willie", "Gabriel", "Logan", "Alan", "Juan", "Wayne", "Roy", "Ralph",
    "Randy", "Eugene", "Vincent", "Russell", "Elijah", "Louis", "Bobby", "Philip", "Johnny", "Carlos", "Luis",
    "Miguel", "Jorge", "Pedro", "Manuel", "Ahmed", "Mohammed", "Muhammad", "Ali", "Omar", "Wei", "Hiroshi", "Raj",
    "Mary", "Patricia", "Jennifer", "Linda", "Elizabeth", "Barbara", "Susan", "Jessica", "Sarah", "Karen", "Nancy",
    "Lisa", "Betty", "Margaret", "Sandra", "Ashley", "Kimberly", "Emily", "Donna", "Michelle", "Dorothy", "Carol",
    "Amanda", "Melissa", "Deborah", "Stephanie", "Rebecca", "Sharon", "Laura", "Cynthia", "Kathleen", "Amy", "Shirley",
    "Angela", "Helen", "Anna", "Brenda", "Pamela", "Nicole", "Emma", "Samantha", "Katherine", "Christine", "Debra",
    "Rachel", "Catherine", "Carolyn", "Janet", "Ruth", "Maria", "Heather", "Diane", "Virginia", "Julie", "Joyce",
    "Victoria", "Olivia", "Kelly", "Christina", "Lauren", "Joan", "Evelyn", "Judith", "Megan", "Cheryl", "Andrea",
    "Hannah", "Martha", "Jacqueline", "Frances", "Gloria", "Ann", "Teresa", "Kathryn", "Sara", "Janice", "Jean",
    "Alice", "Doris", "Abigail", "Julia", "Judy", "Beverly", "Denise", "Marilyn", "Amber", "Danielle",
    "Rose", "Brittany", "Diana", "Natalie", "Sophia", "Alexis", "Lori", "Kayla", "Jane", "Rosa", "Carmen", "Ana",
    "Lucia", "Sofia", "Isabel", "Guadalupe", "Fatima", "Aisha", "Mei", "Yuki", "Priya", "Ellen", "Irene", "Louise",
    "Peggy", "Wanda", "Bonnie", "Tammy", "Connie", "Norma", "Lois", "Edna", "Ethel", "Thelma", "Mildred", "Agnes",
    "Harry", "Fred", "Earl", "Leonard", "Howard", "Stanley", "Leroy", "Marvin", "Clarence", "Herbert"};


// Titles before a name (case as written; "MS" and "MR" are diagnoses).
constexpr Sv kTitles[] = {"Mr", "Mrs", "Ms", "Miss", "Mx", "Dr", "Prof", "Sr", "Sra", "Srta", "MR.",
                                        "MRS.", "DR."};
// Particles inside a family name: "Ana de la Cruz", "Ludwig van Beethoven".
constexpr Sv kParticles[] = {"van", "von", "de", "da", "del", "della", "der", "di", "du", "dos", "la",
                                           "le", "bin", "al"};

// Cues after which capitalised words are a person. Strong cues ("name:")
// also take capitals ("NAME: JOHN SMITH") and a single word.
struct NameCue {
    Sv phrase;
    bool strong;
};
constexpr NameCue kNameCues[] = {
    {"patient name", true}, {"pt name", true}, {"full name", true}, {"name", true}, {"named", true},
    {"names", true}, {"called", true}, {"known as", true}, {"goes by", true}, {"aka", true}, {"a.k.a.", true},
    {"signed", true}, {"next of kin", true}, {"NOK", true}, {"emergency contact", true}, {"contact person", true},
    {"patient", false}, {"pt", false}, {"pt.", false}, {"client", false}, {"resident", false},
    {"son", false}, {"daughter", false}, {"wife", false}, {"husband", false}, {"mother", false},
    {"father", false}, {"mom", false}, {"dad", false}, {"brother", false}, {"sister", false},
    {"spouse", false}, {"partner", false}, {"grandson", false}, {"granddaughter", false}, {"grandmother", false},
    {"grandfather", false}, {"niece", false}, {"nephew", false}, {"cousin", false}, {"aunt", false},
    {"uncle", false}, {"guardian", false}, {"caregiver", false}, {"carer", false}, {"friend", false},
    {"neighbor", false}, {"neighbour", false}, {"roommate", false}, {"boyfriend", false}, {"girlfriend", false},
    {"fiancé", false}, {"employer", false}, {"coworker", false}, {"contact", false}, {"child", false},
};

// [2] known names -------------------------------------------------------------------

// A roster name split into ASCII-folded parts (non-ASCII bytes kept exact).
struct Known {
    std::vector<std::string> parts; // ASCII parts folded; a part with other UTF-8 kept exact
};

bool asciiOnly(Sv s) {
    for (char c : s)
        if (isHigh(c)) return false;
    return true;
}

std::vector<Known> prepareKnown(const ScreenContext& ctx) {
    std::vector<Known> out;
    for (const std::string& name : ctx.knownNames) {
        Known k;
        std::size_t i = 0;
        while (i < name.size()) {
            while (i < name.size() && (isSpace(name[i]) || name[i] == ',')) ++i;
            std::size_t e = i;
            while (e < name.size() && !isSpace(name[e]) && name[e] != ',') ++e;
            if (e > i) {
                const Sv raw = Sv(name).substr(i, e - i);
                std::string part = asciiOnly(raw) ? foldAscii(raw) : std::string(raw);
                while (!part.empty() && part.back() == '.') part.pop_back();
                if (!part.empty() && !inList(kTitles, part) && !ieq(part, "mrs") && !ieq(part, "dr")) k.parts.push_back(part);
            }
            i = e;
        }
        if (!k.parts.empty()) out.push_back(std::move(k));
    }
    return out;
}

std::size_t codePoints(Sv s) {
    std::size_t n = 0;
    for (std::size_t i = 0; i < s.size();) {
        const Cp c = decode(s, i);
        i += c.len;
        ++n;
    }
    return n;
}

// Words of the text as [begin, end) byte spans.
struct Word {
    std::size_t b = 0, e = 0;
};
std::vector<Word> words(const Scan& s) {
    std::vector<Word> out;
    const Sv t = s.t;
    for (std::size_t i = 0; i < t.size();) {
        if (wordAt(t, i) && !wordBefore(t, i)) {
            const std::size_t e = s.wordEnd(i);
            if (e > i) { out.push_back({i, e}); i = e; continue; }
        }
        i += isHigh(t[i]) ? decode(t, i).len : 1;
    }
    return out;
}

// Does word w (folded) equal the part p, also as "Smith's"?
bool wordIs(Sv folded, Sv p) {
    if (folded == p) return true;
    if (folded.size() == p.size() + 2 && folded.substr(0, p.size()) == p && folded.substr(p.size()) == "'s") return true;
    if (folded.size() == p.size() + 4 && folded.substr(0, p.size()) == p && folded.substr(p.size()) == "\xe2\x80\x99s")
        return true;
    return false;
}

void scanKnownNames(Scan& s, const std::vector<Word>& ws) {
    const std::vector<Known> known = prepareKnown(s.ctx);
    if (known.empty()) return;
    std::vector<std::string> folded;
    folded.reserve(ws.size());
    for (const Word& w : ws) {
        const Sv raw = s.t.substr(w.b, w.e - w.b);
        folded.push_back(asciiOnly(raw) ? foldAscii(raw) : std::string(raw));
    }
    for (std::size_t wi = 0; wi < ws.size(); ++wi) {
        const Sv fw = folded[wi];
        const bool lowerCase = isLower(s.t[ws[wi].b]);
        for (const Known& k : known) {
            // The whole name, word after word.
            if (k.parts.size() > 1 && wi + k.parts.size() <= ws.size()) {
                bool all = true;
                for (std::size_t p = 0; p < k.parts.size() && all; ++p) {
                    all = (p + 1 == k.parts.size() ? wordIs(folded[wi + p], k.parts[p]) : folded[wi + p] == k.parts[p]);
                    if (all && p > 0) { // only blanks between the words
                        for (std::size_t c = ws[wi + p - 1].e; c < ws[wi + p].b && all; ++c) all = s.t[c] == ' ';
                    }
                }
                if (all) { s.add(ws[wi].b, ws[wi + k.parts.size() - 1].e, PhiKind::Name); continue; }
            }
            // Each part of three or more letters; "rose" in lower case is a word.
            for (const std::string& p : k.parts) {
                if (codePoints(p) < 3) continue;
                if (lowerCase && inList(kCommonWords, p)) continue;
                if (wordIs(fw, p)) { s.add(ws[wi].b, ws[wi].e, PhiKind::Name); break; }
                // "Mary-Jane": each hyphenated piece.
                if (fw.find('-') != Sv::npos) {
                    std::size_t from = 0;
                    while (from <= fw.size()) {
                        std::size_t to = fw.find('-', from);
                        if (to == Sv::npos) to = fw.size();
                        if (fw.substr(from, to - from) == p) s.add(ws[wi].b + from, ws[wi].b + to, PhiKind::Name);
                        from = to + 1;
                    }
                }
            }
        }
    }
}

// [3] name-like patterns ----------------------------------------------------------

bool allCapsWord(Sv w) {
    if (w.size() < 2) return false;
    for (char c : w)
        if (!isUpper(c) && c != '\'' && c != '-') return false;
    return true;
}

// Up to three name words (initials, particles) from i; returns the end of
// the last name word, or npos when there is none.
std::size_t nameRun(const Scan& s, std::size_t i, bool capsOk, std::size_t* count = nullptr) {
    std::size_t j = i, end = npos, n = 0, full = 0;
    for (int k = 0; k < 5 && full < 3; ++k) {
        if (k > 0) {
            const std::size_t b = s.skipSpaces(j);
            if (b == j || b - j > 1) break;
            j = b;
        }
        if (s.isInitial(j)) { j += 2; ++n; continue; }
        const std::size_t e = s.wordEnd(j);
        if (e == j) break;
        const Sv w = s.t.substr(j, e - j);
        if (full > 0 && inList(kParticles, w, true)) { j = e; continue; }
        if (s.isNameWord(j, e) || (capsOk && allCapsWord(w) && !inList(kNotNames, w))) {
            j = e;
            end = e;
            ++n;
            ++full;
            continue;
        }
        break;
    }
    if (count) *count = full;
    return end;
}

void scanTitledNames(Scan& s, const std::vector<Word>& ws) {
    for (const Word& w : ws) {
        Sv tw = s.t.substr(w.b, w.e - w.b);
        std::size_t e = w.e;
        if (s.at(e) == '.') ++e;
        if (!inList(kTitles, tw, true) && !inList(kTitles, s.t.substr(w.b, e - w.b), true)) continue;
        const std::size_t n = s.skipSpaces(e);
        if (n == e) continue;
        const std::size_t end = nameRun(s, n, allCapsWord(tw));
        if (end != npos) s.add(w.b, end, PhiKind::Name);
    }
}

void scanCuedNames(Scan& s, const std::vector<Word>& ws) {
    for (const Word& w : ws) {
        for (const NameCue& c : kNameCues) {
            const std::size_t e = s.phrase(w.b, c.phrase);
            if (e == npos) continue;
            if (s.at(e) == '-' || (w.b > 0 && s.t[w.b - 1] == '-')) break; // "Child-Pugh", "step-son"
            std::size_t v = e;
            bool punct = false;
            for (int round = 0; round < 3; ++round) {
                const std::size_t before = v;
                while (v < s.t.size() && (s.t[v] == ' ' || s.t[v] == ':' || s.t[v] == ',' || s.t[v] == '-' || s.t[v] == '=')) {
                    punct = punct || s.t[v] != ' ';
                    ++v;
                }
                for (Sv filler : {Sv("is"), Sv("was"), Sv("named"), Sv("called"), Sv("name")}) {
                    const std::size_t f = s.phrase(v, filler);
                    if (f != npos) { v = f; punct = true; break; }
                }
                if (v == before) break;
            }
            if (v == e) break;
            std::size_t count = 0;
            const std::size_t end = nameRun(s, v, c.strong, &count);
            if (end == npos) break;
            // A weak cue in a heading ("Patient Education") with one word is not a name.
            const bool single = count == 1;
            if (!c.strong && single && isUpper(s.t[w.b]) && !punct &&
                !inList(kGivenNames, s.t.substr(v, s.wordEnd(v) - v), true))
                break;
            std::size_t spanEnd = end;
            // "Smith, John"
            if (single && s.at(end) == ',' && s.at(end + 1) == ' ') {
                const std::size_t f = nameRun(s, end + 2, c.strong);
                if (f != npos) spanEnd = f;
            }
            s.add(v, spanEnd, PhiKind::Name);
            break;
        }
    }
}

// A common given name followed by a capitalised family name: "Maria Lopez".
void scanGivenNamePairs(Scan& s, const std::vector<Word>& ws) {
    for (std::size_t wi = 0; wi + 1 < ws.size(); ++wi) {
        const Word& w = ws[wi];
        if (!inList(kGivenNames, s.t.substr(w.b, w.e - w.b), true)) continue;
        const std::size_t n = s.skipSpaces(w.e);
        if (n != w.e + 1) continue;
        std::size_t count = 0;
        const std::size_t end = nameRun(s, n, false, &count);
        if (end != npos && count >= 1) s.add(w.b, end, PhiKind::Name);
    }
}

// [4] merge and API -------------------------------------------------------------------

std::vector<Cand> candidates(Sv text, const ScreenContext& ctx) {
    Scan s{text, ctx, {}};
    scanPatterns(s);
    const std::vector<Word> ws = words(s);
    scanKnownNames(s, ws);
    scanTitledNames(s, ws);
    scanCuedNames(s, ws);
    scanGivenNamePairs(s, ws);
    return std::move(s.out);
}

// Same start: the longer span, then the more specific kind (cue-given
// kinds over shapes, shapes over names).
int rank(PhiKind k) {
    switch (k) {
    case PhiKind::Email: return 0;
    case PhiKind::Url: return 1;
    case PhiKind::Ssn: return 2;
    case PhiKind::Mrn: return 3;
    case PhiKind::HealthPlan: return 4;
    case PhiKind::Account: return 5;
    case PhiKind::Licence: return 6;
    case PhiKind::Vehicle: return 7;
    case PhiKind::Device: return 8;
    case PhiKind::Fax: return 9;
    case PhiKind::Phone: return 10;
    case PhiKind::Ip: return 11;
    case PhiKind::Date: return 12;
    case PhiKind::Age: return 13;
    case PhiKind::Street: return 14;
    case PhiKind::Zip: return 15;
    case PhiKind::Name: return 16;
    case PhiKind::Count: break;
    }
    return 17;
}

} // namespace

const char* toString(PhiKind k) {
    switch (k) {
    case PhiKind::Name: return "name";
    case PhiKind::Date: return "date";
    case PhiKind::Age: return "age";
    case PhiKind::Phone: return "phone";
    case PhiKind::Fax: return "fax";
    case PhiKind::Email: return "email";
    case PhiKind::Ssn: return "ssn";
    case PhiKind::Mrn: return "mrn";
    case PhiKind::HealthPlan: return "health-plan";
    case PhiKind::Account: return "account";
    case PhiKind::Licence: return "licence";
    case PhiKind::Vehicle: return "vehicle";
    case PhiKind::Device: return "device";
    case PhiKind::Url: return "url";
    case PhiKind::Ip: return "ip";
    case PhiKind::Street: return "street";
    case PhiKind::Zip: return "zip";
    case PhiKind::Count: break;
    }
    return "?";
}

std::optional<PhiKind> phiKindFromString(std::string_view s) {
    for (std::uint8_t k = 0; k < static_cast<std::uint8_t>(PhiKind::Count); ++k)
        if (s == toString(static_cast<PhiKind>(k))) return static_cast<PhiKind>(k);
    return std::nullopt;
}

std::vector<PhiFinding> screenText(std::string_view field, std::string_view text, const ScreenContext& ctx) {
    // Spans are 32-bit; a longer text is screened in its first 4 GiB only (no field is near that).
    if (text.size() > UINT32_MAX) text = text.substr(0, UINT32_MAX);
    std::vector<Cand> c = candidates(text, ctx);
    std::sort(c.begin(), c.end(), [](const Cand& a, const Cand& b) {
        if (a.begin != b.begin) return a.begin < b.begin;
        if (a.end != b.end) return a.end > b.end;
        return rank(a.kind) < rank(b.kind);
    });
    std::vector<PhiFinding> out;
    for (const Cand& x : c) {
        if (!out.empty() && x.begin < out.back().end) {
            out.back().end = std::max(out.back().end, x.end);
            continue;
        }
        out.push_back({std::string(field), x.begin, x.end, x.kind});
    }
    return out;
}

std::vector<PhiFinding> screen(std::span<const ScreenField> fields, const ScreenContext& ctx) {
    std::vector<PhiFinding> out;
    for (const ScreenField& f : fields) {
        std::vector<PhiFinding> one = screenText(f.name, f.text, ctx);
        out.insert(out.end(), std::make_move_iterator(one.begin()), std::make_move_iterator(one.end()));
    }
    return out;
}

// [5] JSON --------------------------------------------------------------------------

namespace {
// A JSON string body: quotes, backslashes and controls escaped; invalid
// UTF-8 bytes become U+FFFD so that the line stays valid JSON.
void appendJsonString(std::string& out, std::string_view s) {
    out += '"';
    for (std::size_t i = 0; i < s.size();) {
        const char c = s[i];
        const auto u = static_cast<unsigned char>(c);
        if (u >= 0x80) {
            const Cp cp = decode(s, i);
            if (cp.valid) out.append(s.substr(i, cp.len));
            else out += "\xef\xbf\xbd";
            i += cp.len;
            continue;
        }
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
            if (u < 0x20 || u == 0x7f) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\u%04x", u);
                out += buf;
            } else {
                out += c;
            }
        }
        ++i;
    }
    out += '"';
}
} // namespace

std::string findingJson(const PhiFinding& f, std::string_view fieldText, bool withText) {
    std::string out = "{\"field\":";
    appendJsonString(out, f.field);
    out += ",\"begin\":" + std::to_string(f.begin) + ",\"end\":" + std::to_string(f.end) + ",\"kind\":";
    appendJsonString(out, toString(f.kind));
    if (withText) {
        out += ",\"text\":";
        const std::size_t b = std::min<std::size_t>(f.begin, fieldText.size());
        const std::size_t e = std::min<std::size_t>(std::max<std::size_t>(f.end, b), fieldText.size());
        appendJsonString(out, fieldText.substr(b, e - b));
    }
    out += '}';
    return out;
}

} // namespace caseroom::clinic
