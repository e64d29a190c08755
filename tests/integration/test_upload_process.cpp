// A deck upload through the shipped executables: caseroom-deck build makes a
// deck from a PNG, caseroom-deck upload sends it to a running caseroom-server
// (--content) as a token's person; a spoke's deck is accepted and stored, an
// observer's is refused, and the audit log records both.
#include <catch2/catch.hpp>

#include <signal.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "integration/process.h"
#include "media/blob.h"
#include "media/raster.h"
#include "temp_dir.h"

using caseroom::testing::slurp;
using caseroom::testing::waitExit;
namespace fs = std::filesystem;

namespace {
pid_t spawn(const std::vector<std::string>& args, const std::string& outFile) { return caseroom::testing::spawnLogged(args, outFile); }

int run(const std::vector<std::string>& args, const std::string& outFile, double seconds = 60) {
    const pid_t p = spawn(args, outFile);
    return p > 0 ? waitExit(p, seconds) : -1;
}

int mint(const std::string& d, const std::string& name, const std::string& role, const std::string& id) {
    return run({CASEROOM_TOKEN_EXE, "--key", d + "/caseroom.key", "--room", "demo", "--name", name, "--role", role, "--user-id", id,
                "--out", d + "/" + role + ".token"},
               d + "/mint-" + role + ".log", 10);
}
} // namespace

TEST_CASE("caseroom-deck upload puts a spoke's deck into a running caseroom-server; an observer's is refused",
          "[integration][process][upload]") {
    const caseroom::testing::TempDir tmp;
    const std::string d = tmp.path.string();
    // The presenter's own file: a 16-bit grey PNG, built into a deck on their machine.
    std::vector<std::uint8_t> px(96 * 64 * 2);
    for (std::size_t i = 0; i < px.size(); ++i) px[i] = static_cast<std::uint8_t>((i * 2654435761u) >> 13);
    auto png = caseroom::media::encodePng(96, 64, 1, 16, px);
    REQUIRE(png);
    std::ofstream(d + "/slide.png", std::ios::binary).write(reinterpret_cast<const char*>(png->data()), static_cast<std::streamsize>(png->size()));
    REQUIRE(run({CASEROOM_DECK_EXE, "build", d + "/slide.png", "--out", d + "/deck", "--title", "Didactic"}, d + "/build.log") == 0);
    std::string hash = slurp(d + "/deck/deck");
    while (!hash.empty() && hash.back() == '\n') hash.pop_back();
    REQUIRE(hash.size() == 64);

    const pid_t server = spawn({CASEROOM_SERVER_EXE, "--port", "0", "--port-file", d + "/port", "--state-dir", d, "--no-db", "--content", d + "/content"},
                               d + "/server.log");
    REQUIRE(server > 0);
    const std::string port = caseroom::testing::waitForLine(d + "/port", 5.0);
    INFO(slurp(d + "/server.log"));
    REQUIRE_FALSE(port.empty());
    REQUIRE(mint(d, "Dr. Spoke", "spoke", "7001") == 0);
    REQUIRE(mint(d, "Watcher", "observer", "7002") == 0);

    const int observer = run({CASEROOM_DECK_EXE, "upload", d + "/deck", "--server", "127.0.0.1:" + port, "--token-file", d + "/observer.token",
                              "--timeout", "30"},
                             d + "/upload-observer.log");
    INFO(slurp(d + "/upload-observer.log"));
    CHECK(observer == 1);
    CHECK(slurp(d + "/upload-observer.log").find("not permitted") != std::string::npos);
    const caseroom::media::BlobHash manifest = *caseroom::media::BlobHash::fromHex(hash);
    const std::string blobPath = d + "/content/" + hash.substr(0, 2) + "/" + hash;
    CHECK_FALSE(fs::exists(blobPath));

    const int spoke = run({CASEROOM_DECK_EXE, "upload", d + "/deck", "--server", "127.0.0.1:" + port, "--token-file", d + "/spoke.token",
                           "--timeout", "30"},
                          d + "/upload-spoke.log");
    INFO(slurp(d + "/upload-spoke.log"));
    CHECK(spoke == 0);
    CHECK(slurp(d + "/upload-spoke.log").find("accepted") != std::string::npos);
    REQUIRE(kill(server, SIGTERM) == 0);
    CHECK(waitExit(server, 5) == 0);
    CHECK(slurp(d + "/server.log").find("deck " + hash + " uploaded") != std::string::npos);
    auto store = caseroom::media::BlobStore::open(d + "/content");
    REQUIRE(store);
    CHECK(store->has(manifest));
    CHECK(store->read(manifest)); // verified
    CHECK_FALSE(fs::exists(d + "/content/incoming")); // staging removed on stop
    const std::string audit = slurp(d + "/audit.log");
    CHECK(audit.find("kind=DeckUpload") != std::string::npos);
    CHECK(audit.find("upload a deck") != std::string::npos); // the observer's refusal (IntentRefused)
}
