// The PHI screen (phi_screen.h): names here, every other kind in
// phi_patterns.cpp; then one sort and merge per field, and the JSON form.
//
// [1] name tables   [2] known names (the roster)   [3] name-like patterns
// [4] merge and API [5] JSON
#include "clinic/phi_screen.h"

#include "clinic/phi_scan.h"

#include <algorithm>
#include <cstdio>
#include <unordered_map>
#include <unordered_set>

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
    "Rachel", "Catherine", "Carolyn", "Janet", "Ruth", "Maria", "Heather", "Diane", "Julie", "Joyce",
    "Victoria", "Olivia", "Kelly", "Christina", "Lauren", "Joan", "Evelyn", "Judith", "Megan", "Cheryl", "Andrea",
    "Hannah", "Martha", "Jacqueline", "Frances", "Gloria", "Ann", "Teresa", "Kathryn", "Sara", "Janice", "Jean",
    "Alice", "Doris", "Abigail", "Julia", "Judy", "Beverly", "Denise", "Marilyn", "Amber", "Danielle",
    "Rose", "Brittany", "Diana", "Natalie", "Sophia", "Alexis", "Lori", "Kayla", "Jane", "Rosa", "Carmen", "Ana",
    "Lucia", "Sofia", "Isabel", "Guadalupe", "Fatima", "Aisha", "Mei", "Yuki", "Priya", "Ellen", "Irene", "Louise",
    "Peggy", "Wanda", "Bonnie", "Tammy", "Connie", "Norma", "Lois", "Edna", "Ethel", "Thelma", "Mildred", "Agnes",
    "Harry", "Fred", "Earl", "Leonard", "Howard", "Stanley", "Leroy", "Marvin", "Clarence", "Herbert",
    // given names that end like medical words (-al, -ic, -ion, -ary, -ment), which the subject rule would refuse
    "Bilal", "Jamal", "Kamal", "Faisal", "Iqbal", "Amal", "Vishal", "Kunal", "Dominic", "Frederic", "Ludovic",
    "Marion", "Damion", "Zachary", "Hillary", "Clement", "Chantal", "Natalia", "Hamid", "Tariq"};


// Family names common in the US (compiled for this screen), without those
// that are also common words ("Young", "White"): a capitalised word before
// one, mid-sentence, makes a name pair; so does "Surname, Given".
constexpr Sv kFamilyNames[] = {
    "Smith", "Johnson", "Williams", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez", "Hernandez",
    "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin", "Perez", "Thompson",
    "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson", "Walker", "Allen", "Scott", "Torres", "Nguyen",
    "Flores", "Adams", "Nelson", "Rivera", "Campbell", "Mitchell", "Carter", "Roberts", "Gomez", "Phillips", "Evans",
    "Turner", "Diaz", "Parker", "Cruz", "Edwards", "Collins", "Reyes", "Stewart", "Morris", "Morales", "Murphy",
    "Rogers", "Gutierrez", "Ortiz", "Morgan", "Cooper", "Peterson", "Kim", "Ramos", "Howard", "Watson",
    "Richardson", "Chavez", "Patel", "Jimenez", "Kelly", "Sanders", "Myers", "Castillo", "Mendoza", "Ruiz",
    "Hughes", "Alvarez", "Sullivan", "Fernandez", "Gonzales", "Washington", "Butler", "Simmons", "Foster",
    "Gonzalez", "Bryant", "Alexander", "Russell", "Griffin", "Hayes", "Wang", "Chen", "Zhang", "Liu", "Singh",
    "Kumar", "Shah", "Khan", "Ali", "Cohen", "Schmidt", "Mueller", "Novak", "Kowalski", "Okafor", "Okonkwo",
    "Mensah", "Tran", "Pham", "Le", "Vu", "Yamamoto", "Tanaka", "Choi", "O'Brien", "O'Connor", "Murray",
    "Kennedy", "Sullivan", "Jenkins", "Perry", "Powell", "Patterson", "Hughes", "Ross", "Henderson",
    "Coleman", "Jordan", "Graham", "Wallace", "Cole", "Owens", "Reynolds", "Fisher", "Ellis",
    "Harrison", "Gibson", "Mcdonald", "McDonald", "Marshall", "Ortega", "Delgado", "Castro", "Vargas", "Romero"};

