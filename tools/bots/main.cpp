// caseroom-bots: N headless participants that behave like a clinic, over the
// real ENet transport; or, with --watch, one observer that prints the room as
// it sees it. Both are views over session::ClientSession. With --speak, bot 1
// speaks a WAV file (looping) through the real voice path (Opus, the server's
// forwarding); with --listen, the watcher (or bot 1) writes what it hears,
// spatialized stereo, to a WAV file. Audio devices are the WAV-file twin,
// pumped on the wall clock: no sound card needed.
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "audio/audio_device.h"
#include "audio/voice_client.h"
#include "core/log.h"
#include "net/secure/key_file.h"
#include "net/secure/secure_transport.h"
#include "session/bot_brain.h"
#include "session/client_session.h"

using namespace caseroom;

namespace {
volatile std::sig_atomic_t gStop = 0;
void onSignal(int) { gStop = 1; }

void usage() {
    std::puts(
        "usage: caseroom-bots [options]\n"
        "\n"
        "Joins headless participants to a CaseRoom room. Each bot walks to a free seat,\n"
        "sits and looks at the presenter or a neighbour; a share of them stay standing and\n"
        "wander. With --watch, joins one observer that prints the room instead.\n"
        "\n"
        "options:\n"
        "  --server HOST:PORT    server address (default 127.0.0.1:7777)\n"
        "  --key FILE            the server's deployment key: mint a token for each bot\n"
        "  --token FILE          join with this token instead (one participant; names and role come from it)\n"
        "  --room CODE           room code (default demo)\n"
        "  --count N             number of bots (default 6)\n"
        "  --wanderers FRACTION  share of bots that stay standing (default 0.2)\n"
        "  --seed N              random seed (default 1)\n"
        "  --name PREFIX         display name prefix (default Bot)\n"
        "  --duration SECONDS    leave after this long (default: until Ctrl-C)\n"
        "  --print-every SECONDS how often to print (default 2)\n"
        "  --watch               print the room as one observer sees it\n"
        "  --speak FILE.wav      bot 1 speaks this file into the room, looping (any rate; mixed to mono)\n"
        "  --listen FILE.wav     the watcher (without --watch: bot 1) writes what it hears here (48 kHz stereo)\n"
        "  --quiet               print only joins, leaves and errors\n"
        "  --help                this text");
}

bool parseAddress(const std::string& s, net::Address& out) {
    const auto colon = s.rfind(':');
    if (colon == std::string::npos) return false;
    out.host = s.substr(0, colon);
    char* end = nullptr;
    const long p = std::strtol(s.c_str() + colon + 1, &end, 10);
    if (*end || p <= 0 || p > 65535) return false;
    out.port = static_cast<std::uint16_t>(p);
    return true;
}

const char* roleTag(core::Role r) { return core::toString(r); }
// The avatar's speaking indicator (voiceLevel 0..15, from the server's voice router).
const char* speaking(const session::RemoteAvatar& a) { return a.pose.voiceLevel > 0 ? "  speaking" : ""; }

void printRoom(const session::ClientSession& s, double now) {
    const sim::RoomLayout* layout = s.layout();
    std::printf("--- room as seen by %s at %.1f s (server tick %u): %zu participant(s) ---\n", s.desc().displayName.c_str(), now,
                s.serverTick(), s.avatars().size());
    for (const auto& a : s.avatars()) {
        if (!a.hasPose) { std::printf("  %-14s %-11s (no state yet)\n", a.name.c_str(), roleTag(a.role)); continue; }
        const float yawDeg = a.pose.bodyYaw * 180.0f / sim::kPi;
        if (a.pose.seated()) {
            const bool table = layout && a.pose.seat < layout->seats.size() && layout->seats[a.pose.seat].atTable;
            std::printf("  %-14s %-11s seated   seat %2u (%s) at (%5.2f, %5.2f)%s%s\n", a.name.c_str(), roleTag(a.role), a.pose.seat,
                        table ? "table" : "audience", a.pose.body.x, a.pose.body.z, speaking(a), a.self ? "  <- me" : "");
        } else {
            std::printf("  %-14s %-11s standing at (%5.2f, %5.2f) facing %4.0f deg%s%s\n", a.name.c_str(), roleTag(a.role), a.pose.body.x,
                        a.pose.body.z, yawDeg, speaking(a), a.self ? "  <- me" : "");
        }
    }
    std::fflush(stdout);
}
} // namespace

