// [SECTION] outcomes and helpers (writer thread)
// [SECTION] jobs: submit, query, program codes (writer thread)
// [SECTION] the desk (server thread)
#include "session/case_desk.h"

#include <algorithm>
#include <map>

#include "clinic/case_form.h"
#include "clinic/case_workflow.h"
#include "clinic/phi_screen.h"
#include "core/log.h"
#include "sim/permissions.h"
#include "store/records.h"
#include "store/writer.h"

namespace caseroom::session {

static_assert(static_cast<std::uint32_t>(store::CaseStatus::Count) <= net::kMaxCaseStatus + 1, "case states fit the wire");
static_assert(static_cast<std::uint32_t>(clinic::PhiKind::Count) <= net::kMaxPhiKind + 1, "PHI kinds fit the wire");

// ---- [SECTION] outcomes and helpers (writer thread) ---------------------------

// What a job found. Written by the job on the writer thread, read by its
// reply on the server thread after the batch committed (the writer's queue
// orders the two). A job may run twice (a failed batch is retried job by
// job), so it starts from a fresh Outcome each time.
struct CaseDesk::Outcome {
    std::uint32_t request = 0;
    std::vector<net::Message> replies;   // in order
    bool refused = false;
    std::string auditWhat, auditOutcome; // refusals: no case text, no findings' text
    bool failed = false;                 // the job's Status: rolled back, answered StoreFailed
    std::string error;
    bool accepted = false, held = false;
    std::vector<std::string> programs;   // refreshPrograms

