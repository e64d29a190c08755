// The recommendations document from real records: what it carries (the
// de-identified case only, standing recommendations, the consensus, the
// hub's names, the liability statement), the HTML page escaped, and the JSON
// export parsed back equal; bad JSON refused with a reason.
#include <catch2/catch.hpp>

#include "clinic/recommendations_doc.h"
#include "clinic/session_plan.h"
#include "store/database.h"
#include "temp_dir.h"
#include "unit/clinic/round_fixture.h"

using namespace caseroom;
using caseroom::testing::RoundClinic;

namespace {

store::Recommendation rec(const RoundClinic& c, std::int64_t caseId, std::uint32_t entry, std::int64_t who, const char* name,
                          core::Role role, const char* text, std::int64_t at) {
    store::Recommendation r;
    r.sessionId = c.session;
    r.caseId = caseId;
    r.entryId = entry;
    r.authorUserId = static_cast<std::uint64_t>(who);
    r.authorPersonId = who;
    r.authorName = name;
    r.authorRole = role;
    r.text = text;
    r.createdAt = at;
    return r;
}

struct Fixture {
    caseroom::testing::TempDir dir;
    std::unique_ptr<store::Database> db;
    std::unique_ptr<store::Records> r;
    RoundClinic c;
    Fixture() {
        auto opened = store::Database::open({.path = dir.file("clinic.db")});
        REQUIRE(opened.ok());
        db = std::move(*opened);
        r = std::make_unique<store::Records>(*db);
        c = caseroom::testing::makeRoundClinic(*r);
        const auto t = RoundClinic::kStart;
        REQUIRE(r->setSessionFacilitators(c.session, c.facilitator, 0, store::Actor{.via = "test"}, t).ok());
        REQUIRE(r->addRecommendation(rec(c, c.case1, 1, c.specialist, "Dr. Søren Ørsted", core::Role::Specialist,
                                         "Stage fibrosis first: <FibroScan> & APRI.\nThen decide.", t + 1200))
                    .ok());
        REQUIRE(r->addRecommendation(rec(c, c.case1, 2, c.lan, "Nguyễn Thị Lan", core::Role::Spoke, "withdrawn one", t + 1210)).ok());
        REQUIRE(r->withdrawRecommendation(c.session, 2, t + 1220).ok());
        REQUIRE(r->addRecommendation(rec(c, c.case2, 3, c.lan, "Nguyễn Thị Lan", core::Role::Spoke, "other case", t + 1230)).ok());
        REQUIRE(r->addRecommendation(rec(c, c.case1, 4, 0, "Guest \"Site North\"", core::Role::Spoke, "Check HBV.", t + 1240)).ok());
        REQUIRE(r->editRecommendation(c.session, 4, "Check HBV first.", t + 1250).ok());
        REQUIRE(r->writeSummary(rec(c, c.case1, 5, c.facilitator, "Dr. Ana Facilitadora", core::Role::Facilitator,
                                    "Consensus: stage, then 8 weeks.", t + 1300))
                    .ok());
        // The specialist attended; a spoke too (not a hub name).
        store::AttendanceInterval a;
        a.sessionId = c.session;
        a.personId = c.specialist;
        a.userId = static_cast<std::uint64_t>(c.specialist);
        a.displayName = "Dr. Søren Ørsted";
        a.role = core::Role::Specialist;
        a.joinedAt = t;
        REQUIRE(r->openInterval(a).ok());
        a.personId = c.lan;
        a.displayName = "Nguyễn Thị Lan";
        a.role = core::Role::Spoke;
        REQUIRE(r->openInterval(a).ok());
    }
};

} // namespace

TEST_CASE("the document carries the de-identified case, the standing recommendations, the consensus and the hub") {
    Fixture f;
    auto d = clinic::loadRecommendationsDoc(*f.r, f.c.session, f.c.case1);
    INFO((d.ok() ? std::string() : d.error().message));
    REQUIRE(d.ok());
    CHECK(d->programCode == "hcv");
    CHECK(d->sessionLocal == "2027-01-15 01:00 MST");
    CHECK(d->presenter == "Nguyễn Thị Lan");
    CHECK(d->question == "Treat now, or stage fibrosis first?");
    std::vector<std::string> names;
    for (const auto& x : d->caseFields) names.push_back(x.name);
    CHECK(names == std::vector<std::string>{"age_band", "sex", "setting", "chief_complaint", "history"});   // never the coordinator's note
    CHECK(d->caseFields[3].label.rfind("Chief complaint", 0) == 0);
    REQUIRE(d->recommendations.size() == 2);   // the withdrawn one and the other case's are not in it
    CHECK(d->recommendations[0].author == "Dr. Søren Ørsted");
    CHECK(d->recommendations[0].role == "specialist");
    CHECK(d->recommendations[1].text == "Check HBV first.");
    CHECK(d->recommendations[1].editedUtc == RoundClinic::kStart + 1250);
    REQUIRE(d->consensus.has_value());
    CHECK(d->consensus->text == "Consensus: stage, then 8 weeks.");
    CHECK(d->facilitator == "Dr. Ana Facilitadora");
    CHECK(d->specialists == std::vector<std::string>{"Dr. Søren Ørsted"});
    CHECK(d->liability == std::string(clinic::kDefaultLiability));

    auto wrong = clinic::loadRecommendationsDoc(*f.r, f.c.session, f.c.unscheduled);
    REQUIRE_FALSE(wrong.ok());
    CHECK(wrong.error().message.find("not on session") != std::string::npos);
}

