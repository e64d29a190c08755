// caseroom-bots: N headless participants that behave like a clinic, over the
// real ENet transport; or, with --watch, one observer that prints the room as
// it sees it. Both are views over session::ClientSession. With --speak, bot 1
// speaks a WAV file (looping) through the real voice path (Opus, the server's
// forwarding); with --listen, the watcher (or bot 1) writes what it hears,
// spatialized stereo, to a WAV file. Audio devices are the WAV-file twin,
// pumped on the wall clock: no sound card needed. With --script clinic the
// bots play a short teaching round (session/bot_brain.h ClinicScript): bot 1
// facilitates, the others raise hands, ask and recommend; the printout shows
// the phase, the queue, the floor and the board as bot 1 (or the watcher)
// sees them.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "audio/audio_device.h"
#include "audio/voice_client.h"
#include "core/cli.h"
#include "core/log.h"
#include "core/rng.h"
#include "net/secure/invitation.h"
#include "net/secure/key_file.h"
#include "net/secure/secure_transport.h"
#include "session/bot_brain.h"
#include "session/client_session.h"
#include "session/video_client.h"
#include "sim/permissions.h"
#include "media/video_source.h"
#include "media/vp8.h"

using namespace caseroom;
namespace cli = caseroom::core::cli;

namespace {

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
        "  --invitation FILE     join with this invitation (.caseroom file or caseroom:// link): one\n"
        "                        participant each, repeatable; server, room, name and role come from it\n"
        "  --invitations DIR     one participant for every *.caseroom file in DIR\n"
        "                        (with either, --server overrides the invitations' address)\n"
        "  --room CODE           room code (default demo)\n"
        "  --count N             number of bots, 1..1000 (default 6)\n"
        "  --rooms N             spread the bots over rooms CODE-1 .. CODE-N in turn, 1..64 (default 1:\n"
        "                        all in --room CODE)\n"
        "  --churn MIN,MAX       each bot stays MIN..MAX seconds, leaves, and joins again 1 to 3 s later\n"
        "                        with a new connection, for as long as the bots run (a soak; with --key)\n"
        "  --wanderers FRACTION  share of bots that stay standing, 0..1 (default 0.2)\n"
        "  --seed N              random seed, 0..2^64-1 (default 1)\n"
        "  --name PREFIX         display name prefix (default Bot)\n"
        "  --duration SECONDS    leave after this long, 0.1..31536000 (default: until Ctrl-C)\n"
        "  --print-every SECONDS how often to print, 0.2..3600 (default 2)\n"
        "  --watch               print the room as one observer sees it\n"
        "  --present             bot 1 (the facilitator) shows the first deck the room offers on panel 0\n"
        "                        and steps through its slides\n"
        "  --slide-seconds S     seconds per slide with --present (default 8)\n"
        "  --script clinic       play a short teaching round: bot 1 (the facilitator) opens the session, runs\n"
        "                        introductions, the didactic and each case (presentation, questions,\n"
        "                        recommendations, summary) and the wrap-up; spokes raise hands, ask and\n"
        "                        recommend; the specialists recommend. Ends when the agenda does\n"
        "  --phase-seconds S     seconds per phase with --script clinic, 0.5..600 (default 4)\n"
        "  --start-with N        the facilitator starts once it sees N participants, 1..1000 (default: --count)\n"
        "  --record              with --script clinic: the facilitator starts recording as the session\n"
        "                        begins (the program's policy pauses it by phase); every scripted bot\n"
        "                        acknowledges a recording when asked\n"
        "  --speak FILE.wav      bot 1 speaks this file into the room, looping (any rate; mixed to mono)\n"
        "  --cameras N           the first N bots whose role may show a camera send the test pattern as\n"
        "                        their camera (VP8, the size and rate of their role's profile)\n"
        "  --share               bot 1 shares a test-pattern screen (the screen share profile)\n"
        "  --listen FILE.wav     the watcher (without --watch: bot 1) writes what it hears here (48 kHz stereo)\n"
        "  --quiet               print only joins, leaves and errors\n"
        "  --help                this text");
}