    void refuse(net::CaseRefusal why, std::string what, std::string outcome, std::string detail = {}) {
        refused = true;
        auditWhat = std::move(what);
        auditOutcome = std::move(outcome);
        net::CaseReceipt r;
        r.request = request;
        r.verdict = net::CaseVerdict::Refused;
        r.reason = why;
        r.detail = singleLine(detail, net::kMaxReasonText);
        replies = {std::move(r)};
    }
    void fail(std::string why) {
        failed = true;
        error = std::move(why);
    }
};

namespace {

using store::CaseStatus;

// Who asks, as the job needs it (copied into the job).
struct Asker {
    std::string code;             // program code (the room without '@')
    std::int64_t personId = 0;
    std::int64_t now = 0;         // unix seconds
    store::Actor actor() const { return store::Actor{personId, {}, "client"}; }
};

struct Membership {
    store::Program program;
    core::Role role = core::Role::Observer;
};

// The program and the person's roster role; false (the outcome refused) when
// the program is unknown or the person is not on its roster (or inactive).
bool membership(store::Records& rec, const Asker& a, CaseDesk::Outcome& o, const std::string& what, Membership& m) {
    auto prog = rec.programByCode(a.code);
    if (!prog) {
        o.refuse(net::CaseRefusal::NoProgram, what, "refused: no program '" + a.code + "'");
        return false;
    }
    m.program = std::move(*prog);
    auto entry = rec.rosterEntry(m.program.id, a.personId);
    if (!entry) {
        o.fail(entry.error().message);
        return false;
    }
    if (!*entry || !(*entry)->active) {
        o.refuse(net::CaseRefusal::NotOnRoster, what, "refused: not on the roster of '" + a.code + "'");
        return false;
    }
    m.role = (*entry)->role;
    return true;
}

std::string roleWords(core::Role r) { return core::toString(r); }

std::string formText(const store::Program& p) { return p.formTemplate.empty() ? clinic::defaultFormTemplateText() : p.formTemplate; }

std::uint32_t wireKind(std::string_view kind) {
    const auto k = clinic::phiKindFromString(kind);
    return k ? static_cast<std::uint32_t>(*k) : net::kMaxPhiKind;
}

// The first kMaxWireFindings findings the wire can carry (spans past the wire's
// value bound are left to the full listing).
std::vector<net::WireFinding> wireFindings(const std::vector<store::CaseFinding>& all, std::size_t from = 0) {
    std::vector<net::WireFinding> out;
    for (std::size_t i = from; i < all.size() && out.size() < net::kMaxWireFindings; ++i) {
        const store::CaseFinding& f = all[i];
        if (f.end > net::kMaxCaseValue || f.begin > f.end || f.field.size() > net::kMaxCaseFieldName) continue;
        out.push_back(net::WireFinding{f.field, f.begin, f.end, wireKind(f.kind)});
    }
    return out;
}

std::string caseTitle(const std::vector<store::CaseField>& fields) {
    for (const char* name : {"chief_complaint", "title", "question"})
        for (const auto& f : fields)
            if (f.name == name && !f.value.empty()) return singleLine(f.value, net::kMaxCaseTitle);
    for (const auto& f : fields)
        if (!f.value.empty()) return singleLine(f.value, net::kMaxCaseTitle);
    return {};
}

class Names {
public:
    explicit Names(store::Records& rec) : rec_(rec) {}
    const std::string& of(std::int64_t personId) {
        auto it = names_.find(personId);
        if (it != names_.end()) return it->second;
        auto p = rec_.person(personId);
        return names_[personId] = p ? singleLine(p->name, net::kMaxDisplayName) : "person " + std::to_string(personId);
    }

private:
    store::Records& rec_;
    std::map<std::int64_t, std::string> names_;
};

net::CaseSummary summary(const store::CaseRecord& c, Names& names, bool withFindings) {
    net::CaseSummary s;
    s.id = static_cast<std::uint64_t>(c.id);
    s.status = static_cast<std::uint32_t>(c.status);
    s.presenter = names.of(c.presenterId);
    s.title = caseTitle(c.fields);
    s.findings = withFindings ? static_cast<std::uint32_t>(std::min<std::size_t>(c.findings.size(), 0xFFFF)) : 0;
    return s;
}

void listSummaries(CaseDesk::Outcome& o, net::CaseQueryKind what, const std::vector<net::CaseSummary>& all) {
    std::size_t at = 0;
    std::uint32_t part = 0;
    do {
        net::CaseListing l;
        l.request = o.request;
        l.what = what;
        l.part = part++;
        const std::size_t n = std::min<std::size_t>(net::kMaxCaseSummaries, all.size() - at);
        l.cases.assign(all.begin() + static_cast<std::ptrdiff_t>(at), all.begin() + static_cast<std::ptrdiff_t>(at + n));
        at += n;
        l.last = at >= all.size();
        o.replies.push_back(std::move(l));
    } while (at < all.size());
}

// Pieces (and, for a case, header and findings) over as many parts as needed.
void listPieces(CaseDesk::Outcome& o, net::CaseQueryKind what, const std::vector<DeskField>& fields, const net::CaseSummary* header,
                bool attested, const std::vector<store::CaseFinding>* findings) {
    std::vector<DeskField> clean = fields;
    for (DeskField& f : clean) f.value = wireCaseText(f.value);
    auto groups = packPieces(clean, net::kListingPieceBytes);
    std::vector<std::vector<net::WireFinding>> found;
    if (findings)
        for (std::size_t at = 0; at < findings->size(); at += net::kMaxWireFindings) found.push_back(wireFindings(*findings, at));
    const std::size_t parts = std::max(groups.size(), found.size());
    for (std::size_t i = 0; i < parts; ++i) {
        net::CaseListing l;
        l.request = o.request;
        l.what = what;
        l.part = static_cast<std::uint32_t>(std::min<std::size_t>(i, 0xFFFF));
        l.last = i + 1 == parts;
        if (i < groups.size()) l.pieces = std::move(groups[i]);
        if (i < found.size()) l.findings = std::move(found[i]);
        if (header) l.header = *header;
        l.attested = attested;
        o.replies.push_back(std::move(l));
    }
}

// ---- [SECTION] jobs: submit, query, program codes (writer thread) --------------

struct Submission {
    std::uint64_t caseId = 0;
    std::vector<DeskField> fields;
    bool attested = false;
    std::vector<core::ContentHash> decks;
};

void submitJob(store::Records& rec, CaseDesk::Outcome& o, const Asker& a, const Submission& s) {
    const std::string what = s.caseId ? "submit case " + std::to_string(s.caseId) + " again" : "submit a new case";
    Membership m;
    if (!membership(rec, a, o, what, m)) return;
    if (!sim::permitted(m.role, sim::Action::PresentCase)) {
        o.refuse(net::CaseRefusal::NotPermitted, what, "refused: not permitted for " + roleWords(m.role));
        return;
    }
    auto form = clinic::parseFormTemplate(formText(m.program), "the form template of program '" + a.code + "'");
    if (!form) {
        o.refuse(net::CaseRefusal::Invalid, what, "refused: the program's form template does not parse", form.error().message);
        return;
    }
    std::vector<clinic::FilledField> filled;
    filled.reserve(s.fields.size());
    for (const DeskField& f : s.fields) filled.push_back(clinic::FilledField{f.name, f.value});
    // The problems go back to the presenter only (they may quote the presenter's own text); the audit names the count.
    if (const auto problems = clinic::validateForm(*form, filled); !problems.empty()) {
        o.refuse(net::CaseRefusal::Invalid, what, "refused: the form does not match the template (" + std::to_string(problems.size()) + " problem(s))",
                 problems.front());
        return;
    }
    if (!s.attested) {
        o.refuse(net::CaseRefusal::NotAttested, what, "refused: not attested");
        return;
    }

    // The PHI screen over every screened text field, with the roster's names.
    clinic::ScreenContext ctx;
    if (auto roster = rec.roster(m.program.id)) {
        for (const store::RosterEntry& e : *roster)
            if (auto p = rec.person(e.personId)) ctx.knownNames.push_back(p->name);
    } else {
        o.fail(roster.error().message);
        return;
    }
    const std::vector<std::string> names = clinic::screenedFieldNames(*form, filled);
    std::vector<clinic::ScreenField> screened;
    for (const DeskField& f : s.fields)
        if (std::find(names.begin(), names.end(), f.name) != names.end()) screened.push_back(clinic::ScreenField{f.name, f.value});
    std::vector<store::CaseFinding> findings;
    for (const clinic::PhiFinding& f : clinic::screen(screened, ctx)) findings.push_back(store::CaseFinding{f.field, f.begin, f.end, clinic::toString(f.kind)});
    const CaseStatus to = findings.empty() ? CaseStatus::Submitted : CaseStatus::Held;

    clinic::MoveContext move;
    move.role = m.role;
    move.isPresenter = true;
    move.attested = true;
    store::CaseRecord c;
    if (s.caseId == 0) {
        if (const auto t = clinic::mayMove(CaseStatus::Draft, CaseStatus::Submitted, move); !t.ok) {
            o.refuse(net::CaseRefusal::NotPermitted, what, "refused: " + t.reason, t.reason);
            return;
        }
        c.programId = m.program.id;
        c.presenterId = a.personId;
        c.createdAt = a.now;
    } else {
        auto found = rec.caseRecord(static_cast<std::int64_t>(s.caseId));
        if (!found || found->programId != m.program.id || found->presenterId != a.personId) {
            o.refuse(net::CaseRefusal::UnknownCase, what,
                     !found ? "refused: no such case" : found->programId != m.program.id ? "refused: a case of another program" : "refused: not the presenter");
            return;
        }
        c = std::move(*found);
        // Held -> Submitted is the presenter's move once the screen passes; a
        // case that is still held stays held with its new findings; a
        // submitted case may be changed until it is vetted (screened again).
        if (c.status == CaseStatus::Held && to == CaseStatus::Submitted) {
            if (const auto t = clinic::mayMove(CaseStatus::Held, CaseStatus::Submitted, move); !t.ok) {
                o.refuse(net::CaseRefusal::NotPermitted, what, "refused: " + t.reason, t.reason);
                return;
            }
        } else if (c.status == CaseStatus::Draft) {
            if (const auto t = clinic::mayMove(CaseStatus::Draft, CaseStatus::Submitted, move); !t.ok) {
                o.refuse(net::CaseRefusal::NotPermitted, what, "refused: " + t.reason, t.reason);
                return;
            }
        } else if (c.status != CaseStatus::Held && c.status != CaseStatus::Submitted) {
            o.refuse(net::CaseRefusal::NotEditable, what, std::string("refused: the case is ") + store::toString(c.status));
            return;
        }
    }
    c.status = to;
    c.fields.clear();
    for (const DeskField& f : s.fields) c.fields.push_back(store::CaseField{f.name, f.value});
    c.decks.clear();
    for (const core::ContentHash& d : s.decks) c.decks.push_back(d.hex());
    c.attestedAt = a.now;
    c.findings = findings;
    c.updatedAt = a.now;
    std::int64_t id = c.id;
    if (s.caseId == 0) {
        auto made = rec.createCase(c, a.actor(), a.now);
        if (!made) { o.fail(made.error().message); return; }
        id = *made;
    } else if (auto st = rec.saveCase(c, a.actor(), a.now); !st) {
        o.fail(st.error().message);
        return;
    }
    net::CaseReceipt r;
    r.request = o.request;
    r.verdict = findings.empty() ? net::CaseVerdict::Accepted : net::CaseVerdict::Held;
    r.caseId = static_cast<std::uint64_t>(id);
    r.status = static_cast<std::uint32_t>(to);
    r.findings = wireFindings(findings);
    r.totalFindings = static_cast<std::uint32_t>(std::min<std::size_t>(findings.size(), 0xFFFF));
    o.replies.push_back(std::move(r));
    o.accepted = findings.empty();
    o.held = !findings.empty();
}

void queryJob(store::Records& rec, CaseDesk::Outcome& o, const Asker& a, const net::CaseQuery& q) {
    const std::string what = q.what == net::CaseQueryKind::Case ? "read case " + std::to_string(q.caseId)
                                                               : std::string("list ") + net::toString(q.what) + (q.what == net::CaseQueryKind::Form ? "" : " cases");
    Membership m;
    if (!membership(rec, a, o, what, m)) return;
    Names names(rec);
    switch (q.what) {
    case net::CaseQueryKind::Mine: {
        store::Records::CaseFilter f;
        f.programId = m.program.id;
        f.presenterId = a.personId;
        auto cases = rec.cases(f);
        if (!cases) { o.fail(cases.error().message); return; }
        std::vector<net::CaseSummary> out;
        for (const auto& c : *cases) out.push_back(summary(c, names, true));
        listSummaries(o, q.what, out);
        return;
    }
    case net::CaseQueryKind::Vetted: {
        if (!sim::permitted(m.role, sim::Action::ReadVettedCases)) {
            o.refuse(net::CaseRefusal::NotPermitted, what, "refused: not permitted for " + roleWords(m.role));
            return;
        }
        store::Records::CaseFilter f;
        f.programId = m.program.id;
        auto cases = rec.cases(f);
        if (!cases) { o.fail(cases.error().message); return; }
        std::vector<net::CaseSummary> out;
        for (const auto& c : *cases) {
            const bool before = c.status == CaseStatus::Vetted || c.status == CaseStatus::Scheduled;
            if (before && clinic::maySee(m.role, c.presenterId == a.personId, c.status)) out.push_back(summary(c, names, false));
        }
        listSummaries(o, q.what, out);
        return;
    }
    case net::CaseQueryKind::Case: {
        auto c = q.caseId > 0 && q.caseId <= static_cast<std::uint64_t>(INT64_MAX) ? rec.caseRecord(static_cast<std::int64_t>(q.caseId))
                                                                                  : core::Result<store::CaseRecord>(core::Error{"no case 0"});
        // Absent, another program's, and not visible get the same answer: the desk cannot be probed.
        if (!c || c->programId != m.program.id) {
            o.refuse(net::CaseRefusal::UnknownCase, what, "refused: no such case in '" + a.code + "'");
            return;
        }
        const bool mine = c->presenterId == a.personId;
        if (!clinic::maySee(m.role, mine, c->status)) {
            o.refuse(net::CaseRefusal::UnknownCase, what, std::string("refused: a ") + store::toString(c->status) + " case is not visible to " + roleWords(m.role));
            return;
        }
        const net::CaseSummary header = summary(*c, names, mine);
        std::vector<DeskField> fields;
        for (const auto& f : c->fields) fields.push_back(DeskField{f.name, f.value});
        const std::vector<store::CaseFinding> none;
        listPieces(o, q.what, fields, &header, c->attestedAt != 0, mine ? &c->findings : &none);
        return;
    }
    case net::CaseQueryKind::Form: {
        listPieces(o, q.what, {{"program", m.program.name}, {"template", formText(m.program)}, {"attestation", m.program.attestation}}, nullptr,
                   false, nullptr);
        return;
    }
    case net::CaseQueryKind::Count: break;
    }
}

} // namespace

// ---- [SECTION] the desk (server thread) -------------------------------------------

CaseDesk::CaseDesk(store::Writer& writer, CaseDeskConfig config)
    : writer_(writer), config_(std::move(config)), alive_(std::make_shared<bool>(true)) {
    refreshPrograms();
}

CaseDesk::~CaseDesk() = default;

bool CaseDesk::hostsDeskRoom(std::string_view room) const {
    return isDeskRoom(room) && programs_.contains(std::string(room.substr(1)));
}

void CaseDesk::refreshPrograms() {
    auto out = std::make_shared<Outcome>();
    std::weak_ptr<bool> alive = alive_;
    writer_.post(
        [out](store::Database& db) -> core::Status {
            *out = Outcome{};
            store::Records rec(db);
            auto all = rec.programs();
            if (!all) return all.error();
            for (const auto& p : *all) out->programs.push_back(p.code);
            return {};
        },
        [this, alive, out](const core::Status& st) {
            if (alive.expired()) return;
            if (!st) {
                CR_LOG_WARN("case desk: cannot read the programs: %s", st.error().message.c_str());
                return;
            }
            programs_ = {out->programs.begin(), out->programs.end()};
        });
}

CaseDesk::Peer& CaseDesk::peer(const DeskIdentity& who) {
    auto [it, made] = peers_.try_emplace(who.peer.value);
    if (made) it->second.generation = nextGeneration_++;
    return it->second;
}

void CaseDesk::onLeave(core::PeerId peer) { peers_.erase(peer.value); }

void CaseDesk::auditRefusal(const DeskIdentity& who, const std::string& what, const std::string& outcome, double now) {
    ++stats_.refused;
    if (!config_.audit) return;
    std::uint64_t suppressed = 0;
    auto it = peers_.find(who.peer.value);
    AuditRecord e;
    e.kind = AuditKind::IntentRefused;
    e.room = who.room;
    e.userId = who.userId;
    e.tokenId = who.tokenId;
    e.role = who.role;
    e.who = who.name;
    e.address = who.address;
    e.peer = who.peer.value;
    e.actor = "person " + std::to_string(who.userId);
    if (it != peers_.end()) {
        if (!it->second.auditLimit.allow(now, suppressed)) return;
        config_.audit->recordSuppressed(e, suppressed);
    }
    e.what = what;
    e.outcome = outcome;
    config_.audit->record(e);
}

void CaseDesk::refuse(const DeskIdentity& who, std::uint32_t request, net::CaseRefusal why, std::string what, std::string outcome, double now) {
    auditRefusal(who, what, outcome, now);
    net::CaseReceipt r;
    r.request = request == 0 ? 1 : request;
    r.verdict = net::CaseVerdict::Refused;
    r.reason = why;
    outbox_.emplace_back(who.peer, std::move(r));
}

bool CaseDesk::admit(const DeskIdentity& who, Peer& p, std::uint32_t request, double now) {
    if (p.inFlight < config_.maxInFlight) return true;
    refuse(who, request, net::CaseRefusal::Busy, "desk request", "refused: " + std::to_string(p.inFlight) + " requests in flight", now);
    return false;
}

void CaseDesk::post(const DeskIdentity& who, std::function<void(store::Records&, Outcome&)> work, double now) {
    Peer& p = peer(who);
    ++p.inFlight;
    lastNow_ = std::max(lastNow_, now);
    auto out = std::make_shared<Outcome>();
    auto prepare = config_.prepare;
    std::weak_ptr<bool> alive = alive_;
    writer_.post(
        [out, work = std::move(work), prepare](store::Database& db) -> core::Status {
            *out = Outcome{};
            store::Records rec(db);
            if (prepare) prepare(rec);
            work(rec, *out);
            if (out->failed) return core::Error{out->error};
            return {};
        },
        [this, alive, out, who, generation = p.generation](const core::Status& st) {
            if (alive.expired()) return;
            if (!st) {
                ++stats_.jobsFailed;
                // The store's message may name a record, never case text (records.h errors name ids).
                CR_LOG_WARN("case desk: request from user %llu failed: %s", static_cast<unsigned long long>(who.userId), st.error().message.c_str());
                out->replies.clear();
                out->refused = false;
                net::CaseReceipt r;
                r.request = out->request ? out->request : 1;
                r.verdict = net::CaseVerdict::Refused;
                r.reason = net::CaseRefusal::StoreFailed;
                out->replies.push_back(std::move(r));
            }
            finish(who, generation, *out, lastNow_);
        });
}

void CaseDesk::finish(const DeskIdentity& who, std::uint64_t generation, const Outcome& o, double now) {
    auto it = peers_.find(who.peer.value);
    if (it == peers_.end() || it->second.generation != generation) return; // gone: nobody to answer
    if (it->second.inFlight > 0) --it->second.inFlight;
    if (o.refused) auditRefusal(who, o.auditWhat, o.auditOutcome, now);
    if (o.accepted) ++stats_.submitted;
    if (o.held) ++stats_.held;
    for (const net::Message& m : o.replies) outbox_.emplace_back(who.peer, m);
}

void CaseDesk::onSubmit(const DeskIdentity& who, const net::CaseSubmit& m, double now) {
    lastNow_ = std::max(lastNow_, now);
    Peer& p = peer(who);
    Draft& d = p.draft;
    if (m.part == 0) {
        d = Draft{};
        d.request = m.request;
        d.caseId = m.caseId;
    } else if (d.request != m.request) {
        refuse(who, m.request, net::CaseRefusal::OutOfOrder, "submit a case", "refused: part " + std::to_string(m.part) + " of no open submission", now);
        return;
    }
    if (d.spoilt) return; // already refused; the rest of its parts were in flight
    if (m.part != d.nextPart || m.caseId != d.caseId) {
        d.spoilt = true;
        refuse(who, m.request, net::CaseRefusal::OutOfOrder, "submit a case", "refused: part " + std::to_string(m.part) + " out of order", now);
        return;
    }
    ++d.nextPart;
    if (!d.fields.add(m.pieces)) {
        d.spoilt = true;
        refuse(who, m.request, net::CaseRefusal::TooLarge, "submit a case", "refused: over the form's bounds (fields, value bytes) or a broken piece", now);
        return;
    }
    if (!m.last) return;
    Submission s;
    s.caseId = d.caseId;
    s.fields = d.fields.take();
    s.attested = m.attested;
    s.decks = m.decks;
    const std::uint32_t request = d.request;
    d = Draft{};
    if (!admit(who, p, request, now)) return;
    const Asker a{who.room.substr(1), static_cast<std::int64_t>(who.userId), config_.unixClock ? config_.unixClock() : 0};
    post(who, [a, s = std::move(s), request](store::Records& rec, Outcome& o) {
        o.request = request;
        submitJob(rec, o, a, s);
    }, now);
}

void CaseDesk::onQuery(const DeskIdentity& who, const net::CaseQuery& m, double now) {
    lastNow_ = std::max(lastNow_, now);
    Peer& p = peer(who);
    if (!admit(who, p, m.request, now)) return;
    ++stats_.queries;
    const Asker a{who.room.substr(1), static_cast<std::int64_t>(who.userId), config_.unixClock ? config_.unixClock() : 0};
    post(who, [a, m](store::Records& rec, Outcome& o) {
        o.request = m.request;
        queryJob(rec, o, a, m);
    }, now);
}

void CaseDesk::poll(double now, const Send& send) {
    lastNow_ = std::max(lastNow_, now);
    if (now >= nextRefresh_) {
        if (nextRefresh_ > 0) refreshPrograms(); // the constructor posted the first
        nextRefresh_ = now + config_.programRefreshSeconds;
    }
    writer_.drainReplies();
    std::vector<std::pair<core::PeerId, net::Message>> out;
    out.swap(outbox_);
    for (const auto& [peer, m] : out) send(peer, m);
}

} // namespace caseroom::session
