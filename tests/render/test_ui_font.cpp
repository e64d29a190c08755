// The UI font (render/ui_font.h): names as people write them. The atlas has
// the glyphs ("Nguyễn Thị Lan", "Ørsted", Greek, Cyrillic); a missing font
// falls back to the built-in one with a warning; and on lavapipe a name tag
// for "Nguyễn Ørsted" is drawn with its own letters, not the fallback glyph:
// its image differs from the same tag with the fallback glyph typed in,
// while with the built-in Latin-1 font the two are pixel-identical (so the
// check can fail).
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include <imgui.h>

#include "core/log.h"
#include "render/camera.h"
#include "render/imgui_layer.h"
#include "render/renderer.h"
#include "render/ui_font.h"
#include "render_fixture.h"
#include "sim/layout.h"

using namespace caseroom;
using namespace caseroom::render;
using namespace caseroom::render::test;

namespace {

constexpr const char* kNoto = "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf";

// An ImGui context for one test, destroyed with it.
struct Context {
    Context() {
        ImGui::CreateContext();
        ImGui::GetIO().IniFilename = nullptr;
        ImGui::GetIO().DisplaySize = ImVec2(float(kWidth), float(kHeight));
    }
    ~Context() { ImGui::DestroyContext(); }
    Context(const Context&) = delete;
    Context& operator=(const Context&) = delete;
};

// Log lines, captured while alive.
struct LogCapture {
    std::vector<std::string> lines;
    LogCapture() {
        core::setLogSink([this](core::LogLevel l, std::string_view t) { lines.push_back(std::string(core::toString(l)) + ": " + std::string(t)); });
    }
    ~LogCapture() { core::setLogSink({}); }
    LogCapture(const LogCapture&) = delete;
    LogCapture& operator=(const LogCapture&) = delete;
};

std::string utf8(ImWchar c) {
    std::string s;
    if (c < 0x80) s += static_cast<char>(c);
    else if (c < 0x800) {
        s += static_cast<char>(0xC0 | (c >> 6));
        s += static_cast<char>(0x80 | (c & 0x3F));
    } else {
        s += static_cast<char>(0xE0 | (c >> 12));
        s += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        s += static_cast<char>(0x80 | (c & 0x3F));
    }
    return s;
}

// `name` as the font would draw it if it had none of the letters outside ASCII.
std::string withFallback(const std::string& name, const ImFont& font) {
    std::string out;
    for (std::size_t i = 0; i < name.size();) {
        const auto b = static_cast<unsigned char>(name[i]);
        const std::size_t len = b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
        out += len == 1 ? std::string(1, name[i]) : utf8(font.FallbackChar);
        i += len;
    }
    return out;
}

// One participant's name tag in the room, seen from above, on the rig.
RgbaImage renderTag(Rig& rig, ImGuiLayer& ui, const std::string& name, bool away = false) {
    const sim::RoomLayout layout = sim::makeLayout(sim::RoomSpec{});
    std::vector<AvatarDraw> avatars = syntheticAvatars(layout, 1);
    avatars[0].name = name;
    avatars[0].away = away;
    FrameView view;
    view.layout = &layout;
    view.avatars = avatars;
    view.camera = overviewCamera(layout);
    const glm::mat4 viewProj = viewProjection(view.camera, aspectRatio(rig.rig.target));
    for (int frame = 0; frame < 3; ++frame) {
        if (beginFrame(rig.rig.renderer, rig.rig.target.extent) != FrameResult::Ready) return {};
        drawScene(rig.rig.renderer, view);
        imguiNewFrame(ui);
        ImGui::NewFrame();
        drawNameTags(ui, ImGui::GetBackgroundDrawList(), viewProj, view.camera.eye, {float(kWidth), float(kHeight)}, avatars);
        ImGui::Render();
        recordImGui(ui, frameCommandBuffer(rig.rig.renderer));
        if (endFrame(rig.rig.renderer) != FrameResult::Ready) return {};
    }
    if (!waitIdle(rig.rig.renderer)) return {};
    auto img = captureFrame(rig.rig.renderer);
    return img ? *img : RgbaImage{};
}

} // namespace

TEST_CASE("the UI font has the letters of names in Latin, Vietnamese, Greek and Cyrillic", "[render][font]") {
    REQUIRE(std::filesystem::exists(kNoto)); // fonts-noto-core, in tools/dev PACKAGES
    Context ctx;
    LogCapture log;
    const UiFontChoice choice = loadUiFont(*ImGui::GetIO().Fonts);
    CHECK(choice.main == kNoto);
    CHECK(choice.wide);
    REQUIRE(ImGui::GetIO().Fonts->Fonts.Size == 1);
    // Every Vulkan device takes a 4096 x 4096 image (the minimum maxImageDimension2D).
    CHECK(ImGui::GetIO().Fonts->TexWidth <= 4096);
    CHECK(ImGui::GetIO().Fonts->TexHeight <= 4096);
    const ImFont& font = *ImGui::GetIO().Fonts->Fonts[0];
    for (ImWchar c : {ImWchar(0x1EC5) /* ễ */, ImWchar(0x00D8) /* Ø */, ImWchar(0x1ECB) /* ị */, ImWchar(0x0111) /* đ */,
                      ImWchar(0x01B0) /* ư */, ImWchar(0x03A9) /* Ω */, ImWchar(0x0416) /* Ж */, ImWchar(0x2013) /* – */,
                      ImWchar(0x02BB) /* ʻ */, ImWchar(0x20AC) /* € */}) {
        INFO(std::hex << c);
        const ImFontGlyph* g = font.FindGlyphNoFallback(c);
        REQUIRE(g != nullptr);
        CHECK(g->Visible);
        CHECK(g->AdvanceX > 0.0f);
    }
    for (const char* name : {"Nguyễn Thị Lan", "Ørsted", "Nguyễn Ørsted", "Δημήτρης Παπαδόπουλος", "Тарас Шевченко",
                             "Łukasz Żółć", "Đặng Văn Lâm", "Kaʻiulani", "Dvořák–Šťastný"}) {
        INFO(name);
        CHECK(missingGlyphs(font, name) == 0);
    }
    CHECK(missingGlyphs(font, "\xF0\x9F\x98\x80") == 1); // an emoji: not in the ranges
    CHECK(missingGlyphs(font, "bad \xC3") == 1);         // cut UTF-8
    bool logged = false;
    for (const auto& l : log.lines) logged = logged || l.find("info: UI font: " + std::string(kNoto)) == 0;
    CHECK(logged);
}

