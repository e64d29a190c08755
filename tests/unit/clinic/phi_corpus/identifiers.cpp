// Planted identifiers: this corpus's own word lists (names, streets, cities)
// and formats, written from clinical notes and referral letters, never from
// the screener's. A context is a sentence with '@' where the value goes;
// its other text may hold clinical_text.h templates ({i:..}, {p:..}).
// [SECTION] word lists  [SECTION] helpers  [SECTION] values and contexts by kind  [SECTION] dispatch
#include "identifiers.h"

#include <array>
#include <cstdio>

#include "clinical_text.h"

namespace caseroom::clinic::phi_corpus {
namespace {

using Words = std::vector<std::string_view>;

// [SECTION] word lists
struct NameGroup {
    Words given, family;
};

const std::vector<NameGroup>& nameGroups() {
    static const std::vector<NameGroup> kGroups = {
        {{"Maria", "José", "Guadalupe", "Alejandro", "Rosa", "Ernesto", "Yolanda", "Joaquín", "Marisol", "Ramón",
          "Lupita", "Teresa", "Arturo", "Dolores", "Fidel"},
         {"Delgado", "Montoya", "Baca", "Chávez", "Gallegos", "Trujillo", "Archuleta", "Sandoval", "Vigil", "Lucero",
          "Ortiz", "Romero", "Padilla", "Maestas", "Córdova", "Martínez", "García-Montoya"}},
        {{"Shandiin", "Ahiga", "Nizhoni", "Dezbah", "Kee", "Loretta", "Darrell", "Winona", "Jolene", "Tahoma", "Elsie",
          "Lorenzo"},
         {"Begay", "Yazzie", "Tsosie", "Benally", "Nez", "Etsitty", "Manygoats", "Lente", "Naranjo", "Tafoya",
          "Two Bulls", "Yellowhorse", "Silversmith", "Runningwater", "Kinlicheenie", "Bitsui"}},
        {{"Minh", "Lan", "Thảo", "Tuấn", "Hương", "Đức", "Phương", "Linh", "Quang", "Huy"},
         {"Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Võ", "Nguyen", "Tran", "Pham", "Huynh"}},
        {{"Chukwuemeka", "Ngozi", "Adaeze", "Oluwaseun", "Babatunde", "Folake", "Ifeoma", "Emeka", "Yetunde", "Chidi"},
         {"Okafor", "Adeyemi", "Okonkwo", "Eze", "Balogun", "Nwosu", "Adebayo", "Ogunleye", "Obi", "Chukwu"}},
        {{"Kristian", "Ingrid", "Solveig", "Håkon", "Sigrid", "Bjørn", "Astrid", "Eirik", "Liv", "Torbjørn"},
         {"Haugen", "Ørsted", "Johansen", "Bakke", "Lunde", "Solberg", "Dahl", "Strand", "Kvale", "Østby"}},
        {{"Sarah", "James", "Linda", "Robert", "Fatima", "Yusuf", "Priya", "Arjun", "Wei", "Mei", "Hodan",
          "Abdirahman", "Maricel", "Jiwoo", "Siobhan"},
         {"Whitaker", "Brennan", "Holloway", "McAllister", "Haddad", "Nasser", "Raghunathan", "Patel", "Zhang", "Liu",
          "Warsame", "Dela Cruz", "Bautista", "Park", "O'Brien"}},
    };
    return kGroups;
}

const std::vector<std::string> kRoster = {
    "Siri Lindqvist", "Tomás Archibeque", "Adaora Nwachukwu", "Wendell Harjo", "Thuy Dang", "Margit Fossum",
    "Rafael Quintana", "Kateri Chee", "Olumide Fashola", "Gunnar Aasen", "Lucía Ybarra", "Bernadette Largo",
};

const Words kStreetNames = {"Cerrillos", "Agua Fria", "Alameda", "Paseo de Peralta", "Kachina", "Rio Grande",
                            "Mesa Vista", "Piñon", "Juniper", "Cottonwood", "Sandia", "Main", "Second", "Fourth",
                            "Elm", "Aspen", "Yucca", "Coal", "Central", "Lomas", "Zuni", "Menaul", "Montaño",
                            "Old Pecos", "Navajo", "Maple", "Church", "Railroad"};
const Words kStreetSuffixes = {"Rd", "Road", "St", "Street", "Ave", "Avenue", "Dr", "Drive", "Ln", "Lane", "Loop",
                               "Ct", "Blvd", "Trail", "Way", "Pl", "Cir", "St."};
const Words kDirections = {"N", "S", "E", "W", "NW", "NE", "SW", "SE", "N.", "W."};
const Words kUnits = {"Apt 4B", "Apt. 12", "Unit 7", "#3", "Trlr 14", "Space 22", "Apt 210"};

struct City {
    std::string_view name, state;
    int zipLo, zipHi;
};
const std::vector<City> kCities = {
    {"Santa Fe", "NM", 87501, 87508}, {"Gallup", "NM", 87301, 87305},  {"Farmington", "NM", 87401, 87402},
    {"Taos", "NM", 87571, 87571},     {"Española", "NM", 87532, 87533}, {"Shiprock", "NM", 87420, 87420},
    {"Las Cruces", "NM", 88001, 88012}, {"Albuquerque", "NM", 87101, 87123}, {"Chinle", "AZ", 86503, 86503},
    {"Kayenta", "AZ", 86033, 86033},   {"Window Rock", "AZ", 86515, 86515}, {"Crownpoint", "NM", 87313, 87313},
    {"Silver City", "NM", 88061, 88062}, {"Roswell", "NM", 88201, 88203}, {"Tuba City", "AZ", 86045, 86045},
};

const std::array<std::string_view, 12> kMonths = {"January", "February", "March",     "April",   "May",      "June",
                                                  "July",    "August",   "September", "October", "November", "December"};
const std::array<std::string_view, 12> kMon = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                               "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

// [SECTION] helpers
std::string_view pickW(core::Rng& rng, const Words& w) { return w[rng.below(static_cast<std::uint32_t>(w.size()))]; }

template <typename T>
const T& pickV(core::Rng& rng, const std::vector<T>& v) { return v[rng.below(static_cast<std::uint32_t>(v.size()))]; }

std::string digits(core::Rng& rng, int n) {
    std::string s;
    for (int i = 0; i < n; ++i) s += static_cast<char>('0' + rng.below(10));
    return s;
}

std::string upperLetters(core::Rng& rng, int n, bool vinSafe = false) {
    static constexpr std::string_view kAll = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    static constexpr std::string_view kVin = "ABCDEFGHJKLMNPRSTUVWXYZ";
    const std::string_view set = vinSafe ? kVin : kAll;
    std::string s;
    for (int i = 0; i < n; ++i) s += set[rng.below(static_cast<std::uint32_t>(set.size()))];
    return s;
}

std::string alnum(core::Rng& rng, int n) {
    static constexpr std::string_view kSet = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789";
    std::string s;
    for (int i = 0; i < n; ++i) s += kSet[rng.below(static_cast<std::uint32_t>(kSet.size()))];
    return s;
}

std::string pad(long long v, int width) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "%0*lld", width, v);
    return buf;
}

