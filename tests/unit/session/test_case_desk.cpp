// The case desk end to end in one process: a real SQLite file behind the
// store's writer thread, the real server core on the secure transport over
// ENet on 127.0.0.1, and client sessions holding program credentials
// (tokens for "@hcv"). Spokes submit (held with findings, fixed, accepted),
// hub members read the vetted list, spokes see only their own cases, desk
// clients never enter a room, and every refusal is on the audit trail
// without case text.
#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include <sys/wait.h>
#include <unistd.h>

#include "clinic/case_form.h"
#include "clinic/phi_screen.h"
#include "core/cli.h"
#include "net/secure/secure_transport.h"
#include "session/case_desk.h"
#include "session/client_session.h"
#include "session/server_host.h"
#include "store/database.h"
#include "store/records.h"
#include "store/writer.h"
#ifdef CASEROOM_CLIENT_EXE
#include "integration/process.h"
#include "net/secure/invitation.h"
#include "net/secure/token.h"
#endif

using namespace caseroom;
using session::ClientSession;
using session::ClientState;
using session::DeskField;

namespace {

const std::string kHistory = "Seen on 03/14/2025 at the clinic; call 555-867-5309 for the chart.";
const std::string kHistoryFixed = "Seen in 2025 at the clinic; chart reviewed by the spoke team.";

std::filesystem::path freshDir(const std::string& name) {
    const auto dir = std::filesystem::temp_directory_path() / ("caseroom_desk_" + name + "_" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    return dir;
}

struct People {
    std::int64_t lan = 0;        // spoke, presents
    std::int64_t orsted = 0;     // spoke, presents
    std::int64_t hub = 0;        // specialist
    std::int64_t stranger = 0;   // a person not on the roster
    std::int64_t program = 0;
};

People seed(const std::string& dbPath) {
    auto db = store::Database::open(store::OpenDesc{dbPath});
    REQUIRE(db.ok());
    store::Records rec(**db);
    const store::Actor admin{0, "tester", "caseroom-admin"};
    store::Program p;
    p.code = "hcv";
    p.name = "Hepatitis C ECHO";
    p.attestation = "I attest that this case is de-identified and shared with the patient's consent.";
    auto pid = rec.createProgram(p, admin, 1000);
    REQUIRE(pid.ok());
    People out;
    out.program = *pid;
    auto person = [&](const std::string& stable, const std::string& name) {
        store::Person x;
        x.stableId = stable;
        x.name = name;
        auto id = rec.upsertPerson(x, admin, 1000);
        REQUIRE(id.ok());
        return *id;
    };
    out.lan = person("npi-1", "Nguyễn Thị Lan");
    out.orsted = person("npi-2", "Hans Ørsted");
    out.hub = person("npi-3", "Amara Okafor");
    out.stranger = person("npi-4", "Pat Stranger");
    REQUIRE(rec.setRoster(store::RosterEntry{out.program, out.lan, core::Role::Spoke, true}, admin, 1000).ok());
    REQUIRE(rec.setRoster(store::RosterEntry{out.program, out.orsted, core::Role::Spoke, true}, admin, 1000).ok());
    REQUIRE(rec.setRoster(store::RosterEntry{out.program, out.hub, core::Role::Specialist, true}, admin, 1000).ok());
    return out;
}

// A filled form for the program's (default) template.
std::vector<DeskField> caseForm(const std::string& history, const std::string& complaint = "Fatigue and ALT 54 after treatment") {
    return {{"age_band", "60-69"},       {"sex", "male"},
            {"setting", "rural"}, {"chief_complaint", complaint},
            {"history", history},        {"medications", "sofosbuvir 400 mg daily"},
            {"labs", "ALT 54, HbA1c 7.2%"},  {"question", "Retreat now or wait for the next panel?"}};
}

struct DeskWorld {
    std::filesystem::path dir;
    std::string dbPath;
    People people;
    session::MemoryAudit audit;
    std::unique_ptr<store::Writer> writer;
    std::unique_ptr<session::CaseDesk> desk;
    net::secure::SystemRandom random;
    net::secure::Key secret{};
    std::unique_ptr<net::secure::SecureTransport> serverT;
    std::unique_ptr<session::ServerHost> server;
    std::vector<std::unique_ptr<net::secure::SecureTransport>> clientT;
    std::vector<std::unique_ptr<ClientSession>> clients;
    net::Address address;
    std::chrono::steady_clock::time_point t0 = std::chrono::steady_clock::now();

    explicit DeskWorld(const std::string& name, double idleSeconds = 300.0) : dir(freshDir(name)), dbPath((dir / "clinic.db").string()) {
        people = seed(dbPath);
        auto w = store::Writer::start(store::OpenDesc{dbPath});
        REQUIRE(w.ok());
        writer = std::move(*w);
        session::CaseDeskConfig dc;
        dc.audit = &audit;
        dc.unixClock = [] { return static_cast<std::int64_t>(core::cli::unixSecondsNow()); };
        dc.idleSeconds = idleSeconds;
        desk = std::make_unique<session::CaseDesk>(*writer, dc);
        writer->flush();

        (void)net::secure::initCrypto();
        random.fill(secret);
        net::secure::SecureServerDesc d;
        d.enet.bind = {"127.0.0.1", 0};
        d.keys = net::secure::Keyring(secret);
        d.unixClock = core::cli::unixSecondsNow;
        d.handshake.roomHosted = [this](std::string_view room) { return room == "demo" || desk->hostsDeskRoom(room); };
        auto t = net::secure::SecureTransport::createServer(std::move(d), random);
        REQUIRE(t.ok());
        serverT = std::move(*t);
        address = {"127.0.0.1", serverT->boundPort()};
        session::ServerConfig cfg;
        cfg.rooms = {sim::RoomSpec{}};
        cfg.audit = &audit;
        cfg.desk = desk.get();
        server = std::make_unique<session::ServerHost>(*serverT, cfg);
        server->update(now()); // the desk learns the program codes
    }
    ~DeskWorld() {
        clients.clear();
        server.reset();
        serverT.reset();
        desk.reset();
        writer.reset();
        std::error_code ec;
        std::filesystem::remove_all(dir, ec);
    }
    double now() const { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(); }

    ClientSession& connect(std::int64_t person, const std::string& name, core::Role role, const std::string& tokenRoom = "@hcv",
                           const std::string& askRoom = "") {
        net::secure::MintDesc m;
        m.userId = static_cast<std::uint64_t>(person);
        m.displayName = name;
        m.roomCode = tokenRoom;
        m.role = role;
        m.nowUnix = core::cli::unixSecondsNow();
        auto token = net::secure::mintToken(m, secret, random);
        REQUIRE(token.ok());
        auto t = net::secure::SecureTransport::createClient(*token, random);
        REQUIRE(t.ok());
        clientT.push_back(std::move(*t));
        session::ClientDesc cd;
        cd.roomCode = askRoom.empty() ? tokenRoom : askRoom;
        cd.displayName = name;
        cd.role = role;
        cd.blobCacheDir = dir / "cache";
        clients.push_back(std::make_unique<ClientSession>(*clientT.back(), cd));
        clients.back()->connect(address, now());
        return *clients.back();
    }
    void step() {
        const double t = now();
        for (auto& c : clients) c->update(t);
        server->update(t);
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    bool until(double seconds, const std::function<bool()>& pred) {
        const double end = now() + seconds;
        while (now() < end) {
            step();
            if (pred()) return true;
        }
        return false;
    }
    bool atDesk(ClientSession& c) { return until(15.0, [&] { return c.state() == ClientState::AtDesk; }); }
    // The receipt answering `request`, waiting for it.
    const net::CaseReceipt* receipt(ClientSession& c, std::uint32_t request) {
        const net::CaseReceipt* found = nullptr;
        until(20.0, [&] {
            for (const auto& r : c.desk().receipts)
                if (r.request == request) found = &r;
            return found != nullptr;
        });
        return found;
    }
    std::uint64_t submitClean(ClientSession& c, const std::string& complaint) {
        const std::uint32_t req = c.submitCase(0, caseForm(kHistoryFixed, complaint), true);
        REQUIRE(req != 0);
        const net::CaseReceipt* r = receipt(c, req);
        REQUIRE(r);
        REQUIRE(r->verdict == net::CaseVerdict::Accepted);
        return r->caseId;
    }
    std::size_t refusalsFor(std::int64_t person, const std::string& what) const {
        std::size_t n = 0;
        for (const auto& e : audit.entries)
            if (e.kind == session::AuditKind::IntentRefused && e.userId == static_cast<std::uint64_t>(person) &&
                e.what.find(what) != std::string::npos)
                ++n;
        return n;
    }
};

} // namespace

TEST_CASE("forms are cut into pieces within the wire's bounds and put back whole", "[session][desk][wire]") {
    const std::vector<DeskField> fields{{"age_band", "60-69"}, {"history", std::string(2000, 'h')}, {"empty", ""}, {"labs", "ALT 54\nAST 40"}};
    const auto groups = session::packPieces(fields, net::kCasePieceBytes);
    REQUIRE(groups.size() == 3); // 5 + 2000 + 0 + 13 bytes in groups of 768
    session::PieceAssembler back(net::kMaxCaseFields, net::kMaxCaseValue);
    for (const auto& g : groups) {
        std::size_t text = 0;
        for (const auto& p : g) text += p.text.size();
        CHECK(text <= net::kCasePieceBytes);
        CHECK(g.size() <= net::kMaxCasePieces);
        REQUIRE(back.add(g));
    }
    CHECK(back.fields() == fields);

    // Every part of a submission encodes; the last carries the attestation.
    auto parts = session::splitSubmission(7, 0, fields, true, {});
    REQUIRE(parts);
    REQUIRE(parts->size() == 3);
    CHECK(parts->back().last);
    CHECK(parts->back().attested);
    for (const auto& p : *parts) CHECK_FALSE(net::encodeMessage(net::Message{p}).empty());
    // A carriage return becomes a space on the way (the wire refuses it).
    auto cr = session::splitSubmission(8, 0, {{"history", "a\r\nb"}}, true, {});
    REQUIRE(cr);
    CHECK(cr->front().pieces.front().text == "a \nb");

    // Bounds: a continuation of nothing or of another field, too many fields, too long a value.
    session::PieceAssembler strict(2, 10);
    CHECK_FALSE(strict.add({{"x", true, "a"}}));
    session::PieceAssembler other(2, 10);
    CHECK_FALSE(other.add({{"x", false, "a"}, {"y", true, "b"}}));
    session::PieceAssembler few(2, 10);
    CHECK_FALSE(few.add({{"a", false, ""}, {"b", false, ""}, {"c", false, ""}}));
    session::PieceAssembler shortValues(2, 10);
    CHECK_FALSE(shortValues.add({{"a", false, "123456"}, {"a", true, "78901"}}));
    std::string why;
    CHECK_FALSE(session::splitSubmission(9, 0, std::vector<DeskField>(net::kMaxCaseFields + 1, DeskField{"f", "v"}), true, {}, &why));
    CHECK(why.find("fields") != std::string::npos);

    // Summaries' titles: one line, cut at a UTF-8 boundary.
    CHECK(session::singleLine("Nguy\xe1\xbb\x85n\nLan", 6) == "Nguy");
    CHECK(session::singleLine("a\tb", 10) == "a b");
}

TEST_CASE("a spoke's case is held for its PHI findings, then fixed and accepted", "[session][desk]") {
    DeskWorld w("held");
    ClientSession& lan = w.connect(w.people.lan, "Nguyễn Thị Lan", core::Role::Spoke);
    REQUIRE(w.atDesk(lan));
    CHECK(w.server->room("demo")->population() == 0); // no avatar, no room slot
    CHECK(w.server->clientCount() == 1);

    // The program's form: the template the window builds its fields from, and the attestation.
    const std::uint32_t formReq = lan.queryCases(net::CaseQueryKind::Form);
    REQUIRE(formReq != 0);
    REQUIRE(w.until(20.0, [&] { return lan.desk().form.has_value(); }));
    CHECK(lan.desk().form->program == "Hepatitis C ECHO");
    CHECK(lan.desk().form->attestation.find("de-identified") != std::string::npos);
    auto form = clinic::parseFormTemplate(lan.desk().form->templateText, "served template");
    REQUIRE(form.ok());
    CHECK(form->find("history") != nullptr);

    // Held: a date and a phone number in the history.
    const std::uint32_t first = lan.submitCase(0, caseForm(kHistory), true);
    REQUIRE(first != 0);
    const net::CaseReceipt* held = w.receipt(lan, first);
    REQUIRE(held);
    REQUIRE(held->verdict == net::CaseVerdict::Held);
    CHECK(held->status == static_cast<std::uint32_t>(store::CaseStatus::Held));
    CHECK(held->caseId > 0);
    REQUIRE(held->totalFindings >= 2);
    bool date = false, phone = false;
    for (const auto& f : held->findings) {
        CHECK(f.field == "history");
        const std::string span = kHistory.substr(f.begin, f.end - f.begin);
        if (f.kind == static_cast<std::uint32_t>(clinic::PhiKind::Date)) date = span.find("03/14/2025") != std::string::npos;
        if (f.kind == static_cast<std::uint32_t>(clinic::PhiKind::Phone)) phone = span.find("867-5309") != std::string::npos;
    }
    CHECK(date);
    CHECK(phone);
    const std::uint64_t caseId = held->caseId;

    // Fixed and sent again: accepted, the same case now submitted.
    const std::uint32_t second = lan.submitCase(caseId, caseForm(kHistoryFixed), true);
    const net::CaseReceipt* ok = w.receipt(lan, second);
    REQUIRE(ok);
    CHECK(ok->verdict == net::CaseVerdict::Accepted);
    CHECK(ok->caseId == caseId);
    CHECK(ok->status == static_cast<std::uint32_t>(store::CaseStatus::Submitted));
    CHECK(ok->findings.empty());

    // My cases: one, submitted, titled by its chief complaint.
    lan.queryCases(net::CaseQueryKind::Mine);
    REQUIRE(w.until(20.0, [&] { return lan.desk().mineLoaded; }));
    REQUIRE(lan.desk().mine.size() == 1);
    CHECK(lan.desk().mine[0].id == caseId);
    CHECK(lan.desk().mine[0].status == static_cast<std::uint32_t>(store::CaseStatus::Submitted));
    CHECK(lan.desk().mine[0].title == "Fatigue and ALT 54 after treatment");
    CHECK(lan.desk().mine[0].presenter == "Nguyễn Thị Lan");

    // And in the database, committed: the fixed text, no findings, the presenter and the attestation.
    w.writer->flush();
    auto db = store::Database::open(store::OpenDesc{w.dbPath});
    REQUIRE(db.ok());
    store::Records rec(**db);
    auto c = rec.caseRecord(static_cast<std::int64_t>(caseId));
    REQUIRE(c.ok());
    CHECK(c->status == store::CaseStatus::Submitted);
    CHECK(c->presenterId == w.people.lan);
    CHECK(c->attestedAt > 0);
    CHECK(c->findings.empty());
    bool sawHistory = false;
    for (const auto& f : c->fields)
        if (f.name == "history") { sawHistory = true; CHECK(f.value == kHistoryFixed); }
    CHECK(sawHistory);
    // No case text and no finding's text on the audit trail.
    for (const auto& e : w.audit.entries) {
        CHECK(e.what.find("867-5309") == std::string::npos);
        CHECK(e.outcome.find("867-5309") == std::string::npos);
        CHECK(e.newValue.find("867-5309") == std::string::npos);
    }
}

TEST_CASE("a long history travels in many parts and comes back whole", "[session][desk]") {
    DeskWorld w("long");
    ClientSession& lan = w.connect(w.people.lan, "Nguyễn Thị Lan", core::Role::Spoke);
    REQUIRE(w.atDesk(lan));
    std::string history;
    while (history.size() < 3900) history += "Follow-up visit, labs stable, no new complaints.\n";
    history.resize(3900);
    const std::uint32_t req = lan.submitCase(0, caseForm(history), true);
    REQUIRE(req != 0);
    const net::CaseReceipt* r = w.receipt(lan, req);
    REQUIRE(r);
    REQUIRE(r->verdict == net::CaseVerdict::Accepted);
    lan.queryCases(net::CaseQueryKind::Case, r->caseId);
    REQUIRE(w.until(20.0, [&] { return lan.desk().openCase.has_value(); }));
    const auto& fields = lan.desk().openCase->fields;
    const auto it = std::find_if(fields.begin(), fields.end(), [](const DeskField& f) { return f.name == "history"; });
    REQUIRE(it != fields.end());
    CHECK(it->value == history);
    CHECK(lan.desk().openCase->attested);

    // Over the wire's bounds: refused before anything is sent.
    std::string why;
    CHECK(lan.submitCase(0, caseForm(std::string(net::kMaxCaseValue + 1, 'x')), true, {}, &why) == 0);
    CHECK(why.find("history") != std::string::npos);
}

TEST_CASE("hub members read the vetted list; spokes see only their own cases; refusals are audited", "[session][desk]") {
    DeskWorld w("vetted");
    ClientSession& lan = w.connect(w.people.lan, "Nguyễn Thị Lan", core::Role::Spoke);
    ClientSession& orsted = w.connect(w.people.orsted, "Hans Ørsted", core::Role::Spoke);
    REQUIRE(w.atDesk(lan));
    REQUIRE(w.atDesk(orsted));
    const std::uint64_t lanCase = w.submitClean(lan, "Cirrhosis work-up");
    const std::uint64_t orstedCase = w.submitClean(orsted, "Genotype 3 retreatment");

    // The coordinator vets Lan's case (as caseroom-admin would, on its own connection).
    w.writer->flush();
    {
        auto db = store::Database::open(store::OpenDesc{w.dbPath});
        REQUIRE(db.ok());
        store::Records rec(**db);
        auto c = rec.caseRecord(static_cast<std::int64_t>(lanCase));
        REQUIRE(c.ok());
        c->status = store::CaseStatus::Vetted;
        REQUIRE(rec.saveCase(*c, store::Actor{0, "coordinator", "caseroom-admin"}, 2000).ok());
    }

    // The specialist sees it (and only it) in the vetted list, and may read it.
    ClientSession& hub = w.connect(w.people.hub, "Amara Okafor", core::Role::Specialist);
    REQUIRE(w.atDesk(hub));
    hub.queryCases(net::CaseQueryKind::Vetted);
    REQUIRE(w.until(20.0, [&] { return hub.desk().vettedLoaded; }));
    REQUIRE(hub.desk().vetted.size() == 1);
    CHECK(hub.desk().vetted[0].id == lanCase);
    CHECK(hub.desk().vetted[0].presenter == "Nguyễn Thị Lan");
    CHECK(hub.desk().vetted[0].title == "Cirrhosis work-up");
    hub.queryCases(net::CaseQueryKind::Case, lanCase);
    REQUIRE(w.until(20.0, [&] { return hub.desk().openCase.has_value(); }));
    CHECK(hub.desk().openCase->header.id == lanCase);
    CHECK(hub.desk().openCase->fields.size() == caseForm("").size());
    // Orsted's submitted case is not the hub's to read before it is vetted.
    const std::uint32_t early = hub.queryCases(net::CaseQueryKind::Case, orstedCase);
    const net::CaseReceipt* notYet = w.receipt(hub, early);
    REQUIRE(notYet);
    CHECK(notYet->reason == net::CaseRefusal::UnknownCase);

    // A spoke may not list the vetted cases, nor read another spoke's case; their own list holds only their own.
    const std::uint32_t vettedReq = orsted.queryCases(net::CaseQueryKind::Vetted);
    const net::CaseReceipt* noList = w.receipt(orsted, vettedReq);
    REQUIRE(noList);
    CHECK(noList->verdict == net::CaseVerdict::Refused);
    CHECK(noList->reason == net::CaseRefusal::NotPermitted);
    const std::uint32_t peek = orsted.queryCases(net::CaseQueryKind::Case, lanCase);
    const net::CaseReceipt* noPeek = w.receipt(orsted, peek);
    REQUIRE(noPeek);
    CHECK(noPeek->reason == net::CaseRefusal::UnknownCase);
    // ... nor submit over it.
    const std::uint32_t over = orsted.submitCase(lanCase, caseForm(kHistoryFixed), true);
    const net::CaseReceipt* noEdit = w.receipt(orsted, over);
    REQUIRE(noEdit);
    CHECK(noEdit->reason == net::CaseRefusal::UnknownCase);
    orsted.queryCases(net::CaseQueryKind::Mine);
    REQUIRE(w.until(20.0, [&] { return orsted.desk().mineLoaded; }));
    REQUIRE(orsted.desk().mine.size() == 1);
    CHECK(orsted.desk().mine[0].id == orstedCase);

    // Not attested: refused. Not on the roster: refused.
    const std::uint32_t unattested = orsted.submitCase(0, caseForm(kHistoryFixed), false);
    const net::CaseReceipt* noAttest = w.receipt(orsted, unattested);
    REQUIRE(noAttest);
    CHECK(noAttest->reason == net::CaseRefusal::NotAttested);
    ClientSession& stranger = w.connect(w.people.stranger, "Pat Stranger", core::Role::Spoke);
    REQUIRE(w.atDesk(stranger));
    const std::uint32_t sreq = stranger.submitCase(0, caseForm(kHistoryFixed), true);
    const net::CaseReceipt* noRoster = w.receipt(stranger, sreq);
    REQUIRE(noRoster);
    CHECK(noRoster->reason == net::CaseRefusal::NotOnRoster);

    // Every refusal is on the audit trail, naming the person and the desk room.
    CHECK(w.refusalsFor(w.people.orsted, "list vetted cases") == 1);
    CHECK(w.refusalsFor(w.people.orsted, "read case " + std::to_string(lanCase)) == 1);
    CHECK(w.refusalsFor(w.people.orsted, "submit case " + std::to_string(lanCase)) == 1);
    CHECK(w.refusalsFor(w.people.orsted, "submit a new case") == 1);
    CHECK(w.refusalsFor(w.people.stranger, "submit a new case") == 1);
    CHECK(w.refusalsFor(w.people.hub, "read case " + std::to_string(orstedCase)) == 1);
    for (const auto& e : w.audit.entries)
        if (e.kind == session::AuditKind::IntentRefused) {
            CHECK(e.room == "@hcv");
            CHECK(e.outcome.find("Seen in 2025") == std::string::npos);
        }
}

TEST_CASE("a desk client never enters a room, and unknown programs are refused at the handshake", "[session][desk]") {
    DeskWorld w("noroom");
    // The desk token asked to join the room: refused and audited; nobody is in the room.
    ClientSession& sneaky = w.connect(w.people.lan, "Nguyễn Thị Lan", core::Role::Spoke, "@hcv", "demo");
    REQUIRE(w.until(15.0, [&] { return sneaky.state() == ClientState::Refused; }));
    CHECK(sneaky.statusText().find("case desk") != std::string::npos);
    CHECK(w.server->room("demo")->population() == 0);
    CHECK(w.refusalsFor(w.people.lan, "join room 'demo' with a program credential") == 1);

    // A program the database does not hold: the handshake refuses the token.
    ClientSession& lost = w.connect(w.people.lan, "Nguyễn Thị Lan", core::Role::Spoke, "@nosuch");
    REQUIRE(w.until(15.0, [&] { return lost.state() == ClientState::Refused || lost.state() == ClientState::Disconnected; }));
    CHECK(lost.state() != ClientState::AtDesk);

    // A room member cannot use the desk: a desk message from it is bad input (dropped, counted).
    ClientSession& member = w.connect(w.people.hub, "Amara Okafor", core::Role::Specialist, "demo");
    REQUIRE(w.until(15.0, [&] { return member.state() == ClientState::InRoom; }));
    CHECK(member.queryCases(net::CaseQueryKind::Vetted) == 0); // the session does not even try
    const auto malformed = w.server->counters().malformed;
    net::WriteStream ws;
    REQUIRE(net::encodeMessage(net::CaseQuery{9, net::CaseQueryKind::Vetted, 0}, ws));
    const auto bytes = ws.finish();
    REQUIRE(w.clientT.back()->send(core::PeerId{1} /* the secure client's one peer: the server */, net::Channel::Control, bytes, true));
    REQUIRE(w.until(10.0, [&] { return w.server->counters().malformed > malformed; }));
    CHECK(member.desk().receipts.empty());
}

TEST_CASE("a desk client streaming parts that never finish is dropped when idle", "[session][desk]") {
    DeskWorld w("idle", 2.0); // idle: 2 s without a completed request
    ClientSession& c = w.connect(w.people.lan, "Nguyễn Thị Lan", core::Role::Spoke);
    REQUIRE(w.atDesk(c));
    const auto dropped = w.server->counters().peersDropped;
    net::WriteStream ws;
    net::CaseSubmit part;
    part.request = 7;
    part.part = 0;
    part.last = false; // a submission's first part, again and again: never a request
    REQUIRE(net::encodeMessage(part, ws));
    const auto bytes = ws.finish();
    double nextSend = 0;
    const bool gone = w.until(60.0, [&] {
        if (w.now() >= nextSend) {
            (void)w.clientT.back()->send(core::PeerId{1} /* the server */, net::Channel::Control, bytes, true);
            nextSend = w.now() + 0.2;
        }
        return w.server->counters().peersDropped > dropped;
    });
    CHECK(gone);
    CHECK(w.server->clientCount() == 0);
}

#ifdef CASEROOM_CLIENT_EXE
// The shipped client, headless: `caseroom --headless --submit-case FILE CREDENTIAL`
// against the desk above (the server is pumped here while the client runs).
TEST_CASE("caseroom --headless --submit-case prints the receipt: accepted, held findings as JSON lines, refused", "[session][desk][process]") {
    DeskWorld w("headless");
    // The credential: a token file for "@hcv" (a .caseroom invitation carries the same token and the address).
    net::secure::MintDesc m;
    m.userId = static_cast<std::uint64_t>(w.people.lan);
    m.displayName = "Nguyễn Thị Lan";
    m.roomCode = "@hcv";
    m.role = core::Role::Spoke;
    m.nowUnix = core::cli::unixSecondsNow();
    auto token = net::secure::mintToken(m, w.secret, w.random);
    REQUIRE(token.ok());
    const std::string tokenPath = (w.dir / "lan.token").string();
    REQUIRE(net::secure::writeTokenFile(tokenPath, *token).ok());
    auto formFile = [&](const std::string& name, const std::string& history) {
        std::vector<clinic::FilledField> fields;
        for (const auto& f : caseForm(history)) fields.push_back(clinic::FilledField{f.name, f.value});
        const std::string path = (w.dir / name).string();
        std::ofstream(path) << clinic::formatFilledForm(fields);
        return path;
    };
    const std::string server = "127.0.0.1:" + std::to_string(w.address.port);
    auto run = [&](std::vector<std::string> extra, std::string& out) {
        std::vector<std::string> args{CASEROOM_CLIENT_EXE, "--headless"};
        args.insert(args.end(), extra.begin(), extra.end());
        const std::string log = (w.dir / "client.out").string();
        const pid_t pid = testing::spawnLogged(args, log);
        REQUIRE(pid > 0);
        int status = 0, rc = -1;
        const double end = w.now() + 60.0;
        while (w.now() < end) {
            w.step();
            if (waitpid(pid, &status, WNOHANG) == pid) { rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128; break; }
        }
        if (rc < 0) { kill(pid, SIGKILL); waitpid(pid, &status, 0); }
        out = testing::slurp(log);
        return rc;
    };
    std::string out;
    CHECK(run({"--submit-case", formFile("held.case", kHistory), tokenPath, "--connect", server, "--attest"}, out) == 1);
    INFO(out);
    CHECK(out.find("\"field\":\"history\"") != std::string::npos);
    CHECK(out.find("\"kind\":\"date\"") != std::string::npos);
    CHECK(out.find("\"kind\":\"phone\"") != std::string::npos);
    CHECK(out.find("867-5309") == std::string::npos); // spans, never the text
    CHECK(run({"--submit-case", formFile("clean.case", kHistoryFixed), tokenPath, "--connect", server, "--attest"}, out) == 0);
    CHECK(out.find("accepted case ") != std::string::npos);
    CHECK(run({"--submit-case", formFile("unattested.case", kHistoryFixed), tokenPath, "--connect", server}, out) == 2);
    CHECK(out.find("refused: the attestation was not given") != std::string::npos);
    CHECK(run({"--submit-case", (w.dir / "missing.case").string(), tokenPath, "--connect", server}, out) == 2);
    CHECK(out.find("missing.case") != std::string::npos);

    // The program credential as caseroom-admin hands it out: an invitation of kind "program" (it names the server).
    net::secure::Invitation inv;
    inv.host = "127.0.0.1";
    inv.port = w.address.port;
    inv.room = "@hcv";
    inv.kind = "program";
    inv.token = *token;
    const std::string invPath = (w.dir / "lan-hcv.caseroom").string();
    REQUIRE(net::secure::writeInvitationFile(invPath, inv, "Hepatitis C ECHO, program credential").ok());
    CHECK(run({"--submit-case", formFile("via-invitation.case", kHistoryFixed), invPath, "--attest"}, out) == 0);
    CHECK(out.find("accepted case ") != std::string::npos);
}
#endif