TEST_CASE("without Noto or DejaVu the UI falls back to the built-in font and says so", "[render][font]") {
    Context ctx;
    LogCapture log;
    UiFontDesc d;
    d.paths = {"/nonexistent/NotoSans-Regular.ttf", "/etc/hostname"}; // missing; not a font
    const UiFontChoice choice = loadUiFont(*ImGui::GetIO().Fonts, d);
    CHECK(choice.main.empty());
    CHECK_FALSE(choice.wide);
    REQUIRE(ImGui::GetIO().Fonts->Fonts.Size == 1);
    const ImFont& font = *ImGui::GetIO().Fonts->Fonts[0];
    CHECK(missingGlyphs(font, "Ørsted") == 0);         // Latin-1
    CHECK(missingGlyphs(font, "Nguyễn Thị Lan") == 2); // ễ and ị are not
    REQUIRE(log.lines.size() == 1);
    CHECK(log.lines[0].find("warn: UI font: none of /nonexistent/NotoSans-Regular.ttf, /etc/hostname could be loaded") == 0);
    CHECK(log.lines[0].find("Install fonts-noto-core") != std::string::npos);
}

TEST_CASE("offscreen: a name tag for \"Nguyễn Ørsted\" is drawn with its own letters", "[render][gpu][font]") {
    auto rig = makeRig();
    REQUIRE(rig->ok);
    struct Run {
        std::size_t differing = 0;
        std::size_t missing = 0;
    };
    const auto run = [&](const UiFontDesc& desc, const std::string& name) {
        Context ctx;
        (void)loadUiFont(*ImGui::GetIO().Fonts, desc);
        ImGuiLayer ui;
        REQUIRE(createImGuiLayer(ui, rig->rig.dev, rig->rig.target).ok());
        const ImFont& font = *ImGui::GetIO().Fonts->Fonts[0];
        const RgbaImage real = renderTag(*rig, ui, name);
        const RgbaImage fallback = renderTag(*rig, ui, withFallback(name, font));
        destroyImGuiLayer(ui);
        REQUIRE(real.width == kWidth);
        REQUIRE(fallback.width == kWidth);
        Run r;
        r.differing = compare(real, fallback, 0).over;
        r.missing = missingGlyphs(font, name);
        return r;
    };
    const Run wide = run(UiFontDesc{}, "Nguyễn Ørsted");
    CHECK(wide.missing == 0);
    CHECK(wide.differing > 10); // ễ and Ø are real letters, not the fallback glyph
    // The check can fail: with the built-in font, ễ and ị are the fallback glyph.
    UiFontDesc builtIn;
    builtIn.paths = {"/nonexistent.ttf"};
    const Run latin1 = run(builtIn, "Nguyễn Thị");
    CHECK(latin1.missing == 2);
    CHECK(latin1.differing == 0);
    CHECK(finish(rig) == 0);
}

TEST_CASE("offscreen: the tag of someone whose link dropped says \"reconnecting\", in amber", "[render][gpu][font]") {
    auto rig = makeRig();
    REQUIRE(rig->ok);
    Context ctx;
    (void)loadUiFont(*ImGui::GetIO().Fonts, UiFontDesc{});
    ImGuiLayer ui;
    REQUIRE(createImGuiLayer(ui, rig->rig.dev, rig->rig.target).ok());
    const RgbaImage present = renderTag(*rig, ui, "Spoke Rural");
    REQUIRE(ui.tagRects.size() == 1);
    const float presentWidth = ui.tagRects[0].z - ui.tagRects[0].x;
    const RgbaImage away = renderTag(*rig, ui, "Spoke Rural", true);
    REQUIRE(ui.tagRects.size() == 1);
    const float awayWidth = ui.tagRects[0].z - ui.tagRects[0].x;
    destroyImGuiLayer(ui);
    CHECK(awayWidth > presentWidth + 40.0f); // the state's words are in the tag
    // Where the two frames differ (the tag: wider, and its text), the away one is amber: red well over blue.
    REQUIRE(away.pixels.size() == present.pixels.size());
    double red = 0, blue = 0;
    std::size_t differing = 0;
    for (std::size_t i = 0; i + 3 < away.pixels.size(); i += 4) {
        int d = 0;
        for (int c = 0; c < 3; ++c) d = std::max(d, std::abs(int(away.pixels[i + c]) - int(present.pixels[i + c])));
        if (d < 40) continue;
        ++differing;
        red += away.pixels[i];
        blue += away.pixels[i + 2];
    }
    INFO("differing " << differing << ", red " << red << ", blue " << blue);
    CHECK(differing > 100);
    CHECK(red > 1.5 * blue);
    CHECK(finish(rig) == 0);
}
