#include "options.h"

#include <cerrno>
#include <cstdlib>

#include "core/cli.h"

namespace caseroom::client {

std::string usageText() {
    return "usage: caseroom [options] [INVITE]\n"
           "\n"
           "The CaseRoom desktop client: joins a case room and shows it in 3D.\n"
           "Without options it opens a window with the join screen.\n"
           "\n"
           "INVITE is your invitation: a .caseroom file or the caseroom:// link it holds (as\n"
           "the coordinator sent it). It joins straight away: server, room, name and role all\n"
           "come from it. With --headless it joins and renders the room without a window.\n"
           "\n"
           "joining:\n"
           "  --connect HOST:PORT   server address (window: pre-fills the join screen; with an\n"
           "                        invitation: instead of the address it names)\n"
           "  --token-file FILE     your connect token (minted by caseroom-token); it sets\n"
           "                        the room, your display name and your role\n"
           "  --room CODE           window: pre-fills the join screen (the token decides)\n"
           "  --name NAME           window: pre-fills the join screen (the token decides)\n"
           "  --join                window: join at once instead of showing the join screen\n"
           "  --slow-link           my connection is slow: voice at 16 kbit/s or less, and the\n"
           "                        server keeps what it sends within a rural link (128 kbit/s)\n"
           "\n"
           "headless rendering (no window, no display):\n"
           "  --headless            render into an offscreen image\n"
           "  --frames N            frames to render (headless default 3; window: quit after N)\n"
           "  --camera seat|overview|panel  first person from a seat, from above, or facing the\n"
           "                        first wall panel so that it fills the view (default seat)\n"
           "  --seat N              seat for the seat camera in the built-in scene (default 0)\n"
           "  --screenshot FILE.png write the last frame as PNG\n"
           "  --avatars N           built-in scene: N synthetic participants (default 12)\n"
           "  --bench               frame times with 20, 100 and 200 avatars (prints a table)\n"
           "  --bench-slides        the same with four 2048x2048 16-bit CT slides on the panels, plus\n"
           "                        the cost of a window change and of a slide upload\n"
           "  --bench-frames N      measured frames per row (default 300)\n"
           "  --timeout SECONDS     with --connect: how long to wait for the room (default 20; the\n"
           "                        handshake gives up at 10 s and the join at 15 s, each with its reason)\n"
           "  --ui                  with --connect: draw the in-room panels as the window does\n"
           "  --ack-recording       with --connect: acknowledge the room's recording when asked (without it a\n"
           "                        headless client is in the room unacknowledged: its voice is not recorded)\n"
           "  --wait-slides SECONDS with --connect: after the frames, keep rendering until every\n"
           "                        panel that shows a deck has its current slide on screen (or the\n"
           "                        time runs out), then take the screenshot\n"
           "  --wait-video SECONDS  with --connect: then keep rendering until every video stream placed in\n"
           "                        the room shows a picture (or the time runs out)\n"
           "  --video-faces         with --connect: cameras on their senders' avatars too\n"
           "  --prefetch            with --connect: fetch every deck the room offers into the blob\n"
           "                        cache ($XDG_CACHE_HOME/caseroom/blobs, else ~/.cache/caseroom/blobs),\n"
           "                        print the bytes fetched per deck and exit (a deck fetched\n"
           "                        ahead of the session; a second run fetches 0 bytes). No display needed\n"
           "\n"
           "the case desk (before the session, with a program credential from caseroom-admin credential):\n"
           "  --submit-case FILE CREDENTIAL  submit the filled form FILE ([case] name = value lines) with\n"
           "                        CREDENTIAL (a .caseroom invitation or link; a token file needs --connect);\n"
           "                        prints 'accepted case ID' (exit 0), the PHI findings as JSON lines (held,\n"
           "                        exit 1) or 'refused: REASON' (exit 2). No display needed\n"
           "  --attest              with --submit-case: I attest the program's statement (de-identified, consent)\n"
           "  --case ID             with --submit-case: send my held or submitted case ID again, fixed\n"
           "\n"
           "rendering:\n"
           "  --size WxH            image or window size (default 1280x720)\n"
           "  --msaa 1|2|4|8        multisampling, clamped to the device (default: 4 on a GPU,\n"
           "                        1 on a CPU rasteriser such as lavapipe)\n"
           "  --no-vsync            window: do not wait for the display\n"
           "  --validation          enable the Khronos validation layer\n"
           "  --shaders DIR         directory with the compiled SPIR-V\n"
           "  --config-dir DIR      where join settings are remembered\n"
           "                        (default $XDG_CONFIG_HOME/caseroom or ~/.config/caseroom)\n"
           "  --resize-test         window: resize and minimise while running (for tests)\n"
           "  --help                this text\n"
           "\n"
           "keys in the room: right mouse drag to look, WASD to walk, left click a free chair\n"
           "to sit, E to stand, hold V to talk (push-to-talk; the Voice window switches to open\n"
           "mic or mute), Tab for the overview camera, F for the focused wall panel full screen,\n"
           "L for a laser dot where the mouse points, H to raise or lower your hand, F1 for help,\n"
           "Esc to leave. The Agenda window shows the phase, its timer and the hand queue; the\n"
           "Recommendations and Chat windows the case's board and the room's chat; facilitators\n"
           "get the Facilitator console.\n";
}

std::optional<core::Role> roleFromString(const std::string& s) { return core::roleFromString(s); }

core::Result<std::pair<std::string, std::uint16_t>> parseHostPort(const std::string& text) {
    return core::cli::parseHostPort(text);
}

namespace {

core::Result<std::uint32_t> number(const std::string& opt, const std::string& v, std::uint32_t lo, std::uint32_t hi) {
    char* end = nullptr;
    errno = 0;
    const unsigned long n = std::strtoul(v.c_str(), &end, 10);
    if (v.empty() || errno != 0 || *end != '\0' || n < lo || n > hi)
        return core::Error{opt + " must be a whole number from " + std::to_string(lo) + " to " + std::to_string(hi) +
                           " (got '" + v + "')"};
    return static_cast<std::uint32_t>(n);
}

} // namespace

core::Result<Options> parseOptions(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        std::string v;
        auto needValue = [&]() -> bool {
            if (i + 1 >= argc) return false;
            v = argv[++i];
            return true;
        };
        auto num = [&](std::uint32_t lo, std::uint32_t hi, std::uint32_t& dst) -> core::Status {
            if (!needValue()) return core::Error{a + " needs a value"};
            auto n = number(a, v, lo, hi);
            if (!n) return n.error();
            dst = *n;
            return {};
        };
        core::Status st;
        if (a == "--help" || a == "-h") o.help = true;
        else if (a == "--headless") o.headless = true;
        else if (a == "--bench") { o.bench = true; o.headless = true; }
        else if (a == "--bench-slides") { o.benchSlides = true; o.headless = true; }
        else if (a == "--validation") o.validation = true;
        else if (a == "--join") o.join = true;
        else if (a == "--slow-link") o.slowLink = true;
        else if (a == "--ui") o.ui = true;
        else if (a == "--prefetch") { o.prefetch = true; o.headless = true; }
        else if (a == "--resize-test") o.resizeTest = true;
        else if (a == "--no-vsync") o.vsync = false;
        else if (a == "--frames") st = num(1, 10000000, o.frames);
        else if (a == "--avatars") st = num(0, 4096, o.avatars);
        else if (a == "--bench-frames") st = num(10, 100000, o.benchFrames);
        else if (a == "--msaa") {
            st = num(1, 8, o.msaa);
            if (st && (o.msaa & (o.msaa - 1)) != 0) st = core::Error{"--msaa must be 1, 2, 4 or 8"};
        } else if (a == "--seat") {
            std::uint32_t s = 0;
            st = num(0, 4095, s);
            o.seat = static_cast<std::uint16_t>(s);
        } else if (a == "--timeout") {
            std::uint32_t s = 0;
            st = num(1, 600, s);
            o.timeout = s;
        } else if (a == "--wait-slides") {
            std::uint32_t s = 0;
            st = num(1, 600, s);
            o.waitSlides = s;
        } else if (a == "--wait-video") {
            std::uint32_t s = 0;
            st = num(1, 600, s);
            o.waitVideo = s;
        } else if (a == "--video-faces") {
            o.videoFaces = true;
        } else if (a == "--submit-case") { // the case desk (client/desk_cli.h)
            if (i + 2 >= argc) st = core::Error{"--submit-case needs FILE CREDENTIAL"};
            else { o.submitCase = argv[++i]; o.credential = argv[++i]; o.headless = true; }
        } else if (a == "--attest") o.attest = true;
        else if (a == "--ack-recording") o.ackRecording = true;
        else if (a == "--case") {
            std::uint32_t id = 0;
            st = num(1, 0x7FFFFFFF, id);
            o.caseId = id;
        } else if (a == "--camera") {
            if (!needValue()) st = core::Error{"--camera needs seat, overview or panel"};
            else if (v == "seat") o.camera = render::CameraPreset::Seat;
            else if (v == "overview") o.camera = render::CameraPreset::Overview;
            else if (v == "panel") o.camera = render::CameraPreset::Panel;
            else st = core::Error{"--camera must be seat, overview or panel (got '" + v + "')"};
        } else if (a == "--size") {
            if (!needValue()) st = core::Error{"--size needs WxH"};
            else {
                const auto x = v.find('x');
                if (x == std::string::npos) st = core::Error{"--size must look like 1280x720"};
                else {
                    auto w = number("--size width", v.substr(0, x), 64, 8192);
                    auto h = number("--size height", v.substr(x + 1), 64, 8192);
                    if (!w) st = w.error();
                    else if (!h) st = h.error();
                    else { o.width = *w; o.height = *h; }
                }
            }
        } else if (a == "--screenshot" || a == "--connect" || a == "--room" || a == "--name" || a == "--token-file" ||
                   a == "--shaders" || a == "--config-dir") {
            if (!needValue() || v.empty()) st = core::Error{a + " needs a value"};
            else if (a == "--screenshot") o.screenshot = v;
            else if (a == "--connect") o.connect = v;
            else if (a == "--room") o.room = v;
            else if (a == "--name") o.name = v;
            else if (a == "--token-file") o.tokenFile = v;
            else if (a == "--shaders") o.shaders = v;
            else o.configDir = v;
        } else if (!a.empty() && a.front() != '-') {
            // The invitation (the desktop passes a file, a file:// URL or a link).
            if (!o.invitation.empty()) st = core::Error{"more than one invitation given (give one .caseroom file or link)"};
            else o.invitation = a;
        } else {
            st = core::Error{"unknown option '" + a + "' (see --help)"};
        }
        if (!st) return st.error();
    }
    if (!o.connect.empty()) {
        auto hp = parseHostPort(o.connect);
        if (!hp) return core::Error{"--connect: " + hp.error().message};
    }
    const bool joining = !o.connect.empty() || !o.invitation.empty();
    if (!o.invitation.empty() && !o.tokenFile.empty())
        return core::Error{"give an invitation or --token-file, not both (the invitation holds the token)"};
    if (!o.invitation.empty() && !o.headless) o.join = true; // opening an invitation joins straight away
    if (!o.screenshot.empty() && !o.headless)
        return core::Error{"--screenshot needs --headless (the window shows frames; it does not save them)"};
    if (o.prefetch && !joining) return core::Error{"--prefetch needs an invitation or --connect HOST:PORT (and --token-file)"};
    if (o.waitSlides > 0 && !joining) return core::Error{"--wait-slides needs an invitation or --connect (the slides come from a room)"};
    if (o.waitVideo > 0 && !joining) return core::Error{"--wait-video needs an invitation or --connect (the video comes from a room)"};
    if (o.headless && o.frames == 0) o.frames = 3;
    return o;
}

} // namespace caseroom::client
