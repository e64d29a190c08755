// Case form templates and filled forms (clinic/case_form.h).
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "clinic/case_form.h"

using namespace caseroom::clinic;

namespace {
bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }
bool anyContains(const std::vector<std::string>& v, const std::string& part) {
    for (const auto& s : v)
        if (contains(s, part)) return true;
    return false;
}
const std::string kHash(64, 'a');

std::vector<FilledField> goodCase() {
    return {{"age_band", "60-69"},
            {"sex", "male"},
            {"setting", "rural"},
            {"chief_complaint", "Fatigue and elevated ALT"},
            {"history", "67 yo M, HCV genotype 1a diagnosed 2019.\n\nCirrhosis suspected on imaging."},
            {"medications", "metformin 500 mg BID"},
            {"labs", "ALT 54, AST 61, plt 132"},
            {"imaging", kHash},
            {"question", "Treat now with sofosbuvir/velpatasvir, or stage fibrosis first?"}};
}
} // namespace

TEST_CASE("the default ECHO template parses with its fields in order", "[clinic][case_form]") {
    auto t = parseFormTemplate(defaultFormTemplateText(), "default");
    REQUIRE(t.ok());
    std::vector<std::string> names;
    for (const auto& f : t->fields) names.push_back(f.name);
    CHECK(names == std::vector<std::string>{"age_band", "sex", "setting", "chief_complaint", "history", "medications",
                                            "labs", "imaging", "question", "coordinator_note"});
    const auto* age = t->find("age_band");
    REQUIRE(age);
    CHECK(age->kind == FieldKind::Choice);
    CHECK(age->required);
    CHECK_FALSE(age->screened);  // fixed values are not screened
    CHECK(age->choices.back() == "90+");  // Safe Harbor: ages over 89 are one band
    const auto* setting = t->find("setting");
    REQUIRE(setting);
    CHECK(setting->choices == std::vector<std::string>{"rural", "urban", "tribal", "correctional"});
    const auto* history = t->find("history");
    REQUIRE(history);
    CHECK(history->kind == FieldKind::LongText);
    CHECK(history->screened);
    CHECK(history->shownInRoom);
    CHECK(history->maxBytes == 6000);
    const auto* imaging = t->find("imaging");
    REQUIRE(imaging);
    CHECK(imaging->kind == FieldKind::Deck);
    CHECK_FALSE(imaging->screened);  // decks are screened when built
    const auto* note = t->find("coordinator_note");
    REQUIRE(note);
    CHECK_FALSE(note->shownInRoom);
    CHECK(note->screened);
    CHECK(t->find("question")->required);
    CHECK(t->find("nope") == nullptr);
}

TEST_CASE("template keys, defaults and the header's inline comments", "[clinic][case_form]") {
    auto t = parseFormTemplate("[field a]\nlabel = A; with a semicolon\nkind = choice            ; text | longtext\n"
                               "choices = x, y ,z\nrequired = yes   ; a note\nroom = no\nscreen = yes\nmax = 12\n"
                               "[field b]\n",
                               "t.form");
    REQUIRE(t.ok());
    REQUIRE(t->fields.size() == 2);
    const auto& a = t->fields[0];
    CHECK(a.label == "A; with a semicolon");
    CHECK(a.kind == FieldKind::Choice);
    CHECK(a.choices == std::vector<std::string>{"x", "y", "z"});
    CHECK(a.required);
    CHECK_FALSE(a.shownInRoom);
    CHECK(a.screened);
    CHECK(a.maxBytes == 12);
    const auto& b = t->fields[1];  // all defaults
    CHECK(b.label == "b");
    CHECK(b.kind == FieldKind::Text);
    CHECK(b.screened);
    CHECK(b.shownInRoom);
    CHECK_FALSE(b.required);
    CHECK(b.maxBytes == 4000);
}

TEST_CASE("template errors name the source, the line and the fault", "[clinic][case_form]") {
    struct Bad { const char* text; const char* where; const char* fault; };
    const Bad cases[] = {
        {"[field a]\nkind = essay\n", "t.form:2:", "kind 'essay'"},
        {"[field a]\ncolour = red\n", "t.form:2:", "unknown key 'colour'"},
        {"[field a]\nkind = choice\n", "t.form:1:", "needs 'choices'"},
        {"[field a]\nchoices = x\n", "t.form:1:", "only for kind = choice"},
        {"[field a]\n[field a]\n", "t.form:2:", "defined twice"},
        {"[field Bad-Name]\n", "t.form:1:", "field name 'Bad-Name'"},
        {"[field]\n", "t.form:1:", "field name ''"},
        {"[section a]\n", "t.form:1:", "unknown section [section]"},
        {"[field a]\nrequired = maybe\n", "t.form:2:", "yes or no"},
        {"[field a]\nmax = 0\n", "t.form:2:", "'max'"},
        {"[field a]\nmax = 99999999\n", "t.form:2:", "'max'"},
        {"[field a]\nkind = choice\nchoices = x, x\n", "t.form:3:", "listed twice"},
        {"# nothing\n", "t.form:0:", "no [field NAME]"},
        {"[field a]\nlabel = one\nlabel = two\n", "t.form:3:", "duplicate key"},
        {"[field a]\nthis is not a key\n", "t.form:2:", "expected 'key = value'"},
    };
    for (const auto& c : cases) {
        INFO(c.text);
        auto r = parseFormTemplate(c.text, "t.form");
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().message.rfind(c.where, 0) == 0);
        CHECK(contains(r.error().message, c.fault));
    }
}