bool isAscii(std::string_view s) {
    for (unsigned char c : s)
        if (c >= 0x80) return false;
    return true;
}

std::string lowerAsciiLetters(std::string_view s) {
    std::string out;
    for (char c : s)
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')) out += static_cast<char>(c | 0x20);
    return out;
}

std::string upperAscii(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
    return out;
}

// A sentence from a context with one '@' for the value.
PlantSentence sentence(core::Rng& rng, std::string_view field, bool lead, std::string_view ctx, std::string value,
                       PhiKind kind, std::string shape) {
    const auto at = ctx.find('@');
    PlantSentence s;
    s.field = field;
    s.lead = lead;
    s.parts.push_back({expand(rng, ctx.substr(0, at)), std::nullopt, {}});
    s.parts.push_back({std::move(value), kind, std::move(shape)});
    std::string after = expand(rng, ctx.substr(at + 1));
    // A value that ends its context ends a sentence too (or a line, as in a header).
    if (after.empty()) after = rng.chance(0.5) ? "." : ";";
    s.parts.push_back({std::move(after), std::nullopt, {}});
    return s;
}

struct Context {
    std::string_view field;
    bool lead;
    std::string_view text;
};

PlantSentence inContext(core::Rng& rng, const std::vector<Context>& ctxs, std::string value, PhiKind kind, std::string shape) {
    const Context& c = pickV(rng, ctxs);
    return sentence(rng, c.field, c.lead, c.text, std::move(value), kind, std::move(shape));
}

// [SECTION] values and contexts by kind
struct Person {
    std::string given, family;
    bool vietnamese = false;
};

Person person(core::Rng& rng, bool asciiOnly = false) {
    for (;;) {
        const auto& groups = nameGroups();
        const std::size_t gi = rng.below(static_cast<std::uint32_t>(groups.size()));
        const NameGroup& g = groups[gi];
        Person p{std::string(pickW(rng, g.given)), std::string(pickW(rng, g.family)), gi == 2};
        if (!asciiOnly || (isAscii(p.given) && isAscii(p.family))) return p;
    }
}

