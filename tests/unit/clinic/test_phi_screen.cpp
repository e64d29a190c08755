// The PHI screen, kind by kind: exact spans of planted identifiers, clinical
// numbers left alone, roster names in UTF-8, invalid bytes, the JSON line.
// (The labelled corpus with its recall and precision floors is a separate,
// independently written test: test_phi_corpus.cpp.)
#include <catch2/catch.hpp>

#include "clinic/phi_screen.h"

#include <string>
#include <vector>

using namespace caseroom::clinic;

namespace {

struct Span {
    std::string text;
    PhiKind kind;
    friend bool operator==(const Span&, const Span&) = default;
};

std::vector<Span> spans(std::string_view text, const ScreenContext& ctx = {}) {
    std::vector<Span> out;
    for (const PhiFinding& f : screenText("t", text, ctx)) {
        REQUIRE(f.begin < f.end);
        REQUIRE(f.end <= text.size());
        out.push_back({std::string(text.substr(f.begin, f.end - f.begin)), f.kind});
    }
    return out;
}

// Exactly one finding, of `kind`, spanning `expected`.
void one(std::string_view text, std::string_view expected, PhiKind kind, const ScreenContext& ctx = {}) {
    INFO(text);
    const auto got = spans(text, ctx);
    REQUIRE(got.size() == 1);
    CHECK(got[0].text == expected);
    CHECK(toString(got[0].kind) == std::string(toString(kind)));
}

void none(std::string_view text, const ScreenContext& ctx = {}) {
    INFO(text);
    const auto got = spans(text, ctx);
    for (const auto& s : got) UNSCOPED_INFO(s.text << " as " << toString(s.kind));
    CHECK(got.empty());
}

} // namespace

TEST_CASE("phi: kinds round-trip through their names", "[phi]") {
    for (std::uint8_t k = 0; k < static_cast<std::uint8_t>(PhiKind::Count); ++k) {
        const auto kind = static_cast<PhiKind>(k);
        REQUIRE(phiKindFromString(toString(kind)) == kind);
    }
    CHECK_FALSE(phiKindFromString("nope").has_value());
}

TEST_CASE("phi: dates more precise than the year", "[phi]") {
    one("Seen 3/14/2025 for follow-up.", "3/14/2025", PhiKind::Date);
    one("Seen 03/14/25 for follow-up.", "03/14/25", PhiKind::Date);
    one("Biopsy 2025-03-14 showed F3.", "2025-03-14", PhiKind::Date);
    one("Admitted 14 Mar 2025 with ascites.", "14 Mar 2025", PhiKind::Date);
    one("Admitted 14-MAR-2025 with ascites.", "14-MAR-2025", PhiKind::Date);
    one("Admitted March 14, 2025 with ascites.", "March 14, 2025", PhiKind::Date);
    one("Admitted on March 14 with ascites.", "March 14", PhiKind::Date);
    one("Admitted Mar. 14th with ascites.", "Mar. 14th", PhiKind::Date);
    one("Admitted on the 14th of March with ascites.", "the 14th of March", PhiKind::Date);
    one("Treatment began in January 2024.", "January 2024", PhiKind::Date);
    one("Treatment began 01/2024.", "01/2024", PhiKind::Date);
    one("Seen on 3/14 in clinic.", "3/14", PhiKind::Date);
    one("DOB: 19500314", "19500314", PhiKind::Date);
}

TEST_CASE("phi: ages over 89", "[phi]") {
    one("A 92 yo woman with HCV.", "92 yo", PhiKind::Age);
    one("A 92-year-old woman with HCV.", "92-year-old", PhiKind::Age);
    one("A 95 y/o man.", "95 y/o", PhiKind::Age);
    one("Patient aged 95 with cirrhosis.", "95", PhiKind::Age);
    one("age: 101, lives alone", "101", PhiKind::Age);
    one("93yoF with jaundice", "93yoF", PhiKind::Age);
    one("92F with falls.", "92F", PhiKind::Age);
    none("A 67 yo M with HCV, 89-year-old mother. Tmax 100F overnight.");
    none("Age band 90+; aged 90 or older.");
}