TEST_CASE("a filled form parses multi-line UTF-8 values and round-trips", "[clinic][case_form]") {
    const std::string text = "# my case\n[case]\nage_band = 60-69\nhistory = First line\n  second line\n\n"
                             "    indented detail\n\nquestion =\n  Nguyễn's question: treat now?\r\nlabs = ALT 54\n";
    auto f = parseFilledForm(text, "case.txt");
    REQUIRE(f.ok());
    REQUIRE(f->size() == 4);
    CHECK((*f)[0].name == "age_band");
    CHECK((*f)[0].value == "60-69");
    CHECK((*f)[1].value == "First line\nsecond line\n\n  indented detail");  // the blank line inside is kept
    CHECK((*f)[2].value == "Nguyễn's question: treat now?");
    CHECK((*f)[3].value == "ALT 54");

    const auto cases = goodCase();
    const std::string formatted = formatFilledForm(cases);
    auto back = parseFilledForm(formatted, "formatted");
    REQUIRE(back.ok());
    REQUIRE(back->size() == cases.size());
    for (std::size_t i = 0; i < cases.size(); ++i) {
        CHECK((*back)[i].name == cases[i].name);
        CHECK((*back)[i].value == cases[i].value);
    }
    CHECK(formatFilledForm(*back) == formatted);
}

TEST_CASE("filled form errors name the source, the line and the fault", "[clinic][case_form]") {
    struct Bad { std::string text; const char* where; const char* fault; };
    const Bad cases[] = {
        {"age_band = 60-69\n", "f:1:", "before the [case] line"},
        {"[case]\nhistory = a\n   three spaces\n", "f:3:", "", },
        {"[case]\nhistory = a\n b\n", "f:3:", "exactly two spaces"},
        {"[case]\n  orphan\n", "f:2:", "before any 'name = value'"},
        {"[case]\na = 1\na = 2\n", "f:3:", "given twice"},
        {"[case]\nA B = 1\n", "f:2:", "field name 'A B'"},
        {"[case]\nno equals here\n", "f:2:", "expected 'name = value'"},
        {"[case]\n[other]\n", "f:2:", "unknown section"},
        {"[case]\n[case]\n", "f:2:", "second [case]"},
        {std::string("[case]\na = b\x01\n"), "f:2:", "control character"},
        {std::string("[case]\na = \xC3\x28\n"), "f:2:", "UTF-8"},
        {std::string("[case]\na = \xED\xA0\x80\n"), "f:2:", "UTF-8"},   // a surrogate
        {std::string("[case]\na = \xC0\xAF\n"), "f:2:", "UTF-8"},       // overlong
        {"# only a comment\n", "f:1:", "no [case]"},
    };
    for (const auto& c : cases) {
        INFO(c.text);
        auto r = parseFilledForm(c.text, "f");
        if (std::string(c.fault).empty()) {  // three spaces are two plus one kept as content
            REQUIRE(r.ok());
            CHECK((*r)[0].value == "a\n three spaces");
            continue;
        }
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().message.rfind(c.where, 0) == 0);
        CHECK(contains(r.error().message, c.fault));
    }
    CHECK_FALSE(parseFilledForm(std::string((1 << 20) + 1, 'x'), "big").ok());
}

TEST_CASE("validateForm: unknown, missing, not offered, too long, one line, deck hashes", "[clinic][case_form]") {
    auto t = parseFormTemplate(defaultFormTemplateText(), "default");
    REQUIRE(t.ok());
    CHECK(validateForm(*t, goodCase()).empty());

    auto f = goodCase();
    f.push_back({"patient_name", "x"});
    CHECK(anyContains(validateForm(*t, f), "unknown field 'patient_name'"));

    f = goodCase();
    f.erase(f.begin() + 4);  // history
    auto p = validateForm(*t, f);
    REQUIRE(p.size() == 1);
    CHECK(contains(p[0], "(history) is required"));

    f = goodCase();
    f[8].value = "   ";  // a blank required value is missing
    CHECK(anyContains(validateForm(*t, f), "(question) is required"));

    f = goodCase();
    f[0].value = "92";
    p = validateForm(*t, f);
    REQUIRE(p.size() == 1);
    CHECK(contains(p[0], "'92' is not one of"));
    CHECK(contains(p[0], "90+"));

    f = goodCase();
    f[3].value = std::string(301, 'x');
    CHECK(anyContains(validateForm(*t, f), "301 bytes, at most 300"));

    f = goodCase();
    f[3].value = "two\nlines";
    CHECK(anyContains(validateForm(*t, f), "takes one line"));

    f = goodCase();
    f[7].value = kHash + "\nnot-a-hash";
    CHECK(anyContains(validateForm(*t, f), "'not-a-hash' is not a deck's manifest hash"));
    f[7].value = kHash + ", " + std::string(64, 'b');
    CHECK(validateForm(*t, f).empty());

    f = goodCase();
    f[5].value = "bell\x07";
    CHECK(anyContains(validateForm(*t, f), "control character"));

    f = goodCase();
    f.push_back(f[0]);
    CHECK(anyContains(validateForm(*t, f), "given twice"));
}

TEST_CASE("the room portion and the screened fields follow the template", "[clinic][case_form]") {
    auto t = parseFormTemplate(defaultFormTemplateText(), "default");
    REQUIRE(t.ok());
    auto f = goodCase();
    f.push_back({"coordinator_note", "presenter is new to the program"});
    f.push_back({"stray", "unknown to the template"});
    std::swap(f[0], f[4]);  // order in the file does not matter
    f[5].value = "";        // medications left empty
    std::vector<std::string> room;
    for (const auto& ff : roomFields(*t, f)) room.push_back(ff.name);
    CHECK(room == std::vector<std::string>{"age_band", "sex", "setting", "chief_complaint", "history", "labs", "imaging", "question"});
    CHECK(screenedFieldNames(*t, f) ==
          std::vector<std::string>{"history", "chief_complaint", "medications", "labs", "question", "coordinator_note", "stray"});
}