PlantSentence name(core::Rng& rng) {
    using K = PhiKind;
    const std::uint32_t form = rng.below(20);
    const Person p = person(rng, form == 4 || form == 15);
    const std::string full = p.given + " " + p.family;
    static const Words kTitles = {"Mr.", "Mrs.", "Ms.", "Mr", "Mrs", "Miss"};
    switch (form) {
    case 0:
        if (rng.chance(0.35)) {
            // A referral letter's header line: name, date of birth and record number together.
            PlantSentence s;
            s.field = kFieldHistory;
            s.lead = true;
            const std::string dob = pad(rng.range(1, 12), 2) + "/" + pad(rng.range(1, 28), 2) + "/" + std::to_string(rng.range(1935, 2004));
            s.parts = {{rng.chance(0.5) ? "Pt: " : "Patient: ", std::nullopt, {}}, {full, K::Name, "name header line G F"},
                       {", DOB ", std::nullopt, {}}, {dob, K::Date, "date mm/dd/yyyy in header line"},
                       {rng.chance(0.5) ? ", MRN " : ", MRN: ", std::nullopt, {}}, {digits(rng, 8), K::Mrn, "mrn dddddddd in header line"},
                       {".", std::nullopt, {}}};
            return s;
        }
        return inContext(rng, {{kFieldHistory, true, "Pt: @."}, {kFieldHistory, true, "Pt: @, seen for follow-up."}}, full, K::Name, "name cue 'Pt:' G F");
    case 1: return inContext(rng, {{kFieldHistory, true, "Patient: @, {AGE}."}, {kFieldChiefComplaint, true, "Patient: @."}}, full, K::Name, "name cue 'Patient:' G F");
    case 2: return inContext(rng, {{kFieldHistory, true, "Name: @."}, {kFieldChiefComplaint, true, "Name: @ -"}}, p.family + ", " + p.given, K::Name, "name cue 'Name:' F, G");
    case 3: return inContext(rng, {{kFieldHistory, true, "Patient name: @."}}, full, K::Name, "name cue 'Patient name:' G F");
    case 4: return inContext(rng, {{kFieldChiefComplaint, true, "PATIENT: @"}, {kFieldHistory, true, "PT NAME: @."}}, upperAscii(p.family + ", " + p.given), K::Name, "name caps F, G");
    case 5: case 6: {
        static const Words kTitled = {"T @ reports worsening fatigue since the last visit.", "T @ was started on treatment and tolerated it well.",
                                      "Would you treat T @ now or wait?", "T @ lives alone and drives to clinic."};
        const std::uint32_t i = rng.below(static_cast<std::uint32_t>(kTitled.size()));
        std::string ctx(kTitled[i]);
        ctx.replace(ctx.find("T @"), 1, pickW(rng, kTitles));
        return sentence(rng, i == 2 ? kFieldQuestion : i == 3 ? kFieldSocial : kFieldHistory, false, ctx, p.family, K::Name, "name title+family");
    }
    case 7: {
        PlantSentence s = inContext(rng, {{kFieldHistory, false, "@ was seen at the spoke clinic."},
                                          {kFieldSocial, false, "@ works nights and sleeps poorly."}},
                                    full, K::Name, "name title+G F");
        s.parts[0].text = std::string(pickW(rng, kTitles)) + " " + s.parts[0].text;
        return s;
    }
    case 8: return inContext(rng, {{kFieldHistory, false, "Spoke with patient @ about the plan."}, {kFieldHistory, false, "Met with patient @ and her family."}}, full, K::Name, "name cue 'patient' G F");
    case 9: return inContext(rng, {{kFieldHistory, true, "@ is a {i:20-85}-year-old {p:man|woman} followed for {p:HCV|diabetes|OUD|HIV}."}, {kFieldHistory, true, "@ returns after missing two visits."}}, full, K::Name, "name sentence-initial G F");
    case 10: return inContext(rng, {{kFieldSocial, false, "Her daughter @ manages her medications."}, {kFieldSocial, false, "His wife, @, drives him to clinic."}, {kFieldSocial, false, "Lives with her brother @."}}, full, K::Name, "name relative G F");
    case 11: return inContext(rng, {{kFieldSocial, false, "Daughter @ helps with the pill boxes."}, {kFieldSocial, false, "His son @ picks up the medications."}}, p.given, K::Name, "name relative given only");
    case 12: return inContext(rng, {{kFieldHistory, false, "@'s mother also has hepatitis C."}, {kFieldSocial, false, "@'s partner attends visits."}}, full, K::Name, "name possessive G F");
    case 13: {
        const char mid = static_cast<char>('A' + rng.below(26));
        return inContext(rng, {{kFieldHistory, true, "Pt: @."}, {kFieldChiefComplaint, true, "Patient: @"}}, p.given + " " + mid + ". " + p.family, K::Name, "name cue G M. F");
    }
    case 14:
        if (p.vietnamese) {
            static const Words kMiddle = {"Thị", "Văn", "Minh", "Thi", "Van"};
            return inContext(rng, {{kFieldHistory, true, "Pt: @."}, {kFieldHistory, false, "Patient @ was seen with an interpreter."}},
                             p.family + " " + std::string(pickW(rng, kMiddle)) + " " + p.given, K::Name, "name F M G (Vietnamese order)");
        }
        return inContext(rng, {{kFieldHistory, false, "Seen with @ from the community health representative programme."}}, full, K::Name, "name uncued G F");
    case 15: return inContext(rng, {{kFieldHistory, true, "pt @ here for f/u."}}, lowerAsciiLetters(p.given) + " " + lowerAsciiLetters(p.family), K::Name, "name lowercase g f");
    case 16: {
        const std::string& r = pickV(rng, kRoster);
        return inContext(rng, {{kFieldQuestion, false, "Discussed with Dr. @ at the hub."}, {kFieldHistory, false, "Seen by Dr. @ last year."}}, r.substr(r.find(' ') + 1), K::Name, "name roster Dr. family");
    }
    case 17: {
        const std::string& r = pickV(rng, kRoster);
        return inContext(rng, {{kFieldQuestion, false, "Presented by @, {p:NP|RN|PA-C|MD} at the spoke site."}, {kFieldHistory, false, "Case entered by @."}}, r, K::Name, "name roster G F uncued");
    }
    case 18: return inContext(rng, {{kFieldHistory, false, "Outside cardiologist Dr. @ recommended a beta blocker."}, {kFieldHistory, false, "Referred by Dr. @ in primary care."}}, p.family, K::Name, "name Dr. family (not roster)");
    default: return inContext(rng, {{kFieldHistory, false, "Accompanied by @, her caregiver."}, {kFieldSocial, false, "Emergency contact: @ (niece)."}}, full, K::Name, "name cue relative/contact G F");
    }
}

struct Ymd {
    int y, m, d;
};

Ymd randomDate(core::Rng& rng, int yLo, int yHi) {
    static constexpr std::array<int, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const int m = static_cast<int>(rng.range(1, 12));
    return {static_cast<int>(rng.range(yLo, yHi)), m, static_cast<int>(rng.range(1, kDays[static_cast<std::size_t>(m - 1)]))};
}

std::string ordinal(int d) {
    const char* suf = (d % 10 == 1 && d != 11) ? "st" : (d % 10 == 2 && d != 12) ? "nd" : (d % 10 == 3 && d != 13) ? "rd" : "th";
    return std::to_string(d) + suf;
}

