// The PHI screen (clinic/phi_screen.h) measured against a labelled corpus
// that shares no code and no word lists with it (phi_corpus/).
//
// What is measured, exactly:
//  - Corpus: generateCorpus(Rng(kSeed), 600) ECHO-style cases of six fields
//    (chief complaint, history, medications, labs, social history, question);
//    the even-indexed 300 carry 4 to 7 planted sentences each (a referral
//    header line holds a name, a DOB and an MRN; an address line a street and
//    its ZIP), every PhiKind in turn: about 94 spans per kind, names twice as
//    many, each labelled with kind and byte span; the odd 300 are clean. Plus the hand-written clean texts in phi_corpus/echo_clean.txt
//    (at least 50), each screened as one field "case".
//  - Screening: clinic::screen over a case's fields with ScreenContext
//    knownNames = phi_corpus::rosterNames() (the programme's clinicians; some
//    planted names are theirs, most are patients' and relatives' names the
//    roster cannot know).
//  - Recall per kind K = planted spans of K found / planted spans of K, where
//    found means a finding of kind K overlaps the span (same field, at least
//    one shared byte), or a finding overlapping it was merged, as the contract
//    says, into the kind of an earlier-starting planted span it also overlaps.
//    A span overlapped only by a finding of another kind is NOT found; it is
//    reported apart as "as other". Floors: 0.95 for every kind but Name, 0.85
//    for Name.
//  - Precision = findings overlapping any planted span / all findings, over
//    the 600 generated cases and the hand-written texts together. Floor 0.90.
//  - Clean pass rate = clean texts with no finding / clean texts, for the
//    hand-written texts and for the generated clean half, each. Floor 0.90.
// On a failed floor the misses and false findings are printed (kind, shape,
// field, a window of text) for whoever fixes the screen; the corpus is not
// to be weakened to pass.
#include <catch2/catch.hpp>

#include <cstdio>
#include <iostream>
#include <set>
#include <string>

#include "clinic/phi_screen.h"
#include "unit/clinic/phi_corpus/corpus.h"
#include "unit/clinic/phi_corpus/score.h"

using namespace caseroom;
using namespace caseroom::clinic;
using namespace caseroom::clinic::phi_corpus;

namespace {

constexpr std::uint64_t kSeed = 20261202;
constexpr std::uint32_t kCases = 600;
constexpr double kPatternRecallFloor = 0.95;
constexpr double kNameRecallFloor = 0.85;
constexpr double kPrecisionFloor = 0.90;
constexpr double kCleanPassFloor = 0.90;
constexpr std::size_t kExamplesShown = 15;

const std::vector<CorpusCase>& corpus() {
    static const std::vector<CorpusCase> kCorpus = [] {
        core::Rng rng(kSeed);
        return generateCorpus(rng, kCases);
    }();
    return kCorpus;
}

const std::vector<std::string>& handWritten() {
    static const std::vector<std::string> kTexts = [] {
        auto r = loadCleanTexts(CASEROOM_PHI_CORPUS_DIR "/echo_clean.txt");
        if (!r) {
            std::cerr << r.error().message << "\n";
            return std::vector<std::string>{};
        }
        return *r;
    }();
    return kTexts;
}

ScreenContext rosterContext() {
    ScreenContext ctx;
    ctx.knownNames = rosterNames();
    return ctx;
}

std::vector<PhiFinding> screenCase(const CorpusCase& c, const ScreenContext& ctx) {
    std::vector<ScreenField> fields;
    for (const auto& f : c.fields) fields.push_back({f.name, f.text});
    return screen(fields, ctx);
}

// Generated corpus: all cases, and the clean half apart (for its pass rate).
struct Scores {
    Tally all, cleanHalf, hand;
};

const Scores& scores() {
    static const Scores kScores = [] {
        Scores s;
        const ScreenContext ctx = rosterContext();
        for (const auto& c : corpus()) {
            const auto findings = screenCase(c, ctx);
            scoreCase(c, findings, s.all);
            if (c.clean) scoreCase(c, findings, s.cleanHalf);
        }
        for (std::size_t i = 0; i < handWritten().size(); ++i) {
            const std::string& t = handWritten()[i];
            scoreCleanText("hand-written #" + std::to_string(i + 1), "case", t, screenText("case", t, ctx), s.hand);
        }
        return s;
    }();
    return kScores;
}

void printExamples(const char* title, const std::vector<Example>& examples, std::optional<PhiKind> only) {
    std::cout << title << "\n";
    std::size_t shown = 0;
    for (const auto& e : examples) {
        if (only && e.kind != *only) continue;
        if (shown++ == kExamplesShown) { std::cout << "  ...\n"; break; }
        std::cout << "  " << toString(e.kind);
        if (e.foundAsOther) std::cout << " (found as " << toString(e.otherKind) << ")";
        if (!e.shape.empty()) std::cout << " {" << e.shape << "} in \"" << e.context << "\"";
        std::cout << " [" << e.program << " / " << e.field << "] " << e.window << "\n";
    }
    std::vector<Example> subset;
    for (const auto& e : examples)
        if (!only || e.kind == *only) subset.push_back(e);
    std::cout << "  by shape:";
    for (const auto& [shape, n] : topShapes(subset, 8)) std::cout << " " << shape << " x" << n << ";";
    std::cout << "\n";
}

bool validUtf8Boundary(const std::string& s, std::uint32_t at) {
    return at == s.size() || (static_cast<unsigned char>(s[at]) & 0xC0) != 0x80;
}

} // namespace