// Titles before a name (case as written; "MS" and "MR" are diagnoses).
constexpr Sv kTitles[] = {"Mr", "Mrs", "Ms", "Miss", "Mx", "Dr", "Prof", "Sr", "Sra", "Srta", "MR.",
                          "MRS.", "DR.", "Doctor", "Professor", "Mister"};
// Particles inside a family name: "Ana de la Cruz", "Ludwig van Beethoven".
constexpr Sv kParticles[] = {"van", "von", "de", "da", "del", "della", "der", "di", "du", "dos", "la",
                                           "le", "bin", "al"};

// Cues after which capitalised words are a person. Strong cues ("name:")
// also take capitals ("NAME: JOHN SMITH") and a single word.
struct NameCue {
    Sv phrase;
    bool strong; // one capitalised word after it is a name, even at a heading's start
    bool caps;   // a form label: capitals are a name too ("NAME: JOHN SMITH")
    bool pair = false; // a companion ("seen with"): two name words, or a common given name
};
constexpr NameCue kNameCues[] = {
    {"patient name", true, true}, {"pt name", true, true}, {"full name", true, true}, {"name", true, true}, {"named", true, false},
    {"names", true, false}, {"called", false, false}, {"known as", true, false}, {"goes by", true, false}, {"aka", true, false}, {"a.k.a.", true, false},
    {"signed", false, false}, {"next of kin", true, true}, {"NOK", true, true}, {"emergency contact", true, true}, {"contact person", true, true},
    {"spoke with", true, false}, {"spoke to", true, false}, {"discussed with", true, false},
    {"seen by", true, false}, {"referred by", true, false}, {"reviewed with", true, false}, {"met with", true, false},
    {"talked to", true, false}, {"talked with", true, false}, {"accompanied by", true, false},
    {"brought in by", true, false}, {"visited by", true, false}, {"evaluated by", true, false},
    {"patient", false, false}, {"pt", false, false}, {"pt.", false, false}, {"client", false, false}, {"resident", false, false},
    {"son", true, false}, {"daughter", true, false}, {"wife", true, false}, {"husband", true, false}, {"mother", true, false},
    {"father", true, false}, {"mom", false, false}, {"dad", false, false}, {"brother", true, false}, {"sister", true, false},
    {"spouse", true, false}, {"partner", false, false}, {"grandson", true, false}, {"granddaughter", true, false}, {"grandmother", true, false},
    {"grandfather", true, false}, {"niece", true, false}, {"nephew", true, false}, {"cousin", true, false}, {"aunt", true, false},
    {"uncle", true, false}, {"guardian", true, false}, {"caregiver", true, false}, {"carer", true, false}, {"friend", false, false},
    {"neighbor", false, false}, {"neighbour", false, false}, {"roommate", false, false}, {"boyfriend", true, false}, {"girlfriend", true, false},
    {"fiancé", true, false}, {"employer", false, false}, {"coworker", false, false}, {"contact", false, false}, {"child", false, false},
    {"seen with", true, false, true}, {"here with", true, false, true}, {"came with", true, false, true},
    {"comes with", true, false, true}, {"arrived with", true, false, true}, {"lives with", true, false, true},
    {"stays with", true, false, true}, {"staying with", true, false, true}, {"along with", true, false, true},
    {"together with", true, false, true}, {"escorted by", true, false, true}, {"driven by", true, false, true},
    {"interpreted by", true, false, true}, {"translated by", true, false, true}, {"picked up by", true, false, true},
};