PlantSentence date(core::Rng& rng) {
    const bool birth = rng.chance(0.35);
    const Ymd t = birth ? randomDate(rng, 1930, 2004) : randomDate(rng, 2015, 2026);
    const auto mi = static_cast<std::size_t>(t.m - 1);
    const std::string yyyy = std::to_string(t.y);
    std::string v, shape;
    bool monthYear = false, noYear = false;
    switch (rng.below(16)) {
    case 0: case 1: v = pad(t.m, 2) + "/" + pad(t.d, 2) + "/" + yyyy; shape = "mm/dd/yyyy"; break;
    case 2: v = std::to_string(t.m) + "/" + std::to_string(t.d) + "/" + yyyy; shape = "m/d/yyyy"; break;
    case 3: v = std::to_string(t.m) + "/" + std::to_string(t.d) + "/" + pad(t.y % 100, 2); shape = "m/d/yy"; break;
    case 4: case 5: v = std::string(kMonths[mi]) + " " + std::to_string(t.d) + ", " + yyyy; shape = "Month d, yyyy"; break;
    case 6: v = std::string(kMon[mi]) + (mi != 4 && rng.chance(0.5) ? ". " : " ") + std::to_string(t.d) + ", " + yyyy; shape = "Mon d, yyyy"; break;  // "May" has no abbreviation point
    case 7: v = std::to_string(t.d) + " " + std::string(kMonths[mi]) + " " + yyyy; shape = "d Month yyyy"; break;
    case 8: v = pad(t.d, 2) + "-" + (rng.chance(0.5) ? std::string(kMon[mi]) : upperAscii(kMon[mi])) + "-" + yyyy; shape = "dd-Mon-yyyy"; break;
    case 9: v = yyyy + "-" + pad(t.m, 2) + "-" + pad(t.d, 2); shape = "yyyy-mm-dd"; break;
    case 10: v = pad(t.d, 2) + "." + pad(t.m, 2) + "." + yyyy; shape = "dd.mm.yyyy"; break;
    case 11: v = pad(t.m, 2) + "-" + pad(t.d, 2) + "-" + yyyy; shape = "mm-dd-yyyy"; break;
    case 12: v = std::string(kMonths[mi]) + " " + std::to_string(t.d); shape = "Month d (no year)"; noYear = true; break;
    case 13: v = std::string(kMonths[mi]) + " " + ordinal(t.d); shape = "Month dth (no year)"; noYear = true; break;
    case 14: v = std::string(kMonths[mi]) + " " + yyyy; shape = "Month yyyy"; monthYear = true; break;
    default: v = pad(t.m, 2) + "/" + yyyy; shape = "mm/yyyy"; monthYear = true; break;
    }
    shape = "date " + shape;
    if (monthYear) {
        return inContext(rng, {{kFieldHistory, false, "Diagnosed in @."}, {kFieldHistory, false, "Liver biopsy @ showed F{i:1-4}."},
                               {kFieldHistory, false, "Last colonoscopy @, normal."}, {kFieldSocial, false, "Moved back home in @."}},
                         v, PhiKind::Date, shape);
    }
    if (birth && !noYear) {
        return inContext(rng, {{kFieldHistory, true, "DOB @."}, {kFieldHistory, true, "DOB: @"}, {kFieldHistory, true, "D.O.B. @;"},
                               {kFieldChiefComplaint, true, "Date of birth: @."}, {kFieldHistory, false, "Born @ at home."}},
                         v, PhiKind::Date, shape);
    }
    return inContext(rng, {{kFieldHistory, false, "Seen in clinic on @ for follow-up."},
                           {kFieldHistory, false, "Admitted @ with {p:variceal bleeding|cellulitis|DKA|pneumonia|an overdose}."},
                           {kFieldHistory, false, "Liver biopsy on @ showed F{i:1-4}."},
                           {kFieldLabs, true, "Labs drawn @:"},
                           {kFieldLabs, true, "Collected @."},
                           {kFieldMedications, false, "Started {p:sofosbuvir/velpatasvir|buprenorphine|insulin glargine|dolutegravir} on @."},
                           {kFieldHistory, false, "Last ED visit @."},
                           {kFieldQuestion, false, "We could present again on @ if needed."},
                           {kFieldHistory, false, "Discharged on @ to home."},
                           {kFieldSocial, false, "Released from jail on @."}},
                     v, PhiKind::Date, shape);
}

PlantSentence age(core::Rng& rng) {
    const std::string n = std::to_string(rng.range(90, 104));
    if (rng.chance(0.6)) {
        static const std::array<std::pair<const char*, const char*>, 6> kForms = {{
            {"-year-old", "NN-year-old"}, {" yo", "NN yo"}, {" y/o", "NN y/o"}, {"yo", "NNyo"}, {" y.o.", "NN y.o."}, {" year old", "NN year old"}}};
        const auto& f = kForms[rng.below(kForms.size())];
        PlantSentence s = inContext(rng, {{kFieldChiefComplaint, true, "@ {p:woman|man|F|M} with {p:dementia|recurrent falls|heart failure|chronic HCV|CKD stage 4}."},
                                          {kFieldChiefComplaint, true, "A @ {p:woman|man} referred for {p:memory loss|weight loss|pain control}."}},
                                    n + f.first, PhiKind::Age, std::string("age ") + f.second);
        s.replaces = true;
        return s;
    }
    static const std::array<std::pair<const char*, const char*>, 6> kForms = {{
        {"aged ", "aged NN"}, {"age ", "age NN"}, {"age: ", "age: NN"}, {"Age ", "Age NN"}, {"", "NN years old"}, {"", "NN years of age"}}};
    const auto i = rng.below(kForms.size());
    const auto& f = kForms[i];
    const std::string v = i == 4 ? n + " years old" : i == 5 ? n + " years of age" : f.first + n;
    return inContext(rng, {{kFieldSocial, false, "She is @ and still lives alone."}, {kFieldHistory, false, "Patient @, frail, uses a walker."},
                           {kFieldHistory, false, "Now @, stopped driving last year."}},
                     v, PhiKind::Age, std::string("age ") + f.second);
}