TEST_CASE("phi: phones and faxes", "[phi]") {
    one("Call (555) 123-4567 after 5.", "(555) 123-4567", PhiKind::Phone);
    one("Call 555-123-4567 after 5.", "555-123-4567", PhiKind::Phone);
    one("Call 555.123.4567 after 5.", "555.123.4567", PhiKind::Phone);
    one("Call +1 555 123 4567 after 5.", "+1 555 123 4567", PhiKind::Phone);
    one("Call 1-555-123-4567 after 5.", "1-555-123-4567", PhiKind::Phone);
    one("cell: 555 123 4567", "555 123 4567", PhiKind::Phone);
    one("phone 555-1234", "555-1234", PhiKind::Phone);
    one("Fax: (555) 987-6543", "(555) 987-6543", PhiKind::Fax);
    one("results faxed to 555-987-6543", "555-987-6543", PhiKind::Fax);
    one("clinic 555-987-6543 (fax) only", "555-987-6543", PhiKind::Fax);
    one("Call 312 555 7821 tomorrow.", "312 555 7821", PhiKind::Phone);
    one("Emergency contact 555-0148.", "555-0148", PhiKind::Phone);
    one("Please fax the signed recommendations to 505 555 0142 today.", "505 555 0142", PhiKind::Fax);
    one("Fax the note to 5055550142.", "5055550142", PhiKind::Fax);
    one("Fax no. 5055550142 at the hub.", "5055550142", PhiKind::Fax);
    one("Faxed; call 505 555 0142 with questions.", "505 555 0142", PhiKind::Phone);
    none("Dose 200-1000 mg; Plt 150-4500; range 120 110 90.");
    none("Fax sent. HCV RNA 1200000000 IU/mL.");
}

TEST_CASE("phi: e-mail, URL, IP", "[phi]") {
    one("Write to jane.doe+hcv@example.org today.", "jane.doe+hcv@example.org", PhiKind::Email);
    one("Portal https://mychart.example.com/p?id=7.", "https://mychart.example.com/p?id=7", PhiKind::Url);
    one("See www.example.org/patients for more", "www.example.org/patients", PhiKind::Url);
    one("Upload from 192.168.10.24 failed", "192.168.10.24", PhiKind::Ip);
    one("Upload from 2001:db8::8a2e:370:7334 failed", "2001:db8::8a2e:370:7334", PhiKind::Ip);
    none("Version 300.1.2.3 is not an address; 256.1.1.1 either.");
}

TEST_CASE("phi: numbered identifiers after their cues", "[phi]") {
    one("SSN 123-45-6789 on file", "123-45-6789", PhiKind::Ssn);
    one("His 123-45-6789 was given", "123-45-6789", PhiKind::Ssn);
    one("MRN: 00451237", "00451237", PhiKind::Mrn);
    one("MR# A1234567", "A1234567", PhiKind::Mrn);
    one("medical record number 7741-002", "7741-002", PhiKind::Mrn);
    one("Member ID: XGH448812", "XGH448812", PhiKind::HealthPlan);
    one("Medicaid ID 99812345", "99812345", PhiKind::HealthPlan);
    one("policy no. 55-1209", "55-1209", PhiKind::HealthPlan);
    one("acct # 00912345", "00912345", PhiKind::Account);
    one("Sunrise Centennial Care ID 77120045 on the card.", "77120045", PhiKind::HealthPlan);
    one("Medicaid recipient ID 400129933.", "400129933", PhiKind::HealthPlan);
    one("Insurance card: HMX-22018-7.", "HMX-22018-7", PhiKind::HealthPlan);
    one("account number 4417 1234 5678", "4417 1234 5678", PhiKind::Account);
    one("licence no. D1234567", "D1234567", PhiKind::Licence);
    one("DEA AB1234563", "AB1234563", PhiKind::Licence);
    one("NPI 1234567893", "1234567893", PhiKind::Licence);
    one("license plate 7ABC123", "7ABC123", PhiKind::Vehicle);
    one("plate: ABC 1234.", "ABC 1234", PhiKind::Vehicle);
    one("car 1HGCM82633A004352 outside", "1HGCM82633A004352", PhiKind::Vehicle);
    one("pump serial number PX-0042-7781", "PX-0042-7781", PhiKind::Device);
    one("pacemaker S/N 88211-B", "88211-B", PhiKind::Device);
    one("SN: 4471002", "4471002", PhiKind::Device);
}