// Relations and belongings after a possessive name ("... Tafoya's mother").
constexpr Sv kRelations[] = {
    "mother", "father", "mom", "dad", "parents", "parent", "partner", "wife", "husband", "spouse", "son", "daughter",
    "sons", "daughters", "children", "child", "kids", "sister", "brother", "siblings", "family", "grandmother",
    "grandfather", "grandson", "granddaughter", "aunt", "uncle", "niece", "nephew", "cousin", "guardian", "caregiver",
    "boyfriend", "girlfriend", "fiancé", "fiance", "friend", "roommate", "neighbor", "neighbour", "home", "house",
    "apartment", "trailer", "car", "truck", "phone", "employer", "landlord", "sponsor", "baby", "infant", "twin",
    "relatives"};

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
                if (!part.empty() && !inSet<kTitles>(part) && !ieq(part, "mrs") && !ieq(part, "dr")) k.parts.push_back(part);
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
    // First part -> names (whole-name matches); parts of three or more letters.
    std::unordered_map<std::string, std::vector<std::size_t>> byFirst;
    std::unordered_set<std::string> parts;
    for (std::size_t k = 0; k < known.size(); ++k) {
        if (known[k].parts.size() > 1) byFirst[known[k].parts.front()].push_back(k);
        for (const std::string& p : known[k].parts)
            if (codePoints(p) >= 3 || known[k].parts.size() == 1) parts.insert(p); // a one-word name is whole
    }
    std::vector<std::string> folded;
    folded.reserve(ws.size());
    for (const Word& w : ws) {
        const Sv raw = s.t.substr(w.b, w.e - w.b);
        folded.push_back(asciiOnly(raw) ? foldAscii(raw) : std::string(raw));
    }
    auto isPart = [&](Sv key, bool lowerCase) {
        const auto it = parts.find(std::string(key));
        return it != parts.end() && !(lowerCase && inSet<kCommonWords>(key)); // "rose" in lower case is a word
    };
    for (std::size_t wi = 0; wi < ws.size(); ++wi) {
        const std::string& fw = folded[wi];
        // The whole name, word after word, only blanks between.
        bool whole = false;
        if (const auto it = byFirst.find(fw); it != byFirst.end()) {
            for (std::size_t k : it->second) {
                const auto& ps = known[k].parts;
                if (wi + ps.size() > ws.size()) continue;
                bool all = true;
                for (std::size_t p = 1; p < ps.size() && all; ++p) {
                    all = p + 1 == ps.size() ? wordIs(folded[wi + p], ps[p]) : folded[wi + p] == ps[p];
                    for (std::size_t c = ws[wi + p - 1].e; c < ws[wi + p].b && all; ++c) all = s.t[c] == ' ';
                }
                if (all) {
                    s.add(ws[wi].b, ws[wi + ps.size() - 1].e, PhiKind::Name);
                    whole = true;
                    break;
                }
            }
        }
        if (whole) continue;
        const bool lowerCase = isLower(s.t[ws[wi].b]);
        Sv key = fw;
        if (key.size() > 2 && key.substr(key.size() - 2) == "'s") key.remove_suffix(2);
        else if (key.size() > 4 && key.substr(key.size() - 4) == "\xe2\x80\x99s") key.remove_suffix(4);
        if (isPart(fw, lowerCase) || isPart(key, lowerCase)) {
            s.add(ws[wi].b, ws[wi].e, PhiKind::Name);
            continue;
        }
        // "Mary-Jane": each hyphenated piece.
        if (fw.find('-') != std::string::npos) {
            std::size_t from = 0;
            while (from <= fw.size()) {
                std::size_t to = fw.find('-', from);
                if (to == std::string::npos) to = fw.size();
                if (isPart(Sv(fw).substr(from, to - from), lowerCase)) s.add(ws[wi].b + from, ws[wi].b + to, PhiKind::Name);
                from = to + 1;
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
        if (full > 0 && inSet<kParticles>(w, true)) { j = e; continue; }
        if (s.isNameWord(j, e) || (capsOk && allCapsWord(w) && !inSet<kNotNames>(w))) {
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

// After a run of name words: does a person's verb or ", 61 yo" follow ("Elena Petrova is a ...")?
bool isSubject(const Scan& s, std::size_t after) {
    if (s.at(after) == ',' && s.at(after + 1) == ' ' && isDigit(s.at(after + 2))) return true;
    if (s.at(after) != ' ') return false;
    const std::size_t vb = after + 1, ve = s.wordEnd(vb);
    constexpr Sv kVerbs[] = {"is", "was", "has", "had", "presents", "presented", "reports", "reported", "denies",
                             "states", "returns", "returned", "came", "comes", "lives", "works", "who", "called",
                             "arrived", "agreed", "declined", "says", "said", "missed", "remains"};
    return ve > vb && inList(kVerbs, s.t.substr(vb, ve - vb), true);
}

// Medical words that are capitalised in headings ("Hepatic Encephalopathy was ...").
bool medicalWord(Sv w) {
    // Slavic family names end in -ic / -ić ("Petrovic", "Jovanović"), no medical word in -vic but "pelvic".
    if (w.size() > 5 && (ieq(w.substr(w.size() - 3), "vic") || w.substr(w.size() - 4) == "vi\xc4\x87") && !ieq(w, "pelvic"))
        return false;
    constexpr Sv kSuffixes[] = {"itis", "osis", "emia", "pathy", "ectomy", "ology", "oma", "ism", "ase", "sis",
                                "ary", "ic", "al", "ing", "ion", "ment", "ness", "ity", "ure", "ive"};
    for (Sv suf : kSuffixes)
        if (w.size() > suf.size() + 2 && ieq(w.substr(w.size() - suf.size()), suf)) return true;
    return false;
}

// Capitals as a name: every word has a vowel ("HAUGEN", not "HCV" or "HTN").
bool capsNameLike(const Scan& s, std::size_t b, std::size_t e) {
    bool vowel = false;
    for (std::size_t i = b; i <= e; ++i) {
        const char c = i < e ? s.t[i] : ' ';
        if (c == ' ' || c == ',') {
            if (!vowel && i > b && isUpper(s.t[i - 1])) return false;
            vowel = false;
            continue;
        }
        vowel = vowel || c == 'A' || c == 'E' || c == 'I' || c == 'O' || c == 'U' || c == 'Y' || !isUpper(c);
    }
    return true;
}

bool runHasMedicalWord(const Scan& s, std::size_t b, std::size_t e) {
    for (std::size_t i = b; i < e;) {
        const std::size_t we = s.wordEnd(i);
        if (we == i) { ++i; continue; }
        if (medicalWord(s.t.substr(i, we - i))) return true;
        i = we;
    }
    return false;
}

// A run ending in "'s" (or "’s"): the end of the name before it; npos if not possessive.
std::size_t possessiveBase(const Scan& s, std::size_t end) {
    if (end >= 2 && s.t.substr(end - 2, 2) == "'s") return end - 2;
    if (end >= 4 && s.t.substr(end - 4, 4) == "\xe2\x80\x99s") return end - 4;
    return npos;
}

// "Dezbah Tafoya's partner": a possessive run before a relation; the name's end, or npos.
std::size_t possessiveOfPerson(const Scan& s, std::size_t end) {
    const std::size_t base = possessiveBase(s, end);
    if (base == npos || s.at(end) != ' ') return npos;
    const std::size_t rb = end + 1, re = s.wordEnd(rb);
    return re > rb && inList(kRelations, s.t.substr(rb, re - rb), true) ? base : npos;
}

void scanTitledNames(Scan& s, const std::vector<Word>& ws) {
    for (const Word& w : ws) {
        Sv tw = s.t.substr(w.b, w.e - w.b);
        std::size_t e = w.e;
        if (s.at(e) == '.') ++e;
        if (!inSet<kTitles>(tw, true) && !inSet<kTitles>(s.t.substr(w.b, e - w.b), true)) continue;
        const std::size_t n = s.skipSpaces(e);
        if (n == e) continue;
        const std::size_t end = nameRun(s, n, allCapsWord(tw));
        if (end != npos) { s.add(w.b, end, PhiKind::Name); continue; }
        // After a title a family name may also be a street word, a month or a common word ("Mr Park", "Ms May").
        const std::size_t ne = s.wordEnd(n);
        const Sv nw = s.t.substr(n, ne - n);
        if (s.isTitleWord(n, ne) && (inSet<kStreetSuffixes>(nw, true) || inSet<kMonths>(nw) || inList(kCommonWords, nw)))
            s.add(w.b, ne, PhiKind::Name);
    }
}

void scanCuedNames(Scan& s, const std::vector<Word>& ws) {
    for (const Word& w : ws) {
        for (const NameCue& c : kNameCues) {
            if (lower(c.phrase[0]) != lower(s.t[w.b])) continue;
            const std::size_t e = s.phrase(w.b, c.phrase);
            if (e == npos) continue;
            if (s.at(e) == '-' || (w.b > 0 && s.t[w.b - 1] == '-')) break; // "Child-Pugh", "step-son"
            if (c.phrase == Sv("name") || c.phrase == Sv("names")) { // "brand name Epclusa" names a drug
                std::size_t p = w.b;
                while (p > 0 && s.t[p - 1] == ' ') --p;
                std::size_t q = p;
                while (q > 0 && isAlpha(s.t[q - 1])) --q;
                constexpr Sv kThings[] = {"brand", "generic", "drug", "trade", "program", "site", "clinic", "file",
                                          "user", "test", "medication", "product", "street", "company", "device"};
                if (q < p && inList(kThings, s.t.substr(q, p - q))) break;
            }
            std::size_t v = e;
            bool punct = false;
            for (int round = 0; round < 3; ++round) {
                const std::size_t before = v;
                while (v < s.t.size() && (s.t[v] == ' ' || s.t[v] == ':' || s.t[v] == ',' || s.t[v] == '-' || s.t[v] == '=')) {
                    punct = punct || s.t[v] != ' ';
                    ++v;
                }
                for (Sv filler : {Sv("is"), Sv("was"), Sv("named"), Sv("called"), Sv("name"), Sv("nurse practitioner"),
                                  Sv("nurse"), Sv("practitioner"), Sv("physician"), Sv("pharmacist"), Sv("doctor"),
                                  Sv("NP"), Sv("PA"), Sv("RN"), Sv("MD"), Sv("the"), Sv("her"), Sv("his"), Sv("their")}) {
                    const std::size_t f = s.phrase(v, filler);
                    if (f != npos) { v = f; punct = true; break; }
                }
                if (v == before) break;
            }
            if (v == e) break;
            // "PATIENT: HAUGEN, LIV": a cue written as a capitals form label takes capitals.
            const bool capsLabel = !c.caps && s.at(e) == ':' && allCapsWord(s.t.substr(w.b, e - w.b));
            const bool caps = c.caps || capsLabel;
            std::size_t count = 0;
            const std::size_t end = nameRun(s, v, caps, &count);
            if (end == npos) break;
            if (capsLabel && !capsNameLike(s, v, end)) break;
            if (c.pair && count < 2 && !inSet<kGivenNames>(s.t.substr(v, s.wordEnd(v) - v), true)) break;
            if (c.pair && runHasMedicalWord(s, v, end)) break; // "seen with Chronic Pancreatitis"
            // A weak cue in a heading ("Patient Education") with one word is not a name.
            const bool single = count == 1;
            if (!c.strong && isUpper(s.t[w.b]) && !punct && !(count >= 2 && isSubject(s, end)) &&
                !inSet<kGivenNames>(s.t.substr(v, s.wordEnd(v) - v), true) &&
                (single || !inSet<kFamilyNames>(s.t.substr(s.skipSpaces(s.wordEnd(v)), end - s.skipSpaces(s.wordEnd(v))), true)))
                break; // "Patient Summary Report" is a heading
            std::size_t spanEnd = end;
            // "Smith, John"
            if (single && s.at(end) == ',' && s.at(end + 1) == ' ') {
                const std::size_t f = nameRun(s, end + 2, caps);
                if (f != npos && (!capsLabel || capsNameLike(s, end + 2, f))) spanEnd = f;
            }
            if (capsLabel && count < 2 && spanEnd == end) break; // "PATIENT: HCV" is a heading
            if (const std::size_t pe = possessiveBase(s, spanEnd); pe != npos && s.at(spanEnd) == ' ') spanEnd = pe;
            s.add(v, spanEnd, PhiKind::Name);
            break;
        }
    }
}

// Lower-case words after "pt"/"patient" that act as the person ("pt ana ruiz here for f/u").
// Typed notes drop capitals; the words must not be common note words, and a
// person's predicate must follow ("here", "presents", "is a", ", 58 yo").
constexpr Sv kLowerNotNames[] = {
    "is", "was", "has", "had", "be", "been", "being", "are", "were", "will", "would", "can", "could", "should", "may",
    "might", "must", "did", "does", "do", "not", "no", "now", "still", "also", "again", "then", "today", "here", "there",
    "already", "never", "always", "often", "usually", "currently", "previously", "recently", "initially", "finally",
    "very", "much", "more", "less", "well", "better", "worse", "stable", "alert", "awake", "oriented", "comfortable",
    "afebrile", "calm", "pleasant", "anxious", "tired", "unable", "able", "willing", "unwilling", "aware", "unaware",
    "himself", "herself", "themselves", "he", "she", "they", "who", "which", "that", "this", "and", "or", "but", "with",
    "without", "for", "to", "of", "in", "on", "at", "by", "from", "as", "his", "her", "their", "its", "a", "an", "the",
    "feels", "says", "thinks", "wants", "needs", "takes", "uses", "drinks", "smokes", "lives", "works", "agrees",
    "declines", "refuses", "requests", "prefers", "tolerates", "continues", "remains", "denies", "states", "reports",
    "notes", "endorses", "admits", "describes", "complains", "presents", "returns", "comes", "came", "went", "goes",
    "got", "gets", "lost", "gained", "missed", "ran", "ate", "took", "saw", "felt", "left", "education", "pain",
    "symptoms", "history", "meds", "medications", "labs", "care", "portal", "family", "visit", "instructions", "consent",
    "goals", "plan", "blood", "pressure", "weight", "glucose", "sugar", "sugars", "adherence", "compliance", "mood",
    "sleep", "appetite", "diet", "exercise", "activity", "status", "condition", "score", "level", "levels", "count",
    "chart", "record", "list", "panel", "name", "id", "number", "age", "sex", "male", "female", "man", "woman",
    "overall", "otherwise", "generally", "clinically", "hemodynamically", "fully", "partly", "somewhat", "quite"};

bool lowerWordOk(Sv w) {
    if (w.size() < 2 || inList(kLowerNotNames, w) || inSet<kNotNames>(w)) return false;
    for (char c : w)
        if (isUpper(c) || isDigit(c)) return false;
    if (inSet<kGivenNames>(w)) return true;
    // "-ed", "-ing", "-ly" words are verbs and adverbs; clinical suffixes name conditions.
    for (Sv suf : {Sv("ed"), Sv("ing"), Sv("ly")})
        if (w.size() > suf.size() + 1 && w.substr(w.size() - suf.size()) == suf) return false;
    return !medicalWord(w);
}

void scanLowerCasedNames(Scan& s, const std::vector<Word>& ws) {
    for (std::size_t wi = 0; wi + 2 < ws.size(); ++wi) {
        const Sv cue = s.t.substr(ws[wi].b, ws[wi].e - ws[wi].b);
        if (!(cue == "pt" || cue == "patient" || cue == "Pt" || cue == "Patient")) continue;
        std::size_t k = wi + 1, end = npos;
        for (; k < ws.size() && k <= wi + 3; ++k) {
            const std::size_t gap = ws[k].b - ws[k - 1].e;
            const Sv between = s.t.substr(ws[k - 1].e, gap);
            if (!(between == " " || (k == wi + 1 && (between == ". " || between == ": " || between == " ")))) break;
            if (!lowerWordOk(s.t.substr(ws[k].b, ws[k].e - ws[k].b))) break;
            end = ws[k].e;
        }
        const std::size_t n = k - wi - 1;
        if (end == npos || n < 2) continue;
        bool predicate = s.at(end) == ',' && s.at(end + 1) == ' ' && isDigit(s.at(end + 2));
        if (!predicate && s.at(end) == ' ' && k < ws.size() && ws[k].b == end + 1) {
            const Sv p = s.t.substr(ws[k].b, ws[k].e - ws[k].b);
            constexpr Sv kPredicates[] = {"here", "presents", "presented", "returns", "returned", "comes", "came",
                                          "arrived", "seen", "reports", "states", "denies", "lives"};
            predicate = inList(kPredicates, p, true);
            if (!predicate && (p == "is" || p == "was") && k + 1 < ws.size()) {
                const Sv q = s.t.substr(ws[k + 1].b, ws[k + 1].e - ws[k + 1].b);
                predicate = (q == "a" || q == "an") && ws[k + 1].b == ws[k].e + 1;
            }
        }
        if (predicate) s.add(ws[wi + 1].b, end, PhiKind::Name);
    }
}

// Is the word at b the first of a sentence (or of a line, a field)?
bool sentenceStart(const Scan& s, std::size_t b) {
    std::size_t j = b;
    while (j > 0 && (s.t[j - 1] == ' ' || s.t[j - 1] == '\t' || s.t[j - 1] == '"' || s.t[j - 1] == '(')) --j;
    if (j == 0) return true;
    const char c = s.t[j - 1];
    return c == '.' || c == '!' || c == '?' || c == ':' || c == ';' || c == '\n' || c == '\r' || c == '-' || c == '*';
}

// Name pairs without a cue: a common given name and a capitalised word
// ("Maria Lopez"), a capitalised word mid-sentence and a common family name
// ("with Keisha Washington"), "Lopez, Maria", and an initial with a name ("J. Smith").
void scanNamePairs(Scan& s, const std::vector<Word>& ws) {
    for (std::size_t wi = 0; wi < ws.size(); ++wi) {
        const Word& w = ws[wi];
        const Sv word = s.t.substr(w.b, w.e - w.b);
        const std::size_t n = s.skipSpaces(w.e);
        const bool oneSpace = n == w.e + 1;
        if (oneSpace && inSet<kGivenNames>(word, true)) {
            std::size_t count = 0;
            const std::size_t end = nameRun(s, n, false, &count);
            if (end != npos && count >= 1) { s.add(w.b, end, PhiKind::Name); continue; }
        }
        if (oneSpace && wi + 1 < ws.size() && ws[wi + 1].b == n && s.isNameWord(w.b, w.e) && s.isNameWord(n, ws[wi + 1].e)) {
            const std::size_t after = ws[wi + 1].e;
            const bool family = inSet<kFamilyNames>(s.t.substr(n, after - n), true) && !inSet<kStateNames>(word, true);
            // At a sentence's start a capitalised word may be any word ("Suspected Wilson disease"):
            // there the pair must be the subject ("Keisha Washington is ...").
            bool subject = s.at(after) == ',';
            if (!subject && s.at(after) == ' ') {
                const std::size_t vb = after + 1, ve = s.wordEnd(vb);
                constexpr Sv kVerbs[] = {"is", "was", "has", "had", "presents", "presented", "reports", "reported",
                                         "denies", "states", "returns", "returned", "came", "comes", "lives", "works",
                                         "who", "called", "arrived", "agreed", "declined"};
                subject = ve > vb && inList(kVerbs, s.t.substr(vb, ve - vb), true);
            }
            // "Aiyana Redcloud, MD": a clinician's credential after two capitalised words.
            bool credential = false;
            if (s.at(after) == ',' && s.at(after + 1) == ' ') {
                const std::size_t cb = after + 2, ce = s.wordEnd(cb);
                constexpr Sv kCredentials[] = {"MD", "DO", "RN", "NP", "PA", "PA-C", "MSN", "FNP", "PhD", "LCSW", "DNP",
                                               "PharmD", "MPH", "CNM", "APRN", "LPN", "MBBS"};
                credential = ce > cb && inList(kCredentials, s.t.substr(cb, ce - cb), true);
            }
            if ((family && (!sentenceStart(s, w.b) || subject)) || credential) {
                s.add(w.b, after, PhiKind::Name);
                continue;
            }
        }
        // Two or three capitalised words that act as a person: "Elena Petrova is", "Tomasz Nowak, 61 yo".
        if (oneSpace && s.isNameWord(w.b, w.e) && (wi == 0 || ws[wi - 1].e < w.b - 1 || !s.isNameWord(ws[wi - 1].b, ws[wi - 1].e))) {
            std::size_t count = 0;
            const std::size_t end = nameRun(s, w.b, false, &count);
            const std::size_t possessive = end != npos && count >= 2 ? possessiveOfPerson(s, end) : npos;
            if (end != npos && count >= 2 && (isSubject(s, end) || possessive != npos)) {
                bool medical = false;
                for (std::size_t k = wi; k < ws.size() && ws[k].b < end; ++k) medical = medical || medicalWord(s.t.substr(ws[k].b, ws[k].e - ws[k].b));
                // "Uses Kwabena Asante's truck": a sentence's first word before a possessive pair is a verb.
                std::size_t from = w.b;
                if (possessive != npos && count == 3 && sentenceStart(s, w.b) && !inSet<kGivenNames>(word, true))
                    from = ws[wi + 1].b;
                if (!medical) { s.add(from, possessive != npos ? possessive : end, PhiKind::Name); continue; }
            }
        }
        // "Lopez, Maria"
        if (inSet<kFamilyNames>(word, true) && s.at(w.e) == ',' && s.at(w.e + 1) == ' ' && wi + 1 < ws.size() &&
            ws[wi + 1].b == w.e + 2 && inSet<kGivenNames>(s.t.substr(ws[wi + 1].b, ws[wi + 1].e - ws[wi + 1].b), true)) {
            s.add(w.b, ws[wi + 1].e, PhiKind::Name);
            continue;
        }
        // "J. Smith", "J. R. Smith"
        std::size_t before = w.b;
        while (before > 0 && s.t[before - 1] == ' ') --before;
        if (word.size() == 1 && isUpper(word[0]) && s.isInitial(w.b) && (before == 0 || isAlpha(s.t[before - 1]) || s.t[before - 1] == ',')) {
            const std::size_t end = nameRun(s, s.skipSpaces(w.b + 2), false);
            if (end != npos && s.skipSpaces(w.b + 2) == w.b + 3) s.add(w.b, end, PhiKind::Name);
        }
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
    scanNamePairs(s, ws);
    scanLowerCasedNames(s, ws);
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