std::string phoneNumber(core::Rng& rng, std::string& shape) {
    static const Words kAreas = {"505", "575", "928", "520", "602", "303", "720", "907", "415"};
    const std::string a(pickW(rng, kAreas));
    const std::string e = std::to_string(rng.range(2, 9)) + digits(rng, 2);
    const std::string x = rng.chance(0.3) ? "01" + digits(rng, 2) : digits(rng, 4);
    const std::string ex = rng.chance(0.3) ? "555" : e;
    switch (rng.below(11)) {
    case 0: case 1: shape = "(ddd) ddd-dddd"; return "(" + a + ") " + ex + "-" + x;
    case 2: shape = "(ddd)ddd-dddd"; return "(" + a + ")" + ex + "-" + x;
    case 3: case 4: shape = "ddd-ddd-dddd"; return a + "-" + ex + "-" + x;
    case 5: shape = "ddd.ddd.dddd"; return a + "." + ex + "." + x;
    case 6: shape = "ddd ddd dddd"; return a + " " + ex + " " + x;
    case 7: shape = "+1 ddd ddd dddd"; return "+1 " + a + " " + ex + " " + x;
    case 8: shape = "1-ddd-ddd-dddd"; return "1-" + a + "-" + ex + "-" + x;
    case 9: shape = "dddddddddd"; return a + ex + x;
    default: shape = "ddd-ddd-dddd xNNN"; return a + "-" + ex + "-" + x + " x" + digits(rng, 3);
    }
}

PlantSentence phone(core::Rng& rng) {
    std::string shape;
    std::string v = phoneNumber(rng, shape);
    return inContext(rng, {{kFieldSocial, false, "Daughter's cell @."}, {kFieldSocial, false, "Best reached at @ after 5 pm."},
                           {kFieldSocial, false, "Call @ to confirm the ride."}, {kFieldSocial, false, "Home phone: @ (landline only)."},
                           {kFieldHistory, true, "Ph: @."}, {kFieldQuestion, false, "Please call the spoke back at @ with recommendations."},
                           {kFieldSocial, false, "Mobile @."}, {kFieldSocial, false, "Tel. @"}, {kFieldHistory, false, "Pharmacy phone @ for refills."},
                           {kFieldSocial, false, "phone @"}},
                     std::move(v), PhiKind::Phone, "phone " + shape);
}

PlantSentence fax(core::Rng& rng) {
    std::string shape;
    std::string v = phoneNumber(rng, shape);
    return inContext(rng, {{kFieldQuestion, false, "Please fax recommendations to @."}, {kFieldQuestion, false, "Fax: @"},
                           {kFieldQuestion, false, "fax @ (attn: care coordinator)."}, {kFieldHistory, false, "Outside records faxed from @."},
                           {kFieldQuestion, false, "Fax no. @"}, {kFieldQuestion, false, "FAX @"}, {kFieldLabs, true, "Results faxed to @."}},
                     std::move(v), PhiKind::Fax, "fax " + shape);
}

PlantSentence email(core::Rng& rng) {
    const Person p = person(rng, true);
    const std::string g = lowerAsciiLetters(p.given), f = lowerAsciiLetters(p.family);
    std::string v, shape;
    switch (rng.below(6)) {
    case 0: v = g + "." + f + "@gmail.com"; shape = "g.f@host"; break;
    case 1: v = g.substr(0, 1) + f + digits(rng, 2) + "@yahoo.com"; shape = "gfNN@host"; break;
    case 2: v = g + "_" + f + digits(rng, 3) + "@hotmail.com"; shape = "g_fNNN@host"; break;
    case 3: v = f + "." + g + "@clinic.example.org"; shape = "f.g@sub.host"; break;
    case 4: v = g + f + "@outlook.com"; shape = "gf@host"; break;
    default: v = p.given + "." + lowerAsciiLetters(p.family) + "@Example.net"; shape = "G.f@Host (mixed case)"; break;
    }
    return inContext(rng, {{kFieldSocial, false, "Prefers e-mail: @."}, {kFieldSocial, false, "Contact email @"},
                           {kFieldSocial, false, "Daughter's email is @."}, {kFieldQuestion, false, "Send the recommendations to @."},
                           {kFieldSocial, false, "email @"}, {kFieldHistory, false, "Outside records came from <@>."}},
                     std::move(v), PhiKind::Email, "email " + shape);
}

PlantSentence ssn(core::Rng& rng) {
    long long area = rng.range(1, 665);
    const std::string a = pad(area, 3), g = pad(rng.range(1, 99), 2), s = pad(rng.range(1, 9999), 4);
    std::string v, shape;
    switch (rng.below(4)) {
    case 0: case 1: v = a + "-" + g + "-" + s; shape = "ddd-dd-dddd"; break;
    case 2: v = a + " " + g + " " + s; shape = "ddd dd dddd"; break;
    default: v = a + g + s; shape = "ddddddddd"; break;
    }
    return inContext(rng, {{kFieldHistory, true, "SSN @."}, {kFieldHistory, true, "SSN: @"}, {kFieldHistory, true, "SS# @"},
                           {kFieldSocial, false, "Social Security No. @ on the disability form."},
                           {kFieldSocial, false, "Applying for disability; social security number @."}},
                     std::move(v), PhiKind::Ssn, "ssn " + shape);
}

PlantSentence mrn(core::Rng& rng) {
    std::string v, shape;
    switch (rng.below(6)) {
    case 0: case 1: { const int n = static_cast<int>(rng.range(6, 10)); v = "00" + digits(rng, n - 2); shape = "00dddddd"; break; }
    case 2: v = std::to_string(rng.range(1, 9)) + digits(rng, static_cast<int>(rng.range(5, 8))); shape = "d{6-9} bare"; break;
    case 3: v = upperLetters(rng, 1) + digits(rng, 7); shape = "Adddddddd"; break;
    case 4: v = digits(rng, 2) + "-" + digits(rng, 5); shape = "dd-ddddd"; break;
    default: v = "H" + digits(rng, 7); shape = "Hddddddd"; break;
    }
    return inContext(rng, {{kFieldHistory, true, "MRN: @."}, {kFieldHistory, true, "MRN @"}, {kFieldHistory, true, "MRN#: @"},
                           {kFieldHistory, true, "MR# @"}, {kFieldChiefComplaint, true, "Med Rec # @ -"},
                           {kFieldHistory, false, "Outside medical record number @."}, {kFieldLabs, true, "Chart #@:"},
                           {kFieldLabs, true, "Labs under MRN @:"}, {kFieldHistory, true, "Hospital No. @."}},
                     std::move(v), PhiKind::Mrn, "mrn " + shape);
}