TEST_CASE("phi: licences, identity cards, plates and tags, device codes", "[phi]") {
    one("Has a CDL # W-88213 for hauling.", "W-88213", PhiKind::Licence);
    one("Commercial driver's license K4410-2291 expired.", "K4410-2291", PhiKind::Licence);
    one("State ID card Q2210-7781-0032 on file.", "Q2210-7781-0032", PhiKind::Licence);
    one("Shows a state identification card 4418820.", "4418820", PhiKind::Licence);
    one("Driver\xe2\x80\x99s license: T55120034.", "T55120034", PhiKind::Licence);
    one("DL XR552901; lives alone.", "XR552901", PhiKind::Licence);
    one("DL 774102938 copied at intake.", "774102938", PhiKind::Licence);
    one("Parks in the lot (plates 3KQW218).", "3KQW218", PhiKind::Vehicle);
    one("Tag JRT 442 seen at the shelter.", "JRT 442", PhiKind::Vehicle);
    one("Tags 812-VNE on the pickup.", "812-VNE", PhiKind::Vehicle);
    one("Cochlear implant serial 7TQ4RW.", "7TQ4RW", PhiKind::Device);
    one("Insulin pump S/N QZ4XKT.", "QZ4XKT", PhiKind::Device);
    one("Deep brain stimulator serial no. MW3HPL.", "MW3HPL", PhiKind::Device);
    // Decilitres, bone plates, skin tags and serial studies stay clinical.
    none("Glucose 180 mg/DL 2 h after meals; LDL 130 mg/DL; DL 12; plate 12 mm; skin tag removed; "
         "serial CXRs and serial ABGs; tag the chart for review; registration at 8.");
}

TEST_CASE("phi: street addresses and ZIP codes", "[phi]") {
    one("Lives at 48 Calle Luna Nueva with family.", "48 Calle Luna Nueva", PhiKind::Street);
    one("Moved to 9 Camino del Sol.", "9 Camino del Sol", PhiKind::Street);
    one("Found near 2210 Avenida de las Flores by EMS.", "2210 Avenida de las Flores", PhiKind::Street);
    one("Stays at 3 Rue Dauphine.", "3 Rue Dauphine", PhiKind::Street);
    one("Mail goes to 771 Vista de Oro Rd SE.", "771 Vista de Oro Rd SE", PhiKind::Street);
    one("Lives in the 59301 ZIP code, far from the hub.", "59301", PhiKind::Zip);
    one("Lives in the 59301 zip, far from the hub.", "59301", PhiKind::Zip);
    none("Given 2 via NG tube; 40 minutes from the hub; 10000 steps; 12500 units.");
    one("Lives at 1234 Oak Street with her son.", "1234 Oak Street", PhiKind::Street);
    one("Lives at 12 N. Martin Luther King Jr Blvd, Apt 4B today.", "12 N. Martin Luther King Jr Blvd, Apt 4B", PhiKind::Street);
    one("Lives at 500 Route 9 alone.", "500 Route 9", PhiKind::Street);
    one("Mail to P.O. Box 4471 please.", "P.O. Box 4471", PhiKind::Street);
    const auto addr = spans("Lives at 77 Elm Ave, Springfield, IL 62704-1234.");
    REQUIRE(addr.size() == 2);
    CHECK(addr[0] == Span{"77 Elm Ave", PhiKind::Street});
    CHECK(addr[1] == Span{"62704-1234", PhiKind::Zip});
    one("zip 02139", "02139", PhiKind::Zip);
    one("from Austin, Texas 78701", "78701", PhiKind::Zip);
    none("three-digit ZIP prefix 021 only; lives in rural IL.");
    one("123 MAIN ST is the clinic", "123 MAIN ST", PhiKind::Street);
    none("Seen at 2 Community Health Center sites; 6 Minute Walk Test; 2 ICU Dr visits; CA 19-9 normal.");
}