int main(int argc, char** argv) {
    net::Address server{"127.0.0.1", 7777};
    std::string room = "demo", prefix = "Bot";
    long count = 6;
    double wanderers = 0.2, duration = 0, printEvery = 2.0;
    unsigned long long seed = 1;
    bool watch = false, quiet = false;
    std::string keyPath, tokenPath, speakPath, listenPath;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) { std::fprintf(stderr, "caseroom-bots: %s needs a value\n", a.c_str()); std::exit(2); }
            return argv[++i];
        };
        if (a == "--help" || a == "-h") { usage(); return 0; }
        else if (a == "--server") { if (!parseAddress(value(), server)) { std::fprintf(stderr, "caseroom-bots: --server wants HOST:PORT\n"); return 2; } }
        else if (a == "--room") room = value();
        else if (a == "--key") keyPath = value();
        else if (a == "--token") tokenPath = value();
        else if (a == "--count") { count = std::strtol(value().c_str(), nullptr, 10); if (count < 0 || count > 1000) { std::fprintf(stderr, "caseroom-bots: --count must be 0..1000\n"); return 2; } }
        else if (a == "--wanderers") wanderers = std::strtod(value().c_str(), nullptr);
        else if (a == "--seed") seed = std::strtoull(value().c_str(), nullptr, 10);
        else if (a == "--name") prefix = value();
        else if (a == "--duration") duration = std::strtod(value().c_str(), nullptr);
        else if (a == "--print-every") printEvery = std::max(0.2, std::strtod(value().c_str(), nullptr));
        else if (a == "--watch") watch = true;
        else if (a == "--speak") speakPath = value();
        else if (a == "--listen") listenPath = value();
        else if (a == "--quiet") quiet = true;
        else { std::fprintf(stderr, "caseroom-bots: unknown option '%s' (see --help)\n", a.c_str()); return 2; }
    }
    if (watch || !tokenPath.empty()) count = 1;
    if (keyPath.empty() == tokenPath.empty()) {
        std::fprintf(stderr, "caseroom-bots: give --key FILE (mint tokens) or --token FILE (join with one)\n");
        return 2;
    }
    if (!net::secure::initCrypto()) { std::fprintf(stderr, "caseroom-bots: libsodium failed to initialise\n"); return 1; }
    net::secure::SystemRandom random;
    std::optional<net::secure::Key> secret;
    std::optional<net::secure::ConnectToken> given;
    if (!keyPath.empty()) {
        auto k = net::secure::loadKeyFile(keyPath);
        if (!k) { std::fprintf(stderr, "caseroom-bots: %s\n", k.error().message.c_str()); return 1; }
        secret = k->bytes;
    } else {
        auto t = net::secure::readTokenFile(tokenPath);
        if (!t) { std::fprintf(stderr, "caseroom-bots: %s\n", t.error().message.c_str()); return 1; }
        given = *t;
        room = given->grant.roomCode;
    }
    const auto unixNow = static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
    std::signal(SIGINT, onSignal);
    std::signal(SIGTERM, onSignal);

    struct Bot {
        std::unique_ptr<net::secure::SecureTransport> transport;
        std::unique_ptr<session::ClientSession> session;
        std::unique_ptr<session::BotBrain> brain;
        std::unique_ptr<audio::VoiceClient> voice;        // --speak / --listen only
        std::unique_ptr<audio::WavFileAudioDevice> device;
    };
    std::vector<Bot> bots;
    const auto start = std::chrono::steady_clock::now();
    auto seconds = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };
    const core::Role roles[] = {core::Role::Specialist, core::Role::Spoke, core::Role::Spoke, core::Role::Spoke};
    for (long i = 0; i < count; ++i) {
        session::ClientDesc cd;
        cd.roomCode = room;
        cd.displayName = watch ? "Observer" : prefix + " " + std::to_string(i + 1);
        cd.role = watch ? core::Role::Observer : (i == 0 ? core::Role::Facilitator : roles[static_cast<std::size_t>(i) % 4]);
        net::secure::ConnectToken token;
        if (given) {
            token = *given;
            cd.displayName = token.grant.displayName;
            cd.role = token.grant.role;
        } else {
            net::secure::MintDesc m;
            m.userId = (seed << 20) + static_cast<std::uint64_t>(i) + 1;
            m.displayName = cd.displayName;
            m.roomCode = room;
            m.role = cd.role;
            m.nowUnix = unixNow;
            m.lifetimeSeconds = 12 * 3600;
            auto minted = net::secure::mintToken(m, *secret, random);
            if (!minted) { std::fprintf(stderr, "caseroom-bots: %s\n", minted.error().message.c_str()); return 1; }
            token = *minted;
        }
        auto t = net::secure::SecureTransport::createClient(token, random);
        if (!t) { std::fprintf(stderr, "caseroom-bots: %s\n", t.error().message.c_str()); return 1; }
        Bot b;
        b.transport = std::move(*t);
        b.session = std::make_unique<session::ClientSession>(*b.transport, cd);
        const bool wanders = !watch && static_cast<double>(i) >= static_cast<double>(count) * (1.0 - wanderers);
        b.brain = std::make_unique<session::BotBrain>(seed * 1000003ull + static_cast<unsigned long long>(i), wanders);
        if (i == 0 && (!speakPath.empty() || !listenPath.empty())) {
            // Bot 1's voice: speaks --speak (push-to-talk held, so the file's own
            // pauses are sent as DTX silence) and/or writes --listen.
            audio::VoiceClientConfig vc;
            vc.useSpeex = false; // a file is already clean: no echo, no noise
            vc.capture.mode = speakPath.empty() ? audio::MicMode::Muted : audio::MicMode::PushToTalk;
            auto v = audio::VoiceClient::create(vc);
            if (!v) { std::fprintf(stderr, "caseroom-bots: voice: %s\n", v.error().message.c_str()); return 1; }
            b.voice = std::move(*v);
            b.voice->capture().setPushToTalk(true);
            audio::WavDeviceDesc dd;
            dd.inputWav = speakPath;
            dd.loopInput = !speakPath.empty();
            dd.outputWav = listenPath;
            b.device = std::make_unique<audio::WavFileAudioDevice>(dd);
            if (const core::Status st = b.device->start(b.voice->callback()); !st.ok()) {
                std::fprintf(stderr, "caseroom-bots: %s\n", st.error().message.c_str());
                return 1;
            }
            b.session->attachVoice(b.voice.get());
        }
        b.session->connect(server, seconds());
        bots.push_back(std::move(b));
    }
    std::uint64_t deviceBlocks = 0; // WAV devices run on the wall clock, 10 ms blocks
    double nextPrint = printEvery;
    int exitCode = 0;
    while (!gStop) {
        const double now = seconds();
        if (duration > 0 && now >= duration) break;
        if (bots[0].device) {
            while (static_cast<double>(deviceBlocks) * 0.01 < now) {
                if (const core::Status st = bots[0].device->pump(audio::kBlockSamples); !st.ok()) {
                    std::fprintf(stderr, "caseroom-bots: %s\n", st.error().message.c_str());
                    gStop = 1;
                    break;
                }
                ++deviceBlocks;
            }
        }
        std::size_t alive = 0;
        for (auto& b : bots) {
            b.session->update(now);
            if (!watch) b.brain->think(*b.session, now);
            for (const auto& n : b.session->takeNotices()) std::printf("[%s] %s\n", b.session->desc().displayName.c_str(), n.c_str());
            const auto st = b.session->state();
            if (st == session::ClientState::Refused || st == session::ClientState::Disconnected) continue;
            ++alive;
        }
        if (alive == 0) { std::fprintf(stderr, "caseroom-bots: no participant is connected any more\n"); exitCode = 1; break; }
        if (now >= nextPrint) {
            nextPrint = now + printEvery;
            if (watch) printRoom(*bots[0].session, now);
            else if (!quiet) {
                std::size_t seated = 0;
                for (auto& b : bots)
                    if (b.brain->mode() == session::BotMode::Seated) ++seated;
                const auto st = bots[0].session->stats();
                std::printf("bots: %zu connected, %zu seated; %s sees %zu participant(s); sending %.0f input packets/s each; rtt %.0f ms, "
                            "in %.1f kbit/s\n",
                            alive, seated, bots[0].session->desc().displayName.c_str(), bots[0].session->avatars().size(), 30.0, st.rttMs,
                            static_cast<double>(st.bytesIn) * 8.0 / 1000.0 / std::max(now, 1.0));
            }
            std::fflush(stdout);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    for (auto& b : bots) b.session->leave();
    if (bots.size() > 0 && bots[0].device) {
        bots[0].session->attachVoice(nullptr);
        const auto st = bots[0].session->stats();
        if (const core::Status fin = bots[0].device->finish(); !fin.ok()) {
            std::fprintf(stderr, "caseroom-bots: %s\n", fin.error().message.c_str());
            exitCode = 1;
        }
        std::printf("voice: %llu frames sent, %llu received%s%s\n", static_cast<unsigned long long>(st.voiceSent),
                    static_cast<unsigned long long>(st.voiceReceived), listenPath.empty() ? "" : "; heard audio written to ",
                    listenPath.c_str());
    }
    return exitCode;
}