PlantSentence healthPlan(core::Rng& rng) {
    std::string v, shape, ctx;
    switch (rng.below(7)) {
    case 0: v = "NM" + digits(rng, 7); shape = "Medicaid NMddddddd"; ctx = "Insurance: Medicaid ID @."; break;
    case 1: v = digits(rng, 10); shape = "Medicaid dddddddddd"; ctx = "Medicaid # @"; break;
    case 2: {
        static constexpr std::string_view kL = "ACDEFGHJKMNPQRTUVWXY";
        auto L = [&] { return std::string(1, kL[rng.below(static_cast<std::uint32_t>(kL.size()))]); };
        auto A = [&] { return rng.chance(0.5) ? L() : digits(rng, 1); };
        const std::string p1 = std::to_string(rng.range(1, 9)) + L() + A() + digits(rng, 1);
        const std::string p2 = L() + A() + digits(rng, 1), p3 = L() + L() + digits(rng, 2);
        const bool dashed = rng.chance(0.5);
        v = dashed ? p1 + "-" + p2 + "-" + p3 : p1 + p2 + p3;
        shape = dashed ? "Medicare MBI dashed" : "Medicare MBI";
        ctx = rng.chance(0.5) ? "Medicare MBI @." : "Medicare number @";
        break;
    }
    case 3: v = upperLetters(rng, 3) + digits(rng, 9); shape = "member ID AAAddddddddd"; ctx = rng.chance(0.5) ? "BCBS member ID @." : "Member ID: @"; break;
    case 4: v = "W" + digits(rng, 8); shape = "insurance ID Wdddddddd"; ctx = "Insurance ID: @"; break;
    case 5: v = digits(rng, 4) + "-" + digits(rng, 4) + "-" + digits(rng, 2); shape = "policy dddd-dddd-dd"; ctx = "Policy number @."; break;
    default: v = digits(rng, 9); shape = "subscriber ddddddddd"; ctx = rng.chance(0.5) ? "Centennial Care ID @." : "Subscriber ID @"; break;
    }
    return sentence(rng, kFieldSocial, false, ctx, std::move(v), PhiKind::HealthPlan, "health plan " + shape);
}

PlantSentence account(core::Rng& rng) {
    std::string v, shape;
    switch (rng.below(5)) {
    case 0: v = digits(rng, 8); shape = "dddddddd"; break;
    case 1: v = digits(rng, 4) + "-" + digits(rng, 4) + "-" + digits(rng, 2); shape = "dddd-dddd-dd"; break;
    case 2: v = std::to_string(rng.range(1, 9)) + digits(rng, 6); shape = "ddddddd"; break;
    case 3: v = "PA-" + digits(rng, 7); shape = "PA-ddddddd"; break;
    default: v = "000" + digits(rng, 7); shape = "000ddddddd"; break;
    }
    return inContext(rng, {{kFieldSocial, false, "Billing account #@."}, {kFieldSocial, false, "Acct no. @"}, {kFieldSocial, false, "Account: @"},
                           {kFieldSocial, false, "Patient account number @."}, {kFieldSocial, false, "Hospital account @ has an unpaid balance."},
                           {kFieldHistory, true, "Acct # @"}},
                     std::move(v), PhiKind::Account, "account " + shape);
}

PlantSentence licence(core::Rng& rng) {
    std::string v, shape;
    switch (rng.below(5)) {
    case 0: v = upperLetters(rng, 1) + digits(rng, 7); shape = "Adddddddd"; break;
    case 1: v = digits(rng, 9); shape = "ddddddddd"; break;
    case 2: v = upperLetters(rng, 1) + digits(rng, 3) + "-" + digits(rng, 4) + "-" + digits(rng, 4); shape = "Addd-dddd-dddd"; break;
    case 3: v = "R-" + digits(rng, 5); shape = "R-ddddd"; break;
    default: v = upperLetters(rng, 2) + digits(rng, 6); shape = "AAdddddd"; break;
    }
    return inContext(rng, {{kFieldSocial, false, "ID on file: NM driver's license @."}, {kFieldSocial, false, "Driver's licence @ suspended after a DUI."},
                           {kFieldSocial, false, "DL# @"}, {kFieldHistory, true, "DL @"}, {kFieldSocial, false, "Drives a truck for work, CDL # @."},
                           {kFieldSocial, false, "State ID card @."}, {kFieldSocial, false, "Works as a nurse, license #@."}},
                     std::move(v), PhiKind::Licence, "licence " + shape);
}

std::string vin(core::Rng& rng) {
    // 17 characters without I, O, Q; position 9 is the North American check digit.
    std::string v = std::to_string(rng.range(1, 5)) + upperLetters(rng, 2, true) + alnum(rng, 5) + "0" + alnum(rng, 2) + digits(rng, 6);
    auto value = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        static constexpr std::string_view kMap = "ABCDEFGHJKLMNPRSTUVWXYZ";
        static constexpr std::array<int, 23> kVal = {1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 7, 9, 2, 3, 4, 5, 6, 7, 8, 9};
        return kVal[kMap.find(c)];
    };
    static constexpr std::array<int, 17> kWeight = {8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2};
    int sum = 0;
    for (std::size_t i = 0; i < 17; ++i) sum += value(v[i]) * kWeight[i];
    v[8] = sum % 11 == 10 ? 'X' : static_cast<char>('0' + sum % 11);
    return v;
}

