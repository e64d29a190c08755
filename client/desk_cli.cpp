#include "desk_cli.h"

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iterator>

#include "clinic/case_form.h"
#include "clinic/phi_screen.h"
#include "net/secure/invitation.h"
#include "net/secure/token.h"

namespace caseroom::client {

core::Result<RoomLink> openDesk(const std::string& credential, const std::string& connect, double now) {
    JoinRequest req;
    if (net::secure::looksLikeInvitation(credential)) {
        auto inv = credential.starts_with("caseroom://") ? net::secure::parseInvitation(credential, "the credential link")
                                                         : net::secure::readInvitationFile(credential);
        if (!inv) return inv.error();
        if (!session::isDeskRoom(inv->token.grant.roomCode))
            return core::Error{credential + ": a session invitation (room '" + inv->token.grant.roomCode +
                               "'); cases are submitted with the program credential (caseroom-admin credential)"};
        req.server = net::secure::invitationServer(*inv);
        req.token = net::secure::encodeTokenFile(inv->token);
        req.tokenSource = credential;
    } else {
        auto bytes = readTokenBytes(credential);
        if (!bytes) return bytes.error();
        auto token = net::secure::decodeTokenFile(*bytes, credential);
        if (!token) return token.error();
        if (!session::isDeskRoom(token->grant.roomCode))
            return core::Error{credential + ": a token for room '" + token->grant.roomCode + "', not a program credential (room \"@CODE\")"};
        if (connect.empty()) return core::Error{credential + ": a bare token file needs --connect HOST:PORT"};
        req.server = connect;
        req.token = std::move(*bytes);
        req.tokenSource = credential;
    }
    return startJoin(req, now);
}

namespace {

using Clock = std::chrono::steady_clock;
double secondsSince(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

core::Result<std::string> readForm(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    if (!f) return core::Error{"case file " + path + ": cannot open it (check the path)"};
    std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    if (text.size() > 256u << 10) return core::Error{"case file " + path + ": larger than 256 KiB"};
    return text;
}

} // namespace

int submitCaseHeadless(const Options& o) {
    const auto start = Clock::now();
    auto text = readForm(o.submitCase);
    if (!text) { std::printf("refused: %s\n", text.error().message.c_str()); return 2; }
    auto filled = clinic::parseFilledForm(*text, o.submitCase);
    if (!filled) { std::printf("refused: %s\n", filled.error().message.c_str()); return 2; }
    std::vector<session::DeskField> fields;
    for (auto& f : *filled) fields.push_back(session::DeskField{std::move(f.name), std::move(f.value)});

    auto link = openDesk(o.credential, o.connect, 0.0);
    if (!link) { std::printf("refused: %s\n", link.error().message.c_str()); return 2; }
    session::ClientSession& s = *link->session;
    auto pumpUntil = [&](const std::function<bool()>& done) {
        while (!done()) {
            s.update(secondsSince(start));
            if (s.state() == session::ClientState::Refused || s.state() == session::ClientState::Disconnected) return false;
            if (secondsSince(start) > o.timeout) return false;
            link->transport->wait(0.005);
        }
        return true;
    };
    if (!pumpUntil([&] { return s.state() == session::ClientState::AtDesk; })) {
        std::printf("refused: cannot reach the case desk: %s\n", s.statusText().c_str());
        closeLink(*link, secondsSince(start));
        return 2;
    }
    std::string why;
    const std::uint32_t request = s.submitCase(o.caseId, fields, o.attest, {}, &why);
    if (request == 0) {
        std::printf("refused: %s: %s\n", o.submitCase.c_str(), why.c_str());
        closeLink(*link, secondsSince(start));
        return 2;
    }
    const net::CaseReceipt* receipt = nullptr;
    pumpUntil([&] {
        for (const auto& r : s.desk().receipts)
            if (r.request == request) receipt = &r;
        return receipt != nullptr;
    });
    int rc = 2;
    if (!receipt) {
        std::printf("refused: no answer from the case desk within %.0f s (%s)\n", o.timeout, s.statusText().c_str());
    } else if (receipt->verdict == net::CaseVerdict::Accepted) {
        std::printf("accepted case %llu\n", static_cast<unsigned long long>(receipt->caseId));
        rc = 0;
    } else if (receipt->verdict == net::CaseVerdict::Held) {
        // One JSON object per finding (the shape of caseroom-admin screen), never the text.
        for (const auto& f : receipt->findings) {
            clinic::PhiFinding pf;
            pf.field = f.field;
            pf.begin = f.begin;
            pf.end = f.end;
            pf.kind = f.kind < static_cast<std::uint32_t>(clinic::PhiKind::Count) ? static_cast<clinic::PhiKind>(f.kind) : clinic::PhiKind::Name;
            const std::string json = clinic::findingJson(pf, {}, false);
            std::printf("{\"case\":%llu,%s\n", static_cast<unsigned long long>(receipt->caseId), json.c_str() + 1);
        }
        if (receipt->totalFindings > receipt->findings.size())
            std::fprintf(stderr, "caseroom: held case %llu: %u more finding(s); the case's listing has them all\n",
                         static_cast<unsigned long long>(receipt->caseId), receipt->totalFindings - static_cast<unsigned>(receipt->findings.size()));
        rc = 1;
    } else {
        std::printf("refused: %s%s%s\n", net::toString(receipt->reason), receipt->detail.empty() ? "" : ": ", receipt->detail.c_str());
    }
    closeLink(*link, secondsSince(start));
    return rc;
}

} // namespace caseroom::client
