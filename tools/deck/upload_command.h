// caseroom-deck upload (upload_command.cpp).
#pragma once
#include <filesystem>
#include <string>

namespace caseroom::tools {
// Joins as the token's person, uploads the built deck DIR, waits for the
// verdict (at most timeoutSeconds). Returns the exit code: 0 accepted, 1
// refused, 2 usage or connection error.
int uploadDeck(const std::filesystem::path& dir, const std::string& server, const std::string& tokenFile, double timeoutSeconds);
} // namespace caseroom::tools