TEST_CASE("phi: names by title, cue and roster", "[phi]") {
    one("Discussed with Mrs. Jones today.", "Mrs. Jones", PhiKind::Name);
    one("Discussed with Dr Ana de la Cruz today.", "Dr Ana de la Cruz", PhiKind::Name);
    one("the patient John Smith presented", "John Smith", PhiKind::Name);
    one("Name: SMITH, JOHN", "SMITH, JOHN", PhiKind::Name);
    one("patient: Smith, John.", "Smith, John", PhiKind::Name);
    one("her daughter Keisha brought her", "Keisha", PhiKind::Name);
    one("Spoke with Maria Gonzalez about the plan", "Maria Gonzalez", PhiKind::Name);
    one("Reviewed with Keisha Washington today.", "Keisha Washington", PhiKind::Name);
    one("Discussed with J. Smith today.", "J. Smith", PhiKind::Name);
    one("Lopez, Maria was seen.", "Lopez, Maria", PhiKind::Name);
    one("Elena Petrova is a 58-year-old woman.", "Elena Petrova", PhiKind::Name);
    one("Tomasz Nowak, 61 yo M, genotype 3.", "Tomasz Nowak", PhiKind::Name);
    one("Reviewed with Ingrid Solberg, RN.", "Ingrid Solberg", PhiKind::Name);
    one("Seen by Nurse Practitioner Delphine Moreau.", "Delphine Moreau", PhiKind::Name);
    one("Grandson Kwame helps with meds.", "Kwame", PhiKind::Name);
    // Possessives before a relation, companions, capital form labels, typed lower case, titled street words.
    one("Ingrid Solberg's husband drives her in.", "Ingrid Solberg", PhiKind::Name);
    one("Uses Kwabena Asante\xe2\x80\x99s truck on weekends.", "Kwabena Asante", PhiKind::Name);
    one("Seen with Tallulah Begay from the chapter house.", "Tallulah Begay", PhiKind::Name);
    one("Here with Carmen, her aunt.", "Carmen", PhiKind::Name);
    one("PATIENT: ODEGAARD, MARIT; new referral", "ODEGAARD, MARIT", PhiKind::Name);
    one("pt tuyet vuong here for refill.", "tuyet vuong", PhiKind::Name);
    one("pt okello mwangi, 44 yo, on methadone.", "okello mwangi", PhiKind::Name);
    one("pt ines barros is a 52 yo with HBV.", "ines barros", PhiKind::Name);
    one("Mr Ridge reports less pain.", "Mr Ridge", PhiKind::Name);
    one("Bilal Qureshi is a retired miner.", "Bilal Qureshi", PhiKind::Name);
    one("Dragan Petrovic returns today.", "Dragan Petrovic", PhiKind::Name);
    none("Pelvic Exam was normal. Viral Load was undetectable. Portal Hypertension is present. "
         "Renal Function is stable. Crystal Meth use was reported. Clinical Course was smooth.");
    one("Ms May called back.", "Ms May", PhiKind::Name);
    none("Parkinson's disease; Still's disease. Seen with Hepatology. Lives with Chronic Pain Syndrome. "
         "PATIENT: HCV POSITIVE. PATIENT: HTN, DM. pt states pain is worse. pt lost weight here. "
         "pt blood pressure is a concern. pt himself is unsure. Patient Education given.");
    none("Patient Education was provided. Hepatic Encephalopathy was noted. Mother Deceased. Seen by Hepatology.");
    none("Patient Education given. Patient Reports no pain. MS and MR noted.");
    none("Patient Summary Report attached; brand name Epclusa; signed HIPAA consent; called EMS.");
    none("Wilson disease excluded. Suspected Graves disease. Wayne State University protocol.");
    none("Temp 101.2 F. Weight 210 lb. E. coli and H. pylori negative.");

    ScreenContext ctx;
    ctx.knownNames = {"Linh Nguyễn", "Søren Ørsted", "Rose Tyler", "Li Wu"};
    one("seen with nguyễn? no: with Nguyễn.", "Nguyễn", PhiKind::Name, ctx);
    one("The ØRSTED case; Ørsted's labs", "Ørsted's", PhiKind::Name, ctx);
    one("LINH called back", "LINH", PhiKind::Name, ctx);
    one("ALT rose to 80; Rose came in.", "Rose", PhiKind::Name, ctx);
    one("Li Wu called back", "Li Wu", PhiKind::Name, ctx);
    none("li and wu are syllables here", ctx);
    one("Bo called back", "Bo", PhiKind::Name, ScreenContext{{"Bo"}});
}