TEST_CASE("corpus: deterministic from the seed, half clean, every kind planted on exact spans", "[phi][corpus]") {
    const auto& c = corpus();
    REQUIRE(c.size() == kCases);
    core::Rng again(kSeed), other(kSeed + 1);
    const auto c2 = generateCorpus(again, kCases);
    const auto c3 = generateCorpus(other, kCases);
    bool same = true, differs = false;
    for (std::size_t i = 0; i < c.size(); ++i) {
        for (std::size_t f = 0; f < c[i].fields.size(); ++f) {
            same = same && c[i].fields[f].text == c2[i].fields[f].text;
            differs = differs || c[i].fields[f].text != c3[i].fields[f].text;
        }
        same = same && c[i].planted.size() == c2[i].planted.size();
    }
    CHECK(same);
    CHECK(differs);

    std::array<std::uint32_t, kKinds> perKind{};
    std::uint32_t cleanCount = 0;
    for (std::size_t i = 0; i < c.size(); ++i) {
        const CorpusCase& k = c[i];
        CHECK(k.clean == (i % 2 == 1));
        CHECK(k.clean == k.planted.empty());
        cleanCount += k.clean ? 1 : 0;
        std::set<std::string> names;
        for (const auto& f : k.fields) names.insert(f.name);
        CHECK(names.size() == k.fields.size());
        for (std::size_t a = 0; a < k.planted.size(); ++a) {
            const Planted& p = k.planted[a];
            REQUIRE(p.field < k.fields.size());
            const std::string& text = k.fields[p.field].text;
            CHECK(p.begin < p.end);
            CHECK(p.end <= text.size());
            CHECK(validUtf8Boundary(text, p.begin));
            CHECK(validUtf8Boundary(text, p.end));
            CHECK(text[p.begin] != ' ');
            CHECK(text[p.end - 1] != ' ');
            CHECK_FALSE(p.shape.empty());
            ++perKind[static_cast<std::size_t>(p.kind)];
            for (std::size_t b = a + 1; b < k.planted.size(); ++b) {
                const Planted& q = k.planted[b];
                CHECK_FALSE((q.field == p.field && p.begin < q.end && q.begin < p.end));
            }
        }
    }
    CHECK(cleanCount == kCases / 2);
    for (std::size_t i = 0; i < kKinds; ++i) {
        INFO(toString(static_cast<PhiKind>(i)));
        CHECK(perKind[i] >= 80);
    }
}

TEST_CASE("corpus: at least 50 hand-written clean ECHO texts", "[phi][corpus]") {
    REQUIRE(handWritten().size() >= 50);
    auto missing = loadCleanTexts(CASEROOM_PHI_CORPUS_DIR "/no_such_file.txt");
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().message.find("no_such_file.txt") != std::string::npos);
}