const char* roleTag(core::Role r) { return core::toString(r); }
// The avatar's speaking indicator (voiceLevel 0..15, from the server's voice router).
const char* speaking(const session::RemoteAvatar& a) { return a.pose.voiceLevel > 0 ? "  speaking" : ""; }

std::string nameOf(const session::ClientSession& s, core::EntityId id) {
    if (!id.valid()) return "nobody";
    for (const auto& a : s.avatars())
        if (a.slot == id.value) return a.name;
    return "slot " + std::to_string(id.value);
}

// The teaching round as `s` sees it: phase, queue, floor, board.
void printClinic(const session::ClientSession& s) {
    const session::ClinicViewModel& v = s.clinic();
    const sim::AgendaState& a = v.agenda();
    if (!a.hasPlan) {
        std::printf("  round: no session plan in view\n");
        return;
    }
    const sim::AgendaEntry* e = v.currentEntry();
    const double elapsed = s.tickRate() > 0 ? static_cast<double>(s.serverTick() - std::min(s.serverTick(), a.phaseStartTick)) / s.tickRate() : 0;
    std::printf("  round: phase %u/%u %s%s%s, %.0f s in; floor: %s; hands: %zu", a.current + 1u, a.entryCount, sim::toString(a.phase),
                e && !e->title.empty() ? " - " : "", e ? e->title.c_str() : "", elapsed, nameOf(s, v.moderation().floor).c_str(),
                v.hands().entries.size());
    for (const auto& h : v.hands().entries) std::printf(" [%s]", nameOf(s, h.who).c_str());
    std::printf("; questions: %zu; board: %zu\n", v.questions().entries.size(), v.board().size());
    for (const sim::BoardEntry& b : v.board())
        if (b.caseIndex == a.caseIndex || a.phase == sim::Phase::WrapUp || a.phase == sim::Phase::Ended)
            std::printf("    case %u %s%s (%s): %s\n", b.caseIndex + 1u, b.consensus ? "CONSENSUS " : "", b.authorName.c_str(),
                        core::toString(b.authorRole), b.text.c_str());
}

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
    if (s.clinic().agenda().hasPlan) printClinic(s);
    std::fflush(stdout);
}

struct Options {
    net::Address server{"127.0.0.1", 7777};
    std::string room = "demo", prefix = "Bot";
    long long count = 6, rooms = 1;
    double churnMin = 0, churnMax = 0;   // --churn: 0 none
    double wanderers = 0.2, duration = 0, printEvery = 2.0;
    std::uint64_t seed = 1;
    bool watch = false, quiet = false, help = false, present = false;
    double slideSeconds = 8.0;
    bool clinic = false;          // --script clinic
    double phaseSeconds = 4.0;
    long long startWith = 0;      // 0: --count
    bool record = false;          // --record: the facilitator starts recording as the session begins
    long long cameras = 0;        // --cameras N: test-pattern cameras
    bool share = false;           // --share: bot 1 shares a test-pattern screen
    std::string keyPath, tokenPath, speakPath, listenPath;
    bool serverGiven = false;
    std::vector<std::string> invitations;   // --invitation, in order
    std::string invitationDir;              // --invitations
};