PlantSentence vehicle(core::Rng& rng) {
    if (rng.chance(0.5)) {
        return inContext(rng, {{kFieldHistory, false, "VIN @ on the accident report."}, {kFieldHistory, false, "VIN: @"},
                               {kFieldSocial, false, "Insurance claim lists vehicle identification number @."}, {kFieldSocial, false, "VIN# @"}},
                         vin(rng), PhiKind::Vehicle, "vehicle VIN");
    }
    std::string v, shape;
    switch (rng.below(5)) {
    case 0: v = std::to_string(rng.range(1, 9)) + upperLetters(rng, 3) + digits(rng, 3); shape = "dAAAddd"; break;
    case 1: v = upperLetters(rng, 3) + "-" + digits(rng, 4); shape = "AAA-dddd"; break;
    case 2: v = upperLetters(rng, 3) + " " + digits(rng, 3); shape = "AAA ddd"; break;
    case 3: v = digits(rng, 3) + "-" + upperLetters(rng, 3); shape = "ddd-AAA"; break;
    default: v = std::to_string(rng.range(1, 9)) + upperLetters(rng, 3) + digits(rng, 3); shape = "dAAAddd"; break;
    }
    return inContext(rng, {{kFieldHistory, false, "MVC in {year}; her truck, plate @, was totaled."}, {kFieldHistory, false, "License plate @ recorded by police."},
                           {kFieldSocial, false, "Car plate # @ for the parking pass."}, {kFieldSocial, false, "Tag @ noted on the parking pass."},
                           {kFieldSocial, false, "Sleeps in his car (plates @)."}},
                     std::move(v), PhiKind::Vehicle, "vehicle plate " + shape);
}

PlantSentence device(core::Rng& rng) {
    std::string v, shape;
    switch (rng.below(7)) {
    case 0: v = upperLetters(rng, 3) + digits(rng, 6); shape = "AAAdddddd"; break;
    case 1: v = digits(rng, 4) + "-" + digits(rng, 4); shape = "dddd-dddd"; break;
    case 2: v = upperLetters(rng, 2) + digits(rng, 7); shape = "AAddddddd"; break;
    case 3: v = digits(rng, 1) + alnum(rng, 5); shape = "alnum6"; break;
    case 4: v = digits(rng, 8); shape = "dddddddd"; break;
    case 5: v = upperLetters(rng, 1) + digits(rng, 2) + "-" + digits(rng, 5); shape = "Add-ddddd"; break;
    default: v = upperLetters(rng, 3) + digits(rng, 6) + upperLetters(rng, 1); shape = "AAAddddddA"; break;
    }
    return inContext(rng, {{kFieldHistory, false, "Pacemaker serial @, last interrogated 6 months ago."}, {kFieldMedications, false, "Insulin pump S/N @."},
                           {kFieldHistory, false, "ICD serial number @."}, {kFieldMedications, false, "CGM transmitter SN @."},
                           {kFieldHistory, false, "Device SN: @"}, {kFieldHistory, false, "Implant serial #@ per the op note."},
                           {kFieldHistory, false, "Hearing aid serial no. @."}, {kFieldHistory, false, "Spinal cord stimulator, serial @."}},
                     std::move(v), PhiKind::Device, "device " + shape);
}

PlantSentence url(core::Rng& rng) {
    const Person p = person(rng, true);
    const std::string g = lowerAsciiLetters(p.given), f = lowerAsciiLetters(p.family);
    std::string v, shape;
    switch (rng.below(7)) {
    case 0: v = "http://portal.example.org/pt/" + digits(rng, 4); shape = "http://host/path/n"; break;
    case 1: v = "https://mychart.example.com/patient?id=" + digits(rng, 5); shape = "https://host/path?q"; break;
    case 2: v = "www.caringbridge.org/visit/" + g + f; shape = "www.host/path"; break;
    case 3: v = "facebook.com/" + g + "." + f + "." + digits(rng, 2); shape = "host.tld/path (no scheme)"; break;
    case 4: v = "https://www.gofundme.com/f/help-" + g + "-" + f; shape = "https://www.host/path"; break;
    case 5: v = "https://telehealth.example.net/room/" + alnum(rng, 8); shape = "https://host/path/token"; break;
    default: v = "http://images.example.org/share/" + alnum(rng, 10); shape = "http://host/path/token"; break;
    }
    return inContext(rng, {{kFieldSocial, false, "Patient portal: @"}, {kFieldSocial, false, "Family posts updates at @."},
                           {kFieldHistory, false, "Outside images uploaded to @ for review."}, {kFieldQuestion, false, "See @ for the outside records."},
                           {kFieldSocial, false, "Fundraiser page @"}},
                     std::move(v), PhiKind::Url, "url " + shape);
}

PlantSentence ip(core::Rng& rng) {
    auto o = [&](int lo, int hi) { return std::to_string(rng.range(lo, hi)); };
    std::string v, shape;
    switch (rng.below(7)) {
    case 0: v = "10." + o(0, 255) + "." + o(0, 255) + "." + o(1, 254); shape = "10.x.x.x"; break;
    case 1: v = "192.168." + o(0, 255) + "." + o(1, 254); shape = "192.168.x.x"; break;
    case 2: v = "172." + o(16, 31) + "." + o(0, 255) + "." + o(1, 254); shape = "172.16-31.x.x"; break;
    case 3: v = "203.0.113." + o(1, 254); shape = "public v4"; break;
    case 4: v = o(11, 223) + "." + o(0, 255) + "." + o(0, 255) + "." + o(1, 254); shape = "public v4"; break;
    case 5: {
        char buf[64];
        std::snprintf(buf, sizeof buf, "2001:db8:%x::%x:%x", static_cast<unsigned>(rng.range(1, 0xffff)),
                      static_cast<unsigned>(rng.range(1, 0xffff)), static_cast<unsigned>(rng.range(1, 0xffff)));
        v = buf;
        shape = "v6 compressed";
        break;
    }
    default: v = "198.51.100." + o(1, 254); shape = "public v4"; break;
    }
    return inContext(rng, {{kFieldHistory, false, "Home monitor uploads from @."}, {kFieldSocial, false, "Portal login from IP @."},
                           {kFieldHistory, false, "Telehealth session IP: @"}, {kFieldSocial, false, "IP address @ on the consent log."},
                           {kFieldHistory, false, "CGM data synced from @ overnight."}},
                     std::move(v), PhiKind::Ip, "ip " + shape);
}

