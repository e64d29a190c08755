// caseroom-deck upload DIR --server HOST:PORT --token-file FILE: joins the
// room named in the token as that person, uploads the built deck in DIR
// (session/deck_uploader.h), waits for the server's verdict and prints it.
// Exit 0 accepted, 1 refused, 2 usage or connection error.
#include "upload_command.h"

#include <sys/stat.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <thread>

#include "core/cli.h"
#include "net/secure/crypto.h"
#include "net/secure/secure_transport.h"
#include "net/secure/token.h"
#include "session/client_session.h"
#include "session/deck_uploader.h"

namespace caseroom::tools {
namespace {
int fail(const std::string& message, int code) {
    std::fprintf(stderr, "caseroom-deck upload: %s\n", message.c_str());
    return code;
}
double secondsSince(std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}
} // namespace

int uploadDeck(const std::filesystem::path& dir, const std::string& server, const std::string& tokenFile, double timeoutSeconds) {
    constexpr int kUsage = 2, kRefused = 1;
    auto hp = core::cli::parseHostPort(server);
    if (!hp) return fail("--server: " + hp.error().message, kUsage);
    struct stat st {}; // the file holds the invitation's keys: refuse one that others may read
    if (::stat(tokenFile.c_str(), &st) == 0)
        if (const std::string problem = net::secure::tokenFileModeProblem(tokenFile, st.st_mode); !problem.empty())
            return fail(problem, kUsage);
    std::ifstream f(tokenFile, std::ios::binary);
    if (!f) return fail("token file " + tokenFile + ": cannot open it", kUsage);
    std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    if (bytes.size() > 4096) return fail("token file " + tokenFile + ": too large to be a token", kUsage);
    auto token = net::secure::decodeTokenFile(bytes, tokenFile);
    if (!token) return fail(token.error().message, kUsage);
    if (!net::secure::initCrypto()) return fail("libsodium failed to initialise", kUsage);
    net::secure::SystemRandom random;
    auto transport = net::secure::SecureTransport::createClient(*token, random);
    if (!transport) return fail("cannot open a UDP socket: " + transport.error().message, kUsage);
    const net::secure::TokenGrant& g = token->grant;
    session::ClientDesc cd;
    cd.roomCode = g.roomCode;
    cd.displayName = g.displayName;
    cd.role = g.role;
    session::ClientSession s(**transport, cd);
    const auto start = std::chrono::steady_clock::now();
    s.connect(net::Address{hp->first, hp->second}, 0.0);
    session::DeckUploader up(s);
    bool started = false;
    int rc = kUsage;
    for (;;) {
        const double now = secondsSince(start);
        s.update(now);
        if (s.state() == session::ClientState::Refused || s.state() == session::ClientState::Disconnected) {
            rc = fail("could not stay in room '" + g.roomCode + "' at " + server + ": " + s.statusText(), kUsage);
            break;
        }
        if (!started && s.state() == session::ClientState::InRoom) {
            if (auto ok = up.start(dir, now); !ok) { rc = fail(ok.error().message, kUsage); break; }
            started = true;
            std::printf("joined room '%s' as %s (%s); uploading %s: %llu bytes in %u blobs\n", g.roomCode.c_str(),
                        g.displayName.c_str(), core::toString(g.role), up.progress().deck.hex().c_str(),
                        static_cast<unsigned long long>(up.progress().totalBytes), up.progress().blobs);
        }
        up.update(now);
        if (up.finished()) {
            const session::UploadProgress& p = up.progress();
            if (p.phase == session::UploadPhase::Accepted) {
                std::printf("deck %s: accepted (%llu bytes)\n", p.deck.hex().c_str(), static_cast<unsigned long long>(p.totalBytes));
                rc = 0;
            } else {
                std::printf("deck %s: %s\n", p.deck.hex().c_str(), p.error.c_str());
                rc = p.phase == session::UploadPhase::Refused ? kRefused : kUsage;
            }
            break;
        }
        if (now > timeoutSeconds) {
            rc = fail("no verdict after " + std::to_string(static_cast<int>(timeoutSeconds)) + " s (" +
                          session::toString(up.progress().phase) + ", " + std::to_string(up.progress().ackedBytes) + " of " +
                          std::to_string(up.progress().totalBytes) + " bytes acknowledged)",
                      kUsage);
            break;
        }
        (*transport)->wait(0.002);
    }
    s.leave();
    s.update(secondsSince(start));
    (*transport)->flush();
    return rc;
}

} // namespace caseroom::tools
