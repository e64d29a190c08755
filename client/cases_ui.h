// The case form window (Dear ImGui), shown while the client is at the case
// desk with a program credential (session::ClientState::AtDesk): the
// program's form built from its template, the attestation checkbox, submit,
// the PHI findings of the last receipt under each field with their spans
// highlighted, my cases and their status; for hub roles the vetted list,
// read-only. It reads the session's desk view model and calls its desk
// methods; it holds only what is being typed.
// Thread rule: the UI thread, with the session's lock held (app.cpp).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "clinic/case_form.h"
#include "session/client_session.h"

namespace caseroom::client {

struct CasesUi {
    bool requested = false;                 // the form and my cases were asked for
    std::uint64_t seenChanges = 0;          // desk().changes last applied
    std::optional<clinic::FormTemplate> form;
    std::string formError;                  // the served template did not parse
    std::vector<std::string> values;        // per template field, what is typed
    std::vector<int> choice;                // per template field (choice kind): index, -1 none
    std::string decks;                      // attached deck hashes, one per line (64 hex)
    bool attested = false;
    std::uint64_t editing = 0;              // 0: a new case; else the case being fixed
    std::uint64_t loadCase = 0;             // asked for this case to edit it
    std::uint32_t lastSubmit = 0;           // request id of the last submission
    std::string message;                    // the last receipt in words
    std::vector<net::WireFinding> findings; // of the last receipt: shown under their fields
    std::uint64_t reading = 0;              // vetted case shown read-only
};

// Between ImGui::NewFrame and ImGui::Render.
void drawCasesUi(CasesUi& ui, session::ClientSession& s);

} // namespace caseroom::client