// Every numeric option: the whole string, range-checked; errors name the option and the value.
core::Result<Options> parseOptions(int argc, char** argv) {
    Options o;
    cli::Args args(argc, argv);
    while (args.next()) {
        const std::string a(args.flag());
        if (a == "--help" || a == "-h") { o.help = true; return o; }
        if (a == "--watch") { o.watch = true; continue; }
        if (a == "--quiet") { o.quiet = true; continue; }
        if (a == "--present") { o.present = true; continue; }
        if (a == "--share") { o.share = true; continue; }
        if (a == "--record") { o.record = true; continue; }
        auto v = args.value();
        if (!v) return v.error();
        auto number = [&](double lo, double hi, double& dst) -> core::Status {
            auto n = cli::parseNumber(a, *v, lo, hi);
            if (!n) return n.error();
            dst = *n;
            return {};
        };
        core::Status st;
        if (a == "--server") {
            auto hp = cli::parseHostPort(*v);
            if (!hp) st = core::Error{"--server: " + hp.error().message};
            else {
                o.server = {hp->first, hp->second};
                o.serverGiven = true;
            }
        } else if (a == "--room") o.room = *v;
        else if (a == "--invitation") o.invitations.push_back(*v);
        else if (a == "--invitations") o.invitationDir = *v;
        else if (a == "--key") o.keyPath = *v;
        else if (a == "--token") o.tokenPath = *v;
        else if (a == "--count") {
            auto n = cli::parseInt(a, *v, 1, 1000);
            if (!n) st = n.error();
            else o.count = *n;
        } else if (a == "--rooms") {
            auto n = cli::parseInt(a, *v, 1, 64);
            if (!n) st = n.error();
            else o.rooms = *n;
        } else if (a == "--churn") {
            const std::string text(*v);
            const auto comma = text.find(',');
            auto lo = cli::parseNumber(a, text.substr(0, comma), 0.5, 86400);
            auto hi = cli::parseNumber(a, comma == std::string::npos ? text : text.substr(comma + 1), 0.5, 86400);
            if (!lo) st = lo.error();
            else if (!hi) st = hi.error();
            else if (*hi < *lo) st = core::Error{"--churn: MAX is below MIN"};
            else {
                o.churnMin = *lo;
                o.churnMax = *hi;
            }
        } else if (a == "--wanderers") st = number(0, 1, o.wanderers);
        else if (a == "--seed") {
            auto n = cli::parseU64(a, *v);
            if (!n) st = n.error();
            else o.seed = *n;
        } else if (a == "--name") o.prefix = *v;
        else if (a == "--duration") st = number(0.1, 31536000, o.duration);
        else if (a == "--print-every") st = number(0.2, 3600, o.printEvery);
        else if (a == "--slide-seconds") st = number(1, 3600, o.slideSeconds);
        else if (a == "--script") {
            if (*v != "clinic") st = core::Error{"--script: '" + *v + "' is not a script (clinic)"};
            else o.clinic = true;
        } else if (a == "--phase-seconds") st = number(0.5, 600, o.phaseSeconds);
        else if (a == "--start-with") {
            auto n = cli::parseInt(a, *v, 1, 1000);
            if (!n) st = n.error();
            else o.startWith = *n;
        }
        else if (a == "--cameras") {
            auto n = cli::parseInt(a, *v, 0, 1000);
            if (!n) st = n.error();
            else o.cameras = *n;
        }
        else if (a == "--speak") o.speakPath = *v;
        else if (a == "--listen") o.listenPath = *v;
        else st = core::Error{"unknown option '" + a + "' (see --help)"};
        if (!st) return st.error();
    }
    return o;
}
// The invitations of --invitation and --invitations DIR (every *.caseroom
// there, by name), each a participant with its token and server address.
struct Invited {
    net::secure::ConnectToken token;
    net::Address server;
};
core::Result<std::vector<Invited>> loadInvitations(const Options& o) {
    std::vector<std::string> sources = o.invitations;
    if (!o.invitationDir.empty()) {
        std::error_code ec;
        std::vector<std::string> found;
        for (const auto& e : std::filesystem::directory_iterator(o.invitationDir, ec))
            if (e.path().extension() == ".caseroom") found.push_back(e.path().string());
        if (ec) return core::Error{"--invitations " + o.invitationDir + ": cannot list it: " + ec.message()};
        if (found.empty()) return core::Error{"--invitations " + o.invitationDir + ": no .caseroom files in it"};
        std::sort(found.begin(), found.end());
        sources.insert(sources.end(), found.begin(), found.end());
    }
    if (sources.size() > 1000) return core::Error{"more than 1000 invitations"};
    std::vector<Invited> out;
    for (const std::string& src : sources) {
        auto inv = net::secure::loadInvitation(src);
        if (!inv) return inv.error();
        if (inv->kind != "session")
            return core::Error{(net::secure::looksLikeInvitationLink(src) ? std::string("a caseroom:// link") : src) +
                               ": a program credential cannot join a room (it is for the case desk)"};
        Invited i;
        i.token = inv->token;
        i.server = o.serverGiven ? o.server : net::Address{inv->host, inv->port};
        out.push_back(std::move(i));
    }
    return out;
}

} // namespace