std::string streetLine(core::Rng& rng, std::string& shape) {
    switch (rng.below(9)) {
    case 0: shape = "PO Box"; return "PO Box " + std::to_string(rng.range(1, 9999));
    case 1: shape = "HC NN Box NNNN"; return "HC " + std::to_string(rng.range(10, 79)) + " Box " + std::to_string(rng.range(100, 9999));
    case 2: shape = "n Calle name"; return std::to_string(rng.range(1, 999)) + " Calle " + std::string(pickW(rng, {"de Sebastián", "Cielo", "Luna", "del Sol", "Ojo Feliz"}));
    case 3: shape = "n Dir Name Suffix, unit";
        return std::to_string(rng.range(1, 9999)) + " " + std::string(pickW(rng, kDirections)) + " " + std::string(pickW(rng, kStreetNames)) + " " +
               std::string(pickW(rng, kStreetSuffixes)) + ", " + std::string(pickW(rng, kUnits));
    case 4: shape = "n Name Suffix Dir";
        return std::to_string(rng.range(100, 12999)) + " " + std::string(pickW(rng, kStreetNames)) + " " + std::string(pickW(rng, kStreetSuffixes)) + " " +
               std::string(pickW(rng, {"NW", "NE", "SW", "SE"}));
    default: shape = "n Name Suffix";
        return std::to_string(rng.range(1, 9999)) + " " + std::string(pickW(rng, kStreetNames)) + " " + std::string(pickW(rng, kStreetSuffixes));
    }
}

std::string zipCode(core::Rng& rng, const City& c, std::string& shape) {
    std::string z = std::to_string(rng.range(c.zipLo, c.zipHi));
    if (rng.chance(0.3)) { shape = "ddddd-dddd"; return z + "-" + digits(rng, 4); }
    shape = "ddddd";
    return z;
}

PlantSentence street(core::Rng& rng) {
    std::string shape;
    std::string line = streetLine(rng, shape);
    if (rng.chance(0.4)) {
        // The full address line: street through city and state (all a street
        // address under Safe Harbor), then the ZIP as its own identifier.
        const City& c = pickV(rng, kCities);
        std::string zshape;
        std::string z = zipCode(rng, c, zshape);
        PlantSentence s;
        s.field = rng.chance(0.5) ? kFieldSocial : kFieldHistory;
        s.parts.push_back({rng.chance(0.5) ? "Address: " : "Lives at ", std::nullopt, {}});
        s.parts.push_back({line + ", " + std::string(c.name) + ", " + std::string(c.state), PhiKind::Street, "street " + shape + ", City, ST"});
        s.parts.push_back({" ", std::nullopt, {}});
        s.parts.push_back({std::move(z), PhiKind::Zip, "zip " + zshape + " after City, ST"});
        s.parts.push_back({".", std::nullopt, {}});
        return s;
    }
    return inContext(rng, {{kFieldSocial, false, "Lives at @."}, {kFieldSocial, false, "Home address: @."}, {kFieldHistory, true, "Address: @"},
                           {kFieldSocial, false, "Moved in with her sister at @."}, {kFieldSocial, false, "Mail goes to @."},
                           {kFieldHistory, false, "Found down outside @ by EMS."}},
                     std::move(line), PhiKind::Street, "street " + shape);
}

PlantSentence zip(core::Rng& rng) {
    const City& c = pickV(rng, kCities);
    std::string shape;
    std::string z = zipCode(rng, c, shape);
    return inContext(rng, {{kFieldSocial, false, "ZIP @."}, {kFieldSocial, false, "Home zip code @."}, {kFieldHistory, true, "ZIP: @"},
                           {kFieldSocial, false, "Lives in the @ ZIP code, {i:40-150} miles from the hub."},
                           {kFieldSocial, false, "Mailing zip @ (rural route)."}, {kFieldSocial, false, "(ZIP @)"}},
                     std::move(z), PhiKind::Zip, "zip " + shape);
}

} // namespace

// [SECTION] dispatch
PlantSentence plantSentence(core::Rng& rng, PhiKind kind) {
    switch (kind) {
    case PhiKind::Name: return name(rng);
    case PhiKind::Date: return date(rng);
    case PhiKind::Age: return age(rng);
    case PhiKind::Phone: return phone(rng);
    case PhiKind::Fax: return fax(rng);
    case PhiKind::Email: return email(rng);
    case PhiKind::Ssn: return ssn(rng);
    case PhiKind::Mrn: return mrn(rng);
    case PhiKind::HealthPlan: return healthPlan(rng);
    case PhiKind::Account: return account(rng);
    case PhiKind::Licence: return licence(rng);
    case PhiKind::Vehicle: return vehicle(rng);
    case PhiKind::Device: return device(rng);
    case PhiKind::Url: return url(rng);
    case PhiKind::Ip: return ip(rng);
    case PhiKind::Street: return street(rng);
    case PhiKind::Zip: return zip(rng);
    case PhiKind::Count: break;
    }
    return name(rng);
}

const std::vector<std::string>& rosterClinicians() { return kRoster; }

} // namespace caseroom::clinic::phi_corpus
