#include "session/case_desk_wire.h"

#include <algorithm>

namespace caseroom::session {

std::vector<std::vector<net::CasePiece>> packPieces(const std::vector<DeskField>& fields, std::uint32_t textBudget) {
    std::vector<std::vector<net::CasePiece>> groups(1);
    std::uint32_t left = textBudget;
    auto room = [&] {
        if (groups.back().size() >= net::kMaxCasePieces || left == 0) {
            groups.emplace_back();
            left = textBudget;
        }
    };
    for (const DeskField& f : fields) {
        std::size_t at = 0;
        bool first = true;
        do {
            room();
            const std::size_t n = std::min<std::size_t>(left, f.value.size() - at);
            groups.back().push_back(net::CasePiece{f.name, !first, f.value.substr(at, n)});
            left -= static_cast<std::uint32_t>(n);
            at += n;
            first = false;
        } while (at < f.value.size());
    }
    return groups;
}

std::optional<std::vector<net::CaseSubmit>> splitSubmission(std::uint32_t request, std::uint64_t caseId, const std::vector<DeskField>& fields,
                                                            bool attested, const std::vector<core::ContentHash>& decks, std::string* why) {
    auto fail = [&](std::string text) -> std::optional<std::vector<net::CaseSubmit>> {
        if (why) *why = std::move(text);
        return std::nullopt;
    };
    if (request == 0) return fail("request id 0");
    if (fields.size() > net::kMaxCaseFields) return fail("more than " + std::to_string(net::kMaxCaseFields) + " fields");
    if (decks.size() > net::kMaxCaseDecks) return fail("more than " + std::to_string(net::kMaxCaseDecks) + " decks");
    for (const DeskField& f : fields) {
        if (f.name.empty() || f.name.size() > net::kMaxCaseFieldName) return fail("field name '" + f.name.substr(0, 40) + "' is empty or too long");
        if (f.value.size() > net::kMaxCaseValue)
            return fail("field '" + f.name + "' is " + std::to_string(f.value.size()) + " bytes (at most " + std::to_string(net::kMaxCaseValue) + ")");
    }
    auto groups = packPieces(fields, net::kCasePieceBytes);
    if (groups.size() > net::kMaxCaseParts) return fail("the form needs more than " + std::to_string(net::kMaxCaseParts) + " messages");
    std::vector<net::CaseSubmit> parts(groups.size());
    for (std::size_t i = 0; i < groups.size(); ++i) {
        net::CaseSubmit& p = parts[i];
        p.request = request;
        p.caseId = caseId;
        p.part = static_cast<std::uint32_t>(i);
        p.last = i + 1 == groups.size();
        p.pieces = std::move(groups[i]);
        for (net::CasePiece& piece : p.pieces) piece.text = wireCaseText(piece.text);
        if (p.last) {
            p.attested = attested;
            p.decks = decks;
        }
    }
    return parts;
}

bool PieceAssembler::add(const std::vector<net::CasePiece>& pieces) {
    for (const net::CasePiece& p : pieces) {
        if (p.continues) {
            if (fields_.empty() || fields_.back().name != p.field) return false;
        } else {
            if (fields_.size() >= maxFields_) return false;
            fields_.push_back(DeskField{p.field, {}});
        }
        DeskField& f = fields_.back();
        if (f.value.size() + p.text.size() > maxValue_) return false;
        f.value += p.text;
        bytes_ += p.text.size();
    }
    return true;
}

std::string singleLine(std::string_view text, std::size_t maxBytes) {
    std::string out;
    out.reserve(std::min(text.size(), maxBytes));
    for (unsigned char c : text) out += (c < 0x20 || c == 0x7F) ? ' ' : static_cast<char>(c);
    if (out.size() > maxBytes) {
        std::size_t cut = maxBytes;
        while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut; // not inside a UTF-8 sequence
        out.resize(cut);
    }
    return out;
}

std::string wireCaseText(std::string_view text) {
    std::string out(text);
    for (char& ch : out) {
        const auto c = static_cast<unsigned char>(ch);
        if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7F) ch = ' ';
    }
    return out;
}

} // namespace caseroom::session
