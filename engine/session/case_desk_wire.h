// The case desk's form on the wire: a name/value list cut into CasePieces
// that fit a message (net/messages.h "The case desk"), and put back together
// on the far side with the same bounds. Used by the server's desk
// (case_desk.h) and the client (client_session.h). Pure; no I/O.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "net/messages.h"

namespace caseroom::session {

// "@code": a desk room (a program credential's), code non-empty.
[[nodiscard]] inline bool isDeskRoom(std::string_view room) { return room.size() > 1 && room[0] == '@'; }

struct DeskField {
    std::string name;
    std::string value;
    friend bool operator==(const DeskField&, const DeskField&) = default;
};

// Groups of pieces, each group at most kMaxCasePieces pieces and `textBudget`
// text bytes; a value longer than what is left of a group continues in the
// next (piece.continues). An empty value is one empty piece. Always at least
// one (possibly empty) group.
[[nodiscard]] std::vector<std::vector<net::CasePiece>> packPieces(const std::vector<DeskField>& fields, std::uint32_t textBudget);

// The parts of one submission, in order (the last flagged, carrying the
// attestation and the decks); nullopt when the form is over the wire's
// bounds (fields, a name, a value, decks, parts), with `why` naming it.
[[nodiscard]] std::optional<std::vector<net::CaseSubmit>> splitSubmission(std::uint32_t request, std::uint64_t caseId,
                                                                          const std::vector<DeskField>& fields, bool attested,
                                                                          const std::vector<core::ContentHash>& decks,
                                                                          std::string* why = nullptr);

// Puts pieces back into fields. add() is false (and the assembler spoilt)
// when a piece continues nothing or another field, or a bound is passed.
class PieceAssembler {
public:
    PieceAssembler(std::uint32_t maxFields, std::uint32_t maxValueBytes) : maxFields_(maxFields), maxValue_(maxValueBytes) {}
    [[nodiscard]] bool add(const std::vector<net::CasePiece>& pieces);
    [[nodiscard]] const std::vector<DeskField>& fields() const { return fields_; }
    [[nodiscard]] std::vector<DeskField> take() { return std::move(fields_); }
    [[nodiscard]] std::size_t bytes() const { return bytes_; }
    void reset() { fields_.clear(); bytes_ = 0; }

private:
    std::uint32_t maxFields_, maxValue_;
    std::vector<DeskField> fields_;
    std::size_t bytes_ = 0;
};

// Text for a summary or a log-free label: control characters become spaces
// and the text is cut to at most `maxBytes` at a UTF-8 boundary.
[[nodiscard]] std::string singleLine(std::string_view text, std::size_t maxBytes);
// Case text as the wire carries it: CR and other control bytes (but line
// breaks and tabs) become spaces.
[[nodiscard]] std::string wireCaseText(std::string_view text);

} // namespace caseroom::session