int main(int argc, char** argv) {
    auto parsed = parseOptions(argc, argv);
    if (!parsed) { std::fprintf(stderr, "caseroom-bots: %s\n", parsed.error().message.c_str()); return 2; }
    if (parsed->help) { usage(); return 0; }
    const net::Address server = parsed->server;
    std::string room = parsed->room;
    const std::string prefix = parsed->prefix;
    long count = static_cast<long>(parsed->count);
    const double wanderers = parsed->wanderers, duration = parsed->duration, printEvery = parsed->printEvery;
    const std::uint64_t seed = parsed->seed;
    const bool watch = parsed->watch, quiet = parsed->quiet;
    const std::string keyPath = parsed->keyPath, tokenPath = parsed->tokenPath, speakPath = parsed->speakPath, listenPath = parsed->listenPath;
    if (watch || !tokenPath.empty()) count = 1;
    const bool invited = !parsed->invitations.empty() || !parsed->invitationDir.empty();
    if (int(!keyPath.empty()) + int(!tokenPath.empty()) + int(invited) != 1) {
        std::fprintf(stderr, "caseroom-bots: give --key FILE (mint tokens), --token FILE (join with one) or "
                             "--invitation FILE / --invitations DIR (join with each)\n");
        return 2;
    }
    if (invited && watch) {
        std::fprintf(stderr, "caseroom-bots: --watch mints its own observer token: use --key with it\n");
        return 2;
    }
    if (!net::secure::initCrypto()) { std::fprintf(stderr, "caseroom-bots: libsodium failed to initialise\n"); return 1; }
    net::secure::SystemRandom random;
    std::optional<net::secure::Key> secret;
    std::optional<net::secure::ConnectToken> given;
    std::vector<Invited> invitations;
    if (invited) {
        auto loaded = loadInvitations(*parsed);
        if (!loaded) { std::fprintf(stderr, "caseroom-bots: %s\n", loaded.error().message.c_str()); return 1; }
        invitations = std::move(*loaded);
        count = static_cast<long>(invitations.size());
    } else if (!keyPath.empty()) {
        auto k = net::secure::loadKeyFile(keyPath);
        if (!k) { std::fprintf(stderr, "caseroom-bots: %s\n", k.error().message.c_str()); return 1; }
        secret = k->bytes;
    } else {
        auto t = net::secure::readTokenFile(tokenPath);
        if (!t) { std::fprintf(stderr, "caseroom-bots: %s\n", t.error().message.c_str()); return 1; }
        given = *t;
        room = given->grant.roomCode;
    }
    const std::uint64_t unixNow = cli::unixSecondsNow();
    cli::installStopSignals();

    struct Bot {
        std::unique_ptr<net::secure::SecureTransport> transport;
        std::unique_ptr<session::ClientSession> session;
        std::unique_ptr<session::BotBrain> brain;
        std::unique_ptr<audio::VoiceClient> voice;        // --speak / --listen only
        std::unique_ptr<audio::WavFileAudioDevice> device;
        std::unique_ptr<session::VideoClient> video;      // --cameras / --share only
        // --churn: what a new connection needs, and when this bot leaves and comes back.
        session::ClientDesc desc;
        net::secure::ConnectToken token;
        net::Address server;
        bool wanders = false;
        std::uint64_t brainSeed = 0;
        double leaveAt = -1, rejoinAt = -1;
    };
    const bool churn = parsed->churnMax > 0;
    if (churn && (watch || invited || given || parsed->clinic || parsed->present || parsed->cameras > 0 || parsed->share ||
                  !speakPath.empty() || !listenPath.empty())) {
        std::fprintf(stderr, "caseroom-bots: --churn runs plain bots with --key: not with --watch, --token, invitations, "
                             "--script, --present, --cameras, --share, --speak or --listen\n");
        return 2;
    }
    core::Rng churnRng(parsed->seed * 7919u + 17u);
    std::uint64_t churnJoins = 0, churnLeaves = 0;
    long long camerasLeft = parsed->cameras;
    std::vector<Bot> bots;
    const auto start = std::chrono::steady_clock::now();
    auto seconds = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };
    const core::Role roles[] = {core::Role::Specialist, core::Role::Spoke, core::Role::Spoke, core::Role::Spoke};
    for (long i = 0; i < count; ++i) {
        session::ClientDesc cd;
        cd.roomCode = parsed->rooms > 1 ? room + "-" + std::to_string(i % parsed->rooms + 1) : room;
        cd.reconnect.enabled = true; // like the app: a dropped link comes back to the held place
        cd.displayName = watch ? "Observer" : prefix + " " + std::to_string(i + 1);
        cd.role = watch ? core::Role::Observer : (i == 0 ? core::Role::Facilitator : roles[static_cast<std::size_t>(i) % 4]);
        net::secure::ConnectToken token;
        net::Address botServer = server;
        if (!invitations.empty()) {
            token = invitations[static_cast<std::size_t>(i)].token;
            botServer = invitations[static_cast<std::size_t>(i)].server;
            cd.roomCode = token.grant.roomCode;
            cd.displayName = token.grant.displayName;
            cd.role = token.grant.role;
        } else if (given) {
            token = *given;
            cd.displayName = token.grant.displayName;
            cd.role = token.grant.role;
        } else {
            net::secure::MintDesc m;
            // One user id per person: bots are (seed << 20) + 1, + 2, ...; the
            // watching observer is another person, (seed << 20) + 0xFFFFF.
            m.userId = (seed << 20) + (watch ? 0xFFFFFu : static_cast<std::uint64_t>(i) + 1);
            m.displayName = cd.displayName;
            m.roomCode = cd.roomCode;
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
        b.brain = std::make_unique<session::BotBrain>(seed * 1000003ull + static_cast<std::uint64_t>(i), wanders);
        b.desc = cd;
        b.token = token;
        b.server = botServer;
        b.wanders = wanders;
        b.brainSeed = seed * 1000003ull + static_cast<std::uint64_t>(i);
        if (churn) b.leaveAt = seconds() + (parsed->churnMin + churnRng.uniform() * (parsed->churnMax - parsed->churnMin));
        if (i == 0 && parsed->present && !watch) {
            session::SlideShow show;
            show.secondsPerSlide = parsed->slideSeconds;
            b.brain->presentSlides(show);
        }
        // Coordinators and observers sit and watch: the round gives them no part.
        if (parsed->clinic && !watch && (cd.role == core::Role::Facilitator || cd.role == core::Role::Specialist || cd.role == core::Role::Spoke)) {
            session::ClinicScript cs;
            cs.part = cd.role == core::Role::Facilitator ? session::ClinicPart::Facilitator
                      : cd.role == core::Role::Specialist ? session::ClinicPart::Specialist
                                                          : session::ClinicPart::Spoke;
            cs.phaseSeconds = parsed->phaseSeconds;
            cs.startWith = static_cast<std::uint32_t>(parsed->startWith > 0 ? parsed->startWith : count);
            cs.record = parsed->record;
            b.brain->playClinic(cs);
        }
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
        // A test-pattern camera (and bot 1's screen): the real VP8 path, as a person's camera would go.
        const bool camera = camerasLeft > 0 && !watch && sim::permitted(cd.role, sim::Action::ShowCamera);
        const bool share = i == 0 && parsed->share && !watch;
        if (camera || share) {
            b.video = std::make_unique<session::VideoClient>();
            if (camera) {
                --camerasLeft;
                const media::VideoProfile& prof = media::videoProfile(media::cameraUse(cd.role));
                if (auto st = b.video->publish(net::VideoKind::Camera, media::makeTestPatternSource(prof.width, prof.height, prof.fps), prof); !st) {
                    std::fprintf(stderr, "caseroom-bots: camera: %s\n", st.error().message.c_str());
                    return 1;
                }
            }
            if (share) {
                const media::VideoProfile& prof = media::videoProfile(media::VideoUse::ScreenShare);
                if (auto st = b.video->publish(net::VideoKind::Screen, media::makeTestPatternSource(prof.width, prof.height, prof.fps), prof); !st) {
                    std::fprintf(stderr, "caseroom-bots: screen: %s\n", st.error().message.c_str());
                    return 1;
                }
            }
            b.session->attachVideo(b.video.get());
        }
        b.session->connect(botServer, seconds());
        bots.push_back(std::move(b));
    }
    std::uint64_t deviceBlocks = 0; // WAV devices run on the wall clock, 10 ms blocks
    double nextPrint = printEvery;
    // Measured input rate: ClientInput packets the bots actually sent since
    // the previous print, over the bot-seconds spent in the room.
    std::uint64_t inputsAtPrint = 0;
    double inRoomSeconds = 0, lastLoop = 0;
    int exitCode = 0;
    bool stop = false;
    int shownPhase = -1;          // --script clinic: the agenda entry bot 1's view showed last
    double endedAt = -1;
    while (!stop && !cli::stopRequested()) {
        const double now = seconds();
        if (duration > 0 && now >= duration) break;
        if (bots[0].device) {
            while (static_cast<double>(deviceBlocks) * 0.01 < now) {
                if (const core::Status st = bots[0].device->pump(audio::kBlockSamples); !st.ok()) {
                    std::fprintf(stderr, "caseroom-bots: %s\n", st.error().message.c_str());
                    stop = true;
                    break;
                }
                ++deviceBlocks;
            }
        }
        std::size_t alive = 0, inRoom = 0;
        for (auto& b : bots) {
            if (churn && b.leaveAt >= 0 && now >= b.leaveAt) { // time to go; back in 1 to 3 s
                b.session->leave();
                ++churnLeaves;
                b.leaveAt = -1;
                b.rejoinAt = now + (1.0 + 2.0 * churnRng.uniform());
            } else if (churn && b.rejoinAt >= 0 && now >= b.rejoinAt) { // a new connection, the same invitation
                auto t = net::secure::SecureTransport::createClient(b.token, random);
                if (!t) { std::fprintf(stderr, "caseroom-bots: %s\n", t.error().message.c_str()); exitCode = 1; stop = true; break; }
                b.session.reset();
                b.transport = std::move(*t);
                b.session = std::make_unique<session::ClientSession>(*b.transport, b.desc);
                b.brain = std::make_unique<session::BotBrain>(b.brainSeed + churnJoins * 7u, b.wanders);
                b.session->connect(b.server, now);
                ++churnJoins;
                b.rejoinAt = -1;
                b.leaveAt = now + (parsed->churnMin + churnRng.uniform() * (parsed->churnMax - parsed->churnMin));
            }
            if (b.rejoinAt >= 0) { ++alive; continue; } // between a leave and its return
            b.session->update(now);
            if (!watch) b.brain->think(*b.session, now);
            for (const auto& n : b.session->takeNotices()) std::printf("[%s] %s\n", b.session->desc().displayName.c_str(), n.c_str());
            const auto st = b.session->state();
            if (st == session::ClientState::Refused || st == session::ClientState::Disconnected) continue;
            ++alive;
            if (st == session::ClientState::InRoom) ++inRoom;
        }
        inRoomSeconds += static_cast<double>(inRoom) * (now - lastLoop);
        lastLoop = now;
        if (alive == 0) { std::fprintf(stderr, "caseroom-bots: no participant is connected any more\n"); exitCode = 1; break; }
        if (parsed->clinic || watch) {
            // Each phase as it begins in bot 1's (the watcher's) view; the script ends with the agenda.
            const session::ClientSession& first = *bots[0].session;
            const sim::AgendaState& ag = first.clinic().agenda();
            if (ag.hasPlan && static_cast<int>(ag.current) != shownPhase) {
                shownPhase = ag.current;
                const sim::AgendaEntry* e = first.clinic().currentEntry();
                std::printf("[%s] phase %u/%u: %s%s%s (at %.1f s)\n", first.desc().displayName.c_str(), ag.current + 1u, ag.entryCount,
                            sim::toString(ag.phase), e && !e->title.empty() ? " - " : "", e ? e->title.c_str() : "", now);
                std::fflush(stdout);
                if (ag.phase == sim::Phase::Ended && endedAt < 0) endedAt = now;
            }
            if (parsed->clinic && endedAt >= 0 && now - endedAt > 1.0) {
                printClinic(first);
                std::uint32_t hands = 0, asked = 0, recs = 0, calls = 0, advances = 0, summaries = 0;
                for (auto& b : bots) {
                    const auto& p = b.brain->clinicProgress();
                    hands += p.handsRaised;
                    asked += p.questionsAsked;
                    recs += p.recommendations;
                    calls += p.floorsCalled;
                    advances += p.advances;
                    summaries += p.summaries;
                }
                std::printf("clinic: the agenda ended; %u advances, %u hands raised, %u floors called, %u questions asked, "
                            "%u recommendations and %u summaries sent; %llu refusals seen by bot 1\n",
                            advances, hands, calls, asked, recs, summaries, static_cast<unsigned long long>(first.stats().refusals));
                break;
            }
        }
        if (now >= nextPrint) {
            nextPrint = now + printEvery;
            if (watch) printRoom(*bots[0].session, now);
            else if (!quiet) {
                std::size_t seated = 0;
                std::uint64_t inputs = 0;
                for (auto& b : bots) {
                    if (b.brain->mode() == session::BotMode::Seated) ++seated;
                    inputs += b.session->stats().inputsSent;
                }
                const double inputRate = inRoomSeconds > 0 ? static_cast<double>(inputs - inputsAtPrint) / inRoomSeconds : 0.0;
                inputsAtPrint = inputs;
                inRoomSeconds = 0;
                const auto st = bots[0].session->stats();
                std::printf("bots: %zu connected, %zu seated; %s sees %zu participant(s); sent %.1f input packets/s each (measured); "
                            "rtt %.0f ms, in %.1f kbit/s\n",
                            alive, seated, bots[0].session->desc().displayName.c_str(), bots[0].session->avatars().size(), inputRate,
                            st.rttMs, static_cast<double>(st.bytesIn) * 8.0 / 1000.0 / std::max(now, 1.0));
                if (parsed->clinic) printClinic(*bots[0].session);
            }
            std::fflush(stdout);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    for (auto& b : bots) b.session->leave();
    if (churn) std::printf("churn: %llu leaves and %llu joins again\n", static_cast<unsigned long long>(churnLeaves),
                           static_cast<unsigned long long>(churnJoins));
    std::uint64_t videoFrames = 0, videoBytes = 0;
    std::size_t publishers = 0;
    for (auto& b : bots) {
        if (!b.video) continue;
        ++publishers;
        for (const auto kind : {net::VideoKind::Camera, net::VideoKind::Screen}) {
            const auto st = b.video->publishStats(kind);
            videoFrames += st.frames;
            videoBytes += st.bytes;
            if (!st.error.empty()) std::fprintf(stderr, "caseroom-bots: [%s] video stopped: %s\n", b.session->desc().displayName.c_str(), st.error.c_str());
        }
        b.session->attachVideo(nullptr);
    }
    if (publishers > 0)
        std::printf("video: %zu bots sent %llu frames, %.1f MB\n", publishers, static_cast<unsigned long long>(videoFrames),
                    static_cast<double>(videoBytes) / 1e6);
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