TEST_CASE("the HTML page is standalone, escaped, and carries the liability statement and the hub's names") {
    Fixture f;
    REQUIRE(f.r->setProgramStatements(f.c.program, "", "No provider-patient relationship <is> created & so on.",
                                      store::Actor{.via = "test"}, 1)
                .ok());
    auto d = clinic::loadRecommendationsDoc(*f.r, f.c.session, f.c.case2);
    REQUIRE(d.ok());
    CHECK(d->question == "Which regimen with <eGFR 30>?");
    const std::string html = clinic::renderHtml(*d);
    CHECK(html.rfind("<!DOCTYPE html>", 0) == 0);
    CHECK(html.find("<script") == std::string::npos);
    CHECK(html.find("src=") == std::string::npos);
    CHECK(html.find("No provider-patient relationship &lt;is&gt; created &amp; so on.") != std::string::npos);
    CHECK(html.find("Which regimen with &lt;eGFR 30&gt;?") != std::string::npos);
    CHECK(html.find("<eGFR") == std::string::npos);
    CHECK(html.find("Ole &lt;Bull&gt; &amp; Co") != std::string::npos);   // the presenter
    CHECK(html.find("Dr. Ana Facilitadora") != std::string::npos);
    CHECK(html.find("Dr. Søren Ørsted") != std::string::npos);
    CHECK(html.find("other case") != std::string::npos);

    auto d1 = clinic::loadRecommendationsDoc(*f.r, f.c.session, f.c.case1);
    REQUIRE(d1.ok());
    const std::string h1 = clinic::renderHtml(*d1);
    CHECK(h1.find("&lt;FibroScan&gt; &amp; APRI.<br>Then decide.") != std::string::npos);
    CHECK(h1.find("Guest &quot;Site North&quot;") != std::string::npos);
    CHECK(h1.find("call before noon") == std::string::npos);
}

TEST_CASE("the JSON export parses back to the same document") {
    Fixture f;
    auto d = clinic::loadRecommendationsDoc(*f.r, f.c.session, f.c.case1);
    REQUIRE(d.ok());
    const std::string json = clinic::toJson(*d);
    CHECK(json.find("\"format\": \"caseroom-recommendations/1\"") != std::string::npos);
    std::string error;
    auto back = clinic::fromJson(json, &error);
    INFO(error);
    REQUIRE(back.has_value());
    CHECK(*back == *d);

    // Control characters, quotes, non-ASCII, and no consensus.
    clinic::RecommendationsDoc odd = *d;
    odd.consensus.reset();
    odd.question = "tab\there \"quoted\" \\ back\x01slash, emoji \xF0\x9F\x98\x80, ½";
    odd.specialists.clear();
    auto back2 = clinic::fromJson(clinic::toJson(odd), &error);
    INFO(error);
    REQUIRE(back2.has_value());
    CHECK(*back2 == odd);

    // Escapes a writer other than ours may use.
    auto doc = clinic::fromJson(R"({"format":"caseroom-recommendations/1","program":{"code":"x","name":"n","time_zone":"UTC","liability":"L"},
      "session":{"id":1,"title":"t","start_utc":0,"end_utc":1,"local":""},"case":{"id":2,"presenter":"p","question":"\u00bd \ud83d\ude00 \/","fields":[]},
      "recommendations":[],"consensus":null,"hub":{"facilitator":"","co_facilitator":"","specialists":["a"]},"extra":[1,2.5e3,true]})",
                                &error);
    INFO(error);
    REQUIRE(doc.has_value());
    CHECK(doc->question == "½ \xF0\x9F\x98\x80 /");
    CHECK(doc->specialists == std::vector<std::string>{"a"});
}

TEST_CASE("bad JSON is refused with a reason") {
    Fixture f;
    auto d = clinic::loadRecommendationsDoc(*f.r, f.c.session, f.c.case1);
    REQUIRE(d.ok());
    const std::string good = clinic::toJson(*d);
    std::string error;
    auto refused = [&](const std::string& text) {
        error.clear();
        const bool no = !clinic::fromJson(text, &error).has_value();
        INFO(text.substr(0, 80) << " -> " << error);
        CHECK_FALSE(error.empty());
        return no;
    };
    CHECK(refused(""));
    CHECK(refused("[]"));
    CHECK(refused(good.substr(0, good.size() / 2)));
    CHECK(refused(good + "x"));
    CHECK(refused("{\"format\":\"caseroom-recommendations/2\"}"));
    std::string dup = good;
    dup.insert(1, "\"format\":\"caseroom-recommendations/1\",");
    CHECK(refused(dup));
    std::string trailing = good;
    trailing.insert(trailing.rfind('}'), ",");
    CHECK(refused(trailing));
    std::string badType = good;
    const auto at = badType.find("\"id\": ");
    REQUIRE(at != std::string::npos);
    badType.replace(at, 6, "\"id\": \"1\", \"x\": ");
    CHECK(refused(badType));
    CHECK(refused(std::string("{\"format\":\"caseroom-recommendations/1\",\"a\":\"\xC3\x28\"}")));   // bad UTF-8
    CHECK(refused("{\"format\":\"\\ud800\"}"));   // a lone surrogate
    CHECK(refused("{\"format\":\"a\nb\"}"));       // a raw line break in a string
    CHECK(refused(std::string(40, '[') + std::string(40, ']')));
    CHECK(refused("{\"format\":\"caseroom-recommendations/1\", \"session\": {\"id\": 1.5}}"));
}