TEST_CASE("corpus: the scoring rules, on findings made by hand", "[phi][corpus]") {
    CorpusCase c;
    c.program = "test";
    c.fields = {{"history", "Pt: Ana Ruiz, DOB 04/17/1958. ALT 54."}, {"social history", "Lives at 12 Elm St, Taos, NM 87571."}};
    c.planted = {{0, 4, 12, PhiKind::Name, "n", "Pt: @,"}, {0, 18, 28, PhiKind::Date, "d", "DOB @."},
                 {1, 9, 28, PhiKind::Street, "s", "Lives at @ "}, {1, 29, 34, PhiKind::Zip, "z", " @."}};
    c.clean = false;
    Tally t;
    scoreCase(c, {{"history", 4, 12, PhiKind::Name},        // found
                  {"history", 18, 28, PhiKind::Phone},      // the date, as another kind
                  {"history", 34, 36, PhiKind::Zip},        // spurious ("54")
                  {"social history", 9, 34, PhiKind::Street}}, // street with its ZIP merged in
              t);
    CHECK(t.kinds[static_cast<std::size_t>(PhiKind::Name)].found == 1);
    CHECK(t.kinds[static_cast<std::size_t>(PhiKind::Date)].asOther == 1);
    CHECK(t.kinds[static_cast<std::size_t>(PhiKind::Date)].recall() == 0.0);
    CHECK(t.kinds[static_cast<std::size_t>(PhiKind::Street)].found == 1);
    CHECK(t.kinds[static_cast<std::size_t>(PhiKind::Zip)].merged == 1);
    CHECK(t.kinds[static_cast<std::size_t>(PhiKind::Zip)].recall() == 1.0);
    CHECK(t.findings == 4);
    CHECK(t.trueFindings == 3);
    CHECK(t.kinds[static_cast<std::size_t>(PhiKind::Phone)].wrongKind == 1);
    CHECK(t.kinds[static_cast<std::size_t>(PhiKind::Zip)].spurious == 1);
    REQUIRE(t.misses.size() == 1);
    CHECK(t.misses[0].foundAsOther);
    CHECK(t.misses[0].window.find("[[04/17/1958]]") != std::string::npos);
    REQUIRE(t.falseFindings.size() == 1);
    CHECK(t.falseFindings[0].window.find("[[54]]") != std::string::npos);

    Tally none;
    scoreCase(c, {}, none);
    CHECK(none.kinds[static_cast<std::size_t>(PhiKind::Zip)].missed == 1);
    CHECK(none.precision() == 1.0);
}

TEST_CASE("PHI screen: recall per kind on the generated corpus", "[phi][corpus][floors]") {
    const Tally& t = scores().all;
    std::cout << "PHI screen over " << kCases << " generated cases (seed " << kSeed << "):\n" << kindTable(t);
    for (std::size_t i = 0; i < kKinds; ++i) {
        const auto kind = static_cast<PhiKind>(i);
        const KindTally& k = t.kinds[i];
        const double floor = kind == PhiKind::Name ? kNameRecallFloor : kPatternRecallFloor;
        INFO(toString(kind) << ": recall " << k.recall() << " (" << (k.found + k.merged) << " of " << k.planted
                            << ", " << k.asOther << " found as another kind), floor " << floor);
        REQUIRE(k.planted > 0);
        if (k.recall() < floor) printExamples((std::string("missed ") + toString(kind) + ":").c_str(), t.misses, kind);
        CHECK(k.recall() >= floor);
    }
}

// One test case for the three clean-text figures: each ctest case is its own
// process, and screening the corpus is the expensive part.
TEST_CASE("PHI screen: precision, and clean texts left alone", "[phi][corpus][floors]") {
    const Scores& s = scores();
    const std::uint32_t findings = s.all.findings + s.hand.findings;
    const std::uint32_t trueFindings = s.all.trueFindings + s.hand.trueFindings;
    const double precision = findings ? static_cast<double>(trueFindings) / findings : 1.0;
    std::printf("precision %.3f (%u true of %u findings; hand-written texts gave %u)\n", precision, trueFindings, findings,
                s.hand.findings);
    {
        INFO("precision " << precision << " = " << trueFindings << " / " << findings << ", floor " << kPrecisionFloor);
        if (precision < kPrecisionFloor) {
            printExamples("false findings (generated):", s.all.falseFindings, std::nullopt);
            printExamples("false findings (hand-written):", s.hand.falseFindings, std::nullopt);
        }
        CHECK(precision >= kPrecisionFloor);
    }
    {
        const Tally& t = s.cleanHalf;
        REQUIRE(t.cleanTexts == kCases / 2);
        INFO("clean generated cases without a finding: " << (t.cleanTexts - t.cleanFlagged) << " of " << t.cleanTexts
                                                         << ", floor " << kCleanPassFloor);
        if (t.cleanPassRate() < kCleanPassFloor) printExamples("false findings on clean generated cases:", t.falseFindings, std::nullopt);
        CHECK(t.cleanPassRate() >= kCleanPassFloor);
    }
    {
        const Tally& t = s.hand;
        REQUIRE(t.cleanTexts >= 50);
        INFO("hand-written texts without a finding: " << (t.cleanTexts - t.cleanFlagged) << " of " << t.cleanTexts
                                                      << ", floor " << kCleanPassFloor);
        if (t.cleanPassRate() < kCleanPassFloor) printExamples("false findings on hand-written texts:", t.falseFindings, std::nullopt);
        CHECK(t.cleanPassRate() >= kCleanPassFloor);
    }
}
