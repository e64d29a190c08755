// Recording through the shipped executables: caseroom-server records a room
// of caseroom-bots (the facilitator bot starts it, every bot acknowledges),
// then is killed with SIGKILL mid-recording. The file it leaves opens, reads
// to its last good block, and holds the recording up to about the kill (the
// writer-level test, tests/unit/record, bounds the loss at one second exactly;
// here the server's own tick clock is not observable, so the bound printed is
// measured and the check is generous).
#include <catch2/catch.hpp>

#include <filesystem>

#include "integration/process.h"
#include "record/recording.h"

using namespace caseroom;
using caseroom::testing::slurp;
using caseroom::testing::waitExit;

namespace {
pid_t spawn(const std::vector<std::string>& args, const std::string& log) { return caseroom::testing::spawnLogged(args, log); }

std::string onlyRecording(const std::string& dir) {
    std::string found;
    if (!std::filesystem::exists(dir)) return found;
    for (const auto& e : std::filesystem::directory_iterator(dir))
        if (e.path().extension() == ".crrec") found = e.path().string();
    return found;
}
} // namespace

TEST_CASE("kill -9 of a recording server: the file opens and holds the room up to the kill", "[integration][process][recording]") {
    const caseroom::testing::TempDir tmp;
    REQUIRE(tmp.ok());
    const std::string d = tmp.path.string();
    const pid_t server = spawn({CASEROOM_SERVER_EXE, "--port", "0", "--port-file", d + "/port", "--state-dir", d, "--no-db",
                                "--record-policy", "whole"}, d + "/server.log");
    REQUIRE(server > 0);
    const std::string port = caseroom::testing::waitForLine(d + "/port", 5.0);
    REQUIRE_FALSE(port.empty());
    const pid_t bots = spawn({CASEROOM_BOTS_EXE, "--server", "127.0.0.1:" + port, "--key", d + "/caseroom.key", "--count", "4",
                              "--script", "clinic", "--record", "--duration", "20", "--quiet"}, d + "/bots.log");
    REQUIRE(bots > 0);
    const auto started = [&] { return slurp(d + "/server.log").find("recording to") != std::string::npos; };
    for (int i = 0; i < 500 && !started(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    INFO(slurp(d + "/server.log"));
    REQUIRE(started());
    const auto t0 = std::chrono::steady_clock::now();
    std::this_thread::sleep_for(std::chrono::milliseconds(3000));
    REQUIRE(kill(server, SIGKILL) == 0);
    const double ran = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    CHECK(waitExit(server, 5) == 128 + SIGKILL);
    (void)waitExit(bots, 20);

    const std::string file = onlyRecording(d + "/recordings");
    REQUIRE_FALSE(file.empty());
    auto key = record::loadRecordingKey(d + "/recording.key", false);
    REQUIRE(key);
    auto reader = record::RecordingReader::open(file, *key);
    REQUIRE(reader);
    const record::ReaderSummary& sum = (*reader)->summary();
    CHECK_FALSE(sum.closed);     // no index: the writer never closed it
    REQUIRE((*reader)->verifyAll());
    for (std::size_t i = 0; i < (*reader)->blocks().size(); ++i) CHECK((*reader)->read(i));
    const double recorded = (sum.lastTick - sum.firstTick + 1) / 30.0;
    std::printf("kill -9 after %.2f s of recording: %.2f s in the file (%.2f s short of the kill), %zu damage report(s)\n", ran,
                recorded, ran - recorded, sum.damage.size());
    // Damage, if any, is the torn tail; everything before it reads.
    for (const auto& dmg : sum.damage) CHECK(dmg.offset + dmg.bytes >= sum.fileBytes - 512 * 1024);
    CHECK(recorded >= ran - 1.5);
    // Every bot acknowledged, so their names are in it.
    CHECK(sum.everyone.size() >= 4);
    CHECK(std::any_of(sum.everyone.begin(), sum.everyone.end(), [](const record::Present& p) { return !p.name.empty(); }));
}