TEST_CASE("phi: clinical text is left alone", "[phi]") {
    none("67 yo M with chronic HCV genotype 1a, F3 fibrosis. ALT 54 U/L, AST 61 U/L, HbA1c 7.2%. "
         "BP 142/88, HR 88, BMI 32.1. Started sofosbuvir 400 mg daily in 2019 for 8 weeks; "
         "symptoms for 3/12, review in 2/52. G2P1. eGFR 45. Plt 110 x10^9/L. HCV RNA 1.2 x 10^6 IU/mL. "
         "CD4 350. Dose 5-10 mg q8h at 08:00. Na 138, K 4.1, INR 1.3, MELD 14, Child-Pugh B7. "
         "Fibroscan 12.5 kPa, CAP 310 dB/m. Hgb 10.2 g/dL, WBC 4.5. 10 mg/dL. Temp 37.2 C, SpO2 96%. "
         "Seen by the hub in March. Follow up in 3-6 months; 2 doses; 1:160 ANA titer; stage 2 of 4.");
    none("Question for the hub: retreat after 12 weeks of glecaprevir/pibrentasvir? Serial ALT levels. "
         "Serial 12-lead ECGs normal. Account for 3 missed doses. Policy in 2019 changed. Call in 2 weeks.");
}

TEST_CASE("phi: overlapping findings merge into the earliest", "[phi]") {
    // "Dr" both ends a street and starts a title; the street starts first.
    const auto got = spans("at 12 Oak Dr Smith lives");
    REQUIRE(got.size() == 1);
    CHECK(got[0].kind == PhiKind::Street);
    CHECK(got[0].text == "12 Oak Dr Smith");
}

TEST_CASE("phi: invalid UTF-8 and odd bytes never crash", "[phi]") {
    std::string bad = "MRN \xff\xfe 12345 \xc3 Nguy\xe1\xbb \xf0\x9f\x98 Mrs. \x80Jones 555-123-4567\xc0";
    const auto f = screenText("t", bad);
    for (const auto& x : f) CHECK(x.end <= bad.size());
    bool phone = false;
    for (const auto& x : f) phone = phone || x.kind == PhiKind::Phone;
    CHECK(phone);
    // Every byte value, every truncation: no crash, spans in range.
    std::string all;
    for (int c = 0; c < 256; ++c) all += static_cast<char>(c);
    for (std::size_t n = 0; n <= all.size(); n += 7) {
        const auto g = screenText("t", std::string_view(all).substr(0, n), ScreenContext{{"Ørsted", "\xff\xfe"}});
        for (const auto& x : g) CHECK(x.end <= n);
    }
    CHECK(screenText("t", "").empty());
}

TEST_CASE("phi: fields are screened in order and named", "[phi]") {
    const ScreenField fields[] = {{"history", "Seen 3/14/2025."}, {"labs", "ALT 54"}, {"question", "Call 555-123-4567"}};
    const auto f = screen(fields);
    REQUIRE(f.size() == 2);
    CHECK(f[0] == PhiFinding{"history", 5, 14, PhiKind::Date});
    CHECK(f[1] == PhiFinding{"question", 5, 17, PhiKind::Phone});
}

TEST_CASE("phi: findingJson escapes and includes the text only when asked", "[phi]") {
    const std::string text = "name: \"Q\\\"\x01\xff ok";
    const PhiFinding f{"hist\"ory", 6, static_cast<std::uint32_t>(text.size()), PhiKind::Name};
    CHECK(findingJson(f, text, false) == R"({"field":"hist\"ory","begin":6,"end":)" + std::to_string(text.size()) +
                                             R"(,"kind":"name"})");
    CHECK(findingJson(f, text, true) == R"({"field":"hist\"ory","begin":6,"end":)" + std::to_string(text.size()) +
                                            R"(,"kind":"name","text":"\"Q\\\"\u0001)" "\xef\xbf\xbd" R"( ok"})");
    // A span past the text (a stale finding) is clipped, not read past the end.
    const PhiFinding past{"f", 100, 200, PhiKind::Zip};
    CHECK(findingJson(past, "short", true) == R"({"field":"f","begin":100,"end":200,"kind":"zip","text":""})");
}
