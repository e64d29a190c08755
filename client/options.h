// Command-line options of `caseroom`. Parsing is total: bad input yields an
// Error naming the option, never an exit from deep inside.
#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include "core/result.h"
#include "core/role.h"
#include "render/camera.h"
#include "session/client_session.h"

namespace caseroom::client {

struct Options {
    bool help = false;
    bool headless = false;
    bool bench = false;
    bool benchSlides = false;          // --bench-slides: four 2048x2048 16-bit slides on the panels
    std::uint32_t frames = 0;          // 0: run until quit (window) / 3 (headless)
    render::CameraPreset camera = render::CameraPreset::Seat;
    std::uint16_t seat = 0;            // --seat: the seat the headless seat camera uses
    std::string screenshot;            // PNG path
    std::string connect;               // HOST:PORT; empty: built-in scene (headless) / join screen (window)
    std::string room;                  // empty: remembered / "demo"
    std::string name;                  // empty: remembered / "Guest"
    std::string tokenFile;
    std::string invitation;            // INVITE: a .caseroom file, a caseroom:// link or a file:// URL (never logged)
    std::uint32_t avatars = 12;        // built-in scene size
    std::uint32_t width = 1280, height = 720;
    std::uint32_t msaa = 0;            // 0: automatic (4x on GPUs, off on lavapipe)
    std::uint32_t benchFrames = 300;
    bool validation = false;
    bool ui = false;                   // headless --connect: draw the in-room panels too
    bool ackRecording = false;         // headless --connect: acknowledge the room's recording (the person agreed to it)
    bool join = false;                 // window: join at once with the given/remembered fields
    bool slowLink = false;             // --slow-link: "my connection is slow" (session::ClientDesc::slowConnection)
    bool resizeTest = false;           // window: resize and minimise-restore while running (tests)
    bool vsync = true;
    double timeout = session::ClientTimeouts::kHeadlessWait; // headless --connect: seconds to wait for the room
    double waitSlides = 0;             // headless --connect: after the frames, render until the slides are up (seconds at most)
    double waitVideo = 0;              // headless --connect: then render until every placed video stream shows a picture
    bool videoFaces = false;           // headless --connect: cameras on avatars' faces too
    bool prefetch = false;             // --prefetch: fetch every offered deck into the cache, then exit (no rendering)
    std::string shaders;               // SPIR-V directory override
    std::string configDir;             // settings directory override
    // The case desk (client/desk_cli.h): --submit-case FILE CREDENTIAL [--attest] [--case ID].
    std::string submitCase, credential;
    bool attest = false;
    std::uint64_t caseId = 0;          // 0: a new case; else a held or submitted case of mine, fixed
};

std::string usageText();
[[nodiscard]] core::Result<Options> parseOptions(int argc, char** argv);
// "host:port" -> parts; the error says what is wrong.
[[nodiscard]] core::Result<std::pair<std::string, std::uint16_t>> parseHostPort(const std::string& text);
std::optional<core::Role> roleFromString(const std::string& s);

} // namespace caseroom::client
